package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSessionResumptionTLS13: in TLS 1.3 -sess-out saves the newest ticket
// the server sent after the handshake and -sess-in resumes with it, as
// s_client -sess_out/-sess_in; the summary says "Reused, TLSv1.3" as
// s_client does; two servers sharing -ticket-keys resume each other's
// tickets.
func TestSessionResumptionTLS13(t *testing.T) {
	key := strings.Repeat("cd", 48)
	a := startServer(t, "-max-version", "TLSv1.3", "-ticket-keys", key)
	b := startServer(t, "-max-version", "TLSv1.3", "-ticket-keys", key)
	sess := filepath.Join(t.TempDir(), "session")
	r := runConnect(t, "x\n", a.addr, "-insecure", "-max-version", "TLSv1.3", "-sess-out", sess)
	if r.code != 0 || !strings.Contains(r.stderr, "New, TLSv1.3, Cipher is ") || strings.Contains(r.stderr, "-sess-out") {
		t.Fatalf("first connection: exit %d\n%s", r.code, r.stderr)
	}
	for _, srv := range []*testServer{a, b} {
		r = runConnect(t, "x\n", srv.addr, "-insecure", "-max-version", "TLSv1.3", "-sess-in", sess)
		if r.code != 0 || !strings.Contains(r.stderr, "Session   : Reused\n") || !strings.Contains(r.stderr, "Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\n") {
			t.Fatalf("resumption: exit %d\n%s", r.code, r.stderr)
		}
		waitFor(t, srv.log, " resumed\n")
	}
}
