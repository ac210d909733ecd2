package session

import (
	"errors"
	"fmt"

	"github.com/tlsengine/tlsengine/internal/wire"
	"golang.org/x/crypto/cryptobyte"
)

// encodingVersion is the first byte of every encoded TLS 1.2 (and older)
// State; encodingVersion13 (state13.go) that of a TLS 1.3 one. A decoder
// refuses other versions, so a format change never misreads old bytes, and
// each encoding holds only its own protocol versions, so a TLS 1.2 session
// never decodes as a TLS 1.3 PSK or the reverse.
const encodingVersion = 1

// Limits on decoded state, far above what a real session carries.
const (
	maxCertificates = 16
	maxSecretLen    = 48
	maxTicketLen    = 1 << 15
)

// State is one resumable session: what both sides need to resume it and
// what the application saw of the peer the first time.
type State struct {
	// Version and CipherSuite are those of the original handshake; a
	// resumption must use the same (RFC 5246, Section 7.4.1.2).
	Version     uint16
	CipherSuite uint16
	// MasterSecret is the 48-byte master secret; in a TLS 1.3 session,
	// the ticket's PSK (RFC 8446, Section 4.6.1), the suite hash's size.
	MasterSecret []byte
	// ExtendedMasterSecret records RFC 7627 use; a session is never
	// resumed across a change of it (RFC 7627, Section 5.3).
	ExtendedMasterSecret bool
	// Group and PeerSignatureScheme are the original key exchange group
	// and the peer's signature scheme, reported again on resumption.
	Group               uint16
	PeerSignatureScheme uint16
	// CreatedAt is when the full handshake happened, in Unix seconds.
	CreatedAt int64
	// ServerName is the SNI name of the original handshake.
	ServerName string
	// Context is the server's session-id context (Node's
	// sessionIdContext); a session never crosses contexts.
	Context []byte
	// ClientAuth is the server's client-certificate policy at the time,
	// so a session never resumes under a different requirement.
	ClientAuth uint8
	// PeerCertificates are the DER certificates the peer sent, leaf
	// first, so a resumed connection reports the same peer.
	PeerCertificates [][]byte
	// VerifyCode is the verification failure code of the original
	// handshake (Node's authorizationError code), empty when authorized.
	VerifyCode string
	// VerifyReason is OpenSSL's text for VerifyCode.
	VerifyReason string
	// SessionID is the id the server assigned (client side), if any.
	SessionID []byte
	// Ticket is the server's ticket (client side), if any, and
	// TicketLifetime its lifetime hint in seconds.
	Ticket         []byte
	TicketLifetime uint32

	// The TLS 1.3 fields (encoding version 2, state13.go).
	Resumption13

	// Parsed, when set by the handshake that made this value, holds the
	// parsed PeerCertificates so that resuming in the same process does
	// not parse them again. It is never encoded.
	Parsed any
}

// ErrMalformed is returned (wrapped) for bytes that are not an encoded
// State of this version.
var ErrMalformed = errors.New("tls: malformed session state")

// ErrUnencodable is returned (wrapped) by Marshal, and so by Seal, for a
// State beyond the encoding's limits (a peer chain of more than 16
// certificates, say): such a session is simply not kept.
var ErrUnencodable = errors.New("tls: session state cannot be encoded")

// Marshal encodes s. The encoding is versioned and stable; a future
// version adds a new encodingVersion rather than changing this one.
func (s *State) Marshal() ([]byte, error) {
	if len(s.MasterSecret) == 0 || len(s.MasterSecret) > maxSecretLen {
		return nil, fmt.Errorf("%w: master secret of %d bytes", ErrUnencodable, len(s.MasterSecret))
	}
	if len(s.PeerCertificates) > maxCertificates || len(s.Ticket) > maxTicketLen || len(s.SessionID) > 32 {
		return nil, fmt.Errorf("%w: too large", ErrUnencodable)
	}
	if s.is13() && (len(s.TicketNonce) > 255 || len(s.ALPN) > 255 || s.MaxLifetime > MaxTicketLifetime13) {
		return nil, fmt.Errorf("%w: TLS 1.3 fields too large", ErrUnencodable)
	}
	// Room for a session without peer certificates, in one allocation.
	b := wire.NewBuilder(make([]byte, 0, 160))
	if s.is13() {
		b.AddUint8(encodingVersion13)
	} else {
		b.AddUint8(encodingVersion)
	}
	b.AddUint16(s.Version)
	b.AddUint16(s.CipherSuite)
	b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(s.MasterSecret) })
	ems := uint8(0)
	if s.ExtendedMasterSecret {
		ems = 1
	}
	b.AddUint8(ems)
	b.AddUint16(s.Group)
	b.AddUint16(s.PeerSignatureScheme)
	b.AddUint64(uint64(s.CreatedAt))
	b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes([]byte(s.ServerName)) })
	b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(s.Context) })
	b.AddUint8(s.ClientAuth)
	b.AddUint8(uint8(len(s.PeerCertificates)))
	for _, c := range s.PeerCertificates {
		b.AddUint24LengthPrefixed(func(b *wire.Builder) { b.AddBytes(c) })
	}
	b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes([]byte(s.VerifyCode)) })
	b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes([]byte(s.VerifyReason)) })
	b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(s.SessionID) })
	b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(s.Ticket) })
	b.AddUint32(s.TicketLifetime)
	if s.is13() {
		s.marshal13(b)
	}
	return b.Bytes()
}

// Unmarshal decodes what Marshal produced. Anything else, including
// trailing bytes, is an error wrapping ErrMalformed.
func Unmarshal(data []byte) (*State, error) {
	in := cryptobyte.String(data)
	var v, ems, nCerts uint8
	var created uint64
	var secret, name, ctx, code, reason, id, ticket []byte
	s := &State{}
	if !in.ReadUint8(&v) || (v != encodingVersion && v != encodingVersion13) {
		return nil, fmt.Errorf("%w: unknown encoding version", ErrMalformed)
	}
	if !in.ReadUint16(&s.Version) || !in.ReadUint16(&s.CipherSuite) ||
		!in.ReadUint8LengthPrefixed((*cryptobyte.String)(&secret)) || len(secret) == 0 || len(secret) > maxSecretLen ||
		!in.ReadUint8(&ems) || ems > 1 || !in.ReadUint16(&s.Group) || !in.ReadUint16(&s.PeerSignatureScheme) ||
		!in.ReadUint64(&created) ||
		!in.ReadUint16LengthPrefixed((*cryptobyte.String)(&name)) ||
		!in.ReadUint8LengthPrefixed((*cryptobyte.String)(&ctx)) ||
		!in.ReadUint8(&s.ClientAuth) || !in.ReadUint8(&nCerts) || nCerts > maxCertificates {
		return nil, fmt.Errorf("%w: header", ErrMalformed)
	}
	for range nCerts {
		var c []byte
		if !in.ReadUint24LengthPrefixed((*cryptobyte.String)(&c)) || len(c) == 0 {
			return nil, fmt.Errorf("%w: certificate", ErrMalformed)
		}
		s.PeerCertificates = append(s.PeerCertificates, append([]byte(nil), c...))
	}
	if !in.ReadUint8LengthPrefixed((*cryptobyte.String)(&code)) ||
		!in.ReadUint8LengthPrefixed((*cryptobyte.String)(&reason)) ||
		!in.ReadUint8LengthPrefixed((*cryptobyte.String)(&id)) || len(id) > 32 ||
		!in.ReadUint16LengthPrefixed((*cryptobyte.String)(&ticket)) || len(ticket) > maxTicketLen ||
		!in.ReadUint32(&s.TicketLifetime) {
		return nil, fmt.Errorf("%w: trailer", ErrMalformed)
	}
	// Each encoding version holds its own protocol versions only.
	if (v == encodingVersion13) != s.is13() {
		return nil, fmt.Errorf("%w: version 0x%04x in encoding version %d", ErrMalformed, s.Version, v)
	}
	if v == encodingVersion13 && !s.unmarshal13(&in) {
		return nil, fmt.Errorf("%w: TLS 1.3 fields", ErrMalformed)
	}
	if !in.Empty() {
		return nil, fmt.Errorf("%w: trailing bytes", ErrMalformed)
	}
	s.MasterSecret = append([]byte(nil), secret...)
	s.ExtendedMasterSecret = ems == 1
	s.CreatedAt = int64(created)
	s.ServerName = string(name)
	s.Context = clone(ctx)
	s.VerifyCode = string(code)
	s.VerifyReason = string(reason)
	s.SessionID = clone(id)
	s.Ticket = clone(ticket)
	return s, nil
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// Expired reports whether the session is older than lifetime seconds at
// now (Unix seconds), or from the future.
func (s *State) Expired(now int64, lifetime int64) bool {
	return now < s.CreatedAt || now-s.CreatedAt >= lifetime
}
