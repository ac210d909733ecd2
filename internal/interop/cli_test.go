package interop

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/testbin"
)

// tlsengineBinary builds cmd/tlsengine once per test binary.
func tlsengineBinary(t *testing.T) string { return testbin.Build(t, "../../cmd/tlsengine") }

// TestMatrixCLIWithOpenSSL checks the command-line tool itself:
// `openssl s_client -tls1_2 -cipher S` against `tlsengine serve`, and
// `tlsengine connect` against `openssl s_server -www`, for the six core
// suites with X25519, P-256 and P-384, with OpenSSL reporting extended
// master secret and secure renegotiation. Its rows are marked "[cli]".
func TestMatrixCLIWithOpenSSL(t *testing.T) {
	bin := tlsengineBinary(t)
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		p := pkis[kt]
		for _, g := range coreGroups {
			t.Run(fmt.Sprintf("serve/%s/%v", kt, g), func(t *testing.T) {
				t.Parallel()
				// The server's curve list puts g first, so g is chosen
				// from the client's offer.
				srv := start(t, bin, "serve", "-addr", "127.0.0.1:0", "-key", p.keyPEM, "-cert", p.chainPEM,
					"-ecdh-curve", opensslGroup(g)+":P-256")
				if !srv.waitFor("listening on ", 10*time.Second) {
					t.Fatalf("serve did not start:\n%s", srv.output())
				}
				addr := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(srv.output())[1]
				for _, suite := range coreSuites {
					if authFor(suite) != kt {
						continue
					}
					t.Run(suite, func(t *testing.T) {
						row(t, "openssl s_client [cli]", "client", suite, g.String())
						sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-cipher", suite,
							"-groups", opensslGroups(suite, g), "-servername", "localhost", "-CAfile", p.rootPEM, "-verify_return_error")
						fmt.Fprintln(sc.stdin, "cli-ping")
						if !sc.waitFor("cli-ping\n", 10*time.Second) || !sc.waitFor("Verify return code", time.Second) {
							t.Fatalf("no echo:\n%s", sc.output())
						}
						sc.stdin.Close()
						sc.wait(5 * time.Second)
						out := sc.output()
						for _, want := range []string{"Cipher is " + suite, "Extended master secret: yes",
							"Secure Renegotiation IS supported", "Verify return code: 0 (ok)", "Server Temp Key: " + tempKeyName(g)} {
							if !strings.Contains(out, want) {
								t.Errorf("s_client lacks %q", want)
							}
						}
					})
				}
			})
			t.Run(fmt.Sprintf("connect/%s/%v", kt, g), func(t *testing.T) {
				t.Parallel()
				_, addr := startSServer(t, p.chainArgs()...)
				for _, suite := range coreSuites {
					if authFor(suite) != kt {
						continue
					}
					t.Run(suite, func(t *testing.T) {
						row(t, "openssl s_server [cli]", "server", suite, g.String())
						ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
						defer cancel()
						// The client lists g first and the certificate's
						// curve after it (RFC 8422, Section 5.1).
						cli := exec.CommandContext(ctx, bin, "connect", addr, "-servername", "localhost",
							"-ca", p.rootPEM, "-ciphers", suite, "-ecdh-curve", opensslGroups(suite, g))
						cli.Stdin = strings.NewReader("GET / HTTP/1.0\r\n\r\n")
						var stderr strings.Builder
						cli.Stderr = &stderr
						page, err := cli.Output()
						if err != nil || !strings.Contains(string(page), "Cipher is "+suite) ||
							!strings.Contains(stderr.String(), "Verification: OK") || !strings.Contains(stderr.String(), "Group     : "+g.OpenSSLName()) {
							t.Fatalf("%v\nstderr:\n%s\npage:\n%.300s", err, stderr.String(), page)
						}
					})
				}
			})
		}
	}
}
