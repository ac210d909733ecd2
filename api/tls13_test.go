package api_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
)

// tls13Case is one TLS 1.3 configuration, the same on both sides: a
// cipher string (TLS 1.3 names, as Node takes them) and an ecdhCurve.
type tls13Case struct{ ciphers, curve string }

// tls13NodeCases are configurations Node v20 also has.
var tls13NodeCases = []tls13Case{
	{"", ""},
	{"TLS_CHACHA20_POLY1305_SHA256", "P-256"},
	{"TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256", "secp521r1"},
	{"TLS_AES_256_GCM_SHA384", "ffdhe2048"},
}

// serverReport is what our TLS 1.3 server saw of one connection.
type serverReport struct {
	protocol     string
	cipher       api.CipherInfo
	ekm, ekmNC   []byte
	fin, peerFin []byte
}

// The label and context both sides export keying material with.
const exporterLabel = "EXPERIMENTAL-tlsengine"

var exporterContext = []byte("ctx")

// exports returns a socket's keying material with and without a context.
func exports(t *testing.T, s *api.TLSSocket) (withCtx, without []byte) {
	t.Helper()
	a, err := s.ExportKeyingMaterial(32, exporterLabel, exporterContext)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.ExportKeyingMaterial(32, exporterLabel, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// ourServer13 starts our echo server at the default versions (TLS 1.3) and c's
// ciphers and curve; it reports each connection.
func ourServer13(t *testing.T, pki nodePKI, c tls13Case) (int, chan serverReport) {
	t.Helper()
	srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
		Key: []api.KeyOption{{PEM: pki.key}}, Cert: [][]byte{pki.chain},
		Ciphers: c.ciphers, ECDHCurve: c.curve,
	}})
	reports := make(chan serverReport, 4)
	srv.OnSecureConnection(func(s *api.TLSSocket) {
		a, b := exports(t, s)
		reports <- serverReport{s.Protocol(), *s.Cipher(), a, b, s.Finished(), s.PeerFinished()}
	})
	return port, reports
}

// connect13 connects our client with the default versions, which give
// TLS 1.3.
func connect13(t *testing.T, pki nodePKI, c tls13Case, port int) *api.TLSSocket {
	t.Helper()
	sock, err := api.Connect(api.ConnectOptions{Host: "127.0.0.1", Port: port, Servername: "localhost",
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}, Ciphers: c.ciphers, ECDHCurve: c.curve}}, nil)
	if err != nil {
		t.Fatalf("%+v: %v", c, err)
	}
	t.Cleanup(func() { sock.Close() })
	return sock
}

// echo writes msg and reads it back.
func echo(t *testing.T, s *api.TLSSocket, msg string) {
	t.Helper()
	if _, err := s.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(s, got); err != nil || string(got) != msg {
		t.Fatalf("echo %q: %q, %v", msg, got, err)
	}
}

// TestTLSSocketTLS13ProtocolCipherEphemeralKeyInfoExporter: our client
// and server at the default versions report Node v20's values for TLS 1.3 (the
// suite's version is 'TLSv1.3'; an RFC 7919 group is {DH, size}), agree on
// exported keying material, and the KeyUpdate extension UpdateKeys keeps
// data flowing both ways.
func TestTLSSocketTLS13ProtocolCipherEphemeralKeyInfoExporter(t *testing.T) {
	pki := newNodePKI(t)
	for _, tc := range []struct {
		c    tls13Case
		want api.CipherInfo
		eph  api.EphemeralKeyInfo
	}{
		// By default both offer and prefer the hybrid X25519MLKEM768 (as
		// Go; Node v20 has none), which EphemeralKeyInfo reports in a shape
		// of ours.
		{tls13Case{"", ""}, api.CipherInfo{"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", "TLSv1.3"}, api.EphemeralKeyInfo{"KEM", "X25519MLKEM768", 0}},
		{tls13Case{"", "X25519:P-256"}, api.CipherInfo{"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", "TLSv1.3"}, api.EphemeralKeyInfo{"ECDH", "X25519", 253}},
		{tls13Case{"TLS_CHACHA20_POLY1305_SHA256", "P-256"}, api.CipherInfo{"TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLSv1.3"}, api.EphemeralKeyInfo{"ECDH", "prime256v1", 256}},
		{tls13Case{"TLS_AES_128_GCM_SHA256:HIGH", "ffdhe2048"}, api.CipherInfo{"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLSv1.3"}, api.EphemeralKeyInfo{"DH", "", 2048}},
		// Our extension: Node v20 has no X25519MLKEM768.
		{tls13Case{"", "X25519MLKEM768:X25519"}, api.CipherInfo{"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", "TLSv1.3"}, api.EphemeralKeyInfo{"KEM", "X25519MLKEM768", 0}},
	} {
		port, reports := ourServer13(t, pki, tc.c)
		sock := connect13(t, pki, tc.c, port)
		rep := <-reports
		if sock.Protocol() != "TLSv1.3" || rep.protocol != "TLSv1.3" {
			t.Errorf("%+v: Protocol() = %q, server %q", tc.c, sock.Protocol(), rep.protocol)
		}
		if *sock.Cipher() != tc.want || rep.cipher != tc.want {
			t.Errorf("%+v: Cipher() = %+v, server %+v, want %+v", tc.c, *sock.Cipher(), rep.cipher, tc.want)
		}
		if got := sock.EphemeralKeyInfo(); got == nil || *got != tc.eph {
			t.Errorf("%+v: EphemeralKeyInfo() = %+v, want %+v", tc.c, got, tc.eph)
		}
		a, b := exports(t, sock)
		// RFC 8446, Section 7.5: no context is an empty context.
		empty, err := sock.ExportKeyingMaterial(32, exporterLabel, []byte{})
		if err != nil || !bytes.Equal(a, rep.ekm) || !bytes.Equal(b, rep.ekmNC) || !bytes.Equal(b, empty) {
			t.Errorf("%+v: exported %x/%x, server %x/%x", tc.c, a, b, rep.ekm, rep.ekmNC)
		}
		echo(t, sock, "before")
		for _, request := range []bool{false, true} {
			if err := sock.UpdateKeys(request); err != nil {
				t.Fatalf("%+v: UpdateKeys(%v): %v", tc.c, request, err)
			}
			echo(t, sock, "after KeyUpdate "+strconv.FormatBool(request))
		}
	}
}

// TestTLSSocketRenegotiateTLS13FailsAsNode: renegotiate() on a TLS 1.3
// socket fails with Node v20's ERR_SSL_WRONG_SSL_VERSION and the
// connection goes on; UpdateKeys on a TLS 1.2 one fails the same way.
func TestTLSSocketRenegotiateTLS13FailsAsNode(t *testing.T) {
	pki := newNodePKI(t)
	port, reports := ourServer13(t, pki, tls13Case{})
	sock := connect13(t, pki, tls13Case{}, port)
	<-reports
	err := sock.Renegotiate(api.RenegotiateOptions{}, nil)
	var e *api.Error
	if !errors.As(err, &e) || e.Code != "ERR_SSL_WRONG_SSL_VERSION" || e.Message != "error:0A00010A:SSL routines::wrong ssl version" {
		t.Fatalf("Renegotiate on TLS 1.3: %v", err)
	}
	echo(t, sock, "still open")

	port12, reports12 := ourServer13(t, pki, tls13Case{})
	sock12, err := api.Connect(api.ConnectOptions{Host: "127.0.0.1", Port: port12, Servername: "localhost",
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}, MaxVersion: "TLSv1.2"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sock12.Close()
	if r := <-reports12; r.protocol != "TLSv1.2" || sock12.Protocol() != "TLSv1.2" {
		t.Fatalf("client at most TLSv1.2: %q/%q", sock12.Protocol(), r.protocol)
	}
	if err := sock12.UpdateKeys(true); !errors.As(err, &e) || e.Code != "ERR_SSL_WRONG_SSL_VERSION" {
		t.Fatalf("UpdateKeys on TLS 1.2: %v", err)
	}
	if _, err := sock.ExportKeyingMaterial(0, "x", nil); !errors.As(err, &e) || e.Code != "ERR_OUT_OF_RANGE" {
		t.Fatalf("ExportKeyingMaterial(0): %v", err)
	}
}

// node13JS is Node's side: "server OPTS" prints "listening PORT" and a
// report per connection; "client PORT OPTS" prints one report. A report
// is the protocol, cipher, ephemeral key info (client) and keying
// material with and without a context.
const node13JS = `const tls = require('tls'), fs = require('fs');
const [mode, a, b] = process.argv.slice(2);
const o = JSON.parse(mode === 'server' ? a : b);
for (const k of ['key', 'cert', 'ca']) if (o[k]) o[k] = fs.readFileSync(o[k]);
if (!o.ciphers) delete o.ciphers;
if (!o.ecdhCurve) delete o.ecdhCurve;
const report = (s) => JSON.stringify({protocol: s.getProtocol(), cipher: s.getCipher(),
  eph: mode === 'client' ? s.getEphemeralKeyInfo() : null,
  ekm: s.exportKeyingMaterial(32, 'EXPERIMENTAL-tlsengine', Buffer.from('ctx')).toString('hex'),
  ekmNC: s.exportKeyingMaterial(32, 'EXPERIMENTAL-tlsengine').toString('hex'),
  fin: s.getFinished().toString('hex'), peerFin: s.getPeerFinished().toString('hex')});
if (mode === 'server') {
  const srv = tls.createServer(o, (s) => { console.log(report(s)); s.pipe(s); });
  srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
} else {
  const s = tls.connect(Object.assign(o, {port: +a, host: '127.0.0.1', servername: 'localhost'}), () => {
    console.log(report(s)); s.end();
  });
  s.on('error', (e) => { console.log(JSON.stringify({error: e.code + ' ' + e.message})); });
}
`

// nodeReport is node13JS's report.
type nodeReport struct {
	Protocol string
	Cipher   struct{ Name, StandardName, Version string }
	Eph      *struct {
		Type, Name string
		Size       int
	}
	EKM     string `json:"ekm"`
	EKMNC   string `json:"ekmNC"`
	Fin     string `json:"fin"`
	PeerFin string `json:"peerFin"`
	Error   string
}

func (r nodeReport) cipher() api.CipherInfo {
	return api.CipherInfo{Name: r.Cipher.Name, StandardName: r.Cipher.StandardName, Version: r.Cipher.Version}
}

// TestTLS13MatchesNodeBothWays: Node v20 with minVersion 'TLSv1.3'
// against our side at the default versions, both directions, for each
// suite and several groups: Protocol, Cipher, EphemeralKeyInfo, the
// exported keying material and the Finished verify_data (getFinished,
// getPeerFinished) are what Node reports on its end.
func TestTLS13MatchesNodeBothWays(t *testing.T) {
	node := nodeBin(t)
	pki := newNodePKI(t)
	dir := t.TempDir()
	files := map[string][]byte{"key.pem": pki.key, "cert.pem": pki.chain, "ca.pem": pki.ca, "t.js": []byte(node13JS)}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(dir, "t.js")
	opts := func(c tls13Case, server bool) string {
		o := map[string]string{"minVersion": "TLSv1.3", "ciphers": c.ciphers, "ecdhCurve": c.curve}
		if server {
			o["key"], o["cert"] = filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
		} else {
			o["ca"] = filepath.Join(dir, "ca.pem")
		}
		b, _ := json.Marshal(o)
		return string(b)
	}
	for _, c := range tls13NodeCases {
		// Node's client, our server.
		port, reports := ourServer13(t, pki, c)
		out, err := exec.Command(node, script, "client", strconv.Itoa(port), opts(c, false)).Output()
		var nc nodeReport
		if err != nil || json.Unmarshal(out, &nc) != nil || nc.Error != "" {
			t.Fatalf("%+v: node client: %v %s", c, err, out)
		}
		rep := <-reports
		if nc.Protocol != "TLSv1.3" || rep.protocol != nc.Protocol || rep.cipher != nc.cipher() {
			t.Errorf("%+v: our server %q %+v, node client %q %+v", c, rep.protocol, rep.cipher, nc.Protocol, nc.cipher())
		}
		if nc.EKM != hex.EncodeToString(rep.ekm) || nc.EKMNC != hex.EncodeToString(rep.ekmNC) {
			t.Errorf("%+v: keying material: ours %x/%x, node %s/%s", c, rep.ekm, rep.ekmNC, nc.EKM, nc.EKMNC)
		}
		if nc.Fin != hex.EncodeToString(rep.peerFin) || nc.PeerFin != hex.EncodeToString(rep.fin) {
			t.Errorf("%+v: our server's Finished %x, peer's %x; node client's %s, peer's %s", c, rep.fin, rep.peerFin, nc.Fin, nc.PeerFin)
		}

		// Node's server, our client.
		nport, lines := nodeServer(t, script, "server", opts(c, true))
		sock := connect13(t, pki, c, nport)
		var ns nodeReport
		if !lines.Scan() || json.Unmarshal(lines.Bytes(), &ns) != nil {
			t.Fatalf("%+v: node server: %q", c, lines.Text())
		}
		if sock.Protocol() != ns.Protocol || *sock.Cipher() != ns.cipher() {
			t.Errorf("%+v: our client %q %+v, node server %q %+v", c, sock.Protocol(), *sock.Cipher(), ns.Protocol, ns.cipher())
		}
		a, b := exports(t, sock)
		if ns.EKM != hex.EncodeToString(a) || ns.EKMNC != hex.EncodeToString(b) {
			t.Errorf("%+v: keying material: ours %x/%x, node %s/%s", c, a, b, ns.EKM, ns.EKMNC)
		}
		if ns.Fin != hex.EncodeToString(sock.PeerFinished()) || ns.PeerFin != hex.EncodeToString(sock.Finished()) {
			t.Errorf("%+v: our client's Finished %x, peer's %x; node server's %s, peer's %s", c, sock.Finished(), sock.PeerFinished(), ns.Fin, ns.PeerFin)
		}
		// Node's client's getEphemeralKeyInfo, for the same group.
		got, want := sock.EphemeralKeyInfo(), nc.Eph
		if got == nil || want == nil || got.Type != want.Type || got.Name != want.Name || got.Size != want.Size {
			t.Errorf("%+v: EphemeralKeyInfo() = %+v, node %+v", c, got, want)
		}
		echo(t, sock, "hello node")
		if err := sock.UpdateKeys(true); err != nil {
			t.Fatalf("%+v: UpdateKeys: %v", c, err)
		}
		echo(t, sock, "after KeyUpdate") // Node answered update_requested
	}
}

// TestCreateSecureContextOptionCiphersTLS13MatchesNode gives Node's
// createSecureContext and ours the same cipher strings: names starting
// with "TLS_" go to the TLS 1.3 list as in Node v20's secure-context.js,
// with the same verdicts, and the same version range afterwards (only
// TLS 1.3 names raise the minimum to TLS 1.3 when the maximum allows it).
// The default range (TLS 1.2 to 1.3) and the secureProtocol methods'
// ranges (TLS_method to TLS 1.3, SSLv23_method capped at TLS 1.2) are
// Node's too.
func TestCreateSecureContextOptionCiphersTLS13MatchesNode(t *testing.T) {
	node := nodeBin(t)
	type probe struct{ Ciphers, MinVersion, MaxVersion, ECDHCurve, SecureProtocol string }
	var probes []probe
	for _, c := range []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256",
		"tls_aes_128_gcm_sha256", "TLS_BOGUS", "TLS_AES_128_GCM_SHA256:TLS_BOGUS", "TLS_BOGUS:ECDHE-RSA-AES128-GCM-SHA256",
		":", "HIGH:TLS_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"} {
		for _, max := range []string{"TLSv1.2", "TLSv1.3", ""} {
			probes = append(probes, probe{c, "", max, "", ""})
		}
	}
	for _, curve := range []string{"ffdhe2048", "X25519:ffdhe3072:P-384", "ffdhe8192"} {
		probes = append(probes, probe{"", "", "TLSv1.3", curve, ""})
	}
	probes = append(probes, probe{}, probe{"", "TLSv1.3", "", "", ""}, probe{"", "TLSv1.2", "TLSv1.3", "", ""}, probe{"", "TLSv1", "", "", ""})
	for _, m := range []string{"TLS_method", "TLS_client_method", "TLS_server_method", "SSLv23_method", "SSLv23_client_method", "TLSv1_2_method", "TLSv1_1_method"} {
		probes = append(probes, probe{"", "", "", "", m}, probe{"TLS_AES_128_GCM_SHA256", "", "", "", m})
	}
	in, _ := json.Marshal(probes)
	out, err := exec.Command(node, "-e", `const tls = require('tls');
console.log(JSON.stringify(JSON.parse(process.argv[1]).map(o => {
  try {
    const c = tls.createSecureContext({ciphers: o.Ciphers || undefined, minVersion: o.MinVersion || undefined, maxVersion: o.MaxVersion || undefined, ecdhCurve: o.ECDHCurve || undefined, secureProtocol: o.SecureProtocol || undefined}).context;
    return {Code: '', Min: c.getMinProto(), Max: c.getMaxProto()};
  } catch (e) { return {Code: e.code, Min: 0, Max: 0}; }
})));`, string(in)).CombinedOutput()
	type verdict struct {
		Code     string
		Min, Max uint16
	}
	var want []verdict
	if err != nil || json.Unmarshal(out, &want) != nil || len(want) != len(probes) {
		t.Fatalf("node: %v\n%s", err, out)
	}
	for i, p := range probes {
		ctx, err := api.CreateSecureContext(api.SecureContextOptions{Ciphers: p.Ciphers, MinVersion: p.MinVersion, MaxVersion: p.MaxVersion,
			ECDHCurve: p.ECDHCurve, SecureProtocol: p.SecureProtocol})
		var got verdict
		if err != nil {
			var e *api.Error
			errors.As(err, &e)
			got.Code = e.Code
		} else {
			cfg := ctx.EngineConfig()
			got.Min, got.Max = cfg.MinVersion, cfg.MaxVersion
			// Zero is the default: TLS 1.2 to TLS 1.3, as Node v20's
			// tls.DEFAULT_MIN_VERSION and DEFAULT_MAX_VERSION.
			if got.Min == 0 {
				got.Min = cipher.VersionTLS12
			}
			if got.Max == 0 {
				got.Max = cipher.VersionTLS13
			}
		}
		if strings.HasPrefix(p.SecureProtocol, "TLS_") && want[i].Min == 0 {
			// Node's TLS_method leaves OpenSSL's minimum (0, TLS 1.0),
			// but at OpenSSL's default security level a TLS 1.0 or 1.1
			// handshake fails (ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM,
			// probed on Node v20): we keep the default minimum, TLS 1.2.
			want[i].Min = cipher.VersionTLS12
		}
		if got != want[i] {
			t.Errorf("%+v: %+v, node %+v", p, got, want[i])
		}
	}
	// The TLS 1.3 names set the TLS 1.3 list in their order; none keeps
	// Node's default order.
	ctx, _ := api.CreateSecureContext(api.SecureContextOptions{Ciphers: "TLS_AES_128_GCM_SHA256:HIGH:TLS_CHACHA20_POLY1305_SHA256"})
	if got := ctx.EngineConfig().CipherSuites13; !slices.Equal(got, []uint16{cipher.TLSAES128GCMSHA256, cipher.TLSChaCha20Poly1305SHA256}) {
		t.Errorf("CipherSuites13 = %x", got)
	}
	if ctx, _ = api.CreateSecureContext(api.SecureContextOptions{Ciphers: "HIGH"}); ctx.EngineConfig().CipherSuites13 != nil {
		t.Errorf("HIGH set the TLS 1.3 suites: %x", ctx.EngineConfig().CipherSuites13)
	}
	// Our extension: the hybrid group, which Node v20 does not know.
	if _, err := api.CreateSecureContext(api.SecureContextOptions{ECDHCurve: "X25519MLKEM768:X25519"}); err != nil {
		t.Errorf("ecdhCurve X25519MLKEM768: %v", err)
	}
}

// TestGetCiphersListsTLS13SuitesAsNode: GetCiphers lists the TLS 1.3
// suites under Node v20's lower-case names; Node's other TLS 1.3 entries
// are the CCM suites, which we do not implement.
func TestGetCiphersListsTLS13SuitesAsNode(t *testing.T) {
	out, err := exec.Command(nodeBin(t), "-p", "JSON.stringify(require('tls').getCiphers())").Output()
	var nodeNames []string
	if err != nil || json.Unmarshal(out, &nodeNames) != nil {
		t.Fatalf("node: %v %s", err, out)
	}
	var ours13, node13 []string
	for _, n := range api.GetCiphers() {
		if !slices.Contains(nodeNames, n) {
			t.Errorf("%q is not among Node's names", n)
		}
		if strings.HasPrefix(n, "tls_") {
			ours13 = append(ours13, n)
		}
	}
	for _, n := range nodeNames {
		if strings.HasPrefix(n, "tls_") && !strings.Contains(n, "_ccm") {
			node13 = append(node13, n)
		}
	}
	if !slices.Equal(ours13, node13) {
		t.Errorf("TLS 1.3 names %q, node %q", ours13, node13)
	}
}

// TestTLSSocketGetFinishedGetPeerFinished: each side's Finished is the
// other's PeerFinished, in TLS 1.2 (12 bytes) and TLS 1.3 (the suite's
// hash length, as Node v20 reports: 48 with SHA-384, 32 with SHA-256),
// and both are nil before the handshake.
func TestTLSSocketGetFinishedGetPeerFinished(t *testing.T) {
	pki := newNodePKI(t)
	for _, tc := range []struct {
		max, ciphers string
		size         int
	}{{"TLSv1.2", "", 12}, {"TLSv1.3", "TLS_AES_256_GCM_SHA384", 48}, {"TLSv1.3", "TLS_AES_128_GCM_SHA256", 32}} {
		c := tls13Case{ciphers: tc.ciphers}
		port, reports := ourServer13(t, pki, c)
		sock, err := api.Connect(api.ConnectOptions{Host: "127.0.0.1", Port: port, Servername: "localhost",
			SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}, MaxVersion: tc.max, Ciphers: tc.ciphers}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		rep := <-reports
		fin, peer := sock.Finished(), sock.PeerFinished()
		if len(fin) != tc.size || len(peer) != tc.size || bytes.Equal(fin, peer) ||
			!bytes.Equal(fin, rep.peerFin) || !bytes.Equal(peer, rep.fin) {
			t.Errorf("%s %s: client %x/%x, server %x/%x", tc.max, tc.ciphers, fin, peer, rep.fin, rep.peerFin)
		}
		sock.Close()
	}
	a, _ := net.Pipe()
	defer a.Close()
	ctx, err := api.CreateSecureContext(api.SecureContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := api.NewClientSocket(a, ctx.EngineConfig(), engine.ClientOptions{}); s.Finished() != nil || s.PeerFinished() != nil {
		t.Errorf("before the handshake: %x/%x", s.Finished(), s.PeerFinished())
	}
}
