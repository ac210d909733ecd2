package engine_test

// Checks found by BoringSSL's conformance suite (BoGo), kept here so that
// `go test` guards them without the runner.

import (
	"bytes"
	"slices"
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

// editedHello returns our client's ClientHello after edit, as a record.
func editedHello(t *testing.T, edit func(ch *handshake.ClientHello)) []byte {
	t.Helper()
	ch := new(handshake.ClientHello)
	if err := ch.Unmarshal(clientHello(t)); err != nil {
		t.Fatal(err)
	}
	edit(ch)
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return tlstest.HandshakeRecord(raw)
}

func TestServerHelloChecks(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*handshake.ClientHello)
		alert   record.AlertDescription
		message string
	}{
		{
			// RFC 8422, Section 5.1.2.
			name:  "point formats without uncompressed",
			edit:  func(ch *handshake.ClientHello) { ch.SupportedPoints = []uint8{1} },
			alert: record.AlertIllegalParameter, message: "ec_point_formats",
		},
		{
			// RFC 8446, Section 4.2.1: the extension wins over client_version.
			name:  "supported_versions with nothing we know",
			edit:  func(ch *handshake.ClientHello) { ch.SupportedVersions = []uint16{0x1111} },
			alert: record.AlertProtocolVersion, message: "client offered versions 0x1111",
		},
		{
			// SSL 3.0 is refused by design (RFC 7568).
			name:  "a client offering only SSLv3",
			edit:  func(ch *handshake.ClientHello) { ch.Version = 0x0300 },
			alert: record.AlertProtocolVersion, message: "client offered version 0x0300",
		},
		{
			// RFC 7507, Section 3.
			// Checked before the version: at our minimum of TLS 1.2 the
			// alert is still inappropriate_fallback.
			name: "fallback SCSV below our highest version",
			edit: func(ch *handshake.ClientHello) {
				ch.Version = 0x0302
				ch.CipherSuites = append(ch.CipherSuites, handshake.SCSVFallback)
			},
			alert: record.AlertInappropriateFallback, message: "TLS_FALLBACK_SCSV",
		},
		{
			// RFC 8422, Section 5.1: our P-256 certificate is unusable.
			name:  "certificate curve not offered",
			edit:  func(ch *handshake.ClientHello) { ch.SupportedGroups = []kex.Group{kex.X25519, kex.P384} },
			alert: record.AlertHandshakeFailure, message: "curve of our ECDSA certificate",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := serverAlert(t, editedHello(t, tc.edit))
			if a != tc.alert || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("alert %v, error %v; want %v and %q", a, err, tc.alert, tc.message)
			}
		})
	}
}

// TestFallbackSCSVAtOurHighest: the SCSV is harmless when the client
// already offers our highest version.
func TestFallbackSCSVAtOurHighest(t *testing.T) {
	p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) {
		c.CipherSuites = append(slices.Clone(handshake.DefaultCipherSuites), handshake.SCSVFallback)
	})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
}

// TestFallbackSCSVWithTLS13Offer: a client offering TLS 1.3 in
// supported_versions is at our highest version though its client_version
// says TLS 1.2 (RFC 8446, Section 4.2.1), so its SCSV is no fallback (RFC
// 7507, Section 3) and the handshake reaches TLS 1.3.
func TestFallbackSCSVWithTLS13Offer(t *testing.T) {
	p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) {
		c.MaxVersion, s.MaxVersion = cipher.VersionTLS13, cipher.VersionTLS13
		c.CipherSuites = append(slices.Clone(handshake.DefaultCipherSuites), handshake.SCSVFallback)
	})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if v := p.Server.Conn.ConnectionState().Version; v != cipher.VersionTLS13 {
		t.Fatalf("version %#x", v)
	}
}

// TestClientHelloPadding: RFC 7685 padding lifts a ClientHello of 256 to
// 511 bytes to at least 512; a short one is left alone. The client
// offers the classical groups, as Node v20 does: with our default hybrid
// key share (1,216 bytes) every ClientHello is already over 512 bytes.
func TestClientHelloPadding(t *testing.T) {
	hello := func(name string) []byte {
		pki := tlstest.NewPKI(certgen.ECDSAP256)
		cfg := pki.ClientConfig(3)
		cfg.Groups = []kex.Group{kex.X25519, kex.P256, kex.P384}
		c := engine.NewClient(cfg, engine.ClientOptions{ServerName: name})
		e := c.NextEvent()
		return e.Data[record.HeaderLen:]
	}
	short := hello("localhost")
	if len(short) >= 256 {
		t.Fatalf("the baseline hello is already %d bytes", len(short))
	}
	long := hello(strings.Repeat("a", 200-len(short)+60) + ".example")
	if len(long) < 512 {
		t.Fatalf("padded hello is %d bytes, want at least 512", len(long))
	}
	ch := new(handshake.ClientHello)
	if err := ch.Unmarshal(long); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ch.Extensions, handshake.ExtPadding) {
		t.Fatal("no padding extension in the long hello")
	}
	ch = new(handshake.ClientHello)
	if err := ch.Unmarshal(short); err != nil || slices.Contains(ch.Extensions, handshake.ExtPadding) {
		t.Fatalf("short hello padded (%v)", err)
	}
}

// TestClientChecksServerChoices tampers with the server's flight or our
// hello in flight and checks the client notices.
func TestClientChecksServerChoices(t *testing.T) {
	t.Run("certificate curve we did not offer", func(t *testing.T) {
		// The server sees P-256 offered; our own hello said P-384.
		p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) {
			c.Groups = []kex.Group{kex.X25519, kex.P384}
		})
		p.Tamper = func(fromClient bool, b []byte) []byte {
			if fromClient && tlstest.FindMessage(b, typeClientHello) >= 0 {
				b = bytes.Replace(b, []byte{0, 29, 0, 24}, []byte{0, 29, 0, 23}, 1)
			}
			return b
		}
		if err := p.Handshake(); err == nil || !strings.Contains(p.Client.Err.Error(), "curve is not one we offered") {
			t.Fatalf("client error %v", p.Client.Err)
		}
		if !hasAlert(p.Server.Alerts, record.AlertIllegalParameter) {
			t.Fatalf("server got alerts %v", p.Server.Alerts)
		}
	})
	t.Run("signature scheme that does not fit the key", func(t *testing.T) {
		p := pair(t, certgen.RSA2048, func(c, s *engine.Config) {
			c.Groups, s.Groups = []kex.Group{kex.X25519}, []kex.Group{kex.X25519}
		})
		p.Tamper = func(fromClient bool, b []byte) []byte {
			if off := tlstest.FindMessage(b, typeServerKeyExchange); !fromClient && off >= 0 {
				// curve_type, named_curve, point length, 32-byte point.
				at := off + 4 + 1 + 2 + 1 + 32
				b[at], b[at+1] = 0x04, 0x03 // ecdsa_secp256r1_sha256, which we offered
			}
			return b
		}
		if err := p.Handshake(); err == nil || !strings.Contains(p.Client.Err.Error(), "does not match its RSA-2048 key") {
			t.Fatalf("client error %v", p.Client.Err)
		}
		if !hasAlert(p.Server.Alerts, record.AlertIllegalParameter) {
			t.Fatalf("server got alerts %v", p.Server.Alerts)
		}
	})
}

// TestDowngradeSentinel: a TLS 1.2-capable server negotiating TLS 1.1
// marks its random (RFC 8446, Section 4.1.3); a client that offered 1.2
// and is pushed down to 1.1 refuses it, one that offered only 1.1 does not.
func TestDowngradeSentinel(t *testing.T) {
	cbc := cipher.SuiteByName("ECDHE-RSA-AES128-SHA").ID
	// The server allows 1.1 and 1.2; the client's hello is rewritten in
	// flight to offer 1.1, as an attacker would.
	p := pair(t, certgen.RSA2048, func(c, s *engine.Config) {
		c.MinVersion, s.MinVersion = 0x0302, 0x0302
		c.CipherSuites, s.CipherSuites = []uint16{cbc}, []uint16{cbc}
	})
	p.Tamper = func(fromClient bool, b []byte) []byte {
		if off := tlstest.FindMessage(b, typeClientHello); fromClient && off >= 0 {
			b[off+4], b[off+5] = 3, 2
		}
		return b
	}
	if err := p.Handshake(); err == nil || !strings.Contains(p.Client.Err.Error(), "downgrade") {
		t.Fatalf("client error %v, want a detected downgrade", p.Client.Err)
	}
	// A client whose maximum is TLS 1.1 ignores the sentinel.
	p = pair(t, certgen.RSA2048, func(c, s *engine.Config) {
		c.MinVersion, c.MaxVersion, s.MinVersion = 0x0302, 0x0302, 0x0302
		c.CipherSuites, s.CipherSuites = []uint16{cbc}, []uint16{cbc}
	})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if got := p.Client.State.ServerRandom[24:]; string(got) != "DOWNGRD\x00" || p.Client.State.Version != 0x0302 {
		t.Fatalf("version %x, server random ends %q", p.Client.State.Version, got)
	}
}

// TestLegacyVersionHello: a client that cannot do TLS 1.2 sends no
// signature_algorithms (RFC 5246, Section 7.4.1.4.1), and an Ed25519
// certificate is refused before TLS 1.2.
func TestLegacyVersionHello(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	cfg := pki.ClientConfig(3)
	cfg.MinVersion, cfg.MaxVersion = 0x0301, 0x0302
	cfg.CipherSuites = []uint16{0xc02b, 0xc009} // a TLS 1.2-only suite and a CBC one
	c := engine.NewClient(cfg, engine.ClientOptions{ServerName: "localhost"})
	ch := new(handshake.ClientHello)
	if err := ch.Unmarshal(c.NextEvent().Data[record.HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	if ch.Version != 0x0302 || slices.Contains(ch.Extensions, handshake.ExtSignatureAlgorithms) || !slices.Equal(ch.CipherSuites, []uint16{0xc009}) {
		t.Fatalf("TLS 1.1 hello: version %x, extensions %v, suites %x", ch.Version, ch.Extensions, ch.CipherSuites)
	}
	cbc := cipher.SuiteByName("ECDHE-ECDSA-AES128-SHA").ID
	p := pair(t, certgen.Ed25519, func(c, s *engine.Config) {
		c.MinVersion, c.MaxVersion, s.MinVersion = 0x0302, 0x0302, 0x0302
		c.CipherSuites, s.CipherSuites = []uint16{cbc}, []uint16{cbc}
	})
	if err := p.Handshake(); err == nil {
		t.Fatal("Ed25519 certificate used in TLS 1.1")
	}
}
