package api

import (
	"crypto"
	"errors"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/x509lite"
)

// PFXOption is one PKCS#12 (PFX) archive and its passphrase: an element of
// Node's pfx option in its {buf, passphrase} form. A plain buffer is a
// PFXOption without a passphrase; SecureContextOptions.Passphrase then
// applies.
type PFXOption struct {
	Buf        []byte
	Passphrase string
}

// Codes of the errors a PFX archive can cause. Node v20 throws these as
// plain Errors without a code ("mac verify failure", "not enough data",
// ...); ours carry OpenSSL's PKCS#12 reason as a code in Node's ERR_OSSL_
// form, and the same message for a wrong passphrase.
const (
	CodePFXMacVerifyFailure = "ERR_OSSL_PKCS12_MAC_VERIFY_FAILURE"
	CodePFXParseError       = "ERR_OSSL_PKCS12_PARSE_ERROR"
)

// pfxCredentials loads every PFX archive of o into cfg. Each yields a
// credential whose chain is the archive's certificate followed by its
// other certificates, as OpenSSL sends them. Its self-signed CA
// certificates are also trusted to verify the peer, as Node adds the
// archive's CA certificates to the context's store (where, without a
// partial-chain flag, only a self-signed one can end a path); without a
// ca option they join the default roots rather than replace them.
func (o SecureContextOptions) pfxCredentials(cfg *engine.Config) error {
	var roots []*x509lite.Certificate
	for _, p := range o.PFX {
		pass := p.Passphrase
		if pass == "" {
			pass = o.Passphrase
		}
		chain, key, err := decodePFX(p.Buf, pass)
		if err != nil {
			return err
		}
		der := make([][]byte, len(chain))
		for i, c := range chain {
			der[i] = c.Raw
			if i > 0 && c.IsCA && c.IsSelfIssued() {
				roots = append(roots, c)
			}
		}
		cred, err := engine.NewCredential(der, key)
		if err != nil {
			return &Error{Code: CodePFXParseError, Message: "pfx: " + err.Error(), Err: err}
		}
		cfg.Certificates = append(cfg.Certificates, cred)
	}
	if len(roots) == 0 {
		return nil
	}
	if cfg.RootCAs == nil {
		cfg.RootCAs = x509lite.NewPool()
		for _, c := range defaultRoots().Certificates() {
			cfg.RootCAs.Add(c)
		}
	}
	for _, c := range roots {
		cfg.RootCAs.Add(c)
	}
	return nil
}

// decodePFX opens a PKCS#12 archive: its certificates (the key's own
// first) parsed by x509lite from their DER, and its private key. A wrong
// passphrase fails the archive's MAC, and the error says so in OpenSSL's
// words, as Node reports it.
//
// go-pkcs12's ToPEM is used rather than DecodeChain because it hands
// over the certificates' DER without parsing them with crypto/x509: the
// certificates are ours to parse. (It supports RSA and ECDSA keys, which
// it re-encodes as PKCS#1 and SEC 1; x509lite reads both.)
func decodePFX(data []byte, passphrase string) ([]*x509lite.Certificate, crypto.Signer, error) {
	blocks, err := pkcs12.ToPEM(data, passphrase) //nolint:staticcheck // see above
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, nil, &Error{Code: CodePFXMacVerifyFailure, Message: "mac verify failure", Err: err}
		}
		return nil, nil, &Error{Code: CodePFXParseError, Message: "pfx: " + err.Error(), Err: err}
	}
	var key crypto.Signer
	var certs []*x509lite.Certificate
	for _, b := range blocks {
		switch b.Type {
		case "PRIVATE KEY":
			if key != nil {
				return nil, nil, &Error{Code: CodePFXParseError, Message: "pfx: more than one private key"}
			}
			if key, err = x509lite.ParsePrivateKey(b.Bytes, nil); err != nil {
				return nil, nil, &Error{Code: CodePFXParseError, Message: "pfx: " + err.Error(), Err: err}
			}
		case "CERTIFICATE":
			c, err := x509lite.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, nil, &Error{Code: CodePFXParseError, Message: "pfx: " + err.Error(), Err: err}
			}
			certs = append(certs, c)
		}
	}
	if key == nil || len(certs) == 0 {
		return nil, nil, &Error{Code: CodePFXParseError, Message: "pfx: the archive lacks a private key or a certificate"}
	}
	// The key's certificate first, then the others in archive order.
	leaf := -1
	for i, c := range certs {
		if matchingChain([][]*x509lite.Certificate{{c}}, key) != nil {
			leaf = i
			break
		}
	}
	if leaf < 0 {
		return nil, nil, &Error{Code: "ERR_OSSL_X509_KEY_VALUES_MISMATCH", Message: "pfx: key values mismatch: no certificate carries the archive's key"}
	}
	chain := append([]*x509lite.Certificate{certs[leaf]}, certs[:leaf]...)
	chain = append(chain, certs[leaf+1:]...)
	return chain, key, nil
}
