package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// apiEchoServer is our api server (Node's limits on client renegotiation
// included) echoing every connection; secure receives each socket.
func apiEchoServer(t *testing.T, p *pki) (port int, secure <-chan *api.TLSSocket) {
	t.Helper()
	key, _ := os.ReadFile(p.keyPEM)
	chain, _ := os.ReadFile(p.chainPEM)
	ch := make(chan *api.TLSSocket, 4)
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
		Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}}}, func(s *api.TLSSocket) {
		ch <- s
		go func() { echoSocket(s); s.Close() }()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Address().(*net.TCPAddr).Port, ch
}

// countMessages counts the handshake messages of a type in -msg output
// ("<<< TLS 1.2, Handshake [length 0051], ServerHello").
func countMessages(out, name string) int {
	return strings.Count(out, "], "+name)
}

// openssl s_client's "R" renegotiates with our server: a second full
// handshake (two ServerHellos in -msg), and data still echoes after it.
func TestRenegotiationOpenSSLClient(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	port, _ := apiEchoServer(t, p)
	sc := start(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(port), "-tls1_2", "-servername", "localhost",
		"-CAfile", p.rootPEM, "-msg")
	fmt.Fprintln(sc.stdin, "first")
	if !sc.waitFor("first\n", peerTimeout) {
		t.Fatalf("no echo:\n%s", sc.output())
	}
	fmt.Fprintln(sc.stdin, "R")
	if !sc.waitFor("RENEGOTIATING", peerTimeout) {
		t.Fatalf("s_client did not renegotiate:\n%s", sc.output())
	}
	fmt.Fprintln(sc.stdin, "second")
	if !sc.waitFor("second\n", peerTimeout) {
		t.Fatalf("no echo after the renegotiation:\n%s", sc.output())
	}
	sc.stdin.Close()
	out := sc.output()
	if n := countMessages(out, "ServerHello\n"); n != 2 || strings.Contains(out, "no renegotiation") {
		t.Fatalf("%d ServerHellos (want 2):\n%s", n, out)
	}
}

// Our client answers openssl s_server's renegotiation ("r" on its
// standard input sends HelloRequest): two ClientHellos reach s_server.
func TestRenegotiationOpenSSLServer(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	srv, addr := startListener(t, "openssl", "ACCEPT", func(port int) []string {
		return append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port), "-tls1_2", "-msg"}, p.chainArgs()...)
	})
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	ca, _ := os.ReadFile(p.rootPEM)
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	c, err := api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca}},
		Host: "127.0.0.1", Port: port, Servername: "localhost"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(peerTimeout))
	got := make(chan string, 1)
	go func() { b, _ := io.ReadAll(c); got <- string(b) }() // the application reads, as any client does
	if !srv.waitFor("CIPHER is", peerTimeout) {
		t.Fatalf("s_server did not finish the handshake:\n%s", srv.output())
	}
	fmt.Fprintln(srv.stdin, "r")
	if !srv.waitFor("HelloRequest", peerTimeout) {
		t.Fatalf("s_server did not renegotiate:\n%s", srv.output())
	}
	deadline := time.Now().Add(peerTimeout)
	for countMessages(srv.output(), "ClientHello\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := countMessages(srv.output(), "ClientHello\n"); n != 2 {
		t.Fatalf("s_server saw %d ClientHellos:\n%s", n, srv.output())
	}
	fmt.Fprintln(srv.stdin, "after the renegotiation")
	deadline = time.Now().Add(peerTimeout)
	for !strings.Contains(srv.output(), "Finished") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	srv.stdin.Close()
	select {
	case s := <-got:
		if !strings.Contains(s, "after the renegotiation") {
			t.Fatalf("our client read %q", s)
		}
	case <-time.After(peerTimeout):
		t.Fatal("our client read nothing after the renegotiation")
	}
}

// Our server's renegotiate({requestCert: true}) against Node's client
// obtains its certificate; Node's renegotiate({requestCert: true}) against
// our client gets ours (our renegotiations are full handshakes, so the
// Node v20 resumption pitfall does not arise).
func TestRenegotiationWithNode(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	port, secure := apiEchoServer(t, p)
	clientJS := `const tls = require('tls'), fs = require('fs');
const [port, ca, key, cert] = process.argv.slice(2);
const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca),
  key: fs.readFileSync(key), cert: fs.readFileSync(cert), maxVersion: 'TLSv1.2'}, () => s.write('hi'));
let got = '';
s.on('data', d => { got += d; if (got === 'hi' || got === 'hiagain') { if (got === 'hi') setTimeout(() => s.write('again'), 300); else { console.log(JSON.stringify({got})); s.end(); } } });
s.on('error', e => { console.log(JSON.stringify({error: e.code || e.message})); process.exit(1); });
setTimeout(() => process.exit(2), 15000).unref();`
	node := start(t, "node", writeScript(t, "reneg-client.js", clientJS), strconv.Itoa(port), p.rootPEM, p.keyPEM, p.chainPEM)
	var sock *api.TLSSocket
	select {
	case sock = <-secure:
	case <-time.After(peerTimeout):
		t.Fatalf("node did not connect:\n%s", node.output())
	}
	if sock.PeerCertificate(false) != nil {
		t.Fatal("a client certificate before renegotiate")
	}
	f := false
	if err := sock.Renegotiate(api.RenegotiateOptions{RequestCert: true, RejectUnauthorized: &f}, nil); err != nil {
		t.Fatalf("renegotiate with node: %v\n%s", err, node.output())
	}
	if pc := sock.PeerCertificate(false); pc == nil {
		t.Fatal("no client certificate after renegotiate({requestCert: true})")
	}
	if err := node.wait(peerTimeout); err != nil || !strings.Contains(node.output(), `"got":"hiagain"`) {
		t.Fatalf("node client: %v\n%s", err, node.output())
	}

	serverJS := `const tls = require('tls'), fs = require('fs');
const [key, cert, ca] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), ca: fs.readFileSync(ca), maxVersion: 'TLSv1.2'}, s => {
  s.on('error', () => {});
  s.renegotiate({requestCert: true, rejectUnauthorized: false}, err => {
    const pc = s.getPeerCertificate();
    console.log(JSON.stringify({err: err ? err.message : null, subject: pc && pc.subject ? pc.subject.CN || '' : null}));
    s.end('bye');
  });
});
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 15000).unref();`
	n, nport := startNodeServer(t, writeScript(t, "reneg-server.js", serverJS), p.keyPEM, p.chainPEM, p.rootPEM)
	ca, _ := os.ReadFile(p.rootPEM)
	key, _ := os.ReadFile(p.keyPEM)
	chain, _ := os.ReadFile(p.chainPEM)
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	c, err := api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca},
		Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}}, Host: "127.0.0.1", Port: nport, Servername: "localhost"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(peerTimeout))
	b, _ := io.ReadAll(c)
	if string(b) != "bye" {
		t.Fatalf("our client read %q:\n%s", b, n.output())
	}
	if !n.waitFor(`"subject"`, peerTimeout) {
		t.Fatalf("node server printed nothing:\n%s", n.output())
	}
	var res struct {
		Err     *string `json:"err"`
		Subject *string `json:"subject"`
	}
	if err := json.Unmarshal([]byte(lastLine(n.output())), &res); err != nil || res.Err != nil || res.Subject == nil {
		t.Fatalf("node's renegotiate: %v\n%s", err, n.output())
	}
}
