package interop

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// TestCLITLS13WithOpenSSL checks the command-line tool in TLS 1.3 (its
// default; the flags here say it anyway):
// `openssl s_client -tls1_3` against `tlsengine serve -max-version
// TLSv1.3` (echo, with s_client's K answered) and `tlsengine connect
// -max-version TLSv1.3 -key-update` against `openssl s_server -tls1_3
// -www -msg`, every TLS 1.3 suite with OpenSSL 3.0's groups. OpenSSL
// reports TLSv1.3 and the suite, connect's summary the protocol, suite and
// group, serve's log the protocol and suite; s_server's trace shows our
// KeyUpdate and its own answer to update_requested, and the page arrives
// under its new keys. Rows are marked "[cli]".
func TestCLITLS13WithOpenSSL(t *testing.T) {
	bin := tlsengineBinary(t)
	p := pkis[certgen.ECDSAP256]
	for _, g := range groups13 {
		t.Run("serve/"+g.String(), func(t *testing.T) {
			t.Parallel()
			srv := start(t, bin, "serve", "-addr", "127.0.0.1:0", "-key", p.keyPEM, "-cert", p.chainPEM,
				"-max-version", "TLSv1.3", "-ecdh-curve", opensslName13(g))
			if !srv.waitFor("listening on ", 10*time.Second) {
				t.Fatalf("serve did not start:\n%s", srv.output())
			}
			addr := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(srv.output())[1]
			for _, s := range cipher.Suites13() {
				t.Run(s.Name, func(t *testing.T) {
					row(t, "openssl s_client -tls1_3 [cli]", "client", s.Name, g.String())
					sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_3", "-ciphersuites", s.Name,
						"-groups", opensslName13(g), "-servername", "localhost", "-CAfile", p.rootPEM, "-verify_return_error")
					sClientEcho(t, sc, true, "cli13-ping")
					sc.stdin.Close()
					sc.wait(5 * time.Second)
					for _, want := range []string{"New, TLSv1.3, Cipher is " + s.Name, "Verify return code: 0 (ok)"} {
						if !strings.Contains(sc.output(), want) {
							t.Errorf("s_client lacks %q:\n%s", want, sc.output())
						}
					}
					if !srv.waitFor("TLSv1.3 "+s.Name+" ALPN=none SNI=localhost", 5*time.Second) {
						t.Errorf("serve log lacks the TLS 1.3 line:\n%s", srv.output())
					}
				})
			}
		})
		t.Run("connect/"+g.String(), func(t *testing.T) {
			t.Parallel()
			for _, s := range cipher.Suites13() {
				t.Run(s.Name, func(t *testing.T) {
					row(t, "openssl s_server -tls1_3 [cli]", "server", s.Name, g.String())
					ss, addr := startListener(t, "openssl", "ACCEPT", func(port int) []string {
						return append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port), "-tls1_3", "-www", "-msg",
							"-ciphersuites", s.Name, "-groups", opensslName13(g)}, p.chainArgs()...)
					})
					ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
					defer cancel()
					cli := exec.CommandContext(ctx, bin, "connect", addr, "-servername", "localhost", "-ca", p.rootPEM,
						"-max-version", "TLSv1.3", "-ciphers", s.Name, "-ecdh-curve", opensslName13(g), "-key-update")
					cli.Stdin = strings.NewReader("GET / HTTP/1.0\r\n\r\n")
					var stderr strings.Builder
					cli.Stderr = &stderr
					page, err := cli.Output()
					if err != nil || !strings.Contains(string(page), "New, TLSv1.3, Cipher is "+s.Name) {
						t.Fatalf("%v\nstderr:\n%s\npage:\n%.300s", err, stderr.String(), page)
					}
					for _, want := range []string{"Protocol  : TLSv1.3\n", "Cipher    : " + s.Name + "\n",
						"Group     : " + g.OpenSSLName() + "\n", "Verification: OK\n", "KEYUPDATE\n"} {
						if !strings.Contains(stderr.String(), want) {
							t.Errorf("summary lacks %q:\n%s", want, stderr.String())
						}
					}
					for _, want := range []string{"<<< TLS 1.3, Handshake [length 0005], KeyUpdate", ">>> TLS 1.3, Handshake [length 0005], KeyUpdate"} {
						if !ss.waitFor(want, 5*time.Second) {
							t.Errorf("s_server trace lacks %q", want)
						}
					}
				})
			}
		})
	}
}
