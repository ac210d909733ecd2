package hmacsum

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"testing"
)

var hashes = []struct {
	h   crypto.Hash
	new func() hash.Hash
}{
	{crypto.MD5, md5.New}, {crypto.SHA1, sha1.New}, {crypto.SHA256, sha256.New},
	{crypto.SHA384, sha512.New384}, {crypto.SHA512, sha512.New},
}

// TestRFC4231 checks the HMAC-SHA-256 and -384 vectors of RFC 4231,
// Sections 4.2 (short key), 4.7 (a key longer than the block) and 4.8
// (a key and a message longer than the block).
func TestRFC4231(t *testing.T) {
	long := bytes.Repeat([]byte{0xaa}, 131)
	for _, c := range []struct {
		name     string
		h        crypto.Hash
		key, msg []byte
		want     string
	}{
		{"4.2 SHA-256", crypto.SHA256, bytes.Repeat([]byte{0x0b}, 20), []byte("Hi There"),
			"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{"4.2 SHA-384", crypto.SHA384, bytes.Repeat([]byte{0x0b}, 20), []byte("Hi There"),
			"afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"},
		{"4.7 SHA-256", crypto.SHA256, long, []byte("Test Using Larger Than Block-Size Key - Hash Key First"),
			"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{"4.8 SHA-384", crypto.SHA384, long, []byte("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
			"6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e"},
	} {
		k := New(c.h, c.key)
		if got := hex.EncodeToString(k.Sum(nil, c.msg)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestMatchesCryptoHMAC compares every hash with crypto/hmac for keys and
// messages of many lengths, on both sides of the stack buffer, with the
// message split into parts and appended to a non-empty dst.
func TestMatchesCryptoHMAC(t *testing.T) {
	buf := make([]byte, 1200)
	rand.Read(buf)
	for _, hh := range hashes {
		for _, kl := range []int{0, 1, 16, 32, 48, 64, 65, 128, 129, 300} {
			for _, ml := range []int{0, 1, 55, 56, 64, 200, stackInput - 1, stackInput, stackInput + 1, 1000} {
				key, msg := buf[:kl], buf[100:100+ml]
				want := hmac.New(hh.new, key)
				want.Write(msg)
				k := New(hh.h, key)
				got := k.Sum([]byte("prefix"), msg[:ml/3], msg[ml/3:])
				if !bytes.Equal(got, append([]byte("prefix"), want.Sum(nil)...)) {
					t.Errorf("%v key %d message %d: differs from crypto/hmac", hh.h, kl, ml)
				}
				if k.Size() != hh.h.Size() {
					t.Errorf("%v: Size %d", hh.h, k.Size())
				}
			}
		}
	}
}

// TestSumAliasesDst checks that dst may overlap a part, as P_hash's
// A(i) = HMAC(secret, A(i-1)) does in place.
func TestSumAliasesDst(t *testing.T) {
	k := New(crypto.SHA256, []byte("key"))
	a := k.Sum(nil, []byte("seed"))
	want := hmac.New(sha256.New, []byte("key"))
	want.Write(a)
	if got := k.Sum(a[:0], a); !bytes.Equal(got, want.Sum(nil)) {
		t.Error("in-place Sum differs from crypto/hmac")
	}
}

// TestNoAllocations is the reason for the package.
func TestNoAllocations(t *testing.T) {
	key, msg := make([]byte, 32), make([]byte, 100)
	out := make([]byte, 0, 64)
	for _, hh := range hashes {
		if n := testing.AllocsPerRun(100, func() {
			k := New(hh.h, key)
			k.Sum(out[:0], msg, msg[:10])
		}); n != 0 {
			t.Errorf("%v: %.0f allocations per key and MAC, want 0", hh.h, n)
		}
	}
}

func TestUnsupportedHashPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("SHA-224 accepted")
		}
	}()
	New(crypto.SHA224, nil)
}

func BenchmarkHKDFBlock(b *testing.B) {
	key, msg := make([]byte, 32), make([]byte, 60)
	b.Run("hmacsum", func(b *testing.B) {
		b.ReportAllocs()
		out := make([]byte, 0, 32)
		for b.Loop() {
			k := New(crypto.SHA256, key)
			k.Sum(out[:0], msg)
		}
	})
	b.Run("crypto-hmac", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := hmac.New(sha256.New, key)
			m.Write(msg)
			m.Sum(nil)
		}
	})
}
