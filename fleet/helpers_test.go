package fleet_test

import (
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/fleet"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// pki is one chain for "localhost" shared by a fleet, as PEM.
type pki struct{ ca, chain, key []byte }

var (
	pkiOnce sync.Once
	shared  pki
)

func testPKI(t *testing.T) pki {
	t.Helper()
	pkiOnce.Do(func() {
		ch, err := certgen.NewChain(certgen.ECDSAP256, time.Now(), []string{"localhost"}, rand.Reader)
		if err != nil {
			panic(err)
		}
		p, err := ch.PEM()
		if err != nil {
			panic(err)
		}
		shared = pki{ca: p.Root, chain: p.Chain, key: p.Key}
	})
	return shared
}

// files writes p's chain, key and CA certificate as PEM files in a new
// temporary directory, for the processes that read them.
func (p pki) files(t *testing.T) (chain, key, ca string) {
	t.Helper()
	dir := t.TempDir()
	chain, key, ca = filepath.Join(dir, "chain.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
	for name, data := range map[string][]byte{chain: p.chain, key: p.key, ca: p.ca} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return chain, key, ca
}

// member is one server of a test fleet.
type member struct {
	srv   *api.Server
	port  int
	fleet *fleet.Fleet
}

// startMember starts an echo server attached to store (unless store is
// nil) and returns it.
func startMember(t *testing.T, store fleet.Store, opts api.ServerOptions, fo fleet.Options) *member {
	t.Helper()
	p := testPKI(t)
	opts.SecureContextOptions = api.SecureContextOptions{Key: []api.KeyOption{{PEM: p.key}}, Cert: [][]byte{p.chain}}
	srv, err := api.CreateServer(opts, func(s *api.TLSSocket) {
		go func() { io.Copy(s, s); s.Close() }()
	})
	if err != nil {
		t.Fatal(err)
	}
	m := &member{srv: srv}
	if store != nil {
		if fo.Timeout == 0 {
			fo.Timeout = testTimeout
		}
		if m.fleet, err = fleet.Attach(srv, store, fo); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.fleet.Close)
	}
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	m.port = srv.Address().(*net.TCPAddr).Port
	return m
}

// connect runs a TLS 1.2 handshake with the server on port, offering
// sess, and returns whether it resumed and the session to offer next.
func connect(t *testing.T, port int, sess []byte) (resumed bool, next []byte) {
	t.Helper()
	return connectVersion(t, port, sess, "TLSv1.2")
}

// connectVersion is connect at maxVersion, which the handshake must
// reach.
func connectVersion(t *testing.T, port int, sess []byte, maxVersion string) (resumed bool, next []byte) {
	t.Helper()
	resumed, next, err := tryConnectVersion(port, sess, maxVersion)
	if err != nil {
		t.Fatalf("connect to port %d: %v", port, err)
	}
	return resumed, next
}

func tryConnect(port int, sess []byte) (bool, []byte, error) {
	return tryConnectVersion(port, sess, "TLSv1.2")
}

func tryConnectVersion(port int, sess []byte, maxVersion string) (bool, []byte, error) {
	p := shared
	sock, err := api.Connect(api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{p.ca}, MaxVersion: maxVersion},
		Host:                 "localhost", Port: port, Session: sess,
	}, nil)
	if err != nil {
		return false, nil, err
	}
	if v := sock.Protocol(); v != maxVersion {
		sock.Close()
		return false, nil, fmt.Errorf("negotiated %s, want %s", v, maxVersion)
	}
	defer sock.Close()
	sock.SetDeadline(time.Now().Add(10 * time.Second))
	// One echoed line proves the connection carries data.
	if _, err := sock.Write([]byte("ping\n")); err != nil {
		return false, nil, err
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(sock, buf); err != nil {
		return false, nil, err
	}
	return sock.IsSessionReused(), sock.Session(), nil
}
