package api

import (
	"net"
	"time"

	"github.com/tlsengine/tlsengine/engine"
)

// NewServerSocket wraps an accepted transport as the server end of a TLS
// connection configured directly with an engine Config. r, if not nil,
// answers the engine's decisions (see engine.Drive); its functions run
// without the socket's lock, on a goroutine of their own, and a socket
// closed meanwhile drops their answer.
func NewServerSocket(conn net.Conn, cfg *engine.Config, r *engine.Resolvers) *TLSSocket {
	s := newSocket(conn, engine.NewServer(cfg), true)
	if r != nil {
		rs := *r
		s.resolve = rs.Answer
	}
	return s
}

// ClientRenegotiationLimit is Node's policy on renegotiations a client
// starts, as a NewServerSocket Resolvers.Renegotiation for one connection:
// it accepts ClientRenegLimit of them within ClientRenegWindow (the values
// when it is called) and declines the others with a no_renegotiation
// warning, calling onDeclined, if not nil, for each (a Server's sockets
// report ErrSessionAttack then). It runs under the socket's lock, and so
// does onDeclined: it must not call the socket.
func ClientRenegotiationLimit(onDeclined func()) func() (bool, error) {
	lim := &renegLimiter{limit: ClientRenegLimit, window: ClientRenegWindow}
	return func() (bool, error) {
		if lim.allow(time.Now()) {
			return true, nil
		}
		if onDeclined != nil {
			onDeclined()
		}
		return false, nil
	}
}

// NewClientSocket wraps a dialed transport as the client end of a TLS
// connection configured directly with an engine Config.
func NewClientSocket(conn net.Conn, cfg *engine.Config, opts engine.ClientOptions) *TLSSocket {
	s := newSocket(conn, engine.NewClient(cfg, opts), false)
	s.requestOCSP = opts.RequestOCSP
	return s
}

// OnKeylog registers a listener for Node's socket 'keylog' event: NSS key
// log lines (SSLKEYLOGFILE format, without Node's trailing newline), for
// the key material made from then on. Listeners add up, as Node's do,
// after the server's (Server.OnKeylog) on a server socket. Connect's
// handshake is over when it returns: use ConnectOptions.OnKeylog there.
func (s *TLSSocket) OnKeylog(f func(line string)) {
	s.mu.Lock()
	if prev := s.onKeylog; prev != nil {
		s.setKeylog(func(line string) { prev(line); f(line) })
	} else {
		s.setKeylog(f)
	}
	s.mu.Unlock()
}
