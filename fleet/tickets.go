package fleet

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/tlsengine/tlsengine/session"
)

// DefaultRotation is the default rotation period of a fleet's ticket
// keys.
const DefaultRotation = time.Hour

// retryRound is how soon Run tries again after a failed round.
const retryRound = time.Second

// keyMagic starts every stored ticket key (version 1: the magic, then the
// 48-byte key in Node's layout).
var keyMagic = []byte("tlsengine-ticket-key-v1\x00")

// maxPerPeriod bounds the keys kept for one period: the store's, and
// those a server held for it before a store that lost its data agreed on
// another.
const maxPerPeriod = 4

// TicketKeys keeps a server's ticket keys in step with a fleet's: one key
// per rotation period, created by the first server that asks and read by
// the others. Sync does one round; Run does rounds at every period
// boundary and every Poll in between.
type TicketKeys struct {
	// Store holds the keys.
	Store Store
	// Prefix starts every key name (empty: DefaultPrefix).
	Prefix string
	// Period is the rotation period (0: DefaultRotation); every server
	// of a fleet must use the same.
	Period time.Duration
	// Lifetime is how long a ticket may be used: the servers'
	// sessionTimeout (0: 300 s). Keys stay accepted this long after
	// their period ends.
	Lifetime time.Duration
	// Poll is how often the store is read between boundaries (0: Period/4,
	// at most 30 s): it bounds how long a server runs on keys the fleet
	// replaced (after the store lost its data, say).
	Poll time.Duration
	// Timeout bounds each store call (0: DefaultTimeout).
	Timeout time.Duration
	// Apply installs the keys: current seals, every key opens
	// (api.Server.SetTicketKeyRing, session.Ticketer.SetKeys).
	Apply func(current []byte, older [][]byte) error
	// OnError, if set, is told about each failed round (for logging).
	OnError func(err error)
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader

	mu sync.Mutex
	// keys holds, per period number, the store's key first, then keys
	// this server used for that period before learning the store's.
	keys map[int64][][]byte
	// applied is the current key last given to Apply.
	applied []byte
}

func (k *TicketKeys) period() time.Duration {
	if k.Period > 0 {
		return k.Period
	}
	return DefaultRotation
}

func (k *TicketKeys) lifetime() time.Duration {
	if k.Lifetime > 0 {
		return k.Lifetime
	}
	return session.DefaultTimeout
}

func (k *TicketKeys) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

// Check reports a configuration that cannot work: a period under a
// second, or one so short against the lifetime that more than
// session.MaxKeys keys would be alive.
func (k *TicketKeys) Check() error {
	p, l := k.period(), k.lifetime()
	if p < time.Second {
		return fmt.Errorf("fleet: ticket key rotation period %v is under a second", p)
	}
	if n := k.back() + 2; n*maxPerPeriod > session.MaxKeys {
		return fmt.Errorf("fleet: a rotation every %v with a %v ticket lifetime keeps %d keys alive; rotate less often", p, l, n)
	}
	if k.Apply == nil || k.Store == nil {
		return errors.New("fleet: TicketKeys needs a Store and an Apply function")
	}
	return nil
}

// back is how many past periods' keys still open tickets.
func (k *TicketKeys) back() int64 {
	p, l := k.period(), k.lifetime()
	return int64((l + p - 1) / p)
}

// periodOf returns the number of the period t falls in.
func (k *TicketKeys) periodOf(t time.Time) int64 {
	return t.UnixNano() / int64(k.period())
}

// Sync does one round: it installs the current period's key if it is
// known, fetches (or creates) the current and the next period's keys and
// any missing older one, and installs the result. When the store fails it
// keeps the keys it has and returns the error.
func (k *TicketKeys) Sync(ctx context.Context) error {
	if err := k.Check(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[int64][][]byte{}
	}
	now := k.now()
	cur := k.periodOf(now)
	// At a boundary the key fetched ahead takes over before any store
	// call: the rotation does not wait for the store.
	applyErr := k.apply(cur)
	var storeErr error
	for e := cur + 1; e >= cur-k.back(); e-- {
		if e < cur && len(k.keys[e]) > 0 {
			continue // past keys never change
		}
		if err := k.fetch(ctx, e, e >= cur, now); err != nil {
			storeErr = err
			break
		}
	}
	for e := range k.keys {
		if e < cur-k.back() || e > cur+1 {
			delete(k.keys, e)
		}
	}
	if err := k.apply(cur); err != nil {
		applyErr = err
	}
	err := errors.Join(storeErr, applyErr)
	if err != nil && k.OnError != nil {
		k.OnError(err)
	}
	return err
}

// name is where period e's key lives: the period is part of it, so
// servers configured with different periods never mix their keys.
func (k *TicketKeys) name(e int64) string {
	p := k.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return p + "tk:" + k.period().String() + ":" + strconv.FormatInt(e, 10)
}

// fetch reads period e's key; with create, an absent (or unreadable) key
// is created: the one this server already has for e, else a fresh one.
func (k *TicketKeys) fetch(ctx context.Context, e int64, create bool, now time.Time) error {
	call := func() (context.Context, context.CancelFunc) {
		t := k.Timeout
		if t <= 0 {
			t = DefaultTimeout
		}
		return context.WithTimeout(ctx, t)
	}
	name := k.name(e)
	for attempt := 0; attempt < 2; attempt++ {
		c, cancel := call()
		val, err := k.Store.Get(c, name)
		cancel()
		if err != nil {
			return err
		}
		if key, ok := bytes.CutPrefix(val, keyMagic); ok && len(key) == session.KeyLen {
			k.learn(e, key)
			return nil
		}
		if !create {
			return nil
		}
		if val != nil {
			// Garbage or another version's key: replace it.
			c, cancel = call()
			err = k.Store.Delete(c, name)
			cancel()
			if err != nil {
				return err
			}
		}
		key := []byte(nil)
		if have := k.keys[e]; len(have) > 0 {
			key = have[0]
		} else {
			key = make([]byte, session.KeyLen)
			r := k.Rand
			if r == nil {
				r = rand.Reader
			}
			if _, err := io.ReadFull(r, key); err != nil {
				return err
			}
		}
		// The key must outlive its period by the ticket lifetime.
		end := time.Unix(0, (e+1)*int64(k.period()))
		ttl := end.Sub(now) + k.lifetime() + k.period()
		c, cancel = call()
		added, err := k.Store.Add(c, name, append(append([]byte(nil), keyMagic...), key...), ttl)
		cancel()
		if err != nil {
			return err
		}
		if added {
			k.learn(e, key)
			return nil
		}
		// Another server was first: read its key.
	}
	return fmt.Errorf("fleet: ticket key %s keeps changing", name)
}

// learn makes key the store's key for period e, keeping the one this
// server had (its tickets are alive) behind it.
func (k *TicketKeys) learn(e int64, key []byte) {
	have := k.keys[e]
	if len(have) > 0 && bytes.Equal(have[0], key) {
		return
	}
	ring := [][]byte{bytes.Clone(key)}
	for _, h := range have {
		if !bytes.Equal(h, key) && len(ring) < maxPerPeriod {
			ring = append(ring, h)
		}
	}
	k.keys[e] = ring
}

// apply installs period cur's key to seal and every kept key to open;
// without a key for cur the installed keys stay.
func (k *TicketKeys) apply(cur int64) error {
	ring := k.keys[cur]
	if len(ring) == 0 {
		return nil
	}
	var older [][]byte
	for e := cur + 1; e >= cur-k.back(); e-- {
		for _, key := range k.keys[e] {
			if e != cur || !bytes.Equal(key, ring[0]) {
				older = append(older, key)
			}
		}
	}
	if err := k.Apply(ring[0], older); err != nil {
		return err
	}
	k.applied = ring[0]
	return nil
}

// Current returns the key that seals tickets now (nil before the first
// successful round).
func (k *TicketKeys) Current() []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return bytes.Clone(k.applied)
}

// Run does a round at once, then at every period boundary and every Poll
// (every second while rounds fail), until ctx ends.
func (k *TicketKeys) Run(ctx context.Context) {
	poll := k.Poll
	if poll <= 0 {
		poll = min(k.period()/4, 30*time.Second)
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		wait := poll
		if k.Sync(ctx) != nil {
			// A failed round is tried again soon: a server that started
			// while the store was unreachable joins the fleet's keys as
			// soon as it answers.
			wait = min(poll, retryRound)
		}
		now := k.now()
		next := time.Unix(0, (k.periodOf(now)+1)*int64(k.period()))
		t.Reset(min(wait, next.Sub(now)+time.Millisecond))
	}
}
