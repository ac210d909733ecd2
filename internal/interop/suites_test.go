package interop

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
)

// Every suite we implement, in every version it is valid in, both ways
// against OpenSSL (issue 6). OpenSSL 3 refuses TLS 1.0/1.1 and SHA-1
// below security level 0, so every cipher string carries @SECLEVEL=0.

// suiteVersion is one cell of the all-suites matrix.
type suiteVersion struct {
	suite   *cipher.Suite
	version uint16
}

// allSuiteVersions lists every suite with every version it supports.
func allSuiteVersions() []suiteVersion {
	var out []suiteVersion
	for _, s := range cipher.Suites() {
		for _, v := range []uint16{cipher.VersionTLS10, cipher.VersionTLS11, cipher.VersionTLS12} {
			if s.SupportsVersion(v) {
				out = append(out, suiteVersion{s, v})
			}
		}
	}
	return out
}

// opensslVersion names a version as s_client's flag and its report.
func opensslVersion(v uint16) (flag, report string) {
	switch v {
	case cipher.VersionTLS10:
		return "-tls1", "TLSv1"
	case cipher.VersionTLS11:
		return "-tls1_1", "TLSv1.1"
	}
	return "-tls1_2", "TLSv1.2"
}

// kxGroup is the group a suite's key exchange uses in the matrix.
func kxGroup(s *cipher.Suite) string {
	switch s.KX {
	case cipher.KXECDHE:
		return "X25519"
	case cipher.KXDHE:
		return "ffdhe2048"
	}
	return "-"
}

func TestMatrixAllSuitesOpenSSLClient(t *testing.T) {
	dh, _ := kex.FFDHEParams(kex.FFDHE2048)
	for _, sv := range allSuiteVersions() {
		name := sv.suite.OpenSSLName
		flag, report := opensslVersion(sv.version)
		t.Run(name+"/"+report, func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_client", "client", name+" "+report, kxGroup(sv.suite))
			p := pkis[authFor(name)]
			cfg := p.serverConfig()
			cfg.MinVersion = cipher.VersionTLS10
			cfg.CipherSuites = []uint16{sv.suite.ID}
			cfg.DHParams = dh
			addr, results := startEcho(t, cfg)
			keylog := filepath.Join(t.TempDir(), "keylog.txt")
			args := []string{"s_client", "-connect", addr, flag, "-cipher", name + "@SECLEVEL=0",
				"-servername", "localhost", "-CAfile", p.rootPEM, "-verify_return_error", "-keylogfile", keylog}
			if sv.suite.KX == cipher.KXECDHE {
				args = append(args, "-groups", opensslGroups(name, kex.X25519))
			}
			sc := start(t, "openssl", args...)
			// Longer than a record, so the TLS 1.0 1/n-1 split is crossed.
			line := "ping-" + strings.Repeat("x", 3000)
			fmt.Fprintln(sc.stdin, line)
			if !sc.waitFor(line+"\n", 10*time.Second) {
				t.Fatalf("no echo; s_client output:\n%s", sc.output())
			}
			sc.stdin.Close()
			if err := sc.wait(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			out := sc.output()
			for _, want := range []string{"Cipher is " + name, "Protocol  : " + report + "\n", "Verify return code: 0 (ok)"} {
				if !strings.Contains(out, want) {
					t.Errorf("s_client output lacks %q", want)
				}
			}
			res := result(t, results)
			if res.err != nil {
				t.Fatalf("our server: %v", res.err)
			}
			// OpenSSL asks for encrypt-then-MAC (RFC 7366) by default.
			if st := res.state; st.Version != sv.version || st.Suite != sv.suite || st.EncryptThenMAC == sv.suite.AEAD() {
				t.Errorf("our server negotiated version %#x %v, encrypt-then-MAC %v", st.Version, st.Suite, st.EncryptThenMAC)
			}
			sameKeylog(t, res.keylog, keylog)
			if t.Failed() {
				t.Logf("s_client output:\n%s", out)
			}
		})
	}
}

func TestMatrixAllSuitesOpenSSLServer(t *testing.T) {
	servers := map[certgen.KeyType]string{}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		// Without -dhparam, OpenSSL 3 picks DH parameters to match the key.
		_, servers[kt] = startListener(t, "openssl", "ACCEPT", func(port int) []string {
			return append([]string{"s_server", "-accept", fmt.Sprint("127.0.0.1:", port), "-www",
				"-cipher", "ALL@SECLEVEL=0"}, pkis[kt].chainArgs()...)
		})
	}
	for _, sv := range allSuiteVersions() {
		name := sv.suite.OpenSSLName
		_, report := opensslVersion(sv.version)
		t.Run(name+"/"+report, func(t *testing.T) {
			row(t, "openssl s_server", "server", name+" "+report, kxGroup(sv.suite))
			p := pkis[authFor(name)]
			cfg := p.clientConfig()
			cfg.MinVersion, cfg.MaxVersion = sv.version, sv.version
			cfg.CipherSuites = []uint16{sv.suite.ID}
			cfg.Groups = offeredGroups(name, kex.X25519)
			sock, err := dialOurs(t, servers[authFor(name)], cfg, engine.ClientOptions{ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			st := sock.ConnectionState()
			if st.Version != sv.version || st.Suite != sv.suite || st.VerifyError != nil || st.EncryptThenMAC == sv.suite.AEAD() {
				t.Fatalf("negotiated version %#x %v, verification %v, encrypt-then-MAC %v", st.Version, st.Suite, st.VerifyError, st.EncryptThenMAC)
			}
			page := fetch(t, sock)
			for _, want := range []string{"Protocol  : " + report + "\n", "Cipher is " + name} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if t.Failed() {
				t.Logf("page:\n%s", page)
			}
		})
	}
}
