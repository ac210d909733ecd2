package api_test

import (
	"errors"
	"fmt"
	"os"

	tls "github.com/tlsengine/tlsengine/api"
)

func ExampleCheckServerIdentity() {
	cert := &tls.PeerCertificate{Subject: tls.DN{"CN": {"localhost"}}, SubjectAltName: "DNS:localhost, IP Address:127.0.0.1"}
	fmt.Println(tls.CheckServerIdentity("localhost", cert))
	fmt.Println(tls.CheckServerIdentity("127.0.0.1", cert))
	err := tls.CheckServerIdentity("example.com", cert)
	var e *tls.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
		fmt.Println(e.Message)
	}
	// Output:
	// <nil>
	// <nil>
	// ERR_TLS_CERT_ALTNAME_INVALID
	// Hostname/IP does not match certificate's altnames: Host: example.com. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1
}

// A checkServerIdentity that also pins the server's certificate, as in
// Node's documentation: the default check first, then the fingerprint.
func ExampleConnectOptions_checkServerIdentity() {
	const pinned = "A6:8E:..." // the expected fingerprint256
	socket, err := tls.Connect(tls.ConnectOptions{
		Host: "example.org", Port: 443,
		CheckServerIdentity: func(host string, cert *tls.PeerCertificate) error {
			if err := tls.CheckServerIdentity(host, cert); err != nil {
				return err
			}
			if cert.Fingerprint256 != pinned {
				return &tls.Error{Code: "ERR_CERT_PIN", Message: "certificate fingerprint mismatch: " + cert.Fingerprint256}
			}
			return nil
		},
	}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer socket.Close()
}

// A server whose key, certificate and chain come from a PKCS#12 file, as
// with Node's pfx option.
func ExampleCreateServer_pfx() {
	pfx, err := os.ReadFile("server.pfx")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	server, err := tls.CreateServer(tls.ServerOptions{
		SecureContextOptions: tls.SecureContextOptions{PFX: []tls.PFXOption{{Buf: pfx, Passphrase: "secret"}}},
	}, func(socket *tls.TLSSocket) {
		socket.Write([]byte("welcome!\n"))
		socket.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // a wrong passphrase: "mac verify failure"
		return
	}
	server.Listen(8000, "", nil)
}
