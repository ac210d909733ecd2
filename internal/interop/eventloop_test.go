package interop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/eventloop"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/session"
)

// The eventloop server (serve -event-loop) against real clients: echo and
// resumption over TLS 1.2 and 1.3, as startEcho's api server is tested.

// loopEcho is an echo handler reporting each handshake to results.
type loopEcho struct{ results chan<- serverResult }

func (h loopEcho) Established(c *eventloop.Conn, st *engine.ConnectionState) {
	select {
	case h.results <- serverResult{state: st, remote: c.RemoteAddr().String()}:
	default:
	}
}

func (loopEcho) Data(c *eventloop.Conn, p []byte) { c.Write(p) }

// startLoopEcho runs an eventloop echo server on a loopback port until
// the test ends; each connection's handshake result (or handshake error)
// goes to the returned channel.
func startLoopEcho(t *testing.T, cfg *engine.Config) (string, <-chan serverResult) {
	t.Helper()
	results := make(chan serverResult, 16)
	return serveLoop(t, &eventloop.Server{Config: cfg, Handler: loopEcho{results}, Loops: 2}, results), results
}

// serveLoop runs s on a loopback port until the test ends, its handshake
// errors going to results.
func serveLoop(t *testing.T, s *eventloop.Server, results chan<- serverResult) string {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s.HandshakeTimeout = peerTimeout
	s.ErrorLog = func(peer net.Addr, err error) {
		var he *eventloop.HandshakeError
		if errors.As(err, &he) && peer != nil {
			select {
			case results <- serverResult{err: he.Err, remote: peer.String()}:
			default:
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("eventloop: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("eventloop did not stop")
		}
	})
	return ln.Addr().String()
}

// TestEventLoopOpenSSLClient: `openssl s_client -sess_out`, then
// `-sess_in` twice, over TLS 1.2 (tickets) and TLS 1.3 (with ALPN and
// client certificates): the echo comes back and OpenSSL and our server
// agree that the later connections resumed.
func TestEventLoopOpenSSLClient(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	type variant struct {
		name, flag, reused string
		cfg                *engine.Config
		c                  resume13Case
	}
	var variants []variant
	cfg12 := p.serverConfig()
	cfg12.Tickets = newTicketer(t)
	variants = append(variants, variant{"TLS 1.2", "-tls1_2", "Reused, TLSv1.2", cfg12, resume13Case{}})
	for _, c := range resume13Cases {
		variants = append(variants, variant{"TLS 1.3 " + c.name, "-tls1_3", "Reused, TLSv1.3", server13Config(p, newTicketer(t), c), c})
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_client", "client", "event loop "+v.name+" resume", "X25519")
			addr, results := startLoopEcho(t, v.cfg)
			sess := filepath.Join(t.TempDir(), "sess.pem")
			for i, sessFlag := range []string{"-sess_out", "-sess_in", "-sess_in"} {
				args := []string{"s_client", v.flag, "-connect", addr, "-servername", "localhost", "-CAfile", p.rootPEM,
					"-verify_return_error", sessFlag, sess}
				if v.c.alpn {
					args = append(args, "-alpn", "h2")
				}
				if v.c.clientCert {
					args = append(args, "-cert", p.leafPEM, "-key", p.keyPEM, "-cert_chain", p.interPEM)
				}
				res := sClientResume(t, i, args, v.reused, results)
				if v.flag == "-tls1_3" {
					checkResumed13(t, i, res, v.c)
				}
			}
		})
	}
}

// TestEventLoopNodeClient: Node v20's session option and event against
// the event loop, as TestResume13NodeClient against the api server.
func TestEventLoopNodeClient(t *testing.T) {
	script := writeScript(t, "loop-resume13-client.js", nodeResume13ClientJS)
	row(t, "node tls", "client", "event loop TLS 1.3 resume", "X25519")
	p := pkis[certgen.ECDSAP256]
	c := resume13Cases[1] // with ALPN
	addr, results := startLoopEcho(t, server13Config(p, newTicketer(t), c))
	_, port, _ := net.SplitHostPort(addr)
	node := start(t, "node", script, port, p.rootPEM, "h2")
	if err := node.wait(20 * time.Second); err != nil {
		t.Fatalf("%v: %s", err, node.output())
	}
	want := `[{"reused":false,"alpn":"h2","sessions":2},{"reused":true,"alpn":"h2","sessions":0},{"reused":true,"alpn":"h2","sessions":0}]`
	if out := strings.TrimSpace(node.output()); out != want {
		t.Fatalf("node: %s\nwant %s", out, want)
	}
	for i := range 3 {
		checkResumed13(t, i, result(t, results), c)
	}
}

// TestEventLoopGnuTLSClient: `gnutls-cli --resume` over TLS 1.3.
func TestEventLoopGnuTLSClient(t *testing.T) {
	row(t, "gnutls-cli", "client", "event loop TLS 1.3 resume", "X25519")
	p := pkis[certgen.ECDSAP256]
	addr, results := startLoopEcho(t, server13Config(p, newTicketer(t), resume13Cases[0]))
	gnutlsResume13(t, p, addr, results)
}

// slowStore is a session store whose lookups take a while, as one on
// the network does.
type slowStore struct {
	mu       sync.Mutex
	sessions map[string]*session.State
	lookups  int
}

func (s *slowStore) lookup(id []byte) (*session.State, error) {
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lookups++
	return s.sessions[string(id)], nil
}

// storingEcho is loopEcho that also saves each new session in the store.
type storingEcho struct {
	loopEcho
	store *slowStore
}

func (h storingEcho) Established(c *eventloop.Conn, st *engine.ConnectionState) {
	if st.NewSession && st.Session != nil {
		h.store.mu.Lock()
		h.store.sessions[string(st.Session.SessionID)] = st.Session
		h.store.mu.Unlock()
	}
	h.loopEcho.Established(c, st)
}

// TestEventLoopWaitingSessionLookup: TLS 1.2 resumption by session id
// (`openssl s_client -no_ticket -sess_out`, then `-sess_in`) on an event
// loop whose session lookups wait 50 ms each, answered off the loop:
// s_client and our server agree the second connection resumed, after one
// lookup.
func TestEventLoopWaitingSessionLookup(t *testing.T) {
	row(t, "openssl s_client", "client", "event loop TLS 1.2 resume by id, lookups waiting", "X25519")
	p := pkis[certgen.ECDSAP256]
	cfg := p.serverConfig()
	cfg.LookupSessions = true
	store := &slowStore{sessions: map[string]*session.State{}}
	results := make(chan serverResult, 16)
	addr := serveLoop(t, &eventloop.Server{Config: cfg, Handler: storingEcho{loopEcho{results}, store}, Loops: 1,
		Resolvers: func(net.Addr) *engine.Resolvers { return &engine.Resolvers{SessionLookup: store.lookup} }}, results)
	sess := filepath.Join(t.TempDir(), "sess.pem")
	for i, sessFlag := range []string{"-sess_out", "-sess_in"} {
		sClientResume(t, i, []string{"s_client", "-tls1_2", "-no_ticket", "-connect", addr, "-servername", "localhost",
			"-CAfile", p.rootPEM, "-verify_return_error", sessFlag, sess}, "Reused, TLSv1.2", results)
	}
	store.mu.Lock()
	lookups := store.lookups
	store.mu.Unlock()
	if lookups != 1 {
		t.Fatalf("%d session lookups, want 1 (the resumption's)", lookups)
	}
}

// sClientResume runs `openssl args` as the i-th connection of a
// resumption sequence against an event-loop echo server: the echo comes
// back, and s_client (its summary holding reused) and our server (its
// result from results) agree that every connection after the first
// resumed. It returns the server's result.
func sClientResume(t *testing.T, i int, args []string, reused string, results <-chan serverResult) serverResult {
	t.Helper()
	sc := start(t, "openssl", args...)
	fmt.Fprintln(sc.stdin, "loop-ping")
	if !sc.waitFor("loop-ping\n", 10*time.Second) {
		t.Fatalf("connection %d: no echo:\n%s", i, sc.output())
	}
	sc.stdin.Close()
	if err := sc.wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := strings.Contains(sc.output(), reused); got != (i > 0) {
		t.Fatalf("connection %d: s_client reused=%v:\n%s", i, got, sc.output())
	}
	res := result(t, results)
	if res.err != nil || res.state.Resumed != (i > 0) {
		t.Fatalf("our server, connection %d: resumed %v, %v", i, res.state != nil && res.state.Resumed, res.err)
	}
	return res
}
