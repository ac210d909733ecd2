package main

import (
	"context"
	"flag"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/fleet"
	"github.com/tlsengine/tlsengine/session"
)

// fleetFlags are the serve flags that make several servers one fleet.
type fleetFlags struct {
	store          string
	storeCA        string
	rotation       time.Duration
	storeTimeout   time.Duration
	sessionTimeout time.Duration
}

func (f *fleetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.store, "session-store", "", "share sessions and ticket keys with every server using the same store: redis://[[user]:password@]HOST:PORT[/DB], or rediss:// for Redis over TLS")
	fs.StringVar(&f.storeCA, "session-store-ca", "", "with a rediss:// -session-store: PEM `file` of the CAs that verify Redis's certificate (default: the system's)")
	f.rotation = fleet.DefaultRotation
	fs.Var(durationFlag{&f.rotation}, "ticket-rotation", "with -session-store: a new ticket key every `duration` (the same on every server); older keys still open tickets for -session-timeout")
	f.storeTimeout = fleet.DefaultTimeout
	fs.Var(durationFlag{&f.storeTimeout}, "store-timeout", "with -session-store: give up on a store call after `duration` (a session lookup then means a full handshake)")
	f.sessionTimeout = session.DefaultTimeout
	fs.Var(durationFlag{&f.sessionTimeout}, "session-timeout", "lifetime of sessions and tickets, `duration` (Node's sessionTimeout)")
}

// serveFleet is serve's link to the store.
type serveFleet struct {
	sessions *fleet.Sessions
	keys     *fleet.TicketKeys // nil with -no-ticket
	store    *fleet.Redis
}

// configureFleet applies the session timeout and, with -session-store,
// replaces the in-memory session cache and the ticket key with the
// store's.
func (s *server) configureFleet(cfg *engine.Config) error {
	f := s.opts.fleet
	if f.sessionTimeout < time.Second {
		return usagef("-session-timeout must be at least a second")
	}
	cfg.SessionTimeout = f.sessionTimeout
	if f.store == "" {
		return nil
	}
	if s.opts.ticketKeys != "" {
		return usagef("-ticket-keys and -session-store contradict each other: the fleet's keys come from the store")
	}
	if f.storeTimeout <= 0 {
		return usagef("-store-timeout must be positive")
	}
	ro := fleet.RedisOptions{Timeout: f.storeTimeout}
	if f.storeCA != "" {
		if !strings.HasPrefix(f.store, "rediss://") {
			return usagef("-session-store-ca goes with a rediss:// -session-store")
		}
		ca, err := os.ReadFile(f.storeCA)
		if err != nil {
			return err
		}
		ro.TLS = &api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca}}}
	}
	store, err := fleet.OpenRedis(f.store, ro)
	if err != nil {
		return usagef("-session-store: %v", err)
	}
	var last atomic.Int64 // Unix nanoseconds of the last error logged
	onErr := func(err error) {
		now := time.Now().UnixNano()
		if prev := last.Load(); now-prev >= int64(10*time.Second) && last.CompareAndSwap(prev, now) {
			s.log.printf("session store %s: %v (full handshakes meanwhile; logged at most every 10s)", store.Addr(), err)
		}
	}
	sf := &serveFleet{store: store, sessions: &fleet.Sessions{
		Store: store, Context: cfg.SessionIDContext, TTL: f.sessionTimeout, Timeout: f.storeTimeout,
		OnError: func(_ string, err error) { onErr(err) },
	}}
	cfg.SessionCache, cfg.LookupSessions = nil, true
	if cfg.Tickets != nil {
		tk := cfg.Tickets
		sf.keys = &fleet.TicketKeys{
			Store: store, Period: f.rotation, Lifetime: f.sessionTimeout, Timeout: f.storeTimeout,
			Apply: tk.SetKeys, OnError: onErr,
		}
		if err := sf.keys.Check(); err != nil {
			return usagef("-ticket-rotation: %v", err)
		}
	}
	s.fleet = sf
	return nil
}

// startFleet fetches the fleet's ticket keys once, then keeps them in step
// until ctx ends or the returned stop is called (stop waits for it).
func (s *server) startFleet(ctx context.Context) (stop func()) {
	if s.fleet == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	line := "session store " + s.fleet.store.Addr() + ": sessions shared"
	if k := s.fleet.keys; k != nil {
		k.Sync(ctx)
		line += ", ticket keys rotated every " + s.opts.fleet.rotation.String()
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.Run(ctx)
		}()
	}
	s.log.printf("%s", line)
	return func() {
		cancel()
		wg.Wait()
		s.fleet.store.Close()
	}
}

// lookup answers the engine's session decision from the store: a miss
// when it fails or is slow.
func (f *serveFleet) lookup(id []byte) (*session.State, error) {
	return f.sessions.LoadState(context.Background(), id), nil
}

// save stores the new session of a completed handshake.
func (f *serveFleet) save(st *engine.ConnectionState) {
	if !st.NewSession || st.Session == nil || len(st.Session.SessionID) == 0 {
		return
	}
	data, err := st.Session.Marshal()
	if err != nil {
		return
	}
	f.sessions.Save(context.Background(), st.Session.SessionID, data)
}
