package interop

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// nodeCipherClientJS connects with a cipher list (Node's default when
// the argument is "default") and prints what was negotiated.
const nodeCipherClientJS = `
const tls = require('tls'), fs = require('fs');
const [port, ca, ciphers] = process.argv.slice(2);
const opts = {host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca), maxVersion: 'TLSv1.2'};
if (ciphers !== 'default') opts.ciphers = ciphers;
const s = tls.connect(opts, () => {
  console.log(JSON.stringify({protocol: s.getProtocol(), cipher: s.getCipher().name, authorized: s.authorized,
    eph: s.getEphemeralKeyInfo()}));
  s.end();
});
s.on('error', e => { console.log(JSON.stringify({error: e.code || e.message})); process.exit(1); });
setTimeout(() => { console.log(JSON.stringify({error: 'timeout'})); process.exit(2); }, 15000).unref();
`

// TestNodeClientsDefaultList: Node clients, with their default list and
// restricted to suites of it, against an api server with the default
// cipher list and a dhparam (issue 6).
func TestNodeClientsDefaultList(t *testing.T) {
	script := writeScript(t, "cipher-client.js", nodeCipherClientJS)
	dh := filepath.Join(t.TempDir(), "dh.pem")
	if out, err := exec.Command("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", dh).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	dhPEM, _ := os.ReadFile(dh)
	cases := []struct {
		kt              certgen.KeyType
		ciphers, expect string
		ephType         string
	}{
		{certgen.RSA2048, "default", "ECDHE-RSA-AES128-GCM-SHA256", "ECDH"},
		{certgen.ECDSAP256, "default", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDH"},
		{certgen.RSA2048, "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-GCM-SHA256", "DH"},
		{certgen.RSA2048, "DHE-RSA-AES256-SHA256", "DHE-RSA-AES256-SHA256", "DH"},
		{certgen.RSA2048, "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384", "ECDH"},
		{certgen.RSA2048, "AES128-GCM-SHA256", "AES128-GCM-SHA256", ""},
		{certgen.ECDSAP256, "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDH"},
	}
	servers := map[certgen.KeyType]int{}
	for _, kt := range []certgen.KeyType{certgen.RSA2048, certgen.ECDSAP256} {
		p := pkis[kt]
		key, _ := os.ReadFile(p.keyPEM)
		chain, _ := os.ReadFile(p.chainPEM)
		srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
			Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}, DHParam: dhPEM,
		}}, func(s *api.TLSSocket) { go func() { io.Copy(io.Discard, s); s.Close() }() })
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		for srv.Address() == nil {
			time.Sleep(time.Millisecond)
		}
		servers[kt] = srv.Address().(*net.TCPAddr).Port
	}
	for _, tc := range cases {
		t.Run(string(tc.kt)+"/"+tc.ciphers, func(t *testing.T) {
			row(t, "node tls", "client", "default list: "+tc.ciphers, "-")
			node := start(t, "node", script, strconv.Itoa(servers[tc.kt]), pkis[tc.kt].rootPEM, tc.ciphers)
			if err := node.wait(20 * time.Second); err != nil {
				t.Fatalf("%v: %s", err, node.output())
			}
			var got struct {
				Protocol, Cipher, Error string
				Authorized              bool
				Eph                     struct{ Type string }
			}
			if err := json.Unmarshal([]byte(strings.TrimSpace(node.output())), &got); err != nil || got.Error != "" {
				t.Fatalf("node said %s (%v)", node.output(), err)
			}
			if got.Protocol != "TLSv1.2" || got.Cipher != tc.expect || !got.Authorized || got.Eph.Type != tc.ephType {
				t.Fatalf("node negotiated %+v, want %s with %q key exchange", got, tc.expect, tc.ephType)
			}
		})
	}
}
