package cipherlist

import (
	"errors"
	"slices"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
)

// TestSplit13 splits as Node v20's processCiphers: "TLS_" names to the
// TLS 1.3 list in their order (unknown ones skipped unless none is known),
// the rest to the TLS 1.2 string, and keeps our IANA TLS 1.2 names there.
func TestSplit13(t *testing.T) {
	for _, tc := range []struct {
		in, list12 string
		ids13      []uint16
		err        error
	}{
		{"HIGH:!aNULL", "HIGH:!aNULL", nil, nil},
		{"TLS_AES_128_GCM_SHA256:HIGH:TLS_AES_256_GCM_SHA384", "HIGH", []uint16{cipher.TLSAES128GCMSHA256, cipher.TLSAES256GCMSHA384}, nil},
		{"TLS_CHACHA20_POLY1305_SHA256", "", []uint16{cipher.TLSChaCha20Poly1305SHA256}, nil},
		{"TLS_AES_128_GCM_SHA256:TLS_BOGUS", "", []uint16{cipher.TLSAES128GCMSHA256}, nil},
		{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", []uint16{cipher.TLSAES128GCMSHA256}, nil},
		{"tls_aes_128_gcm_sha256", "tls_aes_128_gcm_sha256", nil, nil}, // not a TLS_ name: OpenSSL's cipher string rejects it later
		{"TLS_BOGUS:HIGH", "", nil, ErrNoCipherMatch},
		{"TLS_AES_128_CCM_SHA256", "", nil, ErrNoCipherMatch}, // CCM is not implemented (Node accepts it)
		{":", "", nil, ErrEmpty},
	} {
		list12, suites13, err := Split13(tc.in)
		var ids []uint16
		for _, s := range suites13 {
			ids = append(ids, s.ID)
		}
		if list12 != tc.list12 || !slices.Equal(ids, tc.ids13) || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
			t.Errorf("Split13(%q) = %q, %x, %v; want %q, %x, %v", tc.in, list12, ids, err, tc.list12, tc.ids13, tc.err)
		}
	}
}
