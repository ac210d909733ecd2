package cipher

import (
	"slices"
	"testing"
)

// TestSuites13NodeOrder guards the default TLS 1.3 order, Node v20's, and
// that the TLS 1.2 registry never hands out a TLS 1.3 suite.
func TestSuites13NodeOrder(t *testing.T) {
	want := []uint16{0x1302, 0x1303, 0x1301}
	if got := DefaultSuites13(); !slices.Equal(got, want) {
		t.Fatalf("DefaultSuites13 = %x, want %x", got, want)
	}
	for _, id := range want {
		if SuiteByID(id) != nil {
			t.Errorf("SuiteByID(%#04x) returned a TLS 1.3 suite", id)
		}
		s := Suite13ByID(id)
		if s == nil || !s.SupportsVersion(VersionTLS13) || s.SupportsVersion(VersionTLS12) {
			t.Fatalf("Suite13ByID(%#04x) = %v", id, s)
		}
		key := make([]byte, s.KeyLen)
		if _, err := s.NewProtection13(key, make([]byte, 12)); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	if s := Suite13ByName("tls_aes_128_gcm_sha256"); s == nil || s.ID != 0x1301 {
		t.Errorf("Suite13ByName lower-case = %v", s)
	}
}
