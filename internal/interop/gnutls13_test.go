package interop

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
)

// gnutlsCipher13 and gnutlsGroup13 name a TLS 1.3 suite's AEAD and a group
// as GnuTLS does.
func gnutlsCipher13(s *cipher.Suite) string {
	switch s.Bulk {
	case cipher.AES128GCM:
		return "AES-128-GCM"
	case cipher.AES256GCM:
		return "AES-256-GCM"
	}
	return "CHACHA20-POLY1305"
}

func gnutlsGroup13(g kex.Group) string {
	switch g {
	case kex.P521:
		return "SECP521R1"
	case kex.FFDHE2048:
		return "FFDHE2048"
	}
	return gnutlsGroup(g)
}

// gnutlsPriority13 restricts GnuTLS to TLS 1.3, one AEAD and one group.
func gnutlsPriority13(s *cipher.Suite, g kex.Group) string {
	return "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+" + gnutlsCipher13(s) + ":-GROUP-ALL:+GROUP-" + gnutlsGroup13(g)
}

// checkGnuTLS13 checks a GnuTLS session report for TLS 1.3 with the AEAD,
// the group and our exported keying material.
func checkGnuTLS13(t *testing.T, report string, s *cipher.Suite, g kex.Group, ekm string) {
	t.Helper()
	desc := ""
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "- Description: ") {
			desc = l
		}
	}
	kx := "-(ECDHE-"
	if g == kex.FFDHE2048 {
		kx = "-(DHE-"
	}
	if !strings.Contains(desc, "(TLS1.3") || !strings.Contains(desc, kx+gnutlsGroup13(g)+")-") || !strings.HasSuffix(desc, "-("+gnutlsCipher13(s)+")") {
		t.Errorf("GnuTLS session %q; want TLS1.3 %s %s", desc, gnutlsGroup13(g), gnutlsCipher13(s))
	}
	for _, want := range []string{"- Application protocol: h2", "- Key material: " + ekm} {
		if !strings.Contains(report, want) {
			t.Errorf("GnuTLS report lacks %q", want)
		}
	}
}

// TestTLS13GnuTLSClient: gnutls-cli restricted to TLS 1.3 against our echo
// server, every suite and group GnuTLS has.
func TestTLS13GnuTLSClient(t *testing.T) {
	for _, s := range cipher.Suites13() {
		for _, g := range groups13 {
			t.Run(s.Name+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				row(t, "gnutls-cli", "client", s.Name, g.String())
				p := pkis[certgen.ECDSAP256]
				cfg := p.serverConfig()
				cfg.MaxVersion, cfg.CipherSuites13, cfg.Groups = cipher.VersionTLS13, []uint16{s.ID}, []kex.Group{g}
				cfg.ALPNProtocols = []string{"h2", "http/1.1"}
				addr, results := startEcho(t, cfg)
				port := addr[strings.LastIndex(addr, ":")+1:]
				cli := start(t, "gnutls-cli", "--x509cafile", p.rootPEM, "-p", port, "--sni-hostname", "localhost",
					"--verify-hostname", "localhost", "--priority", gnutlsPriority13(s, g), "--alpn", "h2",
					"--keymatexport", gnutlsEKMLabel, "--keymatexportsize", "32", "127.0.0.1")
				fmt.Fprintln(cli.stdin, "gnutls-ping")
				if !cli.waitFor("gnutls-ping\n", 10*time.Second) {
					t.Fatalf("no echo:\n%s", cli.output())
				}
				cli.stdin.Close()
				if err := cli.wait(5 * time.Second); err != nil {
					t.Fatal(err)
				}
				res := result(t, results)
				if res.err != nil {
					t.Fatalf("our server: %v", res.err)
				}
				st := res.state
				if st.Version != cipher.VersionTLS13 || st.Suite != s || st.Group != g || st.ALPNProtocol != "h2" || st.ServerName != "localhost" {
					t.Errorf("our server negotiated %#x %v %v %q SNI %q", st.Version, st.Suite, st.Group, st.ALPNProtocol, st.ServerName)
				}
				out := cli.output()
				if !strings.Contains(out, "- Status: The certificate is trusted") {
					t.Error("gnutls-cli did not trust our chain")
				}
				checkGnuTLS13(t, out, s, g, ourGnuTLSEKM(t, st))
				if t.Failed() {
					t.Logf("gnutls-cli output:\n%s", out)
				}
			})
		}
	}
}

// TestTLS13GnuTLSServer: our client against `gnutls-serv --echo`
// restricted to TLS 1.3, every suite and group (forced by us).
func TestTLS13GnuTLSServer(t *testing.T) {
	p := pkis[certgen.RSA2048]
	srv, addr := startListener(t, "gnutls-serv", "Echo Server listening on IPv4", func(port int) []string {
		return []string{"--x509certfile", p.chainPEM, "--x509keyfile", p.keyPEM, "-p", strconv.Itoa(port), "--echo",
			"--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+GROUP-ALL", "--alpn", "h2", "--keymatexport", gnutlsEKMLabel, "--keymatexportsize", "32"}
	})
	for _, s := range cipher.Suites13() {
		for _, g := range groups13 {
			t.Run(s.Name+"/"+g.String(), func(t *testing.T) {
				row(t, "gnutls-serv", "server", s.Name, g.String())
				cfg := p.clientConfig()
				cfg.MaxVersion, cfg.CipherSuites13, cfg.Groups = cipher.VersionTLS13, []uint16{s.ID}, []kex.Group{g}
				cfg.ALPNProtocols = []string{"http/1.1", "h2"}
				sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				echoLine(t, sock, "gnutls-serv echo "+s.Name+"\n")
				st := sock.ConnectionState()
				if st.Version != cipher.VersionTLS13 || st.Suite != s || st.Group != g || st.ALPNProtocol != "h2" || st.VerifyError != nil {
					t.Errorf("we negotiated %#x %v %v %q verify %v", st.Version, st.Suite, st.Group, st.ALPNProtocol, st.VerifyError)
				}
				ekm := ourGnuTLSEKM(t, st)
				if !srv.waitFor("- Key material: "+ekm, 5*time.Second) {
					t.Fatalf("gnutls-serv did not export our keying material %s:\n%s", ekm, srv.output())
				}
				checkGnuTLS13(t, gnutlsConnection(srv.output(), sock.LocalAddr().(*net.TCPAddr).Port), s, g, ekm)
			})
		}
	}
}
