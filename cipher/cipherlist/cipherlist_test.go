package cipherlist

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
)

// allOrder is `openssl ciphers -v ALL` (OpenSSL 3.0) restricted to our
// suites: the default order.
var allOrder = []string{
	"ECDHE-ECDSA-AES256-GCM-SHA384",
	"ECDHE-RSA-AES256-GCM-SHA384",
	"DHE-RSA-AES256-GCM-SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305",
	"ECDHE-RSA-CHACHA20-POLY1305",
	"DHE-RSA-CHACHA20-POLY1305",
	"ECDHE-ECDSA-AES128-GCM-SHA256",
	"ECDHE-RSA-AES128-GCM-SHA256",
	"DHE-RSA-AES128-GCM-SHA256",
	"ECDHE-ECDSA-AES256-SHA384",
	"ECDHE-RSA-AES256-SHA384",
	"DHE-RSA-AES256-SHA256",
	"ECDHE-ECDSA-AES128-SHA256",
	"ECDHE-RSA-AES128-SHA256",
	"DHE-RSA-AES128-SHA256",
	"ECDHE-ECDSA-AES256-SHA",
	"ECDHE-RSA-AES256-SHA",
	"DHE-RSA-AES256-SHA",
	"ECDHE-ECDSA-AES128-SHA",
	"ECDHE-RSA-AES128-SHA",
	"DHE-RSA-AES128-SHA",
	"AES256-GCM-SHA384",
	"AES128-GCM-SHA256",
	"AES256-SHA256",
	"AES128-SHA256",
	"AES256-SHA",
	"AES128-SHA",
}

func TestDefaultOrder(t *testing.T) {
	for _, s := range []string{"ALL", "DEFAULT", "HIGH", "ALL:!COMPLEMENTOFDEFAULT", "kRSA:ALL:+kRSA"} {
		got, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if names := suiteNames(got); !slices.Equal(names, allOrder) {
			t.Errorf("Parse(%q):\n got %v\nwant %v", s, names, allOrder)
		}
	}
}

// TestDefaultOrderIgnoresRegistryOrder: the default order comes from the
// suites' attributes, not from where the registry lists them.
func TestDefaultOrderIgnoresRegistryOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := slices.Clone(universe)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		slices.SortFunc(shuffled, compareDefault)
		if !slices.Equal(shuffled, universe) {
			t.Fatal("the default order depends on the registry order")
		}
	}
	// No two suites are told apart only by the ID tie-break: the measured
	// rules order every suite.
	for i := 1; i < len(universe); i++ {
		a, b := defaultKey(universe[i-1]), defaultKey(universe[i])
		if slices.Equal(a[:6], b[:6]) {
			t.Errorf("%s and %s differ only in the tie-break", universe[i-1].suite, universe[i].suite)
		}
	}
}

// TestRegistryDescribed: every registry suite has OpenSSL attributes, so a
// new suite is not silently left out of every list.
func TestRegistryDescribed(t *testing.T) {
	for _, s := range cipher.Suites() {
		if e := byName[s.OpenSSLName]; e == nil || e.suite != s {
			t.Errorf("%s (%s) has no OpenSSL attributes in cipherlist.describe", s.OpenSSLName, s.Name)
		}
	}
	if len(universe) != len(cipher.Suites()) {
		t.Errorf("universe has %d suites, the registry %d", len(universe), len(cipher.Suites()))
	}
}

func TestParseRules(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want []string
	}{
		// Names keep the order they are given in.
		{"AES128-SHA:AES256-SHA", []string{"AES128-SHA", "AES256-SHA"}},
		// An alias adds its suites in the default order after the named one.
		{"AES128-SHA:kRSA+SHA1", []string{"AES128-SHA", "AES256-SHA"}},
		// Adding what is already there changes nothing.
		{"AES128-SHA:AES256-SHA:AES128-SHA", []string{"AES128-SHA", "AES256-SHA"}},
		// '+' moves to the end.
		{"AES128-SHA:AES256-SHA:DHE-RSA-AES128-SHA:+AES128-SHA", []string{"AES256-SHA", "DHE-RSA-AES128-SHA", "AES128-SHA"}},
		// '+' does not add.
		{"AES128-SHA:+AES256-SHA", []string{"AES128-SHA"}},
		// '-' removes; a later element may add back.
		{"kRSA+SHA1:-AES128-SHA", []string{"AES256-SHA"}},
		{"kRSA+SHA1:-AES256-SHA:AES256-SHA", []string{"AES128-SHA", "AES256-SHA"}},
		// The most recently deleted come back first.
		{"kRSA+SHA1:-AES256-SHA:-AES128-SHA:kRSA+SHA1", []string{"AES128-SHA", "AES256-SHA"}},
		{"kRSA+SHA1:-AES128-SHA:-AES256-SHA:kRSA+SHA1", []string{"AES256-SHA", "AES128-SHA"}},
		// '!' removes for good.
		{"kRSA+SHA1:!AES256-SHA:AES256-SHA", []string{"AES128-SHA"}},
		{"!AES256-SHA:kRSA+SHA1", []string{"AES128-SHA"}},
		// @STRENGTH: stronger first, stable among equals.
		{"AES128-SHA:AES128-GCM-SHA256:AES256-SHA:@STRENGTH", []string{"AES256-SHA", "AES128-SHA", "AES128-GCM-SHA256"}},
		{"AES128-SHA:@STRENGTH:AES256-SHA", []string{"AES128-SHA", "AES256-SHA"}},
		// '+' joins: all must hold.
		{"ECDHE+aECDSA+AES256+SHA384", []string{"ECDHE-ECDSA-AES256-SHA384"}},
		{"AES128-SHA+SSLv3", []string{"AES128-SHA"}},
		// Protocol aliases match exactly the version OpenSSL lists.
		{"TLSv1+aECDSA+AES128", []string{"ECDHE-ECDSA-AES128-SHA"}},
		{"SSLv3+kDHE", []string{"DHE-RSA-AES256-SHA", "DHE-RSA-AES128-SHA"}},
		// Separators, and none after a name.
		{"AES128-SHA AES256-SHA,DHE-RSA-AES128-SHA;ECDHE-RSA-AES128-SHA",
			[]string{"AES128-SHA", "AES256-SHA", "DHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-SHA"}},
		{"AES128-SHA:AES256-SHA!AES128-SHA", []string{"AES256-SHA"}},
		// Unknown and contradictory elements are skipped.
		{"FOO:aes128-sha:AES128-SHA:HIGH+FIPS:kRSA+kECDHE", []string{"AES128-SHA"}},
		// DEFAULT only counts at the start.
		{"AES128-SHA:DEFAULT", []string{"AES128-SHA"}},
		{"DEFAULT:!kRSA:!kDHE:!SHA1:!SHA256:!SHA384:!AESGCM", []string{"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"}},
		{"AES256-SHA:@SECLEVEL=0", []string{"AES256-SHA"}},
		// The --tls-cipher-list example from the seeds.
		{"ECDHE-RSA-AES128-GCM-SHA256:!RC4", []string{"ECDHE-RSA-AES128-GCM-SHA256"}},
	} {
		got, err := Parse(tc.s)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.s, err)
			continue
		}
		if names := suiteNames(got); !slices.Equal(names, tc.want) {
			t.Errorf("Parse(%q) = %v, want %v", tc.s, names, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want error
	}{
		{"", ErrNoCipherMatch},
		{"FOO", ErrNoCipherMatch},
		{"aNULL:eNULL:MEDIUM", ErrNoCipherMatch},
		{"TLS_RSA_WITH_AES_128_CBC_SHA", ErrNoCipherMatch},
		{"HIGH:!ALL", ErrNoCipherMatch},
		{"HIGH:#", ErrInvalidCommand},
		{"HIGH:AES+", ErrInvalidCommand},
		{"HIGH:!", ErrInvalidCommand},
		{"HIGH:@", ErrInvalidCommand},
		{"HIGH:@FOO", ErrInvalidCommand},
		{"HIGH:@SECLEVEL=6", ErrInvalidCommand},
		{"HIGH:@SECLEVEL=10", ErrInvalidCommand},
		{"HIGH*", ErrInvalidCommand},
		{"SUITEB128", ErrSuiteB},
		{"SUITEB128ONLY:HIGH", ErrSuiteB},
		{"SUITEB192", ErrSuiteB},
	} {
		got, err := Parse(tc.s)
		if !errors.Is(err, tc.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.s, got, err, tc.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("Parse(%q): error %q does not start with \"tls: \"", tc.s, err)
		}
	}
	_, err := Parse("HIGH:!kRSA:@FOO")
	if want := "tls: invalid command in cipher string at offset 11 (\"@FOO\")"; err == nil || err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}

func TestDefault(t *testing.T) {
	want, err := Parse(NodeDefault)
	if err != nil {
		t.Fatal(err)
	}
	got := Default()
	if !slices.Equal(got, want) {
		t.Errorf("Default() = %v, want Parse(NodeDefault) = %v", got, want)
	}
	// `openssl ciphers -v NodeDefault` restricted to our suites: the named
	// suites as given, then the rest of HIGH in the default order.
	wantNames := []string{
		"ECDHE-RSA-AES128-GCM-SHA256",
		"ECDHE-ECDSA-AES128-GCM-SHA256",
		"ECDHE-RSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-AES256-GCM-SHA384",
		"DHE-RSA-AES128-GCM-SHA256",
		"ECDHE-RSA-AES128-SHA256",
		"DHE-RSA-AES128-SHA256",
		"ECDHE-RSA-AES256-SHA384",
		"DHE-RSA-AES256-SHA256",
		"DHE-RSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-CHACHA20-POLY1305",
		"ECDHE-RSA-CHACHA20-POLY1305",
		"DHE-RSA-CHACHA20-POLY1305",
		"ECDHE-ECDSA-AES256-SHA384",
		"ECDHE-ECDSA-AES128-SHA256",
		"ECDHE-ECDSA-AES256-SHA",
		"ECDHE-RSA-AES256-SHA",
		"DHE-RSA-AES256-SHA",
		"ECDHE-ECDSA-AES128-SHA",
		"ECDHE-RSA-AES128-SHA",
		"DHE-RSA-AES128-SHA",
		"AES256-GCM-SHA384",
		"AES128-GCM-SHA256",
		"AES256-SHA256",
		"AES128-SHA256",
		"AES256-SHA",
		"AES128-SHA",
	}
	if names := suiteNames(got); !slices.Equal(names, wantNames) {
		t.Errorf("Default() = %v, want %v", names, wantNames)
	}
	got[0] = nil
	if Default()[0] == nil {
		t.Error("Default returns its internal slice")
	}
}

func TestNames(t *testing.T) {
	got := Names([]*cipher.Suite{cipher.SuiteByID(0xc02b), cipher.SuiteByID(0x002f)})
	if want := []string{"ecdhe-ecdsa-aes128-gcm-sha256", "aes128-sha"}; !slices.Equal(got, want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
}

// suiteNames returns the OpenSSL names of suites.
func suiteNames(suites []*cipher.Suite) []string {
	names := make([]string, len(suites))
	for i, s := range suites {
		names[i] = s.OpenSSLName
	}
	return names
}

// TestParseLevelReportsSECLEVEL: the last "@SECLEVEL=n" counts, as in
// OpenSSL; a string without one reports -1.
func TestParseLevelReportsSECLEVEL(t *testing.T) {
	for _, tc := range []struct {
		s     string
		level int
	}{
		{"DEFAULT", -1},
		{"DEFAULT:@SECLEVEL=0", 0},
		{"@SECLEVEL=2:AES128-SHA", 2},
		{"AES128-SHA:@SECLEVEL=0:@SECLEVEL=1", 1},
		{"HIGH;@SECLEVEL=0", 0},
	} {
		if _, level, err := ParseLevel(tc.s); err != nil || level != tc.level {
			t.Errorf("ParseLevel(%q) = %d, %v; want %d", tc.s, level, err, tc.level)
		}
	}
}
