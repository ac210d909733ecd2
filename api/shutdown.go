package api

import (
	"context"
	"slices"
	"sync"
	"time"
)

// lifecycle is the server's end: the close event and its listeners, and
// what Shutdown tells the application. Guarded by Server.mu.
type lifecycle struct {
	onClose    []func()      // close event listeners
	closeCbs   []func(error) // Close callbacks waiting for the close event
	closedDone bool          // the close event was emitted
	closing    chan struct{} // closed by Close: Listener's Accept ends
	drained    chan struct{} // closed with the close event
	onShutdown []func()      // RegisterOnShutdown
	shutdown   bool          // Shutdown was called
}

// ErrServerNotRunning is what a Close callback gets when the server was
// not listening (Node's ERR_SERVER_NOT_RUNNING).
var ErrServerNotRunning = &Error{Code: "ERR_SERVER_NOT_RUNNING", Message: "Server is not running."}

// Close is Node's server.close([callback]): it stops accepting
// connections and leaves the open ones alone. The server emits its close
// event (OnClose) once none remains, handshakes under way included; the
// callback, if given, runs then, with nil, or with ErrServerNotRunning
// when the server was not listening (as Node's). A secure connection
// remains until the application closes it (or its peer's close makes a
// Read fail and the application closes it then). The error is the
// listener's.
func (s *Server) Close(callback ...func(error)) error {
	s.mu.Lock()
	wasRunning := s.ln != nil && !s.closed
	if !s.closed && s.life.closing != nil {
		close(s.life.closing)
	}
	s.closed = true
	ln := s.ln
	for _, cb := range callback {
		if cb == nil {
			continue
		}
		if !wasRunning {
			orig := cb
			cb = func(error) { orig(ErrServerNotRunning) }
		}
		s.life.closeCbs = append(s.life.closeCbs, cb)
	}
	s.mu.Unlock()
	var err error
	if ln != nil {
		err = ln.Close()
	}
	s.emitCloseIfDrained()
	return err
}

// closingChan is closed once the server is closed.
func (s *Server) closingChan() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.life.closing == nil {
		s.life.closing = make(chan struct{})
		if s.closed {
			close(s.life.closing)
		}
	}
	return s.life.closing
}

// OnClose registers a listener for the close event: the server was
// closed (Close or Shutdown) and its last connection has ended.
func (s *Server) OnClose(f func()) {
	s.mu.Lock()
	s.life.onClose = append(s.life.onClose, f)
	s.mu.Unlock()
	s.emitCloseIfDrained() // a late listener still runs, once
}

// emitCloseIfDrained emits the close event when the server is closed and
// has no connection left, then runs the Close callbacks waiting for it.
func (s *Server) emitCloseIfDrained() {
	s.mu.Lock()
	if !s.closed || len(s.conns) > 0 {
		s.mu.Unlock()
		return
	}
	var ls []func()
	if !s.life.closedDone {
		s.life.closedDone = true
		ls = slices.Clone(s.life.onClose)
		s.life.onClose = nil
		if s.life.drained != nil {
			close(s.life.drained)
		}
	} else {
		// A listener added after the event: it runs now.
		ls, s.life.onClose = s.life.onClose, nil
	}
	cbs := s.life.closeCbs
	s.life.closeCbs = nil
	s.mu.Unlock()
	for _, f := range ls {
		f()
	}
	for _, cb := range cbs {
		cb(nil)
	}
}

// RegisterOnShutdown registers f to run, on its own goroutine, when
// Shutdown begins: the place to tell long-lived connections to wind up
// (http.Server's RegisterOnShutdown). TLSSocket.Context is another.
func (s *Server) RegisterOnShutdown(f func()) {
	s.mu.Lock()
	s.life.onShutdown = append(s.life.onShutdown, f)
	s.mu.Unlock()
}

// Shutdown closes the server gracefully, as http.Server's does: it stops
// accepting, runs the RegisterOnShutdown functions, and waits for the
// open connections to end (handshakes under way complete and are
// reported as usual; the application closes its secure connections).
// When ctx ends first it gives up: every remaining connection is closed,
// with close_notify (each Close bounded as TLSSocket.Close is), and
// Shutdown returns ctx's error once they are. It returns nil when the
// connections ended by themselves.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.life.drained == nil {
		s.life.drained = make(chan struct{})
		if s.life.closedDone {
			close(s.life.drained)
		}
	}
	drained := s.life.drained
	var hooks []func()
	if !s.life.shutdown {
		s.life.shutdown = true
		hooks = slices.Clone(s.life.onShutdown)
	}
	s.mu.Unlock()
	for _, f := range hooks {
		go f()
	}
	s.Close()
	select {
	case <-drained:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	var socks []*TLSSocket
	for sock := range s.conns {
		socks = append(socks, sock)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, sock := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sock.Close()
			s.forget(sock) // a handshake under way is forgotten by its own failure too
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// Context returns a context that is done once the socket is closed or
// destroyed; its Value answers SocketFromContext with the socket. A
// goroutine serving the connection can select on it, or hand it to
// calls that should stop with the connection.
func (s *TLSSocket) Context() context.Context { return socketContext{s} }

// socketContext is a context whose Done is the socket's dead channel:
// no allocation and no goroutine per socket.
type socketContext struct{ s *TLSSocket }

func (socketContext) Deadline() (time.Time, bool) { return time.Time{}, false }

func (c socketContext) Done() <-chan struct{} { return c.s.deadChan() }

func (c socketContext) Err() error {
	if c.s.isKilled() {
		return context.Canceled
	}
	return nil
}

func (c socketContext) Value(key any) any {
	if key == (socketKey{}) {
		return c.s
	}
	return nil
}
