package api

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/session"
)

// DefaultHandshakeTimeout is Node's handshakeTimeout default.
const DefaultHandshakeTimeout = 120 * time.Second

// ServerOptions are CreateServer's options: a secure context (given, or
// built from the embedded SecureContextOptions) plus server policy.
type ServerOptions struct {
	SecureContextOptions
	// SecureContext, if set, is used instead of SecureContextOptions.
	SecureContext *SecureContext
	// RequestCert asks clients for a certificate; RejectUnauthorized then
	// fails the handshake of a client without a valid one.
	RequestCert, RejectUnauthorized bool
	// HandshakeTimeout bounds each handshake (0 means 120 s). On expiry
	// the server emits tlsClientError with ERR_TLS_HANDSHAKE_TIMEOUT and,
	// as the seeds say, closes the connection, even while a listener
	// (SNICallback, resumeSession, OCSPRequest, newSession) has not
	// answered; its late answer is dropped. It also bounds how long a
	// socket's Close lets a renegotiation run to send the data written
	// during it.
	HandshakeTimeout time.Duration
	// ALPNProtocols is the server's preference order.
	ALPNProtocols []string
	// NPNProtocols is accepted and ignored, as Node v20 does (NPN is
	// gone from OpenSSL 1.1.1 on; ALPN replaces it).
	NPNProtocols []string
	// SNICallback picks a context for the client's server name; nil uses
	// the AddContext table.
	SNICallback func(servername string) (*SecureContext, error)
	// SessionTimeout is the lifetime of sessions and tickets (0: 300 s).
	SessionTimeout time.Duration
	// TicketKeys are 48 bytes (16 name, 16 HMAC, 16 AES); nil means
	// random keys.
	TicketKeys []byte
	// SessionIDContext scopes session resumption.
	SessionIDContext string
	// NoTickets issues no session tickets, so sessions resume by id only
	// (Node: secureOptions with SSL_OP_NO_TICKET).
	NoTickets bool
	// KeyLog, if set, receives every connection's key material as NSS
	// key log lines (SSLKEYLOGFILE format, one per line), as crypto/tls's
	// KeyLogWriter; OnKeylog is Node's event form. For debugging only.
	KeyLog io.Writer
}

// Server is Node's tls.Server: it accepts TCP connections, runs their
// handshakes and reports each secure connection.
type Server struct {
	cfg     *engine.Config
	opts    ServerOptions
	tickets *session.Ticketer

	mu            sync.Mutex
	ln            net.Listener
	contexts      []sniContext
	conns         map[*TLSSocket]struct{}
	closed        bool
	onSecure      []func(*TLSSocket)
	onClientError []func(error, *TLSSocket)
	onNewSession  []func(id, data []byte, done func())
	onResume      func(id []byte, cb func(data []byte, err error))
	onOCSP        []func(certificate, issuer []byte) ([]byte, error)
	maxConns      int // 0: no limit
	// renegLimit and renegWindow are ClientRenegLimit and
	// ClientRenegWindow when the server was created.
	renegLimit  int
	renegWindow time.Duration

	wg sync.WaitGroup

	life   lifecycle    // Close's callbacks, the close event, Shutdown (shutdown.go)
	keylog serverKeylog // the keylog event (keylog.go)
}

type sniContext struct {
	pattern *regexp.Regexp
	ctx     *SecureContext
}

// CreateServer builds a server; secureConnectionListener, if not nil, is
// registered for the secureConnection event.
func CreateServer(opts ServerOptions, secureConnectionListener func(*TLSSocket)) (*Server, error) {
	ctx := opts.SecureContext
	if ctx == nil {
		var err error
		if ctx, err = CreateSecureContext(opts.SecureContextOptions); err != nil {
			return nil, err
		}
	}
	cfg := *ctx.cfg
	cfg.ALPNProtocols = opts.ALPNProtocols
	cfg.ClientAuth = clientAuth(opts.RequestCert, opts.RejectUnauthorized)
	// Node v20's server keeps no session cache (OpenSSL's internal one is
	// off): a TLS 1.2 session id resumes only through resumeSession, so
	// sessions get ids and nothing stores them (checked against Node:
	// `s_client -no_ticket -sess_in` gets a full handshake).
	cfg.SessionIDs = true
	cfg.SessionTimeout = opts.SessionTimeout
	cfg.SessionIDContext = []byte(opts.SessionIDContext)
	if len(cfg.SessionIDContext) > 32 {
		return nil, &Error{Code: "ERR_INVALID_ARG_VALUE", Message: "sessionIdContext is longer than 32 bytes"}
	}
	key := opts.TicketKeys
	if key == nil {
		key = make([]byte, session.KeyLen)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	tk, err := session.NewTicketer(key)
	if err != nil {
		return nil, &Error{Code: "ERR_INVALID_ARG_VALUE", Message: "ticketKeys must be a 48-byte buffer", Err: err}
	}
	if !opts.NoTickets {
		cfg.Tickets = tk
	}
	s := &Server{cfg: &cfg, opts: opts, tickets: tk, conns: map[*TLSSocket]struct{}{}}
	s.cfg.AskServerContext = true
	s.cfg.AskOCSP = true // answered by the OCSPRequest listeners, if any
	// Client-initiated renegotiation: accepted up to Node's limit.
	s.cfg.AskRenegotiation = true
	s.renegLimit, s.renegWindow = ClientRenegLimit, ClientRenegWindow
	if secureConnectionListener != nil {
		s.OnSecureConnection(secureConnectionListener)
	}
	return s, nil
}

// clientAuth is the engine's client-certificate policy for Node's
// requestCert and rejectUnauthorized (the latter matters only with the
// former).
func clientAuth(requestCert, rejectUnauthorized bool) engine.ClientAuth {
	switch {
	case requestCert && rejectUnauthorized:
		return engine.RequireVerifiedClientCert
	case requestCert:
		return engine.RequestClientCert
	}
	return engine.NoClientCert
}

// OnSecureConnection registers a listener for the secureConnection event:
// a handshake completed (the peer may still be unauthorized; see
// Authorized).
func (s *Server) OnSecureConnection(f func(*TLSSocket)) {
	s.mu.Lock()
	s.onSecure = append(s.onSecure, f)
	s.mu.Unlock()
}

// OnTLSClientError registers a listener for the tlsClientError event: a
// connection failed before it became secure.
func (s *Server) OnTLSClientError(f func(error, *TLSSocket)) {
	s.mu.Lock()
	s.onClientError = append(s.onClientError, f)
	s.mu.Unlock()
}

// OnNewSession registers a listener for the newSession event: a full
// handshake created a session the client may resume by id. data is its
// encoding, for an external store; secureConnection waits until every
// listener has called done (Node holds the connection the same way).
// Only later connections are affected.
func (s *Server) OnNewSession(f func(id, data []byte, done func())) {
	s.mu.Lock()
	s.onNewSession = append(s.onNewSession, f)
	cfg := *s.cfg
	cfg.LookupSessions = true // every new session gets an id
	s.cfg = &cfg
	s.mu.Unlock()
}

// OnResumeSession sets the resumeSession listener: a client offered a
// session id; call cb with the stored data, with nil when unknown (a full
// handshake follows), or with an error to fail the connection. It
// applies to later connections. Without it a TLS 1.2 session id resumes
// nothing, as in Node v20, whose server keeps no session cache.
func (s *Server) OnResumeSession(f func(id []byte, cb func(data []byte, err error))) {
	s.mu.Lock()
	s.onResume = f
	cfg := *s.cfg
	cfg.LookupSessions, cfg.SessionCache = true, nil
	s.cfg = &cfg
	s.mu.Unlock()
}

// lookupSession bridges the engine's SessionLookup decision to the
// resumeSession listener, waiting for its callback until dead is closed
// (the socket closed or timed out; a later callback is dropped).
func (s *Server) lookupSession(id []byte, dead <-chan struct{}) (*session.State, error) {
	s.mu.Lock()
	f := s.onResume
	cache := s.cfg.SessionCache
	s.mu.Unlock()
	if f == nil {
		// newSession without resumeSession: as in Node v20, nothing
		// stores the sessions, unless a SessionCache was configured.
		if cache != nil {
			if st, ok := cache.Get(id); ok {
				return st, nil
			}
		}
		return nil, nil
	}
	type answer struct {
		data []byte
		err  error
	}
	ch := make(chan answer, 1)
	var once sync.Once
	f(append([]byte(nil), id...), func(data []byte, err error) {
		once.Do(func() { ch <- answer{data, err} })
	})
	var a answer
	select {
	case a = <-ch:
	case <-dead:
		return nil, errSocketClosed
	}
	if a.err != nil {
		return nil, a.err
	}
	if a.data == nil {
		return nil, nil
	}
	st, err := session.Unmarshal(a.data)
	if err != nil {
		return nil, nil // unreadable data: a full handshake
	}
	return st, nil
}

// OnClientError is the older name of OnTLSClientError (Node before v6).
func (s *Server) OnClientError(f func(error, *TLSSocket)) { s.OnTLSClientError(f) }

// AddContext serves hostname (a wildcard pattern as Node takes it: "*"
// matches one dot-free label, case-sensitively) with the context built
// from opts; the last added match wins.
func (s *Server) AddContext(hostname string, opts SecureContextOptions) error {
	ctx, err := CreateSecureContext(opts)
	if err != nil {
		return err
	}
	re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(hostname), `\*`, `[^.]*`) + "$")
	s.mu.Lock()
	s.contexts = append(s.contexts, sniContext{re, ctx})
	s.mu.Unlock()
	return nil
}

// TicketKeys returns the current 48-byte ticket key.
func (s *Server) TicketKeys() []byte { return s.tickets.Key() }

// SetTicketKeys replaces the ticket key; tickets under the previous key
// still resume, new tickets use the new one.
func (s *Server) SetTicketKeys(keys []byte) error {
	if err := s.tickets.SetKey(keys); err != nil {
		return &Error{Code: "ERR_INVALID_ARG_VALUE", Message: "Session ticket keys must be a 48-byte buffer", Err: err}
	}
	return nil
}

// Listen binds host:port (port 0 picks one) and serves in the background;
// cb, if not nil, runs once bound (Node's listen callback).
func (s *Server) Listen(port int, host string, cb func()) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	// The listener is in place before Listen returns, so Address works
	// at once (and in the callback, as in Node's 'listening').
	if err := s.adopt(ln); err != nil {
		return err
	}
	go s.serve(ln)
	if cb != nil {
		cb()
	}
	return nil
}

// adopt makes ln the server's listener, unless the server is closed.
func (s *Server) adopt(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		ln.Close()
		return net.ErrClosed
	}
	s.ln = ln
	return nil
}

// Serve accepts connections on ln until Close; it returns the accept
// error that ended it (nil after Close).
func (s *Server) Serve(ln net.Listener) error {
	if err := s.adopt(ln); err != nil {
		return err
	}
	return s.serve(ln)
}

func (s *Server) serve(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		s.mu.Lock()
		if s.maxConns > 0 && len(s.conns) >= s.maxConns {
			s.mu.Unlock()
			conn.Close() // Node drops it before the handshake
			continue
		}
		sock := s.newSocket(conn) // s.mu is held: s.cfg is stable
		s.conns[sock] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.handle(sock)
	}
}

// newSocket wraps an accepted connection with the server's decisions.
func (s *Server) newSocket(conn net.Conn) *TLSSocket {
	lim := &renegLimiter{limit: s.renegLimit, window: s.renegWindow}
	var sock *TLSSocket
	// The resolvers run without the socket's lock (answerDecision).
	sock = NewServerSocket(conn, s.cfg, &engine.Resolvers{
		ServerContext: s.serverContext,
		SessionLookup: func(id []byte) (*session.State, error) { return s.lookupSession(id, sock.deadChan()) },
		OCSP:          s.ocspResponse,
		Renegotiation: func() (bool, error) {
			if err := sock.renegotiationDisabled(); err != nil {
				return false, err
			}
			if lim.allow(time.Now()) {
				return true, nil
			}
			sock.emitError(ErrSessionAttack)
			return false, nil
		},
	})
	sock.handshakeTimeout = s.opts.HandshakeTimeout // Close's bound on a renegotiation
	s.attachKeylog(sock)
	return sock
}

// serverContext answers the SNI decision: SNICallback, else the
// AddContext table, else the server's own context.
func (s *Server) serverContext(d *engine.ServerContextDecision) (*engine.Config, error) {
	name := d.ServerName
	var ctx *SecureContext
	if s.opts.SNICallback != nil {
		c, err := s.opts.SNICallback(name)
		if err != nil {
			return nil, err
		}
		ctx = c
	} else if name != "" {
		s.mu.Lock()
		for i := len(s.contexts) - 1; i >= 0; i-- {
			if s.contexts[i].pattern.MatchString(name) {
				ctx = s.contexts[i].ctx
				break
			}
		}
		s.mu.Unlock()
	}
	if ctx == nil {
		return nil, nil
	}
	// The context brings credentials and trust; the server keeps its
	// policy (sessions, client authentication, ALPN).
	cfg := *s.cfg
	cfg.Certificates, cfg.RootCAs, cfg.CRLs = ctx.cfg.Certificates, ctx.cfg.RootCAs, ctx.cfg.CRLs
	cfg.AskServerContext = false
	return &cfg, nil
}

// handle runs one connection's handshake under the timeout and reports it.
// The timeout is a timer of its own, as in Node: it fires even while a
// listener (SNICallback, resumeSession, OCSPRequest, newSession) has not
// answered, reports ERR_TLS_HANDSHAKE_TIMEOUT and destroys the socket;
// whatever the listener answers later is dropped. Exactly one of
// tlsClientError and secureConnection is emitted.
func (s *Server) handle(sock *TLSSocket) {
	defer s.wg.Done()
	timeout := s.opts.HandshakeTimeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	var settled atomic.Bool // the outcome is decided: secure, failed or timed out
	fail := func(err error) {
		if settled.CompareAndSwap(false, true) {
			s.forget(sock)
			sock.destroy(err)
			s.clientError(err, sock)
		}
	}
	timer := time.AfterFunc(timeout, func() { fail(handshakeTimeout(context.DeadlineExceeded)) })
	defer timer.Stop()
	err := sock.Handshake(context.Background())
	if err == nil {
		err = s.newSession(sock)
	}
	if err != nil {
		fail(err)
		return
	}
	if !settled.CompareAndSwap(false, true) {
		return // timed out while a newSession listener held it
	}
	s.mu.Lock()
	ls := slices.Clone(s.onSecure)
	s.mu.Unlock()
	sock.onClose = func() { s.forget(sock) }
	for _, f := range ls {
		f(sock)
	}
}

// handshakeTimeout is Node's error for a handshake that took too long.
func handshakeTimeout(err error) *Error {
	return &Error{Code: "ERR_TLS_HANDSHAKE_TIMEOUT", Message: "TLS handshake timeout", Err: err}
}

// clientError emits tlsClientError.
func (s *Server) clientError(err error, sock *TLSSocket) {
	s.mu.Lock()
	ls := slices.Clone(s.onClientError)
	s.mu.Unlock()
	for _, f := range ls {
		f(err, sock)
	}
}

// newSession emits newSession for a new session with an id and waits
// until every listener has called done (Node holds secureConnection the
// same way), or the socket dies.
func (s *Server) newSession(sock *TLSSocket) error {
	s.mu.Lock()
	ls := slices.Clone(s.onNewSession)
	s.mu.Unlock()
	st := sock.ConnectionState()
	// In TLS 1.2 a full handshake makes one session; in TLS 1.3 each
	// ticket issued is one (Node v20 emits newSession per ticket).
	var news []*session.State
	if st.Version == cipher.VersionTLS13 {
		news = sock.takeSessions13()
	} else if st.NewSession && st.Session != nil && len(st.Session.SessionID) > 0 {
		news = []*session.State{st.Session}
	}
	if len(ls) == 0 || len(news) == 0 {
		return nil
	}
	all := make(chan struct{})
	var left atomic.Int32
	left.Store(int32(len(ls) * len(news)))
	for _, ns := range news {
		data, err := ns.Marshal()
		if err != nil {
			left.Add(-int32(len(ls)))
			continue
		}
		for _, f := range ls {
			var once sync.Once
			f(append([]byte(nil), ns.SessionID...), data, func() {
				once.Do(func() {
					if left.Add(-1) == 0 {
						close(all)
					}
				})
			})
		}
	}
	if left.Load() == 0 {
		return nil
	}
	select {
	case <-all:
		return nil
	case <-sock.deadChan():
		return errSocketClosed
	}
}

func (s *Server) forget(sock *TLSSocket) {
	s.mu.Lock()
	delete(s.conns, sock)
	s.mu.Unlock()
	s.emitCloseIfDrained()
}

// SetMaxConnections is Node's server.maxConnections = n: with n
// connections open, new ones are dropped before their handshake. 0 (the
// default) means no limit. It may be called at any time.
func (s *Server) SetMaxConnections(n int) {
	s.mu.Lock()
	s.maxConns = n
	s.mu.Unlock()
}

// MaxConnections returns the limit SetMaxConnections set (0: none).
func (s *Server) MaxConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxConns
}

// Connections is the number of open connections (Node's connections).
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Address is the bound address, nil before Listen or Serve.
func (s *Server) Address() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Listener returns a net.Listener whose Accept yields each secure
// connection as a *TLSSocket, so that http.Serve and the like work on
// the server. Closing it closes the server, and closing the server
// (Close, Shutdown) closes it: Accept returns net.ErrClosed.
func (s *Server) Listener() net.Listener {
	l := &secureListener{srv: s, conns: make(chan *TLSSocket), done: make(chan struct{}), closing: s.closingChan()}
	s.OnSecureConnection(func(sock *TLSSocket) {
		select {
		case l.conns <- sock:
		case <-l.done:
			sock.Close()
		case <-l.closing: // no Accept is coming: the listener is closed
			sock.Close()
		}
	})
	return l
}

type secureListener struct {
	srv     *Server
	conns   chan *TLSSocket
	done    chan struct{}
	closing <-chan struct{} // the server's Close or Shutdown
	once    sync.Once
}

func (l *secureListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-l.closing:
		return nil, net.ErrClosed
	}
}

func (l *secureListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.srv.Close()
}

func (l *secureListener) Addr() net.Addr {
	if a := l.srv.Address(); a != nil {
		return a
	}
	return &net.TCPAddr{}
}
