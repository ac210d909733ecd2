package kex

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"testing"
)

// wrappedDecrypter hides the *rsa.PrivateKey type so that the generic
// crypto.Decrypter path runs.
type wrappedDecrypter struct{ k *rsa.PrivateKey }

func (w wrappedDecrypter) Public() crypto.PublicKey { return w.k.Public() }
func (w wrappedDecrypter) Decrypt(r io.Reader, ct []byte, opts crypto.DecrypterOpts) ([]byte, error) {
	return w.k.Decrypt(r, ct, opts)
}

// ecDecrypter is a Decrypter with a non-RSA key.
type ecDecrypter struct{ *ecdsa.PrivateKey }

func (ecDecrypter) Decrypt(io.Reader, []byte, crypto.DecrypterOpts) ([]byte, error) {
	return nil, nil
}

func TestRSAKeyTransport(t *testing.T) {
	pm, ct, err := EncryptPreMaster(&rsaKey.PublicKey, rand.Reader, 0x0303)
	if err != nil {
		t.Fatal(err)
	}
	if len(pm) != 48 || pm[0] != 3 || pm[1] != 3 || len(ct) != rsaKey.Size() {
		t.Fatalf("premaster %x, ciphertext of %d bytes", pm, len(ct))
	}
	// Plaintext of the wrong length (RFC 5246, 7.4.7.1: must be 48 bytes).
	short, _ := rsa.EncryptPKCS1v15(rand.Reader, &rsaKey.PublicKey, pm[:47])
	long, _ := rsa.EncryptPKCS1v15(rand.Reader, &rsaKey.PublicKey, append(pm, 0))
	tampered := append([]byte(nil), ct...)
	tampered[10] ^= 0x40
	// A ciphertext with a leading zero byte: dropped, the rest is the
	// same number, which must still not decrypt (RFC 8017, 7.2.2, step 1).
	var zeroLed []byte
	for zeroLed == nil {
		if c, _ := rsa.EncryptPKCS1v15(rand.Reader, &rsaKey.PublicKey, pm); c[0] == 0 {
			zeroLed = c
		}
	}

	for _, priv := range []crypto.Decrypter{rsaKey, wrappedDecrypter{rsaKey}} {
		got, err := DecryptPreMaster(priv, rand.Reader, ct, 0x0303)
		if err != nil || !bytes.Equal(got, pm) {
			t.Fatalf("%T: round trip %x %v", priv, got, err)
		}
		for _, tc := range []struct {
			name    string
			ct      []byte
			version uint16
		}{
			{"wrong version", ct, 0x0302},
			{"wrong minor byte only", ct, 0x0304},
			{"wrong major byte only", ct, 0x0203},
			{"tampered ciphertext", tampered, 0x0303},
			{"truncated ciphertext", ct[1:], 0x0303},
			{"leading zero byte dropped", zeroLed[1:], 0x0303},
			{"longer ciphertext", append([]byte{0}, ct...), 0x0303},
			{"empty ciphertext", nil, 0x0303},
			{"47-byte plaintext", short, 0x0303},
			{"49-byte plaintext", long, 0x0303},
		} {
			// The failure value is the 48 random bytes drawn before
			// decrypting, so a fixed source shows it exactly.
			r := bytes.Repeat([]byte{0xa5}, 48)
			got, err := DecryptPreMaster(priv, bytes.NewReader(r), tc.ct, tc.version)
			if err != nil {
				t.Errorf("%T %s: error %v", priv, tc.name, err)
				continue
			}
			if len(got) != 48 || bytes.Equal(got, pm) || !bytes.Equal(got, r) {
				t.Errorf("%T %s: got %x", priv, tc.name, got)
			}
		}
	}

	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := DecryptPreMaster(ecDecrypter{ec}, rand.Reader, ct, 0x0303); err == nil {
		t.Error("DecryptPreMaster accepted an ECDSA key")
	}
	if _, err := DecryptPreMaster(rsaKey, bytes.NewReader(nil), ct, 0x0303); err == nil {
		t.Error("DecryptPreMaster ran without randomness")
	}
	if _, _, err := EncryptPreMaster(nil, rand.Reader, 0x0303); err == nil {
		t.Error("EncryptPreMaster accepted a nil key")
	}
	if _, _, err := EncryptPreMaster(&rsaKey.PublicKey, bytes.NewReader(nil), 0x0303); err == nil {
		t.Error("EncryptPreMaster ran without randomness")
	}
}

func BenchmarkDecryptPreMaster(b *testing.B) {
	_, ct, _ := EncryptPreMaster(&rsaKey.PublicKey, rand.Reader, 0x0303)
	b.ReportAllocs()
	for b.Loop() {
		DecryptPreMaster(rsaKey, rand.Reader, ct, 0x0303)
	}
}
