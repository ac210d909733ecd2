package api_test

import (
	"bufio"
	gotls "crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
)

// idleClientsEnv, set in the environment of a re-executed test binary,
// makes TestIdleClientsHelper the client side of
// BenchmarkIdleConnectionMemory: "ADDR N".
const idleClientsEnv = "TLSENGINE_IDLE_CLIENTS"

// TestIdleClientsHelper is not a test: in a child process started by
// BenchmarkIdleConnectionMemory it opens N TLS connections to ADDR, echoes
// one byte on each, prints "ready" and holds them until stdin closes. The
// clients live in their own process so that their memory is not counted
// as the server's.
func TestIdleClientsHelper(t *testing.T) {
	addr, n, ok := clientsSpec(t, idleClientsEnv)
	if !ok {
		return
	}
	cfg := &gotls.Config{InsecureSkipVerify: true, MaxVersion: gotls.VersionTLS12}
	conns := make([]*gotls.Conn, 0, n)
	for range n {
		c, err := gotls.Dial("tcp", addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		one := []byte{1}
		if _, err := c.Write(one); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, one); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

// serverMemory is the server's heap and stack in use after a collection.
func serverMemory() (heap, stack int64) {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}

// smallEcho echoes what s reads with a small buffer of its own, so that
// what a memory measurement sees is the socket, not the handler, then
// closes s.
func smallEcho(s *api.TLSSocket) {
	var buf [64]byte
	for {
		n, err := s.Read(buf[:])
		if n > 0 {
			s.Write(buf[:n])
		}
		if err != nil {
			s.Close()
			return
		}
	}
}

// writeHeapProfile writes the heap profile to file.
func writeHeapProfile(b *testing.B, file string) {
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkIdleConnectionMemory measures what an idle established
// connection costs an api server (issue 16, item 3): 2,000 TLS 1.2
// connections over loopback from a child process, each having echoed one
// byte, the server's handler blocked in Read. It reports the heap in use,
// the stacks in use and the goroutines per connection (runtime.MemStats
// after GC); with TLSENGINE_IDLE_HEAPPROFILE=FILE in the environment, the heap
// profile written with the connections open shows where the heap goes.
// The connection count is not b.N: one measurement is the result.
func BenchmarkIdleConnectionMemory(b *testing.B) {
	const conns = 2000
	pki := newNodePKI(b)
	srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: pki.serverOptions()}, func(s *api.TLSSocket) {
		go smallEcho(s)
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for srv.Address() == nil {
		time.Sleep(time.Millisecond)
	}
	addr := srv.Address().String()
	for b.Loop() {
		heap0, stack0 := serverMemory()
		g0 := runtime.NumGoroutine()
		cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientsHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), idleClientsEnv+"="+addr+" "+strconv.Itoa(conns))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "ready\n" {
			b.Fatalf("client process: %q, %v", line, err)
		}
		time.Sleep(200 * time.Millisecond) // the last handlers reach Read
		heap1, stack1 := serverMemory()
		g1 := runtime.NumGoroutine()
		if f := os.Getenv("TLSENGINE_IDLE_HEAPPROFILE"); f != "" {
			writeHeapProfile(b, f) // with the connections open
		}
		b.ReportMetric(float64(heap1-heap0)/conns, "heap-B/conn")
		b.ReportMetric(float64(stack1-stack0)/conns, "stack-B/conn")
		b.ReportMetric(float64(g1-g0)/conns, "goroutines/conn")
		stdin.Close()
		cmd.Wait()
		for srv.Connections() > 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestIdleSocketHoldsNoReadBuffer: an idle established connection holds
// no record-sized read buffer, neither while its reader waits in Read on
// a TCP transport nor after a read completed, and io.Copy from a socket
// (WriteTo) holds no copy buffer (issue 16, item 3). 200 loopback pairs
// have echoed one byte; each server socket has a goroutine blocked in
// Read or io.Copy, each client socket none. Both ends together stay well
// under what one 16 KiB buffer per socket would cost.
func TestIdleSocketHoldsNoReadBuffer(t *testing.T) {
	echoes := map[string]func(*api.TLSSocket){
		"Read":    smallEcho,
		"io.Copy": func(s *api.TLSSocket) { io.Copy(s, s); s.Close() },
	}
	for name, echo := range echoes {
		t.Run(name, func(t *testing.T) { testIdlePairs(t, echo) })
	}
}

func testIdlePairs(t *testing.T, echo func(*api.TLSSocket)) {
	const (
		pairs = 200
		bound = 30 << 10 // per pair, both ends; a read buffer each was ~55 KiB
	)
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	before := heapInUse()
	var socks []*api.TLSSocket
	defer func() {
		for _, s := range socks {
			s.Close()
		}
	}()
	for i := range pairs {
		cc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		sc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		srv := api.NewServerSocket(sc, pki.ServerConfig(uint64(2*i+1)), nil)
		cli := api.NewClientSocket(cc, pki.ClientConfig(uint64(2*i+2)), engine.ClientOptions{ServerName: "localhost"})
		socks = append(socks, srv, cli)
		go echo(srv)
		one := []byte{1}
		if _, err := cli.Write(one); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(cli, one); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // the server readers are back in Read
	perPair := (heapInUse() - before) / pairs
	t.Logf("heap per idle pair (both ends): %d bytes", perPair)
	if perPair > bound {
		t.Errorf("an idle pair holds %d bytes of heap, want under %d: a read buffer is kept", perPair, bound)
	}
}
