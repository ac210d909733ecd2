package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/x509lite"
)

// commonFlags are the options serve and connect share.
type commonFlags struct {
	key, cert, ca    string
	ciphers, curves  string
	alpn, keylogFile string
}

// baseConfig builds the engine configuration from the shared flags.
func (f *commonFlags) baseConfig() (*engine.Config, error) {
	cfg := &engine.Config{Rand: rand.Reader, Now: time.Now}
	if f.ciphers != "" {
		for _, name := range splitList(f.ciphers, ":,") {
			s := cipher.SuiteByName(name)
			if s == nil {
				return nil, fmt.Errorf("unknown cipher suite %q", name)
			}
			cfg.CipherSuites = append(cfg.CipherSuites, s.ID)
		}
	}
	if f.curves != "" {
		for _, name := range splitList(f.curves, ":,") {
			g, ok := kex.GroupByName(name)
			if !ok || !kex.IsECDHE(g) {
				return nil, fmt.Errorf("unknown ECDH curve %q", name)
			}
			cfg.Groups = append(cfg.Groups, g)
		}
	}
	if f.alpn != "" {
		cfg.ALPNProtocols = splitList(f.alpn, ",")
	}
	if (f.key == "") != (f.cert == "") {
		return nil, fmt.Errorf("-key and -cert go together")
	}
	if f.cert != "" {
		cred, err := loadCredential(f.cert, f.key)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []*handshake.Credential{cred}
	}
	if f.ca != "" {
		pool, err := loadPool(f.ca)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

func loadCredential(certFile, keyFile string) (*handshake.Credential, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	certs, err := x509lite.ParseCertificates(certPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	key, err := x509lite.ParsePrivateKey(keyPEM, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", keyFile, err)
	}
	chain := make([][]byte, len(certs))
	for i, c := range certs {
		chain[i] = c.Raw
	}
	return handshake.NewCredential(chain, key)
}

func loadPool(file string) (*x509lite.Pool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509lite.NewPool()
	if _, err := pool.AppendPEM(data); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return pool, nil
}

// systemRootFiles are where Linux distributions keep the CA bundle.
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// systemRoots loads the first readable system bundle. Certificates our
// parser rejects are skipped, as other verifiers skip what they cannot use.
func systemRoots() *x509lite.Pool {
	pool := x509lite.NewPool()
	for _, f := range systemRootFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, block := range splitPEM(data) {
			if certs, err := x509lite.ParseCertificates(block); err == nil {
				for _, c := range certs {
					pool.Add(c)
				}
			}
		}
		break
	}
	return pool
}

func splitPEM(data []byte) [][]byte {
	var out [][]byte
	const end = "-----END CERTIFICATE-----"
	s := string(data)
	for {
		i := strings.Index(s, end)
		if i < 0 {
			return out
		}
		out = append(out, []byte(s[:i+len(end)]))
		s = s[i+len(end):]
	}
}

func splitList(s, seps string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
}

func openKeylog(path string) (func(string), func(), error) {
	if path == "" {
		return nil, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return func(line string) { fmt.Fprintln(f, line) }, func() { f.Close() }, nil
}

// describe renders what a handshake negotiated.
func versionName(v uint16) string {
	switch v {
	case cipher.VersionTLS10:
		return "TLSv1"
	case cipher.VersionTLS11:
		return "TLSv1.1"
	case cipher.VersionTLS12:
		return "TLSv1.2"
	}
	return fmt.Sprintf("0x%04x", v)
}
