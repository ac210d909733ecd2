package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// tcpPair connects a server and a client NewTLSSocket over loopback TCP
// (loopbackConns) and completes their handshake.
func tcpPair(t *testing.T, pki nodePKI, server, client api.TLSSocketOptions) (*api.TLSSocket, *api.TLSSocket) {
	t.Helper()
	a, z := loopbackConns(t)
	return wrapPair(t, pki, a, z, server, client)
}

// loopbackConns returns the two ends of a loopback TCP connection, whose
// buffers let both ends write at once: a net.Pipe write waits for the
// reader, so a TLS 1.3 server writing its NewSessionTickets after the
// handshake would wait for a client that has stopped reading.
func loopbackConns(t testing.TB) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

func wrapPair(t *testing.T, pki nodePKI, a, z net.Conn, server, client api.TLSSocketOptions) (*api.TLSSocket, *api.TLSSocket) {
	t.Helper()
	server.IsServer = true
	server.SecureContextOptions = pki.serverOptions()
	client.CA = [][]byte{pki.ca}
	s, err := api.NewTLSSocket(a, server)
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.NewTLSSocket(z, client)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); z.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Handshake(ctx) }()
	if err := c.Handshake(ctx); err != nil {
		t.Fatalf("client: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server: %v", err)
	}
	return s, c
}

// Node: "new tls.TLSSocket(socket[, options])": a connection that already
// exists is wrapped as either end.
func TestNewTLSSocket(t *testing.T) {
	pki := newNodePKI(t)
	s, c := tcpPair(t, pki,
		api.TLSSocketOptions{ALPNProtocols: []string{"h2", "http/1.1"}},
		api.TLSSocketOptions{ALPNProtocols: []string{"http/1.1", "h2"}})
	if !c.Authorized() || c.ALPNProtocol() != "h2" || s.ALPNProtocol() != "h2" {
		t.Fatalf("authorized %v, ALPN client %q server %q", c.Authorized(), c.ALPNProtocol(), s.ALPNProtocol())
	}
	go func() { io.Copy(s, s) }()
	roundTrip(t, c)

	// A bad option fails at construction, as Node throws.
	_, err := api.NewTLSSocket(nil, api.TLSSocketOptions{IsServer: true, SecureContextOptions: api.SecureContextOptions{Ciphers: "NOTHING-KNOWN"}})
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != "ERR_SSL_NO_CIPHER_MATCH" {
		t.Fatalf("bad ciphers: %v", err)
	}
}

// recordingConn keeps every byte written through it.
type recordingConn struct {
	net.Conn
	mu    sync.Mutex
	wrote []byte
}

func (r *recordingConn) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.wrote = append(r.wrote, p...)
	r.mu.Unlock()
	return r.Conn.Write(p)
}

// Node: "tlsSocket.setMaxSendFragment(size)": 512 to 16384, and records on
// the wire carry no more than that.
func TestTLSSocketSetMaxSendFragment(t *testing.T) {
	pki := newNodePKI(t)
	a, z := loopbackConns(t)
	rec := &recordingConn{Conn: z}
	s, err := api.NewTLSSocket(a, api.TLSSocketOptions{IsServer: true, SecureContextOptions: pki.serverOptions()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.NewTLSSocket(rec, api.TLSSocketOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}})
	if err != nil {
		t.Fatal(err)
	}
	go s.Handshake(context.Background())
	if err := c.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	for size, want := range map[int]bool{511: false, 512: true, 16384: true, 16385: false} {
		if got := c.SetMaxSendFragment(size); got != want {
			t.Errorf("SetMaxSendFragment(%d) = %v, want %v", size, got, want)
		}
	}
	c.SetMaxSendFragment(512)
	rec.mu.Lock()
	start := len(rec.wrote)
	rec.mu.Unlock()
	msg := bytes.Repeat([]byte("x"), 5000)
	go c.Write(msg)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(s, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("read: %v", err)
	}
	rec.mu.Lock()
	wire := rec.wrote[start:]
	rec.mu.Unlock()
	records := 0
	for len(wire) >= 5 {
		n := int(wire[3])<<8 | int(wire[4])
		// AES-GCM adds an 8-byte explicit nonce and a 16-byte tag.
		if wire[0] == 23 && n > 512+24 {
			t.Fatalf("a record of %d bytes after setMaxSendFragment(512)", n)
		}
		records++
		wire = wire[min(5+n, len(wire)):]
	}
	if records < 10 {
		t.Fatalf("5000 bytes went out in %d records", records)
	}
}

// Node: "tlsSocket.renegotiate(options, callback)": a server's
// renegotiate({requestCert}) obtains the client's certificate, data
// flowing throughout; the callback gets the same result.
func TestTLSSocketRenegotiate(t *testing.T) {
	pki := newNodePKI(t)
	client := pki.serverOptions()
	client.MaxVersion = "TLSv1.2" // TLS 1.3 has no renegotiation
	s, c := tcpPair(t, pki, api.TLSSocketOptions{}, api.TLSSocketOptions{SecureContextOptions: client})
	if s.PeerCertificate(false) != nil {
		t.Fatal("a client certificate before it was asked for")
	}
	go func() { io.Copy(c, c) }() // the client echoes, reading as any application does
	s.Write([]byte("before"))
	var cbErr error = errors.New("callback not called")
	f := false
	err := s.Renegotiate(api.RenegotiateOptions{RequestCert: true, RejectUnauthorized: &f}, func(e error) { cbErr = e })
	if err != nil || cbErr != nil {
		t.Fatalf("Renegotiate: %v (callback %v)", err, cbErr)
	}
	if pc := s.PeerCertificate(false); pc == nil || pc.Subject["CN"] == nil {
		t.Fatalf("no client certificate after renegotiate({requestCert: true}): %+v", pc)
	}
	s.Write([]byte(" after"))
	got := make([]byte, len("before after"))
	s.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(s, got); err != nil || string(got) != "before after" {
		t.Fatalf("echo across the renegotiation: %q %v", got, err)
	}
}

// Node: "Client-initiated renegotiation attack mitigation": a client may
// renegotiate CLIENT_RENEG_LIMIT times per CLIENT_RENEG_WINDOW; the next
// is declined, the server socket's error listeners get
// ERR_TLS_SESSION_ATTACK, and the connection goes on (Node v20).
func TestClientInitiatedRenegotiationAttackMitigation(t *testing.T) {
	pki := newNodePKI(t)
	defer func(l int) { api.ClientRenegLimit = l }(api.ClientRenegLimit)
	api.ClientRenegLimit = 2
	attacks := make(chan error, 4)
	srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	srv.OnSecureConnection(func(s *api.TLSSocket) { s.OnError(func(err error) { attacks <- err }) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}, MaxVersion: "TLSv1.2"}, Port: port}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 2 {
		if err := c.Renegotiate(api.RenegotiateOptions{}, nil); err != nil {
			t.Fatalf("renegotiation %d: %v", i+1, err)
		}
	}
	err = c.Renegotiate(api.RenegotiateOptions{}, nil)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != "ERR_TLS_RENEGOTIATION_DISABLED" {
		t.Fatalf("third renegotiation: %v", err)
	}
	select {
	case err := <-attacks:
		if !errors.As(err, &ae) || ae.Code != "ERR_TLS_SESSION_ATTACK" {
			t.Fatalf("server socket error: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no ERR_TLS_SESSION_ATTACK on the server socket")
	}
	roundTrip(t, c)
}

// Node: NPNProtocols (createServer, connect, TLSSocket) is accepted and, as
// in Node v20, ignored: npnProtocol stays unset and ALPN still works.
func TestNPNALPNAndSNIOptionNPNProtocols(t *testing.T) {
	pki := newNodePKI(t)
	s, c := tcpPair(t, pki,
		api.TLSSocketOptions{NPNProtocols: []string{"spdy/3"}, ALPNProtocols: []string{"h2"}},
		api.TLSSocketOptions{NPNProtocols: []string{"spdy/3"}, ALPNProtocols: []string{"h2"}})
	if c.NPNProtocol() != "" || s.NPNProtocol() != "" || c.ALPNProtocol() != "h2" {
		t.Fatalf("npn %q/%q alpn %q", c.NPNProtocol(), s.NPNProtocol(), c.ALPNProtocol())
	}
}

// Node: "tls.createSecurePair([context][, isServer][, requestCert]
// [, rejectUnauthorized][, options])": two pairs cross-connected in memory
// complete a handshake, both emit secure, and bytes round-trip.
func TestCreateSecurePair(t *testing.T) {
	pki := newNodePKI(t)
	sctx, err := api.CreateSecureContext(pki.serverOptions())
	if err != nil {
		t.Fatal(err)
	}
	cctx, err := api.CreateSecureContext(api.SecureContextOptions{CA: [][]byte{pki.ca}})
	if err != nil {
		t.Fatal(err)
	}
	server, err := api.CreateSecurePair(sctx, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := api.CreateSecurePair(cctx, false, false, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var secure sync.WaitGroup
	secure.Add(2)
	server.OnSecure(secure.Done)
	client.OnSecure(secure.Done)
	// The network between them: each pair's encrypted side to the other's.
	go io.Copy(server.Encrypted, client.Encrypted)
	go io.Copy(client.Encrypted, server.Encrypted)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := client.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := server.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	secure.Wait()
	if !client.Cleartext.Authorized() {
		t.Fatalf("client not authorized: %v", client.Cleartext.AuthorizationError())
	}
	go func() { io.Copy(server.Cleartext, server.Cleartext) }()
	roundTrip(t, client.Cleartext)
	// A listener added after the event runs at once.
	ran := false
	client.OnSecure(func() { ran = true })
	if !ran {
		t.Fatal("a late secure listener did not run")
	}
}
