// Command echo-client is the echo client of Node's tls documentation in
// Go: it connects, says whether the server is authorized, then copies
// stdin to the server and the server's answers to stdout until the
// server ends the connection.
//
//	echo-client -key client-key.pem -cert client-cert.pem -ca server-cert.pem
//	echo-client -pfx client.pfx [-passphrase P]
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	tls "github.com/tlsengine/tlsengine/api"
)

func main() {
	port := flag.Int("port", 8000, "server port")
	host := flag.String("host", "localhost", "server host")
	key := flag.String("key", "", "PEM private key `file` (client certificate authentication)")
	cert := flag.String("cert", "", "PEM certificate `file` (client certificate authentication)")
	ca := flag.String("ca", "", "PEM `file` trusted to verify the server")
	pfx := flag.String("pfx", "", "PKCS#12 `file` with the key and certificate (instead of -key and -cert)")
	passphrase := flag.String("passphrase", "", "`passphrase` of the -pfx file")
	flag.Parse()

	options := tls.ConnectOptions{SecureContextOptions: tls.SecureContextOptions{Passphrase: *passphrase}}
	if *pfx != "" {
		options.PFX = []tls.PFXOption{{Buf: readFile(*pfx)}}
	}
	if *key != "" {
		// Necessary only if using the client certificate authentication.
		options.Key = []tls.KeyOption{{PEM: readFile(*key)}}
		options.Cert = [][]byte{readFile(*cert)}
	}
	if *ca != "" {
		// Necessary only if the server uses the self-signed certificate.
		options.CA = [][]byte{readFile(*ca)}
	}

	socket, err := tls.ConnectPort(*port, *host, options, func(socket *tls.TLSSocket) {
		authorized := "unauthorized"
		if socket.Authorized() {
			authorized = "authorized"
		}
		fmt.Fprintln(os.Stderr, "client connected", authorized)
		go func() {
			io.Copy(socket, os.Stdin)
			socket.CloseWrite() // the end of stdin ends our side
		}()
	})
	if err != nil {
		log.Fatal(err)
	}
	defer socket.Close()
	if _, err := io.Copy(os.Stdout, socket); err != nil {
		log.Fatal(err)
	}
}

func readFile(name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil {
		log.Fatal(err)
	}
	return data
}
