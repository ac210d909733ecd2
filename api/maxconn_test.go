package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// Node: "server.maxConnections": with the limit reached, a new connection
// is dropped before its handshake; once one closes, the next is served.
func TestServerMaxConnections(t *testing.T) {
	pki := newNodePKI(t)
	srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	srv.SetMaxConnections(1)
	if srv.MaxConnections() != 1 {
		t.Fatal("MaxConnections() does not report the limit")
	}
	dial := func() (*api.TLSSocket, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}, Port: port}, nil)
	}
	first, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, first)
	if n := srv.Connections(); n != 1 {
		t.Fatalf("Connections() = %d", n)
	}
	if s, err := dial(); err == nil {
		s.Close()
		t.Fatal("a second connection was served beyond maxConnections")
	}
	first.Close()
	deadline := time.Now().Add(10 * time.Second)
	for srv.Connections() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	third, err := dial()
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	roundTrip(t, third)
	third.Close()
}
