package bench

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
)

// BenchmarkRSAPremaster decrypts a valid RSA-encrypted premaster, one
// with bad PKCS #1 padding and one with the wrong version (RFC 5246,
// Section 7.4.7.1). The three times must agree within noise: the
// ROBOT/Bleichenbacher countermeasure leaves nothing to time.
func BenchmarkRSAPremaster(b *testing.B) {
	key := tlstest.NewPKI(certgen.RSA2048).Chain.Leaf.Key.(*rsa.PrivateKey)
	_, valid, err := kex.EncryptPreMaster(&key.PublicKey, rand.Reader, 0x0303)
	if err != nil {
		b.Fatal(err)
	}
	// Bad padding: a raw RSA encryption of bytes that are not PKCS #1.
	m := make([]byte, key.Size())
	m[1] = 0x01 // block type 1 (signature), not 2
	badPadding := encryptRaw(&key.PublicKey, m)
	cases := []struct {
		name    string
		ct      []byte
		version uint16
	}{{"valid", valid, 0x0303}, {"bad-padding", badPadding, 0x0303}, {"bad-version", valid, 0x0302}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				kex.DecryptPreMaster(key, rand.Reader, c.ct, c.version)
			}
		})
	}
}

// encryptRaw is textbook RSA, to build ciphertexts with any padding.
func encryptRaw(pub *rsa.PublicKey, m []byte) []byte {
	c := new(big.Int).SetBytes(m)
	c.Exp(c, new(big.Int).SetInt64(int64(pub.E)), pub.N)
	out := make([]byte, pub.Size())
	return c.FillBytes(out)
}

// BenchmarkCBCOpen opens a 1 KiB AES-128-CBC-SHA256 record whose MAC and
// padding are valid, one with a bad MAC and one with bad padding (Lucky
// Thirteen). The three times must agree within noise.
func BenchmarkCBCOpen(b *testing.B) {
	s := cipher.SuiteByName("ECDHE-RSA-AES128-SHA256")
	key, mac, iv := make([]byte, 16), make([]byte, 32), make([]byte, 16)
	seal, err := s.NewProtection(cipher.VersionTLS12, key, mac, iv, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	valid := seal.Seal(nil, 1, 23, cipher.VersionTLS12, bytes.Repeat([]byte{'a'}, 1024)) // header and fragment
	badMAC := bytes.Clone(valid)
	badMAC[len(badMAC)/2] ^= 1 // inside the content: the MAC no longer matches
	// Bad padding: change the last block, which decrypts to garbage
	// padding (and MAC).
	badPadding := bytes.Clone(valid)
	badPadding[len(badPadding)-1] ^= 0x80
	open, _ := s.NewProtection(cipher.VersionTLS12, key, mac, iv, rand.Reader)
	for _, c := range []struct {
		name string
		rec  []byte
	}{{"valid", valid}, {"bad-mac", badMAC}, {"bad-padding", badPadding}} {
		b.Run(c.name, func(b *testing.B) {
			dst := make([]byte, 0, 2048)
			for b.Loop() {
				open.Open(dst[:0], 1, c.rec[:cipher.HeaderLen], c.rec[cipher.HeaderLen:])
			}
		})
	}
}
