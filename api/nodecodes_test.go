package api_test

import (
	"bufio"
	"crypto/rand"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/nodepeer"
	"github.com/tlsengine/tlsengine/record"
)

// nodeOpts are the tls options of one side of a handshake, as Node takes
// them (key, cert, ca and dhparam name files) and as the api does.
type nodeOpts struct {
	Key                string   `json:"key,omitempty"`
	Cert               string   `json:"cert,omitempty"`
	CA                 string   `json:"ca,omitempty"`
	DHParam            string   `json:"dhparam,omitempty"`
	Ciphers            string   `json:"ciphers,omitempty"`
	MinVersion         string   `json:"minVersion,omitempty"`
	MaxVersion         string   `json:"maxVersion,omitempty"`
	ALPNProtocols      []string `json:"ALPNProtocols,omitempty"`
	RequestCert        bool     `json:"requestCert,omitempty"`
	RejectUnauthorized *bool    `json:"rejectUnauthorized,omitempty"`
	MinDHSize          int      `json:"minDHSize,omitempty"`
}

func (o nodeOpts) context(t *testing.T) api.SecureContextOptions {
	t.Helper()
	read := func(f string) []byte {
		if f == "" {
			return nil
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// maxVersion defaults to TLSv1.2 here as in failure.js's load: the
	// codes compared are TLS 1.2's.
	max := o.MaxVersion
	if max == "" {
		max = "TLSv1.2"
	}
	c := api.SecureContextOptions{Ciphers: o.Ciphers, MinVersion: o.MinVersion, MaxVersion: max, DHParam: read(o.DHParam)}
	if o.Key != "" {
		c.Key = []api.KeyOption{{PEM: read(o.Key)}}
		c.Cert = [][]byte{read(o.Cert)}
	}
	if o.CA != "" {
		c.CA = [][]byte{read(o.CA)}
	}
	return c
}

// outcome is one side's result: Node's err.code, err.reason and
// err.message, or ("", "", "secure").
type outcome [3]string

var secureOutcome = outcome{"", "", "secure"}

// ours is the outcome of an api error.
func ours(err error) outcome {
	if err == nil {
		return secureOutcome
	}
	var e *api.Error
	if errors.As(err, &e) {
		return outcome{e.Code, e.Reason, e.Error()}
	}
	return outcome{"", "", err.Error()}
}

// sameOutcome compares codes, and reasons where Node gives one; where
// it gives none (verification and DH size errors) the messages, which
// are then Node's own texts. An OpenSSL error's message carries thread
// ids and source paths, so only its reason is compared.
func sameOutcome(got, want outcome) bool {
	if got[0] != want[0] {
		return false
	}
	if want[1] != "" {
		return got[1] == want[1]
	}
	return got[2] == want[2]
}

// nodeBin is the node binary the comparisons run (nodepeer.Path).
func nodeBin(t *testing.T) string {
	t.Helper()
	node, err := nodepeer.Path()
	if err != nil {
		t.Fatal(err)
	}
	return node
}

func nodeScript(t *testing.T) string {
	t.Helper()
	nodeBin(t)
	script, err := filepath.Abs("../testdata/node/failure.js")
	if err != nil {
		t.Fatal(err)
	}
	return script
}

// nodePair runs both sides in Node: the reference.
func nodePair(t *testing.T, script string, server, client nodeOpts) (outcome, outcome) {
	t.Helper()
	in, _ := json.Marshal(map[string]nodeOpts{"server": server, "client": client})
	out, err := exec.Command(nodeBin(t), script, "pair", string(in)).Output()
	var res struct{ Server, Client outcome }
	if err != nil || json.Unmarshal(out, &res) != nil {
		t.Fatalf("node pair: %v\n%s", err, out)
	}
	return res.Server, res.Client
}

// ourServer starts our server and returns its port and a channel with
// each connection's result: nil for a secure one, else the
// tlsClientError.
func ourServer(t *testing.T, opts api.ServerOptions) (int, chan error) {
	t.Helper()
	results := make(chan error, 2)
	srv, err := api.CreateServer(opts, func(s *api.TLSSocket) { results <- nil; s.Close() })
	if err != nil {
		t.Fatal(err)
	}
	srv.OnTLSClientError(func(err error, _ *api.TLSSocket) { results <- err })
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Address().(*net.TCPAddr).Port, results
}

// nodeServer starts a Node process that prints "listening PORT" first,
// and returns the port and its output lines after that one.
func nodeServer(t *testing.T, args ...string) (int, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(nodeBin(t), args...)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 1<<20)
	port := 0
	if lines.Scan() {
		port, _ = strconv.Atoi(strings.TrimPrefix(lines.Text(), "listening "))
	}
	if port == 0 {
		t.Fatalf("node server did not listen: %q", lines.Text())
	}
	return port, lines
}

// oursServerNodeClient runs our server against Node's client.
func oursServerNodeClient(t *testing.T, script string, server, client nodeOpts) (outcome, outcome) {
	t.Helper()
	reject := server.RejectUnauthorized == nil || *server.RejectUnauthorized
	port, results := ourServer(t, api.ServerOptions{SecureContextOptions: server.context(t), RequestCert: server.RequestCert,
		RejectUnauthorized: reject, ALPNProtocols: server.ALPNProtocols})
	in, _ := json.Marshal(client)
	out, err := exec.Command(nodeBin(t), script, "client", strconv.Itoa(port), string(in)).Output()
	var nodeClient outcome
	if err != nil || json.Unmarshal(out, &nodeClient) != nil {
		t.Fatalf("node client: %v\n%s", err, out)
	}
	select {
	case err := <-results:
		return ours(err), nodeClient
	case <-time.After(30 * time.Second):
		t.Fatal("our server reported nothing")
	}
	return outcome{}, outcome{}
}

// nodeServerOursClient runs Node's server against our client.
func nodeServerOursClient(t *testing.T, script string, server, client nodeOpts) (outcome, outcome) {
	t.Helper()
	in, _ := json.Marshal(server)
	port, lines := nodeServer(t, script, "server", string(in))
	sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: client.context(t), Host: "127.0.0.1", Port: port,
		Servername: "localhost", ALPNProtocols: client.ALPNProtocols, MinDHSize: client.MinDHSize, RejectUnauthorized: client.RejectUnauthorized}, nil)
	if err == nil {
		sock.Close()
	}
	var nodeServer outcome
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &nodeServer) != nil {
		t.Fatalf("node server: %q", lines.Text())
	}
	return nodeServer, ours(err)
}

// failurePKI writes, with openssl, a root and chains below it that differ
// in signature digests and RSA key sizes, and a 1024-bit DH group.
func failurePKI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	script := `set -e
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' > leaf.ext
key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$2 -out $1.key 2>/dev/null; }
key root 2048
openssl req -x509 -new -key root.key -subj /CN=root -days 30 -sha256 -out root.pem -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
# issue NAME ISSUER BITS DIGEST EXTFILE: NAME.pem, NAME.key and NAME.chain (NAME.pem then ISSUER.pem)
issue() {
  key $1 $3
  openssl req -new -key $1.key -subj /CN=$1 -out $1.csr
  openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -set_serial 0x$(openssl rand -hex 8) -days 30 -$4 -extfile $5 -out $1.pem 2>/dev/null
  cat $1.pem $2.pem > $1.chain
}
issue int root 2048 sha256 ca.ext
issue intsha1 root 2048 sha1 ca.ext
issue int512 root 512 sha256 ca.ext
issue int1024 root 1024 sha256 ca.ext
issue leaf int 2048 sha256 leaf.ext
issue leafsha1 int 2048 sha1 leaf.ext
issue leaf512 int 512 sha256 leaf.ext
issue leaf1024 int 1024 sha256 leaf.ext
issue belowsha1 intsha1 2048 sha256 leaf.ext
issue below512 int512 2048 sha256 leaf.ext
issue below1024 int1024 2048 sha256 leaf.ext
`
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	// RFC 2409, Section 6.2: the 1024-bit MODP group, generator 2.
	p, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"+
		"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16)
	der, _ := asn1.Marshal(struct{ P, G *big.Int }{p, big.NewInt(2)})
	if err := os.WriteFile(filepath.Join(dir, "dh1024.pem"), pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHandshakeFailureCodesMatchNode runs failing handshakes with Node on
// both sides (the reference), then with our server against Node's client
// and Node's server against our client, and wants Node's codes on our
// side: ERR_SSL_<REASON> where the failure is detected,
// ERR_SSL_<SSLV3|TLSV1>_ALERT_<NAME> where the alert arrives, and
// ERR_TLS_DH_PARAM_SIZE for minDHSize. With peer set, Node facing us
// must also report what it reports facing Node (our alerts are the ones
// OpenSSL sends). The engine error stays reachable under the *api.Error.
func TestHandshakeFailureCodesMatchNode(t *testing.T) {
	script := nodeScript(t)
	dir := failurePKI(t)
	f := func(name string) string { return filepath.Join(dir, name) }
	yes := true
	srv := nodeOpts{Key: f("leaf.key"), Cert: f("leaf.chain")}
	cli := nodeOpts{CA: f("root.pem")}
	with := func(o nodeOpts, change func(*nodeOpts)) nodeOpts { change(&o); return o }
	for _, tc := range []struct {
		name           string
		server, client nodeOpts
		ourServer      bool // run our server against Node's client
		ourClient      bool // run our client against Node's server
		peer           bool // compare Node's side facing ours too
	}{
		{"no shared cipher", with(srv, func(o *nodeOpts) { o.Ciphers = "ECDHE-RSA-AES128-GCM-SHA256" }),
			with(cli, func(o *nodeOpts) { o.Ciphers = "AES128-SHA" }), true, true, true},
		{"no application protocol", with(srv, func(o *nodeOpts) { o.ALPNProtocols = []string{"h2"} }),
			with(cli, func(o *nodeOpts) { o.ALPNProtocols = []string{"http/1.1"} }), true, true, true},
		{"client below the server's minimum version", with(srv, func(o *nodeOpts) { o.MinVersion = "TLSv1.2" }),
			with(cli, func(o *nodeOpts) { o.MinVersion, o.MaxVersion, o.Ciphers = "TLSv1", "TLSv1.1", "DEFAULT:@SECLEVEL=0" }), true, true, true},
		// Node's server reports the client's protocol_version alert as
		// ERR_SSL_WRONG_VERSION_NUMBER (the alert record carries
		// TLS 1.2 after TLS 1.1 was chosen); only the client is compared.
		{"server below the client's minimum version", with(srv, func(o *nodeOpts) { o.MinVersion, o.MaxVersion, o.Ciphers = "TLSv1", "TLSv1.1", "DEFAULT:@SECLEVEL=0" }),
			cli, false, true, false},
		{"no client certificate", with(srv, func(o *nodeOpts) { o.RequestCert, o.RejectUnauthorized, o.CA = true, &yes, f("root.pem") }),
			cli, true, true, true},
		// Node checks minDHSize after the handshake and closes without an
		// alert; ours refuses in the handshake as OpenSSL's own DH size
		// check does, so Node's server is not compared.
		{"minDHSize", with(srv, func(o *nodeOpts) { o.DHParam, o.Ciphers = f("dh1024.pem"), "DHE-RSA-AES128-GCM-SHA256" }),
			with(cli, func(o *nodeOpts) { o.MinDHSize = 2048 }), false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refServer, refClient := nodePair(t, script, tc.server, tc.client)
			if refServer == secureOutcome && refClient == secureOutcome {
				t.Fatalf("the handshake does not fail between Node peers")
			}
			// check compares our side and, with peer, Node's side facing it.
			check := func(ourSide, nodeSide string, got, ref, peer, refPeer outcome) {
				if !sameOutcome(got, ref) {
					t.Errorf("our %s: %q, Node's %[1]s: %[3]q", ourSide, got, ref)
				}
				if tc.peer && !sameOutcome(peer, refPeer) {
					t.Errorf("Node's %s facing ours: %q, facing Node's: %q", nodeSide, peer, refPeer)
				}
			}
			if tc.ourServer {
				got, peer := oursServerNodeClient(t, script, tc.server, tc.client)
				check("server", "client", got, refServer, peer, refClient)
			}
			if tc.ourClient {
				peer, got := nodeServerOursClient(t, script, tc.server, tc.client)
				check("client", "server", got, refClient, peer, refServer)
			}
		})
	}
}

// answerClients answers the first bytes of each client connection with
// one of replies in turn, runs Node's client against them, then ours,
// and returns Node's outcomes and our errors.
func answerClients(t *testing.T, replies [][]byte) ([]outcome, []error) {
	t.Helper()
	nodeBin(t)
	responder := func() int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for _, reply := range replies {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				buf := make([]byte, 1024)
				c.Read(buf)
				c.Write(reply)
				c.Close()
			}
		}()
		t.Cleanup(func() { ln.Close() })
		return ln.Addr().(*net.TCPAddr).Port
	}
	out, err := exec.Command(nodeBin(t), "-e", `const tls = require('tls'), [port, n] = process.argv.slice(1).map(Number), out = [];
(function next(i) {
  if (i === n) { console.log(JSON.stringify(out)); return; }
  const c = tls.connect({host: '127.0.0.1', port, rejectUnauthorized: false});
  c.on('error', e => { out.push([e.code || '', e.reason || '', e.message]); next(i + 1); });
})(0);`, strconv.Itoa(responder()), strconv.Itoa(len(replies))).Output()
	var want []outcome
	if err != nil || json.Unmarshal(out, &want) != nil || len(want) != len(replies) {
		t.Fatalf("node: %v\n%s", err, out)
	}
	port := responder()
	var errs []error
	for range replies {
		_, err := api.Connect(api.ConnectOptions{Host: "127.0.0.1", Port: port}, nil)
		errs = append(errs, err)
	}
	return want, errs
}

// TestReceivedAlertCodesMatchNode answers a ClientHello with each fatal
// alert 0 to 255 and wants our client to report the code and reason Node's
// client reports for it (Node names 33 of them; the others are
// ECONNRESET), with the engine's *record.AlertError under it.
func TestReceivedAlertCodesMatchNode(t *testing.T) {
	var replies [][]byte
	for i := range 256 {
		replies = append(replies, []byte{byte(record.TypeAlert), 3, 3, 0, 2, byte(record.LevelFatal), byte(i)})
	}
	want, errs := answerClients(t, replies)
	named := 0
	for i, err := range errs {
		got := ours(err)
		if want[i][1] != "" {
			named++
		}
		if got[0] != want[i][0] || got[1] != want[i][1] {
			t.Errorf("alert %d: %q %q, Node %q %q", i, got[0], got[1], want[i][0], want[i][1])
		}
		var ae *record.AlertError
		if i > 0 && (!errors.As(err, &ae) || int(ae.Alert.Description) != i) {
			t.Errorf("alert %d: the engine's alert error is not under %v", i, err)
		}
	}
	if named < 30 {
		t.Errorf("Node names only %d alerts", named)
	}
}

// TestNonTLSAnswerCodeMatchesNode answers a ClientHello with bytes that
// are not a TLS record and wants Node's code: the client detects it.
func TestNonTLSAnswerCodeMatchesNode(t *testing.T) {
	replies := [][]byte{
		[]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
		[]byte("SSH-2.0-OpenSSH_9.2p1\r\n"),
		{byte(record.TypeHandshake), 2, 0, 0, 4, 1, 2, 3, 4}, // SSL 2.0's version
		{byte(record.TypeHandshake), 3, 3, 0x48, 1},          // over 2^14 + 2048
	}
	want, errs := answerClients(t, replies)
	for i, err := range errs {
		var re *record.Error
		if got := ours(err); got[0] != want[i][0] || got[1] != want[i][1] || !errors.As(err, &re) {
			t.Errorf("reply %q: %q %q (%v), Node %q %q", replies[i], got[0], got[1], err, want[i][0], want[i][1])
		}
	}
}

// TestPeerChainSecurityLevelMatchesNode serves chains with SHA-1
// signatures and small RSA keys from Node (at @SECLEVEL=0, so it can load
// them) and wants our client to accept or refuse each as Node's client
// does at its default security level 1, with Node's code and message
// (UNSPECIFIED: Node does not name CA_MD_TOO_WEAK or the key size codes),
// and to accept the SHA-1 ones with "@SECLEVEL=0" in ciphers, as Node
// does. Node accepts 1024-bit RSA keys at level 1, and so do we; it
// accepts 512-bit ones at level 0, which crypto/rsa cannot verify with,
// so those are not run at level 0.
func TestPeerChainSecurityLevelMatchesNode(t *testing.T) {
	script := nodeScript(t)
	dir := failurePKI(t)
	f := func(name string) string { return filepath.Join(dir, name) }
	refused := 0
	for _, leaf := range []string{"leaf", "leafsha1", "belowsha1", "leaf512", "below512", "leaf1024", "below1024"} {
		for _, ciphers := range []string{"", "DEFAULT:@SECLEVEL=0"} {
			if strings.Contains(leaf, "512") && ciphers != "" {
				continue
			}
			t.Run(leaf+" "+ciphers, func(t *testing.T) {
				server := nodeOpts{Key: f(leaf + ".key"), Cert: f(leaf + ".chain"), Ciphers: "DEFAULT:@SECLEVEL=0"}
				client := nodeOpts{CA: f("root.pem"), Ciphers: ciphers}
				_, want := nodePair(t, script, server, client)
				_, got := nodeServerOursClient(t, script, server, client)
				if !sameOutcome(got, want) {
					t.Errorf("our client: %q, Node's client: %q", got, want)
				}
				if want != secureOutcome {
					refused++
				}
			})
		}
	}
	// SHA-1 at either place and 512-bit keys at either place.
	if refused != 4 {
		t.Errorf("Node refused %d of the chains, want 4", refused)
	}
}

// TestServerReceivedAlertCodesMatchNode answers a server's first flight
// with each fatal alert OpenSSL has a text for and wants our server's
// tlsClientError to carry the code and reason Node's server reports for
// it. (TestReceivedAlertCodesMatchNode covers all 256 values on a client;
// after the others, and after close_notify, Node's server waits for the
// client to close.)
func TestServerReceivedAlertCodesMatchNode(t *testing.T) {
	nodeScript(t)
	dir := failurePKI(t)
	key, chain := filepath.Join(dir, "leaf.key"), filepath.Join(dir, "leaf.chain")
	var alerts []record.AlertDescription
	for a := range record.AlertDescription(255) {
		if a != record.AlertCloseNotify && !strings.HasPrefix(a.String(), "alert(") {
			alerts = append(alerts, a)
		}
	}
	// send opens one connection per alert to port, sends a ClientHello
	// and the alert, and waits for the server to close; then it calls
	// each, which may wait for the server's report.
	send := func(port int, each func(i int)) {
		for i := range alerts {
			eng := engine.NewClient(&engine.Config{Rand: rand.Reader, Now: time.Now}, engine.ClientOptions{ServerName: "localhost"})
			hello := eng.NextEvent().Data
			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(30 * time.Second)) // against a hang, not a result
			c.Write(append(hello, byte(record.TypeAlert), 3, 3, 0, 2, byte(record.LevelFatal), byte(alerts[i])))
			if _, err := io.Copy(io.Discard, c); err != nil {
				t.Fatalf("alert %d: the server did not close: %v", alerts[i], err)
			}
			c.Close()
			each(i)
		}
	}
	port, lines := nodeServer(t, "-e", `const tls = require('tls'), fs = require('fs'), [key, cert] = process.argv.slice(1), out = [];
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), maxVersion: 'TLSv1.2'}, s => s.destroy());
srv.on('tlsClientError', e => { out.push([e.code || '', e.reason || '', e.message]); if (out.length === +process.argv[3]) { console.log(JSON.stringify(out)); process.exit(0); } });
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));`, key, chain, strconv.Itoa(len(alerts)))
	send(port, func(int) {})
	var want []outcome
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &want) != nil || len(want) != len(alerts) {
		t.Fatalf("node server: %q", lines.Text())
	}

	port, errs := ourServer(t, api.ServerOptions{SecureContextOptions: nodeOpts{Key: key, Cert: chain}.context(t)})
	send(port, func(i int) {
		got, w := ours(<-errs), want[i]
		if got[0] != w[0] || got[1] != w[1] {
			t.Errorf("alert %v: %q %q, Node %q %q", alerts[i], got[0], got[1], w[0], w[1])
		}
	})
}

// TestNonTLSRequestCodeMatchesNode sends each server bytes that are not a
// ClientHello (plain HTTP requests, a CONNECT as to an HTTPS proxy, SSH)
// and wants our server's tlsClientError to carry the code and reason
// Node's server reports: OpenSSL names GET, POST, HEAD and PUT requests
// and CONNECT, and calls anything else a wrong version number.
func TestNonTLSRequestCodeMatchesNode(t *testing.T) {
	nodeScript(t)
	dir := failurePKI(t)
	key, chain := filepath.Join(dir, "leaf.key"), filepath.Join(dir, "leaf.chain")
	requests := []string{
		"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"POST /form HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
		"HEAD / HTTP/1.0\r\n\r\n",
		"PUT /x HTTP/1.1\r\n\r\n",
		"CONNECT example.com:443 HTTP/1.1\r\n\r\n",
		"PATCH /x HTTP/1.1\r\n\r\n",
		"SSH-2.0-OpenSSH_9.2p1\r\n",
	}
	send := func(port int, each func(i int)) {
		for i, req := range requests {
			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(30 * time.Second)) // against a hang, not a result
			c.Write([]byte(req))
			io.Copy(io.Discard, c)
			c.Close()
			each(i)
		}
	}
	port, lines := nodeServer(t, "-e", `const tls = require('tls'), fs = require('fs'), [key, cert] = process.argv.slice(1), out = [];
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert)}, s => s.destroy());
srv.on('tlsClientError', e => { out.push([e.code || '', e.reason || '', e.message]); if (out.length === +process.argv[3]) { console.log(JSON.stringify(out)); process.exit(0); } });
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));`, key, chain, strconv.Itoa(len(requests)))
	send(port, func(int) {})
	var want []outcome
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &want) != nil || len(want) != len(requests) {
		t.Fatalf("node server: %q", lines.Text())
	}
	port, errs := ourServer(t, api.ServerOptions{SecureContextOptions: nodeOpts{Key: key, Cert: chain}.context(t)})
	send(port, func(i int) {
		got, w := ours(<-errs), want[i]
		if got[0] != w[0] || got[1] != w[1] {
			t.Errorf("%q: %q %q, Node %q %q", requests[i], got[0], got[1], w[0], w[1])
		}
	})
}
