package api_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// A socket NewTLSSocket made with a server emits that server's newSession
// through HandshakeSocket (Node emits it for such sockets), so a shared
// store sees sessions of connections the application accepted itself.
// TLS 1.2 sessions by id: with tickets off, TLS 1.3 has no session to
// store here (OpenSSL's stateful TLS 1.3 tickets are not implemented).
func TestServerHandshakeSocketEmitsNewSession(t *testing.T) {
	pki := newNodePKI(t)
	opts := pki.serverOptions()
	opts.MaxVersion = "TLSv1.2"
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: opts, NoTickets: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 2)
	srv.OnNewSession(func(id, data []byte, done func()) { got <- id; done() })
	if srv.SessionTimeout() != 300*time.Second || srv.SessionIDContext() != "" {
		t.Fatalf("SessionTimeout %v, SessionIDContext %q", srv.SessionTimeout(), srv.SessionIDContext())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	errc := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			errc <- err
			return
		}
		sock, err := api.NewTLSSocket(conn, api.TLSSocketOptions{IsServer: true, Server: srv})
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = srv.HandshakeSocket(ctx, sock)
			cancel()
			sock.Close()
		}
		errc <- err
	}()
	client, err := api.Connect(api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}},
		Host:                 "localhost", Port: ln.Addr().(*net.TCPAddr).Port,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if len(id) != 32 {
			t.Fatalf("newSession id of %d bytes", len(id))
		}
	default:
		t.Fatal("no newSession for a socket of the server")
	}
}
