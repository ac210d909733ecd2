package bench

import (
	"flag"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
)

// TestCheck13RefusesOtherParameters: a TLS 1.3 case fails on a handshake
// that negotiated TLS 1.2, another suite or another group.
func TestCheck13RefusesOtherParameters(t *testing.T) {
	aes128 := cipher.Suite13ByName(suite13).ID
	aes256 := cipher.Suite13ByName("TLS_AES_256_GCM_SHA384").ID
	if err := check13("x", cipher.VersionTLS13, aes128, kex.X25519MLKEM768, kex.X25519MLKEM768); err != nil {
		t.Fatalf("check13 refused what it asked for: %v", err)
	}
	for _, bad := range []struct {
		version, suite uint16
		group          kex.Group
	}{
		{cipher.VersionTLS12, aes128, kex.X25519MLKEM768},
		{cipher.VersionTLS13, aes256, kex.X25519MLKEM768},
		{cipher.VersionTLS13, aes128, kex.X25519},
	} {
		if err := check13("x", bad.version, bad.suite, bad.group, kex.X25519MLKEM768); err == nil {
			t.Errorf("check13 accepted %+v", bad)
		}
	}
}

// TestTLS13CasesNegotiateTLS13 runs each TLS 1.3 case once on every side:
// each checks that it negotiated TLS 1.3, and a case failing leaves no
// result.
func TestTLS13CasesNegotiateTLS13(t *testing.T) {
	f := flag.Lookup("test.benchtime")
	old := f.Value.String()
	if err := flag.Set("test.benchtime", "1x"); err != nil {
		t.Fatal(err)
	}
	defer flag.Set("test.benchtime", old)
	n := 0
	for _, c := range Cases() {
		if !strings.Contains(c.Name, "TLS 1.3") {
			continue
		}
		n++
		sides := map[string]func(*testing.B){"tlsengine": c.Ours, "crypto/tls": c.Theirs, "floor": c.Floor}
		if c.Paired != nil {
			sides = map[string]func(*testing.B){"paired": c.Paired, "floor": c.Floor}
		}
		for side, fn := range sides {
			if fn == nil {
				t.Errorf("%s: no %s side", c.Name, side)
				continue
			}
			if res := testing.Benchmark(fn); res.N < 1 {
				t.Errorf("%s: the %s side failed", c.Name, side)
			}
		}
	}
	// Handshakes, server CPU, bulk, resumptions, resumptions' server CPU.
	if want := 3 + 3 + 1 + 2 + 2; n != want && haveThreadCPU || n != want-3 && !haveThreadCPU {
		t.Errorf("%d TLS 1.3 cases, want %d (handshakes, server CPU, bulk, resumptions and their server CPU)", n, want)
	}
}
