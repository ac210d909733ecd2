package cipher

import (
	"crypto"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

func TestRegistryLookups(t *testing.T) {
	seen := map[uint16]bool{}
	for _, s := range Suites() {
		if seen[s.ID] {
			t.Fatalf("duplicate suite %04x", s.ID)
		}
		seen[s.ID] = true
		if SuiteByID(s.ID) != s || SuiteByName(s.OpenSSLName) != s || SuiteByName(s.Name) != s {
			t.Errorf("lookup of %s is inconsistent", s)
		}
		if s.String() != s.OpenSSLName {
			t.Errorf("String() = %q, want %q", s.String(), s.OpenSSLName)
		}
		if s.MaxVersion != VersionTLS12 {
			t.Errorf("%s: MaxVersion %#x", s, s.MaxVersion)
		}
		// Fields that must agree with each other.
		switch s.Bulk {
		case AES128GCM:
			check(t, s, s.KeyLen == 16 && s.FixedIVLen == 4 && s.Bits == 128 && s.MAC == MACAEAD)
		case AES256GCM:
			check(t, s, s.KeyLen == 32 && s.FixedIVLen == 4 && s.Bits == 256 && s.MAC == MACAEAD)
		case ChaCha20Poly1305:
			check(t, s, s.KeyLen == 32 && s.FixedIVLen == 12 && s.Bits == 256 && s.MAC == MACAEAD)
		case AES128CBC:
			check(t, s, s.KeyLen == 16 && s.FixedIVLen == 16 && s.Bits == 128 && s.MAC != MACAEAD)
		case AES256CBC:
			check(t, s, s.KeyLen == 32 && s.FixedIVLen == 16 && s.Bits == 256 && s.MAC != MACAEAD)
		default:
			t.Errorf("%s: bulk %v", s, s.Bulk)
		}
		wantMAC := map[MAC]int{MACAEAD: 0, MACSHA1: 20, MACSHA256: 32, MACSHA384: 48}[s.MAC]
		check(t, s, s.MACKeyLen == wantMAC)
		// The names say the PRF hash, the key exchange and the versions.
		check(t, s, (s.PRFHash == crypto.SHA384) == strings.HasSuffix(s.Name, "SHA384"))
		check(t, s, s.PRFHash == crypto.SHA384 || s.PRFHash == crypto.SHA256)
		check(t, s, (s.MinVersion == VersionTLS10) == strings.HasSuffix(s.Name, "_CBC_SHA"))
		check(t, s, (s.MinVersion == VersionTLS12) == !strings.HasSuffix(s.Name, "_CBC_SHA"))
		kx := map[KeyExchange]string{KXECDHE: "TLS_ECDHE_", KXDHE: "TLS_DHE_", KXRSA: "TLS_RSA_"}[s.KX]
		check(t, s, kx != "" && strings.HasPrefix(s.Name, kx))
		check(t, s, (s.Auth == AuthECDSA) == strings.Contains(s.Name, "_ECDSA_"))
		check(t, s, s.AEAD() == (s.MAC == MACAEAD))
	}
	if len(seen) != 27 {
		t.Errorf("%d suites registered, want 27", len(seen))
	}
	for _, bad := range []string{"", "RC4-SHA", "ECDHE-ECDSA-AES128-GCM-SHA25", "TLS_NULL_WITH_NULL_NULL"} {
		if SuiteByName(bad) != nil {
			t.Errorf("SuiteByName(%q) found a suite", bad)
		}
	}
	for _, id := range []uint16{0, 0x000a, 0x1301, 0xc0ff, 0xffff} {
		if SuiteByID(id) != nil {
			t.Errorf("SuiteByID(%#04x) found a suite", id)
		}
	}
	// Suites returns a copy of the list.
	a := Suites()
	a[0] = nil
	if Suites()[0] == nil {
		t.Error("Suites exposes the registry")
	}
}

func check(t *testing.T, s *Suite, ok bool) {
	t.Helper()
	if !ok {
		t.Errorf("%s: inconsistent fields %+v", s, *s)
	}
}

func TestVersionSupport(t *testing.T) {
	for _, tc := range []struct {
		name          string
		v10, v11, v12 bool
	}{
		{"ECDHE-RSA-AES128-SHA", true, true, true},
		{"AES256-SHA", true, true, true},
		{"ECDHE-RSA-AES128-GCM-SHA256", false, false, true},
		{"AES128-SHA256", false, false, true},
		{"DHE-RSA-CHACHA20-POLY1305", false, false, true},
	} {
		s := SuiteByName(tc.name)
		if s.SupportsVersion(VersionTLS10) != tc.v10 || s.SupportsVersion(VersionTLS11) != tc.v11 ||
			s.SupportsVersion(VersionTLS12) != tc.v12 || s.SupportsVersion(0x0300) || s.SupportsVersion(0x0304) {
			t.Errorf("%s: wrong version support", tc.name)
		}
	}
}

// TestDefaultOrder checks the preference order the brief asks for.
func TestDefaultOrder(t *testing.T) {
	var got []string
	for _, s := range Suites()[:6] {
		got = append(got, s.OpenSSLName)
	}
	want := []string{
		"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
		"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("first six suites %v", got)
	}
	// After them: DHE AEAD, then ECDHE CBC, then (DHE CBC), then static RSA.
	rank := func(s *Suite) int {
		switch {
		case s.KX == KXDHE && s.AEAD():
			return 1
		case s.KX == KXECDHE:
			return 2
		case s.KX == KXDHE:
			return 3
		}
		return 4
	}
	rest := Suites()[6:]
	for i := 1; i < len(rest); i++ {
		if rank(rest[i]) < rank(rest[i-1]) {
			t.Errorf("%s comes after %s", rest[i], rest[i-1])
		}
	}
}

func TestEnumStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{KXRSA.String(), "RSA"}, {KXECDHE.String(), "ECDH"}, {KXDHE.String(), "DH"}, {KeyExchange(9).String(), "KeyExchange(9)"},
		{AuthRSA.String(), "RSA"}, {AuthECDSA.String(), "ECDSA"}, {Auth(0).String(), "Auth(0)"},
		{AES128GCM.String(), "AESGCM(128)"}, {ChaCha20Poly1305.String(), "CHACHA20/POLY1305(256)"}, {AES256CBC.String(), "AES(256)"}, {Bulk(77).String(), "Bulk(77)"},
		{MACAEAD.String(), "AEAD"}, {MACSHA1.String(), "SHA1"}, {MACSHA384.String(), "SHA384"}, {MAC(0).String(), "MAC(0)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestOpenSSLNames checks names and IDs against the local openssl.
func TestOpenSSLNames(t *testing.T) {
	out, err := exec.Command("openssl", "ciphers", "-V", "ALL:@SECLEVEL=0").Output()
	if err != nil {
		t.Fatalf("openssl ciphers: %v (openssl is a project dependency)", err)
	}
	ids := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		// "0xC0,0x2C - ECDHE-ECDSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH ..."
		f := strings.Fields(line)
		if len(f) > 3 {
			ids[f[2]] = strings.ToLower(strings.NewReplacer("0x", "", ",", "").Replace(f[0]))
		}
	}
	for _, s := range Suites() {
		if got := ids[s.OpenSSLName]; got != hex.EncodeToString([]byte{byte(s.ID >> 8), byte(s.ID)}) {
			t.Errorf("%s: openssl knows it as id %q", s.OpenSSLName, got)
		}
	}
}
