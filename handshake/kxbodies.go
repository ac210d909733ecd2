package handshake

import (
	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsengine/tlsengine/internal/wire"
	"github.com/tlsengine/tlsengine/kex"
)

// ECDHEParams is a parsed ECDHE ServerKeyExchange (RFC 8422, Section 5.4).
type ECDHEParams struct {
	Group     kex.Group
	Public    []byte
	Params    []byte // the ServerECDHParams bytes, which the signature covers
	HasScheme bool
	Scheme    kex.SignatureScheme
	Signature []byte
}

// ParseECDHEParams parses an ECDHE ServerKeyExchange body.
func ParseECDHEParams(body []byte, hasScheme bool) (*ECDHEParams, error) {
	s := cryptobyte.String(body)
	p := &ECDHEParams{HasScheme: hasScheme}
	var curveType uint8
	var group uint16
	var pub []byte
	// RFC 8422, Section 5.4: only named_curve (3) is allowed here.
	if !s.ReadUint8(&curveType) || curveType != 3 || !s.ReadUint16(&group) ||
		!s.ReadUint8LengthPrefixed((*cryptobyte.String)(&pub)) || len(pub) == 0 {
		return nil, malformed("ServerKeyExchange", "ECDH parameters")
	}
	p.Group, p.Public = kex.Group(group), pub
	p.Params = body[:len(body)-len(s)]
	if err := readSignature(&s, p.HasScheme, &p.Scheme, &p.Signature); err != nil {
		return nil, err
	}
	return p, nil
}

func readSignature(s *cryptobyte.String, hasScheme bool, scheme *kex.SignatureScheme, sig *[]byte) error {
	if hasScheme {
		var v uint16
		if !s.ReadUint16(&v) {
			return malformed("ServerKeyExchange", "signature algorithm")
		}
		*scheme = kex.SignatureScheme(v)
	}
	if !s.ReadUint16LengthPrefixed((*cryptobyte.String)(sig)) || len(*sig) == 0 || !s.Empty() {
		return malformed("ServerKeyExchange", "signature")
	}
	return nil
}

// MarshalECDHEParams encodes ServerECDHParams. public is our own key share
// (at most 133 bytes for P-521), so a longer one is a programming error.
func MarshalECDHEParams(group kex.Group, public []byte) []byte {
	if len(public) == 0 || len(public) > 255 {
		panic("tls: ECDH public value must be 1..255 bytes")
	}
	out := make([]byte, 0, 4+len(public))
	return append(append(out, 3, byte(group>>8), byte(group), byte(len(public))), public...)
}

// MarshalSignedParams appends the signature to the parameters, forming a
// ServerKeyExchange body.
func MarshalSignedParams(params []byte, hasScheme bool, scheme kex.SignatureScheme, sig []byte) []byte {
	if len(sig) > 0xffff {
		panic("tls: signature longer than 65535 bytes")
	}
	out := make([]byte, 0, len(params)+4+len(sig))
	out = append(out, params...)
	if hasScheme {
		out = append(out, byte(scheme>>8), byte(scheme))
	}
	return append(append(out, byte(len(sig)>>8), byte(len(sig))), sig...)
}

// DHEParams is a parsed DHE ServerKeyExchange (RFC 5246, Section 7.4.3).
type DHEParams struct {
	P, G, Public []byte
	Params       []byte
	HasScheme    bool
	Scheme       kex.SignatureScheme
	Signature    []byte
}

// ParseDHEParams parses a DHE ServerKeyExchange body.
func ParseDHEParams(body []byte, hasScheme bool) (*DHEParams, error) {
	s := cryptobyte.String(body)
	p := &DHEParams{HasScheme: hasScheme}
	for _, f := range []*[]byte{&p.P, &p.G, &p.Public} {
		// opaque dh_p<1..2^16-1> and the others alike.
		if !s.ReadUint16LengthPrefixed((*cryptobyte.String)(f)) || len(*f) == 0 {
			return nil, malformed("ServerKeyExchange", "DH parameters")
		}
	}
	p.Params = body[:len(body)-len(s)]
	if err := readSignature(&s, hasScheme, &p.Scheme, &p.Signature); err != nil {
		return nil, err
	}
	return p, nil
}

// MarshalDHEParams encodes ServerDHParams.
func MarshalDHEParams(p, g, public []byte) []byte {
	var b wire.Builder
	for _, f := range [][]byte{p, g, public} {
		b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(f) })
	}
	return b.BytesOrPanic()
}

// ParseECDHEClientPublic reads ClientECDiffieHellmanPublic (RFC 8422,
// Section 5.7): opaque point <1..2^8-1>.
func ParseECDHEClientPublic(body []byte) ([]byte, error) {
	s := cryptobyte.String(body)
	var pub []byte
	if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&pub)) || len(pub) == 0 || !s.Empty() {
		return nil, malformed("ClientKeyExchange", "ECDH public")
	}
	return pub, nil
}

// MarshalECDHEClientPublic encodes ClientECDiffieHellmanPublic; pub is our
// own key share, 1..255 bytes.
func MarshalECDHEClientPublic(pub []byte) []byte {
	if len(pub) == 0 || len(pub) > 255 {
		panic("tls: ECDH public value must be 1..255 bytes")
	}
	return append([]byte{byte(len(pub))}, pub...)
}

// ParseRSAOrDHClientBody reads a uint16-prefixed non-empty value: RSA's
// EncryptedPreMasterSecret or DH's Yc (RFC 5246, Section 7.4.7).
func ParseRSAOrDHClientBody(body []byte) ([]byte, error) {
	s := cryptobyte.String(body)
	var v []byte
	if !s.ReadUint16LengthPrefixed((*cryptobyte.String)(&v)) || len(v) == 0 || !s.Empty() {
		return nil, malformed("ClientKeyExchange", "value")
	}
	return v, nil
}

// MarshalRSAOrDHClientBody encodes a uint16-prefixed value; b is our own
// encrypted premaster secret or DH public value, 1..65535 bytes.
func MarshalRSAOrDHClientBody(b []byte) []byte {
	if len(b) == 0 || len(b) > 0xffff {
		panic("tls: key exchange value must be 1..65535 bytes")
	}
	return append([]byte{byte(len(b) >> 8), byte(len(b))}, b...)
}
