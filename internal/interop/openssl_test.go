package interop

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/x509lite"
)

// TestMatrixOpenSSLClient: `openssl s_client` against our server for every
// core suite and group; OpenSSL must report the suite, EMS, secure
// renegotiation and a verified chain, and the echo must come back.
func TestMatrixOpenSSLClient(t *testing.T) {
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				p := pkis[authFor(suite)]
				cfg := p.serverConfig()
				cfg.Groups = []kex.Group{g}
				addr, results := startEcho(t, cfg)
				// The client lists the certificate's curve too (RFC 8422, 5.1).
				sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-cipher", suite,
					"-groups", clientGroups(g), "-servername", "localhost",
					"-CAfile", p.rootPEM, "-verify_return_error", "-verify_hostname", "localhost")
				fmt.Fprintln(sc.stdin, "ping-from-openssl")
				if !sc.waitFor("ping-from-openssl\n", 10*time.Second) || !strings.Contains(sc.output(), "Verify return code") {
					t.Fatalf("no echo; output:\n%s", sc.output())
				}
				sc.stdin.Close()
				sc.wait(5 * time.Second)
				out := sc.output()
				for _, want := range []string{
					"Cipher is " + suite, "Protocol  : TLSv1.2", "Extended master secret: yes",
					"Secure Renegotiation IS supported", "Verify return code: 0 (ok)",
				} {
					if !strings.Contains(out, want) {
						t.Errorf("s_client output lacks %q", want)
					}
				}
				if !strings.Contains(out, "Server Temp Key: "+tempKeyName(g)) {
					t.Errorf("s_client output lacks the group %s:\n%s", tempKeyName(g), out)
				}
				res := <-results
				if res.err != nil || res.state.Suite.OpenSSLName != suite || res.state.Group != g || res.state.ServerName != "localhost" {
					t.Fatalf("server side: %+v", res)
				}
				if !t.Failed() {
					record(fmt.Sprintf("openssl-s_client -> tlsengine  %-30s %-6v ok", suite, g))
				}
			})
		}
	}
}

// clientGroups lists g and, for ECDSA certificates, P-256.
func clientGroups(g kex.Group) string {
	if g == kex.P256 {
		return "P-256"
	}
	return opensslGroup(g) + ":P-256"
}

func tempKeyName(g kex.Group) string {
	switch g {
	case kex.P256:
		return "ECDH, prime256v1"
	case kex.P384:
		return "ECDH, secp384r1"
	}
	return "X25519"
}

// startSServer runs `openssl s_server -www` with a PKI's chain.
func startSServer(t *testing.T, p *pki, extra ...string) string {
	t.Helper()
	port := freePort(t)
	args := append([]string{"s_server", "-accept", strconv.Itoa(port), "-tls1_2", "-cert", p.leafPEM,
		"-key", p.keyPEM, "-cert_chain", p.interPEM, "-www"}, extra...)
	ss := start(t, "openssl", args...)
	if !ss.waitFor("ACCEPT", 10*time.Second) {
		t.Fatalf("s_server did not start:\n%s", ss.output())
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// fetch sends an HTTP request over an established socket and reads the
// page until the server closes.
func fetch(t *testing.T, sock io.ReadWriter) string {
	t.Helper()
	if _, err := io.WriteString(sock, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(sock)
	if err != nil && len(page) == 0 {
		t.Fatalf("reading the page: %v", err)
	}
	return string(page)
}

// TestMatrixOpenSSLServer: our client against `openssl s_server -www` for
// every core suite and group.
func TestMatrixOpenSSLServer(t *testing.T) {
	servers := map[certgen.KeyType]string{}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		servers[kt] = startSServer(t, pkis[kt])
	}
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				p := pkis[authFor(suite)]
				cfg := p.clientConfig()
				cfg.CipherSuites = []uint16{cipher.SuiteByName(suite).ID}
				cfg.Groups = []kex.Group{g, kex.P256}
				if g == kex.P256 {
					cfg.Groups = []kex.Group{g}
				}
				sock, err := dialOurs(t, servers[authFor(suite)], cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				st := sock.ConnectionState()
				if st.Suite.OpenSSLName != suite || st.Group != g || !st.ExtendedMasterSecret || !st.SecureRenegotiation || st.VerifyError != nil {
					t.Fatalf("negotiated %v %v EMS %v reneg %v verify %v", st.Suite, st.Group, st.ExtendedMasterSecret, st.SecureRenegotiation, st.VerifyError)
				}
				page := fetch(t, sock)
				if !strings.Contains(page, "Cipher is "+suite) {
					t.Fatalf("page does not show the cipher:\n%s", page)
				}
				record(fmt.Sprintf("tlsengine -> openssl-s_server  %-30s %-6v ok", suite, g))
			})
		}
	}
}

// TestOpenSSLClientCertificates covers client authentication both ways.
func TestOpenSSLClientCertificates(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	t.Run("s_client with a certificate to our server", func(t *testing.T) {
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
		res := <-results
		if res.err != nil || len(res.state.PeerCertificates) != 2 || res.state.VerifyError != nil {
			t.Fatalf("server: %+v", res)
		}
		record("openssl-s_client -> tlsengine  client certificate required+sent   ok")
	})
	t.Run("s_client without a certificate to our server", func(t *testing.T) {
		cfg := p.serverConfig()
		cfg.ClientAuth = handshake.RequireVerifiedClientCert
		addr, results := startEcho(t, cfg)
		sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-CAfile", p.rootPEM)
		sc.stdin.Close()
		sc.wait(10 * time.Second)
		if !strings.Contains(sc.output(), "alert handshake failure") {
			t.Fatalf("s_client output lacks the handshake_failure alert:\n%s", sc.output())
		}
		if res := <-results; res.err == nil || !strings.Contains(res.err.Error(), "did not return a certificate") {
			t.Fatalf("server error %v", res.err)
		}
		record("openssl-s_client -> tlsengine  client certificate required+missing ok (handshake_failure)")
	})
	t.Run("our client with a certificate to s_server -Verify", func(t *testing.T) {
		addr := startSServer(t, p, "-Verify", "2", "-CAfile", p.rootPEM, "-verify_return_error")
		cfg := p.clientConfig()
		cfg.Certificates = []*handshake.Credential{p.cred}
		sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost"})
		if err != nil {
			t.Fatal(err)
		}
		page := fetch(t, sock)
		if !strings.Contains(page, "Cipher is") {
			t.Fatalf("page:\n%s", page)
		}
		record("tlsengine -> openssl-s_server  client certificate required+sent   ok")
	})
	t.Run("our client without a certificate to s_server -Verify", func(t *testing.T) {
		addr := startSServer(t, p, "-Verify", "2", "-CAfile", p.rootPEM, "-verify_return_error")
		_, err := dialOurs(t, addr, p.clientConfig(), engine.ClientOptions{ServerName: "localhost"})
		if err == nil {
			t.Fatal("handshake succeeded without the required certificate")
		}
		record("tlsengine -> openssl-s_server  client certificate required+missing ok (" + err.Error() + ")")
	})
}

// TestOpenSSLVerificationFailures: each failure our client reports
// against s_server, with Node's code.
func TestOpenSSLVerificationFailures(t *testing.T) {
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
	cases := []struct {
		name   string
		server *pki
		args   []string // s_server arguments replacing the default chain
		code   string
	}{
		{"self-signed leaf", self, []string{"-cert", self.leafPEM, "-key", self.keyPEM}, x509lite.CodeDepthZeroSelfSignedCert},
		{"leaf of an unknown CA", other, []string{"-cert", other.leafPEM, "-key", other.keyPEM}, x509lite.CodeUnableToVerifyLeafSignature},
		{"unknown chain with its root", other, []string{"-cert", other.leafPEM, "-key", other.keyPEM, "-cert_chain", joinPEM(t, other.interPEM, other.rootPEM)}, x509lite.CodeSelfSignedCertInChain},
		{"expired leaf", leafUnder(func(tm *certgen.Template) { tm.NotBefore, tm.NotAfter = now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0) }), nil, x509lite.CodeCertHasExpired},
		{"leaf not yet valid", leafUnder(func(tm *certgen.Template) { tm.NotBefore, tm.NotAfter = now.AddDate(1, 0, 0), now.AddDate(2, 0, 0) }), nil, x509lite.CodeCertNotYetValid},
		{"wrong host name", leafUnder(func(tm *certgen.Template) { tm.DNSNames = []string{"other.example"} }), nil, x509lite.CodeHostnameMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			args := []string{"s_server", "-accept", strconv.Itoa(port), "-tls1_2", "-www"}
			if tc.args != nil {
				args = append(args, tc.args...)
			} else {
				args = append(args, "-cert", tc.server.leafPEM, "-key", tc.server.keyPEM, "-cert_chain", tc.server.interPEM)
			}
			ss := start(t, "openssl", args...)
			if !ss.waitFor("ACCEPT", 10*time.Second) {
				t.Fatalf("s_server: %s", ss.output())
			}
			_, err := dialOurs(t, fmt.Sprintf("127.0.0.1:%d", port), good.clientConfig(), engine.ClientOptions{ServerName: "localhost"})
			var ve *x509lite.VerifyError
			if !errors.As(err, &ve) || ve.Code != tc.code {
				t.Fatalf("got %v, want code %s", err, tc.code)
			}
			record(fmt.Sprintf("tlsengine -> openssl-s_server  verification %-32s %s ok", tc.name, tc.code))
		})
	}
}

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
