package main

import (
	"runtime"
	"strings"
	"testing"
)

// forEachServeMode runs test against serve with a goroutine per
// connection and, on Linux, with -event-loop.
func forEachServeMode(t *testing.T, test func(t *testing.T, mode ...string)) {
	t.Run("goroutines", func(t *testing.T) { test(t) })
	if runtime.GOOS == "linux" {
		t.Run("event loop", func(t *testing.T) { test(t, "-event-loop") })
	}
}

func TestLoopsNeedsEventLoop(t *testing.T) {
	for _, args := range [][]string{{"-loops", "2"}, {"-event-loop", "-loops", "-1"}} {
		code, stderr := runServe(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "-loops N needs -event-loop and N at least 1") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

// requestHead decides as readRequestHead does, whatever the pieces the
// head arrives in.
func TestRequestHeadScanMatchesReader(t *testing.T) {
	long := strings.Repeat("x", 10000)
	for _, in := range []string{
		"GET / HTTP/1.0\r\nHost: a\r\n\r\n", "GET /\n\n", "GET /\r\n\n", "\n", "\r\n", "\r\r\n\n", "GET /\r\r\n\r\n",
		"GET /\r\nX: " + long + "\r\n\r\n", "GET / HTTP/1.0\r\nHost: a\r\n", "", "GET /\r\n" + strings.Repeat("X: "+long+"\r\n", 7),
	} {
		want := readRequestHead(strings.NewReader(in)) == nil
		for _, size := range []int{1, 2, 3, 7, 512, len(in) + 1} {
			var h requestHead
			done, failed := false, false
			for p := in; len(p) > 0 && !done && !failed; p = p[min(size, len(p)):] {
				d, err := h.scan([]byte(p[:min(size, len(p))]))
				done, failed = d, err != nil
			}
			if done != want {
				t.Errorf("%.40q in pieces of %d: complete %v, readRequestHead says %v", in, size, done, want)
			}
		}
	}
}
