package api_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// keepAlivePosts is how many sequential POSTs the keep-alive tests send.
const keepAlivePosts = 200

// echoHandler answers a POST with its body.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Write(body)
}

// countNew counts the connections an http.Server accepted.
func countNew(n *atomic.Int32) func(net.Conn, http.ConnState) {
	return func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			n.Add(1)
		}
	}
}

// postAll sends keepAlivePosts POSTs one after the other and checks every
// echo.
func postAll(t *testing.T, client *http.Client, url string) {
	t.Helper()
	for i := range keepAlivePosts {
		body := fmt.Sprintf("request %d %s", i, strings.Repeat("x", i))
		resp, err := client.Post(url, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST %d: %v", i, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || string(got) != body {
			t.Fatalf("POST %d: status %d, %q, %v", i, resp.StatusCode, got, err)
		}
	}
}

// listenerServer is a listening server and its Server.Listener.
func listenerServer(t *testing.T, pki nodePKI) (*api.Server, net.Listener) {
	t.Helper()
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: pki.serverOptions()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln := srv.Listener()
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	return srv, ln
}

// TestHTTPKeepAliveBehindServerListener: net/http sets a read deadline in
// the past after every request to stop its background read; that timeout
// must not poison the socket, so Go's http.Client sends every POST over
// one kept-alive connection (issue 12, item 5).
func TestHTTPKeepAliveBehindServerListener(t *testing.T) {
	pki := newNodePKI(t)
	srv, ln := listenerServer(t, pki)
	var conns atomic.Int32
	hs := &http.Server{Handler: http.HandlerFunc(echoHandler), ConnState: countNew(&conns)}
	go hs.Serve(ln)
	defer hs.Close()

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pki.ca)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	defer tr.CloseIdleConnections()
	postAll(t, &http.Client{Transport: tr, Timeout: 30 * time.Second}, "https://127.0.0.1:"+strconv.Itoa(srv.Address().(*net.TCPAddr).Port)+"/")
	if n := conns.Load(); n != 1 {
		t.Errorf("%d POSTs used %d connections, want 1", keepAlivePosts, n)
	}
}

// TestHTTPKeepAliveOverConnect: the same with our client under Go's
// http.Transport (DialTLSContext) against net/http on crypto/tls.
func TestHTTPKeepAliveOverConnect(t *testing.T) {
	pki := newNodePKI(t)
	cert, err := tls.X509KeyPair(pki.chain, pki.key)
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(echoHandler))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.Config.ConnState = countNew(&conns)
	ts.StartTLS()
	defer ts.Close()

	tr := &http.Transport{DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, err
		}
		return api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}},
			Host: host, Port: p}, nil)
	}}
	defer tr.CloseIdleConnections()
	postAll(t, &http.Client{Transport: tr, Timeout: 30 * time.Second}, ts.URL+"/")
	if n := conns.Load(); n != 1 {
		t.Errorf("%d POSTs used %d connections, want 1", keepAlivePosts, n)
	}
}

// TestReadTimeoutIsTransient: a Read that hits its deadline returns a
// net.Error with Timeout(), and the socket goes on: later Reads and
// Writes work once the deadline is moved.
func TestReadTimeoutIsTransient(t *testing.T) {
	pki := newNodePKI(t)
	_, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}},
		Host: "127.0.0.1", Port: port}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	sock.SetReadDeadline(time.Now().Add(-time.Second))
	var ne net.Error
	if _, err := sock.Read(make([]byte, 1)); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read past the deadline: %v, want a timeout", err)
	}
	sock.SetReadDeadline(time.Time{})
	roundTrip(t, sock)
}

// TestRenegotiateTimeoutDestroysSocket: a renegotiation the peer never
// answers ends with ERR_TLS_HANDSHAKE_TIMEOUT once its deadline passes
// and the socket is closed. The deadline's error is not latched, so
// Renegotiate must act on the read that returned it rather than wait for
// it in s.err.
func TestRenegotiateTimeoutDestroysSocket(t *testing.T) {
	pki := newNodePKI(t)
	// TLS 1.2: renegotiation does not exist in TLS 1.3.
	s, c := tcpPair(t, pki, api.TLSSocketOptions{}, api.TLSSocketOptions{SecureContextOptions: api.SecureContextOptions{MaxVersion: "TLSv1.2"}})
	defer c.Close()
	errc := make(chan error, 1)
	go func() { errc <- s.Renegotiate(api.RenegotiateOptions{Timeout: 100 * time.Millisecond}, nil) }()
	var err error
	select {
	case err = <-errc:
	case <-time.After(20 * time.Second):
		t.Fatal("Renegotiate did not return after its timeout")
	}
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != "ERR_TLS_HANDSHAKE_TIMEOUT" {
		t.Fatalf("Renegotiate: %v", err)
	}
	if _, err := s.Write([]byte("x")); err == nil {
		t.Fatal("the socket still writes after the renegotiation timed out")
	}
}
