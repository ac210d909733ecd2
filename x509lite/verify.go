package x509lite

import (
	"bytes"
	"encoding/asn1"
	"net/netip"
	"strings"
	"time"
)

// Verification codes: OpenSSL's X509_V_ERR names, as Node reports them in
// err.code.
const (
	CodeUnableToGetIssuerCert        = "UNABLE_TO_GET_ISSUER_CERT"
	CodeUnableToGetIssuerCertLocally = "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
	CodeUnableToVerifyLeafSignature  = "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
	CodeDepthZeroSelfSignedCert      = "DEPTH_ZERO_SELF_SIGNED_CERT"
	CodeSelfSignedCertInChain        = "SELF_SIGNED_CERT_IN_CHAIN"
	CodeCertHasExpired               = "CERT_HAS_EXPIRED"
	CodeCertNotYetValid              = "CERT_NOT_YET_VALID"
	CodeCertSignatureFailure         = "CERT_SIGNATURE_FAILURE"
	CodeInvalidCA                    = "INVALID_CA"
	CodePathLengthExceeded           = "PATH_LENGTH_EXCEEDED"
	CodeInvalidPurpose               = "INVALID_PURPOSE"
	CodeCertChainTooLong             = "CERT_CHAIN_TOO_LONG"
	CodeCertRevoked                  = "CERT_REVOKED"
	CodeUnhandledCriticalExtension   = "UNHANDLED_CRITICAL_EXTENSION"
	CodePermittedViolation           = "PERMITTED_VIOLATION"
	CodeExcludedViolation            = "EXCLUDED_VIOLATION"
	CodeUnsupportedNameSyntax        = "UNSUPPORTED_NAME_SYNTAX"
	CodeHostnameMismatch             = "ERR_TLS_CERT_ALTNAME_INVALID"
)

var reasons = map[string]string{
	CodeUnableToGetIssuerCert:        "unable to get issuer certificate",
	CodeUnableToGetIssuerCertLocally: "unable to get local issuer certificate",
	CodeUnableToVerifyLeafSignature:  "unable to verify the first certificate",
	CodeDepthZeroSelfSignedCert:      "self-signed certificate",
	CodeSelfSignedCertInChain:        "self-signed certificate in certificate chain",
	CodeCertHasExpired:               "certificate has expired",
	CodeCertNotYetValid:              "certificate is not yet valid",
	CodeCertSignatureFailure:         "certificate signature failure",
	CodeInvalidCA:                    "invalid CA certificate",
	CodePathLengthExceeded:           "path length constraint exceeded",
	CodeInvalidPurpose:               "unsupported certificate purpose",
	CodeCertChainTooLong:             "certificate chain too long",
	CodeCertRevoked:                  "certificate revoked",
	CodeUnhandledCriticalExtension:   "unhandled critical extension",
	CodePermittedViolation:           "permitted subtree violation",
	CodeExcludedViolation:            "excluded subtree violation",
	CodeUnsupportedNameSyntax:        "unsupported or invalid name syntax",
}

// VerifyError is a verification failure with Node's / OpenSSL's code.
type VerifyError struct {
	Code   string
	Reason string
	Depth  int
	Cert   *Certificate
}

func (e *VerifyError) Error() string { return e.Reason }

func verr(code string, depth int, c *Certificate) *VerifyError {
	return &VerifyError{Code: code, Reason: reasons[code], Depth: depth, Cert: c}
}

// Purpose is what the leaf must be good for.
type Purpose int

// Purposes.
const (
	PurposeAny Purpose = iota
	PurposeServerAuth
	PurposeClientAuth
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	Roots         *Pool
	Intermediates []*Certificate
	Now           time.Time
	Purpose       Purpose
	DNSName       string // if set, VerifyHostname runs on the leaf as well
	MaxDepth      int    // 0 means 100, as OpenSSL
	// CRLs are not evaluated yet: revocation checking is a later feature.
	CRLs [][]byte
}

// maxCandidates bounds path building against pathological pools.
const maxCandidates = 2000

// Verify builds a path from chain[0] to a root in opts.Roots (chain[1:]
// and opts.Intermediates are untrusted candidates in any order) and checks
// it as OpenSSL does: building errors first, then CA, path-length, purpose
// and name-constraint checks, then signatures and validity from the root
// down. It returns the path leaf first.
func Verify(chain []*Certificate, opts VerifyOptions) ([]*Certificate, error) {
	if len(chain) == 0 {
		return nil, verr(CodeUnableToGetIssuerCert, 0, nil)
	}
	v := &verifier{opts: opts, maxDepth: opts.MaxDepth}
	if v.maxDepth <= 0 {
		v.maxDepth = 100
	}
	v.untrusted = NewPool()
	for _, c := range chain[1:] {
		v.untrusted.Add(c)
	}
	for _, c := range opts.Intermediates {
		v.untrusted.Add(c)
	}
	path, err := v.build([]*Certificate{chain[0]})
	if err != nil {
		return nil, err
	}
	if opts.DNSName != "" {
		if err := VerifyHostname(chain[0], opts.DNSName); err != nil {
			return nil, err
		}
	}
	return path, nil
}

type verifier struct {
	opts      VerifyOptions
	untrusted *Pool
	maxDepth  int
	tried     int
}

// build extends path (leaf first) towards a root, depth first, preferring
// trusted issuers, and returns the first path that passes every check, or
// the error of the first path tried.
func (v *verifier) build(path []*Certificate) ([]*Certificate, error) {
	cur := path[len(path)-1]
	depth := len(path) - 1
	// A certificate that is itself a trust anchor ends the path.
	if v.opts.Roots.contains(cur) {
		return path, v.check(path)
	}
	if depth > v.maxDepth {
		return nil, verr(CodeCertChainTooLong, depth, cur)
	}
	// An untrusted self-signed certificate ends the chain: OpenSSL looks
	// no further than it, even for a trusted certificate of the same name.
	if cur.isSelfSigned() {
		if depth == 0 {
			return nil, verr(CodeDepthZeroSelfSignedCert, 0, cur)
		}
		return nil, verr(CodeSelfSignedCertInChain, depth, cur)
	}
	var firstErr error
	try := func(cands []*Certificate, trusted bool) []*Certificate {
		for _, issuer := range cands {
			if v.tried++; v.tried > maxCandidates {
				return nil
			}
			if inPath(path, issuer) || !keyIDMatch(cur, issuer) {
				continue
			}
			next := append(append([]*Certificate(nil), path...), issuer)
			var res []*Certificate
			var err error
			if trusted {
				res, err = next, v.check(next)
			} else {
				res, err = v.build(next)
			}
			if err == nil {
				return res
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		return nil
	}
	if res := try(v.opts.Roots.issuersOf(cur), true); res != nil {
		return res, nil
	}
	if res := try(v.untrusted.issuersOf(cur), false); res != nil {
		return res, nil
	}
	if firstErr != nil {
		return nil, firstErr
	}
	// No issuer anywhere: OpenSSL's codes for an incomplete chain.
	switch {
	case depth == 0:
		return nil, verr(CodeUnableToVerifyLeafSignature, 0, cur)
	}
	return nil, verr(CodeUnableToGetIssuerCertLocally, depth, cur)
}

func inPath(path []*Certificate, c *Certificate) bool {
	for _, p := range path {
		if p.Equal(c) || (bytes.Equal(p.RawSubject, c.RawSubject) && bytes.Equal(p.RawSubjectPublicKeyInfo, c.RawSubjectPublicKeyInfo)) {
			return true
		}
	}
	return false
}

// keyIDMatch rejects an issuer whose subject key id differs from the
// child's authority key id, when both are present.
func keyIDMatch(child, issuer *Certificate) bool {
	if len(child.AuthorityKeyID) == 0 || len(issuer.SubjectKeyID) == 0 {
		return true
	}
	return bytes.Equal(child.AuthorityKeyID, issuer.SubjectKeyID)
}

// check runs the per-path checks on a complete path (leaf first, trust
// anchor last).
func (v *verifier) check(path []*Certificate) error {
	top := len(path) - 1
	// Extensions, CA status, path length and purpose (OpenSSL's
	// check_chain_extensions).
	for i, c := range path {
		if len(c.UnhandledCriticalExtensions) > 0 {
			return verr(CodeUnhandledCriticalExtension, i, c)
		}
		if i > 0 {
			// RFC 5280, Section 4.2.1.9: a CA certificate asserts cA; a
			// v1 certificate can only serve as a trust anchor.
			isCA := c.BasicConstraintsValid && c.IsCA
			if !isCA && !(i == top && c.Version == 1) {
				return verr(CodeInvalidCA, i, c)
			}
			// RFC 5280, Section 4.2.1.3: keyCertSign must be set to
			// verify certificate signatures.
			if c.HasKeyUsage && c.KeyUsage&KeyUsageCertSign == 0 {
				return verr(CodeInvalidCA, i, c)
			}
			// Path length counts the non-self-issued intermediates below.
			if c.MaxPathLen >= 0 {
				below := 0
				for _, d := range path[1:i] {
					if !d.IsSelfIssued() {
						below++
					}
				}
				if below > c.MaxPathLen {
					return verr(CodePathLengthExceeded, i, c)
				}
			}
		}
		if err := v.checkPurpose(c, i); err != nil {
			return err
		}
	}
	if err := checkNameConstraints(path); err != nil {
		return err
	}
	// Signatures and validity from the anchor down (internal_verify).
	now := v.opts.Now
	for i := top; i >= 0; i-- {
		c := path[i]
		if i < top {
			if c.CheckSignatureFrom(path[i+1]) != nil {
				return verr(CodeCertSignatureFailure, i, c)
			}
		}
		if now.Before(c.NotBefore) {
			return verr(CodeCertNotYetValid, i, c)
		}
		if now.After(c.NotAfter) {
			return verr(CodeCertHasExpired, i, c)
		}
	}
	// The leaf's own signature algorithm must be one we can check even
	// when it is the anchor itself.
	return nil
}

func (v *verifier) checkPurpose(c *Certificate, depth int) error {
	var eku asn1.ObjectIdentifier
	switch v.opts.Purpose {
	case PurposeServerAuth:
		eku = OIDExtKeyUsageServerAuth
	case PurposeClientAuth:
		eku = OIDExtKeyUsageClientAuth
	default:
		return nil
	}
	if !c.hasEKU(eku) {
		return verr(CodeInvalidPurpose, depth, c)
	}
	return nil
}

// checkNameConstraints applies each CA's DNS and IP constraints to the
// certificates below it (RFC 5280, Section 4.2.1.10).
func checkNameConstraints(path []*Certificate) error {
	for i := len(path) - 1; i > 0; i-- {
		ca := path[i]
		if !ca.HasNameConstraints {
			continue
		}
		if ca.UnsupportedNameConstraint {
			return verr(CodeUnsupportedNameSyntax, i, ca)
		}
		for j := i - 1; j >= 0; j-- {
			c := path[j]
			// Self-issued intermediates are exempt (RFC 5280, 6.1.3).
			if j > 0 && c.IsSelfIssued() {
				continue
			}
			names := c.DNSNames
			if j == 0 && !c.HasSAN {
				// Without SANs, the CN of a leaf acts as a DNS name.
				for _, cn := range c.Subject.CommonNames() {
					if looksLikeHostname(cn) {
						names = append(names, cn)
					}
				}
			}
			for _, n := range names {
				if code := dnsConstraint(ca, n); code != "" {
					return verr(code, j, c)
				}
			}
			for _, ip := range c.IPAddresses {
				if code := ipConstraint(ca, ip); code != "" {
					return verr(code, j, c)
				}
			}
			for _, e := range c.EmailAddresses {
				if code := emailConstraint(ca, e); code != "" {
					return verr(code, j, c)
				}
			}
		}
	}
	return nil
}

func looksLikeHostname(s string) bool {
	if s == "" || strings.ContainsAny(s, " @:/") {
		return false
	}
	return strings.Contains(s, ".")
}

func dnsConstraint(ca *Certificate, name string) string {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, ex := range ca.ExcludedDNSDomains {
		if dnsWithin(name, ex) {
			return CodeExcludedViolation
		}
	}
	if len(ca.PermittedDNSDomains) == 0 {
		if len(ca.PermittedIPRanges) > 0 || len(ca.PermittedEmails) > 0 {
			return "" // constraints of other types do not restrict DNS names
		}
		return ""
	}
	for _, p := range ca.PermittedDNSDomains {
		if dnsWithin(name, p) {
			return ""
		}
	}
	return CodePermittedViolation
}

// dnsWithin reports whether name is the constraint or below it. A
// constraint with a leading dot matches only proper subdomains.
func dnsWithin(name, constraint string) bool {
	c := strings.ToLower(constraint)
	if c == "" {
		return true
	}
	name = strings.TrimPrefix(name, "*.")
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(name, c)
	}
	return name == c || strings.HasSuffix(name, "."+c)
}

func ipConstraint(ca *Certificate, ip netip.Addr) string {
	ip = ip.Unmap()
	for _, ex := range ca.ExcludedIPRanges {
		if ex.Addr().BitLen() == ip.BitLen() && ex.Masked().Contains(ip) {
			return CodeExcludedViolation
		}
	}
	if len(ca.PermittedIPRanges) == 0 {
		return ""
	}
	for _, p := range ca.PermittedIPRanges {
		if p.Addr().BitLen() == ip.BitLen() && p.Masked().Contains(ip) {
			return ""
		}
	}
	return CodePermittedViolation
}

func emailConstraint(ca *Certificate, email string) string {
	_, domain, ok := strings.Cut(email, "@")
	if !ok {
		return CodeUnsupportedNameSyntax
	}
	match := func(c string) bool {
		if strings.Contains(c, "@") {
			return strings.EqualFold(c, email)
		}
		return dnsWithin(strings.ToLower(domain), c)
	}
	for _, ex := range ca.ExcludedEmails {
		if match(ex) {
			return CodeExcludedViolation
		}
	}
	if len(ca.PermittedEmails) == 0 {
		return ""
	}
	for _, p := range ca.PermittedEmails {
		if match(p) {
			return ""
		}
	}
	return CodePermittedViolation
}
