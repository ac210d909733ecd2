package interop

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// ocspFixture is a PKI with a real OCSP response for its leaf, signed by
// the intermediate with `openssl ocsp` (status good).
type ocspFixture struct {
	*pki
	response     []byte
	responseFile string
}

func newOCSPFixture(t *testing.T) ocspFixture {
	t.Helper()
	p, err := newPKI(certgen.ECDSAP256, "localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p.leafPEM)
	interKey, err := p.chain.Intermediate.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	interKeyFile := filepath.Join(dir, "inter.key")
	os.WriteFile(interKeyFile, interKey, 0o600)
	openssl := need(t, "openssl")
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, openssl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	serial := strings.TrimSpace(strings.TrimPrefix(run("x509", "-in", p.leafPEM, "-noout", "-serial"), "serial="))
	subject := strings.TrimSpace(strings.TrimPrefix(run("x509", "-in", p.leafPEM, "-noout", "-subject", "-nameopt", "compat"), "subject="))
	index := filepath.Join(dir, "index.txt")
	os.WriteFile(index, []byte("V\t351231235959Z\t\t"+serial+"\tunknown\t"+subject+"\n"), 0o600)
	req, resp := filepath.Join(dir, "ocsp.req"), filepath.Join(dir, "ocsp.der")
	run("ocsp", "-issuer", p.interPEM, "-cert", p.leafPEM, "-reqout", req, "-no_nonce")
	run("ocsp", "-index", index, "-rsigner", p.interPEM, "-rkey", interKeyFile, "-CA", p.interPEM,
		"-reqin", req, "-respout", resp, "-ndays", "1")
	der, err := os.ReadFile(resp)
	if err != nil || len(der) == 0 {
		t.Fatalf("no OCSP response: %v", err)
	}
	return ocspFixture{pki: p, response: der, responseFile: resp}
}

// ocspServer runs our api server whose OCSPRequest listener staples the
// fixture's response and records what it was asked.
func ocspServer(t *testing.T, f ocspFixture) (port int, asked func() (cert, issuer []byte)) {
	t.Helper()
	key, _ := os.ReadFile(f.keyPEM)
	chain, _ := os.ReadFile(f.chainPEM)
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
		Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}}}, func(s *api.TLSSocket) {
		go func() { echoSocket(s); s.Close() }()
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var gotCert, gotIssuer []byte
	srv.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) {
		mu.Lock()
		gotCert, gotIssuer = cert, issuer
		mu.Unlock()
		return f.response, nil
	})
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Address().(*net.TCPAddr).Port, func() ([]byte, []byte) {
		mu.Lock()
		defer mu.Unlock()
		return gotCert, gotIssuer
	}
}

// echoSocket echoes a socket until it closes.
func echoSocket(s *api.TLSSocket) {
	buf := make([]byte, 4096)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			s.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// Node: "Event: 'OCSPRequest'" on our server, seen from `openssl s_client
// -status`, which parses and prints the stapled response.
func TestOCSPRequestOpenSSLClient(t *testing.T) {
	f := newOCSPFixture(t)
	port, asked := ocspServer(t, f)
	p := start(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(port), "-servername", "localhost",
		"-status", "-CAfile", f.rootPEM, "-tls1_2")
	if !p.waitFor("Verify return code", peerTimeout) {
		t.Fatalf("s_client did not finish the handshake:\n%s", p.output())
	}
	p.stdin.Close()
	out := p.output()
	for _, want := range []string{"OCSP Response Status: successful", "Cert Status: good", "Verify return code: 0 (ok)"} {
		if !strings.Contains(out, want) {
			t.Errorf("s_client output lacks %q:\n%s", want, out)
		}
	}
	cert, issuer := asked()
	if !bytes.Equal(cert, f.chain.Leaf.DER) || !bytes.Equal(issuer, f.chain.Intermediate.DER) {
		t.Error("OCSPRequest did not get the leaf and its issuer")
	}
}

// Node: connect's requestOCSP and "Event: 'OCSPResponse'", against
// `openssl s_server -status_file`.
func TestRequestOCSPOpenSSLServer(t *testing.T) {
	f := newOCSPFixture(t)
	_, addr := startSServer(t, append(f.chainArgs(), "-status_file", f.responseFile)...)
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	ca, _ := os.ReadFile(f.rootPEM)
	var events [][]byte
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	var sock *api.TLSSocket
	var err error
	for i := 0; i < 50; i++ {
		sock, err = api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca}},
			Host: "127.0.0.1", Port: port, Servername: "localhost", RequestOCSP: true}, func(s *api.TLSSocket) {
			s.OnOCSPResponse(func(r []byte) { events = append(events, r) })
		})
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	if !bytes.Equal(sock.OCSPResponse(), f.response) {
		t.Fatalf("OCSPResponse() is %d bytes, the file %d", len(sock.OCSPResponse()), len(f.response))
	}
	if len(events) != 1 || !bytes.Equal(events[0], f.response) {
		t.Fatalf("OCSPResponse events: %d", len(events))
	}
}

// Node's requestOCSP against our server, and Node's OCSPRequest against
// our client: each side sees the other's bytes.
func TestOCSPWithNode(t *testing.T) {
	f := newOCSPFixture(t)
	port, _ := ocspServer(t, f)
	clientJS := `const tls = require('tls'), fs = require('fs');
const [port, ca] = process.argv.slice(2);
let resp = null;
const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca), requestOCSP: true,
  maxVersion: 'TLSv1.2'}, () => { console.log(JSON.stringify({ocsp: resp && resp.toString('hex'), authorized: s.authorized})); s.end(); });
s.on('OCSPResponse', r => { resp = r; });
s.on('error', e => { console.log(JSON.stringify({error: e.code || e.message})); process.exit(1); });
setTimeout(() => process.exit(2), 15000).unref();`
	p := start(t, "node", writeScript(t, "ocsp-client.js", clientJS), strconv.Itoa(port), f.rootPEM)
	if err := p.wait(peerTimeout); err != nil {
		t.Fatal(err)
	}
	var got struct {
		OCSP       string `json:"ocsp"`
		Authorized bool   `json:"authorized"`
		Error      string `json:"error"`
	}
	if err := json.Unmarshal([]byte(lastLine(p.output())), &got); err != nil || got.Error != "" {
		t.Fatalf("node client: %v %s\n%s", err, got.Error, p.output())
	}
	if got.OCSP != hex.EncodeToString(f.response) || !got.Authorized {
		t.Fatalf("node got OCSP %q, authorized %v", got.OCSP, got.Authorized)
	}

	serverJS := `const tls = require('tls'), fs = require('fs');
const [key, cert, resp] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), maxVersion: 'TLSv1.2'}, s => { s.end(); });
srv.on('OCSPRequest', (c, issuer, cb) => cb(null, fs.readFileSync(resp)));
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 15000).unref();`
	_, nport := startNodeServer(t, writeScript(t, "ocsp-server.js", serverJS), f.keyPEM, f.chainPEM, f.responseFile)
	ca, _ := os.ReadFile(f.rootPEM)
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	sock, err := api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca}},
		Host: "127.0.0.1", Port: nport, Servername: "localhost", RequestOCSP: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	if !bytes.Equal(sock.OCSPResponse(), f.response) {
		t.Fatalf("our client got %d bytes from Node's OCSPRequest, want %d", len(sock.OCSPResponse()), len(f.response))
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
