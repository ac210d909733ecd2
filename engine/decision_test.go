package engine_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// TestServerDecisionOrderFollowsNode: a server asks its questions in
// Node's order, measured with Node v20 (a server with SNICallback, a
// resumeSession and an OCSPRequest listener, tickets off, openssl
// s_client -no_ticket -status -sess_in): resumeSession first, then
// SNICallback, then OCSPRequest, and on a resumption only resumeSession,
// since OpenSSL runs Node's certificate callback (SNICallback) on full
// TLS 1.2 handshakes only. A ticket resumption asks nothing either.
func TestServerDecisionOrderFollowsNode(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	store := map[string]*session.State{}
	tk, err := session.NewTicketer(make([]byte, session.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	resolvers := engine.Resolvers{
		SessionLookup: func(id []byte) (*session.State, error) {
			asked = append(asked, "session")
			return store[string(id)], nil
		},
		ServerContext: func(*engine.ServerContextDecision) (*engine.Config, error) {
			asked = append(asked, "sni")
			return nil, nil
		},
		OCSP: func(*engine.OCSPDecision) ([]byte, error) {
			asked = append(asked, "ocsp")
			return nil, nil
		},
	}
	connect := func(seed uint64, tickets bool, sess *session.State) *tlstest.Pair {
		t.Helper()
		sc, cc := pki.ServerConfig(seed), pki.ClientConfig(seed+100)
		// Session lookup is TLS 1.2's session-id resumption.
		sc.MaxVersion, cc.MaxVersion = cipher.VersionTLS12, cipher.VersionTLS12
		sc.LookupSessions, sc.AskServerContext, sc.AskOCSP = true, true, true
		if tickets {
			sc.Tickets = tk
		} else {
			cc.DisableTickets = true
		}
		asked = nil
		p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost", RequestOCSP: true, Session: sess})
		p.Resolvers = resolvers
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	check := func(what string, p *tlstest.Pair, resumed bool, want ...string) {
		t.Helper()
		if !slices.Equal(asked, want) || p.Server.State.Resumed != resumed {
			t.Errorf("%s: asked %v, resumed %v; want %v, resumed %v", what, asked, p.Server.State.Resumed, want, resumed)
		}
	}
	p := connect(1, false, nil)
	check("no session id", p, false, "sni", "ocsp")
	sess := p.Client.State.Session
	check("unknown session id", connect(2, false, sess), false, "session", "sni", "ocsp")
	store[string(sess.SessionID)] = p.Server.State.Session
	check("known session id", connect(3, false, sess), true, "session")

	p = connect(4, true, nil)
	check("ticket issued", p, false, "sni", "ocsp")
	check("ticket resumed", connect(5, true, p.Client.State.Session), true)
}

// TestResolveRefusesAnotherDecisionsAnswer: an Answer is tied to the
// decision that made it; given to Resolve while another one is pending
// (a stale answer, the zero Answer) it is refused as misuse and the
// handshake still waits for its own answer.
func TestResolveRefusesAnotherDecisionsAnswer(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	sc := pki.ServerConfig(1)
	sc.AskServerContext = true
	p := tlstest.NewPair(pki.ClientConfig(2), sc, engine.ClientOptions{ServerName: "localhost"})
	p.HoldDecisions = true
	p.Pump()
	d, ok := p.Server.Conn.Pending().(*engine.ServerContextDecision)
	if !ok {
		t.Fatalf("pending %T, want a server context decision", p.Server.Conn.Pending())
	}
	other := &engine.ServerContextDecision{ServerName: d.ServerName}
	for what, a := range map[string]engine.Answer{"another decision's": other.Answer(nil), "the zero": {}} {
		err := p.Server.Conn.Resolve(a)
		if !errors.Is(err, record.ErrMisuse) || p.Server.Conn.Err() != nil || p.Server.Conn.Pending() != d {
			t.Fatalf("%s answer: %v, connection error %v, pending %v", what, err, p.Server.Conn.Err(), p.Server.Conn.Pending())
		}
	}
	if err := p.Server.Conn.Resolve(d.Answer(nil)); err != nil {
		t.Fatal(err)
	}
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	// After it, the decision's answers are stale.
	if err := p.Server.Conn.Resolve(d.Decline()); !errors.Is(err, record.ErrMisuse) {
		t.Fatalf("answer with nothing pending: %v", err)
	}
}

// TestDecisionFailAbortsWithInternalError: Fail answers end the
// handshake with internal_error and an error naming the decision.
func TestDecisionFailAbortsWithInternalError(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	sc := pki.ServerConfig(1)
	sc.AskServerContext = true
	p := tlstest.NewPair(pki.ClientConfig(2), sc, engine.ClientOptions{ServerName: "localhost"})
	cause := errors.New("no such tenant")
	p.Resolvers.ServerContext = func(*engine.ServerContextDecision) (*engine.Config, error) { return nil, cause }
	p.Handshake()
	var re *record.Error
	if !errors.Is(p.Server.Err, cause) || !errors.As(p.Server.Err, &re) || re.Alert != record.AlertInternalError ||
		re.Reason != "tls: server context decision failed" {
		t.Fatalf("server error %v", p.Server.Err)
	}
	var ae *record.AlertError
	if !errors.As(p.Client.Err, &ae) || ae.Alert.Description != record.AlertInternalError {
		t.Fatalf("client error %v, want the internal_error alert", p.Client.Err)
	}
}
