package interop

import (
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// nodeKeylogClientJS connects with version argv[4] and prints each
// 'keylog' line of its socket.
const nodeKeylogClientJS = `
const tls = require('tls'), fs = require('fs');
const [port, ca, version] = process.argv.slice(2);
const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca), minVersion: version, maxVersion: version});
s.on('keylog', line => process.stdout.write('keylog ' + line));
s.on('data', () => {});
s.on('end', () => s.end());
s.on('error', e => console.log('error ' + e.message));
`

// nodeKeylogServerJS serves version argv[4], prints each server 'keylog'
// line and "closed" when the connection has ended.
const nodeKeylogServerJS = `
const tls = require('tls'), fs = require('fs');
const [key, cert, version] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), minVersion: version, maxVersion: version},
  s => { s.end('x'); s.on('close', () => console.log('closed')); });
srv.on('keylog', (line, s) => process.stdout.write('keylog ' + line));
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 18000).unref();
`

// nodeKeylogLines are the lines a Node script printed after "keylog ".
func nodeKeylogLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "keylog "); ok {
			lines = append(lines, rest)
		}
	}
	slices.Sort(lines)
	return lines
}

// TestKeylogNode: our server's keylog event and Node's client's, and our
// client's and Node's server's, log the same lines for one connection,
// in TLS 1.2 and TLS 1.3 (Node's lines come from OpenSSL).
func TestKeylogNode(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	key, _ := os.ReadFile(p.keyPEM)
	chain, _ := os.ReadFile(p.chainPEM)
	ca, _ := os.ReadFile(p.rootPEM)
	for _, version := range []string{"TLSv1.2", "TLSv1.3"} {
		t.Run(version+"/ours-server", func(t *testing.T) {
			srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
				Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}, MinVersion: version, MaxVersion: version}},
				func(s *api.TLSSocket) { io.WriteString(s, "x"); s.Close() })
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var ours []string
			srv.OnKeylog(func(line string, _ *api.TLSSocket) { mu.Lock(); ours = append(ours, line); mu.Unlock() })
			if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			node := start(t, "node", writeScript(t, "client.js", nodeKeylogClientJS),
				strconv.Itoa(srv.Address().(*net.TCPAddr).Port), p.rootPEM, version)
			if err := node.wait(peerTimeout); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			slices.Sort(ours)
			if theirs := nodeKeylogLines(node.output()); len(ours) == 0 || !slices.Equal(ours, theirs) {
				t.Fatalf("our server logged\n%q\nNode's client\n%q\n%s", ours, theirs, node.output())
			}
		})
		t.Run(version+"/ours-client", func(t *testing.T) {
			node, port := startNodeServer(t, writeScript(t, "server.js", nodeKeylogServerJS), p.keyPEM, p.chainPEM, version)
			var ours []string
			sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca},
				MinVersion: version, MaxVersion: version}, Host: "127.0.0.1", Port: port, Servername: "localhost",
				OnKeylog: func(line string) { ours = append(ours, line) }}, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.ReadAll(sock)
			sock.Close()
			slices.Sort(ours)
			if !node.waitFor("closed", peerTimeout) {
				t.Fatalf("node's connection did not end: %s", node.output())
			}
			theirs := nodeKeylogLines(node.output())
			if len(ours) == 0 || !slices.Equal(ours, theirs) {
				t.Fatalf("our client logged\n%q\nNode's server\n%q", ours, theirs)
			}
		})
	}
}
