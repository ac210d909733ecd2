package api

import (
	"os"
	"strings"

	"github.com/tlsengine/tlsengine/x509lite"
)

// systemRootFiles are where Linux distributions keep the CA bundle.
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine
}

// SystemRoots loads $SSL_CERT_FILE, or else the first readable system
// bundle. A certificate our parser rejects is skipped, as other verifiers
// skip what they cannot use, rather than losing the whole bundle.
func SystemRoots() *x509lite.Pool {
	pool := x509lite.NewPool()
	files := systemRootFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, block := range splitPEMCertificates(data) {
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

// splitPEMCertificates cuts a bundle after each END CERTIFICATE line so that
// every piece holds one certificate.
func splitPEMCertificates(data []byte) [][]byte {
	const end = "-----END CERTIFICATE-----"
	var out [][]byte
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
