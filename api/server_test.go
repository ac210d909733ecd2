package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// nodePKI is a root, an intermediate and a leaf for "localhost", as PEM.
type nodePKI struct {
	ca, chain, key []byte
}

func newNodePKI(t testing.TB, names ...string) nodePKI {
	t.Helper()
	return newNodePKIOf(t, certgen.ECDSAP256, names...)
}

func newNodePKIOf(t testing.TB, kt certgen.KeyType, names ...string) nodePKI {
	t.Helper()
	if len(names) == 0 {
		names = []string{"localhost", "127.0.0.1"}
	}
	ch, err := certgen.NewChain(kt, time.Now(), names, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ch.Leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	return nodePKI{ca: ch.Root.CertPEM(), chain: append(ch.Leaf.CertPEM(), ch.Intermediate.CertPEM()...), key: key}
}

func (p nodePKI) serverOptions() api.SecureContextOptions {
	return api.SecureContextOptions{Key: []api.KeyOption{{PEM: p.key}}, Cert: [][]byte{p.chain}}
}

// echoServer starts a server echoing every secure connection and returns
// it with its port.
func echoServer(t *testing.T, opts api.ServerOptions) (*api.Server, int) {
	t.Helper()
	srv, err := api.CreateServer(opts, func(s *api.TLSSocket) {
		go func() { io.Copy(s, s); s.Close() }()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for srv.Address() == nil {
		time.Sleep(time.Millisecond)
	}
	return srv, srv.Address().(*net.TCPAddr).Port
}

func roundTrip(t *testing.T, s *api.TLSSocket) {
	t.Helper()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	msg := bytes.Repeat([]byte("node "), 5000)
	go s.Write(msg)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(s, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo: %v", err)
	}
}

func TestCreateServerAndConnect(t *testing.T) {
	pki := newNodePKI(t)
	_, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions(), ALPNProtocols: []string{"h2", "http/1.1"}})
	called := false
	sock, err := api.Connect(api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}},
		Port:                 port, ALPNProtocols: []string{"http/1.1", "h2"},
	}, func(s *api.TLSSocket) { called = true })
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	if !called || !sock.Authorized() || sock.ALPNProtocol() != "h2" || sock.Protocol() != "TLSv1.3" || sock.Servername() != "localhost" {
		t.Fatalf("callback %v, authorized %v, ALPN %q, protocol %q, SNI %q", called, sock.Authorized(), sock.ALPNProtocol(), sock.Protocol(), sock.Servername())
	}
	roundTrip(t, sock)
	// The (port, host, options, callback) form.
	s2, err := api.ConnectPort(port, "127.0.0.1", api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

func TestConnectOptionRejectUnauthorized(t *testing.T) {
	pki := newNodePKI(t)
	_, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	// Default: the server's root is not trusted, so the handshake fails
	// with Node's code.
	_, err := api.Connect(api.ConnectOptions{Port: port}, nil)
	var e *api.Error
	if !errors.As(err, &e) || e.Code != "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" {
		t.Fatalf("default connect: %v", err)
	}
	no := false
	sock, err := api.Connect(api.ConnectOptions{Port: port, RejectUnauthorized: &no}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	if sock.Authorized() || !errors.As(sock.AuthorizationError(), &e) || e.Code != "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" {
		t.Fatalf("authorized %v, error %v", sock.Authorized(), sock.AuthorizationError())
	}
	roundTrip(t, sock)
}

// TestCreateServerOptionHandshakeTimeout: a silent client gets tlsClientError with
// ERR_TLS_HANDSHAKE_TIMEOUT and its connection is closed.
func TestCreateServerOptionHandshakeTimeout(t *testing.T) {
	pki := newNodePKI(t)
	srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions(), HandshakeTimeout: 200 * time.Millisecond})
	errc := make(chan error, 1)
	srv.OnTLSClientError(func(err error, _ *api.TLSSocket) { errc <- err })
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	select {
	case err := <-errc:
		var e *api.Error
		if !errors.As(err, &e) || e.Code != "ERR_TLS_HANDSHAKE_TIMEOUT" {
			t.Fatalf("tlsClientError %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no tlsClientError")
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection still open after the timeout")
	}
}

// TestServerGetTicketKeysSetTicketKeys: resumption through Session bytes, two
// servers sharing TicketKeys, rotation with SetTicketKeys.
func TestServerGetTicketKeysSetTicketKeys(t *testing.T) {
	pki := newNodePKI(t)
	keys := bytes.Repeat([]byte{7}, 48)
	a, portA := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions(), TicketKeys: keys})
	_, portB := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions(), TicketKeys: keys})
	if !bytes.Equal(a.TicketKeys(), keys) {
		t.Fatal("TicketKeys differs from the option")
	}
	// TLS 1.2 tickets (TLS 1.3 resumption is not there yet).
	ca := api.SecureContextOptions{CA: [][]byte{pki.ca}, MaxVersion: "TLSv1.2"}
	first, err := api.Connect(api.ConnectOptions{SecureContextOptions: ca, Port: portA}, nil)
	if err != nil {
		t.Fatal(err)
	}
	saved := first.Session()
	first.Close()
	for _, port := range []int{portA, portB} {
		s, err := api.Connect(api.ConnectOptions{SecureContextOptions: ca, Port: port, Session: saved}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !s.IsSessionReused() || !s.Authorized() {
			t.Fatalf("port %d: reused %v authorized %v", port, s.IsSessionReused(), s.Authorized())
		}
		s.Close()
	}
	if err := a.SetTicketKeys(make([]byte, 32)); err == nil {
		t.Fatal("32-byte ticket keys accepted")
	}
	if _, err := api.CreateServer(api.ServerOptions{SecureContextOptions: pki.serverOptions(), TicketKeys: make([]byte, 47)}, nil); err == nil {
		t.Fatal("47-byte ticketKeys option accepted")
	}
	// Garbage session bytes: a full handshake, no error.
	s, err := api.Connect(api.ConnectOptions{SecureContextOptions: ca, Port: portA, Session: []byte("garbage")}, nil)
	if err != nil || s.IsSessionReused() {
		t.Fatalf("garbage session: %v", err)
	}
	s.Close()
}

// TestServerAddContext: Node's wildcard rules pick the certificate by SNI.
func TestServerAddContext(t *testing.T) {
	def, other := newNodePKI(t), newNodePKI(t, "a.example.com", "b.example.com")
	srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: def.serverOptions()})
	if err := srv.AddContext("*.example.com", other.serverOptions()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		servername string
		ca         []byte
	}{
		{"a.example.com", other.ca},
		{"localhost", def.ca},
		{"x.a.example.com", def.ca}, // "*" is one label
	}
	for _, tc := range cases {
		no := false
		s, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{tc.ca}},
			Port: port, Host: "127.0.0.1", Servername: tc.servername, RejectUnauthorized: &no}, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Authorization fails only on the name for x.a.example.com; the
		// chain must come from the expected root in every case.
		var e *api.Error
		if err := s.AuthorizationError(); err != nil && (!errors.As(err, &e) || e.Code != "ERR_TLS_CERT_ALTNAME_INVALID") {
			t.Fatalf("%s: served the wrong certificate: %v", tc.servername, err)
		}
		s.Close()
	}
}

// TestCreateServerOptionRequestCertRejectUnauthorized: a client without a certificate is
// refused and the server reports it. In TLS 1.2 the client's handshake
// fails; in TLS 1.3 (the default) the client finishes first, so, as in
// Node v20, connect succeeds and the refusal arrives after it: the client
// reads ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED and the server's
// tlsClientError has ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE.
func TestCreateServerOptionRequestCertRejectUnauthorized(t *testing.T) {
	pki := newNodePKI(t)
	for _, version := range []string{"TLSv1.2", "TLSv1.3"} {
		t.Run(version, func(t *testing.T) {
			srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions(), RequestCert: true, RejectUnauthorized: true})
			got := make(chan error, 1)
			srv.OnTLSClientError(func(err error, _ *api.TLSSocket) { got <- err })
			sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}, MaxVersion: version}, Port: port}, nil)
			var ae *api.Error
			if version == "TLSv1.2" && err == nil {
				t.Fatal("client without a certificate connected")
			}
			if version == "TLSv1.3" {
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				sock.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, err := sock.Read(make([]byte, 1))
				sock.Close()
				if !errors.As(err, &ae) || ae.Code != "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" {
					t.Fatalf("client read: %v, want ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", err)
				}
			}
			select {
			case err := <-got:
				if version == "TLSv1.3" && (!errors.As(err, &ae) || ae.Code != "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE") {
					t.Fatalf("tlsClientError %v, want ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", err)
				}
				if err == nil {
					t.Fatal("nil error")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no tlsClientError")
			}
		})
	}
}

// TestServerListenerServesHTTP: http.Serve runs on Server.Listener.
func TestServerListenerServesHTTP(t *testing.T) {
	pki := newNodePKI(t)
	srv, ln := listenerServer(t, pki)
	defer ln.Close()
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over "+r.Proto)
	}))
	for srv.Address() == nil {
		time.Sleep(time.Millisecond)
	}
	port := srv.Address().(*net.TCPAddr).Port
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}, Port: port}, nil)
		},
	}}
	resp, err := client.Get("https://localhost:" + strconv.Itoa(port) + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "hello over HTTP/1.1" {
		t.Fatalf("body %q", body)
	}
}

// TestServerEventNewSessionResumeSession is the seeds' example: newSession stores
// sessions in a map by hex id, resumeSession looks them up; two servers
// sharing the map resume each other's sessions, and secureConnection
// waits for newSession's done.
func TestServerEventNewSessionResumeSession(t *testing.T) {
	pki := newNodePKI(t)
	var mu sync.Mutex
	store := map[string][]byte{}
	held := make(chan func(), 1)
	secured := make(chan struct{}, 2)
	newServer := func(hold bool) int {
		srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions(), NoTickets: true})
		srv.OnSecureConnection(func(*api.TLSSocket) { secured <- struct{}{} })
		srv.OnNewSession(func(id, data []byte, done func()) {
			mu.Lock()
			store[hexOf(id)] = data
			mu.Unlock()
			if hold {
				held <- done
				return
			}
			done()
		})
		srv.OnResumeSession(func(id []byte, cb func([]byte, error)) {
			mu.Lock()
			data := store[hexOf(id)]
			mu.Unlock()
			cb(data, nil)
		})
		return port
	}
	portA, portB := newServer(true), newServer(false)
	// TLS 1.2 session ids (newSession and resumeSession in TLS 1.3 come
	// with TLS 1.3 resumption).
	ca := api.SecureContextOptions{CA: [][]byte{pki.ca}, MaxVersion: "TLSv1.2"}
	// The first connection's secureConnection waits for done.
	first, err := api.Connect(api.ConnectOptions{SecureContextOptions: ca, Port: portA}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var done func()
	select {
	case done = <-held:
	case <-time.After(5 * time.Second):
		t.Fatal("no newSession")
	}
	select {
	case <-secured:
		t.Fatal("secureConnection ran before newSession's done")
	case <-time.After(100 * time.Millisecond):
	}
	done()
	select {
	case <-secured:
	case <-time.After(5 * time.Second):
		t.Fatal("no secureConnection after done")
	}
	roundTrip(t, first)
	saved := first.Session()
	first.Close()
	mu.Lock()
	n := len(store)
	mu.Unlock()
	if n != 1 {
		t.Fatalf("store has %d sessions", n)
	}
	s, err := api.Connect(api.ConnectOptions{SecureContextOptions: ca, Port: portB, Session: saved}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.IsSessionReused() || !s.Authorized() {
		t.Fatalf("the other server: reused %v, authorized %v", s.IsSessionReused(), s.Authorized())
	}
}

// TestCreateSecureContextOptionECDHCurveFalse: with ecdhCurve false (NoECDH) the server negotiates a
// non-ECDHE suite with a client that offers both, in TLS 1.2: without
// a key exchange group TLS 1.3 is not possible.
func TestCreateSecureContextOptionECDHCurveFalse(t *testing.T) {
	pki := newNodePKIOf(t, certgen.RSA2048)
	opts := pki.serverOptions()
	opts.NoECDH = true
	_, port := echoServer(t, api.ServerOptions{SecureContextOptions: opts})
	s, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}, Port: port}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if eph := s.EphemeralKeyInfo(); eph.Type != "" || strings.HasPrefix(s.Cipher().Name, "ECDHE") || s.Protocol() != "TLSv1.2" {
		t.Fatalf("negotiated %s with %+v", s.Cipher().Name, eph)
	}
}

// TestServerEventResumeSessionBeforeSNICallback: Node v20 asks
// resumeSession before SNICallback, and SNICallback only when no session
// resumes (OpenSSL runs it from the certificate callback of a full
// handshake); so does this server.
func TestServerEventResumeSessionBeforeSNICallback(t *testing.T) {
	pki := newNodePKI(t)
	var mu sync.Mutex
	var asked []string
	store := map[string][]byte{}
	note := func(what string) {
		mu.Lock()
		asked = append(asked, what)
		mu.Unlock()
	}
	opts := api.ServerOptions{SecureContextOptions: pki.serverOptions(), NoTickets: true,
		SNICallback: func(string) (*api.SecureContext, error) { note("SNICallback"); return nil, nil }}
	srv, port := echoServer(t, opts)
	srv.OnNewSession(func(id, data []byte, done func()) {
		mu.Lock()
		store[hexOf(id)] = data
		mu.Unlock()
		done()
	})
	srv.OnResumeSession(func(id []byte, cb func([]byte, error)) {
		note("resumeSession")
		mu.Lock()
		data := store[hexOf(id)]
		mu.Unlock()
		cb(data, nil)
	})
	// TLS 1.2 session ids (TLS 1.3 resumption is not there yet).
	ca := api.SecureContextOptions{CA: [][]byte{pki.ca}, MaxVersion: "TLSv1.2"}
	connect := func(what string, sess []byte, reused bool, want ...string) []byte {
		t.Helper()
		mu.Lock()
		asked = nil
		mu.Unlock()
		s, err := api.Connect(api.ConnectOptions{SecureContextOptions: ca, Port: port, Session: sess}, nil)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, s)
		defer s.Close()
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(asked, want) || s.IsSessionReused() != reused {
			t.Errorf("%s: asked %v, reused %v; want %v, reused %v", what, asked, s.IsSessionReused(), want, reused)
		}
		return s.Session()
	}
	saved := connect("no session", nil, false, "SNICallback")
	connect("known session", saved, true, "resumeSession")
	mu.Lock()
	clear(store)
	mu.Unlock()
	connect("unknown session", saved, false, "resumeSession", "SNICallback")
}
