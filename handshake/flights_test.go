package handshake_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
)

// flightSuites is the suite each key exchange runs with: AES-128-GCM, so
// that tlstest's observer can read the encrypted part of each exchange.
var flightSuites = map[string]uint16{"ECDHE": 0xc02b, "DHE": 0x009e, "RSA": 0x009c}

// TestFlightsMatchEngine runs an in-memory pair for every row of
// handshake.Flights and checks that the sequence observed on the wire,
// both directions, ChangeCipherSpec and renegotiation included, is the
// row's.
func TestFlightsMatchEngine(t *testing.T) {
	for _, row := range handshake.Flights {
		t.Run(row.Shape.String(), func(t *testing.T) {
			p := flightPair(t, row.Shape)
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			switch row.Shape.Renegotiation {
			case "client":
				if err := p.Client.Conn.Renegotiate(nil); err != nil {
					t.Fatal(err)
				}
			case "server":
				if err := p.Server.Conn.Renegotiate(nil); err != nil {
					t.Fatal(err)
				}
			case "server-auth":
				cfg := *p.Server.Conn.Config()
				cfg.ClientAuth = handshake.RequestClientCert
				if err := p.Server.Conn.Renegotiate(&cfg); err != nil {
					t.Fatal(err)
				}
			}
			p.Pump()
			if want := 1 + min(len(row.Shape.Renegotiation), 1); p.Client.Handshakes != want || p.Server.Handshakes != want ||
				p.Client.Err != nil || p.Server.Err != nil {
				t.Fatalf("handshakes: client %d (%v), server %d (%v), want %d", p.Client.Handshakes, p.Client.Err, p.Server.Handshakes, p.Server.Err, want)
			}
			if resumed := row.Shape.Resumed != ""; p.Client.State.Resumed != resumed && row.Shape.Renegotiation == "" {
				t.Fatalf("resumed %v", p.Client.State.Resumed)
			}
			got, err := p.Steps()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, row.Steps) {
				t.Fatalf("observed\n%s\nwant\n%s", handshake.FlightRow{Steps: got}.Diagram(), row.Diagram())
			}
		})
	}
}

// TestFlightsCoverEveryShape guards the table itself: every combination of
// the dimensions is a row, once, and no legal combination is missing.
func TestFlightsCoverEveryShape(t *testing.T) {
	seen := map[handshake.Shape]bool{}
	for _, r := range handshake.Flights {
		if seen[r.Shape] {
			t.Errorf("shape %+v twice", r.Shape)
		}
		seen[r.Shape] = true
	}
	// Full: 3 key exchanges × OCSP × ticket × 3 client-auth answers;
	// resumed: by id, by ticket with and without renewal; each × 3
	// renegotiation starts, plus the server's renegotiation for a client
	// certificate where none was asked for.
	if want := (3*2*2*3+3)*3 + 3*2*2 + 3; len(seen) != want {
		t.Fatalf("%d shapes, want %d", len(seen), want)
	}
}

// flightPair builds the pair that produces a row's shape; for a resumed
// shape it runs the full handshake that yields the session first.
func flightPair(t *testing.T, s handshake.Shape) *tlstest.Pair {
	kx := s.KX
	if kx == "" {
		kx = "ECDHE"
	}
	pki := tlstest.NewPKI(certgen.RSA2048)
	if kx == "ECDHE" {
		pki = tlstest.NewPKI(certgen.ECDSAP256)
	}
	cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
	// The table is TLS 1.2's (renegotiation, session ids, tickets).
	cc.MaxVersion, sc.MaxVersion = cipher.VersionTLS12, cipher.VersionTLS12
	cc.CipherSuites = []uint16{flightSuites[kx]}
	sc.CipherSuites = cc.CipherSuites
	if kx == "DHE" {
		sc.DHParams, _ = kex.FFDHEParams(kex.FFDHE2048)
	}
	opts := engine.ClientOptions{ServerName: "localhost", RequestOCSP: s.OCSP}
	sc.AskOCSP = s.OCSP
	resolvers := engine.Resolvers{
		OCSP:          func(*handshake.OCSPDecision) ([]byte, error) { return []byte("a stapled OCSP response"), nil },
		Renegotiation: func() (bool, error) { return true, nil },
	}
	sc.AskRenegotiation, cc.RenegotiateOnRequest = true, true
	if s.ClientAuth != "" {
		sc.ClientAuth = handshake.RequestClientCert
	}
	if s.ClientAuth == "cert" || s.Renegotiation == "server-auth" {
		cc.Certificates = []*handshake.Credential{pki.Cert}
	}
	ticketer, err := session.NewTicketer(bytes.Repeat([]byte{7}, session.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case s.Resumed == "id":
		sc.SessionCache = session.NewCache(4)
		cc.DisableTickets = true
	case s.Resumed == "ticket" || s.Ticket:
		sc.Tickets = ticketer
	}
	if s.Resumed != "" {
		first := tlstest.NewPair(cc, sc, opts)
		first.Resolvers = resolvers
		if err := first.Handshake(); err != nil {
			t.Fatal(err)
		}
		opts.Session = first.Client.State.Session
		if s.Ticket {
			// RFC 5077, Section 3.3: a ticket under a retired key is
			// accepted and renewed.
			ticketer.SetKey(bytes.Repeat([]byte{8}, session.KeyLen))
		}
		cc, sc = cloneConfig(cc, 3), cloneConfig(sc, 4)
	}
	p := tlstest.NewPair(cc, sc, opts)
	p.Resolvers = resolvers
	return p
}

// cloneConfig copies a config with fresh randomness.
func cloneConfig(c *engine.Config, seed uint64) *engine.Config {
	n := *c
	n.Rand = tlstest.NewRand(seed)
	return &n
}

// The longest full handshake: a stapled OCSP response, a ticket and a
// client certificate.
func ExampleFlightRow_Diagram() {
	for _, r := range handshake.Flights {
		if r.Shape == (handshake.Shape{KX: "ECDHE", OCSP: true, Ticket: true, ClientAuth: "cert"}) {
			fmt.Print(r.Diagram())
		}
	}
	// Output:
	// Client                            Server
	// ClientHello             -------->
	//                                   ServerHello
	//                                   Certificate
	//                                   CertificateStatus
	//                                   ServerKeyExchange
	//                                   CertificateRequest
	//                         <-------- ServerHelloDone
	// Certificate
	// ClientKeyExchange
	// CertificateVerify
	// ChangeCipherSpec
	// Finished                -------->
	//                                   NewSessionTicket
	//                                   ChangeCipherSpec
	//                         <-------- Finished
}
