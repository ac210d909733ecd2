package api_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tlsengine/tlsengine/api"
)

// lockedBuffer is a KeyLog writer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSuffix(l.b.String(), "\n"), "\n")
}

// keylogLabels are the labels each version logs, as OpenSSL (and Node)
// do: crypto/tls writes the same lines but EXPORTER_SECRET.
var keylogLabels = map[string][]string{
	"TLSv1.2": {"CLIENT_RANDOM"},
	"TLSv1.3": {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
		"SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"},
}

// checkKeylog: the event's lines and the writer's are the same, carry the
// version's labels once each, and include every line crypto/tls (the
// peer, which knows the real secrets) logged for the connection.
func checkKeylog(t *testing.T, version string, event, writer, peer []string) {
	t.Helper()
	if !slices.Equal(event, writer) {
		t.Fatalf("%s: the keylog event's lines\n%q\ndiffer from the KeyLog writer's\n%q", version, event, writer)
	}
	var labels []string
	for _, l := range event {
		labels = append(labels, strings.Fields(l)[0])
	}
	slices.Sort(labels)
	if !slices.Equal(labels, keylogLabels[version]) {
		t.Fatalf("%s: labels %q, want %q", version, labels, keylogLabels[version])
	}
	for _, l := range peer {
		if !slices.Contains(event, l) {
			t.Fatalf("%s: crypto/tls logged %q, which we did not (ours: %q)", version, l, event)
		}
	}
	if len(peer) == 0 {
		t.Fatalf("%s: crypto/tls logged nothing", version)
	}
}

var goVersions = map[string]uint16{"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

// TestConnectKeylog: Connect's OnKeylog (Node's socket 'keylog' event)
// and KeyLog writer give the secrets crypto/tls's server logged, for TLS
// 1.2 and 1.3.
func TestConnectKeylog(t *testing.T) {
	pki := newNodePKI(t)
	cert, err := tls.X509KeyPair(pki.chain, pki.key)
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []string{"TLSv1.2", "TLSv1.3"} {
		var peer lockedBuffer
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert},
			MinVersion: goVersions[version], MaxVersion: goVersions[version], KeyLogWriter: &peer})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, "x")
			c.Close()
		}()
		var event []string
		var writer lockedBuffer
		sock, err := api.Connect(api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca},
			MinVersion: version, MaxVersion: version}, Port: ln.Addr().(*net.TCPAddr).Port,
			OnKeylog: func(line string) { event = append(event, line) }, KeyLog: &writer}, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(sock) // the server has logged everything once it wrote
		sock.Close()
		ln.Close()
		checkKeylog(t, version, event, writer.lines(), peer.lines())
	}
}

// TestServerKeylog: the server's OnKeylog (Node's server 'keylog' event,
// with the socket) and ServerOptions.KeyLog give the secrets crypto/tls's
// client logged, for TLS 1.2 and 1.3.
func TestServerKeylog(t *testing.T) {
	pki := newNodePKI(t)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pki.ca)
	for _, version := range []string{"TLSv1.2", "TLSv1.3"} {
		var writer lockedBuffer
		opts := api.ServerOptions{SecureContextOptions: pki.serverOptions(), KeyLog: &writer}
		opts.MinVersion, opts.MaxVersion = version, version
		secure := make(chan *api.TLSSocket, 1)
		srv, err := api.CreateServer(opts, func(s *api.TLSSocket) {
			io.WriteString(s, "x")
			s.Close()
			secure <- s
		})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var event []string
		var sockets []*api.TLSSocket
		srv.OnKeylog(func(line string, s *api.TLSSocket) {
			mu.Lock()
			event = append(event, line)
			sockets = append(sockets, s)
			mu.Unlock()
		})
		if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
			t.Fatal(err)
		}
		var peer lockedBuffer
		c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(srv.Address().(*net.TCPAddr).Port),
			&tls.Config{RootCAs: roots, ServerName: "localhost", KeyLogWriter: &peer})
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(c)
		c.Close()
		s := wait(t, secure, "secureConnection")
		srv.Close()
		mu.Lock()
		for _, k := range sockets {
			if k != s {
				t.Fatalf("%s: the keylog event's socket is not the connection's", version)
			}
		}
		checkKeylog(t, version, event, writer.lines(), peer.lines())
		mu.Unlock()
	}
}

// TestSocketKeylogListenersAddUp: a socket's OnKeylog listeners add up,
// as Node's 'keylog' listeners do.
func TestSocketKeylogListenersAddUp(t *testing.T) {
	pki := newNodePKI(t)
	a, z := loopbackConns(t)
	s, err := api.NewTLSSocket(a, api.TLSSocketOptions{IsServer: true, SecureContextOptions: pki.serverOptions()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.NewTLSSocket(z, api.TLSSocketOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}})
	if err != nil {
		t.Fatal(err)
	}
	var first, second []string
	c.OnKeylog(func(line string) { first = append(first, line) })
	c.OnKeylog(func(line string) { second = append(second, line) })
	errc := make(chan error, 1)
	go func() { errc <- s.Handshake(context.Background()) }()
	if err := c.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || !slices.Equal(first, second) {
		t.Fatalf("first listener %q, second %q", first, second)
	}
}
