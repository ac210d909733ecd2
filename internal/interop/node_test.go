package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

const nodeClientJS = `
const tls = require('tls'), fs = require('fs');
const [port, ca, cipher] = process.argv.slice(2);
const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca),
  ciphers: cipher, maxVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1', 'h2']}, () => {
  s.write('node says hi');
});
let echo = '';
s.on('data', d => { echo += d; if (echo.length >= 12) {
  const c = s.getCipher();
  console.log(JSON.stringify({protocol: s.getProtocol(), cipher: c.name, alpn: s.alpnProtocol,
    authorized: s.authorized, authorizationError: s.authorizationError || null, echo,
    group: (s.getEphemeralKeyInfo() || {}).name}));
  s.end();
}});
s.on('error', e => { console.log(JSON.stringify({error: e.code || e.message})); process.exit(1); });
setTimeout(() => { console.log('timeout'); process.exit(2); }, 15000).unref();
`

const nodeServerJS = `
const tls = require('tls'), fs = require('fs');
const [key, cert] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), maxVersion: 'TLSv1.2',
  ALPNProtocols: ['h2', 'http/1.1']}, s => {
  console.log(JSON.stringify({protocol: s.getProtocol(), cipher: s.getCipher().name, alpn: s.alpnProtocol, servername: s.servername}));
  s.pipe(s);
});
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 15000).unref();
`

func writeScript(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNodeClient: Node's tls.connect against our server; both sides must
// report the same parameters.
func TestNodeClient(t *testing.T) {
	script := writeScript(t, "client.js", nodeClientJS)
	for _, suite := range []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES256-GCM-SHA384"} {
		t.Run(suite, func(t *testing.T) {
			p := pkis[authFor(suite)]
			cfg := p.serverConfig()
			cfg.ALPNProtocols = []string{"h2", "http/1.1"}
			addr, results := startEcho(t, cfg)
			port := addr[strings.LastIndex(addr, ":")+1:]
			node := start(t, "node", script, port, p.rootPEM, suite)
			node.stdin.Close()
			if err := node.wait(peerTimeout); err != nil {
				t.Fatal(err)
			}
			var got struct {
				Protocol, Cipher, Alpn, Echo, Group string
				Authorized                          bool
				AuthorizationError                  *string
				Error                               string
			}
			line := strings.TrimSpace(node.output())
			if err := json.Unmarshal([]byte(line), &got); err != nil || got.Error != "" {
				t.Fatalf("node said %q (%v)", line, err)
			}
			res := <-results
			if res.err != nil {
				t.Fatal(res.err)
			}
			st := res.state
			if got.Protocol != "TLSv1.2" || got.Cipher != st.Suite.OpenSSLName || got.Alpn != st.ALPNProtocol || got.Alpn != "h2" ||
				!got.Authorized || got.AuthorizationError != nil || got.Echo != "node says hi" || got.Group != st.Group.OpenSSLName() {
				t.Fatalf("node saw %+v; we negotiated %s %s %q", got, st.Suite, st.Group, st.ALPNProtocol)
			}
			record(fmt.Sprintf("node-tls.connect -> tlsengine  %-30s %-6v ok", suite, st.Group))
		})
	}
}

// TestNodeServer: our client against Node's tls.createServer.
func TestNodeServer(t *testing.T) {
	script := writeScript(t, "server.js", nodeServerJS)
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		t.Run(string(kt), func(t *testing.T) {
			p := pkis[kt]
			node := start(t, "node", script, p.keyPEM, p.chainPEM)
			if !node.waitFor("listening ", 10*time.Second) {
				t.Fatalf("node server did not start: %s", node.output())
			}
			port := regexp.MustCompile(`listening (\d+)`).FindStringSubmatch(node.output())[1]
			cfg := p.clientConfig()
			cfg.ALPNProtocols = []string{"http/1.1", "h2"}
			sock, err := dialOurs(t, "127.0.0.1:"+port, cfg, engine.ClientOptions{ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			echo(t, sock)
			st := sock.ConnectionState()
			var got struct{ Protocol, Cipher, Alpn, Servername string }
			// Node logs the connection from its own event loop: wait for it.
			if !node.waitFor(`"protocol"`, 10*time.Second) {
				t.Fatalf("node did not report the connection: %s", node.output())
			}
			line := strings.SplitN(node.output(), "\n", 3)[1]
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("node said %q: %v", node.output(), err)
			}
			if got.Protocol != "TLSv1.2" || got.Cipher != st.Suite.OpenSSLName || got.Alpn != "h2" || st.ALPNProtocol != "h2" || got.Servername != "localhost" || st.VerifyError != nil {
				t.Fatalf("node saw %+v; we negotiated %s %q verify %v", got, st.Suite, st.ALPNProtocol, st.VerifyError)
			}
			record(fmt.Sprintf("tlsengine -> node-tls.createServer %-26s %-6v ok", st.Suite, st.Group))
		})
	}
}
