package interop

import (
	"bytes"
	"context"
	gotls "crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// bulk is the size of the echo payload in the crypto/tls rows: several
// full records each way.
const bulk = 100 << 10

// ekmLabel and ekmContext are the RFC 5705 exporter inputs both sides
// must agree on.
const ekmLabel = "EXPERIMENTAL tlsengine interop"

var ekmContext = []byte("interop context")

func goCurve(g kex.Group) gotls.CurveID { return gotls.CurveID(g) }

func goCurves(gs []kex.Group) []gotls.CurveID {
	var out []gotls.CurveID
	for _, g := range gs {
		out = append(out, goCurve(g))
	}
	return out
}

// goCert is a PKI's chain for crypto/tls.
func (p *pki) goCert() gotls.Certificate {
	return gotls.Certificate{Certificate: [][]byte{p.chain.Leaf.DER, p.chain.Intermediate.DER}, PrivateKey: p.chain.Leaf.Key}
}

func (p *pki) goRoots(t *testing.T) *x509.CertPool {
	root, err := x509.ParseCertificate(p.chain.Root.DER)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	return pool
}

// keylogBuffer collects crypto/tls's key log output.
type keylogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (k *keylogBuffer) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.buf.Write(p)
}

func (k *keylogBuffer) lines() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, l := range strings.Split(k.buf.String(), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// agree compares our connection state with crypto/tls's: version, suite,
// curve, ALPN, no resumption, and the same exported keying material and
// key log line.
func agree(t *testing.T, ours *engine.ConnectionState, ourKeylog []string, theirs gotls.ConnectionState, theirKeylog []string) {
	t.Helper()
	if theirs.Version != gotls.VersionTLS12 || ours.Version != theirs.Version {
		t.Errorf("version: ours %#x, crypto/tls %#x", ours.Version, theirs.Version)
	}
	if ours.Suite == nil || ours.Suite.ID != theirs.CipherSuite {
		t.Errorf("suite: ours %v, crypto/tls %s", ours.Suite, gotls.CipherSuiteName(theirs.CipherSuite))
	}
	if goCurve(ours.Group) != theirs.CurveID {
		t.Errorf("group: ours %v, crypto/tls %v", ours.Group, theirs.CurveID)
	}
	if ours.ALPNProtocol != theirs.NegotiatedProtocol {
		t.Errorf("ALPN: ours %q, crypto/tls %q", ours.ALPNProtocol, theirs.NegotiatedProtocol)
	}
	if ours.Resumed || theirs.DidResume {
		t.Errorf("resumed: ours %v, crypto/tls %v", ours.Resumed, theirs.DidResume)
	}
	if !ours.ExtendedMasterSecret {
		t.Error("no extended master secret with crypto/tls")
	}
	a, err := ours.ExportKeyingMaterial(ekmLabel, ekmContext, true, 32)
	if err != nil {
		t.Errorf("our exporter: %v", err)
	}
	b, err := theirs.ExportKeyingMaterial(ekmLabel, ekmContext, 32)
	if err != nil {
		t.Errorf("crypto/tls exporter: %v", err)
	}
	if len(a) != 32 || !bytes.Equal(a, b) {
		t.Errorf("exported keying material differs:\nours   %x\ntheirs %x", a, b)
	}
	if len(ourKeylog) != 1 || len(theirKeylog) != 1 || strings.TrimSpace(ourKeylog[0]) != theirKeylog[0] {
		t.Errorf("key logs differ:\nours   %q\ntheirs %q", ourKeylog, theirKeylog)
	}
}

// TestMatrixGoClient: crypto/tls clients against our server, every core
// suite and group, with ALPN.
func TestMatrixGoClient(t *testing.T) {
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				row(t, "go crypto/tls", "client", suite, g.String())
				p := pkis[authFor(suite)]
				cfg := p.serverConfig()
				cfg.Groups = []kex.Group{g}
				cfg.ALPNProtocols = []string{"h2", "http/1.1"}
				addr, results := startEcho(t, cfg)
				var kl keylogBuffer
				conn, err := gotls.DialWithDialer(&net.Dialer{Timeout: peerTimeout}, "tcp", addr, &gotls.Config{
					RootCAs: p.goRoots(t), ServerName: "localhost", MaxVersion: gotls.VersionTLS12,
					CipherSuites: []uint16{cipher.SuiteByName(suite).ID}, CurvePreferences: goCurves(offeredGroups(suite, g)),
					NextProtos: []string{"http/1.1", "h2"}, KeyLogWriter: &kl,
				})
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(peerTimeout))
				echo(t, conn, bulk)
				res := result(t, results)
				if res.err != nil {
					t.Fatalf("our server: %v", res.err)
				}
				cs := conn.ConnectionState()
				if gotls.CipherSuiteName(cs.CipherSuite) != cipher.SuiteByName(suite).Name || cs.CurveID != goCurve(g) || cs.NegotiatedProtocol != "h2" {
					t.Errorf("crypto/tls negotiated %s %v %q", gotls.CipherSuiteName(cs.CipherSuite), cs.CurveID, cs.NegotiatedProtocol)
				}
				if res.state.ServerName != "localhost" || !res.state.SecureRenegotiation {
					t.Errorf("our server: SNI %q, secure renegotiation %v", res.state.ServerName, res.state.SecureRenegotiation)
				}
				agree(t, res.state, res.keylog, cs, kl.lines())
			})
		}
	}
}

// goServed is what a crypto/tls server saw on one connection.
type goServed struct {
	state  gotls.ConnectionState
	err    error
	remote string
}

// goServer runs a crypto/tls echo server on loopback; each handshake's
// outcome goes to the returned channel.
func goServer(t *testing.T, cfg *gotls.Config) (string, <-chan goServed) {
	t.Helper()
	ln, err := gotls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan goServed, 16)
	serveLoopback(t, ln, func(c net.Conn) {
		defer c.Close()
		tc := c.(*gotls.Conn)
		ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
		err := tc.HandshakeContext(ctx)
		cancel()
		select {
		case served <- goServed{state: tc.ConnectionState(), err: err, remote: c.RemoteAddr().String()}:
		default:
		}
		if err != nil {
			return
		}
		buf := make([]byte, 32<<10)
		for {
			n, err := tc.Read(buf)
			if n > 0 {
				if _, err := tc.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	})
	return ln.Addr().String(), served
}

func goResult(t *testing.T, served <-chan goServed) goServed {
	t.Helper()
	select {
	case r := <-served:
		return r
	case <-time.After(peerTimeout):
		t.Fatal("crypto/tls server reported no connection")
		return goServed{}
	}
}

// TestMatrixGoServer: our client against crypto/tls servers, every core
// suite and group (forced by our CipherSuites and Groups), with ALPN.
func TestMatrixGoServer(t *testing.T) {
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				row(t, "go crypto/tls", "server", suite, g.String())
				p := pkis[authFor(suite)]
				var kl keylogBuffer
				addr, served := goServer(t, &gotls.Config{
					Certificates: []gotls.Certificate{p.goCert()}, MaxVersion: gotls.VersionTLS12,
					NextProtos: []string{"h2", "http/1.1"}, KeyLogWriter: &kl,
				})
				cfg := p.clientConfig()
				cfg.CipherSuites = []uint16{cipher.SuiteByName(suite).ID}
				cfg.Groups = offeredGroups(suite, g)
				// crypto/tls picks by its own order (RFC 7301, Section 3.2
				// leaves the choice to the server): h2.
				cfg.ALPNProtocols = []string{"http/1.1", "h2"}
				sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				echo(t, sock, bulk)
				res := goResult(t, served)
				if res.err != nil {
					t.Fatalf("crypto/tls server: %v", res.err)
				}
				st := sock.ConnectionState()
				if st.Suite.OpenSSLName != suite || st.Group != g || st.ALPNProtocol != "h2" || st.VerifyError != nil || !st.SecureRenegotiation {
					t.Errorf("negotiated %v %v %q verify %v reneg %v", st.Suite, st.Group, st.ALPNProtocol, st.VerifyError, st.SecureRenegotiation)
				}
				if res.state.ServerName != "localhost" {
					t.Errorf("crypto/tls saw SNI %q", res.state.ServerName)
				}
				agree(t, st, sock.keylogLines(), res.state, kl.lines())
			})
		}
	}
}

// TestMatrixGoClientCertificates: client authentication with crypto/tls
// both ways, each key type.
func TestMatrixGoClientCertificates(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		p := pkis[kt]
		t.Run(string(kt)+"/go client", func(t *testing.T) {
			t.Parallel()
			row(t, "go crypto/tls", "client", "client-cert "+string(kt)+" sent", "-")
			cfg := p.serverConfig()
			cfg.ClientAuth = handshake.RequireVerifiedClientCert
			addr, results := startEcho(t, cfg)
			conn, err := gotls.DialWithDialer(&net.Dialer{Timeout: peerTimeout}, "tcp", addr, &gotls.Config{RootCAs: p.goRoots(t), ServerName: "localhost",
				MaxVersion: gotls.VersionTLS12, Certificates: []gotls.Certificate{p.goCert()}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(peerTimeout))
			echo(t, conn, 1024)
			res := result(t, results)
			if res.err != nil {
				t.Fatalf("our server: %v", res.err)
			}
			st := res.state
			if len(st.PeerCertificates) != 2 || st.VerifyError != nil || len(st.VerifiedChain) != 3 ||
				!bytes.Equal(st.PeerCertificates[0].Raw, p.chain.Leaf.DER) {
				t.Fatalf("our server: %d certificates, chain %d, verify error %v", len(st.PeerCertificates), len(st.VerifiedChain), st.VerifyError)
			}
			t.Logf("client signed with %v", st.PeerSignatureScheme)
		})
		t.Run(string(kt)+"/go server", func(t *testing.T) {
			t.Parallel()
			row(t, "go crypto/tls", "server", "client-cert "+string(kt)+" sent", "-")
			addr, served := goServer(t, &gotls.Config{Certificates: []gotls.Certificate{p.goCert()}, MaxVersion: gotls.VersionTLS12,
				ClientAuth: gotls.RequireAndVerifyClientCert, ClientCAs: p.goRoots(t)})
			cfg := p.clientConfig()
			cfg.Certificates = []*handshake.Credential{p.cred}
			sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			echo(t, sock, 1024)
			res := goResult(t, served)
			if res.err != nil {
				t.Fatalf("crypto/tls server: %v", res.err)
			}
			if len(res.state.PeerCertificates) != 2 || !bytes.Equal(res.state.PeerCertificates[0].Raw, p.chain.Leaf.DER) || len(res.state.VerifiedChains) != 1 {
				t.Fatalf("crypto/tls server saw %d certificates, %d verified chains", len(res.state.PeerCertificates), len(res.state.VerifiedChains))
			}
		})
		t.Run(string(kt)+"/go server, we send none", func(t *testing.T) {
			t.Parallel()
			row(t, "go crypto/tls", "server", "client-cert "+string(kt)+" missing -> alert", "-")
			addr, served := goServer(t, &gotls.Config{Certificates: []gotls.Certificate{p.goCert()}, MaxVersion: gotls.VersionTLS12,
				ClientAuth: gotls.RequireAndVerifyClientCert, ClientCAs: p.goRoots(t)})
			_, err := dialOurs(t, addr, p.clientConfig(), engine.ClientOptions{ServerName: "localhost"})
			if !errors.Is(err, record.ErrAlertReceived) {
				t.Fatalf("got %v; want crypto/tls's alert", err)
			}
			if res := goResult(t, served); res.err == nil {
				t.Fatal("crypto/tls accepted a client without a certificate")
			}
			t.Logf("our client: %v", err)
		})
	}
}
