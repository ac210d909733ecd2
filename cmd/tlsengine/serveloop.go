package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/eventloop"
)

// serveLoop is serve on event loops (-event-loop): the same handshakes,
// log lines, echo and -www answers, with every connection driven from a
// few epoll loops instead of a goroutine of its own. When ctx ends it
// closes the listener and every connection (close_notify to the
// established ones).
func (s *server) serveLoop(ctx context.Context, ln net.Listener, stdout io.Writer) error {
	tcp, ok := ln.(*net.TCPListener)
	if !ok {
		ln.Close()
		return errors.New("-event-loop needs a TCP listener")
	}
	keylog, closeKeylog, err := openKeylog(s.opts.keylog)
	if err != nil {
		ln.Close()
		return err
	}
	defer closeKeylog()
	// The fleet's ticket keys are in place before the first client.
	defer s.startFleet(ctx)()
	h := loopHandler{s: s, saves: &sync.WaitGroup{}}
	defer h.saves.Wait() // before the store closes
	srv := &eventloop.Server{
		Config:    s.cfg,
		Resolvers: func(peer net.Addr) *engine.Resolvers { return s.resolvers(peer.String()) },
		// serve's own resolvers return at once (the SNI map, the
		// renegotiation limit); a session store's lookups wait on
		// Redis, on a goroutine per lookup.
		InlineResolvers:  s.fleet == nil,
		Handler:          h,
		HandshakeTimeout: s.opts.handshakeTimeout,
		Loops:            s.opts.loops,
		Keylog:           keylog,
		ErrorLog: func(peer net.Addr, err error) {
			if peer == nil {
				s.log.printf("%v", err)
				return
			}
			s.log.printf("%s: %v", peer, err)
		},
	}
	s.log.flush() // the start-up lines are out before "listening"
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	err = srv.Serve(ctx, tcp)
	if err == nil {
		s.log.printf("shutting down")
	}
	return err
}

// loopHandler is serve's echo or -www answer on an event loop.
type loopHandler struct {
	s     *server
	saves *sync.WaitGroup // sessions being stored (-session-store)
}

func (h loopHandler) Established(c *eventloop.Conn, st *engine.ConnectionState) {
	if h.s.fleet != nil && st.NewSession {
		// Stored from a goroutine, the loop not waiting on Redis; the
		// connection waits, so that the session is in the store before
		// the client hears anything more from this server (as in
		// goroutine mode, where the save comes before the echo).
		h.saves.Add(1)
		c.Await(func() {
			defer h.saves.Done()
			h.s.fleet.save(st)
		})
	}
	h.s.log.printf("%s: %s", c.RemoteAddr(), h.s.describe(st))
	if h.s.opts.www {
		c.Value = &requestHead{}
	}
}

func (h loopHandler) Data(c *eventloop.Conn, p []byte) {
	head, ok := c.Value.(*requestHead)
	if !ok {
		if err := c.Write(p); err != nil {
			h.s.log.printf("%s: %v", c.RemoteAddr(), err)
			c.Close()
		}
		return
	}
	done, err := head.scan(p)
	switch {
	case err != nil:
		h.s.log.printf("%s: %v", c.RemoteAddr(), err)
		c.Close()
	case done:
		c.Value = nil
		c.Write(statusResponse(c.ConnectionState(), h.s.opts.requestCert))
		c.Close()
	}
}

// requestHead follows an HTTP request head through the pieces it arrives
// in, up to its first empty line (CRLF or bare LF), without keeping the
// bytes: serve's -www reads it from a socket (readRequestHead), the event
// loop feeds it each piece of plaintext.
type requestHead struct {
	total   int
	midLine bool // the last byte seen was not the end of a line
	lineCR  bool // the current line so far is a lone CR
}

// scan reports whether p completes the head; past maxRequest bytes it
// fails.
func (r *requestHead) scan(p []byte) (done bool, err error) {
	for _, b := range p {
		r.total++
		if r.total > maxRequest {
			return false, fmt.Errorf("HTTP request head longer than %d bytes", maxRequest)
		}
		switch {
		case b == '\n':
			if !r.midLine || r.lineCR {
				return true, nil
			}
			r.midLine, r.lineCR = false, false
		case b == '\r' && !r.midLine:
			r.midLine, r.lineCR = true, true
		default:
			r.midLine, r.lineCR = true, false
		}
	}
	return false, nil
}
