package interop

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// tlsengineBinary builds cmd/tlsengine once per test run.
func tlsengineBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binPath = filepath.Join(tmpDir, "tlsengine")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/tlsengine").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestMatrixCLIWithOpenSSL is issue 2's acceptance check, literally:
// `openssl s_client -tls1_2 -cipher S` against `tlsengine serve`, and
// `tlsengine connect` against `openssl s_server -www`, for the six core
// suites with X25519, P-256 and P-384, with OpenSSL reporting extended
// master secret and secure renegotiation.
func TestMatrixCLIWithOpenSSL(t *testing.T) {
	bin := tlsengineBinary(t)
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		for _, g := range coreGroups {
			t.Run(fmt.Sprintf("serve/%s/%v", kt, g), func(t *testing.T) {
				p := pkis[kt]
				// The server's curve list puts g first, so g is chosen
				// from the client's g:P-256 offer.
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
					sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-cipher", suite,
						"-groups", clientGroups(g), "-servername", "localhost", "-CAfile", p.rootPEM, "-verify_return_error")
					fmt.Fprintln(sc.stdin, "cli-ping")
					if !sc.waitFor("cli-ping\n", 10*time.Second) || !sc.waitFor("Verify return code", time.Second) {
						t.Fatalf("%s: no echo:\n%s", suite, sc.output())
					}
					sc.stdin.Close()
					sc.wait(5 * time.Second)
					out := sc.output()
					for _, want := range []string{"Cipher is " + suite, "Extended master secret: yes",
						"Secure Renegotiation IS supported", "Verify return code: 0 (ok)", "Server Temp Key: " + tempKeyName(g)} {
						if !strings.Contains(out, want) {
							t.Errorf("%s: s_client lacks %q", suite, want)
						}
					}
					if !t.Failed() {
						record(fmt.Sprintf("openssl-s_client -> tlsengine-serve   %-30s %-6v ok", suite, g))
					}
				}
			})
			t.Run(fmt.Sprintf("connect/%s/%v", kt, g), func(t *testing.T) {
				p := pkis[kt]
				port := freePort(t)
				ss := start(t, "openssl", "s_server", "-accept", strconv.Itoa(port), "-tls1_2", "-cert", p.leafPEM,
					"-key", p.keyPEM, "-cert_chain", p.interPEM, "-www")
				if !ss.waitFor("ACCEPT", 10*time.Second) {
					t.Fatalf("s_server: %s", ss.output())
				}
				for _, suite := range coreSuites {
					if authFor(suite) != kt {
						continue
					}
					// The client lists g first and the certificate's curve
					// after it (RFC 8422, 5.1); s_server follows its order.
					cli := exec.Command(bin, "connect", fmt.Sprintf("127.0.0.1:%d", port), "-servername", "localhost",
						"-ca", p.rootPEM, "-ciphers", suite, "-ecdh-curve", clientGroups(g))
					cli.Stdin = strings.NewReader("GET / HTTP/1.0\r\n\r\n")
					var stderr strings.Builder
					cli.Stderr = &stderr
					done := make(chan struct{})
					var page []byte
					var err error
					go func() { page, err = cli.Output(); close(done) }()
					select {
					case <-done:
					case <-time.After(peerTimeout):
						cli.Process.Kill()
						t.Fatalf("%s: connect timed out", suite)
					}
					if err != nil || !strings.Contains(string(page), "Cipher is "+suite) ||
						!strings.Contains(stderr.String(), "Verification: OK") || !strings.Contains(stderr.String(), "Group     : "+kex.Group(g).OpenSSLName()) {
						t.Fatalf("%s: %v\nstderr:\n%s\npage:\n%.300s", suite, err, stderr.String(), page)
					}
					record(fmt.Sprintf("tlsengine-connect -> openssl-s_server  %-30s %-6v ok", suite, g))
				}
			})
		}
	}
}
