package interop

import (
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
)

// nodeEKMLabel is the exporter label both Node scripts use (RFC 5705);
// Node passes no context.
const nodeEKMLabel = "EXPERIMENTAL node interop"

// nodeClientJS connects to our server, sends a line, waits for its echo
// and prints one JSON object describing the connection.
const nodeClientJS = `
const tls = require('tls'), fs = require('fs');
const [port, ca, cipher, curves, label] = process.argv.slice(2);
const msg = 'node says hi';
const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca),
  ciphers: cipher, ecdhCurve: curves, maxVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1', 'h2']}, () => {
  s.write(msg);
});
let echo = '';
s.on('data', d => { echo += d; if (echo.length >= msg.length) {
  console.log(JSON.stringify({protocol: s.getProtocol(), cipher: s.getCipher().name, alpn: s.alpnProtocol,
    authorized: s.authorized, authorizationError: s.authorizationError || null, echo,
    group: (s.getEphemeralKeyInfo() || {}).name, ekm: s.exportKeyingMaterial(32, label).toString('hex')}));
  s.end();
}});
s.on('error', e => { console.log(JSON.stringify({error: e.code || e.message})); process.exit(1); });
setTimeout(() => { console.log(JSON.stringify({error: 'timeout'})); process.exit(2); }, 15000).unref();
`

// nodeServerJS echoes and prints one JSON line per secure connection.
const nodeServerJS = `
const tls = require('tls'), fs = require('fs');
const [key, cert, label, curves] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), maxVersion: 'TLSv1.2', ecdhCurve: curves,
  ALPNProtocols: ['h2', 'http/1.1']}, s => {
  console.log(JSON.stringify({port: s.remotePort, protocol: s.getProtocol(), cipher: s.getCipher().name,
    alpn: s.alpnProtocol, servername: s.servername, ekm: s.exportKeyingMaterial(32, label).toString('hex')}));
  s.pipe(s);
  s.on('error', () => {});
});
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 18000).unref();
`

func writeScript(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startNodeServer runs a Node script that prints "listening PORT" once it
// listens, and returns the process and the port.
func startNodeServer(t *testing.T, script string, args ...string) (*process, int) {
	t.Helper()
	node := start(t, "node", append([]string{script}, args...)...)
	if !node.waitFor("listening ", peerTimeout) {
		t.Fatalf("node server did not start: %s", node.output())
	}
	port, _ := strconv.Atoi(regexp.MustCompile(`listening (\d+)`).FindStringSubmatch(node.output())[1])
	return node, port
}

// ourEKM is our exporter output for the Node label, hex-encoded.
func ourEKM(t *testing.T, st *engine.ConnectionState) string {
	t.Helper()
	b, err := st.ExportKeyingMaterial(nodeEKMLabel, nil, false, 32)
	if err != nil {
		t.Errorf("our exporter: %v", err)
	}
	return hex.EncodeToString(b)
}

// nodeGroups is offeredGroups as a Node ecdhCurve list.
func nodeGroups(suite string, g kex.Group) string {
	var names []string
	for _, og := range offeredGroups(suite, g) {
		names = append(names, og.OpenSSLName())
	}
	return strings.Join(names, ":")
}

// TestMatrixNodeClient: Node's tls.connect against our server for every
// core suite and group; both sides must report the same protocol, suite,
// group, ALPN and exported keying material.
func TestMatrixNodeClient(t *testing.T) {
	script := writeScript(t, "client.js", nodeClientJS)
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				row(t, "node tls", "client", suite, g.String())
				p := pkis[authFor(suite)]
				cfg := p.serverConfig()
				cfg.Groups = []kex.Group{g}
				cfg.ALPNProtocols = []string{"h2", "http/1.1"}
				addr, results := startEcho(t, cfg)
				port := addr[strings.LastIndex(addr, ":")+1:]
				node := start(t, "node", script, port, p.rootPEM, suite, nodeGroups(suite, g), nodeEKMLabel)
				node.stdin.Close()
				if err := node.wait(peerTimeout); err != nil {
					t.Fatal(err)
				}
				var got struct {
					Protocol, Cipher, Alpn, Echo, Group, EKM string
					Authorized                               bool
					AuthorizationError                       *string
					Error                                    string
				}
				line := strings.TrimSpace(node.output())
				if err := json.Unmarshal([]byte(line), &got); err != nil || got.Error != "" {
					t.Fatalf("node said %q (%v)", line, err)
				}
				res := result(t, results)
				if res.err != nil {
					t.Fatalf("our server: %v", res.err)
				}
				st := res.state
				if got.Protocol != "TLSv1.2" || got.Cipher != suite || st.Suite.OpenSSLName != suite ||
					got.Group != g.OpenSSLName() || st.Group != g || got.Alpn != "h2" || st.ALPNProtocol != "h2" ||
					!got.Authorized || got.AuthorizationError != nil || got.Echo != "node says hi" {
					t.Errorf("node saw %+v; we negotiated %s %s %q", got, st.Suite, st.Group, st.ALPNProtocol)
				}
				if want := ourEKM(t, st); got.EKM != want {
					t.Errorf("exported keying material: node %s, ours %s", got.EKM, want)
				}
			})
		}
	}
}

// TestMatrixNodeServer: our client against Node's tls.createServer for
// every core suite and group (forced by our CipherSuites and Groups).
func TestMatrixNodeServer(t *testing.T) {
	script := writeScript(t, "server.js", nodeServerJS)
	servers := map[certgen.KeyType]*process{}
	ports := map[certgen.KeyType]string{}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		p := pkis[kt]
		// OpenSSL servers pick the group by their own order; list P-384
		// before P-256 so a client offering P-384:P-256 (for the ECDSA
		// certificate's curve) gets P-384.
		node, port := startNodeServer(t, script, p.keyPEM, p.chainPEM, nodeEKMLabel, "X25519:P-384:P-256")
		servers[kt] = node
		ports[kt] = strconv.Itoa(port)
	}
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				row(t, "node tls", "server", suite, g.String())
				kt := authFor(suite)
				p := pkis[kt]
				cfg := p.clientConfig()
				cfg.CipherSuites = []uint16{cipher.SuiteByName(suite).ID}
				cfg.Groups = offeredGroups(suite, g)
				cfg.ALPNProtocols = []string{"http/1.1", "h2"}
				sock, err := dialOurs(t, "127.0.0.1:"+ports[kt], cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				echo(t, sock, 64<<10)
				st := sock.ConnectionState()
				if st.Suite.OpenSSLName != suite || st.Group != g || st.ALPNProtocol != "h2" || st.VerifyError != nil {
					t.Errorf("we negotiated %s %s %q verify %v", st.Suite, st.Group, st.ALPNProtocol, st.VerifyError)
				}
				// Node logs the connection from its own event loop: find
				// the line for our local port.
				line := nodeLine(t, servers[kt], sock.LocalAddr().(*net.TCPAddr).Port)
				var got struct {
					Port                                    int
					Protocol, Cipher, Alpn, Servername, EKM string
				}
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("node said %q: %v", line, err)
				}
				if got.Protocol != "TLSv1.2" || got.Cipher != suite || got.Alpn != "h2" || got.Servername != "localhost" {
					t.Errorf("node saw %+v; we negotiated %s %q", got, st.Suite, st.ALPNProtocol)
				}
				if want := ourEKM(t, st); got.EKM != want {
					t.Errorf("exported keying material: node %s, ours %s", got.EKM, want)
				}
			})
		}
	}
}

// nodeLine waits for the Node server's JSON line about the connection
// from local port port.
func nodeLine(t *testing.T, node *process, port int) string {
	t.Helper()
	key := `{"port":` + strconv.Itoa(port) + `,`
	if !node.waitFor(key, 10*time.Second) {
		t.Fatalf("node did not report the connection from port %d:\n%s", port, node.output())
	}
	for _, l := range strings.Split(node.output(), "\n") {
		if strings.HasPrefix(l, key) {
			return l
		}
	}
	t.Fatalf("no line for port %d", port)
	return ""
}
