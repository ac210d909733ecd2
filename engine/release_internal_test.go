package engine

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/record"
)

// TestIdleConnectionReleasesHandshakeBuffers: once the handshake is over
// and everything was consumed, neither end keeps its input, reassembly or
// handshake output buffer; application data still flows afterwards, in
// one piece and split across Feeds, and no Feed writes to its argument.
func TestIdleConnectionReleasesHandshakeBuffers(t *testing.T) {
	now := time.Now()
	cert, err := certgen.SelfSigned(certgen.ECDSAP256, now, []string{"localhost"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := handshake.NewCredential([][]byte{cert.DER}, cert.Key)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	client := NewClient(&Config{Rand: rand.Reader, Now: clock, InsecureSkipVerify: true}, ClientOptions{ServerName: "localhost"})
	server := NewServer(&Config{Rand: rand.Reader, Now: clock, Certificates: []*handshake.Credential{cred}})
	var got []byte
	shuttle := func() {
		for moved := true; moved; {
			moved = false
			for _, pair := range [][2]*Conn{{client, server}, {server, client}} {
				for e := pair[0].NextEvent(); e.Kind != EventNone; e = pair[0].NextEvent() {
					switch e.Kind {
					case EventSend:
						// Feed reads records in place from the caller's
						// buffer; it must leave it as it was.
						in, was := append([]byte(nil), e.Data...), string(e.Data)
						pair[1].Feed(in)
						if string(in) != was {
							t.Fatal("Feed wrote to the caller's buffer")
						}
						pair[0].Recycle(e.Data) // as api does once written
						moved = true
					case EventError:
						t.Fatal(e.Err)
					case EventPlaintext:
						got = append(got, e.Data...)
					}
				}
			}
		}
	}
	shuttle()
	for name, c := range map[string]*Conn{"client": client, "server": server} {
		if c.state == nil {
			t.Fatalf("%s: handshake not done", name)
		}
		if c.in != nil || c.hsOut != nil || c.reasm.Cap() != 0 {
			t.Errorf("%s keeps handshake buffers: in %d, hsOut %d, reassembly %d bytes of capacity",
				name, cap(c.in), cap(c.hsOut), c.reasm.Cap())
		}
		// Nor the flights' send buffer given back by Recycle, nor the
		// event queue the handshake grew (issue 16).
		if c.spareOut != nil || c.events != nil {
			t.Errorf("%s keeps a send buffer of %d bytes and an event queue of %d",
				name, cap(c.spareOut), cap(c.events))
		}
	}
	client.Write([]byte("after the release"))
	shuttle()
	if string(got) != "after the release" {
		t.Fatalf("server read %q", got)
	}
	// A record split over three Feeds: the tail is kept between them.
	got = nil
	client.Write([]byte("split"))
	e := client.NextEvent()
	for _, part := range [][]byte{e.Data[:3], e.Data[3:10], e.Data[10:]} {
		server.Feed(append([]byte(nil), part...))
	}
	shuttle()
	if string(got) != "split" {
		t.Fatalf("server read %q from a split record", got)
	}
	// Two full records whose first bytes came alone: the input buffer
	// grew past a record to hold them, and is let go once drained
	// (issue 16, item 3), not kept for the idle connection.
	got = nil
	large := make([]byte, 2*record.MaxPlaintext)
	client.Write(large)
	e = client.NextEvent()
	server.Feed(append([]byte(nil), e.Data[:10]...))
	server.Feed(append([]byte(nil), e.Data[10:]...))
	shuttle()
	if len(got) != len(large) {
		t.Fatalf("server read %d bytes of %d", len(got), len(large))
	}
	if cap(server.in) > record.MaxRecord {
		t.Errorf("the drained input buffer keeps %d bytes of capacity, more than a record", cap(server.in))
	}
}
