package api_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// TestServerCloseCallback follows Node's server.close([callback]): new
// connections are refused at once, the open one goes on, and the close
// event and the callback come only once it has ended; a server that was
// not listening calls back with ERR_SERVER_NOT_RUNNING.
func TestServerCloseCallback(t *testing.T) {
	pki := newNodePKI(t)
	srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}, Port: port}, nil)
	if err != nil {
		t.Fatal(err)
	}
	closeEvent := make(chan struct{})
	srv.OnClose(func() { close(closeEvent) })
	cbErr := make(chan error, 1)
	if err := srv.Close(func(err error) { cbErr <- err }); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}, Port: port}, nil); err == nil {
		t.Fatal("a closed server accepted a connection")
	}
	roundTrip(t, sock) // the open connection still works
	select {
	case <-closeEvent:
		t.Fatal("close event with a connection open")
	case err := <-cbErr:
		t.Fatalf("close callback (%v) with a connection open", err)
	case <-time.After(100 * time.Millisecond):
	}
	sock.Close() // the echo server closes its end in turn
	wait(t, closeEvent, "the close event after the last connection ended")
	if err := wait(t, cbErr, "the close callback"); err != nil {
		t.Fatalf("close callback: %v", err)
	}
	if n := srv.Connections(); n != 0 {
		t.Fatalf("%d connections after the close event", n)
	}

	idle, err := api.CreateServer(api.ServerOptions{SecureContextOptions: pki.serverOptions()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	idle.Close(func(err error) { cbErr <- err })
	var ae *api.Error
	if err := wait(t, cbErr, "the close callback of a server never started"); !errors.As(err, &ae) || ae.Code != "ERR_SERVER_NOT_RUNNING" {
		t.Fatalf("close callback of a server never started: %v", err)
	}
}

// TestServerShutdown: Shutdown waits for connections that end in time and
// returns nil; at its context's deadline it closes the rest with
// close_notify (the client reads a clean EOF, not a reset) and returns
// the context's error. RegisterOnShutdown functions run when it begins,
// and a server socket's Context ends with the socket.
func TestServerShutdown(t *testing.T) {
	pki := newNodePKI(t)
	connect := func(port int) *api.TLSSocket {
		sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}, Port: port}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return sock
	}

	// Connections that end in time: the hook tells the client to go.
	srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	sock := connect(port)
	roundTrip(t, sock)
	srv.RegisterOnShutdown(func() { sock.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), hangCap)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a connection ending in time: %v", err)
	}

	// A connection that stays: closed at the deadline, with close_notify.
	served := make(chan *api.TLSSocket, 1)
	srv2, err := api.CreateServer(api.ServerOptions{SecureContextOptions: pki.serverOptions()}, func(s *api.TLSSocket) { served <- s })
	if err != nil {
		t.Fatal(err)
	}
	if err := srv2.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	sock2 := connect(srv2.Address().(*net.TCPAddr).Port)
	defer sock2.Close()
	ss := wait(t, served, "secureConnection")
	go io.Copy(io.Discard, ss) // the application reads and never closes
	ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if err := srv2.Shutdown(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown past its deadline: %v", err)
	}
	if d := time.Since(start); d > hangCap/2 {
		t.Fatalf("Shutdown took %v past a 200ms deadline", d)
	}
	select {
	case <-ss.Context().Done():
	default:
		t.Fatal("the server socket's Context is not done after Shutdown closed it")
	}
	if api.SocketFromContext(ss.Context()) != ss {
		t.Fatal("SocketFromContext(socket.Context()) is not the socket")
	}
	sock2.SetReadDeadline(time.Now().Add(hangCap))
	if n, err := sock2.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("client read after Shutdown: %d, %v; want io.EOF (close_notify)", n, err)
	}
	if n := srv2.Connections(); n != 0 {
		t.Fatalf("%d connections after Shutdown", n)
	}
}

// TestHTTPShutdown: http.Server.Shutdown on HTTPListener closes the
// tlsengine server too: the idle kept-alive connection is closed and the
// server's close event follows.
func TestHTTPShutdown(t *testing.T) {
	pki := newNodePKI(t)
	hs := &http.Server{Handler: http.HandlerFunc(describe)}
	srv, served := serveHTTP(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()}, hs)
	closeEvent := make(chan struct{})
	srv.OnClose(func() { close(closeEvent) })
	c, tr := goClient(pki, true)
	defer tr.CloseIdleConnections()
	get(t, c, "https://localhost:"+strconv.Itoa(srv.Address().(*net.TCPAddr).Port)+"/")
	ctx, cancel := context.WithTimeout(context.Background(), hangCap)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, served, "Serve to return"); err != http.ErrServerClosed {
		t.Fatalf("Serve: %v", err)
	}
	wait(t, closeEvent, "the server's close event after http.Server.Shutdown")
}

// TestShutdownUnderHTTP: the tlsengine server's own Shutdown, with
// net/http serving on HTTPListener, ends hs.Serve (Accept fails once the
// server is closed) and closes the kept-alive connection at the deadline:
// nothing hangs.
func TestShutdownUnderHTTP(t *testing.T) {
	pki := newNodePKI(t)
	hs := &http.Server{Handler: http.HandlerFunc(describe)}
	srv, served := serveHTTP(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()}, hs)
	c, tr := goClient(pki, false)
	defer tr.CloseIdleConnections()
	get(t, c, "https://localhost:"+strconv.Itoa(srv.Address().(*net.TCPAddr).Port)+"/")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with an idle kept-alive connection: %v", err)
	}
	if err := wait(t, served, "hs.Serve to return after the server's Shutdown"); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("hs.Serve: %v", err)
	}
	if n := srv.Connections(); n != 0 {
		t.Fatalf("%d connections after Shutdown", n)
	}
}
