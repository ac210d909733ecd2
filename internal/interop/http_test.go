package interop

import (
	"context"
	gotls "crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// An HTTPS server on Server.Listener() (net/http's Serve over our
// sockets) answers curl and Go's http.Client on crypto/tls.
func TestHTTPSServerOnListener(t *testing.T) {
	p, err := newPKI(certgen.ECDSAP256, "localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(p.keyPEM)
	chain, _ := os.ReadFile(p.chainPEM)
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
		Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}}, ALPNProtocols: []string{"http/1.1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln := srv.Listener()
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.UserAgent()[:4]+" over "+r.Proto)
	}), ReadHeaderTimeout: peerTimeout}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	port := strconv.Itoa(srv.Address().(*net.TCPAddr).Port)

	curl := start(t, "curl", "-sS", "--max-time", "10", "--cacert", p.rootPEM, "-A", "curl",
		"--resolve", "localhost:"+port+":127.0.0.1", "https://localhost:"+port+"/")
	if err := curl.wait(peerTimeout); err != nil || curl.output() != "hello curl over HTTP/1.1" {
		t.Fatalf("curl: %v %q", err, curl.output())
	}

	roots := x509.NewCertPool()
	root, _ := x509.ParseCertificate(p.chain.Root.DER)
	roots.AddCert(root)
	client := &http.Client{Timeout: peerTimeout, Transport: &http.Transport{TLSClientConfig: &gotls.Config{RootCAs: roots}}}
	req, _ := http.NewRequest("GET", "https://localhost:"+port+"/", nil)
	req.Header.Set("User-Agent", "gohttp")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	// Both default to TLS 1.3.
	if string(body) != "hello goht over HTTP/1.1" || resp.TLS == nil || resp.TLS.Version != gotls.VersionTLS13 {
		t.Fatalf("Go's client got %q (TLS %+v)", body, resp.TLS)
	}
}

// An http.Transport whose DialTLSContext is our Connect fetches a page
// from openssl s_server -www.
func TestHTTPTransportOverConnect(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	_, addr := startSServer(t, p.chainArgs()...)
	_, port, _ := net.SplitHostPort(addr)
	portN, _ := strconv.Atoi(port)
	ca, _ := os.ReadFile(p.rootPEM)
	var dialed int
	client := &http.Client{Timeout: peerTimeout, Transport: &http.Transport{
		DialTLSContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			dialed++
			var err error
			for range 50 { // s_server may still be starting
				var s *api.TLSSocket
				if s, err = api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca}},
					Host: "127.0.0.1", Port: portN, Servername: "localhost"}, nil); err == nil {
					return s, nil
				}
				time.Sleep(50 * time.Millisecond)
			}
			return nil, err
		},
	}}
	resp, err := client.Get("https://localhost:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Ciphers supported in s_server binary") || dialed != 1 {
		t.Fatalf("status %d, dialed %d, page:\n%s", resp.StatusCode, dialed, body)
	}
}
