package interop

import (
	"encoding/hex"
	"fmt"
	"io"
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

// gnutlsEKMLabel is the exporter label given to gnutls-cli/gnutls-serv
// with --keymatexport (RFC 5705, no context).
const gnutlsEKMLabel = "EXPERIMENTAL gnutls interop"

// gnutlsCipher, gnutlsKX and gnutlsGroup name a suite's parts and a group
// as GnuTLS priority strings and session descriptions do.
func gnutlsCipher(suite string) string {
	switch {
	case strings.Contains(suite, "AES128-GCM"):
		return "AES-128-GCM"
	case strings.Contains(suite, "AES256-GCM"):
		return "AES-256-GCM"
	}
	return "CHACHA20-POLY1305"
}

func gnutlsKX(suite string) string {
	if authFor(suite) == certgen.ECDSAP256 {
		return "ECDHE-ECDSA"
	}
	return "ECDHE-RSA"
}

func gnutlsGroup(g kex.Group) string {
	switch g {
	case kex.P256:
		return "SECP256R1"
	case kex.P384:
		return "SECP384R1"
	}
	return "X25519"
}

// gnutlsPriority restricts GnuTLS to TLS 1.2, one suite and the groups a
// client offers for g.
func gnutlsPriority(suite string, g kex.Group) string {
	pr := "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+" + gnutlsKX(suite) + ":-CIPHER-ALL:+" + gnutlsCipher(suite) + ":-GROUP-ALL"
	for _, og := range offeredGroups(suite, g) {
		pr += ":+GROUP-" + gnutlsGroup(og)
	}
	return pr
}

// checkGnuTLSSession checks a GnuTLS session report (from gnutls-cli or
// one connection of gnutls-serv) against the expected suite and group and
// our exported keying material.
func checkGnuTLSSession(t *testing.T, report, suite string, g kex.Group, ekm string) {
	t.Helper()
	sig := "(ECDSA-"
	if authFor(suite) == certgen.RSA2048 {
		sig = "(RSA-"
	}
	desc := ""
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "- Description: ") {
			desc = l
		}
	}
	if !strings.Contains(desc, "(TLS1.2") || !strings.Contains(desc, "-(ECDHE-"+gnutlsGroup(g)+")-") ||
		!strings.Contains(desc, ")-"+sig) || !strings.HasSuffix(desc, "-("+gnutlsCipher(suite)+")") {
		t.Errorf("GnuTLS session %q; want TLS1.2 %s %s %s", desc, gnutlsGroup(g), sig, gnutlsCipher(suite))
	}
	for _, want := range []string{"extended master secret", "safe renegotiation", "- Application protocol: h2", "- Key material: " + ekm} {
		if !strings.Contains(report, want) {
			t.Errorf("GnuTLS report lacks %q", want)
		}
	}
}

// ourGnuTLSEKM is our exporter output for the GnuTLS label, hex-encoded.
func ourGnuTLSEKM(t *testing.T, st *engine.ConnectionState) string {
	t.Helper()
	b, err := st.ExportKeyingMaterial(gnutlsEKMLabel, nil, false, 32)
	if err != nil {
		t.Errorf("our exporter: %v", err)
	}
	return hex.EncodeToString(b)
}

// TestMatrixGnuTLSClient: gnutls-cli against our echo server for every
// core suite and group.
func TestMatrixGnuTLSClient(t *testing.T) {
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				row(t, "gnutls-cli", "client", suite, g.String())
				p := pkis[authFor(suite)]
				cfg := p.serverConfig()
				cfg.Groups = []kex.Group{g}
				cfg.ALPNProtocols = []string{"h2", "http/1.1"}
				addr, results := startEcho(t, cfg)
				port := addr[strings.LastIndex(addr, ":")+1:]
				cli := start(t, "gnutls-cli", "--x509cafile", p.rootPEM, "-p", port, "--sni-hostname", "localhost",
					"--verify-hostname", "localhost", "--priority", gnutlsPriority(suite, g), "--alpn", "h2",
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
				if st.Suite.OpenSSLName != suite || st.Group != g || st.ALPNProtocol != "h2" || st.ServerName != "localhost" {
					t.Errorf("our server negotiated %v %v %q SNI %q", st.Suite, st.Group, st.ALPNProtocol, st.ServerName)
				}
				out := cli.output()
				if !strings.Contains(out, "- Status: The certificate is trusted") {
					t.Error("gnutls-cli did not trust our chain")
				}
				checkGnuTLSSession(t, out, suite, g, ourGnuTLSEKM(t, st))
				if t.Failed() {
					t.Logf("gnutls-cli output:\n%s", out)
				}
			})
		}
	}
}

// TestMatrixGnuTLSServer: our client against `gnutls-serv --echo` for
// every core suite and group (forced by our CipherSuites and Groups).
// gnutls-serv has no option to bind one address; we connect to it on
// 127.0.0.1 only.
func TestMatrixGnuTLSServer(t *testing.T) {
	servers := map[certgen.KeyType]*process{}
	addrs := map[certgen.KeyType]string{}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		p := pkis[kt]
		servers[kt], addrs[kt] = startListener(t, "gnutls-serv", "Echo Server listening on IPv4", func(port int) []string {
			return []string{"--x509certfile", p.chainPEM, "--x509keyfile", p.keyPEM, "-p", strconv.Itoa(port), "--echo",
				"--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2", "--alpn", "h2", "--keymatexport", gnutlsEKMLabel, "--keymatexportsize", "32"}
		})
	}
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				row(t, "gnutls-serv", "server", suite, g.String())
				kt := authFor(suite)
				p := pkis[kt]
				cfg := p.clientConfig()
				cfg.CipherSuites = []uint16{cipher.SuiteByName(suite).ID}
				cfg.Groups = offeredGroups(suite, g)
				cfg.ALPNProtocols = []string{"http/1.1", "h2"}
				sock, err := dialOurs(t, addrs[kt], cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				echoLine(t, sock, "gnutls-serv echo "+suite+"\n")
				st := sock.ConnectionState()
				if st.Suite.OpenSSLName != suite || st.Group != g || st.ALPNProtocol != "h2" || st.VerifyError != nil ||
					!st.ExtendedMasterSecret || !st.SecureRenegotiation {
					t.Errorf("we negotiated %v %v %q verify %v EMS %v reneg %v", st.Suite, st.Group, st.ALPNProtocol, st.VerifyError,
						st.ExtendedMasterSecret, st.SecureRenegotiation)
				}
				ekm := ourGnuTLSEKM(t, st)
				srv := servers[kt]
				if !srv.waitFor("- Key material: "+ekm, 5*time.Second) {
					t.Fatalf("gnutls-serv did not export our keying material %s:\n%s", ekm, srv.output())
				}
				checkGnuTLSSession(t, gnutlsConnection(srv.output(), sock.LocalAddr().(*net.TCPAddr).Port), suite, g, ekm)
			})
		}
	}
}

// gnutlsConnection is the part of gnutls-serv's log about the connection
// from a local port.
func gnutlsConnection(log string, port int) string {
	start := strings.Index(log, "127.0.0.1 port "+strconv.Itoa(port)+" ")
	if start < 0 {
		return ""
	}
	rest := log[start:]
	if end := strings.Index(rest[1:], "* Accepted connection"); end >= 0 {
		rest = rest[:end+1]
	}
	return rest
}

// echoLine sends a text line through a line-oriented echo server and
// checks it comes back.
func echoLine(t *testing.T, rw io.ReadWriter, line string) {
	t.Helper()
	if _, err := io.WriteString(rw, line); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(line))
	if _, err := io.ReadFull(rw, got); err != nil || string(got) != line {
		t.Fatalf("echo %q, %v", got, err)
	}
}
