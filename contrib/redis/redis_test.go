package redis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	tlsredis "github.com/tlsengine/tlsengine/contrib/redis"
	"github.com/tlsengine/tlsengine/fleet"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/redistest"
	"github.com/tlsengine/tlsengine/session"
)

type pki struct{ ca, chain, key []byte }

func newPKI(t *testing.T) pki {
	t.Helper()
	ch, err := certgen.NewChain(certgen.ECDSAP256, time.Now(), []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pp, err := ch.PEM()
	if err != nil {
		t.Fatal(err)
	}
	return pki{ca: pp.Root, chain: pp.Chain, key: pp.Key}
}

// server starts an echo server attached to store and returns its port.
func server(t *testing.T, p pki, store fleet.Store, opts api.ServerOptions) int {
	t.Helper()
	opts.SecureContextOptions = api.SecureContextOptions{Key: []api.KeyOption{{PEM: p.key}}, Cert: [][]byte{p.chain}}
	srv, err := api.CreateServer(opts, func(s *api.TLSSocket) {
		go func() { io.Copy(s, s); s.Close() }()
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := fleet.Attach(srv, store, fleet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Address().(*net.TCPAddr).Port
}

func connect(t *testing.T, p pki, port int, sess []byte) (bool, []byte) {
	t.Helper()
	sock, err := api.Connect(api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{p.ca}, MaxVersion: "TLSv1.2"},
		Host:                 "localhost", Port: port, Session: sess,
	}, nil)
	if err != nil {
		t.Fatalf("connect to port %d: %v", port, err)
	}
	defer sock.Close()
	sock.SetDeadline(time.Now().Add(10 * time.Second))
	sock.Write([]byte("ping"))
	if _, err := io.ReadFull(sock, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	return sock.IsSessionReused(), sock.Session()
}

// Three servers on go-redis and one on fleet's own RESP client share
// sessions by id and tickets: a session from any resumes on every one.
// With Redis stopped, handshakes complete in full; the values are those
// fleet writes, so garbage is a miss.
func TestFleetOnGoRedis(t *testing.T) {
	r := redistest.Start(t)
	p := newPKI(t)
	store, client, err := tlsredis.Open(r.URL(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	resp, err := fleet.OpenRedis(r.URL(), fleet.RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	for _, opts := range []api.ServerOptions{{NoTickets: true}, {}} {
		ports := []int{server(t, p, store, opts), server(t, p, store, opts), server(t, p, store, opts), server(t, p, resp, opts)}
		resumed, offered := 0, 0
		for _, origin := range ports {
			_, sess := connect(t, p, origin, nil)
			for _, port := range ports {
				offered++
				if ok, _ := connect(t, p, port, sess); ok {
					resumed++
				}
			}
		}
		t.Logf("go-redis fleet (NoTickets=%v): %d/%d resumed", opts.NoTickets, resumed, offered)
		if resumed != offered {
			t.Fatalf("NoTickets=%v: resumed %d of %d", opts.NoTickets, resumed, offered)
		}
	}

	ports := []int{server(t, p, store, api.ServerOptions{NoTickets: true}), server(t, p, store, api.ServerOptions{NoTickets: true})}
	_, sess := connect(t, p, ports[0], nil)
	st, _ := session.Unmarshal(sess)
	key := fleet.DefaultPrefix + "s::" + hex.EncodeToString(st.SessionID)
	if line, err := r.Do("SET", key, "garbage"); err != nil || line != "+OK" {
		t.Fatalf("SET: %q %v", line, err)
	}
	if ok, _ := connect(t, p, ports[1], sess); ok {
		t.Fatal("a garbage entry resumed")
	}
	if err := store.Set(context.Background(), key, []byte(strings.Repeat("x", fleet.MaxValue+1)), time.Minute); err == nil {
		t.Fatal("a value over fleet.MaxValue was written")
	}

	_, sess = connect(t, p, ports[0], nil)
	r.Stop()
	start := time.Now()
	for range 4 {
		if ok, _ := connect(t, p, ports[1], sess); ok {
			t.Fatal("resumed with Redis down")
		}
	}
	t.Logf("4 handshakes with Redis down: %v", time.Since(start))
}
