package api_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/nodepeer"
)

// pfxFixture is a PKCS#12 archive holding a leaf for localhost and
// 127.0.0.1, its key, the intermediate and the root.
type pfxFixture struct {
	pfx    []byte
	rootCA []byte // PEM
	chain  *certgen.Chain
}

// pfxMakers build archives: with `openssl pkcs12 -export` (AES-256 and
// SHA-256 MAC in OpenSSL 3), and with go-pkcs12's encoders (legacy RC2/3DES
// with a SHA-1 MAC, and the modern AES one).
var pfxMakers = map[string]func(t *testing.T, ch *certgen.Chain, pass string) []byte{
	"openssl":       opensslPFX,
	"go-pkcs12":     goPFXMaker(pkcs12.LegacyRC2),
	"go-pkcs12-aes": goPFXMaker(pkcs12.Modern2023),
}

func goPFXMaker(enc *pkcs12.Encoder) func(t *testing.T, ch *certgen.Chain, pass string) []byte {
	return func(t *testing.T, ch *certgen.Chain, pass string) []byte { return goPFX(t, enc, ch, pass) }
}

func newPFX(t *testing.T, kt certgen.KeyType, maker, pass string) pfxFixture {
	t.Helper()
	ch, err := certgen.NewChain(kt, time.Now(), []string{"localhost", "127.0.0.1"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pfxFixture{pfx: pfxMakers[maker](t, ch, pass), rootCA: ch.Root.CertPEM(), chain: ch}
}

func opensslPFX(t *testing.T, ch *certgen.Chain, pass string) []byte {
	t.Helper()
	dir := t.TempDir()
	key, err := ch.Leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"leaf.pem": ch.Leaf.CertPEM(),
		"key.pem":  key,
		"cas.pem":  append(ch.Intermediate.CertPEM(), ch.Root.CertPEM()...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out.pfx")
	cmd := exec.Command("openssl", "pkcs12", "-export", "-in", "leaf.pem", "-inkey", "key.pem",
		"-certfile", "cas.pem", "-passout", "pass:"+pass, "-out", out)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl pkcs12 -export: %v\n%s", err, b)
	}
	pfx, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

// parseX509 is c as crypto/x509 has it, for go-pkcs12's encoder.
func parseX509(t *testing.T, c *certgen.Cert) *x509.Certificate {
	t.Helper()
	x, err := x509.ParseCertificate(c.DER)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func goPFX(t *testing.T, enc *pkcs12.Encoder, ch *certgen.Chain, pass string) []byte {
	t.Helper()
	pfx, err := enc.Encode(ch.Leaf.Key, parseX509(t, ch.Leaf), []*x509.Certificate{parseX509(t, ch.Intermediate), parseX509(t, ch.Root)}, pass)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

// TestPFXServerAndClient: a server and a client each take their
// credentials from a PFX archive (Node's pfx option, for the server and
// for client certificates), for RSA and ECDSA keys and archives made by
// OpenSSL and by go-pkcs12.
func TestPFXServerAndClient(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.RSA2048, certgen.ECDSAP256} {
		for maker := range pfxMakers {
			t.Run(string(kt)+"/"+maker, func(t *testing.T) {
				srvPFX := newPFX(t, kt, maker, "server pass")
				cliPFX := newPFX(t, kt, maker, "client pass")
				_, port := echoServer(t, api.ServerOptions{
					SecureContextOptions: api.SecureContextOptions{
						PFX: []api.PFXOption{{Buf: srvPFX.pfx}}, Passphrase: "server pass",
						CA: [][]byte{cliPFX.rootCA},
					},
					RequestCert: true, RejectUnauthorized: true,
				})
				sock, err := api.Connect(api.ConnectOptions{
					SecureContextOptions: api.SecureContextOptions{
						// The entry's own passphrase wins over the
						// context's.
						PFX: []api.PFXOption{{Buf: cliPFX.pfx, Passphrase: "client pass"}}, Passphrase: "wrong",
						CA: [][]byte{srvPFX.rootCA},
					},
					Host: "127.0.0.1", Port: port, Servername: "localhost",
				}, nil)
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				defer sock.Close()
				roundTrip(t, sock)
				if !sock.Authorized() {
					t.Errorf("not authorized: %v", sock.AuthorizationError())
				}
				// The server sends the archive's whole chain: leaf,
				// intermediate, root.
				st := sock.ConnectionState()
				want := [][]byte{srvPFX.chain.Leaf.DER, srvPFX.chain.Intermediate.DER, srvPFX.chain.Root.DER}
				if len(st.PeerCertificates) != len(want) {
					t.Fatalf("server sent %d certificates, want %d", len(st.PeerCertificates), len(want))
				}
				for i, c := range st.PeerCertificates {
					if !bytes.Equal(c.Raw, want[i]) {
						t.Errorf("server certificate %d is not the archive's", i)
					}
				}
			})
		}
	}
}

// TestPFXClientCertificateSeenByServer: the server sees the client's PFX
// leaf as the authorized peer certificate.
func TestPFXClientCertificateSeenByServer(t *testing.T) {
	srv := newNodePKI(t)
	cli := newPFX(t, certgen.ECDSAP256, "openssl", "pw")
	seen := make(chan *api.PeerCertificate, 1)
	authorized := make(chan bool, 1)
	port := listenServer(t, api.ServerOptions{
		SecureContextOptions: api.SecureContextOptions{Key: []api.KeyOption{{PEM: srv.key}}, Cert: [][]byte{srv.chain}, CA: [][]byte{cli.rootCA}},
		RequestCert:          true,
	}, func(s *api.TLSSocket) {
		seen <- s.PeerCertificate(false)
		authorized <- s.Authorized()
		s.Close()
	})
	sock, err := api.ConnectPort(port, "127.0.0.1", api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{PFX: []api.PFXOption{{Buf: cli.pfx}}, Passphrase: "pw", CA: [][]byte{srv.ca}},
		Servername:           "localhost",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	select {
	case p := <-seen:
		if p == nil || !bytes.Equal(p.Raw, cli.chain.Leaf.DER) {
			t.Errorf("server saw %v, want the PFX leaf", p)
		}
		if !<-authorized {
			t.Error("server: client not authorized")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no secureConnection")
	}
}

// listenServer starts a server on 127.0.0.1 with onSecure as its
// secureConnection listener and returns its port; it closes with the
// test.
func listenServer(t *testing.T, opts api.ServerOptions, onSecure func(*api.TLSSocket)) int {
	t.Helper()
	srv, err := api.CreateServer(opts, onSecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Address().(*net.TCPAddr).Port
}

// TestPFXRootIsTrusted: a self-signed CA certificate in the archive is
// trusted to verify the peer, as Node adds the archive's CA certificates
// to the context's store; an intermediate alone is not a trust anchor.
func TestPFXRootIsTrusted(t *testing.T) {
	srvPFX := newPFX(t, certgen.ECDSAP256, "go-pkcs12", "")
	_, port := echoServer(t, api.ServerOptions{SecureContextOptions: api.SecureContextOptions{PFX: []api.PFXOption{{Buf: srvPFX.pfx}}}})
	// The client's archive comes from the same root: no ca option needed.
	same := goPFX(t, pkcs12.Modern2023, srvPFX.chain, "x")
	sock, err := api.Connect(api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{PFX: []api.PFXOption{{Buf: same, Passphrase: "x"}}},
		Host:                 "127.0.0.1", Port: port, Servername: "localhost",
	}, nil)
	if err != nil {
		t.Fatalf("a root from the client's own archive did not verify the server: %v", err)
	}
	roundTrip(t, sock)
	sock.Close()

	// An archive without the root: the intermediate does not anchor.
	noRoot, err := pkcs12.Modern2023.Encode(srvPFX.chain.Leaf.Key, parseX509(t, srvPFX.chain.Leaf), []*x509.Certificate{parseX509(t, srvPFX.chain.Intermediate)}, "x")
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.Connect(api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{PFX: []api.PFXOption{{Buf: noRoot, Passphrase: "x"}}},
		Host:                 "127.0.0.1", Port: port, Servername: "localhost",
	}, nil)
	var e *api.Error
	if !errors.As(err, &e) || e.Code != "SELF_SIGNED_CERT_IN_CHAIN" {
		t.Errorf("intermediate-only archive: %v, want SELF_SIGNED_CERT_IN_CHAIN (the server sends its root)", err)
	}
}

// nodePFXErrorJS prints, as a JSON array, the message Node's
// createSecureContext throws for each pair of PFX file and passphrase in
// its arguments, or "OK".
const nodePFXErrorJS = `
const fs = require('fs'), tls = require('tls');
const args = process.argv.slice(1), out = [];
for (let i = 0; i < args.length; i += 2) {
  try { tls.createSecureContext({pfx: fs.readFileSync(args[i]), passphrase: args[i + 1]}); out.push('OK'); }
  catch (e) { out.push(e.message); }
}
console.log(JSON.stringify(out));
`

// TestPFXWrongPassphrase: a wrong passphrase (or none) fails the
// archive's MAC check with Node's message, for CreateSecureContext,
// CreateServer and Connect alike; garbage and a key that does not match
// the certificate are errors too. Node's message is asked of node itself.
func TestPFXWrongPassphrase(t *testing.T) {
	node, err := nodepeer.Path()
	if err != nil {
		t.Fatal(err)
	}
	type probe struct {
		name, pass string
		pfx        []byte
	}
	var probes []probe
	args := []string{"-e", nodePFXErrorJS, "--"}
	for _, maker := range []string{"openssl", "go-pkcs12", "go-pkcs12-aes"} {
		for _, kt := range []certgen.KeyType{certgen.RSA2048, certgen.ECDSAP256} {
			f := newPFX(t, kt, maker, "right")
			file := filepath.Join(t.TempDir(), "a.pfx")
			if err := os.WriteFile(file, f.pfx, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, pass := range []string{"wrong", ""} {
				probes = append(probes, probe{maker + " " + string(kt), pass, f.pfx})
				args = append(args, file, pass)
			}
			if _, err := api.CreateSecureContext(api.SecureContextOptions{PFX: []api.PFXOption{{Buf: f.pfx, Passphrase: "right"}}}); err != nil {
				t.Errorf("%s %s: right passphrase: %v", maker, kt, err)
			}
		}
	}
	out, err := exec.Command(node, args...).CombinedOutput()
	var nodeMsgs []string
	if err != nil || json.Unmarshal(out, &nodeMsgs) != nil || len(nodeMsgs) != len(probes) {
		t.Fatalf("node: %v\n%s", err, out)
	}
	for i, p := range probes {
		if nodeMsgs[i] != "mac verify failure" {
			t.Errorf("%s pass %q: node says %q", p.name, p.pass, nodeMsgs[i])
		}
		opts := api.SecureContextOptions{PFX: []api.PFXOption{{Buf: p.pfx}}, Passphrase: p.pass}
		_, err1 := api.CreateSecureContext(opts)
		_, err2 := api.CreateServer(api.ServerOptions{SecureContextOptions: opts}, nil)
		_, err3 := api.Connect(api.ConnectOptions{SecureContextOptions: opts, Host: "127.0.0.1", Port: 1}, nil)
		for j, err := range []error{err1, err2, err3} {
			var e *api.Error
			if !errors.As(err, &e) || e.Code != api.CodePFXMacVerifyFailure || e.Error() != nodeMsgs[i] {
				t.Errorf("%s pass %q, call %d: %v (%q), want %s with Node's %q", p.name, p.pass, j, err, apiCode(err), api.CodePFXMacVerifyFailure, nodeMsgs[i])
			}
		}
	}
	good := newPFX(t, certgen.ECDSAP256, "go-pkcs12", "p")
	other := newPFX(t, certgen.ECDSAP256, "go-pkcs12", "p")
	// go-pkcs12 does not check that the key belongs to the certificate.
	mismatched, err := pkcs12.Modern2023.Encode(other.chain.Leaf.Key, parseX509(t, good.chain.Leaf), nil, "p")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		buf  []byte
		code string
	}{
		{"garbage", []byte("garbage"), api.CodePFXParseError},
		{"empty", nil, api.CodePFXParseError},
		{"truncated", good.pfx[:len(good.pfx)/2], api.CodePFXParseError},
		{"pem", good.rootCA, api.CodePFXParseError},
		{"key mismatch", mismatched, "ERR_OSSL_X509_KEY_VALUES_MISMATCH"},
	} {
		_, err := api.CreateSecureContext(api.SecureContextOptions{PFX: []api.PFXOption{{Buf: tc.buf, Passphrase: "p"}}})
		if apiCode(err) != tc.code {
			t.Errorf("%s: %v (%q), want %s", tc.name, err, apiCode(err), tc.code)
		}
	}
}

// apiCode is the Code of an *api.Error in err's chain, or "".
func apiCode(err error) string {
	var e *api.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
