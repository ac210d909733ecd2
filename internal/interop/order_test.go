package interop

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// nodeOrderServerJS is a Node server with an SNICallback and resumeSession,
// newSession and OCSPRequest listeners, tickets off, that prints one
// "event ..." line per callback. Its session store forgets a session once
// it is resumed, so a second resumption of it is a miss.
const nodeOrderServerJS = `
const tls = require('tls'), fs = require('fs'), crypto = require('crypto');
const [key, cert] = process.argv.slice(2);
const store = new Map();
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), maxVersion: 'TLSv1.2',
  secureOptions: crypto.constants.SSL_OP_NO_TICKET,
  SNICallback: (name, cb) => { console.log('event SNICallback'); cb(null, null); }}, s => {
  console.log('event secureConnection ' + s.isSessionReused());
  s.end();
  s.on('error', () => {});
});
srv.on('newSession', (id, data, cb) => { store.set(id.toString('hex'), data); cb(); });
srv.on('resumeSession', (id, cb) => {
  const k = id.toString('hex'), data = store.get(k);
  store.delete(k);
  console.log('event resumeSession ' + (data ? 'hit' : 'miss'));
  cb(null, data || null);
});
srv.on('OCSPRequest', (cert, issuer, cb) => { console.log('event OCSPRequest'); cb(null, null); });
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 18000).unref();
`

// orderServer is our api server with the same callbacks as
// nodeOrderServerJS, logging the same lines.
func orderServer(t *testing.T, p *pki) (port int, events func() []string) {
	t.Helper()
	key, _ := os.ReadFile(p.keyPEM)
	chain, _ := os.ReadFile(p.chainPEM)
	var mu sync.Mutex
	var log []string
	note := func(e string) {
		mu.Lock()
		log = append(log, e)
		mu.Unlock()
	}
	store := map[string][]byte{}
	srv, err := api.CreateServer(api.ServerOptions{
		SecureContextOptions: api.SecureContextOptions{Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}},
		NoTickets:            true,
		SNICallback:          func(string) (*api.SecureContext, error) { note("SNICallback"); return nil, nil },
	}, func(s *api.TLSSocket) {
		note("secureConnection " + strconv.FormatBool(s.IsSessionReused()))
		s.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.OnNewSession(func(id, data []byte, done func()) {
		mu.Lock()
		store[string(id)] = data
		mu.Unlock()
		done()
	})
	srv.OnResumeSession(func(id []byte, cb func([]byte, error)) {
		mu.Lock()
		data := store[string(id)]
		delete(store, string(id))
		mu.Unlock()
		if data != nil {
			note("resumeSession hit")
		} else {
			note("resumeSession miss")
		}
		cb(data, nil)
	})
	srv.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) { note("OCSPRequest"); return nil, nil })
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Address().(*net.TCPAddr).Port, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(log)
	}
}

// TestNodeServerDecisionOrder: the same three `openssl s_client -no_ticket
// -status` connections (a full handshake, a resumption by session id, the
// same id again once the store forgot it) against a Node v20 server and
// ours see the callbacks in the same order: resumeSession first, then
// SNICallback and OCSPRequest, the latter two only on full handshakes.
func TestNodeServerDecisionOrder(t *testing.T) {
	row(t, "node", "server", "callback order", "-")
	p := pkis[certgen.ECDSAP256]
	node, nodePort := startNodeServer(t, writeScript(t, "order.js", nodeOrderServerJS), p.keyPEM, p.chainPEM)
	nodeEvents := func() []string {
		var out []string
		for _, m := range regexp.MustCompile(`(?m)^event (.+)$`).FindAllStringSubmatch(node.output(), -1) {
			out = append(out, m[1])
		}
		return out
	}
	ourPort, ourEvents := orderServer(t, p)
	want := []string{
		"SNICallback", "OCSPRequest", "secureConnection false",
		"resumeSession hit", "secureConnection true",
		"resumeSession miss", "SNICallback", "OCSPRequest", "secureConnection false",
	}
	for name, s := range map[string]struct {
		port   int
		events func() []string
	}{"node": {nodePort, nodeEvents}, "ours": {ourPort, ourEvents}} {
		sess := filepath.Join(t.TempDir(), name+".sess")
		for i, sessFlag := range []string{"-sess_out", "-sess_in", "-sess_in"} {
			c := start(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(s.port), "-servername", "localhost",
				"-tls1_2", "-no_ticket", "-status", "-CAfile", p.rootPEM, sessFlag, sess)
			c.stdin.Close()
			if err := c.wait(peerTimeout); err != nil {
				t.Fatalf("%s, connection %d: %v\n%s", name, i, err, c.output())
			}
			// The server logs secureConnection once per connection.
			for deadline := time.Now().Add(peerTimeout); countPrefix(s.events(), "secureConnection") <= i; {
				if time.Now().After(deadline) {
					t.Fatalf("%s, connection %d: events %q", name, i, s.events())
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		if got := s.events(); !slices.Equal(got, want) {
			t.Errorf("%s server callbacks:\n got %q\nwant %q", name, got, want)
		}
	}
}

func countPrefix(list []string, prefix string) int {
	n := 0
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// nodeNoListenersJS is a TLS 1.2 Node server with no session listeners.
const nodeNoListenersJS = `
const tls = require('tls'), fs = require('fs');
const srv = tls.createServer({key: fs.readFileSync(process.argv[2]), cert: fs.readFileSync(process.argv[3]),
  maxVersion: 'TLSv1.2'}, s => { s.end('x\n'); s.on('error', () => {}); });
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 18000).unref();
`

// TestSessionIDWithoutListenersAsNode: a Node v20 server without
// newSession/resumeSession listeners keeps no session cache (OpenSSL's
// internal one is off), so a TLS 1.2 session id resumes nothing: `openssl
// s_client -no_ticket -sess_out` then `-sess_in` gets two full
// handshakes, each with a session id. Our api.Server does the same.
func TestSessionIDWithoutListenersAsNode(t *testing.T) {
	row(t, "node", "server", "TLS 1.2 session id, no listeners", "-")
	p := pkis[certgen.ECDSAP256]
	_, nodePort := startNodeServer(t, writeScript(t, "nolisteners.js", nodeNoListenersJS), p.keyPEM, p.chainPEM)
	opts := p.apiOptions(t)
	opts.MaxVersion = "TLSv1.2"
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: opts}, func(s *api.TLSSocket) {
		go func() { s.Write([]byte("x\n")); s.Close() }()
	})
	if err != nil {
		t.Fatal(err)
	}
	ours := listenAPI(t, srv)
	sessionLine := regexp.MustCompile(`(?m)^\s*Session-ID: ([0-9A-F]*)$`)
	results := map[string][]string{}
	for name, addr := range map[string]string{"node": "127.0.0.1:" + strconv.Itoa(nodePort), "ours": ours} {
		sess := filepath.Join(t.TempDir(), name+".sess")
		for _, sessFlag := range []string{"-sess_out", "-sess_in"} {
			c := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-no_ticket", "-CAfile", p.rootPEM, sessFlag, sess)
			c.stdin.Close()
			if err := c.wait(peerTimeout); err != nil {
				t.Fatalf("%s %s: %v\n%s", name, sessFlag, err, c.output())
			}
			out := c.output()
			id := 0
			if m := sessionLine.FindStringSubmatch(out); m != nil {
				id = len(m[1]) / 2
			}
			results[name] = append(results[name], fmt.Sprintf("reused=%v id=%d", strings.Contains(out, "Reused, TLSv1.2"), id))
		}
	}
	want := []string{"reused=false id=32", "reused=false id=32"}
	if !slices.Equal(results["node"], want) || !slices.Equal(results["ours"], want) {
		t.Fatalf("s_client -no_ticket -sess_out, -sess_in:\n node %q\n ours %q\n want %q", results["node"], results["ours"], want)
	}
}
