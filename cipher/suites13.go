package cipher

import (
	"crypto"
	"strings"
)

// The TLS 1.3 cipher suites (RFC 8446, Section B.4) name only an AEAD and
// the hash of the key schedule: key exchange and authentication are
// negotiated apart. They live in their own list, as OpenSSL keeps them
// apart from its cipher string (-ciphersuites), and the TLS 1.2 registry
// (SuiteByID, Suites) never returns them. Their Suite values leave KX,
// Auth and MAC zero; PRFHash is the key schedule's hash.

// The TLS 1.3 suite IDs.
const (
	TLSAES128GCMSHA256        uint16 = 0x1301
	TLSAES256GCMSHA384        uint16 = 0x1302
	TLSChaCha20Poly1305SHA256 uint16 = 0x1303
)

// suite13 builds a TLS 1.3 suite; its OpenSSL name is the IANA name, as
// OpenSSL prints it.
func suite13(id uint16, name string, bulk Bulk, h crypto.Hash) *Suite {
	s := &Suite{ID: id, Name: name, OpenSSLName: name, Bulk: bulk, MAC: MACAEAD, PRFHash: h,
		MinVersion: VersionTLS13, MaxVersion: VersionTLS13, FixedIVLen: 12}
	switch bulk {
	case AES128GCM:
		s.KeyLen, s.Bits = 16, 128
	default:
		s.KeyLen, s.Bits = 32, 256
	}
	return s
}

// registry13 holds the TLS 1.3 suites in Node v20's default order
// (TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256).
var registry13 = []*Suite{
	suite13(TLSAES256GCMSHA384, "TLS_AES_256_GCM_SHA384", AES256GCM, crypto.SHA384),
	suite13(TLSChaCha20Poly1305SHA256, "TLS_CHACHA20_POLY1305_SHA256", ChaCha20Poly1305, crypto.SHA256),
	suite13(TLSAES128GCMSHA256, "TLS_AES_128_GCM_SHA256", AES128GCM, crypto.SHA256),
}

// Suites13 returns the TLS 1.3 suites in default preference order.
func Suites13() []*Suite { return append([]*Suite(nil), registry13...) }

// DefaultSuites13 is the default TLS 1.3 offer and preference, by ID.
func DefaultSuites13() []uint16 {
	out := make([]uint16, len(registry13))
	for i, s := range registry13 {
		out[i] = s.ID
	}
	return out
}

// Suite13ByID returns the TLS 1.3 suite with that ID, or nil.
func Suite13ByID(id uint16) *Suite {
	for _, s := range registry13 {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Suite13ByName returns the TLS 1.3 suite with that (case-insensitive)
// name, or nil.
func Suite13ByName(name string) *Suite {
	for _, s := range registry13 {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// NewProtection13 is the record protection of one direction under a TLS
// 1.3 traffic key and IV (RFC 8446, Section 7.3).
func (s *Suite) NewProtection13(key, iv []byte) (Protection, error) {
	return NewAEAD13(s.Bulk, key, iv)
}
