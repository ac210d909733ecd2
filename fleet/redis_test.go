package fleet_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/fleet"
	"github.com/tlsengine/tlsengine/internal/redistest"
)

// The RESP client against a real redis-server: values round-trip
// byte for byte, absent keys are nil, TTLs expire, SET NX adds once.
func TestRedisStore(t *testing.T) {
	r := redistest.Start(t)
	s := openRedis(t, r)
	ctx := context.Background()
	val := []byte("binary\x00\r\n$-1\r\nvalue")
	if err := s.Set(ctx, "k", val, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "k"); err != nil || !bytes.Equal(got, val) {
		t.Fatalf("Get: %q %v", got, err)
	}
	if got, err := s.Get(ctx, "absent"); err != nil || got != nil {
		t.Fatalf("Get of an absent key: %q %v", got, err)
	}
	if ok, err := s.Add(ctx, "k", []byte("other"), time.Minute); err != nil || ok {
		t.Fatalf("Add over a present key: %v %v", ok, err)
	}
	if ok, err := s.Add(ctx, "new", []byte("v"), 50*time.Millisecond); err != nil || !ok {
		t.Fatalf("Add of a new key: %v %v", ok, err)
	}
	time.Sleep(150 * time.Millisecond)
	if got, _ := s.Get(ctx, "new"); got != nil {
		t.Fatal("the TTL did not expire the key")
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "k"); got != nil {
		t.Fatal("Delete left the key")
	}
	if err := s.Set(ctx, "big", make([]byte, fleet.MaxValue+1), time.Minute); !errors.Is(err, fleet.ErrTooLarge) {
		t.Fatalf("Set over MaxValue: %v", err)
	}
	// The password and database of the URL are sent (AUTH, SELECT).
	if _, err := r.Do("CONFIG", "SET", "requirepass", "sesame"); err != nil {
		t.Fatal(err)
	}
	bad, _ := fleet.OpenRedis("redis://:wrong@"+r.Addr(), fleet.RedisOptions{})
	defer bad.Close()
	if _, err := bad.Get(ctx, "k"); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	good, _ := fleet.OpenRedis("redis://:sesame@"+r.Addr()+"/3", fleet.RedisOptions{})
	defer good.Close()
	if err := good.Set(ctx, "in3", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := good.Get(ctx, "in3"); err != nil || string(got) != "x" {
		t.Fatalf("AUTH + SELECT: %q %v", got, err)
	}
}

// fakeRedis answers every command with reply, or never with reply "".
func fakeRedis(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				go func() { <-done; c.Close() }()
				br := bufio.NewReader(c)
				for {
					// One command: "*N" then N bulk strings.
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					var n int
					if _, err := fmt.Sscanf(line, "*%d", &n); err != nil {
						return
					}
					for range 2 * n {
						if _, err := br.ReadString('\n'); err != nil {
							return
						}
					}
					if reply != "" {
						c.Write([]byte(reply))
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// Every peer byte is hostile: a server answering with oversized,
// malformed or unexpected replies, or not at all, gets an error within
// the timeout, never a panic, a hang or an unbounded allocation.
func TestRedisHostileServer(t *testing.T) {
	for _, tc := range []struct {
		name, reply, want string
	}{
		{"bulk over MaxValue", "$999999999\r\n", "larger than fleet.MaxValue"},
		{"negative bulk length", "$-5\r\n", "bad bulk length"},
		{"line without end", "+" + strings.Repeat("x", 10000), "longer than"},
		{"bare LF", "+OK\n", "not ended by CRLF"},
		{"array", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "unexpected reply type"},
		{"bulk without CRLF", "$3\r\nabcXY", "not ended by CRLF"},
		{"integer for GET", ":1\r\n", "GET answered"},
		{"error reply", "-ERR nope\r\n", "nope"},
		{"silence", "", "i/o timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := fleet.OpenRedis("redis://"+fakeRedis(t, tc.reply), fleet.RedisOptions{Timeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			start := time.Now()
			_, err = s.Get(context.Background(), "k")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Get: %v; want an error with %q", err, tc.want)
			}
			if d := time.Since(start); d > time.Second {
				t.Fatalf("Get took %v", d)
			}
		})
	}
}

// A dead address fails at once, and the store is skipped for RetryAfter
// (ErrUnavailable) instead of dialing for every handshake.
func TestRedisDeadAddress(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	s, _ := fleet.OpenRedis("redis://"+addr, fleet.RedisOptions{RetryAfter: time.Minute})
	defer s.Close()
	if _, err := s.Get(context.Background(), "k"); err == nil || errors.Is(err, fleet.ErrUnavailable) {
		t.Fatalf("first call: %v; want the dial error", err)
	}
	if _, err := s.Get(context.Background(), "k"); !errors.Is(err, fleet.ErrUnavailable) {
		t.Fatalf("second call: %v; want ErrUnavailable", err)
	}
}

func TestOpenRedisURLs(t *testing.T) {
	for _, u := range []string{"http://x:1", "redis://", "redis://h:1/x", "redis://h:1?db=2", "redis://h:1/-1"} {
		if _, err := fleet.OpenRedis(u, fleet.RedisOptions{}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	s, err := fleet.OpenRedis("redis://example.com", fleet.RedisOptions{})
	if err != nil || s.Addr() != "example.com:6379" {
		t.Fatalf("default port: %v %v", s, err)
	}
}

// rediss://: the RESP client speaks to Redis over tlsengine's own TLS,
// verifying Redis's certificate; a fleet on it resumes across servers.
func TestRedisOverTLS(t *testing.T) {
	p := testPKI(t)
	cert, key, _ := p.files(t)
	r := redistest.StartTLS(t, cert, key)
	url := "rediss://localhost:" + strconv.Itoa(r.Port)
	store, err := fleet.OpenRedis(url, fleet.RedisOptions{Timeout: testTimeout, TLS: &api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{p.ca}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	if err := store.Set(ctx, "k", []byte("over TLS"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get(ctx, "k"); err != nil || string(got) != "over TLS" {
		t.Fatalf("Get: %q %v", got, err)
	}
	ms := startFleet(t, store, api.ServerOptions{NoTickets: true}, fleet.Options{})
	if resumed, offered := resumeMatrix(t, ms, true); resumed != offered {
		t.Fatalf("over rediss://: resumed %d of %d", resumed, offered)
	}
	// Without the CA, Redis's certificate does not verify: every call
	// fails, and nothing is sent in the clear.
	untrusted, _ := fleet.OpenRedis(url, fleet.RedisOptions{})
	defer untrusted.Close()
	if _, err := untrusted.Get(ctx, "k"); err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("an unverified Redis answered: %v", err)
	}
}
