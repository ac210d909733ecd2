package bench

import (
	"bytes"
	"testing"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/session"
)

// BenchmarkServerCPU measures the server alone: the client's flights are
// recorded once from a run with fixed randomness on both sides, then
// replayed to fresh servers with the same randomness, which therefore
// answer byte for byte as in the recording. Ed25519 signatures are
// deterministic, which is what makes a full handshake replayable; the
// resumed cases involve no signature. The ratio resumed/full is the
// server CPU a resumption saves (issue 7).
func BenchmarkServerCPU(b *testing.B) {
	pki := tlstest.NewPKI(certgen.Ed25519)
	ticketer, err := session.NewTicketer(bytes.Repeat([]byte{9}, session.KeyLen))
	if err != nil {
		b.Fatal(err)
	}
	cache := session.NewCache(0)
	server := func() *engine.Config {
		sc := pki.ServerConfig(2)
		sc.Tickets, sc.SessionCache = ticketer, cache
		return sc
	}
	// A session id is only offered without a ticket.
	noTicketClient := func(seed uint64) *engine.Config {
		cc := pki.ClientConfig(seed)
		cc.DisableTickets = true
		return cc
	}
	// A first handshake gives the sessions to resume.
	first := tlstest.NewPair(pki.ClientConfig(1), server(), engine.ClientOptions{ServerName: "localhost"})
	if err := first.Handshake(); err != nil {
		b.Fatal(err)
	}
	byTicket := first.Client.State.Session
	byID := *byTicket
	byID.Ticket = nil
	if len(byID.SessionID) == 0 {
		b.Fatal("no session id issued")
	}
	// The full case's replays would overwrite the cached session under
	// the same (replayed) id, so the id case gets its own cache.
	idCache := session.NewCache(0)
	idCache.Put(byID.SessionID, &byID)
	idServer := func() *engine.Config {
		sc := pki.ServerConfig(2)
		sc.SessionCache = idCache
		return sc
	}
	cases := []struct {
		name   string
		sess   *session.State
		client *engine.Config
		server func() *engine.Config
	}{
		{"full", nil, pki.ClientConfig(3), server},
		{"resumed-ticket", byTicket, pki.ClientConfig(3), server},
		{"resumed-session-id", &byID, noTicketClient(3), idServer},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p := tlstest.NewPair(c.client, c.server(), engine.ClientOptions{ServerName: "localhost", Session: c.sess})
			if err := p.Handshake(); err != nil {
				b.Fatal(err)
			}
			if p.Server.State.Resumed != (c.sess != nil) {
				b.Fatalf("resumed %v", p.Server.State.Resumed)
			}
			flights := p.Client.Flights
			b.ReportAllocs()
			for b.Loop() {
				s := engine.NewServer(c.server())
				var done bool
				for _, f := range flights {
					if err := s.Feed(f); err != nil {
						b.Fatal(err)
					}
					for e := s.NextEvent(); e.Kind != engine.EventNone; e = s.NextEvent() {
						if e.Kind == engine.EventHandshakeDone {
							done = true
						}
					}
				}
				if !done {
					b.Fatal("the replayed handshake did not complete")
				}
			}
		})
	}
}
