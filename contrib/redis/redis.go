package redis

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/fleet"
)

// Store is a fleet.Store over a go-redis client. Each call is bounded by
// its context; the client must honour context deadlines
// (Options.ContextTimeoutEnabled, which Open sets) for a hung Redis to
// cost a handshake no more than the fleet's timeout.
type Store struct {
	c goredis.Cmdable
}

// New wraps a go-redis client (*goredis.Client, *goredis.ClusterClient,
// *goredis.Ring, ...).
func New(c goredis.Cmdable) *Store { return &Store{c: c} }

// Open connects (lazily) to the redis:// or rediss:// URL with options
// fit for a handshake's path: every dial, read, write and wait for a
// pooled connection bounded by timeout (0: fleet.DefaultTimeout),
// context deadlines honoured, one dial attempt, no retries. It returns
// the client too, for Close.
func Open(url string, timeout time.Duration) (*Store, *goredis.Client, error) {
	o, err := goredis.ParseURL(url)
	if err != nil {
		return nil, nil, err
	}
	if timeout <= 0 {
		timeout = fleet.DefaultTimeout
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = timeout, timeout, timeout, timeout
	o.ContextTimeoutEnabled = true
	o.MaxRetries = -1
	o.DialerRetries = 1
	c := goredis.NewClient(o)
	return New(c), c, nil
}

// Attach is fleet.Attach on a go-redis client.
func Attach(srv *api.Server, c goredis.Cmdable, opts fleet.Options) (*fleet.Fleet, error) {
	return fleet.Attach(srv, New(c), opts)
}

// Get implements fleet.Store: absent is nil, nil; a value over
// fleet.MaxValue is an error.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.c.Get(ctx, key).Bytes()
	switch {
	case errors.Is(err, goredis.Nil):
		return nil, nil
	case err != nil:
		return nil, err
	case len(v) > fleet.MaxValue:
		return nil, fleet.ErrTooLarge
	}
	return v, nil
}

// Set implements fleet.Store.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if len(value) > fleet.MaxValue {
		return fleet.ErrTooLarge
	}
	return s.c.Set(ctx, key, value, ttl).Err()
}

// Add implements fleet.Store (SET NX).
func (s *Store) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if len(value) > fleet.MaxValue {
		return false, fleet.ErrTooLarge
	}
	return s.c.SetNX(ctx, key, value, ttl).Result()
}

// Delete implements fleet.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.c.Del(ctx, key).Err()
}
