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
)

var groupInfo = map[Group]struct {
	name, openssl string
	bits          int
}{
	P256:      {"P-256", "prime256v1", 256},
	P384:      {"P-384", "secp384r1", 384},
	P521:      {"P-521", "secp521r1", 521},
	X25519:    {"X25519", "X25519", 253},
	FFDHE2048: {"ffdhe2048", "ffdhe2048", 2048},
	FFDHE3072: {"ffdhe3072", "ffdhe3072", 3072},
	FFDHE4096: {"ffdhe4096", "ffdhe4096", 4096},
}

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
	}
	return 0, false
}

// DefaultGroups is our preference order.
func DefaultGroups() []Group { return []Group{X25519, P256, P384, P521} }

// IsECDHE reports whether g is an elliptic-curve group we implement.
func IsECDHE(g Group) bool {
	switch g {
	case X25519, P256, P384, P521:
		return true
	}
	return false
}

// ErrInvalidPublic is returned (wrapped) for a bad peer key share.
var ErrInvalidPublic = errors.New("tls: invalid peer key share")

// ECDHEKey is one ephemeral ECDHE key share.
type ECDHEKey struct {
	group Group
	priv  *ecdh.PrivateKey
	pub   []byte
}

func curve(g Group) ecdh.Curve {
	switch g {
	case X25519:
		return ecdh.X25519()
	case P256:
		return ecdh.P256()
	case P384:
		return ecdh.P384()
	case P521:
		return ecdh.P521()
	}
	return nil
}

// GenerateECDHE makes a key share on g. X25519 public keys are computed
// through edwards25519's fixed-base table, which is several times faster
// than a Montgomery ladder from the base point.
func GenerateECDHE(g Group, rand io.Reader) (*ECDHEKey, error) {
	c := curve(g)
	if c == nil {
		return nil, fmt.Errorf("tls: unsupported ECDHE group %v", g)
	}
	if g != X25519 {
		priv, err := c.GenerateKey(rand)
		if err != nil {
			return nil, err
		}
		return &ECDHEKey{group: g, priv: priv, pub: priv.PublicKey().Bytes()}, nil
	}
	var seed [32]byte
	if _, err := io.ReadFull(rand, seed[:]); err != nil {
		return nil, err
	}
	// RFC 7748, Section 5: the scalar is the clamped private key; the
	// Montgomery u-coordinate of [s]B equals X25519(k, 9).
	s, err := edwards25519.NewScalar().SetBytesWithClamping(seed[:])
	if err != nil {
		return nil, err
	}
	pub := new(edwards25519.Point).ScalarBaseMult(s).BytesMontgomery()
	priv, err := c.NewPrivateKey(seed[:])
	if err != nil {
		return nil, err
	}
	return &ECDHEKey{group: g, priv: priv, pub: pub}, nil
}

// Group returns the key's group.
func (k *ECDHEKey) Group() Group { return k.group }

// Public returns the encoded public value: 32 bytes for X25519, an
// uncompressed point for the NIST curves (RFC 8422, Section 5.4.1).
func (k *ECDHEKey) Public() []byte { return k.pub }

// SharedSecret validates the peer's value and computes the shared secret.
// crypto/ecdh rejects points off the curve, the identity and, for X25519,
// an all-zero result (RFC 7748, Section 6.1).
func (k *ECDHEKey) SharedSecret(peerPublic []byte) ([]byte, error) {
	c := curve(k.group)
	pub, err := c.NewPublicKey(peerPublic)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublic, err)
	}
	z, err := k.priv.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublic, err)
	}
	return z, nil
}
