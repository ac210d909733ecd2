package fuzz

import (
	"bytes"
	gotls "crypto/tls"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
)

// targets13 are the TLS 1.3 engine targets, seeded against server13 and
// client13.
var targets13 = []engineTarget{
	{"FuzzServerEngine13", func(byte) *engine.Conn { return engine.NewServer(server13()) }},
	{"FuzzClientEngine13", func(byte) *engine.Conn {
		return engine.NewClient(client13(), engine.ClientOptions{ServerName: "localhost"})
	}},
}

// TestRealPeerCorpus13 is TestRealPeerCorpus for the TLS 1.3 targets:
// with -write-corpus it records OpenSSL, GnuTLS, Node and Go's crypto/tls
// speaking only TLS 1.3 to server13 and client13 (a HelloRetryRequest each
// way, client certificates from OpenSSL and Go); on every go test it
// checks that each recorded seed still completes its handshake on replay.
func TestRealPeerCorpus13(t *testing.T) {
	if *writeCorpus {
		writeSeedFiles(t, recordRealPeers13(t), targets13, 0, 0x0304)
	}
	checkCorpusReplays(t, targets13)
}

// recordRealPeers13 runs every real peer, limited to TLS 1.3, against
// server13 and client13. The peers use the Ed25519 PKI of those configs,
// so client13 verifies the real servers and server13 the client
// certificates.
func recordRealPeers13(t *testing.T) []peerRecording {
	dir := t.TempDir()
	ch := tlstest.NewPKI(certgen.Ed25519).Chain
	keyPEM, err := ch.Leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	chainPEM := append(ch.Leaf.CertPEM(), ch.Intermediate.CertPEM()...)
	certFile, interFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "inter.pem"), filepath.Join(dir, "key.pem")
	for f, b := range map[string][]byte{certFile: chainPEM, interFile: ch.Intermediate.CertPEM(), keyFile: keyPEM} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	gocert, err := gotls.X509KeyPair(chainPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	const gnutls13 = "NORMAL:-VERS-ALL:+VERS-TLS1.3"
	// A client whose only share is X448, which server13 does not take,
	// gets a HelloRetryRequest (RFC 8446, Section 4.1.4). GnuTLS has no
	// such client: it also sends a share of a second kind of group.
	node := func(p, opts string) *exec.Cmd {
		return exec.Command("node", "-e", `const tls=require('tls');
const s=tls.connect({port:`+p+`,host:'127.0.0.1',servername:'localhost',rejectUnauthorized:false,minVersion:'TLSv1.3',ALPNProtocols:['h2','http/1.1']`+opts+`},()=>s.write('hello\n'));
s.on('data',()=>s.end());s.on('error',e=>{console.error(e);process.exit(1)});`)
	}
	clients := []struct {
		name string
		run  func(port string) *exec.Cmd
	}{
		{"openssl-s_client-tls13", func(p string) *exec.Cmd {
			return exec.Command("openssl", "s_client", "-connect", "127.0.0.1:"+p, "-servername", "localhost", "-alpn", "h2", "-tls1_3")
		}},
		{"openssl-s_client-tls13-hrr-clientcert", func(p string) *exec.Cmd {
			return exec.Command("openssl", "s_client", "-connect", "127.0.0.1:"+p, "-servername", "localhost", "-tls1_3",
				"-groups", "X448:X25519", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256", "-cert", certFile, "-key", keyFile, "-cert_chain", interFile)
		}},
		{"gnutls-cli-tls13", func(p string) *exec.Cmd {
			return exec.Command("gnutls-cli", "--insecure", "--sni-hostname", "localhost", "--alpn", "h2", "--priority", gnutls13, "-p", p, "127.0.0.1")
		}},
		{"node-connect-tls13", func(p string) *exec.Cmd { return node(p, "") }},
		{"node-connect-tls13-hrr", func(p string) *exec.Cmd { return node(p, ",ecdhCurve:'X448:P-256'") }},
	}
	var recs []peerRecording
	for _, c := range clients {
		recs = append(recs, recordClient(t, c.name, c.run, nil, server13()))
	}
	recs = append(recs,
		recordClient(t, "gotls-client-tls13", nil,
			&gotls.Config{InsecureSkipVerify: true, ServerName: "localhost", NextProtos: []string{"h2"}, MinVersion: gotls.VersionTLS13}, server13()),
		recordClient(t, "gotls-client-tls13-clientcert", nil,
			&gotls.Config{InsecureSkipVerify: true, ServerName: "localhost", MinVersion: gotls.VersionTLS13,
				CurvePreferences: []gotls.CurveID{gotls.CurveP256}, Certificates: []gotls.Certificate{gocert}}, server13()))

	// Real servers against client13; a server that takes only P-256 (or
	// P-384) asks client13, whose shares are X25519MLKEM768 and X25519, to
	// retry. The Go server also asks client13 for its certificate.
	nodeServer := func(p, opts string) *exec.Cmd {
		return exec.Command("node", "-e", `const tls=require('tls'),fs=require('fs');
const srv=tls.createServer({key:fs.readFileSync('`+keyFile+`'),cert:fs.readFileSync('`+certFile+`'),minVersion:'TLSv1.3',ALPNProtocols:['h2']`+opts+`},s=>{s.on('data',d=>s.write(d));s.on('end',()=>{s.end();srv.close()})});
srv.listen(`+p+`,'127.0.0.1');`)
	}
	servers := []struct {
		name string
		run  func(port string) *exec.Cmd
	}{
		{"openssl-s_server-tls13", func(p string) *exec.Cmd {
			return exec.Command("openssl", "s_server", "-accept", "127.0.0.1:"+p, "-cert", certFile, "-cert_chain", interFile, "-key", keyFile, "-naccept", "1", "-alpn", "h2", "-tls1_3")
		}},
		{"openssl-s_server-tls13-hrr", func(p string) *exec.Cmd {
			return exec.Command("openssl", "s_server", "-accept", "127.0.0.1:"+p, "-cert", certFile, "-cert_chain", interFile, "-key", keyFile, "-naccept", "1", "-tls1_3",
				"-groups", "P-256", "-ciphersuites", "TLS_AES_256_GCM_SHA384")
		}},
		{"gnutls-serv-tls13", func(p string) *exec.Cmd {
			return exec.Command("gnutls-serv", "--echo", "-p", p, "--x509certfile", certFile, "--x509keyfile", keyFile, "--priority", gnutls13)
		}},
		{"gnutls-serv-tls13-hrr", func(p string) *exec.Cmd {
			return exec.Command("gnutls-serv", "--echo", "-p", p, "--x509certfile", certFile, "--x509keyfile", keyFile, "--priority", gnutls13+":-GROUP-ALL:+GROUP-SECP384R1")
		}},
		{"node-createServer-tls13", func(p string) *exec.Cmd { return nodeServer(p, "") }},
		{"node-createServer-tls13-hrr", func(p string) *exec.Cmd { return nodeServer(p, ",ecdhCurve:'P-256'") }},
	}
	for _, s := range servers {
		recs = append(recs, recordServer(t, s.name, s.run, nil, client13(), engine.ClientOptions{ServerName: "localhost"}))
	}
	for name, cfg := range map[string]*gotls.Config{
		"gotls-server-tls13":     {Certificates: []gotls.Certificate{gocert}, NextProtos: []string{"h2"}, MinVersion: gotls.VersionTLS13},
		"gotls-server-tls13-hrr": {Certificates: []gotls.Certificate{gocert}, MinVersion: gotls.VersionTLS13, CurvePreferences: []gotls.CurveID{gotls.CurveP256}, ClientAuth: gotls.RequireAnyClientCert},
	} {
		recs = append(recs, recordServer(t, name, nil, cfg, client13(), engine.ClientOptions{ServerName: "localhost"}))
	}
	for _, r := range recs {
		if strings.Contains(r.name, "-hrr") != bytes.Contains(r.server, helloRetryRandom) {
			t.Errorf("%s: a HelloRetryRequest was sent: %v, want one exactly in the -hrr recordings", r.name, !strings.Contains(r.name, "-hrr"))
		}
	}
	return recs
}

// helloRetryRandom is the ServerHello.random of a HelloRetryRequest
// (RFC 8446, Section 4.1.3).
var helloRetryRandom, _ = hex.DecodeString("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
