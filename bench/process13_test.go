package bench

import (
	gotls "crypto/tls"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/internal/certgen"
)

// TestProcessCases13Pin13: the TLS 1.3 process rows (full ECDSA and RSA,
// resumption by ticket, bulk 16 KiB) start every server and client pinned
// to TLS 1.3 and TLS_AES_128_GCM_SHA256 as each spells it; the full and
// bulk rows turn every server's tickets off (two tickets ours, in either
// mode, and s_server's, one crypto/tls's), and the resumption row keeps
// them and runs every server and s_time in -www mode (s_time reads TLS 1.3
// tickets only so).
func TestProcessCases13Pin13(t *testing.T) {
	r := &procRun{opts: ProcessOptions{Self: "tlsengine"}, dir: t.TempDir(), pki: map[certgen.KeyType]pkiFiles{}}
	var names []string
	for _, c := range ProcessCases() {
		if c.version != tls13 {
			continue
		}
		names = append(names, c.Name)
		want := map[procServer][]string{
			srvOurs:    {"-ciphers TLS_AES_128_GCM_SHA256 ", "-min-version TLSv1.3 -max-version TLSv1.3"},
			srvLoop:    {"-ciphers TLS_AES_128_GCM_SHA256 ", "-min-version TLSv1.3 -max-version TLSv1.3"},
			srvGo:      {"-version 1.3"},
			srvOpenSSL: {" -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 ", "-www"},
		}
		noTicket := map[procServer]string{srvOurs: "-no-ticket", srvLoop: "-no-ticket", srvGo: "-no-ticket",
			srvOpenSSL: "-no_ticket -num_tickets 0"}
		if c.kind == kindReuse {
			if c.noTicket || !c.www {
				t.Errorf("%s: a TLS 1.3 resumption row needs tickets and -www", c.Name)
			}
			for _, s := range []procServer{srvOurs, srvLoop, srvGo} {
				want[s] = append(want[s], "-www")
			}
		} else {
			for s, flag := range noTicket {
				want[s] = append(want[s], flag)
			}
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
			if c.kind == kindReuse && strings.Contains(line, noTicket[s]) {
				t.Errorf("%s: %s command %q turns tickets off", c.Name, serverNames[s], line)
			}
			if s == srvGo && strings.Contains(line, "-cipher") {
				t.Errorf("%s: crypto/tls given a TLS 1.2 suite option in %q", c.Name, line)
			}
		}
		if cfg := clientConfig(&c); cfg.MinVersion != gotls.VersionTLS13 || cfg.MaxVersion != gotls.VersionTLS13 {
			t.Errorf("%s: Go client versions %#04x–%#04x", c.Name, cfg.MinVersion, cfg.MaxVersion)
		}
	}
	if len(names) != 4 {
		t.Errorf("TLS 1.3 rows %q, want full ECDSA, full RSA, resumption by ticket and bulk 16 KiB", names)
	}
}

// TestProcessEventLoopCommand: in every case, the event loop takes part
// where tlsengine serve does, and its command line is serve's with
// -event-loop added, so that the two differ in the serving mode only.
func TestProcessEventLoopCommand(t *testing.T) {
	r := &procRun{opts: ProcessOptions{Self: "tlsengine"}, dir: t.TempDir(), pki: map[certgen.KeyType]pkiFiles{}}
	for _, c := range ProcessCases() {
		if c.serves(srvLoop) != c.serves(srvOurs) {
			t.Errorf("%s: the event loop takes part %v, tlsengine serve %v", c.Name, c.serves(srvLoop), c.serves(srvOurs))
		}
		ours, err := r.command(srvOurs, &c, "127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		loop, err := r.command(srvLoop, &c, "127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		want := append(append([]string(nil), ours.Args...), "-event-loop")
		if loop.Path != ours.Path || !slices.Equal(loop.Args, want) {
			t.Errorf("%s: event loop command %q, want %q", c.Name, loop.Args, want)
		}
	}
	// -loops reaches the event loop alone.
	r.opts.Loops = 1
	c := ProcessCases()[0]
	ours, _ := r.command(srvOurs, &c, "127.0.0.1:1")
	loop, _ := r.command(srvLoop, &c, "127.0.0.1:1")
	if want := append(append([]string(nil), ours.Args...), "-event-loop", "-loops", "1"); !slices.Equal(loop.Args, want) {
		t.Errorf("with Loops 1: event loop command %q, want %q", loop.Args, want)
	}
}
