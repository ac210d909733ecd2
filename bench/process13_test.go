package bench

import (
	gotls "crypto/tls"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/internal/certgen"
)

// TestProcessCases13Pin13: the TLS 1.3 process rows (full ECDSA and RSA,
// bulk 16 KiB; no resumption yet) start every server and client pinned to
// TLS 1.3 and TLS_AES_128_GCM_SHA256 as each spells it, and no server
// sends tickets (tlsengine sends none in TLS 1.3).
func TestProcessCases13Pin13(t *testing.T) {
	r := &procRun{opts: ProcessOptions{Self: "tlsengine"}, dir: t.TempDir(), pki: map[certgen.KeyType]pkiFiles{}}
	var names []string
	for _, c := range ProcessCases() {
		if c.version != tls13 {
			continue
		}
		names = append(names, c.Name)
		if c.kind == kindReuse {
			t.Errorf("%s: a TLS 1.3 resumption row, but the engine does not resume in TLS 1.3", c.Name)
		}
		want := map[procServer][]string{
			srvOurs:    {"-ciphers TLS_AES_128_GCM_SHA256 ", "-min-version TLSv1.3 -max-version TLSv1.3"},
			srvGo:      {"-version 1.3", "-no-ticket"},
			srvOpenSSL: {" -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 ", "-no_ticket -num_tickets 0"},
		}
		for s, parts := range want {
			if !c.serves(s) {
				continue
			}
			cmd, err := r.command(s, &c, "127.0.0.1:1")
			if err != nil {
				t.Fatal(err)
			}
			line := strings.Join(cmd.Args, " ")
			for _, p := range parts {
				if !strings.Contains(line, p) {
					t.Errorf("%s: %s command %q lacks %q", c.Name, serverNames[s], line, p)
				}
			}
			if s == srvGo && strings.Contains(line, "-cipher") {
				t.Errorf("%s: crypto/tls given a TLS 1.2 suite option in %q", c.Name, line)
			}
		}
		if cfg := clientConfig(&c); cfg.MinVersion != gotls.VersionTLS13 || cfg.MaxVersion != gotls.VersionTLS13 {
			t.Errorf("%s: Go client versions %#04x–%#04x", c.Name, cfg.MinVersion, cfg.MaxVersion)
		}
	}
	if len(names) != 3 {
		t.Errorf("TLS 1.3 rows %q, want full ECDSA, full RSA and bulk 16 KiB", names)
	}
}
