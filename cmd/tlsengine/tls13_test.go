package main

import (
	"strings"
	"testing"
)

// TestTLS13ServeConnect: serve and connect speak TLS 1.3 by default, as
// Node v20, and TLS 1.2 when -max-version says so: connect's summary and
// the -www page show the TLS 1.3
// protocol, suite and group, the hybrid X25519MLKEM768 included; TLS_
// names in -ciphers choose the TLS 1.3 suite; -key-update sends a
// KeyUpdate with update_requested before the request, and the page still
// arrives (under the server's updated keys). -key-update below TLS 1.3
// and -reneg in TLS 1.3 fail.
func TestTLS13ServeConnect(t *testing.T) {
	srv := startServer(t, "-www", "-ecdh-curve", "X25519MLKEM768:X25519:P-256")
	const get = "GET / HTTP/1.0\r\n\r\n"
	for _, tc := range []struct {
		args []string
		want []string // in the summary and in the page
		log  string
	}{
		{nil, []string{"Protocol  : TLSv1.3\n", "Cipher    : TLS_AES_256_GCM_SHA384\n", "Group     : X25519MLKEM768\n"},
			"TLSv1.3 TLS_AES_256_GCM_SHA384 ALPN=none"},
		{[]string{"-ecdh-curve", "X25519:P-256"}, []string{"Protocol  : TLSv1.3\n", "Group     : X25519\n"}, ""},
		{[]string{"-min-version", "TLSv1.3", "-ecdh-curve", "X25519MLKEM768:X25519", "-ciphers", "TLS_CHACHA20_POLY1305_SHA256", "-key-update"},
			[]string{"Protocol  : TLSv1.3\n", "Cipher    : TLS_CHACHA20_POLY1305_SHA256\n", "Group     : X25519MLKEM768\n"},
			"TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 ALPN=none"},
		{[]string{"-max-version", "TLSv1.3", "-ciphers", "TLS_AES_128_GCM_SHA256", "-ecdh-curve", "P-256", "-key-update"},
			[]string{"Protocol  : TLSv1.3\n", "Cipher    : TLS_AES_128_GCM_SHA256\n", "Group     : prime256v1\n"}, ""},
		{[]string{"-max-version", "TLSv1.2"}, []string{"Protocol  : TLSv1.2\n"}, ""},
	} {
		r := runConnect(t, get, append([]string{srv.addr, "-insecure"}, tc.args...)...)
		_, page, _ := strings.Cut(r.stdout, "\r\n\r\n")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "HTTP/1.0 200 OK\r\n") {
			t.Errorf("%v: exit %d stdout %q stderr:\n%s", tc.args, r.code, r.stdout, r.stderr)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) || !strings.Contains(page, w) {
				t.Errorf("%v: summary or page lacks %q:\n%s\npage:\n%s", tc.args, w, r.stderr, page)
			}
		}
		if keyUpdate := strings.Contains(strings.Join(tc.args, " "), "-key-update"); keyUpdate != strings.Contains(r.stderr, "KEYUPDATE\n") {
			t.Errorf("%v: KEYUPDATE in stderr: %v\n%s", tc.args, !keyUpdate, r.stderr)
		}
		if tc.log != "" {
			waitFor(t, srv.log, tc.log)
		}
	}
	// KeyUpdate does not exist below TLS 1.3.
	r := runConnect(t, get, srv.addr, "-insecure", "-key-update", "-max-version", "TLSv1.2")
	if r.code != 1 || !strings.Contains(r.stderr, "tlsengine: -key-update: error:0A00010A:SSL routines::wrong ssl version") {
		t.Errorf("-key-update over TLS 1.2: exit %d stderr:\n%s", r.code, r.stderr)
	}
	// Nor does renegotiation in TLS 1.3: -reneg fails as Node v20's renegotiate().
	r = runConnect(t, get, srv.addr, "-insecure", "-reneg")
	if r.code != 1 || !strings.Contains(r.stderr, "tlsengine: renegotiation failed: error:0A00010A:SSL routines::wrong ssl version") {
		t.Errorf("-reneg over TLS 1.3: exit %d stderr:\n%s", r.code, r.stderr)
	}
	// TLSv1.3 is a version both flags take.
	r = runConnect(t, get, srv.addr, "-insecure", "-min-version", "TLSv1.3", "-max-version", "TLSv1.2")
	if r.code != exitUsage || !strings.Contains(r.stderr, "-min-version is above -max-version") {
		t.Errorf("-min-version TLSv1.3 -max-version TLSv1.2: exit %d stderr:\n%s", r.code, r.stderr)
	}
}
