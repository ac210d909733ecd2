package interop

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// httpBoth starts net/http behind Server.HTTPListener (h2 and http/1.1)
// whose handler answers with the request's protocol and the connection's
// ALPN choice and SNI name, seen through SocketFromContext. It returns the
// port and the count of connections net/http accepted.
func httpBoth(t *testing.T, p *pki) (string, *atomic.Int32) {
	t.Helper()
	key, _ := os.ReadFile(p.keyPEM)
	chain, _ := os.ReadFile(p.chainPEM)
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
		Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	hs := &http.Server{ReadHeaderTimeout: peerTimeout,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				conns.Add(1)
			}
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := api.SocketFromContext(r.Context())
			fmt.Fprintf(w, "%s alpn=%s sni=%s\n", r.Proto, s.ALPNProtocol(), s.Servername())
		})}
	ln := srv.HTTPListener(hs)
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return strconv.Itoa(srv.Address().(*net.TCPAddr).Port), &conns
}

// TestHTTPListenerCurl: curl --http2 and --http1.1 fetch three pages each
// over one connection (curl's num_connects is 1, then 0), by the protocol
// each chose.
func TestHTTPListenerCurl(t *testing.T) {
	v := start(t, "curl", "--version")
	if err := v.wait(peerTimeout); err != nil || !strings.Contains(v.output(), " HTTP2") {
		t.Fatalf("this curl has no HTTP/2 (its Features line lacks HTTP2; Debian's curl has it):\n%s", v.output())
	}
	p := pkis[certgen.ECDSAP256]
	port, conns := httpBoth(t, p)
	url := "https://localhost:" + port + "/"
	for _, tc := range []struct{ flag, proto, alpn, version string }{
		{"--http2", "HTTP/2.0", "h2", "2"},
		{"--http1.1", "HTTP/1.1", "http/1.1", "1.1"},
	} {
		before := conns.Load()
		curl := start(t, "curl", "-sS", "--max-time", "10", tc.flag, "--cacert", p.rootPEM,
			"--resolve", "localhost:"+port+":127.0.0.1", "-w", "%{http_version} %{num_connects}\n", url, url, url)
		if err := curl.wait(peerTimeout); err != nil {
			t.Fatal(err)
		}
		page := tc.proto + " alpn=" + tc.alpn + " sni=localhost\n"
		want := page + tc.version + " 1\n" + page + tc.version + " 0\n" + page + tc.version + " 0\n"
		if got := curl.output(); got != want {
			t.Errorf("curl %s:\n%s\nwant\n%s", tc.flag, got, want)
		}
		if n := conns.Load() - before; n != 1 {
			t.Errorf("curl %s used %d connections, want 1", tc.flag, n)
		}
	}
}

// nodeHTTPClientJS fetches the page three times with Node's https (one
// keep-alive agent, one socket) and http2 (one session) clients and
// prints each answer.
const nodeHTTPClientJS = `
const https = require('https'), http2 = require('http2'), fs = require('fs');
const [port, ca] = process.argv.slice(2);
const opts = {ca: fs.readFileSync(ca), servername: 'localhost'};
const agent = new https.Agent({keepAlive: true, maxSockets: 1});
const sockets = new Set();
function get1(n) {
  if (n === 0) { console.log('https sockets ' + sockets.size); agent.destroy(); return h2(); }
  https.get({host: '127.0.0.1', port: +port, path: '/', agent, ...opts}, res => {
    sockets.add(res.socket);
    let b = ''; res.on('data', d => b += d); res.on('end', () => { process.stdout.write('https ' + res.httpVersion + ' ' + b); get1(n - 1); });
  }).on('error', e => { console.log('https error ' + e.message); process.exit(1); });
}
function h2() {
  const s = http2.connect('https://127.0.0.1:' + port, opts);
  s.on('error', e => { console.log('http2 error ' + e.message); process.exit(1); });
  let left = 3;
  for (let i = 0; i < 3; i++) {
    const req = s.request({':path': '/'});
    let b = ''; req.setEncoding('utf8'); req.on('data', d => b += d);
    req.on('end', () => { process.stdout.write('http2 ' + s.alpnProtocol + ' ' + b); if (--left === 0) s.close(); });
    req.end();
  }
}
get1(3);
`

// TestHTTPListenerNode: Node's https client (keep-alive agent) speaks
// HTTP/1.1 and its http2 client HTTP/2, each over one connection.
func TestHTTPListenerNode(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	port, conns := httpBoth(t, p)
	node := start(t, "node", writeScript(t, "client.js", nodeHTTPClientJS), port, p.rootPEM)
	if err := node.wait(peerTimeout); err != nil {
		t.Fatal(err)
	}
	// Node's https client offers no ALPN.
	want := strings.Repeat("https 1.1 HTTP/1.1 alpn= sni=localhost\n", 3) + "https sockets 1\n" +
		strings.Repeat("http2 h2 HTTP/2.0 alpn=h2 sni=localhost\n", 3)
	if got := node.output(); got != want {
		t.Errorf("node:\n%s\nwant\n%s", got, want)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("node's two clients used %d connections, want 2", n)
	}
}

// nodeHTTPServerJS serves "<httpVersion> <alpnProtocol>" with Node's
// http2 secure server (allowHTTP1) when argv[4] is "h2", else with its
// https server, and prints "listening PORT" and, on exit, how many
// connections it accepted.
const nodeHTTPServerJS = `
const http2 = require('http2'), https = require('https'), fs = require('fs');
const [key, cert, kind] = process.argv.slice(2);
const opts = {key: fs.readFileSync(key), cert: fs.readFileSync(cert), allowHTTP1: true};
const handler = (req, res) => res.end(req.httpVersion + ' ' + (req.socket.alpnProtocol || 'none'));
const srv = kind === 'h2' ? http2.createSecureServer(opts, handler) : https.createServer(opts, handler);
let conns = 0;
srv.on('secureConnection', () => { conns++; console.log('connections ' + conns); });
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 18000).unref();
`

// TestHTTPTransportNode: HTTPTransport speaks HTTP/2 to Node's http2
// server and HTTP/1.1 to its https server (ALPN http/1.1 only), ten
// requests each over one connection.
func TestHTTPTransportNode(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	ca, _ := os.ReadFile(p.rootPEM)
	for _, tc := range []struct{ kind, want string }{
		{"h2", "2.0 h2"},
		{"https", "1.1 http/1.1"}, // Node's https server offers only http/1.1
	} {
		node, port := startNodeServer(t, writeScript(t, "server.js", nodeHTTPServerJS), p.keyPEM, p.chainPEM, tc.kind)
		tr := api.NewHTTPTransport(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca}}})
		client := &http.Client{Transport: tr, Timeout: peerTimeout}
		for range 10 {
			resp, err := client.Get("https://localhost:" + strconv.Itoa(port) + "/")
			if err != nil {
				t.Fatalf("%s: %v", tc.kind, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != tc.want {
				t.Fatalf("%s: got %q, want %q", tc.kind, body, tc.want)
			}
		}
		tr.CloseIdleConnections()
		if out := node.output(); !strings.Contains(out, "connections 1\n") || strings.Contains(out, "connections 2") {
			t.Errorf("%s: Node's server saw:\n%s\nwant one connection", tc.kind, out)
		}
	}
}
