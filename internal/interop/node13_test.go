package interop

import (
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
)

// The Node scripts of node_test.go with TLS 1.3 required (minVersion
// 'TLSv1.3'); the TLS 1.3 suite goes in ciphers, as Node v20 accepts.
var (
	nodeClient13JS = strings.Replace(nodeClientJS, "maxVersion: 'TLSv1.2'", "minVersion: 'TLSv1.3'", 1)
	nodeServer13JS = strings.Replace(nodeServerJS, "maxVersion: 'TLSv1.2'", "minVersion: 'TLSv1.3'", 1)
)

// nodeGroups13 are the groups of the TLS 1.3 rows with Node.
var nodeGroups13 = []kex.Group{kex.X25519, kex.P256, kex.P384, kex.P521}

// nodeResult is what nodeClientJS prints.
type nodeResult struct {
	Protocol, Cipher, Alpn, Echo, Group, EKM string
	Authorized                               bool
	Error                                    string
}

// TestTLS13NodeClient: Node's tls.connect with minVersion 'TLSv1.3'
// against our server, every TLS 1.3 suite and group; both sides report
// the same protocol, suite, group, ALPN and exported keying material.
func TestTLS13NodeClient(t *testing.T) {
	script := writeScript(t, "client13.js", nodeClient13JS)
	for _, s := range cipher.Suites13() {
		for _, g := range nodeGroups13 {
			t.Run(s.Name+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				row(t, "node tls", "client", s.Name, g.String())
				p := pkis[certgen.ECDSAP256]
				cfg := p.serverConfig()
				cfg.MaxVersion, cfg.CipherSuites13, cfg.Groups = cipher.VersionTLS13, []uint16{s.ID}, []kex.Group{g}
				cfg.ALPNProtocols = []string{"h2", "http/1.1"}
				addr, results := startEcho(t, cfg)
				port := addr[strings.LastIndex(addr, ":")+1:]
				node := start(t, "node", script, port, p.rootPEM, s.Name, g.OpenSSLName(), nodeEKMLabel)
				node.stdin.Close()
				if err := node.wait(peerTimeout); err != nil {
					t.Fatal(err)
				}
				var got nodeResult
				line := strings.TrimSpace(node.output())
				if err := json.Unmarshal([]byte(line), &got); err != nil || got.Error != "" {
					t.Fatalf("node said %q (%v)", line, err)
				}
				res := result(t, results)
				if res.err != nil {
					t.Fatalf("our server: %v", res.err)
				}
				st := res.state
				if got.Protocol != "TLSv1.3" || got.Cipher != s.Name || st.Suite != s || got.Group != g.OpenSSLName() || st.Group != g ||
					got.Alpn != "h2" || st.ALPNProtocol != "h2" || !got.Authorized || got.Echo != "node says hi" {
					t.Errorf("node saw %+v; we negotiated %s %s %q", got, st.Suite, st.Group, st.ALPNProtocol)
				}
				if want := ourEKM(t, st); got.EKM != want {
					t.Errorf("exported keying material: node %s, ours %s", got.EKM, want)
				}
			})
		}
	}
}

// TestTLS13NodeServer: our client against Node's tls.createServer with
// minVersion 'TLSv1.3', every TLS 1.3 suite and group (forced by us).
func TestTLS13NodeServer(t *testing.T) {
	script := writeScript(t, "server13.js", nodeServer13JS)
	p := pkis[certgen.RSA2048]
	node, port := startNodeServer(t, script, p.keyPEM, p.chainPEM, nodeEKMLabel, "X25519:P-256:P-384:P-521")
	for _, s := range cipher.Suites13() {
		for _, g := range nodeGroups13 {
			t.Run(s.Name+"/"+g.String(), func(t *testing.T) {
				row(t, "node tls", "server", s.Name, g.String())
				cfg := p.clientConfig()
				cfg.MaxVersion, cfg.CipherSuites13, cfg.Groups = cipher.VersionTLS13, []uint16{s.ID}, []kex.Group{g}
				cfg.ALPNProtocols = []string{"http/1.1", "h2"}
				sock, err := dialOurs(t, "127.0.0.1:"+strconv.Itoa(port), cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				echo(t, sock, 64<<10)
				st := sock.ConnectionState()
				if st.Version != cipher.VersionTLS13 || st.Suite != s || st.Group != g || st.ALPNProtocol != "h2" || st.VerifyError != nil {
					t.Errorf("we negotiated %#x %s %s %q verify %v", st.Version, st.Suite, st.Group, st.ALPNProtocol, st.VerifyError)
				}
				line := nodeLine(t, node, sock.LocalAddr().(*net.TCPAddr).Port)
				var got struct {
					Port                                    int
					Protocol, Cipher, Alpn, Servername, EKM string
				}
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("node said %q: %v", line, err)
				}
				if got.Protocol != "TLSv1.3" || got.Cipher != s.Name || got.Alpn != "h2" || got.Servername != "localhost" {
					t.Errorf("node saw %+v; we negotiated %s %q", got, st.Suite, st.ALPNProtocol)
				}
				if want := ourEKM(t, st); got.EKM != want {
					t.Errorf("exported keying material: node %s, ours %s", got.EKM, want)
				}
			})
		}
	}
}
