//go:build linux

package eventloop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/tlsengine/tlsengine/engine"
)

// readSize is a loop's read buffer: one record of the largest size a peer
// may send (5-byte header, 2^14 bytes of plaintext and 2048 of expansion,
// RFC 5246, Section 6.2.3), so that bulk data arrives a record per read.
const readSize = 5 + 1<<14 + 2048

// readsPerWake bounds the reads of one connection per wake-up, so that a
// peer sending without pause does not starve the loop's others.
const readsPerWake = 4

// acceptPause is how long a loop stops accepting after the process ran
// out of descriptors or memory (as net/http backs off), rather than spin
// on a listener that stays readable.
const acceptPause = 100 * time.Millisecond

// epollExclusive is EPOLLEXCLUSIVE (Linux 4.5), which package syscall
// does not name: one loop wakes per incoming connection, not all.
const epollExclusive = 1 << 28

// Serve serves connections accepted on ln until ctx ends, then closes them
// (sending close_notify on established ones) and returns nil; it returns
// an error if the loops cannot be set up or epoll fails. Serve owns ln: it
// moves the listening socket out of Go's poller (closing ln) so that
// arrivals wake only the loops.
func (s *Server) Serve(ctx context.Context, ln *net.TCPListener) error {
	if s.Config == nil || s.Handler == nil {
		return errors.New("eventloop: Server needs a Config and a Handler")
	}
	f, err := ln.File() // a descriptor of our own for the listening socket
	ln.Close()
	if err != nil {
		return err
	}
	defer f.Close()
	lfd := int(f.Fd())
	if err := syscall.SetNonblock(lfd, true); err != nil {
		return err
	}
	// The loops stop when the pipe's write end closes: its read end is
	// then readable in every loop's set.
	var stop [2]int
	if err := syscall.Pipe2(stop[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		return err
	}
	defer syscall.Close(stop[0])
	n := s.Loops
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	loops := make([]*loop, 0, n)
	defer func() {
		for _, l := range loops {
			syscall.Close(l.ep)
		}
	}()
	for range n {
		l, err := newLoop(s, lfd, stop[0])
		if err != nil {
			syscall.Close(stop[1])
			return err
		}
		loops = append(loops, l)
	}
	errs := make(chan error, n)
	for _, l := range loops {
		go func() { errs <- l.run() }()
	}
	var first error
	select {
	case <-ctx.Done():
	case first = <-errs:
		n--
	}
	syscall.Close(stop[1])
	for range n {
		if err := <-errs; first == nil {
			first = err
		}
	}
	return first
}

// loop is one event loop: its epoll set, its connections and its queues.
type loop struct {
	s     *Server
	ep    int
	lfd   int
	stop  int
	conns map[int32]*Conn
	buf   []byte
	evs   []syscall.EpollEvent

	handshaking deadlineQueue
	lingering   deadlineQueue
	acceptAfter time.Time // zero, or when accepting resumes after a pause

	// Work handed to the loop by other goroutines (resolvers' answers,
	// Conn.Post) waits in posted; a byte in the wake pipe, in the set,
	// tells the loop.
	wakeR, wakeW int
	postedMu     sync.Mutex
	posted       []func()
	shut         bool // the loop is gone: nothing more is taken
}

func newLoop(s *Server, lfd, stop int) (*loop, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	var wake [2]int
	if err := syscall.Pipe2(wake[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		syscall.Close(ep)
		return nil, err
	}
	l := &loop{s: s, ep: ep, lfd: lfd, stop: stop, conns: make(map[int32]*Conn),
		buf: make([]byte, readSize), evs: make([]syscall.EpollEvent, 128),
		handshaking: deadlineQueue{timeout: s.handshakeTimeout()}, lingering: deadlineQueue{timeout: lingerTimeout},
		wakeR: wake[0], wakeW: wake[1]}
	for _, r := range []struct {
		fd     int
		events uint32
	}{{stop, syscall.EPOLLIN}, {l.wakeR, syscall.EPOLLIN}, {lfd, syscall.EPOLLIN | epollExclusive}} {
		if err := l.ctl(syscall.EPOLL_CTL_ADD, r.fd, r.events); err != nil {
			l.closeWake()
			syscall.Close(ep)
			return nil, err
		}
	}
	return l, nil
}

// closeWake closes the wake pipe, after which nothing can be posted.
func (l *loop) closeWake() {
	l.postedMu.Lock()
	defer l.postedMu.Unlock()
	if l.shut {
		return
	}
	l.shut, l.posted = true, nil
	syscall.Close(l.wakeR)
	syscall.Close(l.wakeW)
}

func (l *loop) ctl(op, fd int, events uint32) error {
	return syscall.EpollCtl(l.ep, op, fd, &syscall.EpollEvent{Events: events, Fd: int32(fd)})
}

// run waits for events until the stop pipe closes.
func (l *loop) run() error {
	defer l.closeWake()
	defer l.closeAll()
	for {
		n, err := syscall.EpollWait(l.ep, l.evs, l.waitMillis(time.Now()))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("eventloop: epoll_wait: %w", err)
		}
		for _, ev := range l.evs[:n] {
			switch int(ev.Fd) {
			case l.stop:
				return nil
			case l.lfd:
				l.accept()
			case l.wakeR:
				l.runPosted()
			default:
				if c := l.conns[ev.Fd]; c != nil {
					l.service(c, ev.Events)
				}
			}
		}
		l.expire(time.Now())
	}
}

// waitMillis is epoll_wait's timeout: until the next deadline, rounded
// up, or -1 when nothing waits for one.
func (l *loop) waitMillis(now time.Time) int {
	var next time.Time
	for _, t := range []time.Time{l.acceptAfter, l.frontDeadline(&l.handshaking), l.frontDeadline(&l.lingering)} {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if next.IsZero() {
		return -1
	}
	d := next.Sub(now)
	if d <= 0 {
		return 0
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}

func (l *loop) frontDeadline(q *deadlineQueue) time.Time {
	if q.front == nil {
		return time.Time{}
	}
	return q.front.deadline
}

// expire closes the connections whose deadline passed and resumes a
// paused accept.
func (l *loop) expire(now time.Time) {
	for c := l.handshaking.front; c != nil && !c.deadline.After(now); c = l.handshaking.front {
		l.closeConn(c, ErrHandshakeTimeout)
	}
	for c := l.lingering.front; c != nil && !c.deadline.After(now); c = l.lingering.front {
		l.closeConn(c, nil)
	}
	if !l.acceptAfter.IsZero() && !l.acceptAfter.After(now) {
		l.acceptAfter = time.Time{}
		if err := l.ctl(syscall.EPOLL_CTL_ADD, l.lfd, syscall.EPOLLIN|epollExclusive); err != nil {
			l.s.logError(nil, fmt.Errorf("eventloop: resuming accept: %w", err))
		}
	}
}

// acceptsPerWake bounds the connections one loop takes per wake-up, so
// that a burst of arrivals is shared between the loops (the listener
// stays readable for the next one) instead of landing on one core.
const acceptsPerWake = 16

// accept takes connections waiting on the listener.
func (l *loop) accept() {
	for range acceptsPerWake {
		fd, sa, err := syscall.Accept4(l.lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		switch {
		case err == nil:
		case err == syscall.EAGAIN:
			return
		case err == syscall.EINTR || err == syscall.ECONNABORTED:
			continue
		default:
			// Out of descriptors or memory: stop listening here for a
			// while rather than spin on a listener that stays readable.
			l.s.logError(nil, fmt.Errorf("eventloop: accept: %w; pausing %v", err, acceptPause))
			l.ctl(syscall.EPOLL_CTL_DEL, l.lfd, 0)
			l.acceptAfter = time.Now().Add(acceptPause)
			return
		}
		l.open(fd, sa)
	}
}

// open starts serving an accepted socket.
func (l *loop) open(fd int, sa syscall.Sockaddr) {
	// As Go's net package does for TCP: each flight is one write, and
	// Nagle's algorithm would hold a later small one back.
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	c := &Conn{fd: fd, peer: tcpAddr(sa), eng: engine.NewServer(l.s.Config)}
	c.post = func(f func(*Conn)) bool { return l.post(func() { l.runFor(c, f) }) }
	c.eng.SetKeylog(l.s.Keylog != nil)
	c.interest = syscall.EPOLLIN | syscall.EPOLLRDHUP
	if err := l.ctl(syscall.EPOLL_CTL_ADD, fd, c.interest); err != nil {
		syscall.Close(fd)
		l.s.logError(c.peer, fmt.Errorf("eventloop: epoll_ctl: %w", err))
		return
	}
	l.conns[int32(fd)] = c
	l.handshaking.push(c, time.Now())
}

func tcpAddr(sa syscall.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *syscall.SockaddrInet6:
		return &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port}
	}
	return &net.TCPAddr{}
}

// service handles the readiness of c's socket. A panic in the handler ends
// c alone.
func (l *loop) service(c *Conn, events uint32) {
	defer l.guard(c)
	switch {
	case c.interest == syscall.EPOLLOUT:
		l.flush(c)
	case c.held():
		// Nothing is read while a resolver answers or Await waits (the
		// engine would have to hold it): the socket wakes the loop only
		// when it fails or the peer closes its side, which leaves the
		// handshake no way to complete. (Readability reported before the
		// hold began, in the same batch, waits.)
		if events&(syscall.EPOLLHUP|syscall.EPOLLERR|syscall.EPOLLRDHUP) != 0 {
			c.broken = true
		}
	default:
		l.read(c)
	}
	l.settle(c)
}

// read reads what the socket holds, feeds it to the engine and acts on
// the events.
func (l *loop) read(c *Conn) {
	for range readsPerWake {
		n, err := syscall.Read(c.fd, l.buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return
		case err != nil:
			c.broken, c.err = true, err
			return
		case n == 0:
			c.broken = true // settle names a close before the handshake completed
			return
		}
		if c.shutWrite {
			continue // lingering: what comes now is not read
		}
		c.eng.Feed(l.buf[:n]) // a failure comes as EventError
		l.drain(c)
		if c.broken || c.failed || c.held() || len(c.out) > 0 || n < len(l.buf) {
			return
		}
	}
}

// drain acts on c's engine events; while c waits for Await's function,
// the rest stay queued in the engine.
func (l *loop) drain(c *Conn) {
	for !c.awaiting {
		e := c.eng.NextEvent()
		switch e.Kind {
		case engine.EventNone:
			return
		case engine.EventSend:
			l.send(c, e.Data)
			c.eng.Recycle(e.Data)
		case engine.EventPlaintext:
			if !c.closing {
				l.s.Handler.Data(c, e.Data)
			}
		case engine.EventHandshakeDone:
			c.established = true
			c.remove()
			l.s.Handler.Established(c, e.State)
		case engine.EventDecision:
			if c.resolvers == nil {
				c.resolvers = &engine.Resolvers{}
				if l.s.Resolvers != nil {
					if r := l.s.Resolvers(c.peer); r != nil {
						c.resolvers = r
					}
				}
			}
			if l.s.InlineResolvers {
				engine.Drive(c.eng, *c.resolvers) // a failure comes as EventError
			} else {
				l.decide(c)
			}
		case engine.EventKeylog:
			if l.s.Keylog != nil {
				l.s.Keylog(e.Keylog)
			}
		case engine.EventPeerClosed:
			c.Close()
		case engine.EventError:
			c.failed, c.err = true, e.Err
		}
	}
}

// decide has c's pending decision answered on a goroutine of its own;
// c reads nothing until the answer is back.
func (l *loop) decide(c *Conn) {
	d := c.eng.Pending()
	if d == nil || c.deciding {
		return
	}
	c.deciding = true
	r := c.resolvers
	go func() {
		var a engine.Answer
		defer func() {
			if p := recover(); p != nil {
				a = d.Fail(fmt.Errorf("eventloop: panic in a resolver: %v", p))
			}
			l.post(func() {
				// An answer for a connection closed meanwhile (timed
				// out, reset) is dropped (runFor); the input held while
				// it waited is processed now.
				if c.deciding && c.eng != nil {
					l.runFor(c, func(c *Conn) {
						c.deciding = false
						c.eng.Resolve(a) // a failure comes as EventError
					})
				}
			})
		}()
		a = r.Answer(d)
	}()
}

// post has f run on the loop, from another goroutine; false when the
// loop is gone.
func (l *loop) post(f func()) bool {
	l.postedMu.Lock()
	defer l.postedMu.Unlock()
	if l.shut {
		return false
	}
	l.posted = append(l.posted, f)
	if len(l.posted) == 1 {
		// One byte per batch: the loop empties the pipe before it takes
		// the batch, so a later post always finds a byte or writes one.
		syscall.Write(l.wakeW, []byte{1})
	}
	return true
}

// runPosted runs what other goroutines posted.
func (l *loop) runPosted() {
	var b [64]byte
	for {
		if n, _ := syscall.Read(l.wakeR, b[:]); n <= 0 {
			break
		}
	}
	l.postedMu.Lock()
	fs := l.posted
	l.posted = nil
	l.postedMu.Unlock()
	for _, f := range fs {
		f()
	}
}

// runFor runs f, posted for c, then acts on what it did to c (writes, a
// close, a resumed handshake); nothing runs for a c that has closed. A
// panic ends c alone.
func (l *loop) runFor(c *Conn, f func(*Conn)) {
	if c.gone {
		return
	}
	defer l.guard(c)
	f(c)
	if c.eng != nil {
		l.drain(c)
	}
	l.settle(c)
}

// guard, deferred, ends c alone when the handler (or a function posted
// for c) panics.
func (l *loop) guard(c *Conn) {
	if r := recover(); r != nil {
		l.closeConn(c, fmt.Errorf("eventloop: panic serving the connection: %v", r))
	}
}

// send writes p, keeping in c.out what the socket does not take now.
func (l *loop) send(c *Conn, p []byte) {
	if c.broken {
		return
	}
	if len(c.out) > 0 {
		c.out = append(c.out, p...)
		return
	}
	n, err := write(c.fd, p)
	if err != nil {
		c.broken, c.err = true, err
		return
	}
	if n < len(p) {
		c.out = append([]byte(nil), p[n:]...)
	}
}

// write writes what the socket takes now: EAGAIN is 0 bytes, not an
// error.
func write(fd int, p []byte) (int, error) {
	for {
		n, err := syscall.Write(fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, nil
		case err != nil:
			return 0, err
		}
		return n, nil
	}
}

// flush writes c.out on writability.
func (l *loop) flush(c *Conn) {
	n, err := write(c.fd, c.out)
	if err != nil {
		c.broken, c.err = true, err
		return
	}
	c.out = c.out[n:]
	if len(c.out) == 0 {
		c.out = nil // an idle connection keeps no buffer
	}
}

// settle brings c's socket in line with its state: closed when broken or
// failed (once the alert is out), shut for writing and lingering once our
// close_notify is out, and waiting for writability or readability.
func (l *loop) settle(c *Conn) {
	if c.gone {
		return
	}
	switch {
	case c.broken:
		err := c.err
		if !c.established && err == nil {
			err = errClosedInHandshake
		}
		if c.established && (err == nil || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
			err = nil // a peer that goes away after the handshake is not an error
		}
		l.closeConn(c, err)
		return
	case len(c.out) > 0:
		// Writability alone: a peer that half-closed while not reading
		// would keep EPOLLRDHUP, level-triggered, firing.
		l.watch(c, syscall.EPOLLOUT)
		return
	case c.failed:
		l.closeConn(c, c.err)
		return
	case c.held():
		// No reading while held: only a failure, a hang-up or the peer's
		// FIN wakes the loop for c.
		l.watch(c, syscall.EPOLLRDHUP)
		return
	}
	l.watch(c, syscall.EPOLLIN|syscall.EPOLLRDHUP)
	if c.closing && !c.shutWrite {
		c.shutWrite = true
		syscall.Shutdown(c.fd, syscall.SHUT_WR)
		l.lingering.push(c, time.Now())
		c.eng = nil // nothing more to seal or open
	}
}

// watch makes events c's epoll interest.
func (l *loop) watch(c *Conn, events uint32) {
	if c.interest != events {
		c.interest = events
		l.ctl(syscall.EPOLL_CTL_MOD, c.fd, events)
	}
}

// closeConn closes c's socket and forgets it, reporting err.
func (l *loop) closeConn(c *Conn, err error) {
	if c.gone {
		return
	}
	c.gone = true
	c.remove()
	delete(l.conns, int32(c.fd))
	syscall.Close(c.fd) // also leaves the epoll set
	c.out, c.eng = nil, nil
	if err == nil || errors.Is(err, io.EOF) {
		return
	}
	if !c.established {
		err = &HandshakeError{err}
	}
	l.s.logError(c.peer, err)
}

// closeAll ends the loop's connections as the server stops: close_notify
// to the established ones, as far as the socket takes it now.
func (l *loop) closeAll() {
	for _, c := range l.conns {
		if c.established && !c.closing && !c.broken && !c.failed {
			c.Close()
			l.drain(c)
		}
		l.closeConn(c, nil)
	}
}
