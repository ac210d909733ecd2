package api

import (
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/session"
)

// TLS 1.3 sessions arrive after the handshake, one per NewSessionTicket
// (RFC 8446, Section 4.6.1). Node v20 emits the client's session event
// once per ticket and, on a server, newSession once per ticket issued; its
// getSession and getTLSTicket answer with the newest ticket's session.

// addSession13 records a session from the engine (called with s.mu held)
// and returns after extended with the session listeners' calls.
func (s *TLSSocket) addSession13(st *session.State, after []func()) []func() {
	s.sessions13 = append(s.sessions13, st)
	if s.isServer {
		return after
	}
	b, err := st.Marshal()
	if err != nil {
		return after
	}
	for _, f := range s.onSession {
		after = append(after, func() { f(b) })
	}
	return after
}

// lastSession13 is the newest TLS 1.3 session a client received, nil
// before the first ticket and on a TLS 1.2 connection.
func (s *TLSSocket) lastSession13() *session.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isServer || len(s.sessions13) == 0 {
		return nil
	}
	return s.sessions13[len(s.sessions13)-1]
}

// onSession13 registers f for the TLS 1.3 tickets still to come and calls
// it for those received so far; it reports false on a connection that is
// not TLS 1.3, whose session event is the TLS 1.2 one.
func (s *TLSSocket) onSession13(f func([]byte)) bool {
	s.mu.Lock()
	if s.state == nil || s.state.Version != cipher.VersionTLS13 {
		s.mu.Unlock()
		return false
	}
	s.onSession = append(s.onSession, f)
	got := slices.Clone(s.sessions13)
	s.mu.Unlock()
	for _, st := range got {
		if b, err := st.Marshal(); err == nil {
			f(b)
		}
	}
	return true
}

// takeSessions13 returns the sessions of the tickets a server issued on
// this connection and forgets them, so an idle connection does not hold
// them once newSession has had them.
func (s *TLSSocket) takeSessions13() []*session.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sessions13
	s.sessions13 = nil
	return out
}
