// Command echo-server is the echo server of Node's tls documentation in
// Go: it greets each client with "welcome!" and echoes what it sends.
//
//	echo-server -key server-key.pem -cert server-cert.pem -ca client-cert.pem
//	echo-server -pfx server.pfx [-passphrase P]
//
// Test it with `openssl s_client -connect 127.0.0.1:8000` or echo-client.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"

	tls "github.com/tlsengine/tlsengine/api"
)

func main() {
	port := flag.Int("port", 8000, "port to listen on (0 picks one)")
	host := flag.String("host", "", "address to listen on (default: all)")
	key := flag.String("key", "", "PEM private key `file`")
	cert := flag.String("cert", "", "PEM certificate `file`")
	ca := flag.String("ca", "", "PEM `file` trusted to verify client certificates")
	pfx := flag.String("pfx", "", "PKCS#12 `file` with the key and certificate (instead of -key and -cert)")
	passphrase := flag.String("passphrase", "", "`passphrase` of the -pfx file")
	flag.Parse()

	options := tls.ServerOptions{
		SecureContextOptions: tls.SecureContextOptions{Passphrase: *passphrase},
		// This is necessary only if using the client certificate
		// authentication.
		RequestCert: true,
	}
	if *pfx != "" {
		options.PFX = []tls.PFXOption{{Buf: readFile(*pfx)}}
	} else {
		options.Key = []tls.KeyOption{{PEM: readFile(*key)}}
		options.Cert = [][]byte{readFile(*cert)}
	}
	if *ca != "" {
		// This is necessary only if the client uses the self-signed
		// certificate.
		options.CA = [][]byte{readFile(*ca)}
	}

	server, err := tls.CreateServer(options, func(socket *tls.TLSSocket) {
		authorized := "unauthorized"
		if socket.Authorized() {
			authorized = "authorized"
		}
		fmt.Println("server connected", authorized)
		go func() {
			defer socket.Close()
			socket.Write([]byte("welcome!\n"))
			io.Copy(socket, socket)
		}()
	})
	if err != nil {
		log.Fatal(err)
	}
	// server.Listen(port, host, cb) does this in the background; here the
	// bound address (with -port 0) is printed first.
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("server bound", ln.Addr())
	log.Fatal(server.Serve(ln))
}

func readFile(name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil {
		log.Fatal(err)
	}
	return data
}
