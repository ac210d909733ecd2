package interop

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
)

// Data our server writes in the middle of a renegotiation `openssl
// s_client` started ("R"), while the application decides and after the
// ServerHello flight, reaches s_client after the server's Finished, under
// the new keys: OpenSSL accepts application data in a renegotiation only
// before the ServerHello, so any record of it between that flight and
// Finished would end the connection with an unexpected_message alert.
// The server is the engine driven step by step over TCP, so the writes
// fall at exactly those points.
func TestRenegotiationHeldDataOpenSSLClient(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	sc, conn := acceptSClient(t, p)
	conn.SetDeadline(time.Now().Add(peerTimeout))

	cfg := p.serverConfig()
	cfg.AskRenegotiation = true
	srv := engine.NewServer(cfg)
	const deciding, midHandshake = "written while deciding\n", "written after the ServerHello flight\n"
	var (
		plain      []byte
		handshakes int
		renegWire  []byte // what the server sent from the renegotiation on
		inReneg    bool
		flightSent bool
	)
	write := func(s string) {
		if _, err := srv.Write([]byte(s)); err != nil {
			t.Fatalf("Write %q: %v", s, err)
		}
	}
	buf := make([]byte, 1<<16)
	// readUntil feeds the server what s_client sends and plays its events
	// until done holds.
	readUntil := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			n, err := conn.Read(buf)
			if err != nil {
				t.Fatalf("waiting for %s: %v\ns_client:\n%s", what, err, sc.output())
			}
			srv.Feed(buf[:n])
			for e := srv.NextEvent(); e.Kind != engine.EventNone; e = srv.NextEvent() {
				switch e.Kind {
				case engine.EventSend:
					if inReneg {
						renegWire = append(renegWire, e.Data...)
					}
					if _, err := conn.Write(e.Data); err != nil {
						t.Fatal(err)
					}
					if inReneg && !flightSent {
						flightSent = true
						write(midHandshake)
					}
				case engine.EventPlaintext:
					plain = append(plain, e.Data...)
				case engine.EventHandshakeDone:
					handshakes++
				case engine.EventDecision:
					inReneg = true
					write(deciding)
					engine.Drive(srv, engine.Resolvers{Renegotiation: func() (bool, error) { return true, nil }})
				case engine.EventError:
					t.Fatalf("server: %v\ns_client:\n%s", e.Err, sc.output())
				}
			}
		}
	}
	readUntil("the handshake", func() bool { return handshakes == 1 })
	// s_client takes "R" as a command only when it reads it alone: once
	// the server has the line before, s_client is past it.
	fmt.Fprintln(sc.stdin, "first")
	readUntil("the first line", func() bool { return string(plain) == "first\n" })
	fmt.Fprintln(sc.stdin, "R")
	readUntil("the renegotiation", func() bool { return handshakes == 2 })
	if !sc.waitFor(midHandshake, peerTimeout) {
		t.Fatalf("s_client did not print the data written during the renegotiation:\n%s", sc.output())
	}
	out := sc.output()
	finished := strings.LastIndex(out, "], Finished\n")
	if strings.Contains(out, "Alert") || countMessages(out, "ServerHello\n") != 2 ||
		finished < 0 || strings.Index(out, deciding) < finished || strings.Index(out, midHandshake) < finished {
		t.Fatalf("s_client did not take the data after the renegotiation's Finished:\n%s", out)
	}
	// On the wire (runs of one type as one): the ServerHello flight, then
	// ChangeCipherSpec, Finished, and only then the data.
	var types []record.ContentType
	for _, r := range tlstest.Records(renegWire) {
		types = append(types, r.Type)
	}
	want := []record.ContentType{record.TypeHandshake, record.TypeChangeCipherSpec, record.TypeHandshake, record.TypeApplicationData}
	if types = slices.Compact(types); !slices.Equal(types, want) {
		t.Fatalf("server records in the renegotiation %v, want %v", types, want)
	}
}

// acceptSClient starts `openssl s_client -tls1_2 -msg`, trusting p's
// root, and returns it with the TCP connection it made to us (closed when
// the test ends).
func acceptSClient(t *testing.T, p *pki) (*process, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sc := start(t, "openssl", "s_client", "-connect", ln.Addr().String(), "-tls1_2", "-servername", "localhost",
		"-CAfile", p.rootPEM, "-msg")
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return sc, conn
}
