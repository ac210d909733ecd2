package interop

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
)

// groups13 are the TLS 1.3 groups OpenSSL 3.0 has.
var groups13 = []kex.Group{kex.X25519, kex.P256, kex.P384, kex.P521, kex.FFDHE2048}

// opensslName13 is how -groups names a TLS 1.3 group.
func opensslName13(g kex.Group) string {
	if g == kex.FFDHE2048 {
		return "ffdhe2048"
	}
	return opensslGroup(g)
}

// sClientEcho sends ping through s_client and waits for its echo; with
// keyUpdate, s_client's "K" (KeyUpdate with update_requested) goes first.
func sClientEcho(t *testing.T, sc *process, keyUpdate bool, ping string) {
	t.Helper()
	if keyUpdate {
		// s_client takes a line starting with K as the command and drops
		// the rest of what it read: the data goes after.
		fmt.Fprintln(sc.stdin, "K")
		if !sc.waitFor("KEYUPDATE", 10*time.Second) {
			t.Fatalf("s_client sent no KeyUpdate:\n%s", sc.output())
		}
	}
	fmt.Fprintln(sc.stdin, ping)
	if !sc.waitFor(ping+"\n", 10*time.Second) {
		t.Fatalf("no echo; s_client output:\n%s", sc.output())
	}
}

// sameKeylog13 checks that every TLS 1.3 secret in a peer's key log file
// is one of ours (CLIENT_HANDSHAKE_TRAFFIC_SECRET ... EXPORTER_SECRET).
func sameKeylog13(t *testing.T, ours []string, peerFile string) {
	t.Helper()
	b, err := readFile(peerFile)
	if err != nil {
		t.Errorf("peer key log: %v", err)
		return
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		// OpenSSL also logs the secrets after a KeyUpdate (..._SECRET_N),
		// which the key log format leaves for readers to derive.
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") || strings.Contains(l, "_SECRET_N ") {
			continue
		}
		n++
		if !slices.Contains(ours, l) {
			t.Errorf("peer key log line %q is not one of ours: %q", l, ours)
		}
	}
	if n < 4 {
		t.Errorf("peer logged %d TLS 1.3 secrets", n)
	}
}

// TestTLS13OpenSSLClient: `openssl s_client -tls1_3` against our echo
// server, every TLS 1.3 suite and OpenSSL group; the last row sends a
// KeyUpdate asking for ours (s_client's K command) before its line.
func TestTLS13OpenSSLClient(t *testing.T) {
	for _, s := range cipher.Suites13() {
		for _, g := range groups13 {
			t.Run(s.Name+"/"+g.String(), func(t *testing.T) {
				t.Parallel()
				row(t, "openssl s_client", "client", s.Name, g.String())
				opensslClient13(t, pkis[certgen.ECDSAP256], s, g, false)
			})
		}
	}
	t.Run("RSA/KeyUpdate", func(t *testing.T) {
		row(t, "openssl s_client", "client", "TLSv1.3 RSA KeyUpdate (K)", "-")
		opensslClient13(t, pkis[certgen.RSA2048], cipher.Suite13ByID(cipher.TLSAES128GCMSHA256), kex.X25519, true)
	})
}

func opensslClient13(t *testing.T, p *pki, s *cipher.Suite, g kex.Group, keyUpdate bool) {
	cfg := p.serverConfig()
	cfg.MaxVersion, cfg.CipherSuites13, cfg.Groups = cipher.VersionTLS13, []uint16{s.ID}, []kex.Group{g}
	addr, results := startEcho(t, cfg)
	keylog := filepath.Join(t.TempDir(), "keylog.txt")
	sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_3", "-ciphersuites", s.Name,
		"-groups", opensslName13(g), "-servername", "localhost",
		"-CAfile", p.rootPEM, "-verify_return_error", "-verify_hostname", "localhost",
		"-keylogfile", keylog)
	sClientEcho(t, sc, keyUpdate, "ping-from-openssl")
	sc.stdin.Close()
	if err := sc.wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	out := sc.output()
	for _, want := range []string{"New, TLSv1.3, Cipher is " + s.Name, "Verify return code: 0 (ok)"} {
		if !strings.Contains(out, want) {
			t.Errorf("s_client output lacks %q", want)
		}
	}
	res := result(t, results)
	if res.err != nil {
		t.Fatalf("our server: %v", res.err)
	}
	st := res.state
	if st.Version != cipher.VersionTLS13 || st.Suite != s || st.Group != g || st.ServerName != "localhost" {
		t.Errorf("our server negotiated version %#x %v %v SNI %q", st.Version, st.Suite, st.Group, st.ServerName)
	}
	sameKeylog13(t, res.keylog, keylog)
	if t.Failed() {
		t.Logf("s_client output:\n%s", out)
	}
}

// TestTLS13OpenSSLServer: our client against `openssl s_server -tls1_3
// -www`, every TLS 1.3 suite and OpenSSL group, forced by our side.
func TestTLS13OpenSSLServer(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	_, addr := startListener(t, "openssl", "ACCEPT", func(port int) []string {
		return append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port), "-tls1_3", "-www"}, p.chainArgs()...)
	})
	for _, s := range cipher.Suites13() {
		for _, g := range groups13 {
			t.Run(s.Name+"/"+g.String(), func(t *testing.T) {
				row(t, "openssl s_server", "server", s.Name, g.String())
				cfg := p.clientConfig()
				cfg.MaxVersion, cfg.CipherSuites13, cfg.Groups = cipher.VersionTLS13, []uint16{s.ID}, []kex.Group{g}
				sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost"})
				if err != nil {
					t.Fatal(err)
				}
				st := sock.ConnectionState()
				if st.Version != cipher.VersionTLS13 || st.Suite != s || st.Group != g || st.VerifyError != nil || len(st.VerifiedChain) != 3 {
					t.Fatalf("negotiated version %#x %v %v verify %v chain %d", st.Version, st.Suite, st.Group, st.VerifyError, len(st.VerifiedChain))
				}
				page := fetch(t, sock)
				if !strings.Contains(page, "TLSv1.3") || !strings.Contains(page, "Cipher is "+s.Name) {
					t.Errorf("page:\n%s", page)
				}
			})
		}
	}
}

// TestTLS13OpenSSLClientSupportedGroupsInEE: our server preferring P-256
// takes the X25519 key share of `openssl s_client -groups X25519:P-256`
// (no HelloRetryRequest) and sends its groups in EncryptedExtensions (RFC
// 8446, Section 4.2.7); s_client's -msg trace shows them on the wire
// (supported_groups, type 10: P-256 = 0x0017, X25519 = 0x001d) and
// OpenSSL completes the handshake on X25519 without acting on them.
func TestTLS13OpenSSLClientSupportedGroupsInEE(t *testing.T) {
	row(t, "openssl s_client", "client", "TLSv1.3 supported_groups in EncryptedExtensions", "X25519")
	p := pkis[certgen.ECDSAP256]
	cfg := p.serverConfig()
	cfg.Groups = []kex.Group{kex.P256, kex.X25519}
	addr, results := startEcho(t, cfg)
	sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_3", "-groups", "X25519:P-256", "-msg",
		"-servername", "localhost", "-CAfile", p.rootPEM, "-verify_return_error")
	sClientEcho(t, sc, false, "ping-groups")
	sc.stdin.Close()
	if err := sc.wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	out := sc.output()
	_, after, ok := strings.Cut(out, "EncryptedExtensions\n")
	if !ok || !strings.Contains(strings.SplitN(after, "\n", 2)[0], "00 0a 00 06 00 04 00 17 00 1d") ||
		!strings.Contains(out, "Server Temp Key: X25519") {
		t.Errorf("s_client output:\n%s", out)
	}
	if res := result(t, results); res.err != nil || res.state.Group != kex.X25519 {
		t.Fatalf("our server: %v, group %v", res.err, res.state)
	}
}
