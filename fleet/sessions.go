package fleet

import (
	"bytes"
	"context"
	"encoding/hex"
	"time"

	"github.com/tlsengine/tlsengine/session"
)

// DefaultPrefix starts every key a fleet writes, so that one Redis can
// hold other data, or several fleets with their own prefixes.
const DefaultPrefix = "tlsengine:"

// sessionMagic starts every stored session: the format of this value
// (version 1: the magic, then session.State's own versioned encoding). A
// value without it is someone else's, or another version's: a miss.
var sessionMagic = []byte("tlsengine-session-v1\x00")

// Sessions stores TLS sessions by id in a Store: the server side of
// session-id resumption across a fleet. Its methods never fail a
// handshake: a store that errs or is slow is a miss.
type Sessions struct {
	// Store holds the sessions.
	Store Store
	// Prefix starts every key (empty: DefaultPrefix).
	Prefix string
	// Context is the servers' sessionIdContext: part of every key, so
	// servers of different contexts never see each other's sessions.
	Context []byte
	// TTL is how long a session is kept: the server's sessionTimeout.
	TTL time.Duration
	// Timeout bounds each store call (0: DefaultTimeout).
	Timeout time.Duration
	// OnError, if set, is told about each store failure (for logging);
	// the handshake goes on in full regardless.
	OnError func(op string, err error)
}

// key is where the session with id lives: prefix, "s:", the context and
// the id, both in hex.
func (s *Sessions) key(id []byte) string {
	p := s.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return p + "s:" + hex.EncodeToString(s.Context) + ":" + hex.EncodeToString(id)
}

func (s *Sessions) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s *Sessions) fail(op string, err error) {
	if s.OnError != nil {
		s.OnError(op, err)
	}
}

// Save stores data (a session.State encoding, as api's newSession
// listener receives it) under id. It returns once the store answered or
// the timeout passed; a failure is reported to OnError only.
func (s *Sessions) Save(ctx context.Context, id, data []byte) {
	if len(id) == 0 || len(id) > 32 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	val := append(append(make([]byte, 0, len(sessionMagic)+len(data)), sessionMagic...), data...)
	ttl := s.TTL
	if ttl <= 0 {
		ttl = session.DefaultTimeout
	}
	if err := s.Store.Set(ctx, s.key(id), val, ttl); err != nil {
		s.fail("save", err)
	}
}

// Load returns the encoded session stored under id, or nil: unknown, the
// store failing or slow, or a value that is not a session of this
// version and context.
func (s *Sessions) Load(ctx context.Context, id []byte) []byte {
	data, _ := s.load(ctx, id)
	return data
}

// LoadState is Load decoded: what an engine.Resolvers.SessionLookup
// returns.
func (s *Sessions) LoadState(ctx context.Context, id []byte) *session.State {
	_, st := s.load(ctx, id)
	return st
}

func (s *Sessions) load(ctx context.Context, id []byte) ([]byte, *session.State) {
	if len(id) == 0 || len(id) > 32 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	val, err := s.Store.Get(ctx, s.key(id))
	if err != nil {
		s.fail("load", err)
		return nil, nil
	}
	data, ok := bytes.CutPrefix(val, sessionMagic)
	if !ok {
		return nil, nil
	}
	st, err := session.Unmarshal(data)
	if err != nil || !bytes.Equal(st.Context, s.Context) {
		return nil, nil
	}
	return data, st
}

// Forget deletes the session under id.
func (s *Sessions) Forget(ctx context.Context, id []byte) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	if err := s.Store.Delete(ctx, s.key(id)); err != nil {
		s.fail("delete", err)
	}
}
