//go:build linux

package main

import (
	"bytes"
	"crypto/tls"
	"io"
	"strings"
	"testing"
	"time"
)

// TestEventLoopEcho: serve -event-loop echoes over TLS 1.2 and 1.3, logs
// each handshake as serve does, and says goodbye with close_notify.
func TestEventLoopEcho(t *testing.T) {
	for _, args := range [][]string{{"-event-loop"}, {"-event-loop", "-loops", "1"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { testEventLoopEcho(t, args...) })
	}
}

func testEventLoopEcho(t *testing.T, args ...string) {
	srv := startServer(t, args...)
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
