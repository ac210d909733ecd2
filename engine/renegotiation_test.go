package engine_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
)

func renegPair(t *testing.T, askRenegotiation bool) (*tlstest.Pair, *tlstest.PKI) {
	t.Helper()
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	cc, sc := client12(pki, 1), server12(pki, 2)
	sc.AskRenegotiation = askRenegotiation
	cc.Certificates = []*handshake.Credential{pki.Cert}
	cc.RenegotiateOnRequest = true
	p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if !p.Server.State.SecureRenegotiation || p.Server.State.PeerCertificates != nil {
		t.Fatalf("first handshake: secure renegotiation %v, client cert %v", p.Server.State.SecureRenegotiation, p.Server.State.PeerCertificates != nil)
	}
	return p, pki
}

// A server-initiated renegotiation (HelloRequest, RFC 5246, Section
// 7.4.1.1) with a new configuration obtains a client certificate the
// first handshake did not ask for; data flows before, during and after,
// and the new keys are in use.
func TestServerRenegotiationRequestsCertificate(t *testing.T) {
	p, pki := renegPair(t, false)
	first := p.Server.State
	p.Client.Conn.Write([]byte("before "))
	next := server12(pki, 3)
	next.ClientAuth = handshake.RequireVerifiedClientCert
	if err := p.Server.Conn.Renegotiate(next); err != nil {
		t.Fatal(err)
	}
	p.Client.Conn.Write([]byte("during "))
	p.Pump()
	if p.Client.Err != nil || p.Server.Err != nil {
		t.Fatalf("client %v, server %v", p.Client.Err, p.Server.Err)
	}
	if p.Server.Handshakes != 2 || p.Client.Handshakes != 2 {
		t.Fatalf("handshakes: server %d, client %d", p.Server.Handshakes, p.Client.Handshakes)
	}
	st := p.Server.State
	if len(st.PeerCertificates) == 0 || st.VerifyError != nil || !st.PeerCertificateRequested {
		t.Fatalf("renegotiated state: %d peer certificates, verify error %v", len(st.PeerCertificates), st.VerifyError)
	}
	if bytes.Equal(st.ServerRandom, first.ServerRandom) {
		t.Fatal("the renegotiation reused the first handshake's random")
	}
	p.Client.Conn.Write([]byte("after"))
	p.Server.Conn.Write([]byte("pong"))
	p.Pump()
	if string(p.Server.Plain) != "before during after" || string(p.Client.Plain) != "pong" {
		t.Fatalf("server read %q, client read %q", p.Server.Plain, p.Client.Plain)
	}
}

// A client-initiated renegotiation is accepted when the application says
// so (RenegotiationDecision), and declined with a no_renegotiation warning
// otherwise, the connection going on.
func TestClientRenegotiationDecision(t *testing.T) {
	for _, accept := range []bool{true, false} {
		p, _ := renegPair(t, true)
		asked := 0
		p.Resolvers.Renegotiation = func() (bool, error) { asked++; return accept, nil }
		if err := p.Client.Conn.Renegotiate(nil); err != nil {
			t.Fatal(err)
		}
		p.Pump()
		if p.Client.Err != nil || p.Server.Err != nil {
			t.Fatalf("accept %v: client %v, server %v", accept, p.Client.Err, p.Server.Err)
		}
		if asked != 1 {
			t.Fatalf("accept %v: asked %d times", accept, asked)
		}
		wantHS := 1
		if accept {
			wantHS = 2
		}
		if p.Server.Handshakes != wantHS || p.Client.Handshakes != wantHS {
			t.Fatalf("accept %v: handshakes server %d client %d", accept, p.Server.Handshakes, p.Client.Handshakes)
		}
		warned := false
		for _, a := range p.Client.Alerts {
			warned = warned || a.Description == record.AlertNoRenegotiation
		}
		if warned == accept {
			t.Fatalf("accept %v: no_renegotiation warning %v", accept, warned)
		}
		p.Server.Conn.Write([]byte("still here"))
		p.Pump()
		if string(p.Client.Plain) != "still here" {
			t.Fatalf("accept %v: client read %q", accept, p.Client.Plain)
		}
	}
}

// Without the policy, a renegotiation request is declined: a server not
// asking the application refuses a client's ClientHello with a warning,
// and the client, told so, is established again: what it wrote meanwhile
// goes out, and it may try again. Two renegotiations at once are misuse.
func TestRenegotiationDeclinedByDefault(t *testing.T) {
	p, _ := renegPair(t, false)
	if err := p.Client.Conn.Renegotiate(nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Client.Conn.Renegotiate(nil); err == nil {
		t.Fatal("a renegotiation while one is in progress was accepted")
	}
	p.Client.Conn.Write([]byte("written while waiting"))
	p.Pump()
	if p.Client.Err != nil || p.Server.Err != nil || p.Server.Handshakes != 1 {
		t.Fatalf("errors %v/%v, handshakes %d", p.Client.Err, p.Server.Err, p.Server.Handshakes)
	}
	if string(p.Server.Plain) != "written while waiting" {
		t.Fatalf("server read %q after declining", p.Server.Plain)
	}
	if err := p.Client.Conn.Renegotiate(nil); err != nil {
		t.Fatalf("a new renegotiation after a declined one: %v", err)
	}
}

// Application data written while a renegotiation is under way waits for
// the new keys: OpenSSL refuses it in the middle of a handshake. On the
// wire, no application data record falls between the server's ServerHello
// flight and its ChangeCipherSpec, and the data arrives after.
func TestWritesWaitForRenegotiation(t *testing.T) {
	p, start := serverRenegotiation(t, func(s *engine.Conn) {
		if _, err := s.Write([]byte("mid-handshake")); err != nil {
			t.Errorf("Write during a renegotiation: %v", err)
		}
	})
	if string(p.Client.Plain) != "mid-handshake" {
		t.Fatalf("client read %q", p.Client.Plain)
	}
	var types []record.ContentType
	for _, r := range tlstest.Records(p.Server.Wire[start:]) {
		types = append(types, r.Type)
	}
	// HelloRequest, the ServerHello flight, CCS, Finished, then the data.
	sawCCS, sawData := false, false
	for _, ty := range types {
		switch ty {
		case record.TypeChangeCipherSpec:
			sawCCS = true
		case record.TypeApplicationData:
			if !sawCCS {
				t.Fatalf("application data before the renegotiation's ChangeCipherSpec: %v", types)
			}
			sawData = true
		}
	}
	if !sawData {
		t.Fatalf("no application data on the wire: %v", types)
	}
}

// serverRenegotiation runs a renegotiation the server starts and calls
// during with the server in the middle of it (the client's
// ClientKeyExchange..Finished in flight). It returns the pair and where
// the server's renegotiation starts in its Wire.
func serverRenegotiation(t *testing.T, during func(s *engine.Conn)) (*tlstest.Pair, int) {
	t.Helper()
	p, pki := renegPair(t, false)
	start := len(p.Server.Wire)
	clientFlights := 0
	p.Tamper = func(fromClient bool, data []byte) []byte {
		if fromClient {
			clientFlights++
			if clientFlights == 2 {
				during(p.Server.Conn)
			}
		}
		return data
	}
	if err := p.Server.Conn.Renegotiate(server12(pki, 4)); err != nil {
		t.Fatal(err)
	}
	p.Pump()
	if p.Client.Err != nil || p.Server.Err != nil || p.Server.Handshakes != 2 || p.Client.Handshakes != 2 {
		t.Fatalf("errors %v/%v, handshakes %d/%d", p.Client.Err, p.Server.Err, p.Server.Handshakes, p.Client.Handshakes)
	}
	return p, start
}

// A renegotiation may not change the server's certificate (the triple
// handshake attack splices two handshakes with different servers): the
// client refuses with illegal_parameter.
func TestRenegotiationServerCertificateChange(t *testing.T) {
	p, pki := renegPair(t, false)
	other := server12(pki, 5)
	other.Certificates = []*handshake.Credential{tlstest.NewPKI(certgen.Ed25519).Cert}
	if err := p.Server.Conn.Renegotiate(other); err != nil {
		t.Fatal(err)
	}
	p.Pump()
	if p.Client.Err == nil || !strings.Contains(p.Client.Err.Error(), "certificate changed") {
		t.Fatalf("client error: %v", p.Client.Err)
	}
	var re *record.Error
	if !errors.As(p.Client.Err, &re) || re.Alert != record.AlertIllegalParameter {
		t.Fatalf("client error %v, want an illegal_parameter alert", p.Client.Err)
	}
}

// Data a server writes while the application is still deciding on a
// client's renegotiation waits, like any write during a renegotiation;
// when the answer is no, it goes out right after the no_renegotiation
// warning under the current keys (the connection goes on, RFC 5746,
// Section 4.4, so nothing is left to wait for), and a Close made
// meanwhile sends its close_notify after it. When the answer is yes, it
// follows the server's Finished.
func TestWritesDuringRenegotiationDecisionAreSent(t *testing.T) {
	for _, accept := range []bool{false, true} {
		p, _ := renegPair(t, true)
		p.HoldDecisions = true
		if err := p.Client.Conn.Renegotiate(nil); err != nil {
			t.Fatal(err)
		}
		p.Pump()
		d, ok := p.Server.Conn.Pending().(*engine.RenegotiationDecision)
		if !ok {
			t.Fatalf("accept %v: server pending %T, want a renegotiation decision", accept, p.Server.Conn.Pending())
		}
		start := len(p.Server.Wire)
		if _, err := p.Server.Conn.Write([]byte("written while deciding")); err != nil {
			t.Fatal(err)
		}
		p.Server.Conn.Close()
		answer := d.Decline()
		if accept {
			answer = d.Accept()
		}
		if err := p.Server.Conn.Resolve(answer); err != nil {
			t.Fatal(err)
		}
		p.Pump()
		if p.Client.Err != nil || p.Server.Err != nil {
			t.Fatalf("accept %v: client %v, server %v", accept, p.Client.Err, p.Server.Err)
		}
		if string(p.Client.Plain) != "written while deciding" || !p.Client.PeerClose {
			t.Fatalf("accept %v: client read %q, close_notify %v", accept, p.Client.Plain, p.Client.PeerClose)
		}
		// On the wire after the decision (runs of one type as one):
		// declined, the warning, the data, the close_notify; accepted,
		// the ServerHello flight, ChangeCipherSpec and Finished, then the
		// data and the close_notify.
		var types []record.ContentType
		for _, r := range tlstest.Records(p.Server.Wire[start:]) {
			types = append(types, r.Type)
		}
		types = slices.Compact(types)
		want := []record.ContentType{record.TypeAlert, record.TypeApplicationData, record.TypeAlert}
		if accept {
			want = []record.ContentType{record.TypeHandshake, record.TypeChangeCipherSpec, record.TypeHandshake,
				record.TypeApplicationData, record.TypeAlert}
		}
		if !slices.Equal(types, want) {
			t.Fatalf("accept %v: server records after the decision %v, want %v", accept, types, want)
		}
	}
}
