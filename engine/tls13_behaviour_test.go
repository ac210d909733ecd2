package engine_test

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/record"
)

// handshake13 is an established in-memory TLS 1.3 pair.
func handshake13(t *testing.T, tweak func(c, s *engine.Config)) *tlstest.Pair {
	t.Helper()
	p := pair13(t, certgen.ECDSAP256, tweak)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTLS13ClientAuth: the requestCert/rejectUnauthorized semantics of
// TLS 1.2 in TLS 1.3, and certificate_required (RFC 8446, Section
// 4.4.2.4) when a required certificate is missing.
func TestTLS13ClientAuth(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	for _, tc := range []struct {
		name      string
		auth      handshake.ClientAuth
		send      bool
		wantAlert record.AlertDescription // 0: success
		verified  bool
	}{
		{"required, sent", handshake.RequireVerifiedClientCert, true, 0, true},
		{"required, missing", handshake.RequireVerifiedClientCert, false, record.AlertCertificateRequired, false},
		{"optional, sent", handshake.RequestClientCert, true, 0, true},
		{"optional, missing", handshake.RequestClientCert, false, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pair13(t, certgen.ECDSAP256, func(c, s *engine.Config) {
				s.ClientAuth = tc.auth
				if tc.send {
					c.Certificates = []*handshake.Credential{pki.Cert}
				}
			})
			if tc.wantAlert != 0 {
				wantFailure(t, p, tc.wantAlert)
				return
			}
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			st := p.Server.State
			if !st.PeerCertificateRequested || (st.VerifyError == nil) != tc.verified || (len(st.PeerCertificates) == 2) != tc.verified {
				t.Fatalf("requested %v, verify error %v, %d certificates", st.PeerCertificateRequested, st.VerifyError, len(st.PeerCertificates))
			}
			exchange(t, p)
		})
	}
}

// TestTLS13OCSPStaple: a staple travels in the leaf's CertificateEntry
// (RFC 8446, Section 4.4.2.1) from the same OCSP decision as in TLS 1.2.
func TestTLS13OCSPStaple(t *testing.T) {
	staple := []byte("a DER OCSPResponse would be here")
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
	cc.MaxVersion, sc.MaxVersion, sc.AskOCSP = cipher.VersionTLS13, cipher.VersionTLS13, true
	p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost", RequestOCSP: true})
	p.Resolvers.OCSP = func(*handshake.OCSPDecision) ([]byte, error) { return staple, nil }
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Client.State.OCSPResponse, staple) || !bytes.Equal(p.Server.State.OCSPResponse, staple) {
		t.Fatalf("OCSPResponse client %q server %q", p.Client.State.OCSPResponse, p.Server.State.OCSPResponse)
	}
}

// TestTLS13KeyUpdateBothWays: either side updates its keys, asking the
// peer to follow (RFC 8446, Section 4.6.3); data flows after each.
func TestTLS13KeyUpdateBothWays(t *testing.T) {
	p := handshake13(t, nil)
	for i, side := range []*tlstest.Side{p.Client, p.Server, p.Client} {
		if err := side.Conn.UpdateKeys(true); err != nil {
			t.Fatal(err)
		}
		p.Pump()
		if p.Client.Err != nil || p.Server.Err != nil {
			t.Fatalf("client %v, server %v", p.Client.Err, p.Server.Err)
		}
		// The request and its answer: both sides write under fresh keys.
		if p.Client.Conn.WriteSeq() != 0 || p.Server.Conn.WriteSeq() != 0 {
			t.Fatalf("round %d: write sequence numbers %d %d, want 0 under fresh keys", i, p.Client.Conn.WriteSeq(), p.Server.Conn.WriteSeq())
		}
		// Application data ends the silence in which further requests
		// would share one answer.
		p.Client.Conn.Write([]byte("c"))
		p.Server.Conn.Write([]byte("s"))
		p.Pump()
	}
	if string(p.Server.Plain) != "ccc" || string(p.Client.Plain) != "sss" {
		t.Fatalf("data after KeyUpdates: %q %q", p.Server.Plain, p.Client.Plain)
	}
	p.Server.Plain, p.Client.Plain = nil, nil
	exchange(t, p)
}

// TestTLS13KeyUpdateFlood: KeyUpdates asking for an answer, with no
// application data between them, are answered once and then bounded: the
// receiver fails with unexpected_message instead of working forever.
func TestTLS13KeyUpdateFlood(t *testing.T) {
	p := handshake13(t, nil)
	for range 40 {
		if err := p.Client.Conn.UpdateKeys(true); err != nil {
			t.Fatal(err)
		}
	}
	p.Pump()
	if p.Server.Err == nil || !strings.Contains(p.Server.Err.Error(), "without progress") {
		t.Fatalf("server error %v", p.Server.Err)
	}
	var re *record.Error
	if !errors.As(p.Server.Err, &re) || re.Alert != record.AlertUnexpectedMessage {
		t.Fatalf("server error %v, want unexpected_message", p.Server.Err)
	}
}

// TestTLS13AutomaticKeyUpdate: a write key is updated before it protects
// the configured number of records (RFC 8446, Section 5.5), and the peer
// follows.
func TestTLS13AutomaticKeyUpdate(t *testing.T) {
	defer engine.SetKeyUpdateRecords(4)()
	p := handshake13(t, nil)
	var sent []byte
	for i := range 10 {
		msg := bytes.Repeat([]byte{byte('a' + i)}, 3000)
		sent = append(sent, msg...)
		if _, err := p.Client.Conn.Write(msg); err != nil {
			t.Fatal(err)
		}
		if seq := p.Client.Conn.WriteSeq(); seq > 4 {
			t.Fatalf("write key protected %d records", seq)
		}
		p.Pump()
	}
	if !bytes.Equal(p.Server.Plain, sent) || p.Server.Err != nil {
		t.Fatalf("server got %d of %d bytes (%v)", len(p.Server.Plain), len(sent), p.Server.Err)
	}
}

// TestTLS13AlertPolicy: in TLS 1.3 a warning-level alert other than
// close_notify and user_canceled is fatal (RFC 8446, Section 6);
// user_canceled is not.
func TestTLS13AlertPolicy(t *testing.T) {
	p := handshake13(t, nil)
	p.Server.Conn.Feed(p.Client.Conn.SealRaw(record.TypeAlert, []byte{byte(record.LevelWarning), byte(record.AlertUserCanceled)}))
	p.Pump()
	if p.Server.Err != nil {
		t.Fatalf("user_canceled was fatal: %v", p.Server.Err)
	}
	p.Server.Conn.Feed(p.Client.Conn.SealRaw(record.TypeAlert, []byte{byte(record.LevelWarning), byte(record.AlertUnrecognizedName)}))
	p.Pump()
	var ae *record.AlertError
	if !errors.As(p.Server.Err, &ae) || ae.Alert.Description != record.AlertUnrecognizedName {
		t.Fatalf("warning unrecognized_name: server error %v", p.Server.Err)
	}
	if _, err := p.Server.Conn.Write([]byte("x")); err == nil {
		t.Fatal("write after a fatal warning succeeded")
	}
}

// TestTLS13RenegotiateRefused: Renegotiate on a TLS 1.3 connection is
// misuse with a clear error (RFC 8446, Section 4.1.2), and the connection
// goes on; a ClientHello from the peer is unexpected_message.
func TestTLS13RenegotiateRefused(t *testing.T) {
	p := handshake13(t, nil)
	for _, side := range []*tlstest.Side{p.Client, p.Server} {
		err := side.Conn.Renegotiate(nil)
		if err == nil || !strings.Contains(err.Error(), "TLS 1.3") {
			t.Fatalf("Renegotiate: %v", err)
		}
	}
	exchange(t, p)
}

// TestTLS13ProtectedCCS: a ChangeCipherSpec inside a protected record is
// unexpected_message (RFC 8446, Section 5), unlike the unprotected one.
func TestTLS13ProtectedCCS(t *testing.T) {
	p := handshake13(t, nil)
	p.Server.Conn.Feed(p.Client.Conn.SealRaw(record.TypeChangeCipherSpec, []byte{1}))
	var re *record.Error
	if !errors.As(p.Server.Conn.Err(), &re) || re.Alert != record.AlertUnexpectedMessage {
		t.Fatalf("server error %v", p.Server.Conn.Err())
	}
}

// TestTLS13EarlyDataSkipped: a server refuses 0-RTT by skipping the
// records it cannot open after a ClientHello with early_data (RFC 8446,
// Section 4.2.10), within a bound.
func TestTLS13EarlyDataSkipped(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	sc := pki.ServerConfig(2)
	sc.MaxVersion = cipher.VersionTLS13
	share, err := kex.GenerateShare(kex.X25519, tlstest.NewRand(3))
	if err != nil {
		t.Fatal(err)
	}
	ch := &handshake.ClientHello{Version: cipher.VersionTLS12, Random: make([]byte, 32), SessionID: make([]byte, 32),
		CipherSuites: []uint16{cipher.TLSAES128GCMSHA256}, CompressionMethods: []uint8{0}, HasExtensions: true,
		SupportedGroups: []kex.Group{kex.X25519}, SignatureSchemes: kex.DefaultSchemes(), SupportedVersions: []uint16{cipher.VersionTLS13},
		KeyShares: []handshake.KeyShareEntry{{Group: kex.X25519, Data: share.Public()}}, EarlyData: true, PSKModes: []uint8{handshake.PSKModeDHE}}
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	early := func() []byte { // an application_data record no key opens
		return append([]byte{23, 3, 3, 1, 0}, bytes.Repeat([]byte{0x5a}, 256)...)
	}
	s := engine.NewServer(sc)
	in := append(append([]byte{22, 3, 1, byte(len(raw) >> 8), byte(len(raw))}, raw...), early()...)
	if err := s.Feed(append(in, early()...)); err != nil {
		t.Fatalf("early data not skipped: %v", err)
	}
	for range 400 {
		if err := s.Feed(early()); err != nil {
			var re *record.Error
			if !errors.As(err, &re) || re.Alert != record.AlertBadRecordMAC {
				t.Fatalf("past the bound: %v, want bad_record_mac", err)
			}
			return
		}
	}
	t.Fatal("unbounded early data skipped")
}

// TestTLS13ServerContextAfterVersion: the version comes from the
// connection's Config before the SNI decision (as on TLS 1.2, and as
// OpenSSL keeps it when Node's SNICallback switches the context), so the
// configuration the decision returns gives the certificate but not the
// version, whatever its MaxVersion says.
func TestTLS13ServerContextAfterVersion(t *testing.T) {
	rsa := tlstest.NewPKI(certgen.RSA2048)
	for _, v := range []struct{ conn, answer uint16 }{
		{cipher.VersionTLS13, cipher.VersionTLS12},
		{cipher.VersionTLS12, cipher.VersionTLS13},
	} {
		p := pair13(t, certgen.ECDSAP256, func(c, s *engine.Config) {
			s.AskServerContext = true
			s.MaxVersion = v.conn
			c.RootCAs = rsa.Roots
		})
		p.Resolvers.ServerContext = func(d *handshake.ServerContextDecision) (*engine.Config, error) {
			if d.ServerName != "localhost" {
				t.Errorf("decision for %q", d.ServerName)
			}
			sc := rsa.ServerConfig(5)
			sc.MaxVersion = v.answer
			return sc, nil
		}
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		st := p.Client.State
		if st.Version != v.conn || len(p.Server.Decisions) != 1 || st.VerifyError != nil {
			t.Fatalf("connection max %#x: version %#x, %d decisions, verify %v", v.conn, st.Version, len(p.Server.Decisions), st.VerifyError)
		}
	}
}

// TestTLS13VersionBounds: a client that allows only TLS 1.3 and a server
// that stops at TLS 1.2 (or the reverse) fail with protocol_version.
func TestTLS13VersionBounds(t *testing.T) {
	for name, tweak := range map[string]func(c, s *engine.Config){
		"client 1.3 only": func(c, s *engine.Config) { c.MinVersion, s.MaxVersion = cipher.VersionTLS13, cipher.VersionTLS12 },
		"server 1.3 only": func(c, s *engine.Config) { s.MinVersion, c.MaxVersion = cipher.VersionTLS13, cipher.VersionTLS12 },
	} {
		t.Run(name, func(t *testing.T) {
			wantFailure(t, pair13(t, certgen.ECDSAP256, tweak), record.AlertProtocolVersion)
		})
	}
	p := pair13(t, certgen.ECDSAP256, func(c, s *engine.Config) { c.MinVersion, s.MinVersion = cipher.VersionTLS13, cipher.VersionTLS13 })
	if err := p.Handshake(); err != nil || p.Client.State.Version != cipher.VersionTLS13 {
		t.Fatalf("TLS 1.3 only on both sides: %v", err)
	}
}

// TestTLS13ClientAlertEncrypted: a client that refuses the server's
// certificate sends its alert under its handshake keys, which the server
// (reading under them) reports as the alert, not as a record it cannot
// open (RFC 8446, Section 6).
func TestTLS13ClientAlertEncrypted(t *testing.T) {
	p := pair13(t, certgen.ECDSAP256, func(c, s *engine.Config) { c.RootCAs = tlstest.NewPKI(certgen.RSA2048).Roots })
	wantFailure(t, p, record.AlertUnknownCA)
	var ae *record.AlertError
	if !errors.As(p.Server.Err, &ae) || ae.Alert.Description != record.AlertUnknownCA {
		t.Fatalf("server error %v, want the client's unknown_ca alert", p.Server.Err)
	}
}

// TestTLS13ByteAtATime: a handshake with a HelloRetryRequest, client
// authentication and both compatibility ChangeCipherSpecs, every byte fed
// on its own, then data both ways.
func TestTLS13ByteAtATime(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	p := pair13(t, certgen.ECDSAP256, func(c, s *engine.Config) {
		c.Groups, s.Groups = []kex.Group{kex.X25519, kex.P384}, []kex.Group{kex.P384}
		s.ClientAuth, c.Certificates = handshake.RequireVerifiedClientCert, []*handshake.Credential{pki.Cert}
	})
	p.ByteAtATime = true
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p.Client.State.Group != kex.P384 || len(p.Server.State.PeerCertificates) != 2 {
		t.Fatalf("group %v, %d client certificates", p.Client.State.Group, len(p.Server.State.PeerCertificates))
	}
	exchange(t, p)
}

// TestTLS13OfferContinuesInTLS12: a ClientHello that offers TLS 1.3 (its
// 1.3 suites, key shares and 32-byte session id included) and goes on in
// TLS 1.2, with client authentication, hashes into the TLS 1.2 running
// transcript on both sides: the client's CertificateVerify and both
// Finished messages verify. Either side may be the one capped at 1.2.
func TestTLS13OfferContinuesInTLS12(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	for name, capped := range map[string]func(c, s *engine.Config) *engine.Config{
		"server 1.2": func(c, s *engine.Config) *engine.Config { return s },
		"client 1.2": func(c, s *engine.Config) *engine.Config { return c },
	} {
		t.Run(name, func(t *testing.T) {
			p := pair13(t, certgen.ECDSAP256, func(c, s *engine.Config) {
				capped(c, s).MaxVersion = cipher.VersionTLS12
				s.ClientAuth, c.Certificates = handshake.RequireVerifiedClientCert, []*handshake.Credential{pki.Cert}
			})
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			if v := p.Client.State.Version; v != cipher.VersionTLS12 || len(p.Server.State.PeerCertificates) != 2 || !p.Client.State.ExtendedMasterSecret {
				t.Fatalf("version 0x%04x, %d client certificates, EMS %v", v, len(p.Server.State.PeerCertificates), p.Client.State.ExtendedMasterSecret)
			}
			exchange(t, p)
		})
	}
}

// TestTLS13KeylogAfterKeyUpdate: each KeyUpdate adds the direction's next
// secret to the NSS key log as CLIENT_TRAFFIC_SECRET_N or
// SERVER_TRAFFIC_SECRET_N (N counts the updates), which Wireshark reads to
// follow a capture past KeyUpdate; both sides log the same lines, and each
// secret is HKDF-Expand-Label(the previous one, "traffic upd", "",
// Hash.length) (RFC 8446, Section 7.2).
func TestTLS13KeylogAfterKeyUpdate(t *testing.T) {
	p := handshake13(t, nil)
	if err := p.Client.Conn.UpdateKeys(true); err != nil { // client 1, answered by server 1
		t.Fatal(err)
	}
	p.Pump()
	if err := p.Server.Conn.UpdateKeys(false); err != nil { // server 2
		t.Fatal(err)
	}
	p.Pump()
	if p.Client.Err != nil || p.Server.Err != nil {
		t.Fatalf("client %v, server %v", p.Client.Err, p.Server.Err)
	}
	secrets := map[string][]byte{}
	for _, l := range p.Client.Keylog {
		f := strings.Fields(l)
		b, err := hex.DecodeString(f[2])
		if len(f) != 3 || err != nil {
			t.Fatalf("line %q", l)
		}
		secrets[f[0]] = b
	}
	client, server := slices.Clone(p.Client.Keylog), slices.Clone(p.Server.Keylog)
	slices.Sort(client)
	slices.Sort(server)
	if !slices.Equal(client, server) || len(client) != 8 {
		t.Fatalf("key logs:\n%s\n--\n%s", strings.Join(p.Client.Keylog, "\n"), strings.Join(p.Server.Keylog, "\n"))
	}
	for _, next := range []string{"CLIENT_TRAFFIC_SECRET_1", "SERVER_TRAFFIC_SECRET_1", "SERVER_TRAFFIC_SECRET_2"} {
		prev := next[:len(next)-1] + string(next[len(next)-1]-1)
		want, err := keysched.ExpandLabel(crypto.SHA384, secrets[prev], "traffic upd", nil, 48)
		if err != nil || secrets[prev] == nil || !bytes.Equal(secrets[next], want) {
			t.Errorf("%s = %x, want the update of %s: %x", next, secrets[next], prev, want)
		}
	}
}

// TestSetKeylogOff: a connection with key logging off emits no
// EventKeylog, in either version, and one switched on after the handshake
// logs the secrets made from then on (a KeyUpdate's) and nothing before.
func TestSetKeylogOff(t *testing.T) {
	for _, version := range []uint16{cipher.VersionTLS12, cipher.VersionTLS13} {
		p := pair13(t, certgen.ECDSAP256, func(c, s *engine.Config) { c.MaxVersion = version })
		p.Client.Conn.SetKeylog(false)
		p.Server.Conn.SetKeylog(false)
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		if p.Client.State.Version != version || len(p.Client.Keylog) != 0 || len(p.Server.Keylog) != 0 {
			t.Fatalf("version %#x with key logging off: client %q, server %q", p.Client.State.Version, p.Client.Keylog, p.Server.Keylog)
		}
		if version != cipher.VersionTLS13 {
			continue
		}
		p.Server.Conn.SetKeylog(true)
		if err := p.Client.Conn.UpdateKeys(true); err != nil {
			t.Fatal(err)
		}
		p.Pump()
		var labels []string
		for _, l := range p.Server.Keylog {
			labels = append(labels, strings.Fields(l)[0])
		}
		if want := []string{"CLIENT_TRAFFIC_SECRET_1", "SERVER_TRAFFIC_SECRET_1"}; !slices.Equal(labels, want) || len(p.Client.Keylog) != 0 {
			t.Errorf("after SetKeylog(true) on the server: server %q, client %q; want the server's %q only", labels, p.Client.Keylog, want)
		}
	}
}
