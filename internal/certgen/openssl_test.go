package certgen

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openssl runs the openssl command with a 10 s limit and returns its
// combined output.
func openssl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "openssl", args...).CombinedOutput()
	return string(out), err
}

func needOpenSSL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatalf("openssl is missing (CI=%s): run `make deps`; tests never skip a missing peer", os.Getenv("CI"))
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOpenSSLAcceptsChain: openssl parses every certificate and key we
// write, verifies the chain (strictly, for a TLS server and client), and
// prints the same SHA-256 fingerprint as Fingerprint256.
func TestOpenSSLAcceptsChain(t *testing.T) {
	needOpenSSL(t)
	for _, kt := range KeyTypes {
		t.Run(string(kt), func(t *testing.T) {
			ch := testChain(t, kt, testNames)
			dir := t.TempDir()
			files := map[string]string{}
			for name, c := range map[string]*Cert{"root": ch.Root, "inter": ch.Intermediate, "leaf": ch.Leaf} {
				files[name] = writeFile(t, dir, name+".pem", c.CertPEM())
				out, err := openssl(t, "x509", "-noout", "-text", "-in", files[name])
				if err != nil {
					t.Fatalf("openssl x509 -text %s: %v\n%s", name, err, out)
				}
				if !strings.Contains(out, "Version: 3 (0x2)") || !strings.Contains(out, "X509v3 Key Usage: critical") {
					t.Errorf("%s: unexpected text:\n%s", name, out)
				}
				out, err = openssl(t, "x509", "-noout", "-fingerprint", "-sha256", "-in", files[name])
				if err != nil {
					t.Fatalf("openssl fingerprint: %v\n%s", err, out)
				}
				_, fp, _ := strings.Cut(strings.TrimSpace(out), "=")
				if fp != Fingerprint256(c.DER) {
					t.Errorf("%s: fingerprint %s, openssl %s", name, Fingerprint256(c.DER), fp)
				}
				key, err := c.KeyPEM()
				if err != nil {
					t.Fatal(err)
				}
				kf := writeFile(t, dir, name+".key", key)
				if out, err := openssl(t, "pkey", "-noout", "-in", kf); err != nil {
					t.Errorf("openssl pkey %s: %v\n%s", name, err, out)
				}
				// The key is the certificate's: the public halves agree.
				pub1, err1 := openssl(t, "pkey", "-pubout", "-in", kf)
				pub2, err2 := openssl(t, "x509", "-noout", "-pubkey", "-in", files[name])
				if err1 != nil || err2 != nil || pub1 != pub2 {
					t.Errorf("%s: key and certificate differ: %v %v\n%s\n%s", name, err1, err2, pub1, pub2)
				}
			}
			leafText, _ := openssl(t, "x509", "-noout", "-text", "-in", files["leaf"])
			for _, want := range []string{"DNS:localhost", "DNS:a.example.com", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", "TLS Web Server Authentication", "CA:FALSE"} {
				if !strings.Contains(leafText, want) {
					t.Errorf("leaf text lacks %q:\n%s", want, leafText)
				}
			}
			for _, purpose := range []string{"sslserver", "sslclient"} {
				args := []string{"verify", "-x509_strict", "-purpose", purpose, "-attime", fmt.Sprint(now.Unix()), "-CAfile", files["root"], "-untrusted", files["inter"], files["leaf"]}
				out, err := openssl(t, args...)
				if err != nil || strings.TrimSpace(out) != files["leaf"]+": OK" {
					t.Errorf("openssl verify (%s): %v\n%s", purpose, err, out)
				}
			}
			// Without the intermediate the chain does not verify: the check can fail.
			if out, err := openssl(t, "verify", "-attime", fmt.Sprint(now.Unix()), "-CAfile", files["root"], files["leaf"]); err == nil {
				t.Errorf("openssl verified without the intermediate:\n%s", out)
			}
		})
	}
}

// TestOpenSSLSelfSigned: the CLI's certificate parses and its key loads.
func TestOpenSSLSelfSigned(t *testing.T) {
	needOpenSSL(t)
	c, err := SelfSigned(ECDSAP256, time.Now(), []string{"localhost", "127.0.0.1", "::1"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cf := writeFile(t, dir, "cert.pem", c.CertPEM())
	key, err := c.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	kf := writeFile(t, dir, "key.pem", key)
	if out, err := openssl(t, "x509", "-noout", "-text", "-in", cf); err != nil || !strings.Contains(out, "CA:FALSE") {
		t.Errorf("openssl x509: %v\n%s", err, out)
	}
	if out, err := openssl(t, "pkey", "-noout", "-in", kf); err != nil {
		t.Errorf("openssl pkey: %v\n%s", err, out)
	}
}
