package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	gotls "crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// The process comparison (`tlsengine bench -process`) measures what a user
// runs: a whole server process, with its goroutines, timers, buffers,
// logging and garbage collector. Four servers, each in its own process on
// 127.0.0.1, serve the same certificate and suite: `tlsengine serve` (a
// goroutine per connection), `tlsengine serve -event-loop` (a few epoll
// loops driving the engine, no goroutine per connection), a crypto/tls
// echo server (the same binary re-executed in a hidden mode,
// GoTLSServerCommand) and `openssl s_server`. They are driven by `openssl
// s_time` (full and resumed handshakes) and by a Go client (bulk echo,
// idle connections, handshake throughput). Server CPU is read from
// /proc/PID/stat before and after each measurement, memory and threads
// from /proc/PID/status. Rounds are interleaved across the servers, the
// order rotating each round, and the table gives medians and the range
// of the per-round ratios.

// GoTLSServerCommand is the hidden subcommand of the tlsengine binary that
// runs the crypto/tls echo server: -addr, -cert, -key, -cipher, -version
// and -no-ticket, printing "listening on ADDR" once ready.
const GoTLSServerCommand = "bench-gotls-server"

// procServer is one of the servers under comparison.
type procServer int

const (
	srvOurs procServer = iota
	srvGo
	srvOpenSSL
	srvLoop // tlsengine serve -event-loop
	numServers
)

var serverNames = [numServers]string{"tlsengine", "crypto/tls", "openssl", "tlsengine event loop"}

// procKind is what a case measures.
type procKind int

const (
	kindNew   procKind = iota // s_time -new: server CPU per full handshake
	kindReuse                 // s_time -reuse: server CPU per resumed handshake
	kindBulk                  // Go client echo: server CPU per MiB
	kindIdle                  // Go client holds n connections: RSS growth per connection
	kindRate                  // n Go clients in parallel: handshakes per second
)

// units of the kinds, as shown in the JSON output.
var kindUnits = [...]string{kindNew: "µs/conn", kindReuse: "µs/conn", kindBulk: "ms/MiB", kindIdle: "B/conn", kindRate: "hs/s"}

// procVersion is a protocol version as each program spells it.
type procVersion struct {
	name       string // in case names
	serve      string // tlsengine serve -min-version/-max-version
	sTime      string // openssl s_time and s_server
	sTimeSuite string // their option naming the suite
	flag       string // GoTLSServerCommand -version
	goVersion  uint16
}

var (
	tls12 = procVersion{"TLS 1.2", "TLSv1.2", "-tls1_2", "-cipher", "1.2", gotls.VersionTLS12}
	tls13 = procVersion{"TLS 1.3", "TLSv1.3", "-tls1_3", "-ciphersuites", "1.3", gotls.VersionTLS13}
)

// ProcCase is one row of the process comparison.
type ProcCase struct {
	Name     string
	kind     procKind
	version  procVersion
	key      certgen.KeyType
	suite    string // OpenSSL name
	noTicket bool   // resumption by session id: the servers issue no tickets
	www      bool   // s_time -www /: each server answers one HTTP request, then closes
	n        int    // bulk write size, idle connections or concurrent clients
	large    bool   // run only when asked (ProcessOptions.Large)
}

const (
	ecdsaSuite = "ECDHE-ECDSA-AES128-GCM-SHA256"
	rsaSuite   = "ECDHE-RSA-AES128-GCM-SHA256"
)

// ProcessCases lists the rows; a TLS 1.3 row is one more line with its
// procVersion (and suite13). The TLS 1.3 full-handshake and bulk rows turn
// tickets off (noTicket) so that every server does the same work: we and
// s_server send two NewSessionTickets per connection, as Node v20,
// crypto/tls one. The TLS 1.3 resumption row keeps them on, and runs the
// servers in their -www mode: s_time reads TLS 1.3 tickets only with
// -www, which sends a GET and reads until the server closes.
func ProcessCases() []ProcCase {
	v, e, r := tls12, certgen.ECDSAP256, certgen.RSA2048
	v3 := tls13
	return []ProcCase{
		{Name: v.name + " full ECDSA P-256, X25519: server CPU/conn (s_time -new)", kind: kindNew, version: v, key: e, suite: ecdsaSuite},
		{Name: v.name + " full RSA-2048, X25519: server CPU/conn (s_time -new)", kind: kindNew, version: v, key: r, suite: rsaSuite},
		{Name: v.name + " resumed by ticket: server CPU/conn (s_time -reuse)", kind: kindReuse, version: v, key: e, suite: ecdsaSuite},
		{Name: v.name + " resumed by session id: server CPU/conn (s_time -reuse)", kind: kindReuse, version: v, key: e, suite: ecdsaSuite, noTicket: true},
		{Name: v.name + " bulk echo 16 KiB AES-128-GCM: server CPU/MiB", kind: kindBulk, version: v, key: e, suite: ecdsaSuite, n: 16384},
		{Name: v.name + " bulk echo 1 KiB AES-128-GCM: server CPU/MiB", kind: kindBulk, version: v, key: e, suite: ecdsaSuite, n: 1024},
		{Name: v.name + " 1000 idle connections: RSS growth/conn", kind: kindIdle, version: v, key: e, suite: ecdsaSuite, n: 1000},
		{Name: v.name + " 10000 idle connections: RSS growth/conn", kind: kindIdle, version: v, key: e, suite: ecdsaSuite, n: 10000, large: true},
		{Name: v.name + " handshakes/s, 64 concurrent clients (higher is better)", kind: kindRate, version: v, key: e, suite: ecdsaSuite, n: 64},
		{Name: v.name + " handshakes/s, 1000 concurrent clients (higher is better)", kind: kindRate, version: v, key: e, suite: ecdsaSuite, n: 1000},
		{Name: v3.name + " full ECDSA P-256, X25519: server CPU/conn (s_time -new)", kind: kindNew, version: v3, key: e, suite: suite13, noTicket: true},
		{Name: v3.name + " full RSA-2048, X25519: server CPU/conn (s_time -new)", kind: kindNew, version: v3, key: r, suite: suite13, noTicket: true},
		{Name: v3.name + " resumed by ticket: server CPU/conn (s_time -reuse -www)", kind: kindReuse, version: v3, key: e, suite: suite13, www: true},
		{Name: v3.name + " bulk echo 16 KiB AES-128-GCM: server CPU/MiB", kind: kindBulk, version: v3, key: e, suite: suite13, noTicket: true, n: 16384},
	}
}

// serves reports whether server s takes part in case c: s_server serves
// one connection at a time, so it only meets s_time; crypto/tls has no
// server-side session cache, so it cannot resume by session id; the event
// loop is tlsengine serve in another mode, so it meets what serve meets.
func (c *ProcCase) serves(s procServer) bool {
	switch s {
	case srvOpenSSL:
		return c.kind == kindNew || c.kind == kindReuse
	case srvGo:
		return !(c.kind == kindReuse && c.noTicket)
	case srvLoop:
		return c.serves(srvOurs)
	}
	return true
}

// ProcessOptions configures RunProcess.
type ProcessOptions struct {
	Self     string        // the tlsengine binary (serve and GoTLSServerCommand)
	Time     time.Duration // each measurement, per server and round (s_time: whole seconds, at least 1)
	Rounds   int
	Filter   *regexp.Regexp // nil: every case
	Large    bool           // also the cases marked large (10,000 idle connections)
	Loops    int            // the event loop's -loops; 0: serve's default, one per processor
	Progress func(string)
}

// RunProcess measures the cases matching opts.Filter. Every process it
// starts is killed before it returns, also when ctx ends or a case fails.
func RunProcess(ctx context.Context, opts ProcessOptions) ([]ProcRow, error) {
	var cases []ProcCase
	for _, c := range ProcessCases() {
		if (opts.Filter == nil || opts.Filter.MatchString(c.Name)) && (!c.large || opts.Large) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return nil, nil
	}
	if opts.Rounds < 1 {
		return nil, errors.New("bench: fewer than one round")
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		return nil, fmt.Errorf("bench -process needs openssl (make deps): %v", err)
	}
	raiseFileLimit()
	dir, err := os.MkdirTemp("", "tlsengine-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	r := &procRun{opts: opts, dir: dir, pki: map[certgen.KeyType]pkiFiles{}}
	defer r.stopAll()
	var rows []ProcRow
	for i := range cases {
		row, err := r.runCase(ctx, &cases[i])
		if err != nil {
			return rows, fmt.Errorf("%s: %w", cases[i].Name, err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

type procRun struct {
	opts ProcessOptions
	dir  string
	pki  map[certgen.KeyType]pkiFiles

	mu       sync.Mutex
	children []*child
}

// pkiFiles are one PKI's PEM files: the leaf, the intermediate, both
// (leaf first) and the leaf's key.
type pkiFiles struct{ leaf, inter, chain, key string }

func (r *procRun) files(kt certgen.KeyType) (pkiFiles, error) {
	if f, ok := r.pki[kt]; ok {
		return f, nil
	}
	ch, err := certgen.NewChain(kt, time.Now(), []string{"localhost", "127.0.0.1"}, rand.Reader)
	if err != nil {
		return pkiFiles{}, err
	}
	keyPEM, err := ch.Leaf.KeyPEM()
	if err != nil {
		return pkiFiles{}, err
	}
	base := filepath.Join(r.dir, string(kt))
	f := pkiFiles{leaf: base + "-leaf.pem", inter: base + "-inter.pem", chain: base + "-chain.pem", key: base + "-key.pem"}
	for name, data := range map[string][]byte{
		f.leaf: ch.Leaf.CertPEM(), f.inter: ch.Intermediate.CertPEM(),
		f.chain: append(ch.Leaf.CertPEM(), ch.Intermediate.CertPEM()...), f.key: keyPEM,
	} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			return pkiFiles{}, err
		}
	}
	r.pki[kt] = f
	return f, nil
}

// child is a started server process.
type child struct {
	server procServer
	cmd    *exec.Cmd
	addr   string
	out    *headBuffer
	done   chan struct{}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// headBuffer keeps the first 4 KiB written to it (a server's start-up
// complaints) and discards the rest (its per-connection log).
type headBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (h *headBuffer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := 4096 - h.buf.Len(); room > 0 {
		h.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (h *headBuffer) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.buf.String()
}

// command is the command line of server s for case c on addr.
func (r *procRun) command(s procServer, c *ProcCase, addr string) (*exec.Cmd, error) {
	f, err := r.files(c.key)
	if err != nil {
		return nil, err
	}
	var name string
	var args []string
	switch s {
	case srvOurs, srvLoop:
		name, args = r.opts.Self, []string{"serve", "-addr", addr, "-cert", f.chain, "-key", f.key, "-ciphers", c.suite,
			"-ecdh-curve", "X25519", "-min-version", c.version.serve, "-max-version", c.version.serve}
		args = append(args, c.goFlags()...)
		if s == srvLoop {
			args = append(args, "-event-loop")
			if r.opts.Loops > 0 {
				args = append(args, "-loops", strconv.Itoa(r.opts.Loops))
			}
		}
	case srvGo:
		name, args = r.opts.Self, []string{GoTLSServerCommand, "-addr", addr, "-cert", f.chain, "-key", f.key,
			"-version", c.version.flag}
		// crypto/tls's TLS 1.3 suites cannot be chosen: checkNegotiated
		// makes sure it takes the case's.
		if !is13(c.suite) {
			args = append(args, "-cipher", c.suite)
		}
		args = append(args, c.goFlags()...)
	case srvOpenSSL:
		// -www: s_server answers HTTP and never reads its stdin (which it
		// would otherwise poll); s_time without -www only handshakes.
		name, args = "openssl", []string{"s_server", "-accept", addr, "-cert", f.leaf, "-cert_chain", f.inter, "-key", f.key,
			c.version.sTime, c.version.sTimeSuite, c.suite, "-groups", "X25519", "-www", "-quiet"}
		if c.noTicket {
			args = append(args, "-no_ticket")
			if c.version == tls13 {
				// TLS 1.3: -no_ticket alone still sends stateful tickets.
				args = append(args, "-num_tickets", "0")
			}
		}
	}
	cmd := exec.Command(name, args...)
	setChildAttrs(cmd)
	return cmd, nil
}

// goFlags are the case's -no-ticket and -www, which `tlsengine serve` and
// the crypto/tls reference server spell alike.
func (c *ProcCase) goFlags() []string {
	var flags []string
	if c.noTicket {
		flags = append(flags, "-no-ticket")
	}
	if c.www {
		flags = append(flags, "-www")
	}
	return flags
}

// start runs server s for case c on a free port of 127.0.0.1 and waits
// until it accepts connections.
func (r *procRun) start(ctx context.Context, s procServer, c *ProcCase) (*child, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd, err := r.command(s, c, addr)
	if err != nil {
		return nil, err
	}
	out := &headBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := &child{server: s, cmd: cmd, addr: addr, out: out, done: make(chan struct{})}
	r.mu.Lock()
	r.children = append(r.children, ch)
	r.mu.Unlock()
	go func() { cmd.Wait(); close(ch.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-ch.done:
			return nil, fmt.Errorf("%s exited at start: %s", serverNames[s], out.String())
		case <-ctx.Done():
			r.stop(ch)
			return nil, ctx.Err()
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			return ch, nil
		}
		if time.Now().After(deadline) {
			r.stop(ch)
			return nil, fmt.Errorf("%s does not accept on %s: %s", serverNames[s], addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills a child and waits for it.
func (r *procRun) stop(ch *child) {
	ch.cmd.Process.Kill()
	<-ch.done
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, c := range r.children {
		if c == ch {
			r.children = append(r.children[:i], r.children[i+1:]...)
			break
		}
	}
}

func (r *procRun) stopAll() {
	r.mu.Lock()
	left := append([]*child(nil), r.children...)
	r.mu.Unlock()
	for _, ch := range left {
		r.stop(ch)
	}
}

// freeAddr is a port of 127.0.0.1 free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// sample is one server's measurement in one round.
type sample struct {
	value   float64
	threads int // idle cases: threads with the connections open
}

// runCase measures case c: Rounds rounds, each server once per round, the
// order rotating. The servers run for the whole case, except in the idle
// cases, where each measurement gets a fresh process (RSS seldom shrinks
// back once connections close).
func (r *procRun) runCase(ctx context.Context, c *ProcCase) (ProcRow, error) {
	var servers []procServer
	for s := range numServers {
		if c.serves(s) {
			servers = append(servers, s)
		}
	}
	var running [numServers]*child
	defer func() {
		for _, ch := range running {
			if ch != nil {
				r.stop(ch)
			}
		}
	}()
	var samples [numServers][]sample
	for round := range r.opts.Rounds {
		if r.opts.Progress != nil {
			r.opts.Progress(fmt.Sprintf("%s, round %d of %d", c.Name, round+1, r.opts.Rounds))
		}
		for k := range servers {
			s := servers[(k+round)%len(servers)]
			if running[s] == nil {
				ch, err := r.start(ctx, s, c)
				if err != nil {
					return ProcRow{}, err
				}
				running[s] = ch
				if err := checkNegotiated(ctx, c, ch); err != nil {
					return ProcRow{}, fmt.Errorf("%s: %w", serverNames[s], err)
				}
			}
			smp, err := r.measure(ctx, c, running[s])
			if err != nil {
				return ProcRow{}, fmt.Errorf("%s: %w", serverNames[s], err)
			}
			samples[s] = append(samples[s], smp)
			if c.kind == kindIdle {
				r.stop(running[s])
				running[s] = nil
			}
		}
	}
	return summarize(c.Name, kindUnits[c.kind], c.kind == kindRate, samples), nil
}

func (r *procRun) measure(ctx context.Context, c *ProcCase, ch *child) (sample, error) {
	switch c.kind {
	case kindNew, kindReuse:
		return r.sTime(ctx, c, ch)
	case kindBulk:
		return r.bulk(ctx, c, ch)
	case kindIdle:
		return r.idle(ctx, c, ch)
	}
	return r.rate(ctx, c, ch)
}

// cpuOver runs f and returns the server CPU time it caused.
func cpuOver(ch *child, f func() error) (time.Duration, error) {
	t0, err := procCPU(ch.pid())
	if err != nil {
		return 0, err
	}
	if err := f(); err != nil {
		return 0, err
	}
	t1, err := procCPU(ch.pid())
	return t1 - t0, err
}

// sTime runs openssl s_time against ch: server CPU per connection.
func (r *procRun) sTime(ctx context.Context, c *ProcCase, ch *child) (sample, error) {
	mode := "-new"
	if c.kind == kindReuse {
		mode = "-reuse"
	}
	secs := max(1, int(math.Ceil(r.opts.Time.Seconds())))
	cmd := exec.CommandContext(ctx, "openssl", "s_time", "-connect", ch.addr, mode, c.version.sTime, c.version.sTimeSuite, c.suite,
		"-time", strconv.Itoa(secs))
	if c.www {
		cmd.Args = append(cmd.Args, "-www", "/")
	}
	setChildAttrs(cmd)
	var out []byte
	cpu, err := cpuOver(ch, func() error {
		var err error
		out, err = cmd.Output()
		return err
	})
	if err != nil {
		return sample{}, fmt.Errorf("s_time: %v: %s", err, bytes.TrimSpace(out))
	}
	conns, resumed, err := parseSTime(out)
	if err != nil {
		return sample{}, err
	}
	if c.kind == kindReuse && resumed < conns*9/10 {
		return sample{}, fmt.Errorf("s_time -reuse: %d of %d connections resumed", resumed, conns)
	}
	return sample{value: float64(cpu.Microseconds()) / float64(conns)}, nil
}

var sTimeCount = regexp.MustCompile(`(\d+) connections in [0-9.]+s;`)
var sTimeMarks = regexp.MustCompile(`(?m)^[r*]+$`)

// parseSTime reads s_time's output: the connections it made, and how many
// of them resumed (it prints an 'r' for each resumed connection and a '*'
// for each full handshake, on lines of their own).
func parseSTime(out []byte) (conns, resumed int, err error) {
	m := sTimeCount.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("s_time printed no connection count: %.200q", out)
	}
	conns, err = strconv.Atoi(string(m[1]))
	if err != nil || conns == 0 {
		return 0, 0, fmt.Errorf("s_time made no connections: %.200q", out)
	}
	for _, line := range sTimeMarks.FindAll(out, -1) {
		resumed += bytes.Count(line, []byte("r"))
	}
	return conns, resumed, nil
}

// clientConfig is the Go client's: the case's version and suite, X25519
// first (the servers take only X25519; P-256 is listed because in TLS 1.2
// a server may present an ECDSA P-256 certificate only to a client that
// lists the curve, RFC 8422 §5.1). It does not verify the server: the client's work is not what is
// measured, and on two cores it competes with the server's.
// In TLS 1.3 crypto/tls's suites cannot be chosen; the servers take only
// the case's.
func clientConfig(c *ProcCase) *gotls.Config {
	cfg := &gotls.Config{
		InsecureSkipVerify: true,
		MinVersion:         c.version.goVersion, MaxVersion: c.version.goVersion,
		CurvePreferences: []gotls.CurveID{gotls.X25519, gotls.CurveP256},
	}
	if !is13(c.suite) {
		cfg.CipherSuites = []uint16{cipher.SuiteByName(c.suite).ID}
	}
	return cfg
}

// checkNegotiated makes one connection to a server just started for case
// c and fails unless it negotiated the case's version, suite and X25519,
// so that no row measures something else than its name says.
func checkNegotiated(ctx context.Context, c *ProcCase, ch *child) error {
	tc, err := dialTLS(ctx, ch.addr, clientConfig(c), time.Minute)
	if err != nil {
		return fmt.Errorf("checking the negotiated version: %v", err)
	}
	st := tc.ConnectionState()
	tc.Close()
	want := cipher.SuiteByName(c.suite)
	if is13(c.suite) {
		want = cipher.Suite13ByName(c.suite)
	}
	if st.Version != c.version.goVersion || st.CipherSuite != want.ID || st.CurveID != gotls.X25519 {
		return fmt.Errorf("negotiated version %#04x, suite %#04x, group %v; want %s, %s, X25519",
			st.Version, st.CipherSuite, st.CurveID, c.version.name, c.suite)
	}
	return nil
}

// dialTLS makes one TLS connection to addr, handshake done, with a
// deadline bounding everything done with it.
func dialTLS(ctx context.Context, addr string, cfg *gotls.Config, within time.Duration) (*gotls.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(within))
	tc := gotls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// echo writes p and reads as many bytes back into q.
func echo(c net.Conn, p, q []byte) error {
	if _, err := c.Write(p); err != nil {
		return err
	}
	_, err := io.ReadFull(c, q[:len(p)])
	return err
}

// bulk echoes c.n-byte writes through one connection: server CPU per MiB
// echoed. 256 KiB go first, past crypto/tls's small first records.
func (r *procRun) bulk(ctx context.Context, c *ProcCase, ch *child) (sample, error) {
	tc, err := dialTLS(ctx, ch.addr, clientConfig(c), r.opts.Time+time.Minute)
	if err != nil {
		return sample{}, err
	}
	defer tc.Close()
	p, q := make([]byte, c.n), make([]byte, c.n)
	for sent := 0; sent < 256<<10; sent += c.n {
		if err := echo(tc, p, q); err != nil {
			return sample{}, err
		}
	}
	var bytes int64
	cpu, err := cpuOver(ch, func() error {
		for start := time.Now(); time.Since(start) < r.opts.Time; bytes += int64(c.n) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := echo(tc, p, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sample{}, err
	}
	return sample{value: cpu.Seconds() * 1e3 / (float64(bytes) / (1 << 20))}, nil
}

// idle opens c.n connections to a fresh server, each with one byte echoed
// (so the server has finished the handshake and waits in a read), and
// reports the server's RSS growth per connection and its threads.
func (r *procRun) idle(ctx context.Context, c *ProcCase, ch *child) (sample, error) {
	cfg := clientConfig(c)
	within := 2*time.Minute + time.Duration(c.n)*10*time.Millisecond
	one := func() (*gotls.Conn, error) {
		tc, err := dialTLS(ctx, ch.addr, cfg, within)
		if err == nil {
			if err = echo(tc, []byte{1}, make([]byte, 1)); err != nil {
				tc.Close()
			}
		}
		return tc, err
	}
	// One connection first, so that what the first one initializes is
	// not counted.
	tc, err := one()
	if err != nil {
		return sample{}, err
	}
	tc.Close()
	time.Sleep(100 * time.Millisecond)
	before, err := readProcMem(ch.pid())
	if err != nil {
		return sample{}, err
	}
	conns := make([]*gotls.Conn, c.n)
	defer func() {
		for _, tc := range conns {
			if tc != nil {
				tc.Close()
			}
		}
	}()
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < c.n; i = int(next.Add(1)) - 1 {
				tc, err := one()
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("connection %d: %v", i, err) })
					return
				}
				conns[i] = tc
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return sample{}, firstErr
	}
	time.Sleep(300 * time.Millisecond)
	after, err := readProcMem(ch.pid())
	if err != nil {
		return sample{}, err
	}
	return sample{value: float64(after.rss-before.rss) / float64(c.n), threads: after.threads}, nil
}

// rate runs c.n clients in parallel, each making full handshakes one
// after the other for the measurement time: handshakes per second.
func (r *procRun) rate(ctx context.Context, c *ProcCase, ch *child) (sample, error) {
	cfg := clientConfig(c)
	var done, failed atomic.Int64
	start := time.Now()
	deadline := start.Add(r.opts.Time)
	var wg sync.WaitGroup
	for range c.n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				tc, err := dialTLS(ctx, ch.addr, cfg, time.Minute)
				if err != nil {
					failed.Add(1)
					time.Sleep(10 * time.Millisecond)
					continue
				}
				tc.Close()
				// Handshakes finishing after the deadline are the tail
				// of clients that started before it: not counted, so
				// that the rate is over the window.
				if !time.Now().After(deadline) {
					done.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return sample{}, err
	}
	if n, f := done.Load(), failed.Load(); n == 0 || f*20 > n {
		return sample{}, fmt.Errorf("%d handshakes, %d failed", n, f)
	}
	return sample{value: float64(done.Load()) / deadline.Sub(start).Seconds()}, nil
}
