package session

import (
	"crypto/subtle"
	"fmt"
	"time"
)

// MaxKeys bounds the keys a Ticketer holds (the current one and those
// that still open tickets): a fleet rotating every minute with a day's
// ticket lifetime needs more, and should rotate less often.
const MaxKeys = 64

// SetKeys installs a key ring: current seals new tickets; current and
// every key in older open them (a fleet's rotation, where tickets sealed
// by any server under any still-valid key must resume everywhere). Every
// key is KeyLen bytes in Node's layout; older may repeat current. Nothing
// changes when a key is malformed.
func (t *Ticketer) SetKeys(current []byte, older [][]byte) error {
	if 1+len(older) > MaxKeys {
		return fmt.Errorf("tls: %d session ticket keys, at most %d", 1+len(older), MaxKeys)
	}
	cur, err := newTicketKey(current)
	if err != nil {
		return err
	}
	ring := make([]*ticketKey, 0, len(older))
	for _, raw := range older {
		k, err := newTicketKey(raw)
		if err != nil {
			return err
		}
		if k.raw != cur.raw {
			ring = append(ring, k)
		}
	}
	t.mu.Lock()
	t.current, t.older = cur, ring
	t.mu.Unlock()
	return nil
}

// Keys returns the current key and the older keys that still open
// tickets, each a fresh copy.
func (t *Ticketer) Keys() (current []byte, older [][]byte) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	current = append([]byte(nil), t.current.raw[:]...)
	for _, k := range t.older {
		older = append(older, append([]byte(nil), k.raw[:]...))
	}
	return current, older
}

// keyNamed finds the key whose 16-byte name is name, comparing every
// name in constant time; old reports a key other than the current one.
func (t *Ticketer) keyNamed(name []byte) (k *ticketKey, old bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if subtle.ConstantTimeCompare(name, t.current.raw[:nameLen]) == 1 {
		return t.current, false
	}
	for _, o := range t.older {
		if subtle.ConstantTimeCompare(name, o.raw[:nameLen]) == 1 {
			return o, true
		}
	}
	return nil, false
}

// DefaultTimeout is the lifetime of sessions and tickets when none is
// configured: 300 seconds, as OpenSSL and Node.
const DefaultTimeout = 300 * time.Second
