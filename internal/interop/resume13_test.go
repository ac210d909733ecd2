package interop

import (
	"bytes"
	gotls "crypto/tls"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
)

// TLS 1.3 resumption with tickets (issue 15) against every peer, both
// ways: a full handshake, then resumptions with the newest ticket, with
// and without ALPN and client certificates, across two servers sharing
// ticket keys and after a key rotation.

// resume13Case is one variant of the TLS 1.3 resumption runs.
type resume13Case struct {
	name       string
	alpn       bool
	clientCert bool
}

var resume13Cases = []resume13Case{{name: "plain"}, {name: "alpn", alpn: true}, {name: "client-cert", clientCert: true}}

// server13Config is our TLS 1.3 server with ticket keys tk.
func server13Config(p *pki, tk *session.Ticketer, c resume13Case) *engine.Config {
	cfg := p.serverConfig()
	cfg.MaxVersion, cfg.Tickets = cipher.VersionTLS13, tk
	if c.alpn {
		cfg.ALPNProtocols = []string{"h2", "http/1.1"}
	}
	if c.clientCert {
		cfg.ClientAuth = handshake.RequireVerifiedClientCert
	}
	return cfg
}

// checkResumed13 checks our server's view of connection i of a run: the
// first full, the rest resumed, with the client certificate and ALPN of
// the original handshake.
func checkResumed13(t *testing.T, i int, res serverResult, c resume13Case) {
	t.Helper()
	if res.err != nil {
		t.Fatalf("our server, connection %d: %v", i, res.err)
	}
	st := res.state
	if st.Version != cipher.VersionTLS13 || st.Resumed != (i > 0) {
		t.Fatalf("our server, connection %d: version %#x resumed %v", i, st.Version, st.Resumed)
	}
	if c.alpn && st.ALPNProtocol != "h2" {
		t.Fatalf("our server, connection %d: ALPN %q", i, st.ALPNProtocol)
	}
	if c.clientCert && (len(st.PeerCertificates) == 0 || st.VerifyError != nil) {
		t.Fatalf("our server, connection %d: %d client certificates, %v", i, len(st.PeerCertificates), st.VerifyError)
	}
}

// TestResume13OpenSSLClient: `openssl s_client -tls1_3 -sess_out` then
// `-sess_in` against our servers; OpenSSL reports "Reused, TLSv1.3" and
// the second server, sharing the keys, resumes too, also after it rotated
// them.
func TestResume13OpenSSLClient(t *testing.T) {
	for _, c := range resume13Cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_client", "client", "TLS 1.3 resume "+c.name, "X25519")
			p := pkis[certgen.ECDSAP256]
			tkA, tkB := newTicketer(t), newTicketer(t)
			if err := tkB.SetKey(tkA.Key()); err != nil {
				t.Fatal(err)
			}
			addrA, resA := startEcho(t, server13Config(p, tkA, c))
			addrB, resB := startEcho(t, server13Config(p, tkB, c))
			sess := filepath.Join(t.TempDir(), "sess.pem")
			run := func(i int, addr string, results <-chan serverResult, sessFlag string) {
				args := []string{"s_client", "-tls1_3", "-connect", addr, "-servername", "localhost", "-CAfile", p.rootPEM, sessFlag, sess}
				if c.alpn {
					args = append(args, "-alpn", "h2")
				}
				if c.clientCert {
					args = append(args, "-cert", p.leafPEM, "-key", p.keyPEM, "-cert_chain", p.interPEM)
				}
				sc := start(t, "openssl", args...)
				// The echo comes after the tickets, so s_client has
				// stored them when it shows.
				fmt.Fprintln(sc.stdin, "resume13-ping")
				if !sc.waitFor("resume13-ping\n", 10*time.Second) {
					t.Fatalf("connection %d: no echo:\n%s", i, sc.output())
				}
				sc.stdin.Close()
				if err := sc.wait(10 * time.Second); err != nil {
					t.Fatal(err)
				}
				if reused := strings.Contains(sc.output(), "Reused, TLSv1.3"); reused != (i > 0) {
					t.Fatalf("connection %d: s_client reused=%v:\n%s", i, reused, sc.output())
				}
				checkResumed13(t, i, result(t, results), c)
			}
			run(0, addrA, resA, "-sess_out")
			run(1, addrA, resA, "-sess_in")
			run(2, addrB, resB, "-sess_in")
			if err := tkB.SetKey(bytes.Repeat([]byte{0x5a}, session.KeyLen)); err != nil {
				t.Fatal(err)
			}
			run(3, addrB, resB, "-sess_in")
		})
	}
}

// resume13Ours runs our client n times against addr, each offering the
// newest ticket received so far; page reads what the server sends (after
// the tickets) and returns it for check.
func resume13Ours(t *testing.T, addr string, cfg *engine.Config, n int, page func(*ourClient) string, check func(i int, st *engine.ConnectionState, page string)) {
	t.Helper()
	var sess *session.State
	for i := range n {
		sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost", Session: sess})
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		got := page(sock)
		st := sock.ConnectionState()
		if st.Version != cipher.VersionTLS13 || st.Resumed != (i > 0) || len(st.PeerCertificates) == 0 || st.VerifyError != nil {
			t.Fatalf("connection %d: version %#x resumed %v, %d certificates, %v", i, st.Version, st.Resumed, len(st.PeerCertificates), st.VerifyError)
		}
		saved := sock.Session()
		sock.Close()
		check(i, st, got)
		if saved == nil && i > 0 {
			// Node's servers send no new ticket on a resumption (its
			// ticket key callback asks for no renewal): the ticket is
			// offered again.
			continue
		}
		if saved == nil {
			t.Fatalf("connection %d: no TLS 1.3 ticket received", i)
		}
		if sess, err = session.Unmarshal(saved); err != nil || !sess.Is13() {
			t.Fatalf("connection %d: session %v", i, err)
		}
	}
}

// TestResume13OpenSSLServer: our client resumes against `openssl s_server
// -tls1_3 -www`, which reports "Reused, TLSv1.3" on its page.
func TestResume13OpenSSLServer(t *testing.T) {
	for _, c := range resume13Cases {
		t.Run(c.name, func(t *testing.T) {
			row(t, "openssl s_server", "server", "TLS 1.3 resume "+c.name, "X25519")
			p := pkis[certgen.RSA2048]
			extra := p.chainArgs()
			if c.alpn {
				extra = append(extra, "-alpn", "h2")
			}
			if c.clientCert {
				extra = append(extra, "-Verify", "2", "-CAfile", p.rootPEM)
			}
			srv, addr := startListener(t, "openssl", "ACCEPT", func(port int) []string {
				return append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port), "-tls1_3", "-www"}, extra...)
			})
			cfg := p.clientConfig()
			cfg.MaxVersion = cipher.VersionTLS13
			if c.alpn {
				cfg.ALPNProtocols = []string{"h2"}
			}
			if c.clientCert {
				cfg.Certificates = []*handshake.Credential{p.cred}
			}
			resume13Ours(t, addr, cfg, 3, func(s *ourClient) string { return fetch(t, s) }, func(i int, st *engine.ConnectionState, page string) {
				if reused := strings.Contains(page, "Reused, TLSv1.3"); reused != (i > 0) {
					t.Fatalf("connection %d: s_server says reused=%v:\n%s", i, reused, srv.output())
				}
				if c.alpn && st.ALPNProtocol != "h2" {
					t.Fatalf("connection %d: ALPN %q", i, st.ALPNProtocol)
				}
			})
		})
	}
}

// TestResume13GoClient: crypto/tls with a ClientSessionCache resumes
// against our server; our client resumes against a crypto/tls server.
func TestResume13GoClient(t *testing.T) {
	for _, c := range resume13Cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			row(t, "go crypto/tls", "client", "TLS 1.3 resume "+c.name, "X25519")
			p := pkis[certgen.ECDSAP256]
			addr, results := startEcho(t, server13Config(p, newTicketer(t), c))
			goCfg := &gotls.Config{RootCAs: p.goRoots(t), ServerName: "localhost", MinVersion: gotls.VersionTLS13,
				ClientSessionCache: gotls.NewLRUClientSessionCache(4)}
			if c.alpn {
				goCfg.NextProtos = []string{"h2"}
			}
			if c.clientCert {
				goCfg.Certificates = []gotls.Certificate{p.goCert()}
			}
			for i := range 3 {
				conn, err := gotls.DialWithDialer(&net.Dialer{Timeout: peerTimeout}, "tcp", addr, goCfg)
				if err != nil {
					t.Fatal(err)
				}
				conn.SetDeadline(time.Now().Add(peerTimeout))
				echo(t, conn, 100) // reads the tickets
				conn.Close()
				if did := conn.ConnectionState().DidResume; did != (i > 0) {
					t.Fatalf("connection %d: crypto/tls resumed %v", i, did)
				}
				checkResumed13(t, i, result(t, results), c)
			}
		})
	}
}

func TestResume13GoServer(t *testing.T) {
	for _, c := range resume13Cases {
		t.Run(c.name, func(t *testing.T) {
			row(t, "go crypto/tls", "server", "TLS 1.3 resume "+c.name, "X25519")
			p := pkis[certgen.ECDSAP256]
			goCfg := &gotls.Config{Certificates: []gotls.Certificate{p.goCert()}, MinVersion: gotls.VersionTLS13}
			cfg := p.clientConfig()
			cfg.MaxVersion = cipher.VersionTLS13
			if c.alpn {
				goCfg.NextProtos, cfg.ALPNProtocols = []string{"h2"}, []string{"h2"}
			}
			if c.clientCert {
				goCfg.ClientAuth, goCfg.ClientCAs = gotls.RequireAndVerifyClientCert, p.goRoots(t)
				cfg.Certificates = []*handshake.Credential{p.cred}
			}
			addr, served := goServer(t, goCfg)
			resume13Ours(t, addr, cfg, 3, func(s *ourClient) string { echo(t, s, 100); return "" }, func(i int, st *engine.ConnectionState, _ string) {
				g := goResult(t, served)
				if g.err != nil || g.state.DidResume != (i > 0) {
					t.Fatalf("connection %d: crypto/tls resumed %v, %v", i, g.state.DidResume, g.err)
				}
			})
		})
	}
}

// nodeResume13ClientJS connects three times with maxVersion TLSv1.3,
// offering the newest session the previous connection's 'session' events
// gave, and prints isSessionReused() and the number of session events of
// each connection.
const nodeResume13ClientJS = `
const tls = require('tls'), fs = require('fs');
const [port, ca, alpn] = process.argv.slice(2);
const out = [];
function go(sess, n) {
  let next = sess, events = 0;
  const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca),
    maxVersion: 'TLSv1.3', minVersion: 'TLSv1.3', session: sess, ALPNProtocols: alpn ? [alpn] : undefined}, () => {
    out.push({reused: s.isSessionReused(), alpn: s.alpnProtocol || false});
    s.write('node-ping\n');
  });
  s.on('session', x => { next = x; events++; });
  s.on('data', () => s.end());
  s.on('close', () => { out[out.length - 1].sessions = events; if (n > 1) go(next, n - 1); else console.log(JSON.stringify(out)); });
  s.on('error', e => { console.log(JSON.stringify({error: e.code || e.message})); process.exit(1); });
}
go(undefined, 3);
setTimeout(() => { console.log(JSON.stringify({error: 'timeout'})); process.exit(2); }, 15000).unref();
`

// TestResume13NodeClient: Node v20's session option and event against our
// server: two session events after the full handshake and none after a
// resumption of a fresh ticket, as against Node's own servers.
func TestResume13NodeClient(t *testing.T) {
	script := writeScript(t, "resume13-client.js", nodeResume13ClientJS)
	for _, c := range resume13Cases[:2] {
		t.Run(c.name, func(t *testing.T) {
			row(t, "node tls", "client", "TLS 1.3 resume "+c.name, "X25519")
			p := pkis[certgen.ECDSAP256]
			addr, results := startEcho(t, server13Config(p, newTicketer(t), c))
			_, port, _ := net.SplitHostPort(addr)
			alpn, wantALPN := "", "false"
			if c.alpn {
				alpn, wantALPN = "h2", `"h2"`
			}
			node := start(t, "node", script, port, p.rootPEM, alpn)
			if err := node.wait(20 * time.Second); err != nil {
				t.Fatalf("%v: %s", err, node.output())
			}
			want := fmt.Sprintf(`[{"reused":false,"alpn":%[1]s,"sessions":2},{"reused":true,"alpn":%[1]s,"sessions":0},{"reused":true,"alpn":%[1]s,"sessions":0}]`, wantALPN)
			if out := strings.TrimSpace(node.output()); out != want {
				t.Fatalf("node: %s\nwant %s", out, want)
			}
			for i := range 3 {
				checkResumed13(t, i, result(t, results), c)
			}
		})
	}
}

// nodeResume13ServerJS is a Node echo server limited to TLS 1.3 printing,
// per connection, whether it resumed a session.
const nodeResume13ServerJS = `
const tls = require('tls'), fs = require('fs');
const [key, cert] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), minVersion: 'TLSv1.3', ALPNProtocols: ['h2']}, s => {
  console.log(JSON.stringify({port: s.remotePort, reused: s.isSessionReused()}));
  s.pipe(s);
  s.on('error', () => {});
});
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 18000).unref();
`

func TestResume13NodeServer(t *testing.T) {
	row(t, "node tls", "server", "TLS 1.3 resume", "X25519")
	p := pkis[certgen.RSA2048]
	node, nport := startNodeServer(t, writeScript(t, "resume13-server.js", nodeResume13ServerJS), p.keyPEM, p.chainPEM)
	cfg := p.clientConfig()
	cfg.MaxVersion, cfg.ALPNProtocols = cipher.VersionTLS13, []string{"h2"}
	var port int
	resume13Ours(t, "127.0.0.1:"+strconv.Itoa(nport), cfg, 3, func(s *ourClient) string {
		port = s.LocalAddr().(*net.TCPAddr).Port
		echo(t, s, 100)
		return ""
	}, func(i int, st *engine.ConnectionState, _ string) {
		line := nodeLine(t, node, port)
		if want := `"reused":` + strconv.FormatBool(i > 0); !strings.Contains(line, want) || st.ALPNProtocol != "h2" {
			t.Fatalf("connection %d: node says %s, ALPN %q", i, line, st.ALPNProtocol)
		}
	})
}

// TestResume13GnuTLSClient: `gnutls-cli --resume` restricted to TLS 1.3
// against our server reports the second connection resumed.
func TestResume13GnuTLSClient(t *testing.T) {
	row(t, "gnutls-cli", "client", "TLS 1.3 resume", "X25519")
	p := pkis[certgen.ECDSAP256]
	addr, results := startEcho(t, server13Config(p, newTicketer(t), resume13Cases[0]))
	gnutlsResume13(t, p, addr, results)
}

// gnutlsResume13 runs `gnutls-cli --resume` over TLS 1.3 against our
// server at addr, whose handshakes go to results: an echo on the resumed
// connection, the first handshake full and the second resumed.
func gnutlsResume13(t *testing.T, p *pki, addr string, results <-chan serverResult) {
	t.Helper()
	port := addr[strings.LastIndex(addr, ":")+1:]
	cli := start(t, "gnutls-cli", "--x509cafile", p.rootPEM, "-p", port, "--sni-hostname", "localhost",
		"--verify-hostname", "localhost", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3", "--resume", "127.0.0.1")
	if !cli.waitFor("This is a resumed session", 15*time.Second) {
		t.Fatalf("gnutls-cli did not resume:\n%s", cli.output())
	}
	fmt.Fprintln(cli.stdin, "gnutls-ping")
	if !cli.waitFor("gnutls-ping\n", 10*time.Second) {
		t.Fatalf("no echo:\n%s", cli.output())
	}
	cli.stdin.Close()
	if err := cli.wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		checkResumed13(t, i, result(t, results), resume13Cases[0])
	}
}

// TestResume13GnuTLSServer: our client resumes against `gnutls-serv
// --echo` restricted to TLS 1.3.
func TestResume13GnuTLSServer(t *testing.T) {
	row(t, "gnutls-serv", "server", "TLS 1.3 resume", "X25519")
	p := pkis[certgen.RSA2048]
	srv, addr := startListener(t, "gnutls-serv", "Echo Server listening on IPv4", func(port int) []string {
		return []string{"--x509certfile", p.chainPEM, "--x509keyfile", p.keyPEM, "-p", strconv.Itoa(port), "--echo",
			"--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3"}
	})
	cfg := p.clientConfig()
	cfg.MaxVersion, cfg.Groups = cipher.VersionTLS13, []kex.Group{kex.X25519}
	resume13Ours(t, addr, cfg, 3, func(s *ourClient) string { echoLine(t, s, "gnutls-serv resume\n"); return "" },
		func(i int, st *engine.ConnectionState, _ string) {
			if i > 0 && !srv.waitFor("This is a resumed session", 5*time.Second) {
				t.Fatalf("connection %d: gnutls-serv does not report a resumed session:\n%s", i, srv.output())
			}
		})
}

// nodeSessionStoreJS is a Node v20 server limited to TLS 1.3 with
// newSession and resumeSession listeners (an external session store),
// printing each event and each connection's reuse.
const nodeSessionStoreJS = `
const tls = require('tls'), fs = require('fs');
const [key, cert] = process.argv.slice(2);
const store = {};
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), minVersion: 'TLSv1.3'}, s => {
  console.log(JSON.stringify({port: s.remotePort, reused: s.isSessionReused()}));
  s.pipe(s);
  s.on('error', () => {});
});
srv.on('newSession', (id, data, cb) => { store[id.toString('hex')] = data; console.log('newSession ' + id.length); cb(); });
srv.on('resumeSession', (id, cb) => { console.log('resumeSession ' + id.length + ' ' + !!store[id.toString('hex')]); cb(null, store[id.toString('hex')] || null); });
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 18000).unref();
`

// TestResume13SessionStoreAsNode: with newSession and resumeSession
// listeners, Node v20's TLS 1.3 server still resumes by its own tickets:
// newSession once per ticket it sends (two after a full handshake, none
// after a resumption), resumeSession once per connection with the
// client's 32-byte legacy_session_id, found in no store. Our api.Server
// does the same, checked with the same client against both.
func TestResume13SessionStoreAsNode(t *testing.T) {
	row(t, "node tls", "server", "TLS 1.3 newSession/resumeSession", "X25519")
	p := pkis[certgen.ECDSAP256]
	cfg := p.clientConfig()
	cfg.MaxVersion = cipher.VersionTLS13
	events := func(addr string, log func() string) string {
		resume13Ours(t, addr, cfg, 2, func(s *ourClient) string { echo(t, s, 100); return "" }, func(int, *engine.ConnectionState, string) {})
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(log(), "resumeSession") < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		var out []string
		for _, l := range strings.Split(log(), "\n") {
			if strings.HasPrefix(l, "newSession") || strings.HasPrefix(l, "resumeSession") {
				out = append(out, l)
			}
		}
		return strings.Join(out, ",")
	}
	node, nport := startNodeServer(t, writeScript(t, "session-store13.js", nodeSessionStoreJS), p.keyPEM, p.chainPEM)
	theirs := events("127.0.0.1:"+strconv.Itoa(nport), node.output)

	opts := p.apiOptions(t)
	opts.MaxVersion = "TLSv1.3"
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: opts}, func(s *api.TLSSocket) {
		go func() { io.Copy(s, s); s.Close() }()
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log strings.Builder
	store := map[string][]byte{}
	srv.OnNewSession(func(id, data []byte, done func()) {
		mu.Lock()
		store[string(id)] = data
		fmt.Fprintf(&log, "newSession %d\n", len(id))
		mu.Unlock()
		done()
	})
	srv.OnResumeSession(func(id []byte, cb func([]byte, error)) {
		mu.Lock()
		data, ok := store[string(id)]
		fmt.Fprintf(&log, "resumeSession %d %v\n", len(id), ok)
		mu.Unlock()
		cb(data, nil)
	})
	ours := events(listenAPI(t, srv), func() string { mu.Lock(); defer mu.Unlock(); return log.String() })
	const want = "resumeSession 32 false,newSession 32,newSession 32,resumeSession 32 false"
	if theirs != want || ours != theirs {
		t.Fatalf("events\n node: %s\n ours: %s\n want: %s", theirs, ours, want)
	}
}
