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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/nodepeer"
	"github.com/tlsengine/tlsengine/internal/testbin"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/x509lite"
)

// peerTimeout bounds every external process and every connection.
const peerTimeout = 20 * time.Second

// coreSuites are the six TLS 1.2 suites of the matrix.
var coreSuites = []string{
	"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
}

// coreGroups are the key-exchange groups of the matrix.
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

// tmpDir holds every file the peers read; pkis holds one chain per key
// type, made once per test binary (RSA keys are slow to generate).
var (
	tmpDir string
	pkis   = map[certgen.KeyType]*pki{}
)

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
			os.RemoveAll(tmpDir)
			os.Exit(1)
		}
		pkis[kt] = p
	}
	code := testbin.Run(m)
	printSummary(os.Stdout)
	os.RemoveAll(tmpDir)
	os.Exit(code)
}

// matrixRow is one result: which peer, the peer's role, the suite (or the
// case name) and the group, and whether it passed.
type matrixRow struct {
	peer, role, suite, group string
	ok                       bool
}

// name is the row as `peer role suite group`, without the group when the
// row is not about one.
func (r matrixRow) name() string {
	n := r.peer + " " + r.role + " " + r.suite
	if r.group != "-" {
		n += " " + r.group
	}
	return n
}

var (
	rowsMu sync.Mutex
	rows   []matrixRow
)

// row registers the running (sub)test as one matrix row. When the test
// ends its outcome is logged as `peer role suite group: ok` (or FAIL) and
// kept for the summary TestMain prints. role is the peer's role: "client"
// when the peer connects to us, "server" when we connect to it.
func row(t *testing.T, peer, role, suite, group string) {
	t.Helper()
	t.Cleanup(func() {
		r := matrixRow{peer: peer, role: role, suite: suite, group: group, ok: !t.Failed()}
		status := "ok"
		if !r.ok {
			status = "FAIL"
		}
		t.Logf("%s: %s", r.name(), status)
		rowsMu.Lock()
		rows = append(rows, r)
		rowsMu.Unlock()
	})
}

// printSummary writes the compact matrix: one line per peer, role and
// suite with a column per core group, then the rows that are not a
// suite × group cell (client certificates, verification failures).
func printSummary(w io.Writer) {
	rowsMu.Lock()
	defer rowsMu.Unlock()
	if len(rows) == 0 {
		return
	}
	type key struct{ peer, role, suite string }
	cells := map[key]map[string]string{}
	var keys []key
	var other []string
	passed := 0
	for _, r := range rows {
		status := "ok"
		if r.ok {
			passed++
		} else {
			status = "FAIL"
		}
		if !isCoreGroup(r.group) {
			other = append(other, fmt.Sprintf("  %-24s %-6s %s: %s", r.peer, r.role, strings.TrimPrefix(r.name(), r.peer+" "+r.role+" "), status))
			continue
		}
		k := key{r.peer, r.role, r.suite}
		if cells[k] == nil {
			cells[k] = map[string]string{}
			keys = append(keys, k)
		}
		cells[k][r.group] = status
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.peer != b.peer {
			return a.peer < b.peer
		}
		if a.role != b.role {
			return a.role < b.role
		}
		return a.suite < b.suite
	})
	sort.Strings(other)
	fmt.Fprintf(w, "interop matrix (TLS 1.2; role = the peer's role): %d rows, %d ok, %d FAIL\n", len(rows), passed, len(rows)-passed)
	if len(keys) > 0 {
		fmt.Fprintf(w, "  %-24s %-6s %-30s", "peer", "role", "suite")
		for _, g := range coreGroups {
			fmt.Fprintf(w, " %-6s", g)
		}
		fmt.Fprintln(w)
		for _, k := range keys {
			fmt.Fprintf(w, "  %-24s %-6s %-30s", k.peer, k.role, k.suite)
			for _, g := range coreGroups {
				s := cells[k][g.String()]
				if s == "" {
					s = "-"
				}
				fmt.Fprintf(w, " %-6s", s)
			}
			fmt.Fprintln(w)
		}
	}
	for _, o := range other {
		fmt.Fprintln(w, o)
	}
}

func isCoreGroup(name string) bool {
	for _, g := range coreGroups {
		if g.String() == name {
			return true
		}
	}
	return false
}

func newPKI(kt certgen.KeyType, names ...string) (*pki, error) {
	ch, err := certgen.NewChain(kt, time.Now(), names, rand.Reader)
	if err != nil {
		return nil, err
	}
	return writePKI(kt, ch)
}

var (
	pkiSeqMu sync.Mutex
	pkiSeq   int
)

// writePKI writes a chain's files into a fresh directory under tmpDir.
func writePKI(kt certgen.KeyType, ch *certgen.Chain) (*pki, error) {
	pkiSeqMu.Lock()
	pkiSeq++
	dir := filepath.Join(tmpDir, fmt.Sprintf("%s-%d", kt, pkiSeq))
	pkiSeqMu.Unlock()
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

// need returns a peer binary's path, and fails the test when it is
// missing: interop tests never skip. In CI a missing peer means the image
// is broken; locally `make deps` installs the peers.
func need(t *testing.T, bin string) string {
	t.Helper()
	if bin == "node" {
		path, err := nodepeer.Path() // $TLSENGINE_NODE picks another node
		if err != nil {
			t.Fatal(err)
		}
		return path
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found in CI: the interop peers are part of the CI image; a missing peer is a failure", bin)
		}
		t.Fatalf("%s not found: run `make deps` to install the interop peers (openssl, gnutls-bin, nodejs); interop tests never skip", bin)
	}
	return path
}

func authFor(suite string) certgen.KeyType {
	if strings.Contains(suite, "ECDSA") {
		return certgen.ECDSAP256
	}
	return certgen.RSA2048
}

// opensslGroup is a group's name for -groups and -curves.
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

// offeredGroups is what a client offers to make a server pick g for
// suite: g alone, plus P-256 for ECDSA suites because the client's
// supported_groups also names the curves it accepts in the server's ECDSA
// certificate (RFC 8422, Section 5.1), and our certificates are P-256.
func offeredGroups(suite string, g kex.Group) []kex.Group {
	if authFor(suite) == certgen.ECDSAP256 && g != kex.P256 {
		return []kex.Group{g, kex.P256}
	}
	return []kex.Group{g}
}

// opensslGroups is offeredGroups as an OpenSSL -groups list.
func opensslGroups(suite string, g kex.Group) string {
	var names []string
	for _, og := range offeredGroups(suite, g) {
		names = append(names, opensslGroup(og))
	}
	return strings.Join(names, ":")
}

// serverConfig is our server's configuration for a PKI.
func (p *pki) serverConfig() *engine.Config {
	return &engine.Config{Rand: rand.Reader, Now: time.Now, Certificates: []*handshake.Credential{p.cred}, RootCAs: p.roots}
}

// apiOptions are api options presenting a PKI's leaf key and chain, as
// a Node server is given them.
func (p *pki) apiOptions(t *testing.T) api.SecureContextOptions {
	t.Helper()
	key, err := os.ReadFile(p.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := os.ReadFile(p.chainPEM)
	if err != nil {
		t.Fatal(err)
	}
	return api.SecureContextOptions{Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}}
}

// listenAPI starts srv on a free loopback port, closed when the test
// ends, and returns its address (Listen has bound it on return).
func listenAPI(t *testing.T, srv *api.Server) string {
	t.Helper()
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Address().String()
}

// clientConfig is our client's configuration trusting a PKI's root.
func (p *pki) clientConfig() *engine.Config {
	return &engine.Config{Rand: rand.Reader, Now: time.Now, RootCAs: p.roots}
}

// serverResult is what our server saw on one connection.
type serverResult struct {
	state  *engine.ConnectionState
	err    error
	keylog []string
	remote string // the peer's address, to match a result to a client
}

// serveLoopback accepts on ln until the test ends, handing each
// connection (with the peer deadline set) to handle on its own goroutine.
// Cleanup closes the listener and every connection and waits for the
// goroutines.
func serveLoopback(t *testing.T, ln net.Listener, handle func(net.Conn)) {
	var wg sync.WaitGroup
	var connsMu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		connsMu.Lock()
		for _, c := range conns {
			c.Close()
		}
		connsMu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			connsMu.Lock()
			conns = append(conns, conn)
			connsMu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn.SetDeadline(time.Now().Add(peerTimeout))
				handle(conn)
			}()
		}
	}()
}

// startEcho runs our echo server on a loopback port until the test ends.
// Each connection's handshake result goes to the returned channel.
func startEcho(t *testing.T, cfg *engine.Config) (string, <-chan serverResult) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan serverResult, 16)
	serveLoopback(t, ln, func(conn net.Conn) {
		sock := api.NewServerSocket(conn, cfg, nil)
		defer sock.Close()
		var mu sync.Mutex
		var keylog []string
		sock.OnKeylog(func(l string) { mu.Lock(); keylog = append(keylog, l); mu.Unlock() })
		ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
		defer cancel()
		err := sock.Handshake(ctx)
		mu.Lock()
		res := serverResult{state: sock.ConnectionState(), err: err, keylog: keylog, remote: conn.RemoteAddr().String()}
		mu.Unlock()
		select {
		case results <- res:
		default:
		}
		if err != nil {
			return
		}
		io.Copy(sock, sock)
	})
	return ln.Addr().String(), results
}

// result waits for our server's result for one connection.
func result(t *testing.T, results <-chan serverResult) serverResult {
	t.Helper()
	select {
	case r := <-results:
		return r
	case <-time.After(peerTimeout):
		t.Fatal("our server reported no connection")
		return serverResult{}
	}
}

// process is a running peer whose combined output is collected.
type process struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
	done  chan struct{}
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
	path := need(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	p := &process{done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, path, args...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	p.cmd.WaitDelay = time.Second
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		cancel() // kills the process if it is still running
		<-p.done
	})
	return p
}

// waitFor polls the output until it contains s, the process exits, or d
// passes.
func (p *process) waitFor(s string, d time.Duration) bool {
	deadline := time.After(d)
	for {
		if strings.Contains(p.output(), s) {
			return true
		}
		select {
		case <-p.done:
			return strings.Contains(p.output(), s)
		case <-deadline:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
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

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// startListener starts a peer that must listen itself: a free port is
// found by listening on 127.0.0.1:0 and closing, the peer is started with
// args(port) and must print ready. If the peer dies before that (another
// process took the port in between), it is retried on a new port.
func startListener(t *testing.T, name, ready string, args func(port int) []string) (*process, string) {
	t.Helper()
	var p *process
	for attempt := 0; attempt < 4; attempt++ {
		port := freePort(t)
		p = start(t, name, args(port)...)
		if p.waitFor(ready, 10*time.Second) {
			return p, "127.0.0.1:" + strconv.Itoa(port)
		}
		if !p.exited() {
			break // alive but silent: not a port collision
		}
	}
	t.Fatalf("%s did not start (waiting for %q):\n%s", name, ready, p.output())
	return nil, ""
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

// ourClient is our client socket and the key log lines it produced.
type ourClient struct {
	*api.TLSSocket
	mu     sync.Mutex
	keylog []string
}

func (c *ourClient) keylogLines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.keylog...)
}

// dialOurs connects our client to addr and runs the handshake.
func dialOurs(t *testing.T, addr string, cfg *engine.Config, opts engine.ClientOptions) (*ourClient, error) {
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
	c := &ourClient{TLSSocket: api.NewClientSocket(conn, cfg, opts)}
	c.OnKeylog(func(l string) { c.mu.Lock(); c.keylog = append(c.keylog, l); c.mu.Unlock() })
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	return c, c.Handshake(ctx)
}

// echo sends a short line and a payload spanning several records through
// an echoing peer, writing and reading concurrently, and checks that
// every byte comes back.
func echo(t *testing.T, rw io.ReadWriter, size int) {
	t.Helper()
	msg := make([]byte, size)
	if _, err := rand.Read(msg); err != nil {
		t.Fatal(err)
	}
	copy(msg, "round trip through both implementations\n")
	werr := make(chan error, 1)
	go func() {
		_, err := rw.Write(msg)
		werr <- err
	}()
	got := make([]byte, len(msg))
	_, rerr := io.ReadFull(rw, got)
	if err := <-werr; err != nil {
		t.Fatalf("echo write: %v", err)
	}
	if rerr != nil {
		t.Fatalf("echo read: %v", rerr)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo came back altered (%d bytes)", len(msg))
	}
}
