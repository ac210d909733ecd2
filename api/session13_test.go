package api_test

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/session"
)

// waitFor polls cond for up to five seconds: TLS 1.3 tickets arrive after
// the handshake, on the reader's schedule.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestTLSSocketEventSessionTLS13: as in Node v20 (checked against it in
// internal/interop), a TLS 1.3 client gets the session event once per
// ticket (two by default), getSession and getTLSTicket answer with the
// newest ticket's session, which resumes on a server sharing the ticket
// keys, also after a rotation; the server emits newSession once per ticket
// with a 32-byte id and asks resumeSession with the legacy_session_id.
func TestTLSSocketEventSessionTLS13(t *testing.T) {
	pki := newNodePKI(t)
	keys := bytes.Repeat([]byte{9}, 48)
	sopts := pki.serverOptions()
	sopts.MaxVersion = "TLSv1.3"
	a, portA := echoServer(t, api.ServerOptions{SecureContextOptions: sopts, TicketKeys: keys})
	b, portB := echoServer(t, api.ServerOptions{SecureContextOptions: sopts, TicketKeys: keys})
	var mu sync.Mutex
	var newIDs, resumeIDs [][]byte
	a.OnNewSession(func(id, data []byte, done func()) {
		mu.Lock()
		newIDs = append(newIDs, id)
		mu.Unlock()
		done()
	})
	a.OnResumeSession(func(id []byte, cb func([]byte, error)) {
		mu.Lock()
		resumeIDs = append(resumeIDs, id)
		mu.Unlock()
		cb(nil, nil)
	})
	copts := api.SecureContextOptions{CA: [][]byte{pki.ca}, MaxVersion: "TLSv1.3"}
	var sessions [][]byte
	first, err := api.Connect(api.ConnectOptions{SecureContextOptions: copts, Port: portA}, func(s *api.TLSSocket) {
		s.OnSession(func(b []byte) {
			mu.Lock()
			sessions = append(sessions, b)
			mu.Unlock()
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, first)
	waitFor(t, "two session events", func() bool { mu.Lock(); defer mu.Unlock(); return len(sessions) == 2 })
	if first.Protocol() != "TLSv1.3" || first.IsSessionReused() {
		t.Fatalf("first: %s reused %v", first.Protocol(), first.IsSessionReused())
	}
	last, err := session.Unmarshal(sessions[1])
	if err != nil || !last.Is13() || !bytes.Equal(first.Session(), sessions[1]) || !bytes.Equal(first.TLSTicket(), last.Ticket) {
		t.Fatalf("getSession/getTLSTicket do not answer with the newest ticket: %v", err)
	}
	first.Close()
	mu.Lock()
	if len(newIDs) != 2 || len(newIDs[0]) != 32 || bytes.Equal(newIDs[0], newIDs[1]) || len(resumeIDs) != 1 || len(resumeIDs[0]) != 32 {
		t.Fatalf("newSession ids %d, resumeSession ids %d", len(newIDs), len(resumeIDs))
	}
	mu.Unlock()
	resume := func(port int, saved []byte) *api.TLSSocket {
		t.Helper()
		s, err := api.Connect(api.ConnectOptions{SecureContextOptions: copts, Port: port, Session: saved}, nil)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, s)
		if !s.IsSessionReused() || !s.Authorized() || s.Protocol() != "TLSv1.3" {
			t.Fatalf("port %d: reused %v authorized %v %s", port, s.IsSessionReused(), s.Authorized(), s.Protocol())
		}
		return s
	}
	resume(portA, sessions[0]).Close()
	resume(portB, sessions[1]).Close()
	// After a rotation the old key still opens the ticket.
	if err := b.SetTicketKeys(bytes.Repeat([]byte{10}, 48)); err != nil {
		t.Fatal(err)
	}
	resume(portB, sessions[1]).Close()
}

// TestTLS13ServerHandshakeOverPipe: over a transport without buffers
// (net.Pipe), a TLS 1.3 server that issues tickets finishes its Handshake
// while the client only handshakes and never reads: the tickets travel
// with the server's flight, which the client reads whole, where a write
// after the client's Finished would wait for a client read that never
// comes. The client has its sessions when its Handshake returns.
func TestTLS13ServerHandshakeOverPipe(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	sc, cc := pki.ServerConfig(1), pki.ClientConfig(2)
	tk, err := session.NewTicketer(bytes.Repeat([]byte{5}, session.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	sc.Tickets = tk
	a, z := net.Pipe()
	defer a.Close()
	defer z.Close()
	client := api.NewClientSocket(z, cc, engine.ClientOptions{ServerName: "localhost"})
	server := api.NewServerSocket(a, sc, nil)
	cerr, serr := make(chan error, 1), make(chan error, 1)
	go func() { cerr <- client.Handshake(context.Background()) }()
	go func() { serr <- server.Handshake(context.Background()) }()
	for _, side := range []struct {
		name string
		errc chan error
	}{{"server", serr}, {"client", cerr}} {
		select {
		case err := <-side.errc:
			if err != nil {
				t.Fatalf("%s: %v", side.name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s Handshake still running after 5 s", side.name)
		}
	}
	if server.Protocol() != "TLSv1.3" || client.Session() == nil {
		t.Fatalf("protocol %s, client session %v", server.Protocol(), client.Session() != nil)
	}
}
