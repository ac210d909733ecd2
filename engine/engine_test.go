package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

var coreSuites = []string{
	"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
}

func keyTypesFor(s *cipher.Suite) []certgen.KeyType {
	if s.Auth == cipher.AuthRSA {
		return []certgen.KeyType{certgen.RSA2048}
	}
	return []certgen.KeyType{certgen.ECDSAP256, certgen.ECDSAP384, certgen.Ed25519}
}

// certCurve is the group an ECDSA certificate's curve needs offered.
func certCurve(kt certgen.KeyType) []kex.Group {
	switch kt {
	case certgen.ECDSAP256:
		return []kex.Group{kex.P256}
	case certgen.ECDSAP384:
		return []kex.Group{kex.P384}
	}
	return nil
}

// pair is an in-memory TLS 1.2 pair: most tests of this package are
// about what TLS 1.2 has (renegotiation, its resumption, its messages on
// the wire, RSA and DHE key exchange), written before TLS 1.3 became the
// default. pair13 and TestTLS13Defaults cover the default versions.
func pair(t *testing.T, kt certgen.KeyType, tweak func(c, s *engine.Config)) *tlstest.Pair {
	t.Helper()
	pki := tlstest.NewPKI(kt)
	cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
	cc.MaxVersion, sc.MaxVersion = cipher.VersionTLS12, cipher.VersionTLS12
	if tweak != nil {
		tweak(cc, sc)
	}
	return tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
}

// client12 and server12 are pki's configurations kept at TLS 1.2.
func client12(pki *tlstest.PKI, seed uint64) *engine.Config {
	c := pki.ClientConfig(seed)
	c.MaxVersion = cipher.VersionTLS12
	return c
}

func server12(pki *tlstest.PKI, seed uint64) *engine.Config {
	s := pki.ServerConfig(seed)
	s.MaxVersion = cipher.VersionTLS12
	return s
}

// exchange sends data both ways and closes both sides.
func exchange(t *testing.T, p *tlstest.Pair) {
	t.Helper()
	msgC, msgS := bytes.Repeat([]byte("c"), 40000), []byte("pong from server")
	if _, err := p.Client.Conn.Write(msgC); err != nil {
		t.Fatalf("client write: %v", err)
	}
	if _, err := p.Server.Conn.Write(msgS); err != nil {
		t.Fatalf("server write: %v", err)
	}
	p.Pump()
	if !bytes.Equal(p.Server.Plain, msgC) {
		t.Fatalf("server got %d bytes, want %d", len(p.Server.Plain), len(msgC))
	}
	if !bytes.Equal(p.Client.Plain, msgS) {
		t.Fatalf("client got %q", p.Client.Plain)
	}
	p.Client.Conn.Close()
	p.Pump()
	if !p.Server.PeerClose {
		t.Fatal("server did not see close_notify")
	}
	// After the peer's close the server may still write, then answers.
	if _, err := p.Server.Conn.Write([]byte("last words")); err != nil {
		t.Fatalf("write after peer close: %v", err)
	}
	p.Server.Conn.Close()
	p.Pump()
	if !bytes.HasSuffix(p.Client.Plain, []byte("last words")) {
		t.Fatal("data written after the peer's close_notify was lost")
	}
	if !p.Server.PeerClose || !p.Client.PeerClose {
		t.Fatalf("close_notify not exchanged: server saw %v, client saw %v", p.Server.PeerClose, p.Client.PeerClose)
	}
	if p.Client.Err != nil || p.Server.Err != nil {
		t.Fatalf("errors after close: client %v, server %v", p.Client.Err, p.Server.Err)
	}
}

// TestHandshakeMatrix runs every core suite with every group and every
// certificate type that can serve it, checking what both sides agreed.
func TestHandshakeMatrix(t *testing.T) {
	groups := []kex.Group{kex.X25519, kex.P256, kex.P384, kex.P521}
	for _, name := range coreSuites {
		s := cipher.SuiteByName(name)
		if s == nil {
			t.Fatalf("suite %s not registered", name)
		}
		for _, kt := range keyTypesFor(s) {
			for _, g := range groups {
				t.Run(fmt.Sprintf("%s/%s/%v", name, kt, g), func(t *testing.T) {
					p := pair(t, kt, func(c, sc *engine.Config) {
						c.CipherSuites = []uint16{s.ID}
						// RFC 8422, Section 5.1: the client must list the
						// certificate's curve; the server picks g.
						c.Groups = append([]kex.Group{g}, certCurve(kt)...)
						sc.Groups = []kex.Group{g}
					})
					if err := p.Handshake(); err != nil {
						t.Fatal(err)
					}
					for _, st := range []*engine.ConnectionState{p.Client.State, p.Server.State} {
						if st.Suite != s || st.Group != g || st.Version != cipher.VersionTLS12 {
							t.Fatalf("negotiated %v %v 0x%x", st.Suite, st.Group, st.Version)
						}
						if !st.ExtendedMasterSecret || !st.SecureRenegotiation {
							t.Fatalf("EMS %v, secure renegotiation %v", st.ExtendedMasterSecret, st.SecureRenegotiation)
						}
					}
					if p.Client.State.VerifyError != nil {
						t.Fatalf("client verification: %v", p.Client.State.VerifyError)
					}
					if p.Server.State.ServerName != "localhost" {
						t.Fatalf("server saw SNI %q", p.Server.State.ServerName)
					}
					exchange(t, p)
				})
			}
		}
	}
}

func TestByteAtATime(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		t.Run(string(kt), func(t *testing.T) {
			p := pair(t, kt, nil)
			p.ByteAtATime = true
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			exchange(t, p)
		})
	}
}

// TestDeterministicReplay: with the same randomness and clock, Ed25519
// (deterministic signatures) gives the same bytes on the wire twice.
func TestDeterministicReplay(t *testing.T) {
	run := func() []byte {
		p := pair(t, certgen.Ed25519, nil)
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		return append(p.Client.Wire, p.Server.Wire...)
	}
	if a, b := run(), run(); !bytes.Equal(a, b) {
		t.Fatal("two runs with the same seeds put different bytes on the wire")
	}
}

func TestALPN(t *testing.T) {
	cases := []struct {
		client, server []string
		want           string
		fail           bool
	}{
		{[]string{"http/1.1", "h2"}, []string{"h2", "http/1.1"}, "h2", false}, // server order, as Node
		{[]string{"http/1.1"}, nil, "", false},
		{nil, []string{"h2"}, "", false},
		{[]string{"http/1.1"}, []string{"h2"}, "", true},
	}
	for _, tc := range cases {
		p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) {
			c.ALPNProtocols, s.ALPNProtocols = tc.client, tc.server
		})
		err := p.Handshake()
		if tc.fail {
			if !hasAlert(p.Client.Alerts, record.AlertNoApplicationProtocol) {
				t.Fatalf("%v/%v: want no_application_protocol, got err %v alerts %v", tc.client, tc.server, err, p.Client.Alerts)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Client.State.ALPNProtocol != tc.want || p.Server.State.ALPNProtocol != tc.want {
			t.Fatalf("%v/%v: got %q/%q, want %q", tc.client, tc.server, p.Client.State.ALPNProtocol, p.Server.State.ALPNProtocol, tc.want)
		}
	}
}

func TestClientCertificates(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	t.Run("required and sent", func(t *testing.T) {
		p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) {
			s.ClientAuth = handshake.RequireVerifiedClientCert
			c.Certificates = []*handshake.Credential{pki.Cert}
		})
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		st := p.Server.State
		if len(st.PeerCertificates) != 2 || st.VerifyError != nil || len(st.VerifiedChain) != 3 {
			t.Fatalf("server saw %d certs, verify error %v, chain %d", len(st.PeerCertificates), st.VerifyError, len(st.VerifiedChain))
		}
		if st.PeerSignatureScheme != kex.ECDSAWithP256AndSHA256 {
			t.Fatalf("CertificateVerify scheme %v", st.PeerSignatureScheme)
		}
		exchange(t, p)
	})
	t.Run("required and missing", func(t *testing.T) {
		p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) { s.ClientAuth = handshake.RequireVerifiedClientCert })
		p.Handshake()
		if !hasAlert(p.Client.Alerts, record.AlertHandshakeFailure) || !errors.Is(p.Server.Err, record.ErrBadCertificate) {
			t.Fatalf("want handshake_failure; client alerts %v, server err %v", p.Client.Alerts, p.Server.Err)
		}
	})
	t.Run("requested and missing", func(t *testing.T) {
		p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) { s.ClientAuth = handshake.RequestClientCert })
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(fmt.Sprint(p.Server.State.VerifyError), "unable to get issuer certificate") {
			t.Fatalf("server verify error %v, want Node's UNABLE_TO_GET_ISSUER_CERT", p.Server.State.VerifyError)
		}
	})
	t.Run("required and untrusted", func(t *testing.T) {
		other := tlstest.NewPKI(certgen.RSA2048)
		p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) {
			s.ClientAuth = handshake.RequireVerifiedClientCert
			c.Certificates = []*handshake.Credential{other.Cert}
		})
		p.Handshake()
		if !hasAlert(p.Client.Alerts, record.AlertUnknownCA) {
			t.Fatalf("want unknown_ca, client alerts %v, server err %v", p.Client.Alerts, p.Server.Err)
		}
	})
}

func TestServerVerificationFailure(t *testing.T) {
	other := tlstest.NewPKI(certgen.RSA2048)
	p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) { c.RootCAs = other.Roots })
	p.Handshake()
	if !errors.Is(p.Client.Err, record.ErrBadCertificate) || !hasAlert(p.Server.Alerts, record.AlertUnknownCA) {
		t.Fatalf("client err %v; server alerts %v", p.Client.Err, p.Server.Alerts)
	}
	// With InsecureSkipVerify the handshake completes and reports why.
	p = pair(t, certgen.ECDSAP256, func(c, s *engine.Config) { c.RootCAs = other.Roots; c.InsecureSkipVerify = true })
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p.Client.State.VerifyError == nil {
		t.Fatal("no verification error reported")
	}
	// Host name mismatch.
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	p = tlstest.NewPair(pki.ClientConfig(1), pki.ServerConfig(2), engine.ClientOptions{ServerName: "example.com"})
	p.Handshake()
	if p.Client.Err == nil || !strings.Contains(p.Client.Err.Error(), "altnames") {
		t.Fatalf("want a host name error, got %v", p.Client.Err)
	}
}

func TestServerContextDecision(t *testing.T) {
	rsa := tlstest.NewPKI(certgen.RSA2048)
	p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) {
		s.AskServerContext = true
		c.RootCAs = rsa.Roots
	})
	p.HoldDecisions = true
	p.Pump()
	if len(p.Server.Decisions) != 1 {
		t.Fatalf("server decisions %d", len(p.Server.Decisions))
	}
	d, ok := p.Server.Decisions[0].(*engine.ServerContextDecision)
	if !ok || d.ServerName != "localhost" {
		t.Fatalf("decision %#v", p.Server.Decisions[0])
	}
	if len(p.Server.Wire) != 0 {
		t.Fatal("server sent bytes while the decision was pending")
	}
	// Answer late, with the RSA certificate.
	if err := p.Server.Conn.Resolve(d.Answer(rsa.ServerConfig(3))); err != nil {
		t.Fatal(err)
	}
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p.Client.State.Suite.Auth != cipher.AuthRSA {
		t.Fatalf("suite %v, want an RSA suite from the decided context", p.Client.State.Suite)
	}
}

func TestKeylog(t *testing.T) {
	p := pair(t, certgen.ECDSAP256, nil)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if len(p.Client.Keylog) != 1 || p.Client.Keylog[0] != p.Server.Keylog[0] || !strings.HasPrefix(p.Client.Keylog[0], "CLIENT_RANDOM ") {
		t.Fatalf("keylog %q / %q", p.Client.Keylog, p.Server.Keylog)
	}
}

func TestWriteBeforeHandshake(t *testing.T) {
	p := pair(t, certgen.ECDSAP256, nil)
	if _, err := p.Client.Conn.Write([]byte("x")); !errors.Is(err, record.ErrMisuse) {
		t.Fatalf("got %v, want ErrMisuse", err)
	}
}

func hasAlert(alerts []record.Alert, d record.AlertDescription) bool {
	for _, a := range alerts {
		if a.Description == d && a.Level == record.LevelFatal {
			return true
		}
	}
	return false
}

// TestECDSACurveMustBeOffered: RFC 8422, Section 5.1 — a client that does
// not list the certificate's curve gets no ECDSA suite.
func TestECDSACurveMustBeOffered(t *testing.T) {
	p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) { c.Groups = []kex.Group{kex.X25519} })
	p.Handshake()
	if !hasAlert(p.Client.Alerts, record.AlertHandshakeFailure) {
		t.Fatalf("want handshake_failure, client alerts %v, server err %v", p.Client.Alerts, p.Server.Err)
	}
}
