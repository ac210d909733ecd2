package main

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/nodepeer"
)

// pfxFiles is a chain for names on disk: the root as PEM, the leaf and
// intermediate as PEM files, and the whole as a PKCS#12 file.
type pfxFiles struct {
	root, chain, key, pfx string
	fingerprint           string // the leaf's SHA-256
}

// writePFX makes a chain of kt for names and writes it; the archive is
// made by `openssl pkcs12 -export` when byOpenSSL, else by go-pkcs12.
func writePFX(t *testing.T, kt certgen.KeyType, byOpenSSL bool, pass string, names ...string) pfxFiles {
	t.Helper()
	ch, err := certgen.NewChain(kt, time.Now(), names, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ch.Leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := pfxFiles{
		root: filepath.Join(dir, "root.pem"), chain: filepath.Join(dir, "chain.pem"),
		key: filepath.Join(dir, "key.pem"), pfx: filepath.Join(dir, "id.pfx"),
		fingerprint: certgen.Fingerprint256(ch.Leaf.DER),
	}
	for path, data := range map[string][]byte{
		f.root: ch.Root.CertPEM(), f.chain: append(ch.Leaf.CertPEM(), ch.Intermediate.CertPEM()...), f.key: key,
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if byOpenSSL {
		out, err := exec.Command("openssl", "pkcs12", "-export", "-in", f.chain, "-inkey", f.key,
			"-passout", "pass:"+pass, "-out", f.pfx).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl pkcs12 -export: %v\n%s", err, out)
		}
		return f
	}
	leaf, err1 := x509.ParseCertificate(ch.Leaf.DER)
	inter, err2 := x509.ParseCertificate(ch.Intermediate.DER)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	pfx, err := pkcs12.Modern2023.Encode(ch.Leaf.Key, leaf, []*x509.Certificate{inter}, pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.pfx, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPFXFlags: serve -pfx presents the archive's chain, connect -pfx
// presents a client certificate from another archive, for RSA (openssl's
// archive) and ECDSA (go-pkcs12's); a wrong -passphrase is Node's "mac
// verify failure" on both commands.
func TestPFXFlags(t *testing.T) {
	for _, tc := range []struct {
		kt        certgen.KeyType
		byOpenSSL bool
		cipher    string
	}{
		{certgen.RSA2048, true, "TLS_AES_256_GCM_SHA384"},
		{certgen.ECDSAP256, false, "TLS_AES_256_GCM_SHA384"},
	} {
		t.Run(string(tc.kt), func(t *testing.T) {
			srvID := writePFX(t, tc.kt, tc.byOpenSSL, "server secret", "localhost", "127.0.0.1")
			cliID := writePFX(t, tc.kt, tc.byOpenSSL, "client secret", "client")
			srv := startServer(t, "-pfx", srvID.pfx, "-passphrase", "server secret",
				"-request-cert", "-reject-unauthorized", "-ca", cliID.root)
			if !strings.Contains(srv.log.String(), "certificate SHA-256 fingerprint "+srvID.fingerprint+"\n") {
				t.Errorf("server log lacks the archive leaf's fingerprint:\n%s", srv.log.String())
			}
			r := runConnect(t, "pfx\n", srv.addr, "-ca", srvID.root, "-pfx", cliID.pfx, "-passphrase", "client secret")
			if r.code != 0 || r.stdout != "pfx\n" || !strings.Contains(r.stderr, "Verification: OK\n") ||
				!strings.Contains(r.stderr, "Cipher    : "+tc.cipher+"\n") {
				t.Fatalf("exit %d stdout %q stderr:\n%s", r.code, r.stdout, r.stderr)
			}
			waitFor(t, srv.log, tc.cipher+" ALPN=none SNI=none authorized\n")

			// Without the client's archive the server refuses (in TLS 1.3
			// with an alert after the client's handshake).
			if r := runConnect(t, "x", srv.addr, "-ca", srvID.root); r.code != 1 || !refusedAfterHandshake(r.stderr, "certificate required") {
				t.Errorf("no client certificate: exit %d stderr:\n%s", r.code, r.stderr)
			}
			// A wrong passphrase, either side.
			const wrongPass = ": wrong passphrase or corrupt PKCS#12 (mac verify failure)\n"
			if r := runConnect(t, "", srv.addr, "-pfx", cliID.pfx, "-passphrase", "nope"); r.code != 1 ||
				!strings.Contains(r.stderr, "tlsengine: -pfx "+cliID.pfx+wrongPass) {
				t.Errorf("connect, wrong passphrase: exit %d stderr %q", r.code, r.stderr)
			}
			var stdout, stderr syncBuffer
			code := run(t.Context(), []string{"serve", "-addr", "127.0.0.1:0", "-pfx", srvID.pfx}, strings.NewReader(""), &stdout, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), "tlsengine: -pfx "+srvID.pfx+wrongPass) {
				t.Errorf("serve without the passphrase: exit %d stderr %q", code, stderr.String())
			}
		})
	}
}

// TestSNIFlag: -sni entries answer the names they match (Node's
// addContext patterns, the last match winning); other names get the
// default certificate. -show-cert tells which certificate came.
func TestSNIFlag(t *testing.T) {
	def := writePFX(t, certgen.ECDSAP256, false, "", "localhost")
	wild := writePFX(t, certgen.ECDSAP256, false, "", "*.example.com")
	b := writePFX(t, certgen.RSA2048, false, "", "b.example.com")
	srv := startServer(t, "-key", def.key, "-cert", def.chain,
		"-sni", "*.example.com="+wild.chain+","+wild.key, "-sni", "b.example.com="+b.chain+","+b.key)
	for _, tc := range []struct {
		servername string
		id         pfxFiles
	}{
		{"a.example.com", wild},
		{"b.example.com", b},     // both match: the last -sni wins
		{"a.b.example.com", def}, // "*" is one label
		{"A.EXAMPLE.COM", def},   // the match is case-sensitive, as in Node
		{"localhost", def},
	} {
		// -insecure: the default certificate is for localhost only.
		r := runConnect(t, "", srv.addr, "-servername", tc.servername, "-ca", tc.id.root, "-show-cert", "-insecure")
		verified := strings.Contains(r.stderr, "Verification: OK\n")
		if r.code != 0 || verified != (tc.servername == "localhost" || tc.id != def) {
			t.Errorf("%s: exit %d stderr:\n%s", tc.servername, r.code, r.stderr)
			continue
		}
		var cert struct {
			Fingerprint256 string `json:"fingerprint256"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &cert); err != nil || cert.Fingerprint256 != tc.id.fingerprint {
			t.Errorf("%s: got certificate %q (%v), want %q", tc.servername, cert.Fingerprint256, err, tc.id.fingerprint)
		}
		waitFor(t, srv.log, "SNI="+tc.servername+"\n")
	}
	for _, bad := range []string{"noequals", "a.com=only-cert", "=c,k"} {
		var stdout, stderr syncBuffer
		if code := run(t.Context(), []string{"serve", "-sni", bad}, strings.NewReader(""), &stdout, &stderr); code != 2 ||
			!strings.Contains(stderr.String(), "want NAME=CERT,KEY") {
			t.Errorf("-sni %q: exit %d stderr %q", bad, code, stderr.String())
		}
	}
	var stdout, stderr syncBuffer
	if code := run(t.Context(), []string{"serve", "-addr", "127.0.0.1:0", "-sni", "x=" + def.chain + "," + wild.key}, strings.NewReader(""), &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "-sni x: key values mismatch") {
		t.Errorf("mismatched -sni key: exit %d stderr %q", code, stderr.String())
	}
}

// TestHandshakeTimeoutFlag: a client that sends nothing is dropped after
// -handshake-timeout, with Node's code in the log.
func TestHandshakeTimeoutFlag(t *testing.T) {
	srv := startServer(t, "-handshake-timeout", "300ms")
	c, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.SetReadDeadline(start.Add(10 * time.Second))
	n, err := c.Read(make([]byte, 1))
	elapsed := time.Since(start)
	if n != 0 || err == nil || elapsed < 250*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("read %d, %v after %v; want the server to close after about 300ms", n, err, elapsed)
	}
	waitFor(t, srv.log, ": handshake failed: ERR_TLS_HANDSHAKE_TIMEOUT: TLS handshake timeout\n")
	// A client that does handshake is unaffected. (Its own server: with
	// 300ms, a handshake under -race on a loaded 2-core machine can be
	// slower than the timeout, which is then right to fire.)
	patient := startServer(t, "-handshake-timeout", "20s")
	if r := runConnect(t, "ok", patient.addr, "-insecure"); r.code != 0 || r.stdout != "ok" {
		t.Errorf("exit %d stdout %q", r.code, r.stdout)
	}
	for _, bad := range []string{"0", "-1s", "soon"} {
		var stdout, stderr syncBuffer
		if code := run(t.Context(), []string{"serve", "-handshake-timeout", bad}, strings.NewReader(""), &stdout, &stderr); code != 2 {
			t.Errorf("-handshake-timeout %s: exit %d stderr %q", bad, code, stderr.String())
		}
	}
}

// nodeShowCertJS prints Node's getPeerCertificate(true) for a server as
// -show-cert writes it: Buffers as base64, the root's self-reference cut.
const nodeShowCertJS = `
const tls = require('tls'), fs = require('fs');
const [port, ca] = process.argv.slice(1);
const plain = c => {
  const o = {};
  for (const k of Object.keys(c)) o[k] = c[k];
  o.raw = c.raw.toString('base64');
  o.pubkey = c.pubkey.toString('base64');
  if (c.issuerCertificate === c) delete o.issuerCertificate;
  else if (c.issuerCertificate) o.issuerCertificate = plain(c.issuerCertificate);
  return o;
};
const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca)}, () => {
  console.log(JSON.stringify(plain(s.getPeerCertificate(true))));
  s.end();
});
s.on('error', e => { console.error(e); process.exit(1); });
`

// TestShowCertMatchesNode: connect -show-cert writes what Node's
// getPeerCertificate(true) holds for the same server, key for key.
func TestShowCertMatchesNode(t *testing.T) {
	node, err := nodepeer.Path()
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		id := writePFX(t, kt, false, "", "localhost", "127.0.0.1")
		srv := startServer(t, "-key", id.key, "-cert", id.chain)
		_, port, _ := net.SplitHostPort(srv.addr)
		out, err := exec.Command(node, "-e", nodeShowCertJS, port, id.root).Output()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, out)
		}
		var theirs, ours map[string]any
		if err := json.Unmarshal(out, &theirs); err != nil {
			t.Fatalf("node said %s: %v", out, err)
		}
		r := runConnect(t, "", srv.addr, "-ca", id.root, "-servername", "localhost", "-show-cert")
		if r.code != 0 {
			t.Fatalf("exit %d stderr:\n%s", r.code, r.stderr)
		}
		if err := json.Unmarshal([]byte(r.stdout), &ours); err != nil {
			t.Fatalf("-show-cert wrote %q: %v", r.stdout, err)
		}
		depth := 0
		for theirs != nil || ours != nil {
			ti, _ := theirs["issuerCertificate"].(map[string]any)
			oi, _ := ours["issuerCertificate"].(map[string]any)
			delete(theirs, "issuerCertificate")
			delete(ours, "issuerCertificate")
			if !reflect.DeepEqual(theirs, ours) {
				for k := range theirs {
					if !reflect.DeepEqual(theirs[k], ours[k]) {
						t.Errorf("%s depth %d, %s: ours %v, Node %v", kt, depth, k, ours[k], theirs[k])
					}
				}
				for k := range ours {
					if _, ok := theirs[k]; !ok {
						t.Errorf("%s depth %d: we have %s, Node does not", kt, depth, k)
					}
				}
			}
			theirs, ours = ti, oi
			depth++
		}
		if depth != 3 {
			t.Errorf("%s: chain of %d certificates, want leaf, intermediate, root", kt, depth)
		}
	}
}
