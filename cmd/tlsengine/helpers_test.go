package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/certgen"
)

// syncBuffer is an io.Writer that goroutines share with the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls b until it contains substr.
func waitFor(t *testing.T, b *syncBuffer, substr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.String(), substr) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q; have:\n%s", substr, b.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testServer is an in-process `tlsengine serve`.
type testServer struct {
	addr   string
	stdout *syncBuffer
	log    *syncBuffer // stderr
	cancel context.CancelFunc
	done   chan int
	once   sync.Once
	code   int
}

// startServer runs serve with args (plus -addr 127.0.0.1:0) and waits
// until it listens. It is stopped at the end of the test.
func startServer(t *testing.T, args ...string) *testServer {
	t.Helper()
	return startCommand(t, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
}

// startCommand runs the command line argv in process and waits until it
// prints "listening on ADDR". It is stopped at the end of the test.
func startCommand(t *testing.T, argv ...string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{stdout: &syncBuffer{}, log: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { s.done <- run(ctx, argv, strings.NewReader(""), s.stdout, s.log) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := s.stdout.String()
		if i := strings.Index(out, "listening on "); i >= 0 && strings.Contains(out[i:], "\n") {
			s.addr = strings.TrimSpace(strings.TrimPrefix(out[i:], "listening on "))
			break
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d before listening:\n%s", code, s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen; stderr:\n%s", s.log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the server and returns its exit status.
func (s *testServer) stop(t *testing.T) int {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		select {
		case s.code = <-s.done:
		case <-time.After(10 * time.Second):
			s.code = -1
		}
	})
	if s.code == -1 {
		t.Fatalf("serve did not stop after cancel; stderr:\n%s", s.log.String())
	}
	return s.code
}

// connectResult is what an in-process `tlsengine connect` produced.
type connectResult struct {
	code           int
	stdout, stderr string
}

// runConnect runs `tlsengine connect args...` with stdin in process.
func runConnect(t *testing.T, stdin string, args ...string) connectResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	code := run(ctx, append([]string{"connect"}, args...), strings.NewReader(stdin), &stdout, &stderr)
	if ctx.Err() != nil {
		t.Fatalf("connect %v timed out; stderr:\n%s", args, stderr.String())
	}
	return connectResult{code, stdout.String(), stderr.String()}
}

// pkiFiles is a CA chain and a leaf for localhost and 127.0.0.1 on disk.
type pkiFiles struct {
	rootPEM        string // the root CA
	chainPEM       string // leaf + intermediate
	keyPEM         string // the leaf's key
	selfSignedPEM  string // an unrelated self-signed certificate
	selfSignedKey  string
	otherRootPEM   string // a root that signed nothing here
	otherChainPEM  string // a leaf under otherRoot, + intermediate
	otherChainKey  string
	dir            string
	leafFingerprnt string
}

func writePKI(t *testing.T) *pkiFiles {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	write := func(name string, data ...[]byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Join(data, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyPEM := func(c *certgen.Cert) []byte {
		k, err := c.KeyPEM()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	chain, err := certgen.NewChain(certgen.ECDSAP256, now, []string{"localhost", "127.0.0.1"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := certgen.NewChain(certgen.ECDSAP256, now, []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	self, err := certgen.SelfSigned(certgen.ECDSAP256, now, []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &pkiFiles{
		dir:            dir,
		rootPEM:        write("root.pem", chain.Root.CertPEM()),
		chainPEM:       write("chain.pem", chain.Leaf.CertPEM(), chain.Intermediate.CertPEM()),
		keyPEM:         write("key.pem", keyPEM(chain.Leaf)),
		selfSignedPEM:  write("self.pem", self.CertPEM()),
		selfSignedKey:  write("self-key.pem", keyPEM(self)),
		otherRootPEM:   write("other-root.pem", other.Root.CertPEM()),
		otherChainPEM:  write("other-chain.pem", other.Leaf.CertPEM(), other.Intermediate.CertPEM()),
		otherChainKey:  write("other-key.pem", keyPEM(other.Leaf)),
		leafFingerprnt: certgen.Fingerprint256(chain.Leaf.DER),
	}
}
