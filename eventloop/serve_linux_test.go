//go:build linux

package eventloop

import (
	"bytes"
	"context"
	"crypto/rand"
	gotls "crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
)

// echo writes back what it receives; "panic" makes it panic.
type echo struct{}

func (echo) Established(*Conn, *engine.ConnectionState) {}
func (echo) Data(c *Conn, p []byte) {
	if string(p) == "panic" {
		panic("asked to")
	}
	c.Write(p)
}

// errorLog collects the errors a server reports.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(_ net.Addr, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) wait(t *testing.T, match func(error) bool) error {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		l.mu.Lock()
		for _, err := range l.errs {
			if match(err) {
				l.mu.Unlock()
				return err
			}
		}
		l.mu.Unlock()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Fatalf("no such error reported; got %v", l.errs)
	return nil
}

// start serves with handler h on a loopback port until the test ends and
// returns the address and the errors it reports.
func start(t *testing.T, h Handler, adjust func(*Server)) (string, *errorLog, func() error) {
	t.Helper()
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	cfg := pki.ServerConfig(1)
	cfg.Rand, cfg.Now = rand.Reader, time.Now
	log := &errorLog{}
	s := &Server{Config: cfg, Handler: h, ErrorLog: log.add, Loops: 2}
	if adjust != nil {
		adjust(s)
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			return errors.New("Serve did not return within 5s of its context ending")
		}
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { stop() }) })
	return addr, log, func() (err error) {
		once.Do(func() { err = stop() })
		return err
	}
}

// dialRaw opens a TCP connection to addr, closed and bounded to 10
// seconds for the test.
func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

func dial(t *testing.T, addr string, version uint16) *gotls.Conn {
	t.Helper()
	c, err := gotls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&gotls.Config{InsecureSkipVerify: true, MinVersion: version, MaxVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

func TestEcho(t *testing.T) {
	addr, _, _ := start(t, echo{}, nil)
	for _, v := range []uint16{gotls.VersionTLS12, gotls.VersionTLS13} {
		c := dial(t, addr, v)
		if got := c.ConnectionState().Version; got != v {
			t.Fatalf("negotiated %x, want %x", got, v)
		}
		msg := []byte(fmt.Sprintf("hello over %x", v))
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("echo: %q, %v; want %q", got, err, msg)
		}
	}
}

// Many clients at once, each echoing several messages, spread over the
// loops.
func TestManyConnections(t *testing.T) {
	addr, log, _ := start(t, echo{}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := gotls.Dial("tcp", addr, &gotls.Config{InsecureSkipVerify: true})
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			for j := range 5 {
				msg := []byte(fmt.Sprintf("client %d message %d", i, j))
				got := make([]byte, len(msg))
				if _, err := c.Write(msg); err != nil {
					errs <- err
					return
				}
				if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
					errs <- fmt.Errorf("client %d: %q, %v", i, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.errs) > 0 {
		t.Errorf("server reported %v", log.errs)
	}
}

// A peer that sends faster than it reads fills the socket's send buffer:
// the loop keeps the rest, stops reading that peer until it drains, and
// every byte comes back in order.
func TestBulkEchoUnderBackpressure(t *testing.T) {
	addr, _, _ := start(t, echo{}, nil)
	c := dial(t, addr, gotls.VersionTLS13)
	data := make([]byte, 8<<20)
	rand.Read(data)
	werr := make(chan error, 1)
	go func() {
		// Write everything before reading anything back, in pieces, so
		// that the echo piles up in the kernel and then in the Conn.
		for p := data; len(p) > 0; p = p[min(len(p), 1<<20):] {
			if _, err := c.Write(p[:min(len(p), 1<<20)]); err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	}()
	time.Sleep(200 * time.Millisecond) // let the buffers fill
	got := make([]byte, len(data))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if err := <-werr; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the echoed bytes differ from those sent")
	}
}

func TestHandshakeTimeout(t *testing.T) {
	addr, log, _ := start(t, echo{}, func(s *Server) { s.HandshakeTimeout = 200 * time.Millisecond })
	c := dialRaw(t, addr)
	t0 := time.Now()
	n, err := c.Read(make([]byte, 1))
	if n != 0 || err != io.EOF {
		t.Fatalf("read %d, %v; want the server to close the connection", n, err)
	}
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Errorf("closed after %v, before the 200ms timeout", d)
	}
	log.wait(t, func(err error) bool { return errors.Is(err, ErrHandshakeTimeout) })
}

// Bytes that are not TLS get a fatal alert record and the close.
func TestGarbageGetsAlert(t *testing.T) {
	addr, log, _ := start(t, echo{}, nil)
	c := dialRaw(t, addr)
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	got, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Fatal(err)
	}
	if len(got) != 7 || got[0] != 21 || got[5] != 2 {
		t.Fatalf("server sent % x; want one fatal alert record", got)
	}
	log.wait(t, func(err error) bool {
		var he *HandshakeError
		return errors.As(err, &he) && strings.HasPrefix(he.Err.Error(), "tls: ")
	})
}

// tap records the bytes read from a connection.
type tap struct {
	net.Conn
	mu   sync.Mutex
	read []byte
}

func (t *tap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.mu.Lock()
	t.read = append(t.read, p[:n]...)
	t.mu.Unlock()
	return n, err
}

// alertRecords counts the alert records in a TLS 1.2 byte stream (whose
// alerts keep their content type when encrypted).
func (t *tap) alertRecords() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for b := t.read; len(b) >= 5; {
		size := 5 + (int(b[3])<<8 | int(b[4]))
		if size > len(b) {
			break
		}
		if b[0] == 21 {
			n++
		}
		b = b[size:]
	}
	return n
}

// dialTapped dials a TLS 1.2 client whose raw input is recorded.
func dialTapped(t *testing.T, addr string) (*gotls.Conn, *tap) {
	t.Helper()
	tp := &tap{Conn: dialRaw(t, addr)}
	c := gotls.Client(tp, &gotls.Config{InsecureSkipVerify: true, MaxVersion: gotls.VersionTLS12})
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	return c, tp
}

// close_notify is answered with close_notify.
func TestCloseNotifyAnswered(t *testing.T) {
	addr, log, _ := start(t, echo{}, nil)
	c, tp := dialTapped(t, addr)
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read %d, %v; want io.EOF", n, err)
	}
	if n := tp.alertRecords(); n != 1 {
		t.Fatalf("%d alert records from the server; want its close_notify", n)
	}
	c13 := dial(t, addr, gotls.VersionTLS13)
	c13.CloseWrite()
	if n, err := c13.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("TLS 1.3: read %d, %v; want io.EOF", n, err)
	}
	time.Sleep(50 * time.Millisecond)
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.errs) > 0 {
		t.Errorf("an orderly close reported %v", log.errs)
	}
}

// A handler that panics ends its own connection, not the loop.
func TestHandlerPanicEndsOneConnection(t *testing.T) {
	addr, log, _ := start(t, echo{}, func(s *Server) { s.Loops = 1 })
	other := dial(t, addr, gotls.VersionTLS13)
	c := dial(t, addr, gotls.VersionTLS13)
	c.Write([]byte("panic"))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the panicking connection stays open")
	}
	log.wait(t, func(err error) bool { return strings.Contains(err.Error(), "panic") })
	other.Write([]byte("still here"))
	got := make([]byte, 10)
	if _, err := io.ReadFull(other, got); err != nil || string(got) != "still here" {
		t.Fatalf("the other connection: %q, %v", got, err)
	}
}

// Stopping closes established connections with close_notify and returns
// nil.
func TestStopSendsCloseNotify(t *testing.T) {
	addr, _, stop := start(t, echo{}, nil)
	c, tp := dialTapped(t, addr)
	c.Write([]byte("x"))
	io.ReadFull(c, make([]byte, 1))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read %d, %v after stop; want io.EOF", n, err)
	}
	if n := tp.alertRecords(); n != 1 {
		t.Fatalf("%d alert records from the server; want its close_notify", n)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("the listener still accepts after stop")
	}
}

// A peer that half-closes while not reading leaves the loop waiting for
// writability, not spinning on the hang-up.
func TestHalfClosedPeerWithPendingOutput(t *testing.T) {
	addr, _, _ := start(t, echo{}, nil)
	raw := dialRaw(t, addr)
	raw.(*net.TCPConn).SetReadBuffer(4096)
	c := gotls.Client(raw, &gotls.Config{InsecureSkipVerify: true})
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	// Enough echo to fill both sockets' buffers while nobody reads.
	chunk := make([]byte, 64<<10)
	for range 64 {
		c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		if _, err := c.Write(chunk); err != nil {
			break
		}
	}
	raw.(*net.TCPConn).CloseWrite()
	time.Sleep(100 * time.Millisecond)
	before := cpuTime(t)
	time.Sleep(500 * time.Millisecond)
	if used := cpuTime(t) - before; used > 150*time.Millisecond {
		t.Fatalf("the process used %v of CPU in 500ms with one stalled peer: the loop spins", used)
	}
}

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
