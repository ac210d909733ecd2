package main

import (
	"strings"
	"testing"
)

// TestConnectRenegWithServe: `connect -reneg` renegotiates with `serve`
// (which accepts client renegotiations within Node's limits) right after
// the handshake, and stdin still arrives verbatim, "R" lines included.
// TLS 1.2: TLS 1.3 has no renegotiation (TestTLS13ServeConnect).
func TestConnectRenegWithServe(t *testing.T) {
	srv := startServer(t)
	const data = "R\nhello after renegotiating\n"
	r := runConnect(t, data, srv.addr, "-insecure", "-reneg", "-max-version", "TLSv1.2")
	if r.code != 0 || r.stdout != data || !strings.Contains(r.stderr, "RENEGOTIATING\nRenegotiated: TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256\n") {
		t.Fatalf("exit %d stdout %q stderr:\n%s\nserver:\n%s", r.code, r.stdout, r.stderr, srv.log.String())
	}
	if strings.Contains(srv.log.String(), "declined") {
		t.Errorf("server log:\n%s", srv.log.String())
	}
}
