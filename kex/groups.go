package kex

import (
	"crypto/ecdh"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/edwards25519"
)

// Group is a TLS named group (RFC 8422, RFC 7919, RFC 8446 registry).
// Unknown values survive.
type Group uint16

// Named groups.
const (
	P256      Group = 23
	P384      Group = 24
	P521      Group = 25
	X25519    Group = 29
	FFDHE2048 Group = 256
	FFDHE3072 Group = 257
	FFDHE4096 Group = 258
	FFDHE6144 Group = 259
	FFDHE8192 Group = 260
	// X25519MLKEM768 is the hybrid of ML-KEM-768 and X25519
	// (draft-ietf-tls-ecdhe-mlkem), for TLS 1.3 only.
	X25519MLKEM768 Group = 0x11ec
)

// groupKind is how a group agrees on a key.
type groupKind uint8

const (
	kindECDHE  groupKind = iota + 1 // X25519 and the NIST curves
	kindFFDHE                       // the RFC 7919 groups
	kindHybrid                      // ML-KEM-768 + X25519
)

var groupInfo = map[Group]struct {
	name, openssl string
	bits          int
	kind          groupKind
}{
	P256:           {"P-256", "prime256v1", 256, kindECDHE},
	P384:           {"P-384", "secp384r1", 384, kindECDHE},
	P521:           {"P-521", "secp521r1", 521, kindECDHE},
	X25519:         {"X25519", "X25519", 253, kindECDHE},
	FFDHE2048:      {"ffdhe2048", "ffdhe2048", 2048, kindFFDHE},
	FFDHE3072:      {"ffdhe3072", "ffdhe3072", 3072, kindFFDHE},
	FFDHE4096:      {"ffdhe4096", "ffdhe4096", 4096, kindFFDHE},
	FFDHE6144:      {"ffdhe6144", "ffdhe6144", 6144, kindFFDHE},
	FFDHE8192:      {"ffdhe8192", "ffdhe8192", 8192, kindFFDHE},
	X25519MLKEM768: {"X25519MLKEM768", "X25519MLKEM768", 0, kindHybrid},
}

// String is the group's display name ("X25519", "P-256", "ffdhe2048"), or
// "Group(0x....)" for a value we do not know.
func (g Group) String() string {
	if i, ok := groupInfo[g]; ok {
		return i.name
	}
	return fmt.Sprintf("Group(0x%04x)", uint16(g))
}

// OpenSSLName is the group's name in OpenSSL and Node ("prime256v1").
func (g Group) OpenSSLName() string {
	if i, ok := groupInfo[g]; ok {
		return i.openssl
	}
	return g.String()
}

// Bits is the size Node reports for the group (X25519: 253).
func (g Group) Bits() int { return groupInfo[g].bits }

// GroupByName accepts OpenSSL, NIST and SEC names, case-insensitively.
func GroupByName(name string) (Group, bool) {
	switch strings.ToLower(name) {
	case "x25519":
		return X25519, true
	case "p-256", "p256", "prime256v1", "secp256r1":
		return P256, true
	case "p-384", "p384", "secp384r1":
		return P384, true
	case "p-521", "p521", "secp521r1":
		return P521, true
	case "ffdhe2048":
		return FFDHE2048, true
	case "ffdhe3072":
		return FFDHE3072, true
	case "ffdhe4096":
		return FFDHE4096, true
	case "ffdhe6144":
		return FFDHE6144, true
	case "ffdhe8192":
		return FFDHE8192, true
	case "x25519mlkem768":
		return X25519MLKEM768, true
	}
	return 0, false
}

// DefaultGroups is our preference order. X25519MLKEM768 comes first, as
// in Go 1.24+ and Chrome: a client offers it (with a key share, and one
// for X25519 beside it) and a server picks it whenever the client sent a
// share for it. It is a TLS 1.3 group: the TLS 1.2 code leaves it out.
// (Node v20, on OpenSSL 3.0, knows no hybrid and starts at X25519.)
func DefaultGroups() []Group { return []Group{X25519MLKEM768, X25519, P256, P384, P521} }

// IsECDHE reports whether g is an elliptic-curve group we implement.
func IsECDHE(g Group) bool { return groupInfo[g].kind == kindECDHE }

// ErrInvalidPublic is returned (wrapped) for a bad peer key share.
var ErrInvalidPublic = errors.New("tls: invalid peer key share")

// ecdheShare is one ephemeral ECDHE key share.
type ecdheShare struct {
	group Group
	// scalar is the X25519 private key (RFC 7748, Section 5); it is used
	// with our own ladder so that generating a share costs one fixed-base
	// multiplication and agreeing costs one ladder.
	scalar [32]byte
	// nist is the private key for P-256, P-384 and P-521.
	nist *ecdh.PrivateKey
	pub  []byte
}

// generateECDHE makes a key share on g, one of the ECDHE groups. X25519
// public keys are computed through edwards25519's fixed-base table, which
// is several times faster than a Montgomery ladder from the base point.
func generateECDHE(g Group, rand io.Reader) (*ecdheShare, error) {
	if g == X25519 {
		k := &ecdheShare{group: g}
		if _, err := io.ReadFull(rand, k.scalar[:]); err != nil {
			return nil, fmt.Errorf("tls: reading randomness for the key share: %w", err)
		}
		// RFC 7748, Section 5: the private key is clamped before use. The
		// Montgomery u-coordinate of [s]B on edwards25519 equals
		// X25519(k, 9), as the curves are birationally equivalent and B
		// maps to the point with u = 9.
		var s edwards25519.Scalar
		if _, err := s.SetBytesWithClamping(k.scalar[:]); err != nil {
			panic("kex: a 32-byte scalar was refused") // the length is fixed
		}
		var p edwards25519.Point
		k.pub = p.ScalarBaseMult(&s).BytesMontgomery()
		return k, nil
	}
	c := nistCurve(g)
	if c == nil {
		return nil, fmt.Errorf("tls: unsupported ECDHE group %v", g)
	}
	priv, err := nistPrivateKey(c, g, rand)
	if err != nil {
		return nil, err
	}
	return &ecdheShare{group: g, nist: priv, pub: priv.PublicKey().Bytes()}, nil
}

func (k *ecdheShare) Group() Group { return k.group }

// Public is 32 bytes for X25519 and an uncompressed point for the NIST
// curves (RFC 8422, Section 5.4.1; RFC 8446, Section 4.2.8.2).
func (k *ecdheShare) Public() []byte { return k.pub }

// Finish validates the peer's value and computes the shared secret.
func (k *ecdheShare) Finish(peerShare []byte) ([]byte, error) {
	if k.group == X25519 {
		// RFC 8446, Section 4.2.8.2 and RFC 8422, Section 5.11: the value
		// is exactly 32 bytes.
		if len(peerShare) != 32 {
			return nil, fmt.Errorf("%w: X25519 share of %d bytes", ErrInvalidPublic, len(peerShare))
		}
		z := x25519(&k.scalar, peerShare)
		// RFC 7748, Section 6.1 and RFC 8422, Section 5.11: an all-zero
		// result means the peer sent a low-order point; abort.
		var acc byte
		for _, b := range z {
			acc |= b
		}
		if acc == 0 {
			return nil, fmt.Errorf("%w: X25519 share is a low-order point", ErrInvalidPublic)
		}
		return z, nil
	}
	// crypto/ecdh accepts only the uncompressed form (RFC 8422, Section
	// 5.4.1, as TLS 1.3 requires too) and checks that the point is on the
	// curve and is not the point at infinity (RFC 8422, Section 5.11).
	pub, err := k.nist.Curve().NewPublicKey(peerShare)
	if err != nil {
		return nil, fmt.Errorf("%w: %v share: %v", ErrInvalidPublic, k.group, err)
	}
	z, err := k.nist.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v share: %v", ErrInvalidPublic, k.group, err)
	}
	return z, nil
}

func nistCurve(g Group) ecdh.Curve {
	switch g {
	case P256:
		return ecdh.P256()
	case P384:
		return ecdh.P384()
	case P521:
		return ecdh.P521()
	}
	return nil
}

// nistPrivateKey draws a private scalar from rand by rejection sampling
// (FIPS 186-5, Appendix A.2.2): read as many bytes as the order has, mask
// the excess bits of the top byte, and retry until the value is in
// [1, n-1]. We do this rather than call ecdh.Curve.GenerateKey because,
// since Go 1.26, that ignores the reader, and the engine's Rand must make
// a connection reproducible.
func nistPrivateKey(c ecdh.Curve, g Group, rand io.Reader) (*ecdh.PrivateKey, error) {
	var buf [66]byte
	size, mask := 32, byte(0xff)
	switch g {
	case P384:
		size = 48
	case P521:
		size, mask = 66, 0x01 // 521 bits
	}
	b := buf[:size]
	// For P-256 and P-384 a draw fails with probability under 2^-32; for
	// P-521 under 2^-260. Many failures in a row mean a broken reader.
	for range 64 {
		if _, err := io.ReadFull(rand, b); err != nil {
			return nil, fmt.Errorf("tls: reading randomness for the key share: %w", err)
		}
		b[0] &= mask
		if priv, err := c.NewPrivateKey(b); err == nil {
			return priv, nil
		}
	}
	return nil, fmt.Errorf("tls: the randomness source never gave a valid %v scalar", g)
}
