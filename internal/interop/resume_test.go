package interop

import (
	"crypto/rand"
	gotls "crypto/tls"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
)

// Resumption against OpenSSL (issue 7), both ways, by ticket and by
// session id.

func newTicketer(t *testing.T) *session.Ticketer {
	key := make([]byte, session.KeyLen)
	rand.Read(key)
	tk, err := session.NewTicketer(key)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestResumeOpenSSLClient: `openssl s_client -reconnect` makes one full
// handshake and five reconnections offering the session; every
// reconnection must be reported "Reused" by OpenSSL and resumed by us.
func TestResumeOpenSSLClient(t *testing.T) {
	for _, mode := range []string{"ticket", "session-id"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_client", "client", "resume by "+mode, "-")
			p := pkis[certgen.ECDSAP256]
			cfg := p.serverConfig()
			cfg.SessionCache = session.NewCache(0)
			args := []string{"s_client", "-tls1_2", "-reconnect", "-servername", "localhost", "-CAfile", p.rootPEM}
			if mode == "ticket" {
				cfg.Tickets = newTicketer(t)
			} else {
				args = append(args, "-no_ticket")
			}
			addr, results := startEcho(t, cfg)
			sc := start(t, "openssl", append(args, "-connect", addr)...)
			sc.stdin.Close()
			if err := sc.wait(15 * time.Second); err != nil {
				t.Fatal(err)
			}
			out := sc.output()
			if n := strings.Count(out, "Reused, TLSv1.2"); n != 5 {
				t.Errorf("OpenSSL reports %d reused sessions, want 5", n)
			}
			full, resumed := 0, 0
			for range 6 {
				r := result(t, results)
				if r.err != nil {
					t.Fatalf("our server: %v", r.err)
				}
				if r.state.Resumed {
					resumed++
				} else {
					full++
				}
			}
			if full != 1 || resumed != 5 {
				t.Errorf("our server: %d full, %d resumed handshakes; want 1 and 5", full, resumed)
			}
			if t.Failed() {
				t.Logf("s_client output:\n%s", out)
			}
		})
	}
}

// TestResumeOpenSSLServer: our client resumes against `openssl s_server`,
// with tickets and (with -no_ticket) by session id.
func TestResumeOpenSSLServer(t *testing.T) {
	for _, mode := range []string{"ticket", "session-id"} {
		t.Run(mode, func(t *testing.T) {
			row(t, "openssl s_server", "server", "resume by "+mode, "-")
			p := pkis[certgen.RSA2048]
			extra := p.chainArgs()
			if mode == "session-id" {
				extra = append(extra, "-no_ticket")
			}
			srv, addr := startSServer(t, extra...)
			defer func() {
				if t.Failed() {
					t.Logf("s_server output:\n%s", srv.output())
				}
			}()
			cfg := p.clientConfig()
			cfg.Groups = []kex.Group{kex.X25519}
			cfg.CipherSuites = []uint16{cipher.SuiteByName("ECDHE-RSA-AES128-GCM-SHA256").ID}
			var sess *session.State
			for i := range 3 {
				sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost", Session: sess})
				if err != nil {
					t.Fatalf("connection %d: %v", i, err)
				}
				st := sock.ConnectionState()
				if st.Resumed != (i > 0) {
					t.Fatalf("connection %d: resumed %v", i, st.Resumed)
				}
				if st.Session == nil || (mode == "ticket") != (len(st.Session.Ticket) > 0) {
					t.Fatalf("connection %d: session %+v", i, st.Session)
				}
				if st.VerifyError != nil || len(st.PeerCertificates) == 0 {
					t.Fatalf("connection %d: peer view lost: %v, %d certificates", i, st.VerifyError, len(st.PeerCertificates))
				}
				page := fetch(t, sock)
				reused := strings.Contains(page, "Reused, TLSv1.2")
				if reused != (i > 0) {
					t.Fatalf("connection %d: s_server says reused=%v", i, reused)
				}
				sess = st.Session
				sock.Close() // s_server serves one connection at a time
			}
		})
	}
}

// TestResumeGoClient: Go's crypto/tls client resumes against our server
// by ticket, and our client resumes against a crypto/tls server.
func TestResumeGoClient(t *testing.T) {
	row(t, "go crypto/tls", "client", "resume by ticket", "-")
	p := pkis[certgen.ECDSAP256]
	cfg := p.serverConfig()
	cfg.Tickets = newTicketer(t)
	addr, results := startEcho(t, cfg)
	goCfg := &gotls.Config{
		RootCAs: p.goRoots(t), ServerName: "localhost", MaxVersion: gotls.VersionTLS12,
		ClientSessionCache: gotls.NewLRUClientSessionCache(4),
	}
	for i := range 3 {
		conn, err := gotls.DialWithDialer(&net.Dialer{Timeout: peerTimeout}, "tcp", addr, goCfg)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(peerTimeout))
		echo(t, conn, 100)
		conn.Close()
		res := result(t, results)
		if res.err != nil {
			t.Fatalf("our server: %v", res.err)
		}
		if did := conn.ConnectionState().DidResume; did != (i > 0) || res.state.Resumed != did {
			t.Fatalf("connection %d: crypto/tls resumed %v, our server %v", i, did, res.state.Resumed)
		}
	}
}

func TestResumeGoServer(t *testing.T) {
	row(t, "go crypto/tls", "server", "resume by ticket", "-")
	p := pkis[certgen.ECDSAP256]
	addr, served := goServer(t, &gotls.Config{Certificates: []gotls.Certificate{p.goCert()}, MaxVersion: gotls.VersionTLS12})
	cfg := p.clientConfig()
	var sess *session.State
	for i := range 3 {
		sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost", Session: sess})
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		echo(t, sock, 100)
		st := sock.ConnectionState()
		sock.Close()
		g := goResult(t, served)
		if st.Resumed != (i > 0) || g.state.DidResume != st.Resumed {
			t.Fatalf("connection %d: we resumed %v, crypto/tls %v", i, st.Resumed, g.state.DidResume)
		}
		sess = st.Session
	}
}

// nodeResumeClientJS connects three times, offering the session the
// previous connection's 'session' event gave, and prints
// isSessionReused() for each.
const nodeResumeClientJS = `
const tls = require('tls'), fs = require('fs');
const [port, ca] = process.argv.slice(2);
const reused = [];
function go(sess, n) {
  let next = sess;
  const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca),
    maxVersion: 'TLSv1.2', session: sess}, () => { reused.push(s.isSessionReused()); s.end(); });
  s.on('session', x => { next = x; });
  s.on('data', () => {});
  s.on('close', () => { if (n > 1) go(next, n - 1); else console.log(JSON.stringify(reused)); });
  s.on('error', e => { console.log(JSON.stringify({error: e.code || e.message})); process.exit(1); });
}
go(undefined, 3);
setTimeout(() => { console.log(JSON.stringify({error: 'timeout'})); process.exit(2); }, 15000).unref();
`

// nodeResumeServerJS is a Node echo server printing, per connection,
// whether it resumed a session.
const nodeResumeServerJS = `
const tls = require('tls'), fs = require('fs');
const [key, cert] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), maxVersion: 'TLSv1.2'}, s => {
  console.log(JSON.stringify({port: s.remotePort, reused: s.isSessionReused()}));
  s.pipe(s);
  s.on('error', () => {});
});
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 18000).unref();
`

func TestResumeNodeClient(t *testing.T) {
	script := writeScript(t, "resume-client.js", nodeResumeClientJS)
	for _, mode := range []string{"ticket", "session-id"} {
		t.Run(mode, func(t *testing.T) {
			row(t, "node tls", "client", "resume by "+mode, "-")
			p := pkis[certgen.ECDSAP256]
			cfg := p.serverConfig()
			if mode == "ticket" {
				cfg.Tickets = newTicketer(t)
			} else {
				cfg.SessionCache = session.NewCache(0)
			}
			addr, results := startEcho(t, cfg)
			_, port, _ := net.SplitHostPort(addr)
			node := start(t, "node", script, port, p.rootPEM)
			if err := node.wait(20 * time.Second); err != nil {
				t.Fatalf("%v: %s", err, node.output())
			}
			if out := strings.TrimSpace(node.output()); out != "[false,true,true]" {
				t.Fatalf("node isSessionReused: %s", out)
			}
			for i := range 3 {
				if r := result(t, results); r.err != nil || r.state.Resumed != (i > 0) {
					t.Fatalf("our server, connection %d: resumed %v, error %v", i, r.state.Resumed, r.err)
				}
			}
		})
	}
}

func TestResumeNodeServer(t *testing.T) {
	row(t, "node tls", "server", "resume by ticket", "-")
	p := pkis[certgen.RSA2048]
	node, nport := startNodeServer(t, writeScript(t, "resume-server.js", nodeResumeServerJS), p.keyPEM, p.chainPEM)
	port := strconv.Itoa(nport)
	cfg := p.clientConfig()
	var sess *session.State
	for i := range 3 {
		sock, err := dialOurs(t, "127.0.0.1:"+port, cfg, engine.ClientOptions{ServerName: "localhost", Session: sess})
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		echo(t, sock, 100)
		st := sock.ConnectionState()
		line := nodeLine(t, node, sock.LocalAddr().(*net.TCPAddr).Port)
		sock.Close()
		want := `"reused":` + map[bool]string{true: "true", false: "false"}[i > 0]
		if st.Resumed != (i > 0) || !strings.Contains(line, want) {
			t.Fatalf("connection %d: we resumed %v, node says %s", i, st.Resumed, line)
		}
		sess = st.Session
	}
}
