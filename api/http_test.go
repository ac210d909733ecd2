package api_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// describe is a handler that reports the request's HTTP protocol and its
// connection's TLS parameters, from SocketFromContext.
func describe(w http.ResponseWriter, r *http.Request) {
	s := api.SocketFromContext(r.Context())
	if s == nil {
		http.Error(w, "no socket in the request's context", http.StatusInternalServerError)
		return
	}
	peer := ""
	if c := s.PeerCertificate(false); c != nil {
		peer = c.Subject["CN"][0]
	}
	fmt.Fprintf(w, "%s %s %s alpn=%s sni=%s peer=%s", r.Proto, s.Protocol(), s.Cipher().StandardName, s.ALPNProtocol(), s.Servername(), peer)
}

// serveHTTP serves hs on a new listening server with opts through
// HTTPListener; it returns the server and Serve's result to come. hs is
// closed when the test ends.
func serveHTTP(t *testing.T, opts api.ServerOptions, hs *http.Server) (*api.Server, <-chan error) {
	t.Helper()
	srv, err := api.CreateServer(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln := srv.HTTPListener(hs)
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() { hs.Close() })
	return srv, served
}

// httpServer serves describe through HTTPListener and counts the
// connections net/http accepted.
func httpServer(t *testing.T, opts api.ServerOptions) (port int, conns *atomic.Int32) {
	t.Helper()
	conns = new(atomic.Int32)
	srv, _ := serveHTTP(t, opts, &http.Server{Handler: http.HandlerFunc(describe), ConnState: countNew(conns), ReadHeaderTimeout: 10 * time.Second})
	return srv.Address().(*net.TCPAddr).Port, conns
}

// goClient is Go's http.Client on crypto/tls trusting pki's root, with
// the given protocols.
func goClient(pki nodePKI, h2 bool) (*http.Client, *http.Transport) {
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pki.ca)
	var p http.Protocols
	p.SetHTTP1(!h2)
	p.SetHTTP2(h2)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, Protocols: &p}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, tr
}

func get(t *testing.T, c *http.Client, url string) (string, *http.Response) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v: %s", resp.StatusCode, err, b)
	}
	return string(b), resp
}

// TestHTTPListenerGoClient: Go's http.Client speaks HTTP/2 and HTTP/1.1
// to net/http behind HTTPListener, with the TLS parameters in the
// handler's context, and every request of a client over one connection.
func TestHTTPListenerGoClient(t *testing.T) {
	pki := newNodePKI(t)
	port, conns := httpServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	url := "https://localhost:" + strconv.Itoa(port) + "/"
	for _, tc := range []struct {
		h2          bool
		proto, alpn string
	}{
		// Go's client offers ALPN only when it may speak HTTP/2.
		{true, "HTTP/2.0", "h2"},
		{false, "HTTP/1.1", ""},
	} {
		before := conns.Load()
		c, tr := goClient(pki, tc.h2)
		for range 20 {
			got, resp := get(t, c, url)
			want := fmt.Sprintf("%s %s %s alpn=%s sni=localhost peer=", tc.proto, nodeVersion(resp.TLS.Version),
				tls.CipherSuiteName(resp.TLS.CipherSuite), tc.alpn)
			if got != want || resp.Proto != tc.proto || resp.TLS.NegotiatedProtocol != tc.alpn {
				t.Fatalf("got %q over %s, want %q", got, resp.Proto, want)
			}
		}
		tr.CloseIdleConnections()
		if n := conns.Load() - before; n != 1 {
			t.Errorf("h2 %v: 20 requests used %d connections, want 1", tc.h2, n)
		}
	}
}

// nodeVersion is Node's name of a crypto/tls version number.
func nodeVersion(v uint16) string {
	return map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}[v]
}

// TestHTTPTransportGoServer: HTTPTransport speaks HTTP/2 to Go's
// crypto/tls server when it offers h2 and falls back to HTTP/1.1 when it
// does not, each time over one kept-alive connection.
func TestHTTPTransportGoServer(t *testing.T) {
	pki := newNodePKI(t)
	cert, err := tls.X509KeyPair(pki.chain, pki.key)
	if err != nil {
		t.Fatal(err)
	}
	for _, h2 := range []bool{true, false} {
		var conns atomic.Int32
		ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s", r.Proto, r.TLS.NegotiatedProtocol)
		}))
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		ts.EnableHTTP2 = h2
		ts.Config.ConnState = countNew(&conns)
		ts.StartTLS()
		tr := api.NewHTTPTransport(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}})
		c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		want := "HTTP/1.1 http/1.1"
		if h2 {
			want = "HTTP/2.0 h2"
		}
		var wg sync.WaitGroup
		for range 5 { // concurrent first requests share the first dial
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					resp, err := c.Get(ts.URL + "/")
					if err != nil {
						t.Error(err)
						return
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if string(b) != want || resp.Proto != want[:8] {
						t.Errorf("got %q over %s, want %q", b, resp.Proto, want)
					}
				}
			}()
		}
		wg.Wait()
		tr.CloseIdleConnections()
		ts.Close()
		// HTTP/1.1's pool may dial more than one per client when a
		// connection comes back while another is being dialed.
		if n := conns.Load(); h2 && n != 1 {
			t.Errorf("HTTP/2: 50 requests used %d connections, want 1", n)
		}
	}
}

// TestHTTPTransportOursBothWays: HTTPTransport against HTTPListener.
func TestHTTPTransportOursBothWays(t *testing.T) {
	pki := newNodePKI(t)
	for _, alpn := range [][]string{nil, {"http/1.1"}} {
		port, conns := httpServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions(), ALPNProtocols: alpn})
		tr := api.NewHTTPTransport(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}})
		c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		proto, chosen := "HTTP/2.0", "h2"
		if alpn != nil {
			proto, chosen = "HTTP/1.1", "http/1.1"
		}
		for range 20 {
			got, resp := get(t, c, "https://localhost:"+strconv.Itoa(port)+"/")
			if resp.Proto != proto || !strings.HasPrefix(got, proto+" ") || !strings.Contains(got, " alpn="+chosen+" ") {
				t.Fatalf("server ALPN %q: got %q over %s", alpn, got, resp.Proto)
			}
		}
		tr.CloseIdleConnections()
		if n := conns.Load(); n != 1 {
			t.Errorf("server ALPN %q: 20 requests used %d connections, want 1", alpn, n)
		}
	}
}

// TestHTTPListenerHoldsALPN: a client that chose h2 must send the HTTP/2
// preface and one that did not may not (RFC 7540, Section 3.3); either
// breach closes the connection without an answer, while the matching
// protocol is answered.
func TestHTTPListenerHoldsALPN(t *testing.T) {
	pki := newNodePKI(t)
	port, _ := httpServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	const get11 = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	for _, tc := range []struct {
		alpn, send string
		answered   bool
	}{
		{"h2", get11, false},
		{"http/1.1", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false},
		{"", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false},
		{"http/1.1", get11, true},
		{"", get11, true},
	} {
		var alpn []string
		if tc.alpn != "" {
			alpn = []string{tc.alpn}
		}
		sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}},
			Port: port, ALPNProtocols: alpn}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sock.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(sock, tc.send); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(io.LimitReader(sock, 12))
		sock.Close()
		if answered := string(got) == "HTTP/1.1 200"; answered != tc.answered || (!answered && len(got) != 0) {
			t.Errorf("ALPN %q, sent %q: got %q (%v), want answered %v", tc.alpn, tc.send[:14], got, err, tc.answered)
		}
	}
}

// TestHTTPTransportResumes: a new connection of HTTPTransport to a host
// resumes the session of the previous one.
func TestHTTPTransportResumes(t *testing.T) {
	pki := newNodePKI(t)
	srv, _ := serveHTTP(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()}, &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, api.SocketFromContext(r.Context()).IsSessionReused())
		})})
	tr := api.NewHTTPTransport(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}})
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := "https://localhost:" + strconv.Itoa(srv.Address().(*net.TCPAddr).Port) + "/"
	for i, want := range []string{"false", "true", "true"} {
		if got, _ := get(t, c, url); got != want {
			t.Fatalf("connection %d: resumed %s, want %s", i+1, got, want)
		}
		tr.CloseIdleConnections() // the next request dials again
	}
}

// TestHTTPListenerInadequateSecurity: a client that chose h2 on a suite
// HTTP/2 prohibits (RFC 7540, Section 9.2.2: CBC, or no ephemeral key
// exchange) gets the server's preface and GOAWAY(INADEQUATE_SECURITY),
// then the end of the connection; the same client on HTTP/1.1 is served.
func TestHTTPListenerInadequateSecurity(t *testing.T) {
	pki := newNodePKIOf(t, certgen.RSA2048)
	port, _ := httpServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	goaway := []byte{0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc}
	for _, tc := range []struct{ ciphers, alpn string }{
		{"ECDHE-RSA-AES128-SHA", "h2"},
		{"AES128-GCM-SHA256", "h2"},
		{"ECDHE-RSA-AES128-SHA", "http/1.1"},
	} {
		sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca},
			Ciphers: tc.ciphers, MaxVersion: "TLSv1.2"}, Port: port, ALPNProtocols: []string{tc.alpn}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sock.SetDeadline(time.Now().Add(10 * time.Second))
		if tc.alpn == "h2" {
			io.WriteString(sock, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
			got, err := io.ReadAll(sock)
			if !bytes.Equal(got, goaway) || err != nil {
				t.Errorf("%s with h2: got %x (%v), want %x and close_notify", tc.ciphers, got, err, goaway)
			}
		} else {
			io.WriteString(sock, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
			got, _ := io.ReadAll(sock)
			if !bytes.HasPrefix(got, []byte("HTTP/1.1 200")) {
				t.Errorf("%s with http/1.1: got %q", tc.ciphers, got)
			}
		}
		sock.Close()
	}
}

// TestHTTPListenerNoRenegotiationOnH2: an HTTP/2 connection may not
// renegotiate (RFC 7540, Section 9.2.1): the client's attempt fails with a
// fatal alert and the server socket's error listeners get
// ERR_TLS_RENEGOTIATION_DISABLED; an HTTP/1.1 connection still
// renegotiates.
func TestHTTPListenerNoRenegotiationOnH2(t *testing.T) {
	pki := newNodePKI(t)
	socketErrs := make(chan error, 4)
	srv, _ := serveHTTP(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()}, &http.Server{
		Handler: http.HandlerFunc(describe), ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			api.SocketFromContext(ctx).OnError(func(err error) { socketErrs <- err })
			return ctx
		}})
	for _, alpn := range []string{"h2", "http/1.1"} {
		sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca},
			MaxVersion: "TLSv1.2"}, Port: srv.Address().(*net.TCPAddr).Port, ALPNProtocols: []string{alpn}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if alpn == "h2" {
			io.WriteString(sock, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
		}
		go io.Copy(io.Discard, sock) // the server's SETTINGS
		err = sock.Renegotiate(api.RenegotiateOptions{Timeout: 10 * time.Second}, nil)
		sock.Close()
		if alpn == "http/1.1" {
			if err != nil {
				t.Fatalf("http/1.1: Renegotiate: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "peer sent fatal alert") {
			t.Fatalf("h2: Renegotiate: %v, want the server's fatal alert", err)
		}
		if err := wait(t, socketErrs, "the server socket's error"); err != api.ErrTLSRenegotiationDisabled {
			t.Fatalf("h2: server socket error %v", err)
		}
	}
}
