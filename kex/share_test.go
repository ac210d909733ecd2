package kex

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

// shareSizes are the wire and secret sizes per group: RFC 8446, Section
// 4.2.8.2 (X25519 32, uncompressed NIST points), Section 4.2.8.1 (FFDHE
// shares and, Section 7.4.1, secrets as long as p), and
// draft-ietf-tls-ecdhe-mlkem (1216, 1120, 64).
var shareSizes = []struct {
	g                                Group
	clientShare, serverShare, secret int
}{
	{X25519, 32, 32, 32},
	{P256, 65, 65, 32},
	{P384, 97, 97, 48},
	{P521, 133, 133, 66},
	{FFDHE2048, 256, 256, 256},
	{FFDHE3072, 384, 384, 384},
	{FFDHE4096, 512, 512, 512},
	{FFDHE6144, 768, 768, 768},
	{FFDHE8192, 1024, 1024, 1024},
	{X25519MLKEM768, 1216, 1120, 64},
}

// TestKeyShareRoundTrip runs generate, answer, finish on every group and
// checks that both sides agree and every length is the specified one.
func TestKeyShareRoundTrip(t *testing.T) {
	for _, tc := range shareSizes {
		client, err := GenerateShare(tc.g, rand.Reader)
		if err != nil {
			t.Fatalf("%v: %v", tc.g, err)
		}
		if client.Group() != tc.g || len(client.Public()) != tc.clientShare {
			t.Errorf("%v: client share of group %v, %d bytes", tc.g, client.Group(), len(client.Public()))
		}
		share, secret, err := AnswerShare(tc.g, client.Public(), rand.Reader)
		if err != nil {
			t.Fatalf("%v: answer: %v", tc.g, err)
		}
		if len(share) != tc.serverShare || len(secret) != tc.secret {
			t.Errorf("%v: server share of %d bytes, secret of %d", tc.g, len(share), len(secret))
		}
		got, err := client.Finish(share)
		if err != nil || !bytes.Equal(got, secret) {
			t.Errorf("%v: client secret %x (%v), server %x", tc.g, got, err, secret)
		}
	}
}

// TestKeyShareWrongLength: a share one byte short or long is refused on
// both sides with an error wrapping ErrInvalidPublic (illegal_parameter),
// never a panic.
func TestKeyShareWrongLength(t *testing.T) {
	for _, tc := range shareSizes {
		client, _ := GenerateShare(tc.g, rand.Reader)
		share, _, err := AnswerShare(tc.g, client.Public(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range [][]byte{client.Public()[1:], append(bytes.Clone(client.Public()), 0), nil} {
			if _, _, err := AnswerShare(tc.g, bad, rand.Reader); !errors.Is(err, ErrInvalidPublic) {
				t.Errorf("%v: client share of %d bytes answered: %v", tc.g, len(bad), err)
			}
		}
		for _, bad := range [][]byte{share[1:], append(bytes.Clone(share), 0), nil} {
			if _, err := client.Finish(bad); !errors.Is(err, ErrInvalidPublic) {
				t.Errorf("%v: server share of %d bytes accepted: %v", tc.g, len(bad), err)
			}
		}
	}
	if _, _, err := AnswerShare(Group(0x1234), make([]byte, 32), rand.Reader); err == nil || errors.Is(err, ErrInvalidPublic) {
		t.Errorf("unknown group: %v", err)
	}
	if _, _, err := AnswerShare(X25519, make([]byte, 32), nil); err == nil {
		t.Error("answered without a randomness source")
	}
}

// TestFFDHESecretForms: one key in both forms. TLS 1.3's named group pads
// the secret to the length of p (RFC 8446, Section 7.4.1) while TLS 1.2's
// DHE strips leading zeros (RFC 5246, Section 8.1.2); the loop runs until
// a secret with a leading zero byte shows the difference.
func TestFFDHESecretForms(t *testing.T) {
	params, _ := FFDHEParams(FFDHE2048)
	for i := 0; ; i++ {
		if i == 5000 {
			t.Fatal("no secret with a leading zero byte in 5000 tries")
		}
		seed := make([]byte, 64)
		rand.Read(seed)
		k13, err1 := GenerateShare(FFDHE2048, bytes.NewReader(seed))
		k12, err2 := GenerateDHE(params, bytes.NewReader(seed))
		if err1 != nil || err2 != nil || !bytes.Equal(k13.Public(), k12.Public()) {
			t.Fatalf("the two forms drew different keys: %v %v", err1, err2)
		}
		peer, _ := GenerateDHE(params, rand.Reader)
		z13, err1 := k13.Finish(peer.Public())
		z12, err2 := k12.Finish(peer.Public())
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if len(z13) != 256 || !bytes.Equal(trimZeros(z13), z12) {
			t.Fatalf("TLS 1.3 secret %x, TLS 1.2 secret %x", z13, z12)
		}
		if z13[0] == 0 {
			if len(z12) == 256 {
				t.Fatal("TLS 1.2 secret kept its leading zero")
			}
			break
		}
	}
}

// TestHybridTamperedCiphertext: ML-KEM decapsulation of a modified
// ciphertext succeeds with a different key (implicit rejection, FIPS 203,
// Section 6.3), so the X25519MLKEM768 secrets differ in their ML-KEM half
// only; a modified X25519 half changes the other half.
func TestHybridTamperedCiphertext(t *testing.T) {
	client, _ := GenerateShare(X25519MLKEM768, rand.Reader)
	share, secret, err := AnswerShare(X25519MLKEM768, client.Public(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(share)
	bad[100] ^= 1
	got, err := client.Finish(bad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got[:32], secret[:32]) || !bytes.Equal(got[32:], secret[32:]) {
		t.Errorf("tampered ciphertext: secret %x, want a different ML-KEM half of %x", got, secret)
	}
	bad = bytes.Clone(share)
	bad[len(bad)-1] ^= 1
	if got, err := client.Finish(bad); err == nil && (!bytes.Equal(got[:32], secret[:32]) || bytes.Equal(got[32:], secret[32:])) {
		t.Errorf("tampered X25519 share: secret %x, want a different X25519 half of %x", got, secret)
	}
}

// TestHybridRejects: an encapsulation key that fails FIPS 203's modulus
// check (Section 7.2) and a low-order X25519 half are illegal_parameter.
func TestHybridRejects(t *testing.T) {
	client, _ := GenerateShare(X25519MLKEM768, rand.Reader)
	bad := bytes.Clone(client.Public())
	bad[0], bad[1] = 0xff, 0x0f // the first 12-bit coefficient is 4095 >= q
	if _, _, err := AnswerShare(X25519MLKEM768, bad, rand.Reader); !errors.Is(err, ErrInvalidPublic) {
		t.Errorf("encapsulation key with a coefficient >= q: %v", err)
	}
	bad = bytes.Clone(client.Public())
	clear(bad[len(bad)-32:]) // u = 0, a low-order point
	if _, _, err := AnswerShare(X25519MLKEM768, bad, rand.Reader); !errors.Is(err, ErrInvalidPublic) {
		t.Errorf("low-order X25519 half from the client: %v", err)
	}
	share, _, _ := AnswerShare(X25519MLKEM768, client.Public(), rand.Reader)
	clear(share[len(share)-32:])
	if _, err := client.Finish(share); !errors.Is(err, ErrInvalidPublic) {
		t.Errorf("low-order X25519 half from the server: %v", err)
	}
}

// TestKeyShareFromRand: every share, the server's ML-KEM ciphertext
// included, comes from the given reader, so fixed randomness reproduces a
// connection.
func TestKeyShareFromRand(t *testing.T) {
	seed := make([]byte, 4096)
	rand.Read(seed)
	for _, tc := range shareSizes {
		a, err1 := GenerateShare(tc.g, bytes.NewReader(seed))
		b, err2 := GenerateShare(tc.g, bytes.NewReader(seed))
		if err1 != nil || err2 != nil || !bytes.Equal(a.Public(), b.Public()) {
			t.Errorf("%v: two shares from one seed differ (%v %v)", tc.g, err1, err2)
			continue
		}
		s1, z1, err1 := AnswerShare(tc.g, a.Public(), bytes.NewReader(seed))
		s2, z2, err2 := AnswerShare(tc.g, a.Public(), bytes.NewReader(seed))
		if err1 != nil || err2 != nil || !bytes.Equal(s1, s2) || !bytes.Equal(z1, z2) {
			t.Errorf("%v: two answers from one seed differ (%v %v)", tc.g, err1, err2)
		}
	}
}

// FuzzPeerShare: any bytes from the peer, as a client share to answer or
// a server share to finish, on every group, give a secret or an error
// wrapping ErrInvalidPublic; never a panic or another error.
func FuzzPeerShare(f *testing.F) {
	f.Add(uint8(0), []byte{})
	for i, tc := range shareSizes {
		f.Add(uint8(i), make([]byte, tc.clientShare))
		f.Add(uint8(i), bytes.Repeat([]byte{0xff}, tc.serverShare))
	}
	clients := make([]KeyShare, len(shareSizes))
	for i, tc := range shareSizes {
		clients[i], _ = GenerateShare(tc.g, rand.Reader)
	}
	f.Fuzz(func(t *testing.T, i uint8, peer []byte) {
		idx := int(i) % len(shareSizes)
		g := shareSizes[idx].g
		if _, _, err := AnswerShare(g, peer, rand.Reader); err != nil && !errors.Is(err, ErrInvalidPublic) {
			t.Errorf("%v: answering %x: %v", g, peer, err)
		}
		if _, err := clients[idx].Finish(peer); err != nil && !errors.Is(err, ErrInvalidPublic) {
			t.Errorf("%v: finishing with %x: %v", g, peer, err)
		}
	})
}
