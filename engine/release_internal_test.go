package engine

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// TestIdleConnectionReleasesHandshakeBuffers: once the handshake is over
// and everything was consumed, neither end keeps its input, reassembly or
// handshake output buffer; application data still flows afterwards.
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
						pair[1].Feed(e.Data)
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
	}
	client.Write([]byte("after the release"))
	shuttle()
	if string(got) != "after the release" {
		t.Fatalf("server read %q", got)
	}
}
