package handshake

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"slices"
	"strings"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
)

// The functions in this file are pure: they pick parameters from two offers
// and know nothing of the wire or of state. Table tests cover them in
// negotiate_test.go.

// negotiateVersion picks the highest version both sides allow. With a
// supported_versions extension only its list counts (RFC 8446, Section
// 4.2.1, which servers that know the extension follow even when they
// negotiate TLS 1.2); otherwise client_version is the client's highest
// (RFC 5246, Appendix E.1).
func negotiateVersion(ch *ClientHello, min, max uint16) (uint16, bool) {
	if len(ch.SupportedVersions) > 0 {
		best := uint16(0)
		for _, v := range ch.SupportedVersions {
			if v >= min && v <= max && v > best {
				best = v
			}
		}
		return best, best != 0
	}
	// Section 4.2.1: "If this extension is not present, servers which are
	// compliant with this specification and which also support TLS 1.2
	// MUST negotiate TLS 1.2 or prior ..., even if
	// ClientHello.legacy_version is 0x0304 or later."
	v := ch.Version
	if v > max {
		v = max
	}
	if v > cipher.VersionTLS12 {
		v = cipher.VersionTLS12
	}
	if v < min {
		return 0, false
	}
	return v, true
}

// clientMaxVersion is the highest version the client offers: the top of
// supported_versions when it sent one (RFC 8446, Section 4.2.1), else
// client_version.
func clientMaxVersion(ch *ClientHello) uint16 {
	if len(ch.SupportedVersions) > 0 {
		return slices.Max(ch.SupportedVersions)
	}
	return ch.Version
}

// downgradeTLS11 ends the server random of a TLS 1.2-capable server that
// negotiates TLS 1.1 or below (RFC 8446, Section 4.1.3).
const downgradeTLS11 = "DOWNGRD\x00"

// downgradeTLS12 ends the random of a TLS 1.3 server that negotiates TLS
// 1.2 or below (RFC 8446, Section 4.1.3).
const downgradeTLS12 = "DOWNGRD\x01"

// versionList renders versions for an error message.
func versionList(vs []uint16) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "0x%04x", v)
	}
	return b.String()
}

// suiteUsable is a server's filter: a suite needs a version, key exchange
// and certificate we can serve.
type suiteUsable func(*cipher.Suite) bool

// selectSuite picks a cipher suite from the client's list and ours. With
// preferServer the first of ours that the client offers wins; otherwise the
// first of the client's that we enable. byID knows the suites.
func selectSuite(client, ours []uint16, preferServer bool, byID func(uint16) *cipher.Suite, usable suiteUsable) *cipher.Suite {
	first, second := client, ours
	if preferServer {
		first, second = ours, client
	}
	for _, id := range first {
		if !slices.Contains(second, id) {
			continue
		}
		s := byID(id)
		if s != nil && usable(s) {
			return s
		}
	}
	return nil
}

// selectGroup picks the ECDHE group: the server's preference among the
// client's supported_groups. RFC 8422, Section 4 leaves the curve to the
// server when a client sends no supported_groups (client is nil); such
// clients predate X25519, so we take P-256, the curve every ECDHE client
// implements, when we have it (as OpenSSL does), else our first.
func selectGroup(client, ours []kex.Group) (kex.Group, bool) {
	if client == nil && slices.Contains(ours, kex.P256) {
		return kex.P256, true
	}
	for _, g := range ours {
		if !kex.IsECDHE(g) {
			continue
		}
		if client == nil || slices.Contains(client, g) {
			return g, true
		}
	}
	return 0, false
}

// selectALPN picks the server's most preferred protocol that the client
// offers (RFC 7301, Section 3.2; Node and OpenSSL use the server's order).
// ok is false when both sides offer protocols and none overlap.
func selectALPN(client, server []string) (proto string, ok bool) {
	if len(client) == 0 || len(server) == 0 {
		return "", true
	}
	for _, p := range server {
		if slices.Contains(client, p) {
			return p, true
		}
	}
	return "", false
}

// keyAuth tells which suite authentication a public key serves.
func keyAuth(pub crypto.PublicKey) (cipher.Auth, bool) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return cipher.AuthRSA, true
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return cipher.AuthECDSA, true
	}
	return 0, false
}

// keyDescription names a public key's type and size for error messages.
func keyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d key", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name + " key"
	case ed25519.PublicKey:
		return "Ed25519 key"
	}
	return fmt.Sprintf("%T key", pub)
}

// certificateFor picks the first chain whose key serves the suite's
// authentication.
func certificateFor(certs []*Credential, s *cipher.Suite) *Credential {
	for _, c := range certs {
		if a, ok := keyAuth(c.Leaf.PublicKey); ok && a == s.Auth {
			return c
		}
	}
	return nil
}

// offeredECDHE keeps the ECDHE groups of groups, in order: what a client
// offers in supported_groups.
func offeredECDHE(groups []kex.Group) []kex.Group {
	var out []kex.Group
	for _, g := range groups {
		if kex.IsECDHE(g) {
			out = append(out, g)
		}
	}
	return out
}

// curveOffered applies RFC 8422, Section 5.1: a server may only use an
// ECDSA certificate whose curve the client listed in supported_groups (a
// client that sent no list accepts any).
func curveOffered(pub crypto.PublicKey, clientGroups []kex.Group) bool {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || clientGroups == nil {
		return true
	}
	var g kex.Group
	switch k.Curve.Params().BitSize {
	case 256:
		g = kex.P256
	case 384:
		g = kex.P384
	case 521:
		g = kex.P521
	}
	return slices.Contains(clientGroups, g)
}
