package examples_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/testbin"
)

// startHTTPSServer builds and starts examples/https-server with args and
// returns the address it printed ("listening on ADDR") and a function
// that stops it with SIGTERM and returns its error.
func startHTTPSServer(t *testing.T, ctx context.Context, args ...string) (addr string, stop func() error) {
	t.Helper()
	cmd := exec.CommandContext(ctx, testbin.Build(t, "./https-server"), args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("https-server printed %q, %v", line, err)
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		return cmd.Wait()
	}
	t.Cleanup(func() { stop() })
	return addr, stop
}

// curl fetches url with args and returns its output.
func curl(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	out, err := exec.CommandContext(ctx, "curl", append([]string{"-sS", "--max-time", "10"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestHTTPSServerExample runs examples/https-server as a process, with its
// generated certificate and with -key/-cert files, and fetches its page
// with curl over HTTP/2 and HTTP/1.1: the page names the protocol each
// chose, the connection's TLS parameters and the SNI name; SIGTERM stops
// it cleanly.
func TestHTTPSServerExample(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ch, err := certgen.NewChain(certgen.ECDSAP256, time.Now(), []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key, _ := ch.Leaf.KeyPEM()
	files := map[string][]byte{"key.pem": key, "cert.pem": append(ch.Leaf.CertPEM(), ch.Intermediate.CertPEM()...), "ca.pem": ch.Root.CertPEM()}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, mode := range []struct {
		name       string
		args, curl []string
	}{
		{"generated", nil, []string{"-k"}},
		{"files", []string{"-key", filepath.Join(dir, "key.pem"), "-cert", filepath.Join(dir, "cert.pem")},
			[]string{"--cacert", filepath.Join(dir, "ca.pem")}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			addr, stop := startHTTPSServer(t, ctx, append([]string{"-addr", "127.0.0.1:0"}, mode.args...)...)
			port := addr[strings.LastIndex(addr, ":")+1:]
			for _, p := range []struct{ flag, proto, alpn string }{
				{"--http2", "HTTP/2.0", "h2"},
				{"--http1.1", "HTTP/1.1", "http/1.1"},
			} {
				page := curl(t, ctx, append(mode.curl, p.flag, "--resolve", "localhost:"+port+":127.0.0.1",
					"https://localhost:"+port+"/")...)
				want := regexp.MustCompile(`^HTTP protocol: ` + regexp.QuoteMeta(p.proto) + `\nTLS version:   TLSv1\.[23]\n` +
					`Cipher:        [A-Z0-9_-]+ \(TLS_[A-Z0-9_]+\)\nALPN:          ` + p.alpn + `\nSNI:           localhost\n$`)
				if !want.MatchString(page) {
					t.Errorf("curl %s: page\n%s\ndoes not match %s", p.flag, page, want)
				}
			}
			if err := stop(); err != nil {
				t.Errorf("https-server after SIGTERM: %v", err)
			}
		})
	}
}
