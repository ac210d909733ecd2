package main

import (
	"bytes"
	"crypto/tls"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// forEachServeMode runs test against serve with a goroutine per
// connection and, on Linux, with -event-loop.
func forEachServeMode(t *testing.T, test func(t *testing.T, mode ...string)) {
	t.Run("goroutines", func(t *testing.T) { test(t) })
	if runtime.GOOS == "linux" {
		t.Run("event loop", func(t *testing.T) { test(t, "-event-loop") })
	}
}

// TestEventLoopEcho: serve -event-loop echoes over TLS 1.2 and 1.3, logs
// each handshake as serve does, and says goodbye with close_notify.
func TestEventLoopEcho(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("-event-loop needs epoll (Linux)")
	}
	srv := startServer(t, "-event-loop")
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		c, err := tls.Dial("tcp", srv.addr, &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v})
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		msg := bytes.Repeat([]byte("echo "), 10000) // 50 KB: several records
		go c.Write(msg)
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("version %x: echo %v", v, err)
		}
		c.CloseWrite()
		if n, err := c.Read(got); n != 0 || err != io.EOF {
			t.Fatalf("version %x: after close_notify read %d, %v", v, n, err)
		}
		c.Close()
	}
	waitFor(t, srv.log, ": TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 ALPN=none SNI=none")
	waitFor(t, srv.log, ": TLSv1.3 TLS_AES_128_GCM_SHA256 ALPN=none SNI=none")
	if code := srv.stop(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
	waitFor(t, srv.log, "shutting down")
}

func TestEventLoopRefusesSessionStore(t *testing.T) {
	code, stderr := runServe(t, "-event-loop", "-session-store", "redis://127.0.0.1:1")
	if code != exitUsage || !strings.Contains(stderr, "-event-loop and -session-store do not go together") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
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
