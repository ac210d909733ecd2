package session

import (
	"github.com/tlsengine/tlsengine/internal/wire"
	"golang.org/x/crypto/cryptobyte"
)

// encodingVersion13 is the first byte of an encoded TLS 1.3 State: the
// encoding of version 1 followed by Resumption13.
const encodingVersion13 = 2

// version13 is TLS 1.3's protocol version number.
const version13 = 0x0304

// MaxTicketLifetime13 is the longest a TLS 1.3 ticket may live: "Servers
// MUST NOT use any value greater than 604800 seconds (7 days)" (RFC 8446,
// Section 4.6.1).
const MaxTicketLifetime13 = 604800

// Resumption13 is what a TLS 1.3 session adds to State (RFC 8446, Section
// 4.6.1). The PSK itself is State.MasterSecret.
type Resumption13 struct {
	// TicketNonce is the ticket_nonce the PSK was derived with.
	TicketNonce []byte
	// AgeAdd is ticket_age_add, which the client adds to the ticket's age
	// in milliseconds so that an observer cannot link connections.
	AgeAdd uint32
	// IssuedAtMillis is when the ticket was issued (server) or received
	// (client), in Unix milliseconds: ticket ages are in milliseconds.
	IssuedAtMillis int64
	// MaxLifetime is the ticket lifetime in seconds the server set, at
	// most MaxTicketLifetime13.
	MaxLifetime uint32
	// ALPN is the protocol the original connection negotiated.
	ALPN string
}

// is13 reports whether s is a TLS 1.3 session.
func (s *State) is13() bool { return s.Version == version13 }

// Is13 reports whether s is a TLS 1.3 session: only such a session is
// offered or accepted as a TLS 1.3 PSK, and only the others by a TLS 1.2
// session id or ticket.
func (s *State) Is13() bool { return s.is13() }

func (s *State) marshal13(b *wire.Builder) {
	b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(s.TicketNonce) })
	b.AddUint32(s.AgeAdd)
	b.AddUint64(uint64(s.IssuedAtMillis))
	b.AddUint32(s.MaxLifetime)
	b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes([]byte(s.ALPN)) })
}

func (s *State) unmarshal13(in *cryptobyte.String) bool {
	var nonce, alpn []byte
	var issued uint64
	if !in.ReadUint8LengthPrefixed((*cryptobyte.String)(&nonce)) || !in.ReadUint32(&s.AgeAdd) ||
		!in.ReadUint64(&issued) || !in.ReadUint32(&s.MaxLifetime) || s.MaxLifetime > MaxTicketLifetime13 ||
		!in.ReadUint8LengthPrefixed((*cryptobyte.String)(&alpn)) {
		return false
	}
	s.TicketNonce = clone(nonce)
	s.IssuedAtMillis = int64(issued)
	s.ALPN = string(alpn)
	return true
}

// TicketAgeMillis is the ticket's age at nowMillis, and whether it is still
// within its lifetime (RFC 8446, Section 4.6.1: a ticket is not used past
// ticket_lifetime seconds; one from the future is not used either).
func (s *State) TicketAgeMillis(nowMillis int64) (age uint32, ok bool) {
	d := nowMillis - s.IssuedAtMillis
	if d < 0 || d >= int64(s.MaxLifetime)*1000 {
		return 0, false
	}
	return uint32(d), true
}
