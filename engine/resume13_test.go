package engine_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// fixture13 is a TLS 1.3 server with ticket keys and the clients that
// connect to it, on a shared clock.
type fixture13 struct {
	pki    *tlstest.PKI
	server *engine.Config
	tk     *session.Ticketer
	now    time.Time
	seed   uint64
}

func newFixture13(t *testing.T, tweak func(*engine.Config)) *fixture13 {
	t.Helper()
	tk, err := session.NewTicketer(bytes.Repeat([]byte{1}, session.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture13{pki: tlstest.NewPKI(certgen.ECDSAP256), tk: tk, now: tlstest.Epoch, seed: 1}
	f.server = f.pki.ServerConfig(100)
	f.server.MaxVersion, f.server.Tickets = cipher.VersionTLS13, tk
	f.server.Now = func() time.Time { return f.now }
	if tweak != nil {
		tweak(f.server)
	}
	return f
}

// connect runs one TLS 1.3 handshake offering sess, exchanges data so the
// client reads the tickets, and returns the pair.
func (f *fixture13) connect(t *testing.T, sess *session.State, serverName string, tweak func(c *engine.Config)) *tlstest.Pair {
	t.Helper()
	f.seed++
	cc := f.pki.ClientConfig(f.seed)
	cc.MaxVersion = cipher.VersionTLS13
	cc.Now = func() time.Time { return f.now }
	if tweak != nil {
		tweak(cc)
	}
	p := tlstest.NewPair(cc, f.server, engine.ClientOptions{ServerName: serverName, Session: sess})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	exchange(t, p)
	return p
}

func TestResume13Tickets(t *testing.T) {
	f := newFixture13(t, func(c *engine.Config) { c.ALPNProtocols = []string{"h2"} })
	alpn := func(c *engine.Config) { c.ALPNProtocols = []string{"h2", "http/1.1"} }
	p1 := f.connect(t, nil, "localhost", alpn)
	c1 := p1.Client.State
	if c1.Version != cipher.VersionTLS13 || c1.Resumed {
		t.Fatalf("first handshake: version %x resumed %v", c1.Version, c1.Resumed)
	}
	// Two tickets by default (OpenSSL's and Node's), reported once each
	// on both sides, with distinct nonces and PSKs.
	if len(p1.Client.Sessions) != handshake.DefaultNumTickets13 || len(p1.Server.Sessions) != handshake.DefaultNumTickets13 {
		t.Fatalf("tickets: client %d, server %d", len(p1.Client.Sessions), len(p1.Server.Sessions))
	}
	s0, s1 := p1.Client.Sessions[0], p1.Client.Sessions[1]
	if !s0.Is13() || bytes.Equal(s0.MasterSecret, s1.MasterSecret) || bytes.Equal(s0.Ticket, s1.Ticket) ||
		s0.ALPN != "h2" || s0.ServerName != "localhost" || s0.TicketLifetime != 300 || len(s0.PeerCertificates) == 0 {
		t.Fatalf("client sessions: %+v", s0)
	}
	for i, ss := range p1.Server.Sessions {
		cs := p1.Client.Sessions[i]
		if !bytes.Equal(ss.MasterSecret, cs.MasterSecret) || ss.AgeAdd != cs.AgeAdd || len(ss.SessionID) != 32 {
			t.Fatalf("server session %d does not match the client's", i)
		}
	}
	// A session survives its encoding.
	enc, err := s1.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	stored, err := session.Unmarshal(enc)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(10 * time.Second)
	p2 := f.connect(t, stored, "localhost", alpn)
	c2, sv2 := p2.Client.State, p2.Server.State
	if !c2.Resumed || !sv2.Resumed || c2.ALPNProtocol != "h2" || c2.Group != kex.X25519MLKEM768 {
		t.Fatalf("second handshake: client resumed %v, server resumed %v, ALPN %q, group %v", c2.Resumed, sv2.Resumed, c2.ALPNProtocol, c2.Group)
	}
	// The resumed connection reports the original peer and, as Node v20,
	// gets no new ticket while the one it used is fresh.
	if len(c2.PeerCertificates) == 0 || !bytes.Equal(c2.PeerCertificates[0].Raw, c1.PeerCertificates[0].Raw) ||
		c2.PeerSignatureScheme != c1.PeerSignatureScheme || len(p2.Client.Sessions) != 0 {
		t.Fatalf("resumed peer: %d certificates, scheme %v, %d tickets", len(c2.PeerCertificates), c2.PeerSignatureScheme, len(p2.Client.Sessions))
	}
	// No Certificate went out: the resumed server flight is much smaller.
	if len(p2.Server.Wire) >= len(p1.Server.Wire)-200 {
		t.Fatalf("resumed server sent %d bytes, full %d", len(p2.Server.Wire), len(p1.Server.Wire))
	}
}

// A resumption after a HelloRetryRequest recomputes the binder over
// message_hash, the HelloRetryRequest and the second ClientHello.
func TestResume13AfterHelloRetryRequest(t *testing.T) {
	f := newFixture13(t, func(c *engine.Config) { c.Groups = []kex.Group{kex.P256} })
	p1 := f.connect(t, nil, "localhost", nil)
	if !p1.Client.State.HelloRetryRequest {
		t.Fatal("no HelloRetryRequest in the fixture")
	}
	p2 := f.connect(t, p1.Client.Sessions[0], "localhost", nil)
	if !p2.Client.State.Resumed || !p2.Server.State.Resumed || !p2.Client.State.HelloRetryRequest {
		t.Fatalf("resumed %v/%v HRR %v", p2.Client.State.Resumed, p2.Server.State.Resumed, p2.Client.State.HelloRetryRequest)
	}
}

// Every reason not to resume falls back to a full handshake: the server
// declines, and the client finishes it.
func TestResume13Declined(t *testing.T) {
	f := newFixture13(t, nil)
	sess := f.connect(t, nil, "localhost", nil).Client.Sessions[1]
	cases := map[string]struct {
		before func()
		sess   func() *session.State
		name   string
	}{
		"other ticket keys": {before: func() {
			f.tk, _ = session.NewTicketer(bytes.Repeat([]byte{2}, session.KeyLen))
			f.server.Tickets = f.tk
		}},
		"server timeout shorter than ticket age": {before: func() { f.server.SessionTimeout = time.Second; f.now = f.now.Add(2 * time.Second) }},
		"corrupt ticket": {sess: func() *session.State {
			s := *sess
			s.Ticket = bytes.Clone(s.Ticket)
			s.Ticket[40] ^= 1
			return &s
		}},
		"age beyond tolerance": {sess: func() *session.State { s := *sess; s.AgeAdd += 120_000; return &s }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			g := newFixture13(t, nil)
			f = g
			st := g.connect(t, nil, "localhost", nil).Client.Sessions[0]
			sess = st
			if c.before != nil {
				c.before()
			}
			offer := st
			if c.sess != nil {
				offer = c.sess()
			}
			p := g.connect(t, offer, "localhost", nil)
			if p.Client.State.Resumed || p.Server.State.Resumed {
				t.Fatal("resumed")
			}
			if len(p.Client.Sessions) != 2 {
				t.Fatalf("%d tickets after the full handshake", len(p.Client.Sessions))
			}
		})
	}
}

// A session is never offered to another server name, and a TLS 1.2
// session never as a TLS 1.3 PSK.
func TestResume13NotOffered(t *testing.T) {
	f := newFixture13(t, nil)
	sess := f.connect(t, nil, "localhost", nil).Client.Sessions[0]
	p := f.connect(t, sess, "other.example", func(c *engine.Config) { c.InsecureSkipVerify = true })
	if p.Client.State.Resumed || bytes.Contains(p.Client.Flights[0], sess.Ticket) {
		t.Fatal("session offered to another server name")
	}
	old := *sess
	old.Version = cipher.VersionTLS12
	p = f.connect(t, &old, "localhost", nil)
	if p.Client.State.Resumed || bytes.Contains(p.Client.Flights[0], sess.Ticket) {
		t.Fatal("a TLS 1.2 session was offered as a TLS 1.3 PSK")
	}
}

// A wrong binder on the ticket the server picks is decrypt_error (RFC
// 8446, Section 4.2.11).
func TestResume13BadBinder(t *testing.T) {
	f := newFixture13(t, nil)
	sess := f.connect(t, nil, "localhost", nil).Client.Sessions[0]
	cc := f.pki.ClientConfig(77)
	cc.MaxVersion, cc.Now = cipher.VersionTLS13, f.server.Now
	p := tlstest.NewPair(cc, f.server, engine.ClientOptions{ServerName: "localhost", Session: sess})
	tampered := false
	p.Tamper = func(fromClient bool, data []byte) []byte {
		if fromClient && !tampered {
			tampered = true
			data = bytes.Clone(data)
			data[len(data)-1] ^= 1 // the binder ends the ClientHello
		}
		return data
	}
	err := p.Handshake()
	var re *record.Error
	if !errors.As(p.Server.Err, &re) || re.Alert != record.AlertDecryptError {
		t.Fatalf("bad binder: %v", err)
	}
}

// NumTickets13 sets the count; client certificates survive resumption.
func TestResume13ClientCertAndCount(t *testing.T) {
	f := newFixture13(t, func(c *engine.Config) {
		c.NumTickets13 = 3
		c.ClientAuth = handshake.RequireVerifiedClientCert
	})
	withCert := func(c *engine.Config) { c.Certificates = []*handshake.Credential{f.pki.Cert} }
	p1 := f.connect(t, nil, "localhost", withCert)
	if len(p1.Client.Sessions) != 3 || len(p1.Server.State.PeerCertificates) == 0 {
		t.Fatalf("%d tickets, %d client certificates", len(p1.Client.Sessions), len(p1.Server.State.PeerCertificates))
	}
	p2 := f.connect(t, p1.Client.Sessions[2], "localhost", nil)
	if !p2.Server.State.Resumed || len(p2.Server.State.PeerCertificates) == 0 ||
		!bytes.Equal(p2.Server.State.PeerCertificates[0].Raw, p1.Server.State.PeerCertificates[0].Raw) {
		t.Fatalf("resumed %v with %d client certificates", p2.Server.State.Resumed, len(p2.Server.State.PeerCertificates))
	}
	f.server.NumTickets13 = -1
	if p := f.connect(t, nil, "localhost", withCert); len(p.Client.Sessions) != 0 {
		t.Fatalf("%d tickets with NumTickets13 < 0", len(p.Client.Sessions))
	}
}

// A NewSessionTicket that gives a session is progress, so a server's many
// tickets do not trip the bound on messages without progress; past the
// client's bound of 32 sessions per connection further tickets are
// dropped.
func TestResume13ManyTickets(t *testing.T) {
	f := newFixture13(t, func(c *engine.Config) { c.NumTickets13 = 40 })
	p := f.connect(t, nil, "localhost", nil)
	if p.Client.Err != nil || len(p.Client.Sessions) != 32 || len(p.Server.Sessions) != 40 {
		t.Fatalf("client %v with %d sessions, server issued %d", p.Client.Err, len(p.Client.Sessions), len(p.Server.Sessions))
	}
}

// pskKEHello is the ClientHello our client sends offering sess, rewritten
// to offer psk_ke only, with its binder computed again.
func pskKEHello(t *testing.T, f *fixture13, sess *session.State) []byte {
	t.Helper()
	cc := f.pki.ClientConfig(99)
	cc.MaxVersion, cc.Now = cipher.VersionTLS13, f.server.Now
	p := tlstest.NewPair(cc, f.server, engine.ClientOptions{ServerName: "localhost", Session: sess})
	p.Pump()
	first := p.Client.Flights[0]
	off := tlstest.FindMessage(first, byte(handshake.TypeClientHello))
	if off < 0 {
		t.Fatal("no ClientHello")
	}
	n := int(first[off+1])<<16 | int(first[off+2])<<8 | int(first[off+3])
	m, err := handshake.ParseMessage(first[off:off+4+n], cipher.VersionTLS13)
	if err != nil {
		t.Fatal(err)
	}
	ch := m.(*handshake.ClientHello)
	ch.PSKModes, ch.Raw = []uint8{handshake.PSKModePlain}, nil
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	h := cipher.Suite13ByID(sess.CipherSuite).PRFHash
	tr := keysched.NewTranscript()
	if err := tr.SetHash(h); err != nil {
		t.Fatal(err)
	}
	binder := keysched.NewEarlySecret(h, sess.MasterSecret).ResumptionBinderKey().Binder(tr.SumWith(raw[:len(raw)-(2+1+h.Size())]))
	copy(raw[len(raw)-h.Size():], binder)
	return tlstest.HandshakeRecord(raw)
}

// psk_ke (a PSK without (EC)DHE) is used only when the server allows it
// (RFC 8446, Section 4.2.9): then its ServerHello selects the PSK and
// carries no key_share; otherwise a client offering only psk_ke gets a
// full handshake.
func TestResume13PSKWithoutDHEOnlyWhenAllowed(t *testing.T) {
	for _, allow := range []bool{false, true} {
		f := newFixture13(t, func(c *engine.Config) { c.AllowPSKWithoutDHE = allow })
		sess := f.connect(t, nil, "localhost", nil).Client.Sessions[0]
		s := engine.NewServer(f.server)
		if err := s.Feed(pskKEHello(t, f, sess)); err != nil {
			t.Fatal(err)
		}
		var wire []byte
		for e := s.NextEvent(); e.Kind != engine.EventNone; e = s.NextEvent() {
			if e.Kind == engine.EventSend {
				wire = append(wire, e.Data...)
			}
		}
		off := tlstest.FindMessage(wire, byte(handshake.TypeServerHello))
		if off < 0 {
			t.Fatalf("allow %v: no ServerHello (%v)", allow, s.Err())
		}
		n := int(wire[off+1])<<16 | int(wire[off+2])<<8 | int(wire[off+3])
		m, err := handshake.ParseMessage(wire[off:off+4+n], cipher.VersionTLS13)
		if err != nil {
			t.Fatal(err)
		}
		sh := m.(*handshake.ServerHello)
		if sh.HasSelectedIdentity != allow || (sh.KeyShare.Group == 0) != allow {
			t.Fatalf("allow %v: PSK selected %v, key share on %v", allow, sh.HasSelectedIdentity, sh.KeyShare.Group)
		}
	}
}

// A resumption renews the ticket (one NewSessionTicket) when it was sealed
// under the previous key or is past half its life, as TLS 1.2 tickets.
func TestResume13TicketRenewal(t *testing.T) {
	f := newFixture13(t, nil)
	sess := f.connect(t, nil, "localhost", nil).Client.Sessions[0]
	if err := f.tk.SetKey(bytes.Repeat([]byte{2}, session.KeyLen)); err != nil {
		t.Fatal(err)
	}
	p := f.connect(t, sess, "localhost", nil)
	if !p.Client.State.Resumed || len(p.Client.Sessions) != 1 || len(p.Server.Sessions) != 1 {
		t.Fatalf("after rotation: resumed %v, %d tickets", p.Client.State.Resumed, len(p.Client.Sessions))
	}
	renewed := p.Client.Sessions[0]
	f.now = f.now.Add(149 * time.Second)
	if p := f.connect(t, renewed, "localhost", nil); !p.Client.State.Resumed || len(p.Client.Sessions) != 0 {
		t.Fatalf("young ticket: resumed %v, %d tickets", p.Client.State.Resumed, len(p.Client.Sessions))
	}
	f.now = f.now.Add(2 * time.Second)
	if p := f.connect(t, renewed, "localhost", nil); !p.Client.State.Resumed || len(p.Client.Sessions) != 1 {
		t.Fatalf("ticket past half its life: resumed %v, %d tickets", p.Client.State.Resumed, len(p.Client.Sessions))
	}
}

// TestResume13TicketsWithServerFlight: a server that does not ask for a
// client certificate sends its tickets with its Finished (RFC 8446,
// Section 4.6.1), their PSKs over the client Finished it expects, so the
// client has them in the same flight and resumes with them; a server that
// asks for a certificate sends them only after the client's Finished, as
// the tickets carry the client's certificate.
func TestResume13TicketsWithServerFlight(t *testing.T) {
	for _, auth := range []handshake.ClientAuth{handshake.NoClientCert, handshake.RequireVerifiedClientCert} {
		f := newFixture13(t, func(c *engine.Config) { c.ClientAuth = auth })
		cc := f.pki.ClientConfig(7)
		cc.MaxVersion = cipher.VersionTLS13
		cc.Certificates = []*handshake.Credential{f.pki.Cert}
		p := tlstest.NewPair(cc, f.server, engine.ClientOptions{ServerName: "localhost"})
		chunks, before := 0, -1
		p.Tamper = func(fromClient bool, data []byte) []byte {
			if fromClient {
				chunks++
				if chunks == 2 { // the client's Finished (and certificate)
					before = len(p.Server.Sessions)
				}
			}
			return data
		}
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		want := handshake.DefaultNumTickets13
		if auth != handshake.NoClientCert {
			want = 0
		}
		if before != want || len(p.Server.Sessions) != handshake.DefaultNumTickets13 {
			t.Fatalf("client auth %v: %d tickets sent before the client's Finished, want %d (%d in all)", auth, before, want, len(p.Server.Sessions))
		}
		// The client read them with the server's flight, before any
		// application data, and each resumes.
		if len(p.Client.Sessions) != handshake.DefaultNumTickets13 {
			t.Fatalf("client auth %v: the client has %d tickets after the handshake", auth, len(p.Client.Sessions))
		}
		for _, s := range p.Client.Sessions {
			if r := f.connect(t, s, "localhost", nil); !r.Client.State.Resumed || !r.Server.State.Resumed {
				t.Fatalf("client auth %v: a ticket did not resume", auth)
			}
		}
	}
}
