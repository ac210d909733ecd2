package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// shutdownGrace bounds how long a connection may take to say goodbye once
// the server is stopping.
const shutdownGrace = time.Second

// serveOptions are the flags of `tlsengine serve`.
type serveOptions struct {
	commonFlags
	addr               string
	requestCert        bool
	rejectUnauthorized bool
	www                bool
	eventLoop          bool
	loops              int
	noTicket           bool
	ticketKeys         string
	dhparam            string
	sni                sniFlag
	handshakeTimeout   time.Duration
	fleet              fleetFlags
}

// serveMain parses the serve command line, listens and serves until ctx
// ends.
func serveMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseServeFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	// The configuration is checked before anything listens: a server that
	// could never complete a handshake does not start.
	s := &server{opts: o, log: &lineLogger{w: stderr}}
	defer s.log.flush()
	if err := s.configure(); err != nil {
		s.log.flush()
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitStatus(err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		s.log.flush()
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitFailure
	}
	serve := s.serve
	if o.eventLoop {
		serve = s.serveLoop
	}
	if err := serve(ctx, ln, stdout); err != nil {
		s.log.flush()
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitFailure
	}
	return 0
}

// parseServeFlags reads the serve flags; errors have been printed to
// stderr.
func parseServeFlags(args []string, stderr io.Writer) (*serveOptions, error) {
	o := &serveOptions{}
	fs := flag.NewFlagSet("tlsengine serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8443", "`address` to listen on (port 0 picks a free port)")
	o.register(fs, "client")
	fs.BoolVar(&o.requestCert, "request-cert", false, "ask clients for a certificate and report whether it verifies against -ca")
	fs.BoolVar(&o.rejectUnauthorized, "reject-unauthorized", false, "with -request-cert: fail the handshake unless the client certificate verifies")
	fs.StringVar(&o.dhparam, "dhparam", "", "PEM `file` of DH parameters (openssl dhparam) enabling the DHE suites")
	fs.BoolVar(&o.noTicket, "no-ticket", false, "issue no session tickets (sessions resume by id only)")
	fs.StringVar(&o.ticketKeys, "ticket-keys", "", "48-byte session ticket key as 96 `hex` digits (default: random); servers sharing it resume each other's tickets")
	fs.Var(&o.sni, "sni", "`NAME=CERT,KEY`: present CERT and KEY (PEM files) to clients asking for NAME, a Node addContext pattern (\"*.example.com\"); repeatable, the last match wins")
	o.handshakeTimeout = api.DefaultHandshakeTimeout
	fs.Var(durationFlag{&o.handshakeTimeout}, "handshake-timeout", "close a connection whose handshake takes longer than `duration`, with a unit: 30s, 2m (Node's handshakeTimeout)")
	o.fleet.register(fs)
	fs.BoolVar(&o.www, "www", false, "answer each HTTP request with a plain-text page describing the connection, then close")
	fs.BoolVar(&o.eventLoop, "event-loop", false, "serve every connection from a few epoll loops driving the engine directly, with no goroutine per connection (Linux)")
	fs.IntVar(&o.loops, "loops", 0, "with -event-loop: the number of loops, `N` (default: one per processor)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintf(stderr, "tlsengine serve: %v\n", err)
		return nil, err
	}
	if o.handshakeTimeout <= 0 {
		err := errors.New("-handshake-timeout must be positive")
		fmt.Fprintf(stderr, "tlsengine serve: %v\n", err)
		return nil, err
	}
	if o.loops < 0 || o.loops > 0 && !o.eventLoop {
		err := errors.New("-loops N needs -event-loop and N at least 1")
		fmt.Fprintf(stderr, "tlsengine serve: %v\n", err)
		return nil, err
	}
	return o, nil
}

// serve runs the configured server on ln until ctx ends: it prints
// "listening on ADDR" to stdout once ready and one line per connection to
// its log. When ctx ends it closes the listener and every connection
// (sending close_notify), waits for the connection goroutines and returns
// nil. ln is closed on return.
func (s *server) serve(ctx context.Context, ln net.Listener, stdout io.Writer) error {
	defer ln.Close()
	keylog, closeKeylog, err := openKeylog(s.opts.keylog)
	if err != nil {
		return err
	}
	defer closeKeylog()
	s.keylog = keylog

	// The fleet's ticket keys are in place before the first client.
	defer s.startFleet(ctx)()
	s.log.flush() // the start-up lines are out before "listening"
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	stopAccept := context.AfterFunc(ctx, func() {
		ln.Close()
		s.stopAll()
	})
	defer stopAccept()

	var wg sync.WaitGroup
	defer wg.Wait()
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.log.printf("shutting down")
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				// Out of file descriptors and the like: wait, as
				// net/http does, instead of spinning or giving up.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.printf("accept: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		wg.Add(1)
		go func() {
			defer wg.Done()
			then := s.handle(ctx, conn)
			if then == nil {
				return
			}
			if rest := then(); rest != nil {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rest()
				}()
			}
		}()
	}
}

// server is the state shared by the connections of one serve run.
type server struct {
	opts   *serveOptions
	cfg    *engine.Config
	sni    []sniContext
	keylog func(string)
	log    *lineLogger
	fleet  *serveFleet // nil without -session-store

	// open are the connections that shutdown must end, stopping set once
	// it began: one map for all, where a context.AfterFunc per
	// connection cost two allocations and a lock on the shared context.
	mu       sync.Mutex
	open     map[*api.TLSSocket]struct{}
	stopping bool
}

// track registers sock for shutdown, which ends it at once if it has
// begun.
func (s *server) track(sock *api.TLSSocket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		stopConn(sock)
		return
	}
	if s.open == nil {
		s.open = map[*api.TLSSocket]struct{}{}
	}
	s.open[sock] = struct{}{}
}

// untrack forgets sock: it is closing.
func (s *server) untrack(sock *api.TLSSocket) {
	s.mu.Lock()
	delete(s.open, sock)
	s.mu.Unlock()
}

// stopAll ends every tracked connection: shutdown has begun.
func (s *server) stopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopping = true
	for sock := range s.open {
		stopConn(sock)
	}
}

// stopConn ends whatever Read is waiting now and gives a Write stuck on a
// client that does not read shutdownGrace to finish.
func stopConn(sock *api.TLSSocket) {
	sock.SetReadDeadline(time.Now())
	sock.SetWriteDeadline(time.Now().Add(shutdownGrace))
}

// configure builds the engine configuration, generating a certificate when
// none was given. It refuses a configuration that can never complete a
// handshake, saying what would fix it.
func (s *server) configure() error {
	if s.opts.rejectUnauthorized && s.opts.ca == "" {
		return usagef("-reject-unauthorized without -ca: no client certificate could verify; give -ca FILE with the CAs that issue them")
	}
	if s.opts.noTicket && s.opts.ticketKeys != "" {
		return usagef("-ticket-keys and -no-ticket contradict each other")
	}
	cfg, err := s.opts.baseConfig()
	if err != nil {
		return err
	}
	if s.opts.dhparam == "" && onlyDHE(cfg.CipherSuites) {
		return usagef("-ciphers %s selects only DHE suites, which need DH parameters: add -dhparam FILE (openssl dhparam -out FILE 2048)", s.opts.ciphers)
	}
	if len(cfg.Certificates) == 0 {
		cert, err := certgen.SelfSigned(certgen.ECDSAP256, time.Now(), []string{"localhost", "127.0.0.1", "::1"}, rand.Reader)
		if err != nil {
			return fmt.Errorf("generating a certificate: %v", err)
		}
		cred, err := handshake.NewCredential([][]byte{cert.DER}, cert.Key)
		if err != nil {
			return fmt.Errorf("generating a certificate: %v", err)
		}
		cfg.Certificates = []*handshake.Credential{cred}
		s.log.printf("generated a self-signed ECDSA P-256 certificate for localhost, 127.0.0.1, ::1")
	}
	s.log.printf("certificate SHA-256 fingerprint %s", certgen.Fingerprint256(cfg.Certificates[0].Chain[0]))
	if s.opts.requestCert {
		cfg.ClientAuth = handshake.RequestClientCert
		if s.opts.rejectUnauthorized {
			cfg.ClientAuth = handshake.RequireVerifiedClientCert
		}
	}
	if s.opts.dhparam != "" {
		data, err := os.ReadFile(s.opts.dhparam)
		if err != nil {
			return err
		}
		if cfg.DHParams, err = kex.ParseDHParamsPEM(data); err != nil {
			return fmt.Errorf("-dhparam: %v", err)
		}
	}
	// Sessions resume by id from an in-memory cache, and by ticket unless
	// -no-ticket.
	cfg.SessionCache = session.NewCache(0)
	if !s.opts.noTicket {
		key := make([]byte, session.KeyLen)
		if s.opts.ticketKeys != "" {
			if key, err = hex.DecodeString(s.opts.ticketKeys); err != nil {
				return usagef("-ticket-keys: %v", err)
			}
		} else if _, err := rand.Read(key); err != nil {
			return err
		}
		if cfg.Tickets, err = session.NewTicketer(key); err != nil {
			return usagef("-ticket-keys: %v", err)
		}
	}
	if err := s.configureFleet(cfg); err != nil {
		return err
	}
	if s.sni, err = loadSNI(s.opts.sni, s.opts.passphrase); err != nil {
		return err
	}
	cfg.AskServerContext = len(s.sni) > 0
	cfg.AskRenegotiation = true // answered by api.ClientRenegotiationLimit
	s.cfg = cfg
	return nil
}

// onlyDHE reports whether suites (nil: the defaults) are all DHE suites,
// which a server can negotiate only with DH parameters.
func onlyDHE(suites []uint16) bool {
	for _, id := range suites {
		if cs := cipher.SuiteByID(id); cs == nil || cs.KX != cipher.KXDHE {
			return false
		}
	}
	return len(suites) > 0
}

// testHookConn, when set by a test, runs at the start of every connection
// goroutine (to prove that a panic there does not stop the server).
var testHookConn func(net.Conn)

// handle runs one connection's handshake and returns what follows (nil
// when it is over): then runs on the same goroutine for a moment
// (inlineWindow) and returns the rest of a connection still open, to run
// on a fresh goroutine: the handshake grew this one's stack, which an
// idle connection should not keep (issue 16, item 3). Whatever the client
// does, and even if the code below panics, only this connection ends.
func (s *server) handle(ctx context.Context, conn net.Conn) (then func() (rest func())) {
	peer := conn.RemoteAddr().String()
	defer s.recoverConn(conn, peer)
	if testHookConn != nil {
		testHookConn(conn)
	}
	sock := api.NewServerSocket(conn, s.cfg, s.resolvers(peer))
	if s.keylog != nil {
		sock.OnKeylog(s.keylog)
	}
	// On shutdown, end whatever Read is waiting now and give a Write stuck
	// on a client that does not read shutdownGrace to finish; the handler
	// then returns and the deferred Close says goodbye with close_notify.
	// Only deadlines are set here: sock.Close from this goroutine could
	// deadlock against a Write failing at the same moment (api's
	// drainAndSend holds the write lock when it takes the state lock after
	// a failed write; Close takes them the other way round).
	s.track(sock)
	defer func() {
		if then == nil { // else the rest of the connection does this
			s.untrack(sock)
			sock.Close()
		}
	}()

	// The handshake timeout closes the transport, which ends the
	// handshake: a timer, where a context with a deadline would also be
	// linked into ctx's tree and watched by the socket (3% of a
	// handshake's server CPU in the profile, issue 16).
	timer := time.AfterFunc(s.opts.handshakeTimeout, func() { conn.Close() })
	err := sock.Handshake(context.Background())
	if !timer.Stop() {
		err = errors.New("ERR_TLS_HANDSHAKE_TIMEOUT: TLS handshake timeout")
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.printf("%s: handshake failed: %v", peer, err)
		}
		return
	}
	st := sock.ConnectionState()
	if s.fleet != nil {
		s.fleet.save(st)
	}
	s.log.printf("%s: %s", peer, s.describe(st))
	rest := func() {
		// One deferred call, not three: this goroutine's stack holds an
		// idle connection, and its frames decide whether 2 KB are enough.
		defer s.endConn(conn, sock, peer)
		if s.opts.www {
			s.serveWWW(ctx, sock, peer, st)
			return
		}
		s.echo(ctx, sock, peer)
	}
	if s.opts.www {
		// One short request and the close: on this goroutine, as a
		// fresh one would cost a thread wake-up per connection and there
		// is no idle connection whose stack would matter.
		return func() func() {
			rest()
			return nil
		}
	}
	// The first inlineWindow of the echo runs on this goroutine: most
	// connections that end soon end within it, and a goroutine started
	// per connection costs a thread wake-up (3-17% of a handshake's
	// server CPU in paired rounds, issue 16). A connection still open
	// after it goes on on a fresh goroutine, as before.
	return func() (then func()) {
		defer s.recoverConn(conn, peer)
		defer func() {
			if then == nil {
				s.untrack(sock)
				sock.Close()
			}
		}()
		if s.echoBriefly(ctx, sock, peer) {
			return nil
		}
		return rest
	}
}

// resolvers answer the decisions of the connection from peer. A client
// may renegotiate within Node's limits (CLIENT_RENEG_LIMIT per
// CLIENT_RENEG_WINDOW); past them it is declined and the connection goes
// on, as with Node's server.
func (s *server) resolvers(peer string) *engine.Resolvers {
	r := &engine.Resolvers{Renegotiation: api.ClientRenegotiationLimit(func() {
		s.log.printf("%s: renegotiation declined: %s: %s", peer, api.ErrSessionAttack.Code, api.ErrSessionAttack.Message)
	})}
	if len(s.sni) > 0 {
		r.ServerContext = s.serverContext
	}
	if s.fleet != nil {
		r.SessionLookup = s.fleet.lookup
	}
	return r
}

// inlineWindow is how long a connection's echo runs on the goroutine
// whose stack its handshake grew before it moves to a fresh one.
const inlineWindow = 10 * time.Millisecond

// echoBriefly echoes for up to inlineWindow and reports whether the
// connection is over (closed, failed or shut down); false means it is
// still open, its read deadline cleared.
func (s *server) echoBriefly(ctx context.Context, sock *api.TLSSocket, peer string) (over bool) {
	// Deadlines are set under s.mu, as shutdown sets its own: a
	// shutdown's deadline is never overwritten.
	s.mu.Lock()
	stopping := s.stopping
	if !stopping {
		sock.SetReadDeadline(time.Now().Add(inlineWindow))
	}
	s.mu.Unlock()
	if stopping {
		return true
	}
	_, err := sock.WriteTo(sock)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.stopping {
			return true
		}
		sock.SetReadDeadline(time.Time{})
		return false
	}
	if err != nil && ctx.Err() == nil {
		s.log.printf("%s: %v", peer, err)
	}
	return true
}

// recoverConn, deferred, ends only the connection a panic happened in.
func (s *server) recoverConn(conn net.Conn, peer string) {
	if r := recover(); r != nil {
		s.endPanicked(conn, peer, r)
	}
}

// endConn, deferred by the goroutine that serves a connection after its
// handshake, stops tracking the socket and closes it, and ends only this
// connection if it panicked.
func (s *server) endConn(conn net.Conn, sock *api.TLSSocket, peer string) {
	r := recover()
	s.untrack(sock)
	sock.Close()
	if r != nil {
		s.endPanicked(conn, peer, r)
	}
}

// endPanicked closes the transport of a connection that panicked and logs
// the panic with its stack.
func (s *server) endPanicked(conn net.Conn, peer string, r any) {
	conn.Close()
	s.log.printf("%s: internal error (recovered): %v\n%s", peer, r, debug.Stack())
}

// echo writes every chunk it reads straight back, until the client closes.
// WriteTo hands each record's plaintext to Write from the engine's buffer:
// an idle connection holds no copy buffer.
func (s *server) echo(ctx context.Context, sock *api.TLSSocket, peer string) {
	if _, err := sock.WriteTo(sock); err != nil && ctx.Err() == nil {
		s.logConnError(peer, err)
	}
}

// logConnError logs a connection's error, out of line so that the frames
// an idle connection's goroutine holds stay small.
//
//go:noinline
func (s *server) logConnError(peer string, err error) {
	s.log.printf("%s: %v", peer, err)
}

// maxRequest caps the bytes read while waiting for the end of an HTTP
// request head in -www mode.
const maxRequest = 64 * 1024

// serveWWW reads one HTTP request head (up to the first empty line, CRLF or
// bare LF), answers it with one write holding the whole response, sends
// close_notify and closes.
func (s *server) serveWWW(ctx context.Context, sock *api.TLSSocket, peer string, st *engine.ConnectionState) {
	if err := readRequestHead(sock); err != nil {
		if !errors.Is(err, io.EOF) && ctx.Err() == nil {
			s.log.printf("%s: %v", peer, err)
		}
		return
	}
	if _, err := sock.Write(statusResponse(st, s.opts.requestCert)); err != nil {
		if ctx.Err() == nil {
			s.log.printf("%s: %v", peer, err)
		}
		return
	}
	sock.CloseWrite()
	if ctx.Err() != nil {
		return
	}
	// Linger briefly for the client's close_notify, so that closing with
	// unread bytes does not reset the connection under the response.
	sock.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.CopyN(io.Discard, sock, maxRequest)
}

// readRequestHead consumes bytes up to and including the first empty line
// (requestHead decides, as for the event loop), reading at most 512 bytes
// at a time: a request head is a few short lines.
func readRequestHead(r io.Reader) error {
	var head requestHead
	buf := make([]byte, 512)
	for {
		n, err := r.Read(buf)
		done, serr := head.scan(buf[:n])
		switch {
		case serr != nil:
			return serr
		case done:
			return nil
		case err != nil:
			return err
		}
	}
}

// statusResponse is the -www answer: an HTTP/1.0 response whose plain-text
// body describes the connection, like `openssl s_server -www`.
func statusResponse(st *engine.ConnectionState, requested bool) []byte {
	var body bytes.Buffer
	fmt.Fprintf(&body, "tlsengine %s status page\n\n", version)
	fmt.Fprintf(&body, "Protocol  : %s\n", record.Version(st.Version).String())
	fmt.Fprintf(&body, "Cipher    : %s\n", suiteName(st))
	fmt.Fprintf(&body, "Group     : %s\n", groupName(st))
	fmt.Fprintf(&body, "ALPN      : %s\n", printable(orNone(st.ALPNProtocol)))
	fmt.Fprintf(&body, "SNI       : %s\n", printable(orNone(st.ServerName)))
	if st.Version < cipher.VersionTLS13 {
		fmt.Fprintf(&body, "Extended master secret: %s\n", yesNo(st.ExtendedMasterSecret))
	}
	if st.SecureRenegotiation {
		fmt.Fprintf(&body, "Secure Renegotiation IS supported\n")
	} else {
		fmt.Fprintf(&body, "Secure Renegotiation IS NOT supported\n")
	}
	switch {
	case !requested:
		fmt.Fprintf(&body, "Client certificate: not requested\n")
	case len(st.PeerCertificates) == 0:
		fmt.Fprintf(&body, "Client certificate: none\n")
	default:
		fmt.Fprintf(&body, "Client certificate: %s\n", printable(st.PeerCertificates[0].Subject.String()))
	}
	if requested {
		if st.VerifyError == nil {
			fmt.Fprintf(&body, "Client verification: OK\n")
		} else {
			fmt.Fprintf(&body, "Client verification error: %s\n", printable(verifyText(st.VerifyError)))
		}
	}
	var resp bytes.Buffer
	fmt.Fprintf(&resp, "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", body.Len())
	resp.Write(body.Bytes())
	return resp.Bytes()
}

// describe is the one-line summary of an established connection.
func (s *server) describe(st *engine.ConnectionState) string {
	line := fmt.Sprintf("%s %s ALPN=%s SNI=%s", record.Version(st.Version).String(), suiteName(st),
		printable(orNone(st.ALPNProtocol)), printable(orNone(st.ServerName)))
	if st.Resumed {
		line += " resumed"
	}
	if s.opts.requestCert {
		if st.VerifyError == nil {
			line += " authorized"
		} else {
			line += " unauthorized: " + printable(verifyText(st.VerifyError))
		}
	}
	return line
}

// lineLogger writes whole lines from concurrent goroutines. Lines are
// gathered and written together, logFlushDelay after the first one that
// is waiting, or at once past logFlushSize: one write per connection would
// be a system call for each, which is a tenth of a handshake's server CPU
// (issue 16). flush writes what waits; serveMain calls it on its way out.
type lineLogger struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	pending bool // a flush is scheduled
	timer   *time.Timer
}

const (
	logFlushDelay = 50 * time.Millisecond
	logFlushSize  = 16 << 10
)

func (l *lineLogger) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = fmt.Appendf(l.buf, format, args...)
	l.buf = append(l.buf, '\n')
	switch {
	case len(l.buf) >= logFlushSize:
		l.writeLocked()
	case !l.pending:
		l.pending = true
		if l.timer == nil {
			l.timer = time.AfterFunc(logFlushDelay, l.flush)
		} else {
			l.timer.Reset(logFlushDelay)
		}
	}
}

// flush writes the lines waiting.
func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writeLocked()
}

func (l *lineLogger) writeLocked() {
	l.pending = false
	if len(l.buf) > 0 {
		l.w.Write(l.buf)
		if cap(l.buf) > logFlushSize {
			l.buf = nil // a burst's buffer is not kept
		} else {
			l.buf = l.buf[:0]
		}
	}
}

// isTemporary reports errors worth retrying an Accept for.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}
