package api

import (
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/cipher/cipherlist"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/x509lite"
)

// KeyOption is one private key and its passphrase: an element of Node's
// key option in its {pem, passphrase} form.
type KeyOption struct {
	PEM        []byte
	Passphrase string
}

// SecureContextOptions are the options of CreateSecureContext, with
// Node's names and defaults.
type SecureContextOptions struct {
	// Key holds private keys (PEM, PKCS#1, PKCS#8 or SEC 1, encrypted or
	// not); each is paired with the certificate in Cert whose public key
	// matches, so one context can serve RSA and ECDSA clients alike.
	Key []KeyOption
	// Passphrase decrypts keys and PFX archives that carry none of their
	// own.
	Passphrase string
	// PFX holds PKCS#12 archives, each giving a private key, its
	// certificate and the chain (the archive's other certificates), as
	// Node's pfx option does; they add to Key and Cert. A wrong
	// passphrase is an *Error with Message "mac verify failure".
	PFX []PFXOption
	// Cert holds PEM certificate chains, leaf first.
	Cert [][]byte
	// CA holds PEM certificates trusted to verify the peer. Without them
	// a client trusts nothing but what Connect's caller supplies (Node
	// uses Mozilla's list; use SystemRoots for the system's).
	CA [][]byte
	// CRL holds PEM or DER certificate revocation lists; with any, the
	// peer's chain is checked for revocation.
	CRL [][]byte
	// Ciphers is an OpenSSL cipher string; empty means DefaultCiphers.
	// As in Node v20, its ':'-separated names starting with "TLS_" are
	// TLS 1.3 suites (TLS_AES_128_GCM_SHA256, ...) and set the TLS 1.3
	// list, in that order; without any, the TLS 1.3 suites keep Node's
	// default order. A string of TLS 1.3 names only leaves no TLS 1.2
	// suite and raises MinVersion to TLSv1.3 when MaxVersion is TLSv1.3.
	// See cipherlist.Split13 for the one difference from Node.
	// "@SECLEVEL=0" in it accepts peer chains with SHA-1 signatures, as
	// Node does; by default (level 1) their verification fails with
	// Node's code UNSPECIFIED. RSA keys under 1024 bits are refused at
	// any level (Node accepts them at level 0).
	Ciphers string
	// HonorCipherOrder makes a server choose by its own order; nil means
	// true, Node's default.
	HonorCipherOrder *bool
	// ECDHCurve is "auto" (the default), one group name or a colon list
	// (X25519, prime256v1/P-256, secp384r1/P-384, secp521r1/P-521, and
	// the RFC 7919 groups ffdhe2048 ... ffdhe8192 as OpenSSL spells them).
	// X25519MLKEM768 (the TLS 1.3 hybrid) is accepted too: an extension,
	// as Node v20's OpenSSL 3.0 does not know it.
	ECDHCurve string
	// NoECDH is Node's ecdhCurve: false (the seeds' semantics): the ECDHE
	// suites are unavailable, and so is TLS 1.3, which has no other key
	// exchange (MaxVersion is capped at TLSv1.2).
	NoECDH bool
	// DHParam is a PEM "DH PARAMETERS" block enabling the DHE suites;
	// under 1024 bits is an error (seed semantics).
	DHParam []byte
	// SecureProtocol pins versions by OpenSSL method name, as Node does:
	// TLSv1_method, TLSv1_1_method, TLSv1_2_method, TLS_method (the
	// default versions, TLS 1.2 to 1.3) or SSLv23_method (the default
	// minimum, at most TLS 1.2, as in Node v20), each also as
	// _server_method and _client_method. SSLv2 and SSLv3 methods are
	// refused, and so is MinVersion or MaxVersion beside it.
	SecureProtocol string
	// MinVersion and MaxVersion bound the version: "TLSv1", "TLSv1.1",
	// "TLSv1.2" or "TLSv1.3" (default TLSv1.2 to TLSv1.3, Node v20's
	// tls.DEFAULT_MIN_VERSION and DEFAULT_MAX_VERSION). Node v20 has no TLSv1_3_method
	// for SecureProtocol ("Unknown method"), and neither do we.
	MinVersion, MaxVersion string
}

// DefaultCiphers is the default cipher string, Node v6.9.4's.
var DefaultCiphers = cipherlist.NodeDefault

// SecureContext is the result of CreateSecureContext: credentials, trust
// and policy shared by any number of connections.
type SecureContext struct {
	cfg *engine.Config
}

// CreateSecureContext builds a SecureContext from o. Every problem in the
// options is reported here, as Node throws from createSecureContext.
func CreateSecureContext(o SecureContextOptions) (*SecureContext, error) {
	cfg := &engine.Config{Rand: rand.Reader, Now: time.Now}
	if err := o.credentials(cfg); err != nil {
		return nil, err
	}
	if len(o.CA) > 0 {
		cfg.RootCAs = x509lite.NewPool()
		for _, pem := range o.CA {
			if _, err := cfg.RootCAs.AppendPEM(pem); err != nil {
				return nil, &Error{Code: "ERR_OSSL_PEM_NO_START_LINE", Message: "ca: " + err.Error(), Err: err}
			}
		}
	}
	if err := o.pfxCredentials(cfg); err != nil {
		return nil, err
	}
	for _, crl := range o.CRL {
		if _, err := x509lite.ParseCRLs(crl); err != nil {
			return nil, &Error{Code: "ERR_CRYPTO_OPERATION_FAILED", Message: "Failed to parse CRL", Err: err}
		}
		cfg.CRLs = append(cfg.CRLs, crl)
	}
	ciphers := o.Ciphers
	if ciphers == "" {
		ciphers = DefaultCiphers
	}
	list12, suites13, err := cipherlist.Split13(ciphers)
	if errors.Is(err, cipherlist.ErrEmpty) {
		return nil, &Error{Code: "ERR_INVALID_ARG_VALUE", Message: fmt.Sprintf("The property 'options.ciphers' is invalid. Received %q", ciphers), Err: err}
	}
	if err != nil {
		return nil, &Error{Code: "ERR_SSL_NO_CIPHER_MATCH", Message: "No cipher match", Err: err}
	}
	for _, s := range suites13 {
		cfg.CipherSuites13 = append(cfg.CipherSuites13, s.ID)
	}
	cfg.CipherSuites = []uint16{} // only TLS 1.3 names: no TLS 1.2 suite
	if list12 != "" {
		suites, level, err := cipherlist.ParseLevel(list12)
		if err != nil {
			return nil, &Error{Code: "ERR_SSL_NO_CIPHER_MATCH", Message: "No cipher match", Err: err}
		}
		// "@SECLEVEL=0" lowers the security level, as OpenSSL's cipher
		// string does: the peer's chain may then have SHA-1 signatures.
		cfg.SecurityLevelZero = level == 0
		cfg.CipherSuites = cfg.CipherSuites[:0]
		for _, s := range suites {
			cfg.CipherSuites = append(cfg.CipherSuites, s.ID)
		}
	}
	cfg.PreferServerCipherSuites = o.HonorCipherOrder == nil || *o.HonorCipherOrder
	if cfg.Groups, err = parseCurves(o.ECDHCurve); err != nil {
		return nil, err
	}
	if o.NoECDH {
		cfg.Groups = []kex.Group{} // an empty list disables ECDHE
	}
	if len(o.DHParam) > 0 {
		if cfg.DHParams, err = kex.ParseDHParamsPEM(o.DHParam); err != nil {
			if errors.Is(err, kex.ErrWeakDH) {
				return nil, &Error{Code: "ERR_TLS_DH_PARAM_SIZE", Message: "DH parameter is less than 1024 bits", Err: err}
			}
			return nil, &Error{Code: "ERR_INVALID_ARG_VALUE", Message: "dhparam: " + err.Error(), Err: err}
		}
	}
	if cfg.MinVersion, cfg.MaxVersion, err = versions(o); err != nil {
		return nil, err
	}
	// Without groups there is no TLS 1.3 key exchange (RFC 8446, Section
	// 4.2.8): NoECDH keeps the context at TLS 1.2 and below.
	if o.NoECDH && (cfg.MaxVersion == 0 || cfg.MaxVersion > cipher.VersionTLS12) {
		cfg.MaxVersion = cipher.VersionTLS12
	}
	// Node v20 (secure-context.js): a cipher string naming only TLS 1.3
	// suites raises minVersion to TLS 1.3 when maxVersion allows it.
	if list12 == "" && (cfg.MaxVersion == 0 || cfg.MaxVersion >= cipher.VersionTLS13) {
		cfg.MinVersion = cipher.VersionTLS13
	}
	return &SecureContext{cfg: cfg}, nil
}

// EngineConfig returns a copy of the engine configuration c stands for,
// for NewServerSocket and NewClientSocket: the layer below Server and
// Connect, where a caller sets its own policy (sessions, client
// authentication, decisions).
func (c *SecureContext) EngineConfig() *engine.Config {
	cfg := *c.cfg
	return &cfg
}

// credentials pairs each key with the chain whose leaf carries its
// public key.
func (o SecureContextOptions) credentials(cfg *engine.Config) error {
	var chains [][]*x509lite.Certificate
	for _, pem := range o.Cert {
		certs, err := x509lite.ParseCertificates(pem)
		if err != nil || len(certs) == 0 {
			if err == nil {
				err = errors.New("no certificate found")
			}
			return &Error{Code: "ERR_OSSL_PEM_NO_START_LINE", Message: "cert: " + err.Error(), Err: err}
		}
		chains = append(chains, certs)
	}
	if len(o.Key) == 0 && len(chains) > 0 {
		return &Error{Code: "ERR_INVALID_ARG_VALUE", Message: "cert given without key"}
	}
	for _, k := range o.Key {
		pass := k.Passphrase
		if pass == "" {
			pass = o.Passphrase
		}
		var passBytes []byte
		if pass != "" {
			passBytes = []byte(pass)
		}
		key, err := x509lite.ParsePrivateKey(k.PEM, passBytes)
		if err != nil {
			code := "ERR_OSSL_UNSUPPORTED"
			if strings.Contains(err.Error(), "passphrase") || strings.Contains(err.Error(), "decrypt") {
				code = "ERR_OSSL_BAD_DECRYPT"
			}
			return &Error{Code: code, Message: "key: " + err.Error(), Err: err}
		}
		chain := matchingChain(chains, key)
		if chain == nil {
			return &Error{Code: "ERR_OSSL_X509_KEY_VALUES_MISMATCH", Message: "key values mismatch: no certificate carries this key"}
		}
		der := make([][]byte, len(chain))
		for i, c := range chain {
			der[i] = c.Raw
		}
		cred, err := engine.NewCredential(der, key)
		if err != nil {
			return err
		}
		cfg.Certificates = append(cfg.Certificates, cred)
	}
	return nil
}

// matchingChain finds the chain whose leaf has key's public key.
func matchingChain(chains [][]*x509lite.Certificate, key crypto.Signer) []*x509lite.Certificate {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	if !ok {
		return nil
	}
	for _, ch := range chains {
		if pub.Equal(ch[0].PublicKey) {
			return ch
		}
	}
	return nil
}

// parseCurves reads ecdhCurve.
func parseCurves(s string) ([]kex.Group, error) {
	if s == "" || s == "auto" {
		return nil, nil
	}
	var groups []kex.Group
	for _, name := range strings.Split(s, ":") {
		g, ok := kex.GroupByName(name)
		if !ok {
			return nil, &Error{Code: "ERR_CRYPTO_OPERATION_FAILED", Message: fmt.Sprintf("Failed to set ECDH curve %q", name)}
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// protocolMethods are Node's secureProtocol names without their
// "_method", "_server_method" or "_client_method" suffix, and the versions
// each allows; 0 keeps the default. SSLv23 is OpenSSL's old name for
// "every version the library has": Node v20 caps it at TLS 1.2 and keeps
// the default minimum (src/crypto/crypto_context.cc, SecureContext::Init),
// while TLS_method keeps both defaults (TLS 1.2 to 1.3). Node's
// TLS_method leaves OpenSSL's minimum, TLS 1.0, which OpenSSL's default
// security level then refuses in the handshake
// (ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM); we keep TLS 1.2.
var protocolMethods = map[string][2]uint16{
	"TLSv1":   {cipher.VersionTLS10, cipher.VersionTLS10},
	"TLSv1_1": {cipher.VersionTLS11, cipher.VersionTLS11},
	"TLSv1_2": {cipher.VersionTLS12, cipher.VersionTLS12},
	"SSLv23":  {0, cipher.VersionTLS12},
	"TLS":     {0, 0},
}

// versions applies secureProtocol, then minVersion and maxVersion.
func versions(o SecureContextOptions) (lo, hi uint16, err error) {
	if m := o.SecureProtocol; m != "" {
		for _, v := range []string{o.MinVersion, o.MaxVersion} {
			if v != "" {
				return 0, 0, &Error{Code: "ERR_TLS_PROTOCOL_VERSION_CONFLICT",
					Message: fmt.Sprintf("TLS protocol version %q conflicts with secureProtocol %q", v, m)}
			}
		}
		base, ok := methodBase(m)
		r, known := protocolMethods[base]
		switch {
		case ok && (base == "SSLv2" || base == "SSLv3"):
			return 0, 0, &Error{Code: "ERR_TLS_INVALID_PROTOCOL_METHOD", Message: base + " methods disabled"}
		case !ok || !known:
			return 0, 0, &Error{Code: "ERR_TLS_INVALID_PROTOCOL_METHOD", Message: "Unknown method: " + m}
		}
		lo, hi = r[0], r[1]
	}
	for _, v := range []struct {
		name string
		dst  *uint16
	}{{o.MinVersion, &lo}, {o.MaxVersion, &hi}} {
		if v.name == "" {
			continue
		}
		n, ok := versionByName[v.name]
		if !ok {
			return 0, 0, &Error{Code: "ERR_TLS_INVALID_PROTOCOL_VERSION", Message: fmt.Sprintf("%q is not a valid TLS protocol version", v.name)}
		}
		*v.dst = n
	}
	if lo != 0 && hi != 0 && lo > hi {
		return 0, 0, &Error{Code: "ERR_TLS_PROTOCOL_VERSION_CONFLICT", Message: "minVersion is above maxVersion"}
	}
	return lo, hi, nil
}

// methodBase strips the "_method", "_server_method" or "_client_method"
// suffix of an OpenSSL method name, matching whole names only (a prefix
// test on "SSLv2" would also match "SSLv23").
func methodBase(m string) (string, bool) {
	for _, suffix := range []string{"_server_method", "_client_method", "_method"} {
		if base, ok := strings.CutSuffix(m, suffix); ok {
			return base, true
		}
	}
	return "", false
}

var versionByName = map[string]uint16{"TLSv1": cipher.VersionTLS10, "TLSv1.1": cipher.VersionTLS11, "TLSv1.2": cipher.VersionTLS12,
	"TLSv1.3": cipher.VersionTLS13}

// GetCiphers lists the suites this package implements by lower-case
// OpenSSL name, sorted, as Node's getCiphers does; the TLS 1.3 suites are
// there under their lower-case IANA names (tls_aes_128_gcm_sha256).
func GetCiphers() []string {
	var names []string
	for _, s := range append(cipher.Suites(), cipher.Suites13()...) {
		names = append(names, strings.ToLower(s.OpenSSLName))
	}
	slices.Sort(names)
	return slices.Compact(names)
}
