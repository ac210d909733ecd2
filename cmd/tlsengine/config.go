package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/cipher/cipherlist"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/x509lite"
)

// Exit statuses of serve and connect (exitInterrupted aside).
const (
	exitFailure = 1 // the command line was fine; something failed
	exitUsage   = 2 // the command line is wrong, whatever the files and peers
)

// usageError is a command line that cannot work, found without reading
// a file or touching the network: a bad flag value or flags that
// contradict each other. It exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitStatus is the status for an error that ends serve or connect.
func exitStatus(err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

// durationFlag is a duration flag whose error says what is wrong ("5"
// lacks a unit) where the flag package only says "parse error".
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err == nil {
		*f.d = d
		return nil
	}
	if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
		return fmt.Errorf("missing unit: write %ss for seconds (units: ms, s, m, h)", s)
	}
	return fmt.Errorf("not a duration: write a number and a unit, such as 30s, 500ms or 2m")
}

// commonFlags are the options serve and connect share.
type commonFlags struct {
	key, cert, ca          string
	pfx, passphrase        string
	ciphers, curves        string
	alpn, keylog           string
	minVersion, maxVersion string
}

// register adds the shared flags to fs; peer names the other side in the
// help texts ("client" or "server").
func (f *commonFlags) register(fs *flag.FlagSet, peer string) {
	fs.StringVar(&f.key, "key", "", "private key `file` (PEM or DER; goes with -cert)")
	fs.StringVar(&f.cert, "cert", "", "certificate chain `file`, leaf first (PEM or DER; goes with -key)")
	fs.StringVar(&f.pfx, "pfx", "", "PKCS#12 `file` with the private key, certificate and chain (as Node's pfx option)")
	fs.StringVar(&f.passphrase, "passphrase", "", "`passphrase` of the -pfx file or of an encrypted -key")
	fs.StringVar(&f.ca, "ca", "", "PEM `file` of CA certificates that verify the "+peer)
	fs.StringVar(&f.ciphers, "ciphers", "", "OpenSSL cipher `string` (HIGH:!aNULL, or suite names, OpenSSL or IANA), preferred first; TLS 1.3 suites by name (TLS_AES_128_GCM_SHA256), as Node")
	fs.StringVar(&f.minVersion, "min-version", "", "lowest protocol `version`: TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3 (default TLSv1.2)")
	fs.StringVar(&f.maxVersion, "max-version", "", "highest protocol `version`: TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3 (default TLSv1.3)")
	fs.StringVar(&f.curves, "ecdh-curve", "", "colon-separated key exchange `groups` (X25519, prime256v1, secp384r1, secp521r1, ffdhe2048..ffdhe8192, X25519MLKEM768 for TLS 1.3)")
	fs.StringVar(&f.alpn, "alpn", "", "comma-separated ALPN `protocols`, preferred first")
	fs.StringVar(&f.keylog, "keylog", "", "append NSS key log lines (SSLKEYLOGFILE format) to `file`")
}

// baseConfig builds the engine configuration from the shared flags.
func (f *commonFlags) baseConfig() (*engine.Config, error) {
	cfg := &engine.Config{Rand: rand.Reader, Now: time.Now}
	var err error
	if f.ciphers != "" {
		if cfg.CipherSuites, cfg.CipherSuites13, err = parseCiphers(f.ciphers); err != nil {
			return nil, err
		}
	}
	if cfg.MinVersion, err = parseVersion("-min-version", f.minVersion); err != nil {
		return nil, err
	}
	if cfg.MaxVersion, err = parseVersion("-max-version", f.maxVersion); err != nil {
		return nil, err
	}
	// As Node v20: only TLS 1.3 suites named raise the minimum to TLS 1.3
	// when the maximum (by default TLS 1.3) allows it.
	if f.ciphers != "" && len(cfg.CipherSuites) == 0 && (cfg.MaxVersion == 0 || cfg.MaxVersion >= cipher.VersionTLS13) {
		cfg.MinVersion = cipher.VersionTLS13
	}
	if cfg.MinVersion != 0 && cfg.MaxVersion != 0 && cfg.MinVersion > cfg.MaxVersion {
		return nil, usagef("-min-version is above -max-version")
	}
	if f.curves != "" {
		if cfg.Groups, err = parseCurves(f.curves); err != nil {
			return nil, err
		}
	}
	if f.alpn != "" {
		cfg.ALPNProtocols = splitList(f.alpn, ",")
		for _, p := range cfg.ALPNProtocols {
			if len(p) > 255 {
				return nil, usagef("-alpn: protocol name longer than 255 bytes")
			}
		}
	}
	if (f.key == "") != (f.cert == "") {
		return nil, usagef("-key and -cert go together")
	}
	if f.cert != "" {
		cred, err := loadCredential(f.cert, f.key, f.passphrase)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []*handshake.Credential{cred}
	}
	if f.ca != "" {
		if cfg.RootCAs, err = loadPool(f.ca); err != nil {
			return nil, err
		}
	}
	if f.pfx != "" {
		if err := f.loadPFX(cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// loadPFX adds the -pfx archive's credential through api's pfx option.
// Without -ca, the archive's root certificates are trusted besides the
// system's, as Node's pfx option does.
func (f *commonFlags) loadPFX(cfg *engine.Config) error {
	data, err := os.ReadFile(f.pfx)
	if err != nil {
		return err
	}
	sc, err := api.CreateSecureContext(api.SecureContextOptions{PFX: []api.PFXOption{{Buf: data}}, Passphrase: f.passphrase})
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code == api.CodePFXMacVerifyFailure {
		// api keeps Node's terse "mac verify failure"; say what it means.
		return fmt.Errorf("-pfx %s: wrong passphrase or corrupt PKCS#12 (%v)", f.pfx, err)
	}
	if err != nil {
		return fmt.Errorf("-pfx %s: %v", f.pfx, err)
	}
	pc := sc.EngineConfig()
	cfg.Certificates = append(cfg.Certificates, pc.Certificates...)
	if f.ca == "" && pc.RootCAs != nil {
		cfg.RootCAs = pc.RootCAs
	}
	return nil
}

// parseCiphers reads an OpenSSL cipher string (cipher/cipherlist), or a
// colon-separated list of OpenSSL or IANA suite names. As in Node v20,
// names starting with "TLS_" set the TLS 1.3 suites (ids13, nil when none
// is named: the defaults stay) and the rest the TLS 1.2 ones (ids12, an
// empty non-nil list when only TLS 1.3 suites are named).
func parseCiphers(s string) (ids12, ids13 []uint16, err error) {
	list12, suites13, err := cipherlist.Split13(s)
	if err != nil {
		return nil, nil, usagef("-ciphers: %v", err)
	}
	for _, suite := range suites13 {
		ids13 = append(ids13, suite.ID)
	}
	ids12 = []uint16{}
	if list12 == "" {
		return ids12, ids13, nil
	}
	names := splitList(list12, ": ,")
	for _, name := range names {
		if suite := cipher.SuiteByName(name); suite != nil {
			ids12 = append(ids12, suite.ID)
		}
	}
	if len(ids12) == len(names) && len(ids12) > 0 {
		return ids12, ids13, nil
	}
	suites, err := cipherlist.Parse(list12)
	if err != nil {
		return nil, nil, usagef("-ciphers: %v", err)
	}
	ids12 = ids12[:0]
	for _, suite := range suites {
		ids12 = append(ids12, suite.ID)
	}
	return ids12, ids13, nil
}

// parseVersion reads a protocol version as Node names it; "" is 0 (the
// default).
func parseVersion(flagName, s string) (uint16, error) {
	switch s {
	case "":
		return 0, nil
	case "TLSv1":
		return cipher.VersionTLS10, nil
	case "TLSv1.1":
		return cipher.VersionTLS11, nil
	case "TLSv1.2":
		return cipher.VersionTLS12, nil
	case "TLSv1.3":
		return cipher.VersionTLS13, nil
	case "SSLv3", "SSLv2":
		return 0, usagef("%s: %s is not supported, by design", flagName, s)
	}
	return 0, usagef("%s: unknown version %q (TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)", flagName, s)
}

// parseCurves reads a colon-separated list of group names: the ECDH
// curves, the RFC 7919 groups and the TLS 1.3 hybrid X25519MLKEM768.
func parseCurves(s string) ([]kex.Group, error) {
	var groups []kex.Group
	for _, name := range splitList(s, ": ,") {
		g, ok := kex.GroupByName(name)
		if !ok {
			return nil, usagef("-ecdh-curve: unknown curve %q", name)
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return nil, usagef("-ecdh-curve: no curves listed")
	}
	return groups, nil
}

func loadCredential(certFile, keyFile, passphrase string) (*handshake.Credential, error) {
	certData, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	certs, err := x509lite.ParseCertificates(certData)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", certFile, err)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no certificate found", certFile)
	}
	keyData, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	var pass []byte
	if passphrase != "" {
		pass = []byte(passphrase)
	}
	key, err := x509lite.ParsePrivateKey(keyData, pass)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", keyFile, err)
	}
	chain := make([][]byte, len(certs))
	for i, c := range certs {
		chain[i] = c.Raw
	}
	cred, err := handshake.NewCredential(chain, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", certFile, err)
	}
	return cred, nil
}

func loadPool(file string) (*x509lite.Pool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509lite.NewPool()
	n, err := pool.AppendPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no PEM certificates found", file)
	}
	return pool, nil
}

func splitList(s, seps string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
}

// openKeylog opens the key log file for appending. The returned function
// writes one line and is safe for concurrent use; it is nil when path is
// empty.
func openKeylog(path string) (logLine func(string), closeFile func(), err error) {
	if path == "" {
		return nil, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	var mu sync.Mutex
	logLine = func(line string) {
		mu.Lock()
		defer mu.Unlock()
		io.WriteString(f, line+"\n")
	}
	return logLine, func() { f.Close() }, nil
}

func suiteName(st *engine.ConnectionState) string {
	if st.Suite == nil {
		return "none"
	}
	return st.Suite.OpenSSLName
}

func groupName(st *engine.ConnectionState) string {
	if st.Group == 0 {
		return "none"
	}
	return st.Group.OpenSSLName()
}

// verifyText renders a verification failure as "CODE: reason".
func verifyText(err error) string {
	var ve *x509lite.VerifyError
	if errors.As(err, &ve) {
		return ve.Code + ": " + ve.Reason
	}
	return err.Error()
}

// printable makes a peer-controlled string safe for a log line or a page:
// control and non-printable characters are escaped and the length is
// capped.
func printable(s string) string {
	const maxLen = 256
	if len(s) > maxLen {
		s = s[:maxLen] + "..."
	}
	var b strings.Builder
	for _, r := range s {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			fmt.Fprintf(&b, "\\x{%x}", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
