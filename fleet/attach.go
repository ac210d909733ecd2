package fleet

import (
	"context"
	"sync"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// Options configure Attach.
type Options struct {
	// Prefix starts every key (empty: DefaultPrefix).
	Prefix string
	// Timeout bounds each store call (0: DefaultTimeout).
	Timeout time.Duration
	// Rotation is the ticket key rotation period (0: DefaultRotation).
	Rotation time.Duration
	// Poll is how often keys are read between boundaries (see
	// TicketKeys.Poll).
	Poll time.Duration
	// NoTicketKeys leaves the server's ticket keys alone (sessions by id
	// only are shared).
	NoTicketKeys bool
	// OnError, if set, is told about store failures (for logging).
	OnError func(err error)
}

// Fleet is a server attached to a fleet.
type Fleet struct {
	Sessions *Sessions
	// Keys is nil with Options.NoTicketKeys.
	Keys *TicketKeys

	cancel context.CancelFunc
	done   sync.WaitGroup
}

// Attach makes srv share sessions and ticket keys through store: its
// newSession listener saves each new session, its resumeSession listener
// looks sessions up (both bounded by Timeout; a failing store means full
// handshakes), and a goroutine keeps its ticket keys in step with the
// fleet's until Close. The first key round runs before Attach returns,
// so the server starts with the fleet's keys when the store answers.
func Attach(srv *api.Server, store Store, opts Options) (*Fleet, error) {
	onErr := func(op string, err error) {
		if opts.OnError != nil {
			opts.OnError(err)
		}
	}
	f := &Fleet{Sessions: &Sessions{
		Store: store, Prefix: opts.Prefix, Context: []byte(srv.SessionIDContext()),
		TTL: srv.SessionTimeout(), Timeout: opts.Timeout, OnError: onErr,
	}}
	if !opts.NoTicketKeys {
		f.Keys = &TicketKeys{
			Store: store, Prefix: opts.Prefix, Period: opts.Rotation, Lifetime: srv.SessionTimeout(),
			Poll: opts.Poll, Timeout: opts.Timeout, Apply: srv.SetTicketKeyRing, OnError: opts.OnError,
		}
		if err := f.Keys.Check(); err != nil {
			return nil, err
		}
	}
	srv.OnNewSession(func(id, data []byte, done func()) {
		f.Sessions.Save(context.Background(), id, data)
		done()
	})
	srv.OnResumeSession(func(id []byte, cb func(data []byte, err error)) {
		cb(f.Sessions.Load(context.Background(), id), nil)
	})
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	if f.Keys != nil {
		f.Keys.Sync(ctx)
		f.done.Add(1)
		go func() {
			defer f.done.Done()
			f.Keys.Run(ctx)
		}()
	}
	return f, nil
}

// Close stops the key rotation; sessions keep being shared.
func (f *Fleet) Close() {
	f.cancel()
	f.done.Wait()
}
