package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/x509lite"
)

// peerTimeout bounds every external process.
const peerTimeout = 20 * time.Second

// coreSuites are the six suites of issue 2.
var coreSuites = []string{
	"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
}

var coreGroups = []kex.Group{kex.X25519, kex.P256, kex.P384}

// pki is a chain written to files for the peers.
type pki struct {
	chain                     *certgen.Chain
	rootPEM, chainPEM, keyPEM string // file paths
	leafPEM, interPEM         string
	cred                      *handshake.Credential
	roots                     *x509lite.Pool
	kt                        certgen.KeyType
}

var (
	tmpDir  string
	pkis    = map[certgen.KeyType]*pki{}
	matrixM sync.Mutex
	matrix  []string
)

// record notes one matrix row for the summary printed at the end.
func record(row string) {
	matrixM.Lock()
	matrix = append(matrix, row)
	matrixM.Unlock()
}

func TestMain(m *testing.M) {
	var err error
	tmpDir, err = os.MkdirTemp("", "tlsengine-interop")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		p, err := newPKI(kt, "localhost", "127.0.0.1")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pkis[kt] = p
	}
	code := m.Run()
	sort.Strings(matrix)
	fmt.Printf("interop matrix: %d rows passed\n", len(matrix))
	for _, r := range matrix {
		fmt.Println("  " + r)
	}
	os.RemoveAll(tmpDir)
	os.Exit(code)
}

func newPKI(kt certgen.KeyType, names ...string) (*pki, error) {
	ch, err := certgen.NewChain(kt, time.Now(), names, rand.Reader)
	if err != nil {
		return nil, err
	}
	return writePKI(kt, ch)
}

var pkiSeq int

func writePKI(kt certgen.KeyType, ch *certgen.Chain) (*pki, error) {
	pkiSeq++
	dir := filepath.Join(tmpDir, fmt.Sprintf("%s-%d", kt, pkiSeq))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	keyPEM, err := ch.Leaf.KeyPEM()
	if err != nil {
		return nil, err
	}
	p := &pki{chain: ch, kt: kt}
	files := []struct {
		path *string
		name string
		data []byte
	}{
		{&p.rootPEM, "root.pem", ch.Root.CertPEM()},
		{&p.leafPEM, "leaf.pem", ch.Leaf.CertPEM()},
		{&p.interPEM, "inter.pem", ch.Intermediate.CertPEM()},
		{&p.chainPEM, "chain.pem", append(ch.Leaf.CertPEM(), ch.Intermediate.CertPEM()...)},
		{&p.keyPEM, "key.pem", keyPEM},
	}
	for _, f := range files {
		*f.path = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.path, f.data, 0o600); err != nil {
			return nil, err
		}
	}
	p.cred, err = handshake.NewCredential([][]byte{ch.Leaf.DER, ch.Intermediate.DER}, ch.Leaf.Key)
	if err != nil {
		return nil, err
	}
	root, err := x509lite.ParseCertificate(ch.Root.DER)
	if err != nil {
		return nil, err
	}
	p.roots = x509lite.NewPool()
	p.roots.Add(root)
	return p, nil
}

// need fails the test when a peer binary is missing: interop never skips.
func need(t *testing.T, bin string) string {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err != nil {
		t.Fatalf("%s not found: run `make deps` (CI=%s); interop tests never skip", bin, os.Getenv("CI"))
	}
	return path
}

func authFor(suite string) certgen.KeyType {
	if strings.Contains(suite, "ECDSA") {
		return certgen.ECDSAP256
	}
	return certgen.RSA2048
}

func opensslGroup(g kex.Group) string {
	switch g {
	case kex.P256:
		return "P-256"
	case kex.P384:
		return "P-384"
	case kex.P521:
		return "P-521"
	}
	return "X25519"
}

// serverConfig is our server's configuration for a PKI.
func (p *pki) serverConfig() *engine.Config {
	return &engine.Config{Rand: rand.Reader, Now: time.Now, Certificates: []*handshake.Credential{p.cred}, RootCAs: p.roots}
}

func (p *pki) clientConfig() *engine.Config {
	return &engine.Config{Rand: rand.Reader, Now: time.Now, RootCAs: p.roots}
}

// startEcho runs our echo server on a loopback port until the test ends.
// Each connection's handshake result goes to results.
func startEcho(t *testing.T, cfg *engine.Config) (string, <-chan serverResult) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan serverResult, 16)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				sock := api.NewServerSocket(conn, cfg, nil)
				defer sock.Close()
				ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
				defer cancel()
				conn.SetDeadline(time.Now().Add(peerTimeout))
				err := sock.Handshake(ctx)
				select {
				case results <- serverResult{state: sock.ConnectionState(), err: err}:
				default:
				}
				if err != nil {
					return
				}
				io.Copy(sock, sock)
			}()
		}
	}()
	return ln.Addr().String(), results
}

type serverResult struct {
	state *engine.ConnectionState
	err   error
}

// process is a running peer whose output is collected.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan struct{}
	cancel context.CancelFunc
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// start runs a peer with a hard deadline; it is killed when the test ends.
func start(t *testing.T, name string, args ...string) *process {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	p := &process{done: make(chan struct{}), cancel: cancel}
	p.cmd = exec.CommandContext(ctx, need(t, name), args...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	return p
}

// waitFor polls the output until it contains s, the process exits, or the
// deadline passes.
func (p *process) waitFor(s string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(p.output(), s) {
			return true
		}
		select {
		case <-p.done:
			return strings.Contains(p.output(), s)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

// wait waits for the process to exit.
func (p *process) wait(d time.Duration) error {
	select {
	case <-p.done:
		return nil
	case <-time.After(d):
		return errors.New("peer did not exit in time")
	}
}

// freePort finds a port a peer can listen on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// dialOurs connects our client to addr and runs the handshake.
func dialOurs(t *testing.T, addr string, cfg *engine.Config, opts engine.ClientOptions) (*api.TLSSocket, error) {
	t.Helper()
	var conn net.Conn
	var err error
	for i := 0; i < 50; i++ { // the peer may still be starting
		if conn, err = net.DialTimeout("tcp", addr, time.Second); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(peerTimeout))
	sock := api.NewClientSocket(conn, cfg, opts)
	t.Cleanup(func() { sock.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	return sock, sock.Handshake(ctx)
}
