package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/x509lite"
)

var fingerprintRE = regexp.MustCompile(`(?m)^certificate SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}$`)

func TestEchoWithGeneratedCertificate(t *testing.T) {
	srv := startServer(t)
	if !fingerprintRE.MatchString(srv.log.String()) {
		t.Errorf("no fingerprint line in the server log:\n%s", srv.log.String())
	}
	big := strings.Repeat("0123456789abcdef", 10000) + "\n" // spans several records
	input := "hello\nworld\n" + big
	r := runConnect(t, input, srv.addr, "-insecure")
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	if r.stdout != input {
		t.Errorf("echo: got %d bytes, want %d", len(r.stdout), len(input))
	}
	// TLS 1.3 by default, with Node's first suite and our first group,
	// the hybrid; neither extended master secret nor secure renegotiation
	// exists in TLS 1.3: as s_client, no line for the first, "IS NOT
	// supported" for the second.
	want := "Protocol  : TLSv1.3\n" +
		"Cipher    : TLS_AES_256_GCM_SHA384\n" +
		"Group     : X25519MLKEM768\n" +
		"ALPN      : none\n" +
		"Secure Renegotiation IS NOT supported\n" +
		"Verification error: DEPTH_ZERO_SELF_SIGNED_CERT: "
	if !strings.HasPrefix(r.stderr, want) {
		t.Errorf("summary:\n%s\nwant prefix:\n%s", r.stderr, want)
	}
	waitFor(t, srv.log, ": TLSv1.3 TLS_AES_256_GCM_SHA384 ALPN=none SNI=none\n")
	// The per-connection line starts with the peer address.
	if !regexp.MustCompile(`(?m)^127\.0\.0\.1:\d+: TLSv1\.3 `).MatchString(srv.log.String()) {
		t.Errorf("log line without the peer address:\n%s", srv.log.String())
	}
}

func TestVerification(t *testing.T) {
	pki := writePKI(t)
	srv := startServer(t, "-key", pki.keyPEM, "-cert", pki.chainPEM)
	if !strings.Contains(srv.log.String(), "certificate SHA-256 fingerprint "+pki.leafFingerprnt+"\n") {
		t.Errorf("server log lacks the leaf's fingerprint:\n%s", srv.log.String())
	}
	selfSrv := startServer(t)
	_, port, _ := net.SplitHostPort(srv.addr)
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		want     string // in stderr
		echoed   bool
		serverSN string // SNI in the server log
	}{
		{"ip", []string{srv.addr, "-ca", pki.rootPEM}, 0, "Verification: OK\n", true, "SNI=none"},
		{"servername", []string{srv.addr, "-ca", pki.rootPEM, "-servername", "localhost"}, 0, "Verification: OK\n", true, "SNI=localhost"},
		{"host", []string{"localhost:" + port, "-ca", pki.rootPEM}, 0, "Verification: OK\n", true, ""},
		{"wrong ca", []string{srv.addr, "-ca", pki.otherRootPEM},
			1, "tlsengine: verification failed: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ", false, ""},
		{"wrong name", []string{srv.addr, "-ca", pki.rootPEM, "-servername", "example.com"},
			1, "tlsengine: verification failed: ERR_TLS_CERT_ALTNAME_INVALID: ", false, ""},
		{"self-signed", []string{selfSrv.addr, "-ca", pki.rootPEM},
			1, "tlsengine: verification failed: DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\n", false, ""},
		{"wrong ca insecure", []string{srv.addr, "-ca", pki.otherRootPEM, "-insecure"},
			0, "Verification error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runConnect(t, "ping\n", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
			if got := r.stdout == "ping\n"; got != tc.echoed {
				t.Errorf("stdout %q, echoed want %v", r.stdout, tc.echoed)
			}
			if tc.code != 0 && strings.Contains(r.stderr, "Protocol  :") {
				t.Errorf("summary printed for a failed handshake:\n%s", r.stderr)
			}
			if tc.serverSN != "" {
				waitFor(t, srv.log, tc.serverSN)
			}
		})
	}
	// The server saw the clients' verdict as a fatal alert.
	waitFor(t, srv.log, "handshake failed: tls: peer sent fatal alert: ")
}

func TestWWW(t *testing.T) { forEachServeMode(t, testWWW) }

func testWWW(t *testing.T, mode ...string) {
	// The server restricts the suites; the client's order picks among them
	// (TLS 1.2 suites: the client stays at TLS 1.2).
	srv := startServer(t, append(mode, "-www", "-ciphers", "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256")...)
	for _, req := range []string{"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n", "GET /\n\n", "GET / HTTP/1.0\r\n\n"} {
		r := runConnect(t, req, srv.addr, "-insecure", "-servername", "localhost", "-alpn", "h2", "-max-version", "TLSv1.2")
		if r.code != 0 {
			t.Fatalf("%q: exit %d; stderr:\n%s", req, r.code, r.stderr)
		}
		head, body, ok := strings.Cut(r.stdout, "\r\n\r\n")
		if !ok || !strings.HasPrefix(head, "HTTP/1.0 200 OK\r\n") {
			t.Fatalf("%q: response:\n%s", req, r.stdout)
		}
		if !strings.Contains(head, "Content-Length: "+strconv.Itoa(len(body))+"\r\n") {
			t.Errorf("%q: Content-Length does not match a %d-byte body:\n%s", req, len(body), head)
		}
		for _, want := range []string{
			"Protocol  : TLSv1.2\n",
			"Cipher    : ECDHE-ECDSA-CHACHA20-POLY1305\n",
			"SNI       : localhost\n",
			"ALPN      : none\n", // the server offers no ALPN
			"Extended master secret: yes\n",
			"Secure Renegotiation IS supported\n",
			"Client certificate: not requested\n",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%q: page lacks %q:\n%s", req, want, body)
			}
		}
	}
	// An incomplete request gets no answer; the client's close ends it.
	r := runConnect(t, "GET / HTTP/1.0\r\n", srv.addr, "-insecure")
	if r.code != 0 || r.stdout != "" {
		t.Errorf("incomplete request: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestServerClosesFirst: connect returns 0 when the server ends the
// connection (-www) while stdin is still open.
func TestServerClosesFirst(t *testing.T) { forEachServeMode(t, testServerClosesFirst) }

func testServerClosesFirst(t *testing.T, mode ...string) {
	srv := startServer(t, append(mode, "-www")...)
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	code := run(ctx, []string{"connect", srv.addr, "-insecure"}, pr, &stdout, &stderr)
	if code != 0 || !strings.HasPrefix(stdout.String(), "HTTP/1.0 200 OK\r\n") {
		t.Errorf("exit %d stdout %q stderr:\n%s", code, stdout.String(), stderr.String())
	}
}

// TestConnectInterrupted: a signal (ctx) ends an idle connect promptly.
func TestConnectInterrupted(t *testing.T) {
	srv := startServer(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"connect", srv.addr, "-insecure"}, pr, &stdout, &stderr) }()
	waitFor(t, &stderr, "Verification error: ")
	cancel()
	select {
	case code := <-done:
		if code != exitInterrupted {
			t.Errorf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("connect ignored the interrupt")
	}
}

// recordingConn keeps every byte read from the transport.
type recordingConn struct {
	net.Conn
	mu sync.Mutex
	in bytes.Buffer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.in.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

// TestWWWOneRecord checks that the page goes out in one application-data
// record followed by close_notify.
func TestWWWOneRecord(t *testing.T) { forEachServeMode(t, testWWWOneRecord) }

func testWWWOneRecord(t *testing.T, mode ...string) {
	srv := startServer(t, append(mode, "-www")...)
	raw, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	rc := &recordingConn{Conn: raw}
	// TLS 1.2, whose record types show on the wire.
	sock := api.NewClientSocket(rc, &engine.Config{Rand: rand.Reader, Now: time.Now, InsecureSkipVerify: true, MaxVersion: cipher.VersionTLS12},
		engine.ClientOptions{ServerName: "localhost"})
	defer sock.Close()
	sock.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := sock.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := io.ReadAll(sock)
	if err != nil {
		t.Fatalf("read: %v (want a clean close_notify)", err)
	}
	if !bytes.HasPrefix(resp, []byte("HTTP/1.0 200 OK\r\n")) {
		t.Fatalf("response %q", resp)
	}
	rc.mu.Lock()
	wire := append([]byte(nil), rc.in.Bytes()...)
	rc.mu.Unlock()
	var types []byte
	for len(wire) >= 5 {
		n := int(wire[3])<<8 | int(wire[4])
		if len(wire) < 5+n {
			t.Fatalf("truncated record on the wire")
		}
		types = append(types, wire[0])
		wire = wire[5+n:]
	}
	if appData := bytes.Count(types, []byte{23}); appData != 1 {
		t.Errorf("the response took %d application-data records, want 1 (record types %v)", appData, types)
	}
	if len(types) == 0 || types[len(types)-1] != 21 {
		t.Errorf("the server did not end with an alert (close_notify): record types %v", types)
	}
}

func TestReadRequestHead(t *testing.T) {
	long := strings.Repeat("x", 10000)
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"crlf", "GET / HTTP/1.0\r\nHost: a\r\n\r\n", true},
		{"bare lf", "GET /\n\n", true},
		{"mixed", "GET /\r\n\n", true},
		{"empty request", "\n", true},
		{"long header line", "GET /\r\nX: " + long + "\r\n\r\n", true},
		// A CRLF that ends a long line is not an empty line.
		{"crlf after long line", "GET /" + strings.Repeat("y", 4095) + "\r\n", false},
		{"no end", "GET / HTTP/1.0\r\nHost: a\r\n", false},
		{"nothing", "", false},
		{"too long", "GET /\r\n" + strings.Repeat("X: "+long+"\r\n", 7), false},
	} {
		err := readRequestHead(strings.NewReader(tc.in))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// TestGarbageClientsDoNotStopServer sends the server bytes that are not
// TLS, truncated handshakes and early closes, then checks that it still
// serves a real client.
func TestGarbageClientsDoNotStopServer(t *testing.T) {
	forEachServeMode(t, testGarbageClientsDoNotStopServer)
}

func testGarbageClientsDoNotStopServer(t *testing.T, mode ...string) {
	srv := startServer(t, mode...)
	clientHelloStart := []byte{22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3}
	for i, tc := range []struct {
		payload []byte
		// rejected: the server must answer and close at once; otherwise
		// it waits for more (the handshake timeout) and the client leaves.
		rejected bool
	}{
		{[]byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), true},
		{bytes.Repeat([]byte{0xff}, 70000), true},
		{[]byte{22, 3, 3, 0xff, 0xff}, true},                    // a record longer than allowed
		{[]byte{21, 3, 3, 0, 2, 2, 40}, true},                   // a fatal alert first
		{[]byte{23, 3, 3, 0, 5, 'h', 'e', 'l', 'l', 'o'}, true}, // application data before the handshake
		{append(clientHelloStart, 1, 2, 3), false},              // a ClientHello cut short
		{nil, false}, // connect and close
	} {
		c, err := net.Dial("tcp", srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write(tc.payload)
		if tc.rejected {
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Errorf("payload %d: the server did not close the connection", i)
			}
		}
		c.Close()
	}
	waitFor(t, srv.log, "handshake failed: ")
	r := runConnect(t, "still here\n", srv.addr, "-insecure")
	if r.code != 0 || r.stdout != "still here\n" {
		t.Fatalf("after garbage: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestPanicInConnectionIsRecovered(t *testing.T) {
	var once sync.Once
	testHookConn = func(net.Conn) { once.Do(func() { panic("boom") }) }
	t.Cleanup(func() { testHookConn = nil })
	srv := startServer(t)
	if r := runConnect(t, "first\n", srv.addr, "-insecure"); r.code != 1 {
		t.Errorf("first connection: exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	waitFor(t, srv.log, "internal error (recovered): boom")
	if r := runConnect(t, "second\n", srv.addr, "-insecure"); r.code != 0 || r.stdout != "second\n" {
		t.Errorf("second connection: exit %d, stdout %q; stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestClientCertificates(t *testing.T) {
	pki := writePKI(t)
	withCert := []string{"-key", pki.keyPEM, "-cert", pki.chainPEM}
	withOther := []string{"-key", pki.otherChainKey, "-cert", pki.otherChainPEM}

	t.Run("request", func(t *testing.T) {
		srv := startServer(t, "-request-cert", "-ca", pki.rootPEM, "-www")
		for _, tc := range []struct {
			name      string
			args      []string
			log, page string
		}{
			{"verified", withCert, " authorized\n", "Client certificate: CN=localhost\nClient verification: OK\n"},
			{"none", nil, " unauthorized: UNABLE_TO_GET_ISSUER_CERT: ", "Client certificate: none\nClient verification error: UNABLE_TO_GET_ISSUER_CERT: "},
			{"unknown issuer", withOther, " unauthorized: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ", "Client verification error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "},
		} {
			before := strings.Count(srv.log.String(), "\n")
			r := runConnect(t, "GET / HTTP/1.0\r\n\r\n", append([]string{srv.addr, "-insecure"}, tc.args...)...)
			if r.code != 0 || !strings.Contains(r.stdout, tc.page) {
				t.Errorf("%s: exit %d, page:\n%s\nwant %q; stderr:\n%s", tc.name, r.code, r.stdout, tc.page, r.stderr)
			}
			waitFor(t, srv.log, tc.log)
			lines := strings.Split(srv.log.String(), "\n")[before:]
			if !strings.Contains(strings.Join(lines, "\n"), tc.log) {
				t.Errorf("%s: new log lines %q lack %q", tc.name, lines, tc.log)
			}
		}
	})
	t.Run("require", func(t *testing.T) {
		srv := startServer(t, "-request-cert", "-reject-unauthorized", "-ca", pki.rootPEM)
		if r := runConnect(t, "ok\n", append([]string{srv.addr, "-insecure"}, withCert...)...); r.code != 0 || r.stdout != "ok\n" {
			t.Errorf("verified client: exit %d stdout %q stderr:\n%s", r.code, r.stdout, r.stderr)
		}
		waitFor(t, srv.log, " authorized\n")
		// In TLS 1.2 the client's handshake fails; in TLS 1.3 the client
		// finishes first and then reads the server's alert, as s_client
		// (refusedAfterHandshake).
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"-max-version", "TLSv1.2"}, "tlsengine: handshake failed: "},
			{append([]string{"-max-version", "TLSv1.2"}, withOther...), "tlsengine: handshake failed: "},
			{nil, "certificate required"},
			{withOther, ""},
		} {
			r := runConnect(t, "no\n", append([]string{srv.addr, "-insecure"}, tc.args...)...)
			ok := strings.Contains(r.stderr, tc.want)
			if !strings.HasPrefix(tc.want, "tlsengine: handshake failed") {
				ok = refusedAfterHandshake(r.stderr, tc.want)
			}
			if r.code != 1 || r.stdout != "" || !ok {
				t.Errorf("client %v: exit %d stdout %q stderr:\n%s", tc.args, r.code, r.stdout, r.stderr)
			}
		}
		waitFor(t, srv.log, "handshake failed: tls: peer did not return a certificate")
		waitFor(t, srv.log, "handshake failed: tls: peer certificate verification failed")
	})
}

func TestNegotiationFlags(t *testing.T) {
	srv := startServer(t, "-alpn", "h2,http/1.1", "-ecdh-curve", "secp384r1:prime256v1:X25519")
	for _, tc := range []struct {
		args []string
		want []string
		log  string
	}{
		// TLS 1.2: the server's preferred group. TLS 1.3: the group of
		// the client's key share (X25519) rather than a HelloRetryRequest
		// for the server's preferred one, as OpenSSL does.
		{[]string{"-alpn", "http/1.1", "-max-version", "TLSv1.2"}, []string{"ALPN      : http/1.1\n", "Group     : secp384r1\n"}, "ALPN=http/1.1 SNI=none"},
		{[]string{"-alpn", "http/1.1"}, []string{"ALPN      : http/1.1\n", "Group     : X25519\n"}, ""},
		{[]string{"-alpn", "spdy/1,h2"}, []string{"ALPN      : h2\n"}, "ALPN=h2 SNI=none"},
		{[]string{"-ecdh-curve", "P-256"}, []string{"Group     : prime256v1\n"}, ""},
		// TLS 1.2 suite names choose the TLS 1.2 suites only (the TLS 1.3
		// ones keep their defaults, as in Node), so these stay at TLS 1.2.
		{[]string{"-ciphers", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "-max-version", "TLSv1.2"}, []string{"Cipher    : ECDHE-ECDSA-AES256-GCM-SHA384\n"},
			"TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384 ALPN=none"},
		{[]string{"-ciphers", "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256", "-max-version", "TLSv1.2"}, []string{"Cipher    : ECDHE-ECDSA-CHACHA20-POLY1305\n"}, ""},
		{[]string{"-ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256"}, []string{"Protocol  : TLSv1.3\n", "Cipher    : TLS_AES_256_GCM_SHA384\n"}, ""},
	} {
		r := runConnect(t, "x", append([]string{srv.addr, "-insecure"}, tc.args...)...)
		if r.code != 0 || r.stdout != "x" {
			t.Errorf("%v: exit %d stdout %q stderr:\n%s", tc.args, r.code, r.stdout, r.stderr)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v: summary lacks %q:\n%s", tc.args, w, r.stderr)
			}
		}
		if tc.log != "" {
			waitFor(t, srv.log, tc.log)
		}
	}
	// No common cipher suite: a handshake failure on both sides.
	r := runConnect(t, "", srv.addr, "-insecure", "-ciphers", "ECDHE-RSA-AES128-GCM-SHA256", "-max-version", "TLSv1.2")
	if r.code != 1 || !strings.Contains(r.stderr, "tlsengine: handshake failed: tls: ") {
		t.Errorf("no shared suite: exit %d stderr:\n%s", r.code, r.stderr)
	}
}

func TestUsageAndBadFlags(t *testing.T) {
	pki := writePKI(t)
	missing := filepath.Join(pki.dir, "missing.pem")
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{nil, 2, "", "usage:"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"help"}, 0, "usage:", ""},
		{[]string{"version"}, 0, "tlsengine " + version, ""},
		{[]string{"serve", "-h"}, 0, "", "-reject-unauthorized"},
		{[]string{"serve", "-bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{[]string{"serve", "extra"}, 2, "", `unexpected argument "extra"`},
		// OpenSSL's cipher strings ignore unknown words; a string that
		// selects nothing is an error.
		{[]string{"serve", "-addr", "127.0.0.1:0", "-ciphers", "NOPE:!ALL"}, 2, "", "-ciphers: tls: no cipher match"},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-ciphers", ":"}, 2, "", "-ciphers: tls: the cipher string names no TLS 1.2 and no TLS 1.3 suites"},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-min-version", "SSLv3"}, 2, "", "SSLv3 is not supported"},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-min-version", "TLSv1.2", "-max-version", "TLSv1"}, 2, "", "-min-version is above -max-version"},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-dhparam", "/nonexistent"}, 1, "", "/nonexistent"},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-ecdh-curve", "X25519:brainpool"}, 2, "", `unknown curve "brainpool"`},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-key", pki.keyPEM}, 2, "", "-key and -cert go together"},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-key", pki.keyPEM, "-cert", missing}, 1, "", "missing.pem"},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-key", pki.rootPEM, "-cert", pki.chainPEM}, 1, "", "root.pem"},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-ca", pki.keyPEM}, 1, "", "key.pem"},
		{[]string{"serve", "-addr", "not an address"}, 1, "", "tlsengine: "},
		{[]string{"connect"}, 2, "", "want exactly one HOST:PORT"},
		{[]string{"connect", "a:1", "b:2"}, 2, "", "want exactly one HOST:PORT"},
		{[]string{"connect", "localhost"}, 2, "", "missing port"},
		{[]string{"connect", "127.0.0.1:1", "-ciphers", "NOPE"}, 2, "", "-ciphers: tls: no cipher match"},
		{[]string{"connect", "127.0.0.1:1", "-max-version", "TLSv9"}, 2, "", `unknown version "TLSv9"`},
		{[]string{"connect", "127.0.0.1:1", "-ca", missing}, 1, "", "missing.pem"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var stdout, stderr syncBuffer
		code := run(ctx, tc.args, strings.NewReader(""), &stdout, &stderr)
		cancel()
		if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d, %q, %q",
				tc.args, code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
		}
	}
}

func TestConnectRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := runConnect(t, "", addr, "-insecure")
	if r.code != 1 || !strings.Contains(r.stderr, "tlsengine: dial tcp "+addr) {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestOperandAnywhere(t *testing.T) {
	for _, args := range [][]string{
		{"h:1", "-insecure", "-alpn", "h2"},
		{"-insecure", "h:1", "-alpn", "h2"},
		{"-insecure", "-alpn", "h2", "h:1"},
	} {
		o, err := parseConnectFlags(args, io.Discard)
		if err != nil || o.target != "h:1" || !o.insecure || o.alpn != "h2" {
			t.Errorf("%q: %+v, %v", args, o, err)
		}
	}
}

// TestKeylog: both sides write the NSS key log: one CLIENT_RANDOM line in
// TLS 1.2, the five TLS 1.3 secrets (SHA-384 ones, of the default suite)
// in TLS 1.3; the two logs hold the same lines.
func TestKeylog(t *testing.T) {
	for _, tc := range []struct {
		version string
		line    *regexp.Regexp
	}{
		{"TLSv1.2", regexp.MustCompile(`^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$`)},
		{"TLSv1.3", regexp.MustCompile(`^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} [0-9a-f]{96}\n$`)},
	} {
		dir := t.TempDir()
		serverLog, clientLog := filepath.Join(dir, "server.keys"), filepath.Join(dir, "client.keys")
		srv := startServer(t, "-keylog", serverLog)
		r := runConnect(t, "k", srv.addr, "-insecure", "-keylog", clientLog, "-max-version", tc.version)
		if r.code != 0 {
			t.Fatalf("exit %d stderr:\n%s", r.code, r.stderr)
		}
		waitFor(t, srv.log, tc.version)
		c, _ := os.ReadFile(clientLog)
		lines := strings.SplitAfter(string(c), "\n")
		lines = lines[:len(lines)-1]
		if want := map[string]int{"TLSv1.2": 1, "TLSv1.3": 5}[tc.version]; len(lines) != want {
			t.Errorf("%s: client key log has %d lines, want %d:\n%s", tc.version, len(lines), want, c)
		}
		for _, l := range lines {
			if !tc.line.MatchString(l) {
				t.Errorf("%s: client key log line %q", tc.version, l)
			}
		}
		// The server writes its lines during the handshake, before it
		// logs the connection.
		s, _ := os.ReadFile(serverLog)
		sl := strings.SplitAfter(string(s), "\n")
		slices.Sort(sl)
		slices.Sort(lines)
		if !slices.Equal(sl[1:], lines) {
			t.Errorf("%s: server key log %q, client %q", tc.version, s, c)
		}
	}
}

// TestGracefulShutdown cancels a server with an idle established
// connection: serve returns 0 and the client sees close_notify.
func TestGracefulShutdown(t *testing.T) {
	srv := startServer(t)
	raw, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	sock := api.NewClientSocket(raw, &engine.Config{Rand: rand.Reader, Now: time.Now, InsecureSkipVerify: true}, engine.ClientOptions{})
	defer sock.Close()
	sock.SetDeadline(time.Now().Add(10 * time.Second))
	if err := sock.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, srv.log, "TLSv1.3")
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve exit %d, want 0", code)
	}
	if n, err := sock.Read(make([]byte, 10)); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("client read after shutdown: %d, %v; want close_notify (EOF)", n, err)
	}
	if _, err := net.DialTimeout("tcp", srv.addr, time.Second); err == nil {
		t.Errorf("the listener is still open")
	}
}

// TestShutdownWithStuckWriter stops a server whose echo is blocked on a
// client that sends without ever reading.
func TestShutdownWithStuckWriter(t *testing.T) {
	srv := startServer(t)
	raw, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	sock := api.NewClientSocket(raw, &engine.Config{Rand: rand.Reader, Now: time.Now, InsecureSkipVerify: true}, engine.ClientOptions{})
	// Not sock.Close: it could deadlock against the writer below as its
	// Write fails (api's drainAndSend lock order).
	defer raw.Close()
	sock.SetDeadline(time.Now().Add(20 * time.Second))
	if err := sock.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	go func() {
		chunk := make([]byte, 64*1024)
		for {
			if _, err := sock.Write(chunk); err != nil {
				return
			}
		}
	}()
	// Give the buffers time to fill so that the server's Write blocks.
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve exit %d, want 0", code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}

func TestSystemRoots(t *testing.T) {
	pki := writePKI(t)
	root, _ := os.ReadFile(pki.rootPEM)
	other, _ := os.ReadFile(pki.otherRootPEM)
	bad := "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
	bundle := filepath.Join(pki.dir, "bundle.pem")
	os.WriteFile(bundle, []byte("# a bundle\n"+string(other)+bad+string(root)), 0o600)
	t.Setenv("SSL_CERT_FILE", bundle)
	if n := api.SystemRoots().Len(); n != 2 {
		t.Errorf("system roots from the bundle: %d certificates, want 2 (the broken one skipped)", n)
	}
	srv := startServer(t, "-key", pki.keyPEM, "-cert", pki.chainPEM)
	r := runConnect(t, "sys\n", srv.addr)
	if r.code != 0 || !strings.Contains(r.stderr, "Verification: OK\n") || r.stdout != "sys\n" {
		t.Errorf("exit %d stdout %q stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestVerifyText(t *testing.T) {
	ve := &x509lite.VerifyError{Code: "CERT_HAS_EXPIRED", Reason: "certificate has expired"}
	if got := verifyText(errors.Join(errors.New("tls: x"), ve)); got != "CERT_HAS_EXPIRED: certificate has expired" {
		t.Errorf("verifyText = %q", got)
	}
	if got := printable("a\x1b[2Jb\nc"); got != `a\x{1b}[2Jb\x{a}c` {
		t.Errorf("printable = %q", got)
	}
}

// TestSessionResumption: -sess-out saves the session, -sess-in resumes it
// by ticket, and with -no-ticket by session id; -ticket-keys shares
// tickets between two servers, in TLS 1.2 (TestSessionResumptionTLS13 in
// resume13_test.go covers TLS 1.3).
func TestSessionResumption(t *testing.T) {
	for _, serverArgs := range [][]string{nil, {"-no-ticket"}} {
		srv := startServer(t, serverArgs...)
		sess := filepath.Join(t.TempDir(), "session")
		r := runConnect(t, "x\n", srv.addr, "-insecure", "-sess-out", sess, "-max-version", "TLSv1.2")
		if r.code != 0 || !strings.Contains(r.stderr, "Session   : New\n") {
			t.Fatalf("%v first connection: exit %d\n%s", serverArgs, r.code, r.stderr)
		}
		r = runConnect(t, "x\n", srv.addr, "-insecure", "-sess-in", sess, "-max-version", "TLSv1.2")
		if r.code != 0 || !strings.Contains(r.stderr, "Session   : Reused\n") {
			t.Fatalf("%v resumption: exit %d\n%s", serverArgs, r.code, r.stderr)
		}
		waitFor(t, srv.log, " resumed\n")
	}
	key := strings.Repeat("ab", 48)
	a, b := startServer(t, "-ticket-keys", key), startServer(t, "-ticket-keys", key)
	sess := filepath.Join(t.TempDir(), "session")
	if r := runConnect(t, "x\n", a.addr, "-insecure", "-sess-out", sess, "-max-version", "TLSv1.2"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// The second server has its own certificate, so the client is told
	// the chain of the original handshake; the ticket is what resumes.
	if r := runConnect(t, "x\n", b.addr, "-insecure", "-sess-in", sess, "-max-version", "TLSv1.2"); r.code != 0 || !strings.Contains(r.stderr, "Session   : Reused\n") {
		t.Fatalf("a server sharing -ticket-keys did not resume:\n%s", r.stderr)
	}
	if r := runConnect(t, "", a.addr, "-sess-in", filepath.Join(t.TempDir(), "missing")); r.code != 1 {
		t.Fatalf("missing -sess-in file: exit %d", r.code)
	}
}

// refusedAfterHandshake reports whether connect's stderr shows a TLS 1.3
// server refusing the client after the client's handshake completed: the
// server's alert (naming alert, when given), or, when the client's stdin
// data reached the server after it closed, the transport's broken pipe or
// reset, which can come first and lose the alert (the server's kernel
// answers the late data with a reset). The socket reports those as Node
// does ("write EPIPE", "read ECONNRESET").
func refusedAfterHandshake(stderr, alert string) bool {
	return strings.Contains(stderr, "Protocol  : TLSv1.3\n") &&
		(strings.Contains(stderr, "tlsengine: tls: peer sent fatal alert: "+alert) ||
			strings.Contains(stderr, "tlsengine: write EPIPE\n") || strings.Contains(stderr, "tlsengine: read ECONNRESET\n") ||
			strings.Contains(stderr, "tlsengine: write ECONNRESET\n") ||
			strings.Contains(stderr, "broken pipe") || strings.Contains(stderr, "connection reset by peer"))
}

// TestVersionsCipherStringsAndDHE: -min/-max-version, an OpenSSL cipher
// string and -dhparam reach the handshake.
func TestVersionsCipherStringsAndDHE(t *testing.T) {
	dir := t.TempDir()
	dh := filepath.Join(dir, "dh.pem")
	if out, err := exec.Command("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", dh).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	srv := startServer(t, "-dhparam", dh, "-min-version", "TLSv1", "-ciphers", "kEDH:kECDHE:!aNULL@SECLEVEL=0")
	// TLS 1.1 with a CBC suite from the cipher string.
	r := runConnect(t, "x\n", srv.addr, "-insecure", "-max-version", "TLSv1.1", "-ciphers", "ECDHE-ECDSA-AES128-SHA")
	if r.code != 0 || !strings.Contains(r.stderr, "Protocol  : TLSv1.1\n") || !strings.Contains(r.stderr, "ECDHE-ECDSA-AES128-SHA\n") {
		t.Fatalf("TLS 1.1: exit %d\n%s", r.code, r.stderr)
	}
	rsa, err := certgen.SelfSigned(certgen.RSA2048, time.Now(), []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "rsa.pem"), filepath.Join(dir, "rsa-key.pem")
	os.WriteFile(certFile, rsa.CertPEM(), 0o600)
	os.WriteFile(keyFile, key, 0o600)
	rsaSrv := startServer(t, "-key", keyFile, "-cert", certFile, "-dhparam", dh, "-ciphers", "DHE-RSA-AES128-GCM-SHA256")
	r = runConnect(t, "x\n", rsaSrv.addr, "-insecure", "-ciphers", "HIGH:!aNULL", "-max-version", "TLSv1.2")
	if r.code != 0 || !strings.Contains(r.stderr, "Cipher    : DHE-RSA-AES128-GCM-SHA256\n") {
		t.Fatalf("DHE: exit %d\n%s", r.code, r.stderr)
	}
}
