package kex

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func scalar32(t testing.TB, s string) *[32]byte {
	var k [32]byte
	copy(k[:], unhex(t, s))
	return &k
}

// TestX25519Vectors runs RFC 7748, Section 5.2: the two single vectors
// (the second has u with the top bit set, which must be ignored) and the
// iterated vector after 1 and 1,000 rounds.
func TestX25519Vectors(t *testing.T) {
	for _, v := range []struct{ k, u, out string }{
		{"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
			"e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
			"c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
		{"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
			"e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
			"95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
	} {
		if got := x25519(scalar32(t, v.k), unhex(t, v.u)); !bytes.Equal(got, unhex(t, v.out)) {
			t.Errorf("X25519(%s, %s) = %x, want %s", v.k, v.u, got, v.out)
		}
	}
	var k, u [32]byte
	k[0], u[0] = 9, 9
	for i := 1; i <= 1000; i++ {
		out := x25519(&k, u[:])
		u = k
		copy(k[:], out)
		switch i {
		case 1:
			if want := "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"; hex.EncodeToString(k[:]) != want {
				t.Fatalf("after 1 round: %x, want %s", k, want)
			}
		case 1000:
			if want := "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"; hex.EncodeToString(k[:]) != want {
				t.Fatalf("after 1000 rounds: %x, want %s", k, want)
			}
		}
	}
}

// TestX25519BobSide completes RFC 7748, Section 6.1 from Bob's side.
func TestX25519BobSide(t *testing.T) {
	bob, err := GenerateShare(X25519, bytes.NewReader(unhex(t, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")))
	if err != nil {
		t.Fatal(err)
	}
	if want := "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"; hex.EncodeToString(bob.Public()) != want {
		t.Fatalf("Bob's public key %x", bob.Public())
	}
	z, err := bob.Finish(unhex(t, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"))
	if err != nil || hex.EncodeToString(z) != "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742" {
		t.Fatalf("shared %x %v", z, err)
	}
}

// TestX25519AgainstECDH compares our ladder with crypto/ecdh on random
// scalars and random u values, including non-canonical ones (top bit set,
// u >= 2^255-19).
func TestX25519AgainstECDH(t *testing.T) {
	for i := range 300 {
		k, err := generateECDHE(X25519, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		u := make([]byte, 32)
		rand.Read(u)
		if i%3 == 0 {
			u[31] |= 0x80
		}
		if i%50 == 1 { // u = 2^255 - 19 + small, non-canonical
			for j := range u {
				u[j] = 0xff
			}
			u[0] = 0xed + byte(i%18)
			u[31] = 0x7f
		}
		ref, _ := ecdh.X25519().NewPrivateKey(k.scalar[:])
		refPub, _ := ecdh.X25519().NewPublicKey(u)
		want, wantErr := ref.ECDH(refPub)
		got, err := k.Finish(u)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("u %x: got %x %v, crypto/ecdh %x %v", u, got, err, want, wantErr)
		}
	}
}

// TestX25519LowOrder: every point of small order gives the all-zero
// secret, which RFC 7748, Section 6.1 tells us to reject.
func TestX25519LowOrder(t *testing.T) {
	k, _ := GenerateShare(X25519, rand.Reader)
	for _, u := range []string{
		"0000000000000000000000000000000000000000000000000000000000000000", // 0
		"0100000000000000000000000000000000000000000000000000000000000000", // 1
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p-1
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p = 0
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p+1 = 1
		"0000000000000000000000000000000000000000000000000000000000000080", // 0 with the top bit
	} {
		z, err := k.Finish(unhex(t, u))
		if !errors.Is(err, ErrInvalidPublic) {
			t.Errorf("u %s accepted: %x", u, z)
		}
	}
}

func BenchmarkX25519Exchange(b *testing.B) {
	peer, _ := ecdh.X25519().GenerateKey(rand.Reader)
	pub := peer.PublicKey().Bytes()
	b.Run("kex", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k, _ := GenerateShare(X25519, rand.Reader)
			k.Finish(pub)
		}
	})
	b.Run("crypto-ecdh", func(b *testing.B) {
		b.ReportAllocs()
		pk, _ := ecdh.X25519().NewPublicKey(pub)
		for b.Loop() {
			k, _ := ecdh.X25519().GenerateKey(rand.Reader)
			k.ECDH(pk)
		}
	})
}
