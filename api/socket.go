package api

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/record"
)

// readBufferSize is how much one transport read asks for: a full record.
const readBufferSize = record.MaxRecord

// TLSSocket is a TLS connection over a net.Conn: Node's tls.TLSSocket in Go
// form. It is a net.Conn itself; Read and Write run the handshake first
// if it has not run yet.
type TLSSocket struct {
	conn     net.Conn
	isServer bool

	// mu guards the engine and everything below it; writeMu orders bytes
	// on the transport. A goroutine that drained events takes writeMu
	// before releasing mu, so records leave in the order they were made.
	mu      sync.Mutex
	writeMu sync.Mutex
	eng     *engine.Conn
	resolve func(*engine.Conn) error

	plain     []byte // decrypted bytes not yet returned by Read
	state     *engine.ConnectionState
	peerClose bool
	err       error // first fatal error (engine or transport)
	hsDone    chan struct{}
	hsOnce    sync.Once
	onKeylog  func(line string)

	// handshakes counts completed handshakes (1 + renegotiations);
	// renegDeclined is set when the peer answers our renegotiation with
	// no_renegotiation; onError are Node's 'error' listeners for errors
	// that do not end the connection.
	handshakes    int
	renegDeclined bool
	onError       []func(error)

	// requestOCSP is set on a client that asked for stapling; the
	// OCSPResponse listeners run when the handshake completes.
	requestOCSP    bool
	onOCSPResponse []func([]byte)

	readBuf []byte
	reading sync.Mutex // one transport reader at a time

	// onClose, set by a Server, forgets the connection when it closes.
	onClose   func()
	closeOnce sync.Once
}

func newSocket(conn net.Conn, eng *engine.Conn, isServer bool) *TLSSocket {
	return &TLSSocket{conn: conn, eng: eng, isServer: isServer, hsDone: make(chan struct{})}
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
			if s.state == nil && s.err == nil {
				s.err = ctx.Err()
			}
			s.mu.Unlock()
			s.conn.Close()
		})
		defer stop()
	}
	// Flush what the engine already queued (the client's hello).
	if err := s.pump(); err != nil {
		return err
	}
	for {
		s.mu.Lock()
		st, err := s.state, s.err
		if st == nil && err == nil && s.peerClose {
			// close_notify before the handshake completed: nothing more
			// will come, and Node reports the closed transport.
			s.err = &Error{Code: "ECONNRESET", Message: "tls: the peer closed the connection during the handshake"}
			err = s.err
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
			s.plain = s.plain[n:]
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
		if err := s.readOnce(); err != nil {
			s.mu.Lock()
			buffered := len(s.plain) > 0
			s.mu.Unlock()
			if !buffered {
				return 0, err
			}
		}
	}
}

// Write encrypts and sends application data.
func (s *TLSSocket) Write(p []byte) (int, error) {
	if err := s.Handshake(context.Background()); err != nil {
		return 0, err
	}
	s.mu.Lock()
	n, err := s.eng.Write(p)
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	return n, s.drainAndSend()
}

// Close sends close_notify and closes the transport. A writer blocked on
// a peer that does not read must not hold Close up: the close_notify gets
// closeNotifyTimeout, then the transport is closed anyway.
func (s *TLSSocket) Close() error {
	s.mu.Lock()
	s.eng.Close()
	sent := make(chan struct{})
	go func() {
		s.drainAndSend() // releases s.mu
		close(sent)
	}()
	select {
	case <-sent:
	case <-time.After(closeNotifyTimeout):
	}
	s.closeOnce.Do(func() {
		if s.onClose != nil {
			s.onClose()
		}
	})
	return s.conn.Close()
}

// closeNotifyTimeout bounds how long Close waits to send close_notify.
const closeNotifyTimeout = time.Second

// CloseWrite sends close_notify without closing the transport.
func (s *TLSSocket) CloseWrite() error {
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
	s.mu.Lock()
	if s.peerClose || s.err != nil || done() {
		s.mu.Unlock()
		return nil
	}
	if len(s.plain) > 0 {
		// The engine reuses its plaintext buffer at the next Feed: keep
		// a copy of what Read has not taken yet.
		s.plain = append([]byte(nil), s.plain...)
	}
	s.mu.Unlock()
	if s.readBuf == nil {
		s.readBuf = make([]byte, readBufferSize)
	}
	n, rerr := s.conn.Read(s.readBuf)
	s.mu.Lock()
	if n > 0 {
		_ = s.eng.Feed(s.readBuf[:n])
	}
	if err := s.drainAndSend(); err != nil {
		return err
	}
	if rerr != nil {
		s.mu.Lock()
		if s.err == nil && !s.peerClose {
			if errors.Is(rerr, io.EOF) {
				// The transport closed without close_notify: a truncation.
				s.err = &Error{Code: "ECONNRESET", Message: "socket hang up", Err: rerr}
			} else {
				s.err = rerr
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

// drainAndSend takes the engine's events (s.mu held on entry, released on
// return) and writes the records to the transport in order.
func (s *TLSSocket) drainAndSend() error {
	var out [][]byte
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
			s.hsOnce.Do(func() { close(s.hsDone) })
			if len(s.onOCSPResponse) > 0 {
				// Run outside the lock, before Handshake returns.
				ls, resp := s.onOCSPResponse, e.State.OCSPResponse
				s.onOCSPResponse = nil
				defer func() {
					for _, f := range ls {
						f(resp)
					}
				}()
			}
		case engine.EventDecision:
			if s.resolve != nil {
				if err := s.resolve(s.eng); err != nil && s.err == nil {
					s.err = nodeError(err, s.isServer)
				}
			}
		case engine.EventKeylog:
			if s.onKeylog != nil {
				s.onKeylog(e.Keylog)
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
	if werr != nil {
		s.mu.Lock()
		if s.err == nil {
			s.err = werr
		}
		s.mu.Unlock()
		return werr
	}
	return fatal
}
