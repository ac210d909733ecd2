package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
)

// TestNetPipeNoDeadlock runs a handshake and data both ways over net.Pipe,
// whose writes block until the other side reads (golang/go#24198).
func TestNetPipeNoDeadlock(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	a, b := net.Pipe()
	server := api.NewServerSocket(a, pki.ServerConfig(1), nil)
	client := api.NewClientSocket(b, pki.ClientConfig(2), engine.ClientOptions{ServerName: "localhost"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		if err := server.Handshake(ctx); err != nil {
			errc <- err
			return
		}
		_, err := io.Copy(server, server) // echo until close_notify
		server.Close()
		errc <- err
	}()
	if err := client.Handshake(ctx); err != nil {
		t.Fatal(err)
	}
	msg := bytes.Repeat([]byte("pipe "), 10000)
	go func() {
		client.Write(msg)
		client.CloseWrite()
	}()
	got, err := io.ReadAll(client)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo of %d bytes, got %d: %v", len(msg), len(got), err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestFatalAlertClosesTransport: after a fatal alert nothing more is sent
// and the transport is closed.
func TestFatalAlertClosesTransport(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	a, b := net.Pipe()
	server := api.NewServerSocket(a, pki.ServerConfig(1), nil)
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake(context.Background()) }()
	go b.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	b.SetReadDeadline(time.Now().Add(5 * time.Second))
	all, err := io.ReadAll(b)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	// One alert record: fatal unexpected_message, then EOF.
	if !bytes.Equal(all, []byte{21, 3, 1, 0, 2, 2, 10}) {
		t.Fatalf("server sent %x", all)
	}
	var re *record.Error
	if err := <-errc; !errors.As(err, &re) || re.Alert != record.AlertUnexpectedMessage {
		t.Fatalf("server error %v", err)
	}
}

// TestHandshakeContextClosesSilentPeer: a context deadline ends a
// handshake with a peer that sends nothing, as Node's handshakeTimeout.
func TestHandshakeContextClosesSilentPeer(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	a, b := net.Pipe()
	defer b.Close()
	server := api.NewServerSocket(a, pki.ServerConfig(1), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := server.Handshake(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if _, err := b.Write([]byte{1}); err == nil {
		t.Fatal("the transport is still open")
	}
}

// TestTruncationIsReported: a transport that ends without close_notify is
// ECONNRESET, not a clean EOF.
func TestTruncationIsReported(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	a, b := net.Pipe()
	server := api.NewServerSocket(a, pki.ServerConfig(1), nil)
	client := api.NewClientSocket(b, pki.ClientConfig(2), engine.ClientOptions{ServerName: "localhost"})
	go func() {
		server.Handshake(context.Background())
		a.Close() // no close_notify
	}()
	if err := client.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := client.Read(make([]byte, 10))
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != "ECONNRESET" {
		t.Fatalf("got %v", err)
	}
}

// failingConn is a transport whose reads fail with err once failing is
// set, and which counts the writes tried after that.
type failingConn struct {
	net.Conn
	err        error
	failing    atomic.Bool
	lateWrites atomic.Int32
}

func (c *failingConn) Read(p []byte) (int, error) {
	if c.failing.Load() {
		return 0, c.err
	}
	return c.Conn.Read(p)
}

func (c *failingConn) Write(p []byte) (int, error) {
	if c.failing.Load() {
		c.lateWrites.Add(1)
	}
	return c.Conn.Write(p)
}

// TestCloseAfterResetSendsNothing: once the transport failed under a read
// (the peer reset the connection), Close closes it without trying a
// close_notify, which would only earn EPIPE and a SIGPIPE (issue 16: one
// failed write per connection that s_time resets). The reset reads as
// Node reports it.
func TestCloseAfterResetSendsNothing(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	a, b := net.Pipe()
	defer b.Close()
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	fc := &failingConn{Conn: a, err: reset}
	server := api.NewServerSocket(fc, pki.ServerConfig(1), nil)
	client := api.NewClientSocket(b, pki.ClientConfig(2), engine.ClientOptions{ServerName: "localhost"})
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake(context.Background()) }()
	if err := client.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	fc.failing.Store(true)
	// Node's error for it: code ECONNRESET, message "read ECONNRESET";
	// the errno stays reachable with errors.Is.
	_, err := server.Read(make([]byte, 1))
	var e *api.Error
	if !errors.Is(err, syscall.ECONNRESET) || !errors.As(err, &e) || e.Code != "ECONNRESET" || e.Message != "read ECONNRESET" {
		t.Fatalf("Read: %v, want Node's ECONNRESET over the reset", err)
	}
	server.Close()
	if n := fc.lateWrites.Load(); n != 0 {
		t.Fatalf("Close tried %d writes on a reset transport, want none", n)
	}
	if _, err := b.Write([]byte{1}); err == nil {
		t.Fatal("the transport is still open")
	}
}
