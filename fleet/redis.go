package fleet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// RedisOptions tune a Redis store; the zero value is usable.
type RedisOptions struct {
	// Timeout bounds each call, dial included, when the caller's context
	// allows longer (0: DefaultTimeout).
	Timeout time.Duration
	// MaxConns bounds the open connections (0: 16); a call finding all
	// busy waits for one until its deadline.
	MaxConns int
	// RetryAfter is how long the store is taken for down after a call
	// failed on a fresh connection: calls fail at once meanwhile, so a
	// dead Redis costs handshakes nothing (0: 500 ms).
	RetryAfter time.Duration
	// TLS, for a rediss:// URL, are the client's TLS options (CA, a
	// client certificate, Servername; nil: the system's roots and the
	// URL's host). Host, Port, Path and Socket are ignored. The TLS is
	// tlsengine's own.
	TLS *api.ConnectOptions
}

// DefaultTimeout bounds one store call: a session lookup past it is a
// miss and the handshake goes on in full.
const DefaultTimeout = 100 * time.Millisecond

// Limits on what a Redis server may send: a status or length line, and a
// bulk string (MaxValue).
const maxRESPLine = 4 << 10

// ErrUnavailable is returned while the store is taken for down.
var ErrUnavailable = errors.New("fleet: redis unavailable")

// Redis is a Store on a Redis server, speaking RESP2 with the commands
// GET, SET (PX, NX), DEL, and AUTH and SELECT when the URL asks. Every
// reply is bounded (lines maxRESPLine, values MaxValue), every call has
// a deadline, connections are pooled and bounded. Safe for concurrent
// use.
type Redis struct {
	addr     string
	user     string
	password string
	db       int
	opts     RedisOptions
	tls      *api.ConnectOptions // rediss:// only

	slots chan struct{}  // one token per connection that may be open
	idle  chan *respConn // connections ready for reuse

	mu        sync.Mutex
	downUntil time.Time
	closed    bool
}

// OpenRedis returns a store for a redis://[[user]:password@]host:port[/db]
// URL, or rediss:// for Redis over TLS (opts.TLS). It does not connect:
// the first call does.
func OpenRedis(rawURL string, opts RedisOptions) (*Redis, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fleet: session store URL: %v", err)
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, fmt.Errorf("fleet: session store URL %q: only redis://HOST:PORT and rediss://HOST:PORT are supported", rawURL)
	}
	if u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("fleet: session store URL %q: want redis://[[user]:password@]HOST:PORT[/DB]", rawURL)
	}
	r := &Redis{addr: u.Host, opts: opts}
	if u.Scheme == "rediss" {
		tlsOpts := api.ConnectOptions{}
		if opts.TLS != nil {
			tlsOpts = *opts.TLS
		}
		if tlsOpts.Servername == "" {
			tlsOpts.Host = u.Hostname()
		}
		r.tls = &tlsOpts
	}
	if u.Port() == "" {
		r.addr = net.JoinHostPort(u.Hostname(), "6379")
	}
	if u.User != nil {
		r.user = u.User.Username()
		r.password, _ = u.User.Password()
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if r.db, err = strconv.Atoi(p); err != nil || r.db < 0 {
			return nil, fmt.Errorf("fleet: session store URL %q: database %q is not a number", rawURL, p)
		}
	}
	if r.opts.Timeout <= 0 {
		r.opts.Timeout = DefaultTimeout
	}
	if r.opts.MaxConns <= 0 {
		r.opts.MaxConns = 16
	}
	if r.opts.RetryAfter <= 0 {
		r.opts.RetryAfter = 500 * time.Millisecond
	}
	r.slots = make(chan struct{}, r.opts.MaxConns)
	r.idle = make(chan *respConn, r.opts.MaxConns)
	return r, nil
}

// Addr returns host:port of the Redis server.
func (r *Redis) Addr() string { return r.addr }

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	rep, err := r.do(ctx, "GET", []byte(key))
	if err != nil {
		return nil, err
	}
	if rep.kind != '$' {
		return nil, fmt.Errorf("fleet: redis GET answered %q", rep.kind)
	}
	return rep.bulk, nil
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := r.set(ctx, key, value, ttl, false)
	return err
}

// Add implements Store.
func (r *Redis) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return r.set(ctx, key, value, ttl, true)
}

func (r *Redis) set(ctx context.Context, key string, value []byte, ttl time.Duration, onlyNew bool) (bool, error) {
	if len(value) > MaxValue {
		return false, ErrTooLarge
	}
	ms := max(ttl.Milliseconds(), 1)
	args := [][]byte{[]byte(key), value, []byte("PX"), strconv.AppendInt(nil, ms, 10)}
	if onlyNew {
		args = append(args, []byte("NX"))
	}
	rep, err := r.do(ctx, "SET", args...)
	if err != nil {
		return false, err
	}
	switch {
	case rep.kind == '+' && rep.line == "OK":
		return true, nil
	case rep.kind == '$' && rep.bulk == nil && onlyNew: // NX and present
		return false, nil
	}
	return false, fmt.Errorf("fleet: redis SET answered %q %q", rep.kind, rep.line)
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, key string) error {
	rep, err := r.do(ctx, "DEL", []byte(key))
	if err != nil {
		return err
	}
	if rep.kind != ':' {
		return fmt.Errorf("fleet: redis DEL answered %q", rep.kind)
	}
	return nil
}

// Close closes the idle connections; calls after it fail.
func (r *Redis) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	for {
		select {
		case c := <-r.idle:
			c.conn.Close()
		default:
			return nil
		}
	}
}

// do runs one command under the store's deadline. A pooled connection
// that fails is replaced by a fresh one once; a fresh one that fails
// marks the store down for RetryAfter.
func (r *Redis) do(ctx context.Context, cmd string, args ...[]byte) (reply, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	r.mu.Lock()
	down, closed := time.Now().Before(r.downUntil), r.closed
	r.mu.Unlock()
	if closed || down {
		return reply{}, ErrUnavailable
	}
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return reply{}, fmt.Errorf("fleet: redis: every connection busy: %w", ctx.Err())
	}
	defer func() { <-r.slots }()
	for {
		c, reused, err := r.conn(ctx)
		if err != nil {
			r.markDown()
			return reply{}, err
		}
		rep, err := c.roundTrip(ctx, cmd, args)
		if err == nil || rep.kind == '-' {
			r.release(c)
			return rep, err
		}
		c.conn.Close()
		var ne net.Error
		transport := errors.Is(err, io.EOF) || errors.As(err, &ne) || errors.Is(err, syscall.ECONNRESET)
		if !transport {
			return reply{}, err // a reply we refuse: the server is up
		}
		if !reused || ctx.Err() != nil {
			r.markDown()
			return reply{}, err
		}
		// A pooled connection may have died with a restarted server.
	}
}

// conn returns an idle connection or dials one (AUTH and SELECT as the
// URL asks).
func (r *Redis) conn(ctx context.Context) (*respConn, bool, error) {
	select {
	case c := <-r.idle:
		return c, true, nil
	default:
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return nil, false, fmt.Errorf("fleet: redis: %w", err)
	}
	if r.tls != nil {
		o := *r.tls
		o.Socket = nc
		sock, err := api.ConnectContext(ctx, o, nil)
		if err != nil {
			nc.Close()
			return nil, false, fmt.Errorf("fleet: redis TLS: %w", err)
		}
		nc = sock
	}
	c := &respConn{conn: nc, r: bufio.NewReaderSize(nc, maxRESPLine)}
	if r.password != "" {
		args := [][]byte{[]byte(r.password)}
		if r.user != "" {
			args = [][]byte{[]byte(r.user), []byte(r.password)}
		}
		if _, err := c.roundTrip(ctx, "AUTH", args); err != nil {
			nc.Close()
			return nil, false, err
		}
	}
	if r.db != 0 {
		if _, err := c.roundTrip(ctx, "SELECT", [][]byte{strconv.AppendInt(nil, int64(r.db), 10)}); err != nil {
			nc.Close()
			return nil, false, err
		}
	}
	return c, false, nil
}

func (r *Redis) release(c *respConn) {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		c.conn.Close()
		return
	}
	select {
	case r.idle <- c:
	default:
		c.conn.Close()
	}
}

func (r *Redis) markDown() {
	r.mu.Lock()
	r.downUntil = time.Now().Add(r.opts.RetryAfter)
	r.mu.Unlock()
}

// respConn is one connection to Redis.
type respConn struct {
	conn net.Conn
	r    *bufio.Reader
}

// reply is one RESP2 reply: a simple string or error (line), an integer,
// or a bulk string (nil for RESP's null).
type reply struct {
	kind byte
	line string
	n    int64
	bulk []byte
}

// RedisError is an error reply from the server (-ERR ...).
type RedisError string

func (e RedisError) Error() string { return "fleet: redis: " + string(e) }

// roundTrip writes one command as a RESP array of bulk strings and reads
// its reply, all before ctx's deadline. An error reply is returned as a
// RedisError with reply.kind '-': the connection stays usable.
func (c *respConn) roundTrip(ctx context.Context, cmd string, args [][]byte) (reply, error) {
	if dl, ok := ctx.Deadline(); ok {
		c.conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 0, 64+len(cmd))
	buf = fmt.Appendf(buf, "*%d\r\n$%d\r\n%s\r\n", 1+len(args), len(cmd), cmd)
	for _, a := range args {
		buf = fmt.Appendf(buf, "$%d\r\n", len(a))
		buf = append(buf, a...)
		buf = append(buf, '\r', '\n')
	}
	if _, err := c.conn.Write(buf); err != nil {
		return reply{}, fmt.Errorf("fleet: redis: %w", err)
	}
	rep, err := readReply(c.r)
	if err != nil {
		return reply{}, err
	}
	if rep.kind == '-' {
		return rep, RedisError(rep.line)
	}
	return rep, nil
}

// readReply reads one RESP2 reply that is not an array (none of the
// commands used answers with one).
func readReply(r *bufio.Reader) (reply, error) {
	line, err := readLine(r)
	if err != nil {
		return reply{}, err
	}
	if len(line) == 0 {
		return reply{}, errors.New("fleet: redis: empty reply line")
	}
	rep := reply{kind: line[0]}
	switch rep.kind {
	case '+', '-':
		rep.line = string(line[1:])
	case ':':
		if rep.n, err = strconv.ParseInt(string(line[1:]), 10, 64); err != nil {
			return reply{}, fmt.Errorf("fleet: redis: bad integer reply %q", line)
		}
	case '$':
		n, err := strconv.ParseInt(string(line[1:]), 10, 64)
		switch {
		case err != nil || n < -1:
			return reply{}, fmt.Errorf("fleet: redis: bad bulk length %q", line)
		case n == -1:
			return rep, nil
		case n > MaxValue:
			return reply{}, fmt.Errorf("fleet: redis: %d-byte value: %w", n, ErrTooLarge)
		}
		rep.bulk = make([]byte, n+2)
		if _, err := io.ReadFull(r, rep.bulk); err != nil {
			return reply{}, fmt.Errorf("fleet: redis: %w", err)
		}
		if rep.bulk[n] != '\r' || rep.bulk[n+1] != '\n' {
			return reply{}, errors.New("fleet: redis: bulk string not ended by CRLF")
		}
		rep.bulk = rep.bulk[:n:n]
	default:
		return reply{}, fmt.Errorf("fleet: redis: unexpected reply type %q", rep.kind)
	}
	return rep, nil
}

// readLine reads one CRLF-terminated line of at most maxRESPLine bytes,
// without the CRLF.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmt.Errorf("fleet: redis: reply line longer than %d bytes", maxRESPLine)
	case err != nil:
		return nil, fmt.Errorf("fleet: redis: %w", err)
	case len(line) < 2 || line[len(line)-2] != '\r':
		return nil, errors.New("fleet: redis: reply line not ended by CRLF")
	}
	return line[:len(line)-2], nil
}
