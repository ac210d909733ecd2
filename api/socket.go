package api

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// TLSSocket is a TLS connection over a net.Conn: Node's tls.TLSSocket in Go
// form. It is a net.Conn itself; Read and Write run the handshake first
// if it has not run yet.
type TLSSocket struct {
	conn     net.Conn
	isServer bool

	// mu guards the engine and everything below it; writeMu orders bytes
	// on the transport. A goroutine that drained events takes writeMu
	// before releasing mu, so records leave in the order they were made.
	// writing keeps one Write (all its chunks) whole, and close_notify
	// after it; it is taken before mu. User code never runs under mu.
	mu      sync.Mutex
	writeMu sync.Mutex
	writing sync.Mutex
	eng     *engine.Conn
	// resolve answers a decision (user code); decision is the one the
	// engine waits on, drained but not answered yet.
	resolve  func(engine.Decision) engine.Answer
	decision engine.Decision
	// dead is closed when the socket is closed or destroyed (killed): a
	// handshake waiting on a decision stops waiting. It is made when
	// first asked for (deadChan), as most sockets never wait on one: an
	// idle connection holds 96 bytes fewer (issue 16).
	deadMu sync.Mutex
	dead   chan struct{}
	killed bool

	plain     []byte // decrypted bytes not yet returned by Read
	state     *engine.ConnectionState
	peerClose bool
	err       error // first fatal error (engine or transport)
	onKeylog  func(line string)

	// handshakes counts completed handshakes (1 + renegotiations);
	// renegDeclined is set when the peer answers our renegotiation with
	// no_renegotiation; onError are Node's 'error' listeners for errors
	// that do not end the connection.
	handshakes    int
	renegDeclined bool
	renegDisabled bool // DisableRenegotiation (renegotiation.go)
	onError       []func(error)

	// requestOCSP is set on a client that asked for stapling; the
	// OCSPResponse listeners run when the handshake completes.
	requestOCSP    bool
	onOCSPResponse []func([]byte)
	// sessions13 holds the TLS 1.3 sessions of this connection, one per
	// ticket (session13.go); onSession the session listeners.
	sessions13 []*session.State
	onSession  []func([]byte)

	reading sync.Mutex // one transport reader at a time
	// raw is the transport's syscall.RawConn (nil: not a socket), once
	// rawKnown; both guarded by reading.
	raw      syscall.RawConn
	rawKnown bool

	// onClose, set by a Server, forgets the connection when it closes.
	onClose   func()
	closeOnce sync.Once

	// handshakeTimeout (0: DefaultHandshakeTimeout) bounds how long Close
	// lets a renegotiation run to send the data it holds; heldOut, made
	// by such a Close, is closed once that data and the close_notify
	// behind it are on the transport.
	handshakeTimeout time.Duration
	heldOut          chan struct{}
}

func newSocket(conn net.Conn, eng *engine.Conn, isServer bool) *TLSSocket {
	eng.SetKeylog(false) // until a 'keylog' listener comes (setKeylog)
	return &TLSSocket{conn: conn, eng: eng, isServer: isServer}
}

// setKeylog makes f the socket's 'keylog' listener, and has the engine
// format key log lines only while there is one. Called under s.mu, or
// before the socket is shared.
func (s *TLSSocket) setKeylog(f func(line string)) {
	s.onKeylog = f
	s.eng.SetKeylog(f != nil)
}

// Handshake runs the handshake to completion, or until ctx ends (which
// closes the transport, as Node's handshakeTimeout does).
func (s *TLSSocket) Handshake(ctx context.Context) error {
	s.mu.Lock()
	done, err := s.state != nil, s.err
	s.mu.Unlock()
	if done {
		return nil // later errors are for Read and Write to report
	}
	if err != nil {
		return err
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			s.mu.Lock()
			done := s.state != nil
			s.mu.Unlock()
			if !done {
				s.destroy(ctx.Err())
			}
		})
		defer stop()
	}
	growStack(0)
	// Flush what the engine already queued (the client's hello).
	if err := s.pump(); err != nil {
		return err
	}
	for {
		s.mu.Lock()
		st, err := s.state, s.err
		if st == nil && err == nil && s.peerClose {
			// close_notify before the handshake completed: the peer
			// sends nothing more (RFC 5246, Section 7.2.1), and readOnce
			// would not read again.
			err = errClosedInHandshake
		}
		s.mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if st != nil {
			return nil
		}
		if err := s.readOnce(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}

// errClosedInHandshake is Node's error for a peer that closed the
// connection before the handshake completed.
var errClosedInHandshake = &Error{Code: "ECONNRESET",
	Message: "Client network socket disconnected before secure TLS connection was established"}

// ConnectionState returns the negotiated parameters, or nil before the
// handshake completed.
func (s *TLSSocket) ConnectionState() *engine.ConnectionState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Read returns decrypted application data.
func (s *TLSSocket) Read(p []byte) (int, error) {
	if err := s.Handshake(context.Background()); err != nil {
		return 0, err
	}
	for {
		s.mu.Lock()
		if len(s.plain) > 0 {
			n := copy(p, s.plain)
			if s.plain = s.plain[n:]; len(s.plain) == 0 {
				s.plain = nil // do not pin a copy readUntil made
			}
			s.mu.Unlock()
			return n, nil
		}
		peerClose, err := s.peerClose, s.err
		s.mu.Unlock()
		if peerClose {
			return 0, io.EOF
		}
		if err != nil {
			return 0, err
		}
		if len(p) == 0 {
			return 0, nil
		}
		if err := s.readMore(); err != nil {
			return 0, err
		}
	}
}

// readMore reads once for Read and WriteTo; its error counts only when
// no plaintext came before it.
func (s *TLSSocket) readMore() error {
	if err := s.readOnce(); err != nil {
		s.mu.Lock()
		buffered := len(s.plain) > 0
		s.mu.Unlock()
		if !buffered {
			return err
		}
	}
	return nil
}

// Write encrypts and sends application data. A large p is sealed and sent
// engine.WriteChunk bytes at a time, so that neither its records nor a
// send buffer as large as p stay in memory; the count is of the chunks
// sent when an error ends it.
func (s *TLSSocket) Write(p []byte) (int, error) {
	if err := s.Handshake(context.Background()); err != nil {
		return 0, err
	}
	s.writing.Lock()
	defer s.writing.Unlock()
	n := 0
	for {
		chunk := p[n:min(len(p), n+engine.WriteChunk)]
		s.mu.Lock()
		if _, err := s.eng.Write(chunk); err != nil {
			s.mu.Unlock()
			return n, err
		}
		if err := s.drainAndSend(); err != nil {
			return n, err
		}
		if n += len(chunk); n == len(p) {
			return n, nil
		}
	}
}

// Close sends close_notify and closes the transport. A writer blocked on
// a peer that does not read must not hold Close up: the close_notify gets
// closeNotifyTimeout, then the transport is closed anyway. A decision
// still out (a callback that has not answered) is abandoned.
//
// Data written during a renegotiation in progress waits in the engine
// for the new keys, and the close_notify waits behind it (issue 12, item
// 10). Close then lets the renegotiation finish, as Node's end() does:
// decisions are still answered, and Close reads the peer's flight itself
// when no Read does. It returns once the data and the close_notify are on
// the transport, or after the handshake timeout (the Server's
// HandshakeTimeout, else DefaultHandshakeTimeout) without them. What the
// peer sends meanwhile is dropped: the socket is closing.
func (s *TLSSocket) Close() error {
	s.mu.Lock()
	if s.err != nil && !errors.Is(s.err, io.EOF) {
		// The connection failed, by a fatal alert (no close_notify
		// follows one, RFC 5246, Section 7.2.2) or on the transport (a
		// reset connection would answer EPIPE and a SIGPIPE): close
		// without a word, as Node destroys such a socket. A peer that
		// only closed its side may still read one.
		s.mu.Unlock()
		s.kill()
		s.forgetOnce()
		return s.conn.Close()
	}
	held := s.eng.Holding()
	var heldOut chan struct{} // nil: never ready
	if held {
		if s.heldOut == nil {
			s.heldOut = make(chan struct{})
		}
		heldOut = s.heldOut
	}
	s.mu.Unlock()
	bound := closeNotifyTimeout
	if held {
		bound = s.handshakeTimeout
		if bound <= 0 {
			bound = DefaultHandshakeTimeout
		}
	} else {
		s.kill()
	}
	sent := make(chan struct{})
	go func() {
		if s.CloseWrite() == nil && held {
			s.awaitHeld()
		}
		close(sent)
	}()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case <-sent:
	case <-heldOut:
	case <-timer.C:
	}
	// Past the bound, kill ends a decision still out and closing the
	// transport ends a read under way: the goroutine above returns.
	s.kill()
	s.forgetOnce()
	return s.conn.Close()
}

// awaitHeld feeds the engine until the renegotiation releases the data it
// holds, the connection ends, or the transport fails. Another reader may
// be the one feeding it: readUntil waits for that read, and Close for
// heldOut. Plaintext is dropped as it comes, so that a peer streaming data
// cannot grow it while Close waits.
func (s *TLSSocket) awaitHeld() {
	released := func() bool { return !s.eng.Holding() }
	for {
		s.mu.Lock()
		s.plain = nil
		over := released() || s.err != nil || s.peerClose
		s.mu.Unlock()
		if over || s.readUntil(released) != nil {
			return
		}
	}
}

// destroy ends the socket at once with err (the first error wins),
// without close_notify: Node's socket.destroy(err).
func (s *TLSSocket) destroy(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.kill()
	s.forgetOnce()
	s.conn.Close()
}

// kill closes dead: whoever waits on a decision stops waiting.
func (s *TLSSocket) kill() {
	s.deadMu.Lock()
	defer s.deadMu.Unlock()
	if !s.killed {
		s.killed = true
		if s.dead != nil {
			close(s.dead)
		}
	}
}

// deadChan returns the channel that kill closes, making it on first use
// (one closed already if the socket is dead).
func (s *TLSSocket) deadChan() <-chan struct{} {
	s.deadMu.Lock()
	defer s.deadMu.Unlock()
	if s.dead == nil {
		if s.killed {
			return closedChan
		}
		s.dead = make(chan struct{})
	}
	return s.dead
}

// isKilled reports whether kill ran, without making the dead channel.
func (s *TLSSocket) isKilled() bool {
	s.deadMu.Lock()
	defer s.deadMu.Unlock()
	return s.killed
}

// closedChan is a closed channel, the dead channel of a socket killed
// before anyone asked for it.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// forgetOnce runs onClose (the server forgets the connection) once.
func (s *TLSSocket) forgetOnce() {
	s.closeOnce.Do(func() {
		if s.onClose != nil {
			s.onClose()
		}
	})
}

// closeNotifyTimeout bounds how long Close waits to send close_notify.
const closeNotifyTimeout = time.Second

// CloseWrite sends close_notify without closing the transport, after any
// Write under way. During a renegotiation, after data the engine holds
// for the new keys, it goes out with that data once the renegotiation
// ends, as Read feeds the engine.
func (s *TLSSocket) CloseWrite() error {
	s.writing.Lock()
	defer s.writing.Unlock()
	s.mu.Lock()
	s.eng.Close()
	return s.drainAndSend()
}

// LocalAddr returns the transport's local address.
func (s *TLSSocket) LocalAddr() net.Addr { return s.conn.LocalAddr() }

// RemoteAddr returns the transport's remote address.
func (s *TLSSocket) RemoteAddr() net.Addr { return s.conn.RemoteAddr() }

// SetDeadline sets the transport's deadlines.
func (s *TLSSocket) SetDeadline(t time.Time) error { return s.conn.SetDeadline(t) }

// SetReadDeadline sets the transport's read deadline.
func (s *TLSSocket) SetReadDeadline(t time.Time) error { return s.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the transport's write deadline.
func (s *TLSSocket) SetWriteDeadline(t time.Time) error { return s.conn.SetWriteDeadline(t) }

// NetConn returns the underlying transport.
func (s *TLSSocket) NetConn() net.Conn { return s.conn }

// pump sends whatever the engine has queued.
func (s *TLSSocket) pump() error {
	s.mu.Lock()
	return s.drainAndSend()
}

// readOnce reads one chunk from the transport and feeds it to the engine,
// unless plaintext is already waiting.
func (s *TLSSocket) readOnce() error {
	return s.readUntil(func() bool { return len(s.plain) > 0 })
}

// readUntil reads one chunk from the transport and feeds it to the
// engine, unless done (called with s.mu held) already holds: another
// reader may have made progress while we waited for the transport. A
// caller waiting on something else than plaintext (a renegotiation)
// reads even with plaintext buffered.
func (s *TLSSocket) readUntil(done func() bool) error {
	s.reading.Lock()
	defer s.reading.Unlock()
	if stop, err := s.beforeRead(done); stop {
		return err
	}
	bp, n, rerr := s.readTransport()
	return s.afterRead(bp, n, rerr)
}

// beforeRead answers a pending decision and reports whether readUntil
// stops before reading (done holds, the peer closed or the socket failed).
//
//go:noinline
func (s *TLSSocket) beforeRead(done func() bool) (stop bool, err error) {
	if err := s.answerDecision(); err != nil {
		return true, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peerClose || s.err != nil || done() {
		return true, nil
	}
	if len(s.plain) > 0 {
		// The engine reuses its plaintext buffer at the next Feed: keep
		// a copy of what Read has not taken yet.
		s.plain = append([]byte(nil), s.plain...)
	}
	return false, nil
}

// afterRead feeds what one transport read brought to the engine, gives
// the buffer back, sends what the engine queued and turns the read's
// error into the socket's.
//
//go:noinline
func (s *TLSSocket) afterRead(bp *[]byte, n int, rerr error) error {
	s.mu.Lock()
	if n > 0 {
		_ = s.eng.Feed((*bp)[:n])
	}
	if bp != nil {
		readBufs.Put(bp)
	}
	if err := s.drainAndSend(); err != nil {
		return err
	}
	if err := s.answerDecision(); err != nil {
		return err
	}
	if rerr != nil {
		var ne net.Error
		if errors.As(rerr, &ne) && ne.Timeout() {
			// A deadline passed (net/http sets one in the past to stop
			// its background read): nothing was lost, and the next Read
			// goes on where this one stopped, as with crypto/tls. Only a
			// write that timed out corrupts the stream; that one latches.
			return rerr
		}
		s.mu.Lock()
		if s.err == nil && !s.peerClose {
			if errors.Is(rerr, io.EOF) {
				// The transport closed without close_notify: a truncation.
				s.err = &Error{Code: "ECONNRESET", Message: "socket hang up", Err: rerr}
			} else {
				s.err = transportError(rerr)
			}
		}
		err := s.err
		s.mu.Unlock()
		if err == nil {
			return nil
		}
		return err
	}
	return nil
}

// answerDecision answers the decision the engine waits on, if any. The
// resolver is user code (SNICallback, resumeSession, OCSPRequest): it runs
// on its own goroutine without s.mu, so that Close, the handshake timeout
// and the other methods never wait for it. If the socket dies first, the
// handshake stops waiting and the answer, whenever it comes, is dropped.
func (s *TLSSocket) answerDecision() error {
	for {
		s.mu.Lock()
		d := s.decision
		s.decision = nil
		s.mu.Unlock()
		if d == nil {
			return nil
		}
		answer := d.Decline()
		if s.resolve != nil {
			ch := make(chan engine.Answer, 1)
			go func() { ch <- s.resolve(d) }()
			select {
			case answer = <-ch:
			case <-s.deadChan():
				return errSocketClosed
			}
		}
		s.mu.Lock()
		if s.isKilled() {
			s.mu.Unlock()
			return errSocketClosed
		}
		if s.err == nil {
			s.eng.Resolve(answer) // a failure comes as an EventError
		}
		if err := s.drainAndSend(); err != nil {
			return err
		}
	}
}

// errSocketClosed is what a handshake waiting on a decision gets when the
// socket is closed under it.
var errSocketClosed = &Error{Code: "ERR_SOCKET_CLOSED", Message: "Socket is closed", Err: net.ErrClosed}

// drainAndSend takes the engine's events (s.mu held on entry, released on
// return) and writes the records to the transport in order. Listeners
// (keylog, OCSPResponse) run after it released s.mu, in event order.
func (s *TLSSocket) drainAndSend() error {
	var out [][]byte
	var after []func()
	defer func() {
		for _, f := range after {
			f()
		}
	}()
	for {
		e := s.eng.NextEvent()
		if e.Kind == engine.EventNone {
			break
		}
		switch e.Kind {
		case engine.EventSend:
			out = append(out, e.Data)
		case engine.EventPlaintext:
			if len(s.plain) == 0 {
				// Keep the engine's buffer rather than copy it: the
				// engine reuses it only at the next Feed, and readOnce
				// feeds only once s.plain is drained.
				s.plain = e.Data
			} else {
				// Never append into the engine's buffer.
				s.plain = append(s.plain[:len(s.plain):len(s.plain)], e.Data...)
			}
		case engine.EventHandshakeDone:
			s.state = e.State
			s.handshakes++
			for _, f := range s.onOCSPResponse {
				// Before Handshake returns.
				resp := e.State.OCSPResponse
				after = append(after, func() { f(resp) })
			}
			s.onOCSPResponse = nil
		case engine.EventDecision:
			// Answered by the reader, without s.mu (answerDecision).
			s.decision = e.Decision
		case engine.EventSession:
			after = s.addSession13(e.Session, after)
		case engine.EventKeylog:
			if f, line := s.onKeylog, e.Keylog; f != nil {
				after = append(after, func() { f(line) })
			}
		case engine.EventPeerClosed:
			s.peerClose = true
		case engine.EventAlertReceived:
			if e.Alert.Description == record.AlertNoRenegotiation {
				s.renegDeclined = true
			}
		case engine.EventError:
			if s.err == nil {
				s.err = nodeError(e.Err, s.isServer)
			}
		}
	}
	fatal := s.err
	if s.heldOut != nil && !s.eng.Holding() {
		// These events carry the data a Close waits for, if any: it may
		// close the transport once they are written.
		heldOut := s.heldOut
		s.heldOut = nil
		defer close(heldOut)
	}
	if len(out) == 0 && fatal == nil {
		// Nothing to send: do not wait behind a writer blocked on the
		// transport, or a reader could never drain the peer (net.Pipe).
		s.mu.Unlock()
		return nil
	}
	s.writeMu.Lock()
	s.mu.Unlock()
	var werr error
	for _, b := range out {
		if _, werr = s.conn.Write(b); werr != nil {
			break
		}
	}
	if fatal != nil && werr == nil {
		// After a fatal alert nothing more is sent; the transport closes.
		s.conn.Close()
	}
	s.writeMu.Unlock()
	// The state lock is never taken while the write lock is held: the
	// order is always mu, then writeMu.
	if werr == nil && fatal == nil {
		// The records are on the wire: their memory can seal the next.
		s.mu.Lock()
		for _, b := range out {
			s.eng.Recycle(b)
		}
		s.mu.Unlock()
	}
	if werr != nil && fatal != nil {
		// The alert did not reach a peer that is already gone: what
		// failed is still the handshake (s.err holds it).
		return fatal
	}
	if werr != nil {
		werr = transportError(werr)
		s.mu.Lock()
		if s.err == nil {
			s.err = werr
		}
		s.mu.Unlock()
		return werr
	}
	return fatal
}
