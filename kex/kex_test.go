package kex

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestX25519FixedBase: our fixed-base public key equals crypto/ecdh's for
// the same private key.
func TestX25519FixedBase(t *testing.T) {
	for range 200 {
		seed := make([]byte, 32)
		rand.Read(seed)
		k, err := GenerateShare(X25519, bytes.NewReader(seed))
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := ecdh.X25519().NewPrivateKey(seed)
		if !bytes.Equal(k.Public(), ref.PublicKey().Bytes()) {
			t.Fatalf("seed %x: public %x, crypto/ecdh %x", seed, k.Public(), ref.PublicKey().Bytes())
		}
	}
}

// TestX25519RFC7748 is the Diffie-Hellman example of RFC 7748, Section 6.1.
func TestX25519RFC7748(t *testing.T) {
	alicePriv, _ := hex.DecodeString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
	bobPub, _ := hex.DecodeString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
	alicePub, _ := hex.DecodeString("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
	shared, _ := hex.DecodeString("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
	k, err := GenerateShare(X25519, bytes.NewReader(alicePriv))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Public(), alicePub) {
		t.Fatalf("public %x", k.Public())
	}
	z, err := k.Finish(bobPub)
	if err != nil || !bytes.Equal(z, shared) {
		t.Fatalf("shared %x %v", z, err)
	}
}

func TestECDHEAgreeAndReject(t *testing.T) {
	for _, g := range DefaultGroups() {
		if !IsECDHE(g) {
			continue // the hybrid: hybrid_test.go, hybrid_gotls_test.go
		}
		a, _ := GenerateShare(g, rand.Reader)
		b, _ := GenerateShare(g, rand.Reader)
		za, err1 := a.Finish(b.Public())
		zb, err2 := b.Finish(a.Public())
		if err1 != nil || err2 != nil || !bytes.Equal(za, zb) {
			t.Fatalf("%v: %v %v", g, err1, err2)
		}
		bad := [][]byte{nil, b.Public()[:len(b.Public())-1], append(b.Public(), 0)}
		if g == X25519 {
			bad = append(bad, make([]byte, 32)) // the all-zero result (RFC 7748, 6.1)
			one := make([]byte, 32)
			one[0] = 1 // a low-order point
			bad = append(bad, one)
		} else {
			off := append([]byte(nil), b.Public()...)
			off[len(off)-1] ^= 1 // off the curve
			bad = append(bad, off, []byte{0}, append([]byte{2}, b.Public()[1:1+len(b.Public())/2]...))
		}
		for _, p := range bad {
			if _, err := a.Finish(p); err == nil {
				t.Errorf("%v: accepted bad share %x", g, p)
			}
		}
	}
}

var rsaKey, _ = rsa.GenerateKey(rand.Reader, 2048)

func TestSignVerify(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	msg := []byte("client_random || server_random || params")
	for _, key := range []crypto.Signer{rsaKey, p256, p384, p521, ed} {
		for _, s := range SchemesForKey(key.Public()) {
			sig, err := Sign(key, s, rand.Reader, msg)
			if err != nil {
				t.Fatalf("%v: %v", s, err)
			}
			if err := Verify(key.Public(), s, msg, sig); err != nil {
				t.Fatalf("%v: %v", s, err)
			}
			bad := append([]byte(nil), sig...)
			bad[len(bad)/2] ^= 1
			if Verify(key.Public(), s, msg, bad) == nil {
				t.Fatalf("%v: a tampered signature verified", s)
			}
			if Verify(key.Public(), s, append(msg, 0), sig) == nil {
				t.Fatalf("%v: a signature over another message verified", s)
			}
		}
	}
	// Cross-check with the standard library directly.
	sig, _ := Sign(rsaKey, PSSWithSHA256, rand.Reader, msg)
	d := sha256.Sum256(msg)
	if rsa.VerifyPSS(&rsaKey.PublicKey, crypto.SHA256, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) != nil {
		t.Fatal("our PSS signature does not verify with crypto/rsa")
	}
	sig, _ = Sign(p256, ECDSAWithP256AndSHA256, rand.Reader, msg)
	if !ecdsa.VerifyASN1(&p256.PublicKey, d[:], sig) {
		t.Fatal("our ECDSA signature does not verify with crypto/ecdsa")
	}
	// A scheme that does not fit the key is refused both ways.
	if _, err := Sign(p256, PSSWithSHA256, rand.Reader, msg); err == nil {
		t.Fatal("signed PSS with an ECDSA key")
	}
	if Verify(&rsaKey.PublicKey, ECDSAWithP256AndSHA256, msg, sig) == nil {
		t.Fatal("verified ECDSA with an RSA key")
	}
	for _, key := range []crypto.Signer{rsaKey, p256} {
		sig, err := SignLegacy(key, rand.Reader, msg)
		if err != nil || VerifyLegacy(key.Public(), msg, sig) != nil {
			t.Fatalf("legacy %T: %v", key, err)
		}
	}
}

func TestSelectScheme(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cases := []struct {
		pub  crypto.PublicKey
		peer []SignatureScheme
		want SignatureScheme
		ok   bool
	}{
		{&rsaKey.PublicKey, []SignatureScheme{PKCS1WithSHA256, PSSWithSHA256}, PSSWithSHA256, true},
		{&rsaKey.PublicKey, []SignatureScheme{PKCS1WithSHA384}, PKCS1WithSHA384, true},
		{&rsaKey.PublicKey, nil, PKCS1WithSHA1, true}, // RFC 5246 7.4.1.4.1 default
		{p256.Public(), nil, 0, false},                // the SHA-1 default is not among ours
		{p256.Public(), []SignatureScheme{ECDSAWithP384AndSHA384}, ECDSAWithP384AndSHA384, true},
		{p256.Public(), []SignatureScheme{PSSWithSHA256}, 0, false},
	}
	for _, tc := range cases {
		got, ok := SelectScheme(tc.pub, DefaultSchemes(), tc.peer)
		if got != tc.want || ok != tc.ok {
			t.Errorf("SelectScheme(%T, %v) = %v %v", tc.pub, tc.peer, got, ok)
		}
	}
}

func TestGroupByName(t *testing.T) {
	for name, want := range map[string]Group{"X25519": X25519, "prime256v1": P256, "P-256": P256, "secp384r1": P384, "secp521r1": P521, "ffdhe2048": FFDHE2048} {
		if g, ok := GroupByName(name); !ok || g != want {
			t.Errorf("%s: %v", name, g)
		}
	}
	if _, ok := GroupByName("brainpool"); ok {
		t.Error("unknown name accepted")
	}
}

func BenchmarkX25519KeyGen(b *testing.B) {
	b.Run("fixed-base", func(b *testing.B) {
		for b.Loop() {
			GenerateShare(X25519, rand.Reader)
		}
	})
	b.Run("crypto-ecdh", func(b *testing.B) {
		for b.Loop() {
			ecdh.X25519().GenerateKey(rand.Reader)
		}
	})
}
