// Command https-server serves HTTP/1.1 and HTTP/2 over tlsengine with
// net/http (Server.HTTPListener): its page shows the request's HTTP
// protocol and the connection's TLS version, cipher, ALPN protocol and SNI
// name, which the handler reads from the request's context
// (SocketFromContext).
//
//	https-server [-addr 127.0.0.1:8443] [-key key.pem -cert cert.pem]
//
// Without -key and -cert it generates a self-signed certificate for
// localhost and 127.0.0.1. It prints "listening on ADDR" once bound, and
// shuts down gracefully on SIGINT or SIGTERM. Try it:
//
//	curl -k --http2 https://localhost:8443/
//	curl -k --http1.1 https://localhost:8443/
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	tls "github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "`host:port` to listen on (port 0 picks one)")
	keyFile := flag.String("key", "", "PEM private key `file` (default: a generated certificate)")
	certFile := flag.String("cert", "", "PEM certificate chain `file`, leaf first")
	flag.Parse()

	key, cert, err := credentials(*keyFile, *certFile)
	if err != nil {
		log.Fatal(err)
	}
	server, err := tls.CreateServer(tls.ServerOptions{
		SecureContextOptions: tls.SecureContextOptions{Key: []tls.KeyOption{{PEM: key}}, Cert: [][]byte{cert}},
		ALPNProtocols:        tls.HTTPProtocols(), // h2 first, then http/1.1
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(page), ReadHeaderTimeout: 10 * time.Second}
	ln := server.HTTPListener(hs)

	host, portStr, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatal(err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		log.Fatalf("-addr: bad port %q", portStr)
	}
	if err := server.Listen(port, host, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", server.Address())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(ctx) // closes the tlsengine server too
	}()
	if err := hs.Serve(ln); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// page shows the request's protocol and its connection's TLS parameters.
func page(w http.ResponseWriter, r *http.Request) {
	socket := tls.SocketFromContext(r.Context())
	cipher := socket.Cipher()
	alpn := socket.ALPNProtocol()
	if alpn == "" {
		alpn = "none"
	}
	sni := socket.Servername()
	if sni == "" {
		sni = "none"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "HTTP protocol: %s\nTLS version:   %s\nCipher:        %s (%s)\nALPN:          %s\nSNI:           %s\n",
		r.Proto, socket.Protocol(), cipher.Name, cipher.StandardName, alpn, sni)
}

// credentials reads the key and certificate files, or generates a
// self-signed certificate when neither is given.
func credentials(keyFile, certFile string) (key, cert []byte, err error) {
	switch {
	case keyFile == "" && certFile == "":
		c, err := certgen.SelfSigned(certgen.ECDSAP256, time.Now(), []string{"localhost", "127.0.0.1"}, rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		key, err := c.KeyPEM()
		return key, c.CertPEM(), err
	case keyFile == "" || certFile == "":
		return nil, nil, fmt.Errorf("-key and -cert go together")
	}
	if key, err = os.ReadFile(keyFile); err != nil {
		return nil, nil, err
	}
	cert, err = os.ReadFile(certFile)
	return key, cert, err
}
