package interop

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

// TestMatrixOpenSSLClient: `openssl s_client` against our echo server for
// every core suite and group. OpenSSL must report the suite, TLS 1.2,
// extended master secret, secure renegotiation, the group and a verified
// chain; the echo must come back; both sides must agree on the parameters
// and log the same master secret.
func TestMatrixOpenSSLClient(t *testing.T) {
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				row(t, "openssl s_client", "client", suite, g.String())
				p := pkis[authFor(suite)]
				cfg := p.serverConfig()
				cfg.Groups = []kex.Group{g}
				addr, results := startEcho(t, cfg)
				keylog := filepath.Join(t.TempDir(), "keylog.txt")
				sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-cipher", suite,
					"-groups", opensslGroups(suite, g), "-servername", "localhost",
					"-CAfile", p.rootPEM, "-verify_return_error", "-verify_hostname", "localhost",
					"-keylogfile", keylog)
				fmt.Fprintln(sc.stdin, "ping-from-openssl")
				if !sc.waitFor("ping-from-openssl\n", 10*time.Second) {
					t.Fatalf("no echo; s_client output:\n%s", sc.output())
				}
				sc.stdin.Close()
				if err := sc.wait(5 * time.Second); err != nil {
					t.Fatal(err)
				}
				out := sc.output()
				for _, want := range []string{
					"Cipher is " + suite, "Protocol  : TLSv1.2", "Extended master secret: yes",
					"Secure Renegotiation IS supported", "Verify return code: 0 (ok)",
					"Server Temp Key: " + tempKeyName(g),
				} {
					if !strings.Contains(out, want) {
						t.Errorf("s_client output lacks %q", want)
					}
				}
				res := result(t, results)
				if res.err != nil {
					t.Fatalf("our server: %v", res.err)
				}
				st := res.state
				if st.Version != 0x0303 || st.Suite.OpenSSLName != suite || st.Group != g || st.ServerName != "localhost" ||
					!st.ExtendedMasterSecret || !st.SecureRenegotiation {
					t.Errorf("our server negotiated version %#x %v %v SNI %q EMS %v reneg %v",
						st.Version, st.Suite, st.Group, st.ServerName, st.ExtendedMasterSecret, st.SecureRenegotiation)
				}
				sameKeylog(t, res.keylog, keylog)
				if t.Failed() {
					t.Logf("s_client output:\n%s", out)
				}
			})
		}
	}
}

// sameKeylog checks that our NSS key log lines and a peer's key log file
// carry the same CLIENT_RANDOM line.
func sameKeylog(t *testing.T, ours []string, peerFile string) {
	t.Helper()
	b, err := readFile(peerFile)
	if err != nil {
		t.Errorf("peer key log: %v", err)
		return
	}
	var theirs []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "CLIENT_RANDOM ") {
			theirs = append(theirs, strings.TrimSpace(l))
		}
	}
	if len(ours) != 1 || len(theirs) != 1 || strings.TrimSpace(ours[0]) != theirs[0] {
		t.Errorf("key logs differ:\nours   %q\ntheirs %q", ours, theirs)
	}
}

// tempKeyName is how s_client names a group in "Server Temp Key".
func tempKeyName(g kex.Group) string {
	switch g {
	case kex.P256:
		return "ECDH, prime256v1"
	case kex.P384:
		return "ECDH, secp384r1"
	}
	return "X25519"
}

// startSServer runs `openssl s_server -www` on 127.0.0.1 with a leaf, its
// key and the extra arguments (the chain, client authentication).
func startSServer(t *testing.T, extra ...string) (*process, string) {
	t.Helper()
	return startListener(t, "openssl", "ACCEPT", func(port int) []string {
		return append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port), "-tls1_2", "-www"}, extra...)
	})
}

// chainArgs are the s_server arguments serving a PKI's leaf and
// intermediate.
func (p *pki) chainArgs() []string {
	return []string{"-cert", p.leafPEM, "-key", p.keyPEM, "-cert_chain", p.interPEM}
}

// fetch sends an HTTP request over an established socket and reads the
// page until the server closes.
func fetch(t *testing.T, sock io.ReadWriter) string {
	t.Helper()
	if _, err := io.WriteString(sock, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(sock)
	if err != nil {
		t.Fatalf("reading the page: %v (after %d bytes)", err, len(page))
	}
	return string(page)
}

// TestMatrixOpenSSLServer: our client against `openssl s_server -www` for
// every core suite and group, forced by our CipherSuites and Groups.
func TestMatrixOpenSSLServer(t *testing.T) {
	servers := map[certgen.KeyType]string{}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		_, servers[kt] = startSServer(t, pkis[kt].chainArgs()...)
	}
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				row(t, "openssl s_server", "server", suite, g.String())
				p := pkis[authFor(suite)]
				cfg := p.clientConfig()
				cfg.CipherSuites = []uint16{cipher.SuiteByName(suite).ID}
				cfg.Groups = offeredGroups(suite, g)
				sock, err := dialOurs(t, servers[authFor(suite)], cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				st := sock.ConnectionState()
				if st.Version != 0x0303 || st.Suite.OpenSSLName != suite || st.Group != g || !st.ExtendedMasterSecret ||
					!st.SecureRenegotiation || st.VerifyError != nil || len(st.VerifiedChain) != 3 {
					t.Fatalf("negotiated version %#x %v %v EMS %v reneg %v verify %v chain %d",
						st.Version, st.Suite, st.Group, st.ExtendedMasterSecret, st.SecureRenegotiation, st.VerifyError, len(st.VerifiedChain))
				}
				page := fetch(t, sock)
				for _, want := range []string{"Protocol  : TLSv1.2", "Cipher is " + suite, "Extended master secret: yes"} {
					if !strings.Contains(page, want) {
						t.Errorf("page lacks %q", want)
					}
				}
				if t.Failed() {
					t.Logf("page:\n%s", page)
				}
			})
		}
	}
}

// TestMatrixOpenSSLClientCertificates covers client authentication both
// ways, with each key type.
func TestMatrixOpenSSLClientCertificates(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		p := pkis[kt]
		t.Run(string(kt)+"/s_client sends a certificate", func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_client", "client", "client-cert "+string(kt)+" sent", "-")
			cfg := p.serverConfig()
			cfg.ClientAuth = handshake.RequireVerifiedClientCert
			addr, results := startEcho(t, cfg)
			sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-CAfile", p.rootPEM,
				"-cert", p.leafPEM, "-key", p.keyPEM, "-cert_chain", p.interPEM, "-verify_return_error")
			fmt.Fprintln(sc.stdin, "with-cert")
			if !sc.waitFor("with-cert\n", 10*time.Second) {
				t.Fatalf("no echo:\n%s", sc.output())
			}
			sc.stdin.Close()
			res := result(t, results)
			if res.err != nil {
				t.Fatalf("our server: %v", res.err)
			}
			st := res.state
			if len(st.PeerCertificates) != 2 || st.VerifyError != nil || len(st.VerifiedChain) != 3 ||
				string(st.PeerCertificates[0].Raw) != string(p.chain.Leaf.DER) || !st.PeerCertificateRequested {
				t.Fatalf("our server: %d certificates, verified chain %d, verify error %v", len(st.PeerCertificates), len(st.VerifiedChain), st.VerifyError)
			}
		})
		t.Run(string(kt)+"/s_client sends none", func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_client", "client", "client-cert "+string(kt)+" missing -> handshake_failure", "-")
			cfg := p.serverConfig()
			cfg.ClientAuth = handshake.RequireVerifiedClientCert
			addr, results := startEcho(t, cfg)
			sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-CAfile", p.rootPEM)
			sc.stdin.Close()
			if err := sc.wait(10 * time.Second); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(sc.output(), "alert handshake failure") {
				t.Errorf("s_client output lacks the handshake_failure alert:\n%s", sc.output())
			}
			res := result(t, results)
			var re *record.Error
			if !errors.As(res.err, &re) || !errors.Is(res.err, record.ErrBadCertificate) || re.Alert != record.AlertHandshakeFailure {
				t.Errorf("our server: %v; want a bad-certificate error sending handshake_failure", res.err)
			}
		})
		t.Run(string(kt)+"/we send a certificate to s_server -Verify", func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_server", "server", "client-cert "+string(kt)+" sent", "-")
			_, addr := startSServer(t, append(p.chainArgs(), "-Verify", "2", "-CAfile", p.rootPEM, "-verify_return_error")...)
			cfg := p.clientConfig()
			cfg.Certificates = []*handshake.Credential{p.cred}
			sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			page := fetch(t, sock)
			// s_server -www prints the client certificate it verified.
			if !strings.Contains(page, "Client certificate") || !strings.Contains(page, string(p.chain.Leaf.CertPEM())) {
				t.Fatalf("page does not show our client certificate:\n%s", page)
			}
		})
		t.Run(string(kt)+"/we send none to s_server -Verify", func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_server", "server", "client-cert "+string(kt)+" missing -> handshake_failure", "-")
			_, addr := startSServer(t, append(p.chainArgs(), "-Verify", "2", "-CAfile", p.rootPEM, "-verify_return_error")...)
			_, err := dialOurs(t, addr, p.clientConfig(), engine.ClientOptions{ServerName: "localhost"})
			var ae *record.AlertError
			if !errors.As(err, &ae) || ae.Alert.Description != record.AlertHandshakeFailure {
				t.Fatalf("got %v; want the peer's handshake_failure alert", err)
			}
		})
	}
}

// TestMatrixOpenSSLVerificationFailures: each chain our client must
// reject from s_server, with Node's code, the alert OpenSSL would send for
// it, and the alert seen by s_server.
func TestMatrixOpenSSLVerificationFailures(t *testing.T) {
	now := time.Now()
	good := pkis[certgen.ECDSAP256]
	other, err := newPKI(certgen.ECDSAP256, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	// leafUnder makes a leaf under good's intermediate with a template edit.
	leafUnder := func(edit func(*certgen.Template)) *pki {
		tmpl := certgen.LeafTemplate([]string{"localhost"}, now)
		edit(tmpl)
		key, err := certgen.GenerateKey(certgen.ECDSAP256, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := certgen.Create(tmpl, key, good.chain.Intermediate, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		p, err := writePKI(certgen.ECDSAP256, &certgen.Chain{Root: good.chain.Root, Intermediate: good.chain.Intermediate, Leaf: leaf})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	selfSigned, err := certgen.SelfSigned(certgen.ECDSAP256, now, []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	self, err := writePKI(certgen.ECDSAP256, &certgen.Chain{Root: selfSigned, Intermediate: selfSigned, Leaf: selfSigned})
	if err != nil {
		t.Fatal(err)
	}
	expired := leafUnder(func(tm *certgen.Template) { tm.NotBefore, tm.NotAfter = now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0) })
	future := leafUnder(func(tm *certgen.Template) { tm.NotBefore, tm.NotAfter = now.AddDate(1, 0, 0), now.AddDate(2, 0, 0) })
	wrongHost := leafUnder(func(tm *certgen.Template) { tm.DNSNames = []string{"other.example"} })
	cases := []struct {
		name  string
		args  []string // what s_server serves
		code  string
		alert record.AlertDescription
	}{
		{"self-signed leaf", []string{"-cert", self.leafPEM, "-key", self.keyPEM},
			x509lite.CodeDepthZeroSelfSignedCert, record.AlertUnknownCA},
		{"leaf of an unknown CA", []string{"-cert", other.leafPEM, "-key", other.keyPEM},
			x509lite.CodeUnableToVerifyLeafSignature, record.AlertUnknownCA},
		{"unknown CA, intermediate sent", other.chainArgs(),
			x509lite.CodeUnableToGetIssuerCertLocally, record.AlertUnknownCA},
		{"untrusted root sent in the chain", []string{"-cert", other.leafPEM, "-key", other.keyPEM, "-cert_chain", joinPEM(t, other.interPEM, other.rootPEM)},
			x509lite.CodeSelfSignedCertInChain, record.AlertUnknownCA},
		{"expired leaf", expired.chainArgs(), x509lite.CodeCertHasExpired, record.AlertCertificateExpired},
		{"leaf not yet valid", future.chainArgs(), x509lite.CodeCertNotYetValid, record.AlertCertificateExpired},
		{"wrong host name", wrongHost.chainArgs(), x509lite.CodeHostnameMismatch, record.AlertBadCertificate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_server", "server", "verify "+tc.name+" -> "+tc.code, "-")
			ss, addr := startSServer(t, tc.args...)
			sock, err := dialOurs(t, addr, good.clientConfig(), engine.ClientOptions{ServerName: "localhost"})
			if err == nil {
				t.Fatalf("handshake succeeded; state %+v", sock.ConnectionState())
			}
			if st := sock.ConnectionState(); st != nil {
				t.Errorf("a failed handshake left a connection state: %+v", st)
			}
			var ve *x509lite.VerifyError
			if !errors.As(err, &ve) || ve.Code != tc.code {
				t.Fatalf("got %v; want verify code %s", err, tc.code)
			}
			var re *record.Error
			if !errors.As(err, &re) || !errors.Is(err, record.ErrBadCertificate) || re.Alert != tc.alert {
				t.Fatalf("got %v (%T); want a bad-certificate error sending %v", err, err, tc.alert)
			}
			// The alert went on the wire: s_server reports it.
			if want := opensslAlertName(tc.alert); !ss.waitFor(want, 5*time.Second) {
				t.Errorf("s_server did not report %q:\n%s", want, ss.output())
			}
		})
	}
}

// opensslAlertName is how OpenSSL's error strings name a received alert.
func opensslAlertName(a record.AlertDescription) string {
	switch a {
	case record.AlertUnknownCA:
		return "alert unknown ca"
	case record.AlertCertificateExpired:
		return "alert certificate expired"
	case record.AlertBadCertificate:
		return "alert bad certificate"
	case record.AlertHandshakeFailure:
		return "alert handshake failure"
	}
	return "alert " + a.String()
}

// joinPEM concatenates PEM files into a new file next to the first.
func joinPEM(t *testing.T, files ...string) string {
	t.Helper()
	var all []byte
	for _, f := range files {
		b, err := readFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	p := files[0] + ".joined.pem"
	if err := writeFile(p, all); err != nil {
		t.Fatal(err)
	}
	return p
}
