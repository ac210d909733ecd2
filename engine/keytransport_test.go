package engine_test

import (
	"time"

	"errors"
	"testing"

	"github.com/tlsengine/tlsengine/handshake"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

func ffdhe(t *testing.T, g kex.Group) *kex.DHParams {
	t.Helper()
	p, ok := kex.FFDHEParams(g)
	if !ok {
		t.Fatalf("no parameters for %v", g)
	}
	return p
}

// TestRSAAndDHESuites runs every TLS 1.2 suite with RSA key transport or
// DHE key agreement end to end and checks what both sides agreed.
func TestRSAAndDHESuites(t *testing.T) {
	n := 0
	for _, s := range cipher.Suites() {
		if s.KX == cipher.KXECDHE || !s.SupportsVersion(cipher.VersionTLS12) {
			continue
		}
		n++
		t.Run(s.OpenSSLName, func(t *testing.T) {
			p := pair(t, certgen.RSA2048, func(c, sc *engine.Config) {
				c.CipherSuites = []uint16{s.ID}
				sc.CipherSuites = []uint16{s.ID}
				sc.DHParams = ffdhe(t, kex.FFDHE2048)
			})
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			for _, st := range []*engine.ConnectionState{p.Client.State, p.Server.State} {
				if st.Suite != s || st.Version != cipher.VersionTLS12 || !st.ExtendedMasterSecret {
					t.Fatalf("negotiated %v 0x%x EMS %v", st.Suite, st.Version, st.ExtendedMasterSecret)
				}
			}
			exchange(t, p)
		})
	}
	if n < 10 {
		t.Fatalf("only %d RSA/DHE suites registered", n)
	}
}

// TestDHEWithoutParamsIsUnavailable: a server without dhparam never picks
// a DHE suite, as Node's servers before v7.
func TestDHEWithoutParamsIsUnavailable(t *testing.T) {
	dhe := cipher.SuiteByName("DHE-RSA-AES128-GCM-SHA256")
	rsaKX := cipher.SuiteByName("AES128-GCM-SHA256")
	p := pair(t, certgen.RSA2048, func(c, sc *engine.Config) {
		c.CipherSuites = []uint16{dhe.ID, rsaKX.ID}
		sc.CipherSuites = []uint16{dhe.ID, rsaKX.ID}
		sc.PreferServerCipherSuites = true
	})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p.Server.State.Suite != rsaKX {
		t.Fatalf("server picked %v without dhparam", p.Server.State.Suite)
	}
}

// TestClientMinDHSize: a client refuses a DHE group smaller than its
// minimum with handshake_failure, as Node's minDHSize.
func TestClientMinDHSize(t *testing.T) {
	dhe := cipher.SuiteByName("DHE-RSA-AES128-GCM-SHA256")
	p := pair(t, certgen.RSA2048, func(c, sc *engine.Config) {
		c.CipherSuites = []uint16{dhe.ID}
		c.MinDHBits = 3072
		sc.DHParams = ffdhe(t, kex.FFDHE2048)
		sc.CipherSuites = []uint16{dhe.ID}
	})
	err := p.Handshake()
	if !errors.Is(p.Client.Err, kex.ErrWeakDH) {
		t.Fatalf("client error %v (handshake %v), want ErrWeakDH", p.Client.Err, err)
	}
	if a, ok := tlstest.FatalAlertSent(p.Client.Wire); !ok || a != record.AlertHandshakeFailure {
		t.Fatalf("client sent alert %v (%v), want handshake_failure", a, ok)
	}
}

// TestRSAKeyTransportBadCiphertext: a mangled EncryptedPreMasterSecret is
// not reported as such (RFC 5246, Section 7.4.7.1); the handshake fails at
// the client's Finished with the same alert as any other key mismatch.
func TestRSAKeyTransportBadCiphertext(t *testing.T) {
	rsaKX := cipher.SuiteByName("AES128-GCM-SHA256")
	p := pair(t, certgen.RSA2048, func(c, sc *engine.Config) {
		c.CipherSuites = []uint16{rsaKX.ID}
		sc.CipherSuites = []uint16{rsaKX.ID}
	})
	p.Tamper = func(fromClient bool, b []byte) []byte {
		if i := tlstest.FindMessage(b, 16); fromClient && i >= 0 {
			b = append([]byte(nil), b...)
			b[i+4+2+10] ^= 1 // inside the RSA ciphertext
		}
		return b
	}
	if err := p.Handshake(); err == nil {
		t.Fatal("handshake succeeded with a mangled premaster")
	}
	if a, ok := tlstest.FatalAlertSent(p.Server.Wire); !ok || a != record.AlertDecryptError && a != record.AlertBadRecordMAC {
		t.Fatalf("server sent alert %v (%v), want the Finished failure; server error %v", a, ok, p.Server.Err)
	}
}

// TestAlertInReplyToHello: a client says when the server refused its
// ClientHello outright, and only then.
func TestAlertInReplyToHello(t *testing.T) {
	p := pair(t, certgen.RSA2048, func(c, sc *engine.Config) {
		c.CipherSuites = []uint16{cipher.SuiteByName("AES128-GCM-SHA256").ID}
	})
	if err := p.Handshake(); err == nil {
		t.Fatal("handshake succeeded without a shared suite")
	}
	var ae *record.AlertError
	if !errors.As(p.Client.Err, &ae) || ae.Alert.Description != record.AlertHandshakeFailure || !ae.InReplyToHello {
		t.Fatalf("client error %#v, want handshake_failure in reply to the hello", p.Client.Err)
	}
	// A failure later in the handshake is not "in reply to the hello".
	p = pair(t, certgen.RSA2048, func(c, sc *engine.Config) {
		c.Now = func() time.Time { return time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) }
		sc.ClientAuth = handshake.RequireVerifiedClientCert
	})
	if err := p.Handshake(); err == nil {
		t.Fatal("handshake succeeded with an expired server certificate")
	}
	if !errors.As(p.Server.Err, &ae) || ae.InReplyToHello {
		t.Fatalf("server error %#v, want an alert not in reply to a hello", p.Server.Err)
	}
}

// TestEncryptThenMAC: RFC 7366 is negotiated for CBC suites, never for
// AEAD ones, and not when either side turns it off.
func TestEncryptThenMAC(t *testing.T) {
	cases := []struct {
		suite      string
		clientOff  bool
		serverOff  bool
		negotiated bool
	}{
		{"ECDHE-ECDSA-AES128-SHA", false, false, true},
		{"ECDHE-ECDSA-AES256-SHA384", false, false, true},
		{"ECDHE-ECDSA-AES128-GCM-SHA256", false, false, false},
		{"ECDHE-ECDSA-AES128-SHA", true, false, false},
		{"ECDHE-ECDSA-AES128-SHA", false, true, false},
	}
	for _, tc := range cases {
		s := cipher.SuiteByName(tc.suite)
		p := pair(t, certgen.ECDSAP256, func(c, sc *engine.Config) {
			c.CipherSuites, sc.CipherSuites = []uint16{s.ID}, []uint16{s.ID}
			c.DisableEncryptThenMAC, sc.DisableEncryptThenMAC = tc.clientOff, tc.serverOff
		})
		if err := p.Handshake(); err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if p.Client.State.EncryptThenMAC != tc.negotiated || p.Server.State.EncryptThenMAC != tc.negotiated {
			t.Fatalf("%+v: client %v, server %v", tc, p.Client.State.EncryptThenMAC, p.Server.State.EncryptThenMAC)
		}
		exchange(t, p)
	}
}
