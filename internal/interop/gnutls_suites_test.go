package interop

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
)

// Every suite in every version it allows, both ways against GnuTLS
// (issue 6), as the OpenSSL matrix in suites_test.go.

// gnutlsSuitePriority restricts GnuTLS to exactly one suite and version.
func gnutlsSuitePriority(s *cipher.Suite, v uint16) string {
	name := s.OpenSSLName
	kx := map[cipher.KeyExchange]string{cipher.KXECDHE: "ECDHE-RSA", cipher.KXDHE: "DHE-RSA", cipher.KXRSA: "RSA"}[s.KX]
	if s.Auth == cipher.AuthECDSA {
		kx = "ECDHE-ECDSA"
	}
	var ciph, mac string
	switch {
	case strings.Contains(name, "CHACHA20"):
		ciph, mac = "CHACHA20-POLY1305", "AEAD"
	case strings.Contains(name, "GCM"):
		ciph, mac = "AES-128-GCM", "AEAD"
		if strings.Contains(name, "AES256") {
			ciph = "AES-256-GCM"
		}
	default:
		ciph = "AES-128-CBC"
		if strings.Contains(name, "AES256") {
			ciph = "AES-256-CBC"
		}
		mac = "SHA1"
		if strings.HasSuffix(name, "SHA256") {
			mac = "SHA256"
		} else if strings.HasSuffix(name, "SHA384") {
			mac = "SHA384"
		}
	}
	vers := map[uint16]string{cipher.VersionTLS10: "TLS1.0", cipher.VersionTLS11: "TLS1.1", cipher.VersionTLS12: "TLS1.2"}[v]
	return "NORMAL:-VERS-ALL:+VERS-" + vers + ":-KX-ALL:+" + kx + ":-CIPHER-ALL:+" + ciph + ":-MAC-ALL:+" + mac
}

func gnutlsVersionName(v uint16) string {
	return map[uint16]string{cipher.VersionTLS10: "TLS1.0", cipher.VersionTLS11: "TLS1.1", cipher.VersionTLS12: "TLS1.2"}[v]
}

func TestMatrixAllSuitesGnuTLSClient(t *testing.T) {
	dh, _ := kex.FFDHEParams(kex.FFDHE2048)
	for _, sv := range allSuiteVersions() {
		name, vname := sv.suite.OpenSSLName, gnutlsVersionName(sv.version)
		t.Run(name+"/"+vname, func(t *testing.T) {
			t.Parallel()
			row(t, "gnutls-cli", "client", name+" "+vname, kxGroup(sv.suite))
			p := pkis[authFor(name)]
			cfg := p.serverConfig()
			cfg.MinVersion = cipher.VersionTLS10
			cfg.CipherSuites = []uint16{sv.suite.ID}
			cfg.DHParams = dh
			addr, results := startEcho(t, cfg)
			port := addr[strings.LastIndex(addr, ":")+1:]
			cli := start(t, "gnutls-cli", "--x509cafile", p.rootPEM, "-p", port, "--sni-hostname", "localhost",
				"--verify-hostname", "localhost", "--priority", gnutlsSuitePriority(sv.suite, sv.version), "127.0.0.1")
			line := "gnutls-" + strings.Repeat("y", 3000)
			fmt.Fprintln(cli.stdin, line)
			if !cli.waitFor(line+"\n", 10*time.Second) {
				t.Fatalf("no echo:\n%s", cli.output())
			}
			cli.stdin.Close()
			if err := cli.wait(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			res := result(t, results)
			if res.err != nil {
				t.Fatalf("our server: %v", res.err)
			}
			if st := res.state; st.Version != sv.version || st.Suite != sv.suite {
				t.Errorf("our server negotiated version %#x %v", st.Version, st.Suite)
			}
			if out := cli.output(); !strings.Contains(out, "- Description: ("+vname+"-") {
				t.Errorf("gnutls-cli did not report %s", vname)
			}
		})
	}
}

func TestMatrixAllSuitesGnuTLSServer(t *testing.T) {
	dhFile := filepath.Join(t.TempDir(), "dh.pem")
	if out, err := exec.Command("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", dhFile).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	addrs := map[certgen.KeyType]string{}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		p := pkis[kt]
		_, addrs[kt] = startListener(t, "gnutls-serv", "Echo Server listening on IPv4", func(port int) []string {
			return []string{"--x509certfile", p.chainPEM, "--x509keyfile", p.keyPEM, "-p", strconv.Itoa(port), "--echo",
				"--dhparams", dhFile,
				"--priority", "NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:+DHE-RSA:+RSA:+AES-128-CBC:+AES-256-CBC:+SHA1:+SHA256:+SHA384"}
		})
	}
	for _, sv := range allSuiteVersions() {
		name, vname := sv.suite.OpenSSLName, gnutlsVersionName(sv.version)
		t.Run(name+"/"+vname, func(t *testing.T) {
			row(t, "gnutls-serv", "server", name+" "+vname, kxGroup(sv.suite))
			p := pkis[authFor(name)]
			cfg := p.clientConfig()
			cfg.MinVersion, cfg.MaxVersion = sv.version, sv.version
			cfg.CipherSuites = []uint16{sv.suite.ID}
			cfg.Groups = offeredGroups(name, kex.X25519)
			sock, err := dialOurs(t, addrs[authFor(name)], cfg, engine.ClientOptions{ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			echoLine(t, sock, "gnutls-serv echo "+name+" "+strings.Repeat("z", 3000)+"\n")
			if st := sock.ConnectionState(); st.Version != sv.version || st.Suite != sv.suite || st.VerifyError != nil {
				t.Fatalf("negotiated version %#x %v, verification %v", st.Version, st.Suite, st.VerifyError)
			}
		})
	}
}
