package main

import (
	gotls "crypto/tls"
	"io"
	"runtime"
	"testing"
	"time"
)

// TestServeIdleConnectionStack: an idle echo connection of serve waits on
// a goroutine of its own, not on the one whose stack the handshake grew
// (issue 16, item 3), and that goroutine's frames down to the read it
// waits in fit the smallest stack, 2 KB, so the runtime never doubles it
// (it was 4 KB until the frames on that path were trimmed, and the
// collector does not halve a parked 4 KB stack again). 200 idle
// connections, each having echoed one byte, add little stack each: the
// clients (crypto/tls, in this process) run no goroutines, so the stack in
// use is the server's.
func TestServeIdleConnectionStack(t *testing.T) {
	if raceEnabled {
		// The race detector enlarges every stack; `make test` runs this
		// test again without -race.
		t.Skip("stack sizes are not measurable under -race; make test runs this test again without it")
	}
	const (
		conns = 200
		bound = 3584 // per connection: 2 KB and some; 4 KB when the stack grew, 8 KB on the handshake's goroutine
	)
	srv := startServer(t)
	stackInUse := func() int64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m)
		return int64(m.StackInuse)
	}
	before := stackInUse()
	cfg := &gotls.Config{InsecureSkipVerify: true, MaxVersion: gotls.VersionTLS12}
	for range conns {
		c, err := gotls.Dial("tcp", srv.addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		one := []byte{1}
		if _, err := c.Write(one); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, one); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // the last echoes are back in a read
	perConn := (stackInUse() - before) / conns
	t.Logf("stack per idle connection: %d bytes", perConn)
	if perConn > bound {
		t.Errorf("an idle connection holds %d bytes of stack, want under %d", perConn, bound)
	}
}
