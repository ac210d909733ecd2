package engine

import (
	"github.com/tlsengine/tlsengine/session"
)

// Resolvers answer decisions synchronously from plain functions. A nil
// function answers with the default (Decision.Decline).
type Resolvers struct {
	// ServerContext picks the configuration for a ClientHello (SNI); a nil
	// *Config keeps the current one, an error fails the handshake.
	ServerContext func(d *ServerContextDecision) (*Config, error)
	// SessionLookup returns the session stored under a client's session
	// id (Config.LookupSessions), nil when unknown; an error fails the
	// handshake.
	SessionLookup func(id []byte) (*session.State, error)
	// OCSP returns the OCSP response to staple for a certificate and its
	// issuer (Config.AskOCSP), nil for none; an error fails the
	// handshake.
	OCSP func(d *OCSPDecision) ([]byte, error)
	// Renegotiation says whether to accept a renegotiation the client
	// started (Config.AskRenegotiation); nil declines them all.
	Renegotiation func() (bool, error)
}

// Drive answers every pending decision of c with r, for tests and callers
// that need no asynchrony. It returns the connection's error, if any.
func Drive(c *Conn, r Resolvers) error {
	for c.Err() == nil {
		d := c.Pending()
		if d == nil {
			return nil
		}
		if err := c.Resolve(r.Answer(d)); err != nil {
			return err
		}
	}
	return c.Err()
}

// Answer runs the resolver for d and returns the answer to give Resolve.
// It does not touch any Conn, so a caller may run it (user code) without
// holding the lock that guards the Conn, and drop a late answer.
func (r *Resolvers) Answer(d Decision) Answer {
	switch d := d.(type) {
	case *SessionLookupDecision:
		if r.SessionLookup != nil {
			st, err := r.SessionLookup(d.ID)
			return answerOf(d, err, d.Answer(st))
		}
	case *OCSPDecision:
		if r.OCSP != nil {
			resp, err := r.OCSP(d)
			return answerOf(d, err, d.Answer(resp))
		}
	case *RenegotiationDecision:
		if r.Renegotiation != nil {
			ok, err := r.Renegotiation()
			a := d.Decline()
			if ok {
				a = d.Accept()
			}
			return answerOf(d, err, a)
		}
	case *ServerContextDecision:
		if r.ServerContext != nil {
			cfg, err := r.ServerContext(d)
			return answerOf(d, err, d.Answer(cfg))
		}
	}
	return d.Decline()
}

// answerOf is a resolver's answer: Fail when it returned an error, else
// its value's answer a.
func answerOf(d Decision, err error, a Answer) Answer {
	if err != nil {
		return d.Fail(err)
	}
	return a
}
