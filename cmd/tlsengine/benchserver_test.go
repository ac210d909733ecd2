package main

import (
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/bench"
)

// TestGoTLSServerWWW: the crypto/tls reference server of bench -process,
// in -www mode, answers one HTTP request with the connection's version
// and suite and closes with close_notify (s_time -www reads until then);
// without -www it echoes (and then drops the TCP connection without a
// close_notify of its own, which connect reports: the plainest io.Copy
// server does so).
func TestGoTLSServerWWW(t *testing.T) {
	f := writePKI(t)
	www := startCommand(t, bench.GoTLSServerCommand, "-addr", "127.0.0.1:0", "-cert", f.chainPEM, "-key", f.keyPEM, "-version", "1.3", "-www")
	r := runConnect(t, "GET / HTTP/1.0\r\n\r\n", www.addr, "-insecure")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "HTTP/1.0 200 ok\r\n") || !strings.HasSuffix(r.stdout, "\r\n\r\nTLS 1.3 TLS_AES_128_GCM_SHA256\n") {
		t.Fatalf("-www: exit %d stdout %q stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	echo := startCommand(t, bench.GoTLSServerCommand, "-addr", "127.0.0.1:0", "-cert", f.chainPEM, "-key", f.keyPEM, "-version", "1.3")
	if r := runConnect(t, "GET / HTTP/1.0\r\n\r\n", echo.addr, "-insecure"); r.stdout != "GET / HTTP/1.0\r\n\r\n" {
		t.Fatalf("echo: exit %d stdout %q stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
