package fleet_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/fleet"
	"github.com/tlsengine/tlsengine/internal/redistest"
	"github.com/tlsengine/tlsengine/session"
)

// waitBoundary sleeps until just after the next multiple of period and
// returns that instant.
func waitBoundary(period time.Duration) time.Time {
	now := time.Now()
	b := now.Truncate(period).Add(period)
	time.Sleep(b.Sub(now) + 20*time.Millisecond)
	return b
}

// Every server moves to the new key at each period boundary; a client
// holding a ticket sealed two rotations ago resumes on every server and
// gets a ticket under the current key.
func TestFleetRotationWhileClientsHoldOldTickets(t *testing.T) {
	const period = time.Second
	r := redistest.Start(t)
	store := openRedis(t, r)
	ms := startFleet(t, ticketsOnly{store}, api.ServerOptions{SessionTimeout: 5 * time.Second}, fleet.Options{Rotation: period})
	waitBoundary(period)
	_, old := connect(t, ms[0].port, nil)

	// The next boundary: how long until every server seals with a new
	// key, measured from the boundary. The keys are read 100 ms before
	// it, long after the previous boundary.
	now := time.Now()
	boundary := now.Truncate(period).Add(period)
	time.Sleep(boundary.Sub(now) - 100*time.Millisecond)
	oldKeys := make([][]byte, len(ms))
	for i, m := range ms {
		oldKeys[i] = m.srv.TicketKeys()
	}
	reached := make([]time.Duration, len(ms))
	done := make([]bool, len(ms))
	for left := len(ms); left > 0 && time.Since(boundary) < period/2; {
		for i, m := range ms {
			if !done[i] && !bytes.Equal(m.srv.TicketKeys(), oldKeys[i]) {
				reached[i], done[i] = time.Since(boundary), true
				left--
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	var slowest time.Duration
	for i, d := range reached {
		if !done[i] {
			t.Fatalf("server %d still seals with the old key %v after the boundary", i, period/2)
		}
		if d < 0 {
			t.Fatalf("server %d changed keys %v before the boundary", i, -d)
		}
		slowest = max(slowest, d)
	}
	t.Logf("rotation reached the 3 servers %v after the period boundary (per server %v)", slowest, reached)
	for _, m := range ms[1:] {
		if !bytes.Equal(m.srv.TicketKeys(), ms[0].srv.TicketKeys()) {
			t.Fatal("the servers disagree on the new key")
		}
	}

	waitBoundary(period) // the client's ticket is now two keys old
	for i, m := range ms {
		resumed, next := connect(t, m.port, old)
		if !resumed {
			t.Fatalf("server %d did not resume a ticket sealed two rotations ago", i)
		}
		st, err := session.Unmarshal(next)
		if err != nil || len(st.Ticket) < 16 || !bytes.Equal(st.Ticket[:16], m.srv.TicketKeys()[:16]) {
			t.Fatalf("server %d did not renew the old ticket under its current key", i)
		}
	}
}

// failing is a Store that fails every call while down is set.
type failing struct {
	fleet.Store
	down atomic.Bool
}

var errDown = errors.New("store down")

func (f *failing) Get(ctx context.Context, key string) ([]byte, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Store.Get(ctx, key)
}

func (f *failing) Add(ctx context.Context, key string, v []byte, ttl time.Duration) (bool, error) {
	if f.down.Load() {
		return false, errDown
	}
	return f.Store.Add(ctx, key, v, ttl)
}

// A server cut off from the store keeps its keys, and still moves to the
// next key at the boundary with the others (it fetched it ahead), so its
// tickets keep resuming across the fleet.
func TestFleetServerCutOffKeepsKeys(t *testing.T) {
	const period = time.Second
	mem := &fleet.Memory{}
	cut := &failing{Store: mem}
	opts := api.ServerOptions{SessionTimeout: 5 * time.Second}
	fo := fleet.Options{Rotation: period}
	ms := []*member{startMember(t, mem, opts, fo), startMember(t, mem, opts, fo), startMember(t, cut, opts, fo)}
	cut.down.Store(true)
	before := ms[2].srv.TicketKeys()
	if err := ms[2].fleet.Keys.Sync(context.Background()); !errors.Is(err, errDown) {
		t.Fatalf("Sync with the store down: %v", err)
	}
	if !bytes.Equal(ms[2].srv.TicketKeys(), before) {
		t.Fatal("a failed round changed the keys")
	}
	waitBoundary(period)
	time.Sleep(50 * time.Millisecond)
	after := ms[2].srv.TicketKeys()
	if bytes.Equal(after, before) || !bytes.Equal(after, ms[0].srv.TicketKeys()) {
		t.Fatal("the cut-off server did not move to the fleet's next key at the boundary")
	}
	_, sess := connect(t, ms[2].port, nil)
	for i, m := range ms {
		if resumed, _ := connect(t, m.port, sess); !resumed {
			t.Fatalf("a ticket from the cut-off server did not resume on server %d", i)
		}
	}
}

// Two servers on a store that loses its data converge on one key per
// period without dropping the tickets either sealed (fake clock).
func TestTicketKeysStoreLosesData(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	store := &fleet.Memory{Now: clock}
	ring := func() (*fleet.TicketKeys, *session.Ticketer) {
		tk, _ := session.NewTicketer(make([]byte, session.KeyLen))
		return &fleet.TicketKeys{Store: store, Period: time.Minute, Now: clock, Apply: tk.SetKeys}, tk
	}
	a, ta := ring()
	b, tb := ring()
	ctx := context.Background()
	for _, k := range []*fleet.TicketKeys{a, b} {
		if err := k.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(ta.Key(), tb.Key()) {
		t.Fatal("two servers on one store seal with different keys")
	}
	// The store restarts empty, and b alone happens to have lost its
	// memory of the key too (a restarted server): b creates a fresh key
	// first, a then learns it and keeps its own key to open.
	*store = fleet.Memory{Now: clock}
	lost := ta.Key()
	b2, tb2 := ring()
	if err := b2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ta.Key(), tb2.Key()) || bytes.Equal(ta.Key(), lost) {
		t.Fatal("servers did not converge on the store's new key")
	}
	_, older := ta.Keys()
	if !containsKey(older, lost) {
		t.Fatal("the key the store lost no longer opens tickets")
	}
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}

// A server that starts while the store is unreachable runs on its own
// key, and joins the fleet's within about a second of the store answering
// (not at the next poll).
func TestFleetServerJoinsWhenStoreReturns(t *testing.T) {
	mem := &fleet.Memory{}
	cut := &failing{Store: mem}
	cut.down.Store(true)
	first := startMember(t, mem, api.ServerOptions{}, fleet.Options{})
	late := startMember(t, cut, api.ServerOptions{}, fleet.Options{})
	if bytes.Equal(late.srv.TicketKeys(), first.srv.TicketKeys()) {
		t.Fatal("a server that never reached the store has the fleet's key")
	}
	cut.down.Store(false)
	start := time.Now()
	for !bytes.Equal(late.srv.TicketKeys(), first.srv.TicketKeys()) {
		if time.Since(start) > 3*time.Second {
			t.Fatal("the server did not join the fleet's keys 3 s after the store came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("joined the fleet's keys %v after the store came back", time.Since(start).Round(time.Millisecond))
}
