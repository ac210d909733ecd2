package engine_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/session"
)

// resumePKI holds one server configuration shared by several connections.
type resumeFixture struct {
	pki    *tlstest.PKI
	server *engine.Config
	seed   uint64
}

func newResumeFixture(t *testing.T, tweak func(*engine.Config)) *resumeFixture {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	sc := server12(pki, 100)
	tweak(sc)
	return &resumeFixture{pki: pki, server: sc, seed: 1}
}

// connect runs one handshake offering sess and returns both states.
func (f *resumeFixture) connect(t *testing.T, sess *session.State, tweak func(c *engine.Config)) (client, server *engine.ConnectionState) {
	t.Helper()
	f.seed++
	cc := client12(f.pki, f.seed)
	if tweak != nil {
		tweak(cc)
	}
	p := tlstest.NewPair(cc, f.server, engine.ClientOptions{ServerName: "localhost", Session: sess})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	exchange(t, p)
	return p.Client.State, p.Server.State
}

func TestResumeBySessionID(t *testing.T) {
	cache := session.NewCache(10)
	f := newResumeFixture(t, func(c *engine.Config) { c.SessionCache = cache })
	c1, s1 := f.connect(t, nil, func(c *engine.Config) { c.DisableTickets = true })
	if c1.Resumed || c1.Session == nil || len(c1.Session.SessionID) != 32 || !s1.NewSession || cache.Len() != 1 {
		t.Fatalf("first handshake: resumed %v, session %+v, server new %v, cache %d", c1.Resumed, c1.Session, s1.NewSession, cache.Len())
	}
	c2, s2 := f.connect(t, c1.Session, func(c *engine.Config) { c.DisableTickets = true })
	if !c2.Resumed || !s2.Resumed || s2.NewSession {
		t.Fatalf("second handshake: client resumed %v, server resumed %v new %v", c2.Resumed, s2.Resumed, s2.NewSession)
	}
	// The resumed connection reports the original peer.
	if len(c2.PeerCertificates) == 0 || !bytes.Equal(c2.PeerCertificates[0].Raw, c1.PeerCertificates[0].Raw) || c2.VerifyError != nil {
		t.Fatalf("resumed peer view: %d certificates, verify %v", len(c2.PeerCertificates), c2.VerifyError)
	}
	if c2.Suite != c1.Suite || !c2.ExtendedMasterSecret {
		t.Fatalf("resumed with %v EMS %v", c2.Suite, c2.ExtendedMasterSecret)
	}
	// The original key exchange group and signature scheme are reported
	// again, on both sides.
	if c2.Group != c1.Group || c2.PeerSignatureScheme != c1.PeerSignatureScheme || c1.PeerSignatureScheme == 0 ||
		s2.Group != s1.Group {
		t.Fatalf("resumed group %v/%v scheme %v, original %v/%v %v", c2.Group, s2.Group, c2.PeerSignatureScheme, c1.Group, s1.Group, c1.PeerSignatureScheme)
	}
}

func TestResumeByTicket(t *testing.T) {
	tk, err := session.NewTicketer(bytes.Repeat([]byte{1}, session.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	f := newResumeFixture(t, func(c *engine.Config) { c.Tickets = tk })
	c1, s1 := f.connect(t, nil, nil)
	if c1.Session == nil || len(c1.Session.Ticket) == 0 || !s1.NewSession {
		t.Fatalf("no ticket issued: %+v", c1.Session)
	}
	c2, s2 := f.connect(t, c1.Session, nil)
	if !c2.Resumed || !s2.Resumed {
		t.Fatal("ticket not resumed")
	}
	// Rotation: the old ticket still resumes and is renewed under the
	// new key.
	tk.SetKey(bytes.Repeat([]byte{2}, session.KeyLen))
	c3, _ := f.connect(t, c1.Session, nil)
	if !c3.Resumed || !bytes.Equal(c3.Session.Ticket[:16], bytes.Repeat([]byte{2}, 16)) {
		t.Fatalf("after rotation: resumed %v, ticket name %x", c3.Resumed, c3.Session.Ticket[:16])
	}
	// Another server sharing the keys accepts the ticket (the fleet case).
	other := newResumeFixture(t, func(c *engine.Config) { c.Tickets, _ = session.NewTicketer(tk.Key()) })
	other.pki = f.pki
	other.server.Certificates = f.server.Certificates
	if c4, _ := other.connect(t, c3.Session, nil); !c4.Resumed {
		t.Fatal("a server with the same keys did not resume")
	}
}

// TestTicketRefusals: a ticket that fails any check means a full
// handshake, never an error.
func TestTicketRefusals(t *testing.T) {
	tk, _ := session.NewTicketer(bytes.Repeat([]byte{3}, session.KeyLen))
	f := newResumeFixture(t, func(c *engine.Config) { c.Tickets = tk })
	c1, _ := f.connect(t, nil, nil)
	ticket := c1.Session.Ticket
	for i := range ticket { // RFC 5077, Section 4: any change is caught
		bad := *c1.Session
		bad.Ticket = bytes.Clone(ticket)
		bad.Ticket[i] ^= 1
		if c, s := f.connect(t, &bad, nil); c.Resumed || s.Resumed || !s.NewSession {
			t.Fatalf("ticket with byte %d flipped resumed", i)
		}
	}
	// Expired: the server's clock moves past the lifetime.
	late := newResumeFixture(t, func(c *engine.Config) {
		c.Tickets = tk
		c.Now = func() time.Time { return tlstest.Epoch.Add(301 * time.Second) }
	})
	late.pki, late.server.Certificates = f.pki, f.server.Certificates
	if c, _ := late.connect(t, c1.Session, nil); c.Resumed {
		t.Fatal("expired ticket resumed")
	}
	// Another server name: the ticket was issued for "localhost"; a client
	// connecting without SNI (to an IP address) that offers it anyway
	// gets a full handshake from the server.
	noSNI := *c1.Session
	noSNI.ServerName = ""
	f.seed++
	p := tlstest.NewPair(client12(f.pki, f.seed), f.server, engine.ClientOptions{VerifyName: "127.0.0.1", Session: &noSNI})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p.Server.State.ServerName != "" || p.Client.State.Resumed || p.Server.State.Resumed {
		t.Fatalf("ticket for another server name: SNI %q, resumed %v", p.Server.State.ServerName, p.Server.State.Resumed)
	}
	sess := *c1.Session
	f2 := newResumeFixture(t, func(c *engine.Config) { c.Tickets = tk; c.SessionIDContext = []byte("other app") })
	f2.pki, f2.server.Certificates = f.pki, f.server.Certificates
	if c, _ := f2.connect(t, &sess, nil); c.Resumed {
		t.Fatal("session resumed across session-id contexts")
	}
	// A different client-certificate policy.
	f3 := newResumeFixture(t, func(c *engine.Config) { c.Tickets = tk; c.ClientAuth = handshake.RequestClientCert })
	f3.pki, f3.server.Certificates = f.pki, f.server.Certificates
	if c, _ := f3.connect(t, &sess, nil); c.Resumed {
		t.Fatal("session resumed under another client-certificate policy")
	}
}

// TestResumeEMSMismatch: RFC 7627, Section 5.3 — a session made with the
// extended master secret is never resumed without it: the server aborts.
func TestResumeEMSMismatch(t *testing.T) {
	tk, _ := session.NewTicketer(bytes.Repeat([]byte{4}, session.KeyLen))
	f := newResumeFixture(t, func(c *engine.Config) { c.Tickets = tk })
	c1, _ := f.connect(t, nil, nil)
	f.seed++
	cc := client12(f.pki, f.seed)
	cc.DisableExtendedMasterSecret = true
	p := tlstest.NewPair(cc, f.server, engine.ClientOptions{ServerName: "localhost", Session: c1.Session})
	if err := p.Handshake(); err == nil || p.Server.Err == nil {
		t.Fatal("EMS session resumed without the extension")
	}
	// A session made without EMS is not resumed with it: a full handshake.
	f.seed++
	cc = client12(f.pki, f.seed)
	cc.DisableExtendedMasterSecret = true
	p = tlstest.NewPair(cc, f.server, engine.ClientOptions{ServerName: "localhost"})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	noEMS := p.Client.State.Session
	if c, _ := f.connect(t, noEMS, nil); c.Resumed || !c.ExtendedMasterSecret {
		t.Fatalf("non-EMS session: resumed %v, EMS %v", c.Resumed, c.ExtendedMasterSecret)
	}
}

// TestExternalSessionStore: with LookupSessions the server asks the
// application for sessions by id (Node's resumeSession), here from a map
// filled from NewSession states (Node's newSession), and two servers
// sharing the map resume each other's sessions (the fleet case).
func TestExternalSessionStore(t *testing.T) {
	store := map[string]*session.State{}
	lookups := 0
	resolvers := engine.Resolvers{SessionLookup: func(id []byte) (*session.State, error) {
		lookups++
		return store[string(id)], nil
	}}
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	servers := []*engine.Config{server12(pki, 10), server12(pki, 11)}
	for _, sc := range servers {
		sc.LookupSessions = true
	}
	connect := func(sc *engine.Config, sess *session.State, seed uint64) *tlstest.Pair {
		cc := client12(pki, seed)
		cc.DisableTickets = true
		p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost", Session: sess})
		p.Resolvers = resolvers
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := connect(servers[0], nil, 1)
	st := p.Server.State
	if !st.NewSession || st.Session == nil || len(st.Session.SessionID) != 32 || lookups != 0 {
		t.Fatalf("first handshake: new %v, session %+v, lookups %d", st.NewSession, st.Session, lookups)
	}
	store[string(st.Session.SessionID)] = st.Session
	p = connect(servers[1], p.Client.State.Session, 2)
	if !p.Client.State.Resumed || !p.Server.State.Resumed || lookups != 1 {
		t.Fatalf("second server: resumed %v/%v, lookups %d", p.Client.State.Resumed, p.Server.State.Resumed, lookups)
	}
	// An unknown id is a full handshake.
	delete(store, string(st.Session.SessionID))
	if p = connect(servers[0], p.Client.State.Session, 3); p.Client.State.Resumed || lookups != 2 {
		t.Fatalf("unknown id: resumed %v, lookups %d", p.Client.State.Resumed, lookups)
	}
}
