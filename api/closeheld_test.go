package api_test

import (
	"context"
	"crypto/rand"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
)

// enginePeer is a client engine on one end of a net.Pipe, driven step by
// step by the test, so that it can stop in the middle of a renegotiation.
type enginePeer struct {
	t          *testing.T
	eng        *engine.Conn
	conn       net.Conn
	in         chan []byte // what the server sent, closed at EOF
	pending    []byte      // records the engine made, not sent yet
	plain      []byte
	handshakes int
	peerClose  bool
}

func newEnginePeer(t *testing.T, conn net.Conn) *enginePeer {
	p := &enginePeer{t: t, conn: conn, in: make(chan []byte, 64),
		// TLS 1.2: the peer renegotiates.
		eng: engine.NewClient(&engine.Config{Rand: rand.Reader, Now: time.Now, InsecureSkipVerify: true, MaxVersion: cipher.VersionTLS12},
			engine.ClientOptions{ServerName: "localhost"})}
	go func() {
		defer close(p.in)
		for {
			buf := make([]byte, 1<<16)
			n, err := conn.Read(buf)
			if n > 0 {
				p.in <- buf[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	p.drain()
	return p
}

// drain takes the engine's events; records wait in pending for send.
func (p *enginePeer) drain() {
	for e := p.eng.NextEvent(); e.Kind != engine.EventNone; e = p.eng.NextEvent() {
		switch e.Kind {
		case engine.EventSend:
			p.pending = append(p.pending, e.Data...)
		case engine.EventPlaintext:
			p.plain = append(p.plain, e.Data...)
		case engine.EventHandshakeDone:
			p.handshakes++
		case engine.EventPeerClosed:
			p.peerClose = true
		case engine.EventError:
			p.t.Fatalf("peer: %v", e.Err)
		}
	}
}

// send writes pending in one write, which one read of the server takes
// whole (net.Pipe).
func (p *enginePeer) send() {
	p.t.Helper()
	if len(p.pending) == 0 {
		return
	}
	if _, err := p.conn.Write(p.pending); err != nil {
		p.t.Fatalf("peer: writing %d bytes: %v", len(p.pending), err)
	}
	p.pending = nil
}

// readUntil feeds the engine what the server sends until done holds; it
// reports false if the transport ended first.
func (p *enginePeer) readUntil(done func() bool) bool {
	p.t.Helper()
	for !done() {
		b := wait(p.t, p.in, "the server's records")
		if b == nil { // closed: EOF
			return false
		}
		p.eng.Feed(b)
		p.drain()
	}
	return true
}

// midRenegotiation returns a server socket (of a Server with handshakeTimeout)
// and a peer that renegotiated: the server has read the peer's data and its
// renegotiation ClientHello, sent its ServerHello flight, and waits for the
// peer's Finished, holding what it is written meanwhile. The peer has not
// read that flight yet.
func midRenegotiation(t *testing.T, handshakeTimeout time.Duration) (*api.TLSSocket, *enginePeer) {
	pki := newNodePKI(t)
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: pki.serverOptions(), HandshakeTimeout: handshakeTimeout}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, z := net.Pipe()
	t.Cleanup(func() { a.Close(); z.Close() })
	sock, err := api.NewTLSSocket(a, api.TLSSocketOptions{IsServer: true, Server: srv})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- sock.Handshake(context.Background()) }()
	p := newEnginePeer(t, z)
	for p.handshakes == 0 {
		p.send()
		if !p.readUntil(func() bool { return len(p.pending) > 0 || p.handshakes > 0 }) {
			t.Fatal("the server closed during the handshake")
		}
	}
	if err := wait(t, errc, "the server's handshake"); err != nil {
		t.Fatal(err)
	}
	// Data and the renegotiation ClientHello in one write: the server's
	// Read takes both, answers the ClientHello and returns the data.
	if _, err := p.eng.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := p.eng.Renegotiate(nil); err != nil {
		t.Fatal(err)
	}
	p.drain()
	read := make(chan string, 1)
	go func() {
		buf := make([]byte, 16)
		n, err := sock.Read(buf)
		if err != nil {
			read <- err.Error()
		}
		read <- string(buf[:n])
	}()
	p.send()
	if got := wait(t, read, "the server's Read"); got != "x" {
		t.Fatalf("server read %q", got)
	}
	return sock, p
}

// TestCloseSendsDataHeldForRenegotiation: Close while a renegotiation is
// in progress, after a Write the engine holds for the new keys, lets the
// renegotiation finish (no Read runs: Close reads the peer's Finished
// itself), then sends the data and close_notify before it closes the
// transport (issue 12, item 10). Close used to close the transport at
// once: the data and the close_notify were lost, and the peer's flight
// met a closed connection.
func TestCloseSendsDataHeldForRenegotiation(t *testing.T) {
	sock, p := midRenegotiation(t, 0)
	if _, err := sock.Write([]byte("held")); err != nil {
		t.Fatalf("Write during the renegotiation: %v", err)
	}
	closed := make(chan error, 1)
	go func() { closed <- sock.Close() }()
	p.readUntil(func() bool { return len(p.pending) > 0 }) // the ServerHello flight
	p.send()                                               // our Finished: only Close reads it
	if !p.readUntil(func() bool { return p.peerClose }) {
		t.Fatalf("the transport closed before close_notify; the peer read %q after %d handshakes", p.plain, p.handshakes)
	}
	// Data after close_notify would be ignored: it came first.
	if string(p.plain) != "held" || p.handshakes != 2 {
		t.Fatalf("peer read %q after %d handshakes, want \"held\" after 2", p.plain, p.handshakes)
	}
	if err := wait(t, closed, "Close"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if p.readUntil(func() bool { return false }) {
		t.Fatal("unreachable")
	}
	if _, err := sock.Write([]byte("late")); err == nil {
		t.Fatal("Write after Close succeeded")
	}
}

// TestCloseHeldDataBoundedByHandshakeTimeout: when the peer never
// completes the renegotiation, Close gives up after the server's
// handshakeTimeout and closes the transport without the held data or a
// close_notify; it never hangs, and leaves no goroutine behind.
func TestCloseHeldDataBoundedByHandshakeTimeout(t *testing.T) {
	before := runtime.NumGoroutine()
	sock, p := midRenegotiation(t, 50*time.Millisecond)
	if _, err := sock.Write([]byte("held")); err != nil {
		t.Fatalf("Write during the renegotiation: %v", err)
	}
	closed := make(chan error, 1)
	go func() { closed <- sock.Close() }()
	if err := wait(t, closed, "Close with a renegotiation the peer never completes"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The peer gets the ServerHello flight, then the end of the transport.
	if p.readUntil(func() bool { return false }) {
		t.Fatal("unreachable")
	}
	if len(p.plain) != 0 || p.peerClose || p.handshakes != 1 {
		t.Fatalf("peer read %q, close_notify %v, %d handshakes", p.plain, p.peerClose, p.handshakes)
	}
	if after := goroutinesDownTo(before); after > before {
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
}
