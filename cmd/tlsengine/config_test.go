package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/certgen"
)

// runServe runs `tlsengine serve -addr 127.0.0.1:0 args...` expecting it
// to refuse to start, and returns its status and stderr. A server that
// starts is stopped and reported.
func runServe(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), strings.NewReader(""), &stdout, &stderr)
	}()
	for {
		select {
		case code := <-done:
			return code, stderr.String()
		case <-time.After(5 * time.Millisecond):
		}
		if strings.Contains(stdout.String(), "listening on") {
			cancel()
			<-done
			t.Errorf("serve %v started instead of refusing", args)
			return 0, stderr.String()
		}
	}
}

// TestServeRefusesMismatchedKey: a key that is not the certificate's is
// found at start, for the default credential and for -sni ones, and serve
// exits 1 naming the file, instead of starting and failing every client
// with "bad signature".
func TestServeRefusesMismatchedKey(t *testing.T) {
	pki := writePKI(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"default", []string{"-key", pki.otherChainKey, "-cert", pki.chainPEM},
			"tlsengine: " + pki.chainPEM + ": tls: the private key does not match the certificate's public key (key values mismatch)\n"},
		{"sni", []string{"-sni", "a.test=" + pki.chainPEM + "," + pki.otherChainKey},
			"tlsengine: -sni a.test: key values mismatch: no certificate carries this key\n"},
		{"second sni", []string{"-key", pki.keyPEM, "-cert", pki.chainPEM, "-sni", "a.test=" + pki.chainPEM + "," + pki.keyPEM,
			"-sni", "b.test=" + pki.selfSignedPEM + "," + pki.otherChainKey},
			"tlsengine: -sni b.test: key values mismatch"},
	} {
		code, stderr := runServe(t, tc.args...)
		if code != exitFailure || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and %q", tc.name, code, stderr, tc.want)
		}
	}
	// The client side checks its -key/-cert pair too.
	r := runConnect(t, "", "127.0.0.1:1", "-key", pki.otherChainKey, "-cert", pki.chainPEM)
	if r.code != exitFailure || !strings.Contains(r.stderr, "does not match the certificate's public key") {
		t.Errorf("connect: exit %d stderr %q", r.code, r.stderr)
	}
}

// TestServeRefusesHopelessConfiguration: flags with which no handshake
// can ever complete are a usage error whose message names the fix.
func TestServeRefusesHopelessConfiguration(t *testing.T) {
	pki := writePKI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-ciphers", "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"}, "selects only DHE suites, which need DH parameters: add -dhparam FILE"},
		{[]string{"-ciphers", "kEDH"}, "-ciphers kEDH selects only DHE suites"},
		{[]string{"-request-cert", "-reject-unauthorized"}, "-reject-unauthorized without -ca: no client certificate could verify; give -ca FILE"},
		{[]string{"-reject-unauthorized", "-key", pki.keyPEM, "-cert", pki.chainPEM}, "give -ca FILE"},
		{[]string{"-no-ticket", "-ticket-keys", strings.Repeat("00", 48)}, "-ticket-keys and -no-ticket contradict each other"},
	} {
		code, stderr := runServe(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	// With what they lack, the same flags start a server.
	for _, args := range [][]string{
		{"-ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256"},
		{"-request-cert", "-reject-unauthorized", "-ca", pki.rootPEM},
	} {
		startServer(t, args...)
	}
}

// TestHandshakeTimeoutNeedsUnit: "-handshake-timeout 5" says that the
// unit is missing and how to write it, not "parse error".
func TestHandshakeTimeoutNeedsUnit(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"5", `invalid value "5" for flag -handshake-timeout: missing unit: write 5s for seconds (units: ms, s, m, h)`},
		{"2.5", "missing unit: write 2.5s for seconds"},
		{"soon", `invalid value "soon" for flag -handshake-timeout: not a duration: write a number and a unit, such as 30s, 500ms or 2m`},
	} {
		code, stderr := runServe(t, "-handshake-timeout", tc.value)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "parse error") {
			t.Errorf("-handshake-timeout %s: exit %d, stderr %q; want exit 2 and %q", tc.value, code, stderr, tc.want)
		}
	}
}

// TestServeAndConnectExitCodesAgree: the flags both commands take fail
// the same way on both: 2 for a command line that cannot work (a bad
// value, a flag missing its partner), 1 when a file or its contents fail
// (missing, not a key, a wrong passphrase, a key that is not the
// certificate's).
func TestServeAndConnectExitCodesAgree(t *testing.T) {
	pki := writePKI(t)
	pfx := writePFX(t, certgen.ECDSAP256, false, "right", "localhost")
	missing := filepath.Join(pki.dir, "missing.pem")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		{[]string{"-ciphers", "NOPE:!ALL"}, exitUsage, "tlsengine: -ciphers: tls: no cipher match"},
		{[]string{"-min-version", "SSLv3"}, exitUsage, "tlsengine: -min-version: SSLv3 is not supported, by design"},
		{[]string{"-min-version", "TLSv1.2", "-max-version", "TLSv1"}, exitUsage, "tlsengine: -min-version is above -max-version"},
		{[]string{"-ecdh-curve", "brainpool"}, exitUsage, `tlsengine: -ecdh-curve: unknown curve "brainpool"`},
		{[]string{"-alpn", strings.Repeat("a", 256)}, exitUsage, "tlsengine: -alpn: protocol name longer than 255 bytes"},
		{[]string{"-key", pki.keyPEM}, exitUsage, "tlsengine: -key and -cert go together"},
		{[]string{"-ca", missing}, exitFailure, "tlsengine: open " + missing + ": no such file or directory"},
		{[]string{"-ca", pki.keyPEM}, exitFailure, "tlsengine: " + pki.keyPEM + ": "},
		{[]string{"-key", pki.rootPEM, "-cert", pki.chainPEM}, exitFailure, "tlsengine: " + pki.rootPEM + ": "},
		{[]string{"-key", pki.otherChainKey, "-cert", pki.chainPEM}, exitFailure, "key values mismatch"},
		{[]string{"-pfx", pfx.pfx, "-passphrase", "wrong"}, exitFailure, "tlsengine: -pfx " + pfx.pfx + ": wrong passphrase or corrupt PKCS#12 (mac verify failure)\n"},
	} {
		serveCode, serveErr := runServe(t, tc.args...)
		r := runConnect(t, "", append([]string{"127.0.0.1:1"}, tc.args...)...)
		if serveCode != tc.code || r.code != tc.code || !strings.Contains(serveErr, tc.want) || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: serve exit %d %q, connect exit %d %q; want exit %d and %q from both",
				tc.args, serveCode, serveErr, r.code, r.stderr, tc.code, tc.want)
		}
	}
}
