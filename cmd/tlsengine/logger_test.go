package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter records each Write.
type countingWriter struct {
	mu     sync.Mutex
	writes int
	b      strings.Builder
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.b.Write(p)
}

func (w *countingWriter) result() (int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes, w.b.String()
}

// TestLogLinesGathered: serve's per-connection log lines go out together,
// not one write (one system call) each, whole and in order, and none is
// held longer than logFlushDelay (issue 16: the log was a tenth of a
// handshake's server CPU).
func TestLogLinesGathered(t *testing.T) {
	w := &countingWriter{}
	l := &lineLogger{w: w}
	var want strings.Builder
	for i := range 100 {
		l.printf("127.0.0.1:%d: TLSv1.2 line %d", 40000+i, i)
		fmt.Fprintf(&want, "127.0.0.1:%d: TLSv1.2 line %d\n", 40000+i, i)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, got := w.result()
		if got == want.String() {
			if n > 2 {
				t.Errorf("100 lines took %d writes, want at most 2", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s the log holds %q", got)
		}
		time.Sleep(logFlushDelay / 5)
	}
	// A line alone goes out after the delay, without a flush.
	l.printf("one more")
	start := time.Now()
	for {
		if _, got := w.result(); strings.HasSuffix(got, "\none more\n") {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("a single line was never written")
		}
		time.Sleep(logFlushDelay / 5)
	}
	// Past logFlushSize the lines go out at once.
	long := strings.Repeat("x", logFlushSize)
	before, _ := w.result()
	l.printf("%s", long)
	if n, _ := w.result(); n != before+1 {
		t.Errorf("a line of %d bytes waited for the timer", len(long))
	}
}
