package api

import (
	"context"
	"time"

	"github.com/tlsengine/tlsengine/session"
)

// This file holds what a shared session store (package fleet) needs from a
// server beyond Node's API: its session scope and lifetime, and a ring of
// ticket keys instead of Node's single key.

// SessionTimeout returns the lifetime of the server's sessions and
// tickets: ServerOptions.SessionTimeout, or 300 s when that is zero.
func (s *Server) SessionTimeout() time.Duration {
	if s.opts.SessionTimeout > 0 {
		return s.opts.SessionTimeout
	}
	return session.DefaultTimeout
}

// SessionIDContext returns ServerOptions.SessionIDContext: sessions are
// resumed only by servers of the same context.
func (s *Server) SessionIDContext() string { return s.opts.SessionIDContext }

// SetTicketKeyRing installs several ticket keys at once, each 48 bytes in
// Node's layout: current seals new tickets, and it and every key in older
// open them. A fleet rotating its keys uses it so that a ticket sealed by
// any server under any still-valid key resumes on every server.
func (s *Server) SetTicketKeyRing(current []byte, older [][]byte) error {
	if err := s.tickets.SetKeys(current, older); err != nil {
		return &Error{Code: "ERR_INVALID_ARG_VALUE", Message: "Session ticket keys must be 48-byte buffers", Err: err}
	}
	return nil
}

// HandshakeSocket runs the handshake of sock, a socket NewTLSSocket made
// with this server (TLSSocketOptions.Server), then emits newSession for
// its new session, if any, and waits for the listeners as for the
// server's own connections (Node emits newSession for such sockets too).
// Adapters that accept connections themselves (gRPC credentials) use it
// so that a shared session store sees their sessions.
func (s *Server) HandshakeSocket(ctx context.Context, sock *TLSSocket) error {
	if err := sock.Handshake(ctx); err != nil {
		return err
	}
	return s.newSession(sock)
}
