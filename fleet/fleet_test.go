package fleet_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/fleet"
	"github.com/tlsengine/tlsengine/internal/redistest"
	"github.com/tlsengine/tlsengine/session"
)

// testTimeout is the store timeout of the tests that check correctness,
// not latency: this machine is shared and runs -race, and a store call
// past the timeout would be a (correct) miss that such a test counts as a
// failure. The tests of slow and dead stores set their own.
const testTimeout = 5 * time.Second

func openRedis(t *testing.T, r *redistest.Server) *fleet.Redis {
	t.Helper()
	store, err := fleet.OpenRedis(r.URL(), fleet.RedisOptions{Timeout: testTimeout, MaxConns: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// ticketsOnly hides the sessions stored by id, so that a resumption can
// only be by ticket.
type ticketsOnly struct{ fleet.Store }

func (s ticketsOnly) Get(ctx context.Context, key string) ([]byte, error) {
	if strings.Contains(key, ":s:") {
		return nil, nil
	}
	return s.Store.Get(ctx, key)
}

func startFleet(t *testing.T, store fleet.Store, opts api.ServerOptions, fo fleet.Options) []*member {
	t.Helper()
	if fo.Timeout == 0 {
		fo.Timeout = testTimeout
	}
	var ms []*member
	for range 3 {
		ms = append(ms, startMember(t, store, opts, fo))
	}
	return ms
}

// resumeMatrix makes a full handshake on each server and offers its
// session to every server; it returns how many of the offers resumed.
func resumeMatrix(t *testing.T, ms []*member, logMisses bool) (resumed, offered int) {
	t.Helper()
	return resumeMatrixVersion(t, ms, logMisses, "TLSv1.2")
}

// resumeMatrixVersion is resumeMatrix with every handshake at maxVersion.
func resumeMatrixVersion(t *testing.T, ms []*member, logMisses bool, maxVersion string) (resumed, offered int) {
	t.Helper()
	for i, origin := range ms {
		r, sess := connectVersion(t, origin.port, nil, maxVersion)
		if r {
			t.Fatal("a first connection resumed")
		}
		if sess == nil {
			t.Fatalf("server %d gave no session to resume", i)
		}
		for j, m := range ms {
			r, _ := connectVersion(t, m.port, sess, maxVersion)
			offered++
			if r {
				resumed++
			} else if logMisses {
				t.Logf("session from server %d not resumed on server %d", i, j)
			}
		}
	}
	return resumed, offered
}

// A session made on any of three servers resumes by id on each of them;
// without the store, on none: an api.Server, as Node v20's, keeps no
// session cache of its own.
func TestFleetResumesBySessionIDOnEveryServer(t *testing.T) {
	r := redistest.Start(t)
	store := openRedis(t, r)
	opts := api.ServerOptions{NoTickets: true, SessionIDContext: "fleet-test"}
	resumed, offered := resumeMatrix(t, startFleet(t, store, opts, fleet.Options{}), true)
	t.Logf("resumption by session id across the fleet: %d/%d", resumed, offered)
	if resumed != offered {
		t.Fatalf("resumed %d of %d", resumed, offered)
	}
	alone, _ := resumeMatrix(t, startFleet(t, nil, opts, fleet.Options{}), false)
	if alone != 0 {
		t.Fatalf("servers without the store resumed %d of 9 sessions by id, want none", alone)
	}
}

// A ticket issued by any of three servers resumes on each of them, the
// store hiding the sessions stored by id, in TLS 1.2 and TLS 1.3; servers
// with their own random keys resume only their own tickets.
func TestFleetResumesByTicketOnEveryServer(t *testing.T) {
	r := redistest.Start(t)
	store := ticketsOnly{openRedis(t, r)}
	ms := startFleet(t, store, api.ServerOptions{}, fleet.Options{})
	for _, m := range ms[1:] {
		if !bytes.Equal(m.srv.TicketKeys(), ms[0].srv.TicketKeys()) {
			t.Fatal("the servers seal with different keys")
		}
	}
	alone := startFleet(t, nil, api.ServerOptions{}, fleet.Options{})
	for _, v := range []string{"TLSv1.2", "TLSv1.3"} {
		resumed, offered := resumeMatrixVersion(t, ms, true, v)
		t.Logf("%s resumption by ticket across the fleet: %d/%d", v, resumed, offered)
		if resumed != offered {
			t.Fatalf("%s: resumed %d of %d", v, resumed, offered)
		}
		if own, _ := resumeMatrixVersion(t, alone, false, v); own != 3 {
			t.Fatalf("%s: servers with their own keys resumed %d of 9 tickets, want only their own 3", v, own)
		}
	}
}

// With Redis stopped, every handshake completes in full and quickly;
// tickets keep resuming on the keys each server holds; once Redis is back,
// sessions by id resume across the fleet again.
func TestFleetRedisDown(t *testing.T) {
	r := redistest.Start(t)
	store := openRedis(t, r)
	byID := startFleet(t, store, api.ServerOptions{NoTickets: true}, fleet.Options{})
	byTicket := startFleet(t, ticketsOnly{store}, api.ServerOptions{}, fleet.Options{})
	_, idSess := connect(t, byID[0].port, nil)
	_, ticketSess := connect(t, byTicket[0].port, nil)
	if r, _ := connect(t, byID[1].port, idSess); !r {
		t.Fatal("no resumption while Redis is up")
	}

	r.Stop()
	var slowest time.Duration
	fulls, ticketResumed := 0, 0
	for i := range 30 {
		m := byID[i%3]
		start := time.Now()
		resumed, _ := connect(t, m.port, idSess)
		slowest = max(slowest, time.Since(start))
		if !resumed {
			fulls++
		}
		if resumed, _ := connect(t, byTicket[i%3].port, ticketSess); resumed {
			ticketResumed++
		}
	}
	t.Logf("Redis down: %d/30 session-id offers gave full handshakes (no errors), slowest %v; tickets resumed %d/30", fulls, slowest, ticketResumed)
	if fulls != 30 || ticketResumed != 30 {
		t.Fatalf("Redis down: %d/30 full handshakes by id, %d/30 ticket resumptions", fulls, ticketResumed)
	}

	r.Restart()
	back := time.Now()
	_, sess := connect(t, byID[2].port, nil)
	for {
		resumed, _ := connect(t, byID[0].port, sess)
		if resumed {
			break
		}
		if time.Since(back) > 5*time.Second {
			t.Fatal("no resumption 5 s after Redis came back")
		}
		time.Sleep(50 * time.Millisecond)
		_, sess = connect(t, byID[2].port, nil)
	}
	t.Logf("resumption across the fleet back %v after Redis restarted", time.Since(back).Round(time.Millisecond))
}

// A Redis that accepts connections and never answers costs each handshake
// at most the store timeout (twice for a new session: the lookup, then the
// save): a full handshake, never a failed or hung one. RetryAfter is cut
// to a millisecond so that every handshake does meet the hung server.
func TestFleetHungRedis(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held sync.WaitGroup
	stop, accepting := make(chan struct{}), make(chan struct{})
	defer func() { ln.Close(); <-accepting; close(stop); held.Wait() }()
	go func() {
		defer close(accepting)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held.Add(1)
			go func() { defer held.Done(); <-stop; c.Close() }()
		}
	}()
	store, err := fleet.OpenRedis("redis://"+ln.Addr().String(), fleet.RedisOptions{Timeout: 50 * time.Millisecond, RetryAfter: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ms := startFleet(t, store, api.ServerOptions{NoTickets: true}, fleet.Options{Timeout: 50 * time.Millisecond})
	_, sess := connect(t, ms[0].port, nil)
	var slowest time.Duration
	for i := range 6 {
		start := time.Now()
		resumed, _ := connect(t, ms[i%3].port, sess)
		d := time.Since(start)
		if resumed || d > time.Second {
			t.Fatalf("hung Redis: resumed=%v after %v", resumed, d)
		}
		slowest = max(slowest, d)
	}
	t.Logf("hung Redis (accepts, never answers), 50 ms store timeout, no skipping: 6/6 full handshakes, slowest %v", slowest.Round(time.Millisecond))
}

// Entries that are garbage, of another version or of another context are
// misses: a full handshake, no error.
func TestFleetGarbageEntries(t *testing.T) {
	r := redistest.Start(t)
	store := openRedis(t, r)
	ms := startFleet(t, store, api.ServerOptions{NoTickets: true, SessionIDContext: "ctx-a"}, fleet.Options{})
	_, sess := connect(t, ms[0].port, nil)
	st, err := session.Unmarshal(sess)
	if err != nil {
		t.Fatal(err)
	}
	key := fleet.DefaultPrefix + "s:" + hex.EncodeToString([]byte("ctx-a")) + ":" + hex.EncodeToString(st.SessionID)
	good, err := r.Do("GET", key)
	if err != nil || !strings.HasPrefix(good, "$") {
		t.Fatalf("the session is not in Redis under %s: %q %v", key, good, err)
	}
	if resumed, _ := connect(t, ms[1].port, sess); !resumed {
		t.Fatal("the stored session does not resume")
	}
	other := *st
	other.Context = []byte("ctx-b")
	otherEnc, _ := other.Marshal()
	v2, _ := st.Marshal()
	v2[0] = 2
	for name, val := range map[string]string{
		"garbage":         "\x00\xffnot a session",
		"empty":           "",
		"magic only":      "tlsengine-session-v1\x00",
		"magic + garbage": "tlsengine-session-v1\x00\x01\x02\x03",
		"state version 2": "tlsengine-session-v1\x00" + string(v2),
		"envelope v2":     "tlsengine-session-v2\x00" + string(otherEnc),
		"other context":   "tlsengine-session-v1\x00" + string(otherEnc),
		"huge":            strings.Repeat("x", fleet.MaxValue+1),
	} {
		if line, err := r.Do("SET", key, val); err != nil || line != "+OK" {
			t.Fatalf("%s: SET: %q %v", name, line, err)
		}
		resumed, _, err := tryConnect(ms[1].port, sess)
		if err != nil || resumed {
			t.Fatalf("%s entry: resumed=%v err=%v", name, resumed, err)
		}
	}
	// A garbage ticket key is replaced by the next round, and the
	// servers agree again.
	now := time.Now()
	name := fleet.DefaultPrefix + "tk:1h0m0s:" + itoa(now.UnixNano()/int64(time.Hour)+1)
	if line, err := r.Do("SET", name, "garbage"); err != nil || line != "+OK" {
		t.Fatalf("SET %s: %q %v", name, line, err)
	}
	for _, m := range ms {
		if err := m.fleet.Keys.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := r.Do("STRLEN", name); got != ":"+itoa(int64(len("tlsengine-ticket-key-v1\x00")+session.KeyLen)) {
		t.Fatalf("garbage ticket key not replaced: STRLEN %s", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Many clients at once against the fleet, each going round the servers
// with its session: every handshake succeeds and every offer after the
// first resumes.
func TestFleetConcurrentClients(t *testing.T) {
	r := redistest.Start(t)
	store := openRedis(t, r)
	for _, tc := range []struct {
		name string
		opts api.ServerOptions
	}{{"by id", api.ServerOptions{NoTickets: true}}, {"by ticket", api.ServerOptions{}}} {
		t.Run(tc.name, func(t *testing.T) {
			ms := startFleet(t, store, tc.opts, fleet.Options{})
			const clients, rounds = 16, 9
			var resumed, failed atomic.Int64
			var wg sync.WaitGroup
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, sess, err := tryConnect(ms[c%3].port, nil)
					if err != nil {
						failed.Add(1)
						return
					}
					for i := range rounds {
						r, next, err := tryConnect(ms[(c+i+1)%3].port, sess)
						switch {
						case err != nil:
							failed.Add(1)
						case r:
							resumed.Add(1)
						}
						if next != nil {
							sess = next
						}
					}
				}()
			}
			wg.Wait()
			t.Logf("%d concurrent clients %s: %d/%d offers resumed, %d failed handshakes", clients, tc.name, resumed.Load(), clients*rounds, failed.Load())
			if failed.Load() != 0 || resumed.Load() != clients*rounds {
				t.Fatalf("resumed %d/%d, %d failed", resumed.Load(), clients*rounds, failed.Load())
			}
		})
	}
}
