package handshake_test

import (
	"bytes"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/session"
)

// A session the ticket format cannot hold (a client chain of 17
// certificates; a ticket keeps at most 16) no longer fails the handshake
// with internal_error: the server sends the empty NewSessionTicket RFC
// 5077, Section 3.3 allows after promising one, and the handshake
// completes without a new session.
func TestUnsealableTicketSendsEmptyTicket(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	tk, err := session.NewTicketer(bytes.Repeat([]byte{1}, session.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
	cc.MaxVersion, sc.MaxVersion = cipher.VersionTLS12, cipher.VersionTLS12 // RFC 5077 tickets
	sc.Tickets = tk
	sc.ClientAuth = handshake.RequestClientCert
	long := &handshake.Credential{Leaf: pki.Cert.Leaf, Key: pki.Cert.Key}
	for range 17 {
		long.Chain = append(long.Chain, pki.Cert.Chain[0])
	}
	cc.Certificates = []*handshake.Credential{long}
	p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Server.State.PeerCertificates); n != 17 {
		t.Fatalf("server saw %d client certificates", n)
	}
	off := tlstest.FindMessage(p.Server.Wire, uint8(handshake.TypeNewSessionTicket))
	if off < 0 {
		t.Fatal("no NewSessionTicket although ServerHello promised one")
	}
	// struct { uint32 lifetime_hint; opaque ticket<0..2^16-1>; }
	if got, want := p.Server.Wire[off:off+4+6], []byte{byte(handshake.TypeNewSessionTicket), 0, 0, 6, 0, 0, 0, 0, 0, 0}; !bytes.Equal(got, want) {
		t.Fatalf("NewSessionTicket %x, want the empty ticket %x", got, want)
	}
	if p.Server.State.NewSession || p.Client.State.Session != nil && len(p.Client.State.Session.Ticket) != 0 {
		t.Fatalf("a session was reported (server NewSession %v, client session %+v)", p.Server.State.NewSession, p.Client.State.Session)
	}
	// The same connection still carries data both ways.
	p.Client.Conn.Write([]byte("ping"))
	p.Server.Conn.Write([]byte("pong"))
	p.Pump()
	if string(p.Server.Plain) != "ping" || string(p.Client.Plain) != "pong" {
		t.Fatalf("data: server got %q, client got %q", p.Server.Plain, p.Client.Plain)
	}
}
