package eventloop

import (
	"fmt"
	"net"
	"time"

	"github.com/tlsengine/tlsengine/engine"
)

// Conn is one connection of a loop. Its methods are for the Handler's
// calls, on the loop's goroutine, except Post.
type Conn struct {
	// Value is the Handler's own state for the connection; the loop does
	// not touch it.
	Value any

	eng       *engine.Conn
	peer      net.Addr
	fd        int
	resolvers *engine.Resolvers        // made at the first decision
	post      func(f func(*Conn)) bool // hands f to the loop (Post)

	// out holds sealed bytes the socket did not take yet; while it does,
	// the loop waits for writability and reads nothing from this peer.
	out []byte

	established bool   // the handshake completed
	closing     bool   // our close_notify is queued (Close)
	failed      bool   // the engine failed: its alert is the last thing to send
	broken      bool   // the socket failed (reset, broken pipe)
	shutWrite   bool   // all sent and the write side shut: lingering for the peer's close
	deciding    bool   // a resolver is answering on its own goroutine: nothing is read
	awaiting    bool   // Await's function runs: nothing is read and no event delivered
	interest    uint32 // the socket's epoll events: readable, writable (out waits) or the FIN alone (held)
	gone        bool   // closed and forgotten by the loop
	err         error

	// The connection's place in its loop's handshake or linger queue.
	deadline   time.Time
	prev, next *Conn
	queue      *deadlineQueue
}

// Write seals p as application data, sent once the current Handler call
// returns (p may be the slice Handler.Data was given).
func (c *Conn) Write(p []byte) error {
	if c.closing || c.gone {
		return net.ErrClosed
	}
	_, err := c.eng.Write(p)
	return err
}

// Close sends close_notify after what was written, then closes the
// socket once the peer closes or lingerTimeout after the last byte left.
func (c *Conn) Close() {
	if c.closing || c.gone {
		return
	}
	c.closing = true
	c.eng.Close()
}

// Post runs f with c on c's loop, and may be called from any goroutine:
// the way for a handler to wait for something (a database, a file, a
// remote service) on a goroutine of its own and then write its answer
// with c.Write. f runs after the loop's current work, not at all if c has
// closed by then; Post reports false when the server has stopped.
func (c *Conn) Post(f func(c *Conn)) bool {
	if c.post == nil {
		return false
	}
	return c.post(f)
}

// Await runs f on a goroutine of its own and holds c until f returns: c
// reads nothing and the handler sees none of its events meanwhile (its
// handshake timeout still runs), so what the peer sends next is handled
// after f's effects, a session stored in a remote cache for instance.
// For use from Handler calls, at most one at a time per connection.
func (c *Conn) Await(f func()) {
	if c.awaiting || c.post == nil {
		return
	}
	c.awaiting = true
	go func() {
		defer func() {
			p := recover()
			c.post(func(c *Conn) {
				c.awaiting = false
				if p != nil {
					panic(fmt.Sprintf("in Await: %v", p)) // ends c, as a handler's panic does
				}
			})
		}()
		f()
	}()
}

// held reports whether c reads nothing for now.
func (c *Conn) held() bool { return c.deciding || c.awaiting }

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.peer }

// ConnectionState is what the handshake negotiated (nil before it
// completes, and once the connection is closing).
func (c *Conn) ConnectionState() *engine.ConnectionState {
	if c.eng == nil {
		return nil
	}
	return c.eng.ConnectionState()
}

// deadlineQueue orders connections by deadline. Every connection in one
// queue gets the same timeout when it joins, so joining at the back keeps
// the queue in order and the front is the next to expire.
type deadlineQueue struct {
	timeout     time.Duration
	front, back *Conn
}

// push puts c at the back with its deadline timeout from now.
func (q *deadlineQueue) push(c *Conn, now time.Time) {
	c.remove()
	c.deadline = now.Add(q.timeout)
	c.queue, c.prev, c.next = q, q.back, nil
	if q.back != nil {
		q.back.next = c
	} else {
		q.front = c
	}
	q.back = c
}

// remove takes c out of its queue, if it is in one.
func (c *Conn) remove() {
	q := c.queue
	if q == nil {
		return
	}
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		q.front = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		q.back = c.prev
	}
	c.queue, c.prev, c.next = nil, nil, nil
}
