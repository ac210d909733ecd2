//go:build linux

package eventloop

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gotls "crypto/tls"

	"github.com/tlsengine/tlsengine/engine"
)

// blockingSNI is a ServerContext resolver that waits, for the server name
// "slow", until release is closed, and answers every other name at once.
type blockingSNI struct {
	release chan struct{}
	entered chan string
	mu      sync.Mutex
	names   []string
}

func newBlockingSNI() *blockingSNI {
	return &blockingSNI{release: make(chan struct{}), entered: make(chan string, 16)}
}

// startSNI serves echo on one loop, every handshake asking b for its
// server context.
func startSNI(t *testing.T, b *blockingSNI, timeout time.Duration) (string, *errorLog) {
	addr, log, _ := start(t, echo{}, func(s *Server) {
		s.Loops, s.HandshakeTimeout = 1, timeout
		s.Config.AskServerContext = true
		s.Resolvers = b.resolvers
	})
	return addr, log
}

func (b *blockingSNI) resolvers(net.Addr) *engine.Resolvers {
	return &engine.Resolvers{ServerContext: func(d *engine.ServerContextDecision) (*engine.Config, error) {
		b.entered <- d.ServerName
		switch d.ServerName {
		case "slow":
			<-b.release
		case "panic":
			panic("resolver asked to")
		}
		return nil, nil
	}}
}

// dialName starts a TLS 1.2 handshake with server name name; the result
// arrives on the returned channel.
func dialName(t *testing.T, addr, name string) (*gotls.Conn, chan error) {
	t.Helper()
	raw := dialRaw(t, addr)
	c := gotls.Client(raw, &gotls.Config{InsecureSkipVerify: true, ServerName: name,
		MinVersion: gotls.VersionTLS12, MaxVersion: gotls.VersionTLS13})
	done := make(chan error, 1)
	go func() { done <- c.Handshake() }()
	return c, done
}

// A resolver that waits holds back its own connection only: with one
// loop, other handshakes complete and echo meanwhile, and the waiting one
// completes and echoes once the resolver answers.
func TestWaitingResolverHoldsBackItsConnectionOnly(t *testing.T) {
	sni := newBlockingSNI()
	addr, _ := startSNI(t, sni, 0)
	slow, slowDone := dialName(t, addr, "slow")
	if name := <-sni.entered; name != "slow" {
		t.Fatalf("first decision for %q", name)
	}
	for i := range 3 {
		c, done := dialName(t, addr, "fast")
		if err := <-done; err != nil {
			t.Fatalf("handshake %d while a resolver waits: %v", i, err)
		}
		<-sni.entered
		echoOnce(t, c, "fast")
	}
	select {
	case err := <-slowDone:
		t.Fatalf("the waiting connection's handshake ended before its answer: %v", err)
	default:
	}
	close(sni.release)
	select {
	case err := <-slowDone:
		if err != nil {
			t.Fatalf("after the answer: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handshake did not complete after the resolver answered")
	}
	echoOnce(t, slow, "slow")
}

// stillServing checks that a new connection with a name answered at once
// completes its handshake and echoes msg.
func stillServing(t *testing.T, addr, msg string) {
	t.Helper()
	c, done := dialName(t, addr, "fast")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	echoOnce(t, c, msg)
}

func echoOnce(t *testing.T, c *gotls.Conn, msg string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	if _, err := c.Read(buf); err != nil || string(buf) != msg {
		t.Fatalf("echo: %q, %v", buf, err)
	}
}

// A resolver that never answers does not keep its connection: the
// handshake timeout closes it (reported as ErrHandshakeTimeout), and the
// answer that comes after is dropped with the loop still serving.
func TestHandshakeTimeoutWhileResolverWaits(t *testing.T) {
	sni := newBlockingSNI()
	addr, log := startSNI(t, sni, 200*time.Millisecond)
	_, done := dialName(t, addr, "slow")
	<-sni.entered
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("handshake completed without the resolver's answer")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the connection outlived its handshake timeout")
	}
	log.wait(t, func(err error) bool { return errors.Is(err, ErrHandshakeTimeout) })
	close(sni.release) // the late answer finds the connection gone
	stillServing(t, addr, "after")
}

// A resolver that panics fails its own handshake, reported, and the loop
// goes on.
func TestResolverPanicFailsOneHandshake(t *testing.T) {
	sni := newBlockingSNI()
	addr, log := startSNI(t, sni, 0)
	_, done := dialName(t, addr, "panic")
	if err := <-done; err == nil {
		t.Fatal("handshake completed though the resolver panicked")
	}
	log.wait(t, func(err error) bool {
		var he *HandshakeError
		return errors.As(err, &he) && strings.Contains(err.Error(), "panic in a resolver: resolver asked to")
	})
	stillServing(t, addr, "still serving")
}

// A peer that hangs up while its resolver answers is closed at once, not
// at its handshake timeout.
func TestPeerGoneWhileResolverWaits(t *testing.T) {
	sni := newBlockingSNI()
	defer close(sni.release)
	addr, log := startSNI(t, sni, 0)
	c, _ := dialName(t, addr, "slow")
	<-sni.entered
	c.NetConn().Close()
	err := log.wait(t, func(err error) bool { return errors.Is(err, errClosedInHandshake) })
	var he *HandshakeError
	if !errors.As(err, &he) {
		t.Fatalf("reported %v, not a HandshakeError", err)
	}
}

// later answers each message from a goroutine of its own once release
// is closed, writing it back in upper case through Post; "close" closes
// instead.
type later struct{ release chan struct{} }

func (later) Established(*Conn, *engine.ConnectionState) {}
func (h later) Data(c *Conn, p []byte) {
	msg := string(p)
	go func() {
		<-h.release
		c.Post(func(c *Conn) {
			if msg == "close" {
				c.Close()
				return
			}
			c.Write([]byte(strings.ToUpper(msg)))
		})
	}()
}

// A handler that waits on its own goroutine writes its answer through
// Post: with one loop, other connections complete their handshakes
// meanwhile, the posted write arrives, and a posted Close sends
// close_notify.
func TestPostWritesFromAnotherGoroutine(t *testing.T) {
	h := later{release: make(chan struct{})}
	addr, _, _ := start(t, h, func(s *Server) { s.Loops = 1 })
	slow := dial(t, addr, gotls.VersionTLS13)
	if _, err := slow.Write([]byte("waited")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		dial(t, addr, gotls.VersionTLS12).Close()
	}
	close(h.release)
	buf := make([]byte, 6)
	if _, err := io.ReadFull(slow, buf); err != nil || string(buf) != "WAITED" {
		t.Fatalf("posted answer %q, %v", buf, err)
	}
	if _, err := slow.Write([]byte("close")); err != nil {
		t.Fatal(err)
	}
	if _, err := slow.Read(buf); err != io.EOF {
		t.Fatalf("after a posted Close: %v, want io.EOF (close_notify)", err)
	}
}

// What is posted for a connection that has closed does not run, and Post
// reports false once the server has stopped.
func TestPostAfterClose(t *testing.T) {
	got := make(chan *Conn, 1)
	addr, _, stop := start(t, handlerFuncs{established: func(c *Conn) { got <- c }}, nil)
	c := dial(t, addr, gotls.VersionTLS13)
	kept := <-got
	ran := make(chan struct{}, 1)
	if !kept.Post(func(*Conn) { ran <- struct{}{} }) {
		t.Fatal("Post refused on an open connection")
	}
	<-ran
	c.NetConn().Close()
	for deadline := time.Now().Add(5 * time.Second); ; {
		// The loop sees the reset soon: from then on nothing posted runs.
		if !kept.Post(func(*Conn) { ran <- struct{}{} }) {
			t.Fatal("Post refused while the server runs")
		}
		select {
		case <-ran:
			if time.Now().After(deadline) {
				t.Fatal("posted functions still run 5 s after the peer went away")
			}
			time.Sleep(10 * time.Millisecond)
			continue
		case <-time.After(200 * time.Millisecond):
		}
		break
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if kept.Post(func(*Conn) {}) {
		t.Fatal("Post accepted after the server stopped")
	}
}

// handlerFuncs is a Handler from functions.
type handlerFuncs struct{ established func(*Conn) }

func (h handlerFuncs) Established(c *Conn, _ *engine.ConnectionState) { h.established(c) }
func (handlerFuncs) Data(*Conn, []byte)                               {}

// awaitOnHandshake runs f through Await when a handshake completes and
// answers each message with "early" while f has not returned, else
// echoes it.
type awaitOnHandshake struct {
	f    func()
	done *atomic.Bool
}

func (h awaitOnHandshake) Established(c *Conn, _ *engine.ConnectionState) {
	c.Await(func() { h.f(); h.done.Store(true) })
}
func (h awaitOnHandshake) Data(c *Conn, p []byte) {
	if !h.done.Load() {
		c.Write([]byte("early"))
		return
	}
	c.Write(p)
}

// What the peer sends right after its handshake reaches the handler only
// once Await's function has returned, and one loop serves other
// connections meanwhile; a panic in the function ends that connection.
func TestAwaitHoldsTheConnection(t *testing.T) {
	var done atomic.Bool
	release := make(chan struct{})
	addr, _, _ := start(t, awaitOnHandshake{f: func() { <-release }, done: &done}, func(s *Server) { s.Loops = 1 })
	c := dial(t, addr, gotls.VersionTLS13)
	if _, err := c.Write([]byte("first")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		dial(t, addr, gotls.VersionTLS12).Close() // served while the first waits
	}
	close(release)
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "first" {
		t.Fatalf("got %q, %v; want the echo after Await's function returned", buf, err)
	}

	addr2, log, _ := start(t, awaitOnHandshake{f: func() { panic("asked to") }, done: new(atomic.Bool)}, nil)
	c2 := dial(t, addr2, gotls.VersionTLS13)
	c2.Write([]byte("x"))
	if _, err := c2.Read(buf); err == nil {
		t.Fatal("the connection outlived a panic in Await's function")
	}
	log.wait(t, func(err error) bool {
		return strings.Contains(err.Error(), "panic serving the connection: in Await: asked to")
	})
}
