package eventloop_test

import (
	"context"
	"log"
	"net"
	"os"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/eventloop"
)

// echo writes back what each client sends.
type echo struct{}

func (echo) Established(c *eventloop.Conn, st *engine.ConnectionState) {
	log.Printf("%s: handshake done", c.RemoteAddr())
}

func (echo) Data(c *eventloop.Conn, p []byte) { c.Write(p) }

// An echo server on event loops, its configuration made as Node's
// tls.createSecureContext makes one.
func ExampleServer() {
	key, _ := os.ReadFile("key.pem")
	chain, _ := os.ReadFile("cert.pem")
	ctx, err := api.CreateSecureContext(api.SecureContextOptions{Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8443})
	if err != nil {
		log.Fatal(err)
	}
	s := &eventloop.Server{
		Config:   ctx.EngineConfig(),
		Handler:  echo{},
		ErrorLog: func(peer net.Addr, err error) { log.Printf("%v: %v", peer, err) },
	}
	log.Fatal(s.Serve(context.Background(), ln))
}
