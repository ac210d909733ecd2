package api_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	tls "github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// credentials are an example's PEM files: a root to trust and a chain
// (leaf and intermediate) with its key for names. Real programs read
// theirs from disk.
type credentials struct{ ca, cert, key []byte }

func newCredentials(names ...string) credentials {
	ch, err := certgen.NewChain(certgen.ECDSAP256, time.Now(), names, rand.Reader)
	if err != nil {
		panic(err)
	}
	key, err := ch.Leaf.KeyPEM()
	if err != nil {
		panic(err)
	}
	return credentials{ca: ch.Root.CertPEM(), cert: append(ch.Leaf.CertPEM(), ch.Intermediate.CertPEM()...), key: key}
}

func (c credentials) options() tls.SecureContextOptions {
	return tls.SecureContextOptions{Key: []tls.KeyOption{{PEM: c.key}}, Cert: [][]byte{c.cert}}
}

func port(s *tls.Server) int { return s.Address().(*net.TCPAddr).Port }

// A server that greets each client and echoes what it sends, and a
// client: Node's tls documentation example.
func Example() {
	creds := newCredentials("localhost")
	server, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: creds.options()}, func(socket *tls.TLSSocket) {
		go func() {
			defer socket.Close()
			io.WriteString(socket, "welcome!\n")
			io.Copy(socket, socket)
		}()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	server.Listen(0, "127.0.0.1", nil)
	defer server.Close()

	socket, err := tls.Connect(tls.ConnectOptions{
		SecureContextOptions: tls.SecureContextOptions{CA: [][]byte{creds.ca}},
		Port:                 port(server),
	}, func(socket *tls.TLSSocket) {
		fmt.Println("client connected", map[bool]string{true: "authorized", false: "unauthorized"}[socket.Authorized()])
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer socket.Close()
	io.WriteString(socket, "hello\n")
	socket.CloseWrite()
	out, _ := io.ReadAll(socket)
	fmt.Print(string(out))
	// Output:
	// client connected authorized
	// welcome!
	// hello
}

// net/http on a tlsengine server: HTTP/2 for clients that choose h2 by
// ALPN, HTTP/1.1 for the others, and the connection's TLS parameters in
// each request's context. HTTPTransport is the client side.
func ExampleServer_HTTPListener() {
	creds := newCredentials("localhost")
	server, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: creds.options()}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		socket := tls.SocketFromContext(r.Context())
		fmt.Fprintf(w, "%s over TLS, ALPN %s, SNI %s", r.Proto, socket.ALPNProtocol(), socket.Servername())
	})}
	ln := server.HTTPListener(hs) // before Listen
	server.Listen(0, "127.0.0.1", nil)
	go hs.Serve(ln)
	defer hs.Shutdown(context.Background())

	client := &http.Client{Transport: tls.NewHTTPTransport(tls.ConnectOptions{
		SecureContextOptions: tls.SecureContextOptions{CA: [][]byte{creds.ca}},
	})}
	resp, err := client.Get("https://localhost:" + strconv.Itoa(port(server)) + "/")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output:
	// HTTP/2.0 over TLS, ALPN h2, SNI localhost
}

// A client that resumes its session on the next connection: Session
// after the first, the Session option on the second.
func ExampleConnectOptions_session() {
	creds := newCredentials("localhost")
	server, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: creds.options()}, func(socket *tls.TLSSocket) {
		io.WriteString(socket, "hi")
		socket.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	server.Listen(0, "127.0.0.1", nil)
	defer server.Close()

	var session []byte
	for i := range 2 {
		socket, err := tls.Connect(tls.ConnectOptions{
			SecureContextOptions: tls.SecureContextOptions{CA: [][]byte{creds.ca}},
			Port:                 port(server),
			Session:              session, // nil the first time
		}, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		io.ReadAll(socket) // a TLS 1.3 ticket comes after the handshake
		session = socket.Session()
		fmt.Printf("connection %d resumed: %v\n", i+1, socket.IsSessionReused())
		socket.Close()
	}
	// Output:
	// connection 1 resumed: false
	// connection 2 resumed: true
}

// A server with a certificate per host name (SNI): AddContext, as Node's
// server.addContext.
func ExampleServer_AddContext() {
	a, b := newCredentials("a.example"), newCredentials("b.example")
	server, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: a.options()}, func(socket *tls.TLSSocket) {
		io.WriteString(socket, "hello "+socket.Servername())
		socket.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	server.AddContext("b.example", b.options())
	server.Listen(0, "127.0.0.1", nil)
	defer server.Close()

	for _, c := range []struct {
		name string
		ca   []byte
	}{{"a.example", a.ca}, {"b.example", b.ca}} {
		socket, err := tls.Connect(tls.ConnectOptions{
			SecureContextOptions: tls.SecureContextOptions{CA: [][]byte{c.ca}},
			Host:                 "127.0.0.1", Port: port(server), Servername: c.name,
		}, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		greeting, _ := io.ReadAll(socket)
		fmt.Printf("%s: certificate for %s, %s\n", c.name, socket.PeerCertificate(false).Subject["CN"][0], greeting)
		socket.Close()
	}
	// Output:
	// a.example: certificate for a.example, hello a.example
	// b.example: certificate for b.example, hello b.example
}

// A server that requires client certificates from its own CA, and a
// client that presents one.
func ExampleServerOptions_requestCert() {
	serverCreds, clientCreds := newCredentials("localhost"), newCredentials("alice")
	options := tls.ServerOptions{SecureContextOptions: serverCreds.options(), RequestCert: true, RejectUnauthorized: true}
	options.CA = [][]byte{clientCreds.ca}
	server, err := tls.CreateServer(options, func(socket *tls.TLSSocket) {
		io.WriteString(socket, "hello "+socket.PeerCertificate(false).Subject["CN"][0])
		socket.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	server.Listen(0, "127.0.0.1", nil)
	defer server.Close()

	clientOptions := clientCreds.options()
	clientOptions.CA = [][]byte{serverCreds.ca}
	socket, err := tls.Connect(tls.ConnectOptions{SecureContextOptions: clientOptions, Port: port(server)}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer socket.Close()
	greeting, _ := io.ReadAll(socket)
	fmt.Println(string(greeting))

	// Without a certificate the server refuses the client: Connect fails
	// in TLS 1.2; in TLS 1.3 the client's handshake completes first and
	// the refusal (an alert) comes to its first Read.
	anonymous, err := tls.Connect(tls.ConnectOptions{SecureContextOptions: tls.SecureContextOptions{CA: [][]byte{serverCreds.ca}},
		Port: port(server)}, nil)
	if err == nil {
		_, err = io.ReadAll(anonymous)
		anonymous.Close()
	}
	fmt.Println("refused:", err != nil)
	// Output:
	// hello alice
	// refused: true
}
