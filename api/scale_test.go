package api_test

import (
	"bufio"
	"bytes"
	gotls "crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// The scale benchmark (issue 16, item 4): thousands of idle TLS 1.2
// connections to one api server on loopback, all verified alive at the
// end. It is a benchmark, run on purpose:
//
//	go test -run '^$' -bench IdleConnectionsScale -benchtime 1x ./api/
//	TLSENGINE_SCALE_CONNS=50000 go test -run '^$' -bench IdleConnectionsScale -benchtime 1x -timeout 30m ./api/
//
// The clients are a child process (this test binary re-executed), so
// that their memory is not the server's; they connect from several
// 127.0.0.x addresses, because one source address has only the ~28,000
// ephemeral ports of ip_local_port_range towards one server port.

// scaleClientsEnv makes TestScaleClientsHelper the client side: "ADDR N".
const scaleClientsEnv = "TLSENGINE_SCALE_CLIENTS"

// scaleSources is how many loopback source addresses the clients use.
const scaleSources = 8

// fdReserve is the descriptors kept aside for everything but the
// connections (listeners, pipes, the runtime's own).
const fdReserve = 256

// noFileRoom raises this process's open-file limit as far as it may
// towards n connections plus fdReserve (the hard limit too, as root with
// CAP_SYS_RESOURCE) and returns how many of the n connections fit.
func noFileRoom(n int) (int, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	want := uint64(n + fdReserve)
	if l.Cur >= want {
		return n, nil
	}
	if l.Max < want {
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: want, Max: want}) == nil {
			return n, nil
		}
		want = l.Max
	}
	l.Cur = want
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	return min(n, max(0, int(want)-fdReserve)), nil
}

// TestScaleClientsHelper is not a test: in the child process of
// BenchmarkIdleConnectionsScale it opens N TLS 1.2 connections to ADDR,
// each echoing one byte once its handshake is done, and prints "ready".
// On an "echo" line from stdin it echoes one more byte on every
// connection and prints "echoed K" (K: connections that answered); at the
// end of stdin it closes them all.
func TestScaleClientsHelper(t *testing.T) {
	addr, n, ok := clientsSpec(t, scaleClientsEnv)
	if !ok {
		return
	}
	if fit, err := noFileRoom(n); err != nil || fit < n {
		t.Fatalf("room for %d of %d connections: %v", fit, n, err)
	}
	cfg := &gotls.Config{InsecureSkipVerify: true, MinVersion: gotls.VersionTLS12, MaxVersion: gotls.VersionTLS12}
	conns := make([]*gotls.Conn, n)
	echoOne := func(c *gotls.Conn) error {
		c.SetDeadline(time.Now().Add(time.Minute))
		defer c.SetDeadline(time.Time{})
		one := []byte{1}
		if _, err := c.Write(one); err != nil {
			return err
		}
		_, err := io.ReadFull(c, one)
		return err
	}
	parallel(n, func(i int) error {
		d := net.Dialer{Timeout: time.Minute,
			LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%scaleSources))}}
		raw, err := d.Dial("tcp", addr)
		if err != nil {
			return fmt.Errorf("connection %d: %v", i, err)
		}
		c := gotls.Client(raw, cfg)
		if err := echoOne(c); err != nil {
			raw.Close()
			return fmt.Errorf("connection %d: %v", i, err)
		}
		conns[i] = c
		return nil
	}, t)
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() != "echo" {
			continue
		}
		var alive atomic.Int64
		parallel(n, func(i int) error {
			if echoOne(conns[i]) == nil {
				alive.Add(1)
			}
			return nil
		}, t)
		fmt.Printf("echoed %d\n", alive.Load())
	}
	for _, c := range conns {
		c.Close()
	}
}

// clientsSpec reads "ADDR N" from the environment variable env of a
// client helper process; ok is false outside one.
func clientsSpec(t *testing.T, env string) (addr string, n int, ok bool) {
	spec := os.Getenv(env)
	if spec == "" {
		return "", 0, false
	}
	if _, err := fmt.Sscan(spec, &addr, &n); err != nil {
		t.Fatal(err)
	}
	return addr, n, true
}

// parallel runs f(0..n-1) on 64 goroutines and fails t on the first error.
func parallel(n int, f func(i int) error, t *testing.T) {
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}

// selfRSS is this process's resident set, from /proc/self/status.
func selfRSS(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatalf("RSS is read from /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatalf("VmRSS %q", v)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// BenchmarkIdleConnectionsScale holds TLSENGINE_SCALE_CONNS (10,000 by
// default) idle TLS 1.2 connections to one api.Server echoing with
// io.Copy on a goroutine per connection, as a user would write it, checks
// that every one still echoes at the end, and reports the server's RSS
// growth in all and per connection (VmRSS, the test binary's, the
// clients being another process), its heap per connection after a
// collection, and goroutines per connection. With
// TLSENGINE_SCALE_HEAPPROFILE=FILE it writes the heap profile taken with
// the connections open.
func BenchmarkIdleConnectionsScale(b *testing.B) {
	n := 10000
	if v := os.Getenv("TLSENGINE_SCALE_CONNS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("TLSENGINE_SCALE_CONNS=%q", v)
		}
	}
	fit, err := noFileRoom(n)
	if err != nil {
		b.Fatal(err)
	}
	if fit < 1 {
		b.Fatalf("the open-file limit holds no connection beside its %d reserved descriptors", fdReserve)
	}
	if fit < n {
		// The hard open-file limit is below what n needs and may not be
		// raised here: measure as many as fit; the conns metric says so.
		b.Logf("the open-file limit holds %d connections, not %d: measuring %d", fit, n, fit)
		n = fit
	}
	pki := newNodePKI(b)
	opts := pki.serverOptions()
	opts.MinVersion, opts.MaxVersion = "TLSv1.2", "TLSv1.2"
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: opts}, func(s *api.TLSSocket) {
		go func() { io.Copy(s, s); s.Close() }()
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	addr := srv.Address().String()
	for b.Loop() {
		heap0, stack0 := serverMemory()
		rss0, g0 := selfRSS(b), runtime.NumGoroutine()
		cmd := exec.Command(os.Args[0], "-test.run=^TestScaleClientsHelper$", "-test.count=1", "-test.timeout=0")
		cmd.Env = append(os.Environ(), scaleClientsEnv+"="+addr+" "+strconv.Itoa(n))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		lines := bufio.NewReader(stdout)
		start := time.Now()
		if line, err := lines.ReadString('\n'); err != nil || line != "ready\n" {
			cmd.Wait()
			b.Fatalf("clients: %q, %v\n%s", line, err, stderr.String())
		}
		setup := time.Since(start)
		time.Sleep(500 * time.Millisecond) // the last handlers reach their read
		heap1, stack1 := serverMemory()
		rss1, g1 := selfRSS(b), runtime.NumGoroutine()
		if f := os.Getenv("TLSENGINE_SCALE_HEAPPROFILE"); f != "" {
			writeHeapProfile(b, f) // with the connections open
		}
		if conns := srv.Connections(); conns != n {
			b.Errorf("the server holds %d connections, want %d", conns, n)
		}
		fmt.Fprintln(stdin, "echo")
		line, err := lines.ReadString('\n')
		if err != nil || line != fmt.Sprintf("echoed %d\n", n) {
			b.Errorf("after holding %d idle connections: %q, %v", n, line, err)
		}
		stdin.Close()
		cmd.Wait()
		b.ReportMetric(float64(n), "conns")
		b.ReportMetric(float64(rss1-rss0)/float64(n)/1000, "RSS-KB/conn")
		b.ReportMetric(float64(rss1-rss0)/1e6, "RSS-MB")
		b.ReportMetric(float64(heap1-heap0)/float64(n), "heap-B/conn")
		b.ReportMetric(float64(stack1-stack0)/float64(n), "stack-B/conn")
		b.ReportMetric(float64(g1-g0)/float64(n), "goroutines/conn")
		b.ReportMetric(setup.Seconds(), "setup-s")
		for srv.Connections() > 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}
