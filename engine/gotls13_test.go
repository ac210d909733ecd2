package engine_test

import (
	"bytes"
	gotls "crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
)

// These tests run the engine against Go's crypto/tls in process, over a
// loopback TCP connection: our side is driven by runEngine on the test
// goroutine, crypto/tls runs on its own.

// goPeer is what the crypto/tls side saw.
type goPeer struct {
	state  gotls.ConnectionState
	err    error
	keylog bytes.Buffer
	mu     sync.Mutex
}

func (g *goPeer) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.keylog.Write(p)
}

// engineRun is what our side saw.
type engineRun struct {
	state  *engine.ConnectionState
	keylog []string
	got    []byte
	err    error
}

// runEngine drives c over conn: a client writes payload once the
// handshake is done (after a KeyUpdate asking the peer for one, if
// keyUpdate) and closes once it has read it back; a server echoes until
// the peer closes.
func runEngine(conn net.Conn, c *engine.Conn, isClient bool, payload []byte, keyUpdate bool) engineRun {
	var r engineRun
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 1<<16)
	for {
		for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
			switch e.Kind {
			case engine.EventSend:
				if _, err := conn.Write(e.Data); err != nil {
					r.err = err
					return r
				}
			case engine.EventKeylog:
				r.keylog = append(r.keylog, e.Keylog)
			case engine.EventHandshakeDone:
				r.state = e.State
				if isClient {
					if keyUpdate {
						if err := c.UpdateKeys(true); err != nil {
							r.err = err
							return r
						}
					}
					c.Write(payload)
				}
			case engine.EventPlaintext:
				r.got = append(r.got, e.Data...)
				if !isClient {
					c.Write(e.Data)
				} else if len(r.got) >= len(payload) {
					c.Close()
				}
			case engine.EventPeerClosed:
				c.Close()
			case engine.EventError:
				r.err = e.Err
			}
		}
		if r.err != nil || isClient && len(r.got) >= len(payload) && c.NextEvent().Kind == engine.EventNone {
			return r
		}
		n, err := conn.Read(buf)
		if n > 0 {
			c.Feed(buf[:n])
			continue
		}
		if err != nil {
			if r.err == nil && r.state == nil {
				r.err = err
			}
			return r
		}
	}
}

func goRoots(t *testing.T, p *tlstest.PKI) *x509.CertPool {
	root, err := x509.ParseCertificate(p.Chain.Root.DER)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	return pool
}

func goCert(p *tlstest.PKI) gotls.Certificate {
	return gotls.Certificate{Certificate: [][]byte{p.Chain.Leaf.DER, p.Chain.Intermediate.DER}, PrivateKey: p.Chain.Leaf.Key}
}

// loopback returns both ends of a TCP connection on 127.0.0.1.
func loopback(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-accepted
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// withGoClient runs a crypto/tls client against our server config: it
// writes payload and reads it back.
func withGoClient(t *testing.T, ours *engine.Config, theirs *gotls.Config, payload []byte) (engineRun, *goPeer) {
	t.Helper()
	return withGo(t, engine.NewServer(ours), false, theirs, nil, false, func(tc *gotls.Conn) error {
		if _, err := tc.Write(payload); err != nil {
			return err
		}
		back := make([]byte, len(payload))
		if _, err := io.ReadFull(tc, back); err != nil || !bytes.Equal(back, payload) {
			return fmt.Errorf("echo differs (%v)", err)
		}
		return nil
	})
}

// withGoServer runs our client config against a crypto/tls echo server.
func withGoServer(t *testing.T, ours *engine.Config, theirs *gotls.Config, payload []byte, keyUpdate bool) (engineRun, *goPeer) {
	t.Helper()
	c := engine.NewClient(ours, engine.ClientOptions{ServerName: "localhost"})
	return withGo(t, c, true, theirs, payload, keyUpdate, func(tc *gotls.Conn) error {
		io.Copy(tc, tc)
		return nil
	})
}

// withGo connects our c (a client when ourClient) to crypto/tls over
// loopback: crypto/tls runs the other role on its own goroutine,
// handshakes and then runs after; our side is runEngine's.
func withGo(t *testing.T, c *engine.Conn, ourClient bool, theirs *gotls.Config, payload []byte, keyUpdate bool, after func(*gotls.Conn) error) (engineRun, *goPeer) {
	t.Helper()
	ourEnd, theirEnd := loopback(t)
	g := &goPeer{}
	theirs.KeyLogWriter = g
	done := make(chan struct{})
	go func() {
		defer close(done)
		tc := gotls.Server(theirEnd, theirs)
		if !ourClient {
			tc = gotls.Client(theirEnd, theirs)
		}
		defer tc.Close()
		tc.SetDeadline(time.Now().Add(20 * time.Second))
		if g.err = tc.Handshake(); g.err != nil {
			return
		}
		g.state = tc.ConnectionState()
		g.err = after(tc)
	}()
	r := runEngine(ourEnd, c, ourClient, payload, keyUpdate)
	ourEnd.Close()
	<-done
	return r, g
}

// agree13 checks that both sides negotiated the same TLS 1.3 parameters
// and that every key log line of crypto/tls is one of ours.
func agree13(t *testing.T, r engineRun, g *goPeer, suite uint16, group kex.Group) {
	t.Helper()
	if r.err != nil || g.err != nil {
		t.Fatalf("ours: %v; crypto/tls: %v", r.err, g.err)
	}
	st := r.state
	if st == nil || st.Version != cipher.VersionTLS13 || g.state.Version != gotls.VersionTLS13 {
		t.Fatalf("not TLS 1.3: ours %+v, crypto/tls %#x", st, g.state.Version)
	}
	if st.Suite.ID != suite || g.state.CipherSuite != suite || st.Group != group || kex.Group(g.state.CurveID) != group {
		t.Fatalf("ours %v %v, crypto/tls %s %v; want %#04x %v", st.Suite, st.Group, gotls.CipherSuiteName(g.state.CipherSuite), g.state.CurveID, suite, group)
	}
	a, _ := st.ExportKeyingMaterial("EXPERIMENTAL tlsengine", []byte("ctx"), true, 32)
	b, err := g.state.ExportKeyingMaterial("EXPERIMENTAL tlsengine", []byte("ctx"), 32)
	if err != nil || !bytes.Equal(a, b) {
		t.Errorf("exporters differ: %x %x (%v)", a, b, err)
	}
	theirs := strings.Split(strings.TrimSpace(g.keylog.String()), "\n")
	if len(theirs) < 4 {
		t.Errorf("crypto/tls logged %q", theirs)
	}
	for _, l := range theirs {
		if !slices.Contains(r.keylog, l) {
			t.Errorf("crypto/tls key log line %q is not one of ours:\n%s", l, strings.Join(r.keylog, "\n"))
		}
	}
}

var goGroups13 = []kex.Group{kex.X25519, kex.P256, kex.P384, kex.P521, kex.X25519MLKEM768}

// TestTLS13GoClient: crypto/tls clients against our TLS 1.3 server, every
// suite (forced by our server) and group (forced by both) and key type.
func TestTLS13GoClient(t *testing.T) {
	payload := bytes.Repeat([]byte("go->us "), 10000)
	for _, s := range cipher.Suites13() {
		for _, kt := range []certgen.KeyType{certgen.RSA2048, certgen.ECDSAP256, certgen.Ed25519} {
			for _, g := range goGroups13 {
				t.Run(fmt.Sprintf("%s/%s/%v", s.Name, kt, g), func(t *testing.T) {
					p := tlstest.NewPKI(kt)
					ours := p.ServerConfig(7)
					ours.MaxVersion, ours.CipherSuites13, ours.Groups = cipher.VersionTLS13, []uint16{s.ID}, []kex.Group{g}
					ours.ALPNProtocols = []string{"h2", "http/1.1"}
					r, gp := withGoClient(t, ours, &gotls.Config{RootCAs: goRoots(t, p), ServerName: "localhost",
						Time: func() time.Time { return tlstest.Epoch }, CurvePreferences: []gotls.CurveID{gotls.CurveID(g)},
						NextProtos: []string{"http/1.1", "h2"}}, payload)
					agree13(t, r, gp, s.ID, g)
					if r.state.ALPNProtocol != "h2" || gp.state.NegotiatedProtocol != "h2" || r.state.ServerName != "localhost" {
						t.Errorf("ALPN %q/%q, SNI %q", r.state.ALPNProtocol, gp.state.NegotiatedProtocol, r.state.ServerName)
					}
					if !bytes.Equal(r.got, payload) {
						t.Errorf("our server got %d bytes", len(r.got))
					}
				})
			}
		}
	}
}

// TestTLS13GoServer: our TLS 1.3 client against crypto/tls servers, every
// suite and group (forced by our client) and key type.
func TestTLS13GoServer(t *testing.T) {
	payload := bytes.Repeat([]byte("us->go "), 10000)
	for _, s := range cipher.Suites13() {
		for _, kt := range []certgen.KeyType{certgen.RSA2048, certgen.ECDSAP256, certgen.Ed25519} {
			for _, g := range goGroups13 {
				t.Run(fmt.Sprintf("%s/%s/%v", s.Name, kt, g), func(t *testing.T) {
					p := tlstest.NewPKI(kt)
					ours := p.ClientConfig(8)
					ours.MaxVersion, ours.CipherSuites13, ours.Groups = cipher.VersionTLS13, []uint16{s.ID}, []kex.Group{g}
					r, gp := withGoServer(t, ours, &gotls.Config{Certificates: []gotls.Certificate{goCert(p)},
						Time: func() time.Time { return tlstest.Epoch }}, payload, false)
					agree13(t, r, gp, s.ID, g)
					if !bytes.Equal(r.got, payload) {
						t.Errorf("our client got %d bytes back", len(r.got))
					}
					if r.state.VerifyError != nil || len(r.state.PeerCertificates) != 2 {
						t.Errorf("verification %v, %d certificates", r.state.VerifyError, len(r.state.PeerCertificates))
					}
				})
			}
		}
	}
}

// TestTLS13GoHelloRetryRequest forces a HelloRetryRequest both ways: the
// client's only key share is on a group the server does not take.
func TestTLS13GoHelloRetryRequest(t *testing.T) {
	p := tlstest.NewPKI(certgen.ECDSAP256)
	payload := []byte("after a retry")
	t.Run("go client", func(t *testing.T) {
		ours := p.ServerConfig(9)
		ours.MaxVersion, ours.Groups = cipher.VersionTLS13, []kex.Group{kex.P384}
		// crypto/tls sends shares on its first preference only.
		r, gp := withGoClient(t, ours, &gotls.Config{RootCAs: goRoots(t, p), ServerName: "localhost",
			Time: func() time.Time { return tlstest.Epoch }, CurvePreferences: []gotls.CurveID{gotls.X25519, gotls.CurveP384}}, payload)
		agree13(t, r, gp, gp.state.CipherSuite, kex.P384)
		if !gp.state.HelloRetryRequest {
			t.Error("crypto/tls saw no HelloRetryRequest")
		}
	})
	t.Run("go server", func(t *testing.T) {
		ours := p.ClientConfig(10)
		ours.MaxVersion, ours.Groups = cipher.VersionTLS13, []kex.Group{kex.X25519, kex.P256}
		r, gp := withGoServer(t, ours, &gotls.Config{Certificates: []gotls.Certificate{goCert(p)},
			Time: func() time.Time { return tlstest.Epoch }, CurvePreferences: []gotls.CurveID{gotls.CurveP256}}, payload, false)
		agree13(t, r, gp, gp.state.CipherSuite, kex.P256)
		if !gp.state.HelloRetryRequest {
			t.Error("crypto/tls did not send a HelloRetryRequest")
		}
	})
}

// TestTLS13GoClientCertificates: client authentication with crypto/tls
// both ways, each key type (on the hybrid both sides prefer by default).
func TestTLS13GoClientCertificates(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.RSA2048, certgen.ECDSAP256, certgen.Ed25519} {
		p := tlstest.NewPKI(kt)
		t.Run(string(kt)+"/go client", func(t *testing.T) {
			ours := p.ServerConfig(11)
			ours.MaxVersion, ours.ClientAuth = cipher.VersionTLS13, handshake.RequireVerifiedClientCert
			r, gp := withGoClient(t, ours, &gotls.Config{RootCAs: goRoots(t, p), ServerName: "localhost",
				Time: func() time.Time { return tlstest.Epoch }, Certificates: []gotls.Certificate{goCert(p)}}, []byte("with a certificate"))
			agree13(t, r, gp, r.state.Suite.ID, kex.X25519MLKEM768)
			if len(r.state.PeerCertificates) != 2 || r.state.VerifyError != nil || !r.state.PeerCertificateRequested {
				t.Errorf("our server: %d certificates, verify error %v", len(r.state.PeerCertificates), r.state.VerifyError)
			}
		})
		t.Run(string(kt)+"/go server", func(t *testing.T) {
			ours := p.ClientConfig(12)
			ours.MaxVersion, ours.Certificates = cipher.VersionTLS13, []*handshake.Credential{p.Cert}
			r, gp := withGoServer(t, ours, &gotls.Config{Certificates: []gotls.Certificate{goCert(p)},
				Time: func() time.Time { return tlstest.Epoch }, ClientAuth: gotls.RequireAndVerifyClientCert, ClientCAs: goRoots(t, p)},
				[]byte("with a certificate"), false)
			agree13(t, r, gp, r.state.Suite.ID, kex.X25519MLKEM768)
			if len(gp.state.PeerCertificates) != 2 {
				t.Errorf("crypto/tls got %d client certificates", len(gp.state.PeerCertificates))
			}
		})
	}
}

// TestTLS13GoKeyUpdate: our client sends a KeyUpdate asking for one back
// before its data; crypto/tls answers with its own and echoes under the
// new keys.
func TestTLS13GoKeyUpdate(t *testing.T) {
	p := tlstest.NewPKI(certgen.ECDSAP256)
	ours := p.ClientConfig(13)
	ours.MaxVersion = cipher.VersionTLS13
	payload := bytes.Repeat([]byte("after a key update "), 2000)
	r, gp := withGoServer(t, ours, &gotls.Config{Certificates: []gotls.Certificate{goCert(p)},
		Time: func() time.Time { return tlstest.Epoch }}, payload, true)
	agree13(t, r, gp, r.state.Suite.ID, kex.X25519MLKEM768)
	if !bytes.Equal(r.got, payload) {
		t.Fatalf("got %d bytes back after the KeyUpdate", len(r.got))
	}
}

// TestTLS13GoHybridByDefault: our default groups (X25519MLKEM768 first)
// and crypto/tls's default offer (hybrid and X25519 shares) meet on the
// hybrid without a HelloRetryRequest, both ways.
func TestTLS13GoHybridByDefault(t *testing.T) {
	p := tlstest.NewPKI(certgen.ECDSAP256)
	var groups []kex.Group // the default
	t.Run("go client", func(t *testing.T) {
		ours := p.ServerConfig(14)
		ours.MaxVersion, ours.Groups = cipher.VersionTLS13, groups
		r, gp := withGoClient(t, ours, &gotls.Config{RootCAs: goRoots(t, p), ServerName: "localhost",
			Time: func() time.Time { return tlstest.Epoch }}, []byte("hybrid"))
		agree13(t, r, gp, gp.state.CipherSuite, kex.X25519MLKEM768)
		if gp.state.HelloRetryRequest {
			t.Error("HelloRetryRequest")
		}
	})
	t.Run("go server", func(t *testing.T) {
		ours := p.ClientConfig(15)
		ours.MaxVersion, ours.Groups = cipher.VersionTLS13, groups
		r, gp := withGoServer(t, ours, &gotls.Config{Certificates: []gotls.Certificate{goCert(p)},
			Time: func() time.Time { return tlstest.Epoch }}, []byte("hybrid"), false)
		agree13(t, r, gp, gp.state.CipherSuite, kex.X25519MLKEM768)
		if gp.state.HelloRetryRequest {
			t.Error("HelloRetryRequest")
		}
	})
}

// TestTLS13GoTLS12Peer: a TLS 1.3-capable side and a crypto/tls peer
// capped at TLS 1.2 still negotiate TLS 1.2, both ways; our server marks
// its random with DOWNGRD\x01 (RFC 8446, Section 4.1.3).
func TestTLS13GoTLS12Peer(t *testing.T) {
	p := tlstest.NewPKI(certgen.ECDSAP256)
	check := func(t *testing.T, r engineRun, g *goPeer) {
		t.Helper()
		if r.err != nil || g.err != nil || r.state == nil || r.state.Version != cipher.VersionTLS12 || g.state.Version != gotls.VersionTLS12 {
			t.Fatalf("ours %v %+v, crypto/tls %v %#x", r.err, r.state, g.err, g.state.Version)
		}
	}
	t.Run("go client", func(t *testing.T) {
		ours := p.ServerConfig(16)
		ours.MaxVersion = cipher.VersionTLS13
		r, gp := withGoClient(t, ours, &gotls.Config{RootCAs: goRoots(t, p), ServerName: "localhost", MaxVersion: gotls.VersionTLS12,
			Time: func() time.Time { return tlstest.Epoch }}, []byte("twelve"))
		check(t, r, gp)
		if string(r.state.ServerRandom[24:]) != "DOWNGRD\x01" {
			t.Errorf("server random %x", r.state.ServerRandom)
		}
	})
	t.Run("go server", func(t *testing.T) {
		ours := p.ClientConfig(17)
		ours.MaxVersion = cipher.VersionTLS13
		r, gp := withGoServer(t, ours, &gotls.Config{Certificates: []gotls.Certificate{goCert(p)}, MaxVersion: gotls.VersionTLS12,
			Time: func() time.Time { return tlstest.Epoch }}, []byte("twelve"), false)
		check(t, r, gp)
	})
}
