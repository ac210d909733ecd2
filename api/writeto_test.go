package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"net"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
)

// TestWriteToCopiesUntilCloseNotify: WriteTo (what io.Copy from a socket
// uses) hands w every byte the peer sent, in order, and returns their
// count and a nil error at the peer's close_notify.
func TestWriteToCopiesUntilCloseNotify(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	a, b := net.Pipe()
	srv := api.NewServerSocket(a, pki.ServerConfig(1), nil)
	cli := api.NewClientSocket(b, pki.ClientConfig(2), engine.ClientOptions{ServerName: "localhost"})
	defer srv.Close()
	msg := make([]byte, 100_000)
	rand.Read(msg)
	go func() {
		if err := cli.Handshake(context.Background()); err == nil {
			cli.Write(msg)
		}
		cli.CloseWrite()
	}()
	var got bytes.Buffer
	n, err := srv.WriteTo(&got)
	if err != nil || n != int64(len(msg)) || !bytes.Equal(got.Bytes(), msg) {
		t.Fatalf("WriteTo = %d, %v; got %d bytes, equal %v", n, err, got.Len(), bytes.Equal(got.Bytes(), msg))
	}
	cli.Close()
}
