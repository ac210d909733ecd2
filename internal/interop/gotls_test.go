package interop

import (
	"context"
	gotls "crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
)

func goCurve(g kex.Group) gotls.CurveID { return gotls.CurveID(g) }

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

// TestMatrixGoClient: crypto/tls clients against our server.
func TestMatrixGoClient(t *testing.T) {
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				p := pkis[authFor(suite)]
				cfg := p.serverConfig()
				cfg.Groups = []kex.Group{g}
				cfg.ALPNProtocols = []string{"h2", "http/1.1"}
				addr, results := startEcho(t, cfg)
				curves := []gotls.CurveID{goCurve(g)}
				if g != kex.P256 {
					curves = append(curves, gotls.CurveP256)
				}
				conn, err := gotls.DialWithDialer(&net.Dialer{Timeout: peerTimeout}, "tcp", addr, &gotls.Config{
					RootCAs: p.goRoots(t), ServerName: "localhost", MaxVersion: gotls.VersionTLS12,
					CipherSuites: []uint16{cipher.SuiteByName(suite).ID}, CurvePreferences: curves,
					NextProtos: []string{"http/1.1", "h2"},
				})
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				cs := conn.ConnectionState()
				if gotls.CipherSuiteName(cs.CipherSuite) != cipher.SuiteByName(suite).Name || cs.CurveID != goCurve(g) || cs.NegotiatedProtocol != "h2" || cs.Version != gotls.VersionTLS12 || cs.DidResume {
					t.Fatalf("crypto/tls negotiated %s %v %q", gotls.CipherSuiteName(cs.CipherSuite), cs.CurveID, cs.NegotiatedProtocol)
				}
				echo(t, conn)
				res := <-results
				if res.err != nil || res.state.Suite.OpenSSLName != suite || res.state.ALPNProtocol != "h2" {
					t.Fatalf("server: %+v", res)
				}
				record(fmt.Sprintf("go-crypto/tls -> tlsengine     %-30s %-6v ok", suite, g))
			})
		}
	}
}

func echo(t *testing.T, rw io.ReadWriter) {
	t.Helper()
	msg := []byte("round trip through both implementations\n")
	if _, err := rw.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(rw, got); err != nil || string(got) != string(msg) {
		t.Fatalf("echo %q, %v", got, err)
	}
}

// goServer runs a crypto/tls echo server.
func goServer(t *testing.T, cfg *gotls.Config) string {
	t.Helper()
	ln, err := gotls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(peerTimeout))
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestMatrixGoServer: our client against crypto/tls servers.
func TestMatrixGoServer(t *testing.T) {
	for _, suite := range coreSuites {
		for _, g := range coreGroups {
			t.Run(suite+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				p := pkis[authFor(suite)]
				addr := goServer(t, &gotls.Config{
					Certificates: []gotls.Certificate{p.goCert()}, MaxVersion: gotls.VersionTLS12,
					CurvePreferences: []gotls.CurveID{goCurve(g)}, NextProtos: []string{"http/1.1"},
				})
				cfg := p.clientConfig()
				cfg.CipherSuites = []uint16{cipher.SuiteByName(suite).ID}
				cfg.ALPNProtocols = []string{"h2", "http/1.1"}
				sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				st := sock.ConnectionState()
				if st.Suite.OpenSSLName != suite || st.Group != g || st.ALPNProtocol != "http/1.1" || !st.ExtendedMasterSecret {
					t.Fatalf("negotiated %v %v %q EMS %v", st.Suite, st.Group, st.ALPNProtocol, st.ExtendedMasterSecret)
				}
				echo(t, sock)
				record(fmt.Sprintf("tlsengine -> go-crypto/tls     %-30s %-6v ok", suite, g))
			})
		}
	}
}

// TestGoClientCertificates: client authentication with crypto/tls both
// ways.
func TestGoClientCertificates(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		p := pkis[kt]
		t.Run(string(kt)+"/go client", func(t *testing.T) {
			cfg := p.serverConfig()
			cfg.ClientAuth = handshake.RequireVerifiedClientCert
			addr, results := startEcho(t, cfg)
			conn, err := gotls.Dial("tcp", addr, &gotls.Config{RootCAs: p.goRoots(t), ServerName: "localhost",
				MaxVersion: gotls.VersionTLS12, Certificates: []gotls.Certificate{p.goCert()}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			echo(t, conn)
			res := <-results
			if res.err != nil || len(res.state.PeerCertificates) != 2 || res.state.VerifyError != nil {
				t.Fatalf("server: %+v", res)
			}
			record(fmt.Sprintf("go-crypto/tls -> tlsengine     client certificate %-14s ok (%v)", kt, res.state.PeerSignatureScheme))
		})
		t.Run(string(kt)+"/go server", func(t *testing.T) {
			addr := goServer(t, &gotls.Config{Certificates: []gotls.Certificate{p.goCert()}, MaxVersion: gotls.VersionTLS12,
				ClientAuth: gotls.RequireAndVerifyClientCert, ClientCAs: p.goRoots(t)})
			cfg := p.clientConfig()
			cfg.Certificates = []*handshake.Credential{p.cred}
			sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			echo(t, sock)
			record(fmt.Sprintf("tlsengine -> go-crypto/tls     client certificate %-14s ok", kt))
		})
	}
}

var _ = context.Background
