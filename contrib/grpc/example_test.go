package grpc_test

import (
	"context"
	"log"
	"net"

	"google.golang.org/grpc"

	"github.com/tlsengine/tlsengine/api"
	tlsgrpc "github.com/tlsengine/tlsengine/contrib/grpc"
)

// A gRPC server and client on tlsengine, with mutual TLS; a handler reads
// the client's certificate from the connection. (Compiled, not run.)
func Example() {
	serverKey, serverCert, clientCA := []byte("..."), []byte("..."), []byte("...")
	creds, err := tlsgrpc.NewServerCredentials(api.ServerOptions{
		SecureContextOptions: api.SecureContextOptions{
			Key: []api.KeyOption{{PEM: serverKey}}, Cert: [][]byte{serverCert}, CA: [][]byte{clientCA},
		},
		RequestCert: true, RejectUnauthorized: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	s := grpc.NewServer(grpc.Creds(creds), grpc.UnaryInterceptor(
		func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
			if ai, ok := tlsgrpc.FromContext(ctx); ok {
				log.Printf("call from %v over %s", ai.Socket.PeerCertificate(false).Subject["CN"], ai.Socket.Protocol())
			}
			return next(ctx, req)
		}))
	ln, err := net.Listen("tcp", ":50051")
	if err != nil {
		log.Fatal(err)
	}
	go s.Serve(ln)

	clientKey, clientCert, serverCA := []byte("..."), []byte("..."), []byte("...")
	conn, err := grpc.NewClient("localhost:50051", grpc.WithTransportCredentials(tlsgrpc.NewClientCredentials(api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{
			Key: []api.KeyOption{{PEM: clientKey}}, Cert: [][]byte{clientCert}, CA: [][]byte{serverCA},
		},
	})))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
}
