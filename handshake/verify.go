package handshake

import (
	"crypto"
	"crypto/ed25519"
	"errors"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

// peerVerification is the outcome of checking the peer's chain.
type peerVerification struct {
	certs    []*x509lite.Certificate
	verified []*x509lite.Certificate
	err      error // nil when the peer is authorized
}

// verifyPeer parses the peer's chain and verifies it against the roots and,
// on a client, the host name. A chain that does not parse is fatal at once;
// a chain that parses but does not verify is reported in err and the caller
// decides by policy whether that is fatal.
func verifyPeer(cfg *Config, raw [][]byte, purpose x509lite.Purpose, host string) (*peerVerification, error) {
	certs := make([]*x509lite.Certificate, 0, len(raw))
	for _, der := range raw {
		c, err := x509lite.ParseCertificate(der)
		if err != nil {
			// A certificate that is not DER at all is a message that does
			// not decode; OpenSSL answers it with decode_error too.
			return nil, record.Wrap(record.ErrBadCertificate, record.AlertDecodeError, err, "tls: failed to parse peer certificate")
		}
		certs = append(certs, c)
	}
	pv := &peerVerification{certs: certs}
	roots := cfg.RootCAs
	if roots == nil {
		roots = x509lite.NewPool()
	}
	opts := x509lite.VerifyOptions{
		Roots:   roots,
		Now:     cfg.Now(),
		Purpose: purpose,
		CRLs:    cfg.CRLs,
	}
	// OpenSSL 3 at security level 1, Node's default, refuses SHA-1
	// certificate signatures; level 0 accepts them (MD5 stays refused).
	opts.AllowSHA1 = cfg.SecurityLevelZero
	chain, err := x509lite.Verify(certs, opts)
	if err != nil {
		pv.err = err
		return pv, nil
	}
	pv.verified = chain
	if host != "" {
		if err := x509lite.VerifyHostname(certs[0], host); err != nil {
			pv.err = err
		}
	}
	return pv, nil
}

// verifyFailure turns a verification error into the fatal error and alert
// that OpenSSL sends for the same code.
func verifyFailure(err error) error {
	alert := record.AlertBadCertificate
	var ve *x509lite.VerifyError
	if errors.As(err, &ve) {
		switch ve.Code {
		case x509lite.CodeCertHasExpired, x509lite.CodeCertNotYetValid:
			alert = record.AlertCertificateExpired
		case x509lite.CodeUnableToGetIssuerCert, x509lite.CodeUnableToGetIssuerCertLocally,
			x509lite.CodeUnableToVerifyLeafSignature, x509lite.CodeDepthZeroSelfSignedCert,
			x509lite.CodeSelfSignedCertInChain:
			alert = record.AlertUnknownCA
		case x509lite.CodeCertRevoked:
			alert = record.AlertCertificateRevoked
		case x509lite.CodeCertSignatureFailure:
			alert = record.AlertDecryptError
		case x509lite.CodeInvalidPurpose:
			alert = record.AlertUnsupportedCertificate
		}
	}
	return record.Wrap(record.ErrBadCertificate, alert, err, "tls: peer certificate verification failed")
}

// checkSigningKeyUsage applies RFC 5280, Section 4.2.1.3 to a peer that
// signs handshake messages: with a keyUsage extension, digitalSignature
// must be set.
func checkSigningKeyUsage(leaf *x509lite.Certificate) error {
	if leaf.HasKeyUsage && leaf.KeyUsage&x509lite.KeyUsageDigitalSignature == 0 {
		return record.Errorf(record.ErrBadCertificate, record.AlertBadCertificate,
			"tls: peer certificate key usage does not allow digital signatures")
	}
	return nil
}

// checkLegacyKey refuses a peer key that cannot sign at version: before
// TLS 1.2 signatures are RSA (MD5+SHA-1) or ECDSA (SHA-1) only, so an
// Ed25519 certificate is unusable (RFC 8422, Section 5.1.3 defines
// Ed25519 for TLS 1.2).
func checkLegacyKey(pub crypto.PublicKey, version uint16) error {
	if _, ok := pub.(ed25519.PublicKey); ok && version < cipher.VersionTLS12 {
		return record.Errorf(record.ErrBadCertificate, record.AlertUnsupportedCertificate,
			"tls: Ed25519 certificates need TLS 1.2, not version 0x%04x", version)
	}
	return nil
}

// missingClientCertificate is what an empty client Certificate means: a
// fatal alert (handshake_failure in TLS 1.2, certificate_required in 1.3)
// when the server requires a certificate, else a verification failure
// that Node reports as UNABLE_TO_GET_ISSUER_CERT.
func missingClientCertificate(cfg *Config, alert record.AlertDescription) (*peerVerification, error) {
	if cfg.ClientAuth.requiresCert() {
		return nil, record.Errorf(record.ErrBadCertificate, alert, "tls: peer did not return a certificate")
	}
	return &peerVerification{err: &x509lite.VerifyError{
		Code:   x509lite.CodeUnableToGetIssuerCert,
		Reason: "unable to get issuer certificate",
	}}, nil
}
