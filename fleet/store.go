package fleet

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Store is the shared key-value store of a fleet. Every method is bounded
// by ctx (callers always give it a deadline) and safe for concurrent use.
type Store interface {
	// Get returns the value under key, nil with a nil error when absent.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Add stores value under key for ttl only if key is absent, and
	// reports whether it did (Redis SET NX).
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key; an absent key is not an error.
	Delete(ctx context.Context, key string) error
}

// MaxValue bounds the values a fleet reads and writes: a session with a
// long client certificate chain is a few tens of kilobytes.
const MaxValue = 256 << 10

// ErrTooLarge is returned for a value beyond MaxValue.
var ErrTooLarge = errors.New("fleet: value larger than fleet.MaxValue")

// Memory is a Store in this process's memory, for tests and for a single
// server; it is safe for concurrent use. Expired entries are dropped when
// read.
type Memory struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu sync.Mutex
	m  map[string]memoryEntry
}

type memoryEntry struct {
	value   []byte
	expires time.Time
}

func (m *Memory) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// entry returns the live entry under key; m.mu is held.
func (m *Memory) entry(key string) (memoryEntry, bool) {
	e, ok := m.m[key]
	if ok && !m.now().Before(e.expires) {
		delete(m.m, key)
		ok = false
	}
	return e, ok
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, _ := m.entry(key)
	return append([]byte(nil), e.value...), nil
}

// Set implements Store.
func (m *Memory) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := m.put(ctx, key, value, ttl, false)
	return err
}

// Add implements Store.
func (m *Memory) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return m.put(ctx, key, value, ttl, true)
}

func (m *Memory) put(ctx context.Context, key string, value []byte, ttl time.Duration, onlyNew bool) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if len(value) > MaxValue {
		return false, ErrTooLarge
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entry(key); ok && onlyNew {
		return false, nil
	}
	if m.m == nil {
		m.m = map[string]memoryEntry{}
	}
	m.m[key] = memoryEntry{append([]byte{}, value...), m.now().Add(ttl)}
	return true, nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	delete(m.m, key)
	m.mu.Unlock()
	return nil
}
