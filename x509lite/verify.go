package x509lite

import (
	"bytes"
	"crypto/rsa"
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
	CodeUnsupportedConstraintType    = "UNSUPPORTED_CONSTRAINT_TYPE"
	CodeCAMDTooWeak                  = "CA_MD_TOO_WEAK"
	CodeCAKeyTooSmall                = "CA_KEY_TOO_SMALL"
	CodeEEKeyTooSmall                = "EE_KEY_TOO_SMALL"
	CodeUnspecified                  = "UNSPECIFIED"
	CodeHostnameMismatch             = "ERR_TLS_CERT_ALTNAME_INVALID"
)

// reasons holds OpenSSL 3's X509_verify_cert_error_string texts, which
// Node uses as err.message.
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
	CodeInvalidPurpose:               "unsuitable certificate purpose",
	CodeCertChainTooLong:             "certificate chain too long",
	CodeCertRevoked:                  "certificate revoked",
	CodeUnhandledCriticalExtension:   "unhandled critical extension",
	CodePermittedViolation:           "permitted subtree violation",
	CodeExcludedViolation:            "excluded subtree violation",
	CodeUnsupportedNameSyntax:        "unsupported or invalid name syntax",
	CodeUnsupportedConstraintType:    "unsupported name constraint type",
	CodeCAMDTooWeak:                  "CA signature digest algorithm too weak",
	CodeCAKeyTooSmall:                "CA certificate key too weak",
	CodeEEKeyTooSmall:                "EE certificate key too weak",
	CodeUnspecified:                  "unspecified certificate verification error",
}

// VerifyError is a verification failure with Node's / OpenSSL's code.
type VerifyError struct {
	Code   string // e.g. "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
	Reason string // OpenSSL's text, e.g. "unable to verify the first certificate"
	Depth  int    // position in the chain, 0 = leaf
	Cert   *Certificate
}

// Error returns the Reason: Node's err.message is OpenSSL's text.
func (e *VerifyError) Error() string { return e.Reason }

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
	// Roots are the trust anchors; nil or empty trusts nothing.
	Roots *Pool
	// Intermediates are extra untrusted candidates beside chain[1:].
	Intermediates []*Certificate
	// Now is the verification time (x509lite reads no clock). It is
	// compared at the one-second granularity of certificate times.
	Now time.Time
	// Purpose checks extendedKeyUsage on every certificate that has one
	// and the leaf's keyUsage, as OpenSSL's SSL client/server purposes do.
	Purpose Purpose
	// DNSName, if set, is checked against the leaf with VerifyHostname.
	DNSName string
	// MaxDepth is the largest number of intermediate CA certificates
	// (self-issued ones not counted), OpenSSL's verify_depth: 0 means
	// 100, the default; a negative value allows none.
	MaxDepth int
	// AllowSHA1 accepts SHA-1 signatures below the trust anchor, as
	// OpenSSL's security level 0 does; they are CA_MD_TOO_WEAK otherwise,
	// as at OpenSSL 3's level 1, Node's default (a SHA-1 signature counts
	// 63 bits of security, level 1 needs 80). MD5 signatures are always
	// refused.
	AllowSHA1 bool
	// CRLs (DER or PEM) turn on revocation checking as Node's crl option
	// does (OpenSSL's CRL_CHECK|CRL_CHECK_ALL): every certificate of the
	// path needs a current CRL from its issuer. A CRL that does not parse
	// is ignored (so the certificates it covers fail UNABLE_TO_GET_CRL);
	// validate them up front with ParseCRLs.
	CRLs [][]byte
}

// Limits against pathological candidate sets.
const (
	maxCandidates = 2000 // issuer candidates tried per Verify
	maxPathLen    = 128  // certificates in one path
)

// maxNameChecks bounds names × constraints per certificate, as
// OpenSSL's NAME_CHECK_MAX.
const maxNameChecks = 1 << 20

// minRSABits is OpenSSL's security level 1 (Node's default): RSA keys
// below 1024 bits are refused. Level 0 would accept them, but crypto/rsa
// does not verify with keys that small, so no option lowers it.
const minRSABits = 1024

// Verify builds a path from chain[0] (the peer's leaf) to a trust anchor in
// opts.Roots, using chain[1:] and opts.Intermediates as untrusted
// candidates in any order, and checks it in OpenSSL's order: path building
// errors, then extensions, CA status, path length and purpose, then key
// sizes and digests, then signatures and validity from the anchor down,
// then name constraints. When several paths exist, the first one that
// passes wins; otherwise the error of the first path tried is returned.
// The result is the path, leaf first and anchor last; the error is a
// *VerifyError.
func Verify(chain []*Certificate, opts VerifyOptions) ([]*Certificate, error) {
	if len(chain) == 0 || chain[0] == nil {
		return nil, verr(CodeUnableToGetIssuerCert, 0, nil)
	}
	v := &verifier{opts: opts, maxDepth: opts.MaxDepth, now: opts.Now.Truncate(time.Second)}
	switch {
	case v.maxDepth == 0:
		v.maxDepth = 100
	case v.maxDepth < 0:
		v.maxDepth = 0
	}
	v.untrusted = NewPool()
	for _, c := range chain[1:] {
		if c != nil {
			v.untrusted.Add(c)
		}
	}
	for _, c := range opts.Intermediates {
		if c != nil {
			v.untrusted.Add(c)
		}
	}
	for _, data := range opts.CRLs {
		if crls, err := ParseCRLs(data); err == nil {
			v.crls = append(v.crls, crls...)
		}
	}
	if len(opts.CRLs) > 0 && len(v.crls) == 0 {
		// Revocation checking was asked for; with no usable CRL every
		// certificate lacks one.
		v.crls = []*CRL{}
		v.requireCRL = true
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

func verr(code string, depth int, c *Certificate) *VerifyError {
	return &VerifyError{Code: code, Reason: reasons[code], Depth: depth, Cert: c}
}

type verifier struct {
	opts      VerifyOptions
	now       time.Time
	untrusted *Pool
	maxDepth  int
	tried     int
	crls      []*CRL
	// requireCRL is set when CRLs were given but none parsed.
	requireCRL bool
	// sigs caches signature checks: a hostile chain of many same-named
	// certificates would otherwise repeat them for every path tried.
	sigs map[[2]*Certificate]bool
}

// signed reports whether parent's key verifies child's signature.
func (v *verifier) signed(child, parent *Certificate) bool {
	k := [2]*Certificate{child, parent}
	ok, seen := v.sigs[k]
	if !seen {
		if v.sigs == nil {
			v.sigs = map[[2]*Certificate]bool{}
		}
		ok = child.CheckSignatureFrom(parent) == nil
		v.sigs[k] = ok
	}
	return ok
}

// build extends path (leaf first) towards a trust anchor, depth first,
// trusted issuers before untrusted ones.
func (v *verifier) build(path []*Certificate) ([]*Certificate, error) {
	cur := path[len(path)-1]
	depth := len(path) - 1
	// A certificate that is itself a trust anchor ends the path.
	if v.opts.Roots.contains(cur) {
		return path, v.check(path)
	}
	if intermediates(path[1:]) > v.maxDepth || len(path) > maxPathLen {
		return nil, verr(CodeCertChainTooLong, depth, cur)
	}
	// An untrusted self-signed certificate ends the chain: OpenSSL looks
	// no further than it.
	if cur.IsSelfIssued() && v.signed(cur, cur) {
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
				res = next
				if intermediates(next[1:len(next)-1]) > v.maxDepth {
					err = verr(CodeCertChainTooLong, depth, cur)
				} else {
					err = v.check(next)
				}
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
	if depth == 0 {
		return nil, verr(CodeUnableToVerifyLeafSignature, 0, cur)
	}
	return nil, verr(CodeUnableToGetIssuerCertLocally, depth, cur)
}

// intermediates counts the certificates that use up verify depth: the
// self-issued ones (key rollover) are not counted (RFC 5280, Section
// 6.1.4 (l) counts path length the same way).
func intermediates(cs []*Certificate) int {
	n := 0
	for _, c := range cs {
		if !c.IsSelfIssued() {
			n++
		}
	}
	return n
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
			// RFC 5280, Section 4.1.2.6: a CA's subject MUST NOT be empty.
			if len(c.Subject.RDNs) == 0 {
				return verr(CodeInvalidCA, i, c)
			}
			// RFC 5280, Section 4.2.1.9: pathLenConstraint counts the
			// non-self-issued intermediates below this CA.
			if c.MaxPathLen >= 0 && intermediates(path[1:i]) > c.MaxPathLen {
				return verr(CodePathLengthExceeded, i, c)
			}
		}
		if err := v.checkPurpose(c, i); err != nil {
			return err
		}
	}
	// Key sizes and signature digests (OpenSSL's check_key_level and
	// check_sig_level at security level 1, SHA-1 allowed by option).
	for i, c := range path {
		if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
			if i == 0 {
				return verr(CodeEEKeyTooSmall, i, c)
			}
			return verr(CodeCAKeyTooSmall, i, c)
		}
		if i < top {
			switch c.SignatureAlgorithm {
			case MD5WithRSA:
				return verr(CodeCAMDTooWeak, i, c)
			case SHA1WithRSA, ECDSAWithSHA1:
				if !v.opts.AllowSHA1 {
					return verr(CodeCAMDTooWeak, i, c)
				}
			}
		}
	}
	if err := v.checkRevocation(path); err != nil {
		return err
	}
	// Signatures and validity from the anchor down (internal_verify). The
	// anchor's own signature is not checked: it is trusted as configured.
	for i := top; i >= 0; i-- {
		c := path[i]
		if i < top && !v.signed(c, path[i+1]) {
			return verr(CodeCertSignatureFailure, i, c)
		}
		if v.now.Before(c.NotBefore) {
			return verr(CodeCertNotYetValid, i, c)
		}
		if v.now.After(c.NotAfter) {
			return verr(CodeCertHasExpired, i, c)
		}
	}
	// The CN can stand for a host name only when a DNS host will be (or
	// may later be) matched against a leaf without DNS SANs.
	_, ipHost := parseNodeIP(v.opts.DNSName)
	return checkNameConstraints(path, !ipHost)
}

// checkPurpose is OpenSSL's SSL client/server purpose: an
// extendedKeyUsage extension, wherever present in the path, must allow
// the purpose, and the leaf's keyUsage, when present, must allow the key
// to be used in a handshake.
func (v *verifier) checkPurpose(c *Certificate, depth int) error {
	var eku asn1.ObjectIdentifier
	var leafKU KeyUsage
	switch v.opts.Purpose {
	case PurposeServerAuth:
		eku = OIDExtKeyUsageServerAuth
		leafKU = KeyUsageDigitalSignature | KeyUsageKeyEncipherment | KeyUsageKeyAgreement
	case PurposeClientAuth:
		eku = OIDExtKeyUsageClientAuth
		leafKU = KeyUsageDigitalSignature | KeyUsageKeyAgreement
	default:
		return nil
	}
	if !c.hasEKU(eku) {
		return verr(CodeInvalidPurpose, depth, c)
	}
	if depth == 0 && c.HasKeyUsage && c.KeyUsage&leafKU == 0 {
		return verr(CodeInvalidPurpose, depth, c)
	}
	return nil
}

// checkNameConstraints applies each CA's name constraints to every
// certificate below it (RFC 5280, Section 4.2.1.10 and 6.1.3 (b)/(c)):
// DNS names, IP addresses, email addresses, URIs and directory names
// (subjects and directoryName SANs). A name form the CA constrains in a
// way x509lite cannot evaluate fails closed.
//
// Without DNS SANs, Node (and OpenSSL's name-constraint check) treat a
// leaf CN that looks like a host name as a DNS name; cnIsName says whether
// that can happen for this verification.
func checkNameConstraints(path []*Certificate, cnIsName bool) error {
	for i := len(path) - 1; i > 0; i-- {
		ca := path[i]
		if !ca.HasNameConstraints {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			c := path[j]
			// RFC 5280, Section 6.1.3 (b): self-issued intermediates are
			// exempt.
			if j > 0 && c.IsSelfIssued() {
				continue
			}
			if code := ca.constrain(c, j == 0 && cnIsName); code != "" {
				return verr(code, j, c)
			}
		}
	}
	return nil
}

// constrain returns the violation code for c's names under ca's
// constraints, or "".
func (ca *Certificate) constrain(c *Certificate, cnIsName bool) string {
	// OpenSSL refuses to compare more than 2^20 name/constraint pairs per
	// certificate (a denial-of-service guard); so do we.
	names := len(c.sans)
	for _, rdn := range c.Subject.RDNs {
		names += len(rdn)
	}
	if names > 0 && ca.ncCount > maxNameChecks/names {
		return CodeUnspecified
	}
	for _, n := range c.sans {
		if ca.ncUnsupported&(1<<n.tag) != 0 {
			return CodeUnsupportedConstraintType
		}
	}
	dns := c.DNSNames
	if cnIsName && len(c.DNSNames) == 0 {
		// Without DNS SANs, a leaf's CN may be matched as a host name
		// (Node falls back to it), so it must obey the DNS constraints.
		for _, cn := range c.Subject.CommonNames() {
			if looksLikeHostname(cn) {
				dns = append(dns, cn)
			}
		}
	}
	for _, n := range dns {
		if code := dnsConstraint(ca, n); code != "" {
			return code
		}
	}
	for _, ip := range c.IPAddresses {
		if code := ipConstraint(ca, ip); code != "" {
			return code
		}
	}
	emails := c.EmailAddresses
	if !c.HasSAN {
		// RFC 5280, Section 4.2.1.10: emailAddress attributes of the
		// subject obey rfc822Name constraints.
		emails = append(emails, c.Subject.values(oidEmailAddress)...)
	}
	for _, e := range emails {
		if code := emailConstraint(ca, e); code != "" {
			return code
		}
	}
	for _, u := range c.URIs {
		if code := uriConstraint(ca, u); code != "" {
			return code
		}
	}
	if len(c.Subject.RDNs) > 0 {
		if code := dirConstraint(ca, c.Subject); code != "" {
			return code
		}
	}
	for _, n := range c.sans {
		if n.tag == sanDirName {
			nm, err := parseName([]byte(n.value))
			if err != nil {
				return CodeUnsupportedNameSyntax
			}
			if code := dirConstraint(ca, nm); code != "" {
				return code
			}
		}
	}
	return ""
}

// looksLikeHostname is the test for treating a CN as a DNS name: letters,
// digits, hyphens, underscores and dots, with at least one dot.
func looksLikeHostname(s string) bool {
	if s == "" || !strings.Contains(s, ".") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '*') {
			return false
		}
	}
	return true
}

// validDNSName reports whether a SAN dNSName is a host name, optionally
// with a leading "*." (RFC 5280, Section 4.2.1.6 with the RFC 1034
// preferred syntax, loosened for underscores).
func validDNSName(n string) bool {
	n = strings.TrimPrefix(n, "*.")
	n = strings.TrimSuffix(n, ".")
	if n == "" || len(n) > 253 {
		return false
	}
	for _, l := range strings.Split(n, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func dnsConstraint(ca *Certificate, name string) string {
	if len(ca.PermittedDNSDomains) == 0 && len(ca.ExcludedDNSDomains) == 0 {
		return ""
	}
	// A name that is not a host name cannot be shown to be inside (or
	// outside) a subtree.
	if !validDNSName(name) {
		return CodeUnsupportedNameSyntax
	}
	name = asciiLower(strings.TrimSuffix(name, "."))
	wildcard := strings.HasPrefix(name, "*.")
	for _, ex := range ca.ExcludedDNSDomains {
		if dnsWithin(name, ex) {
			return CodeExcludedViolation
		}
		// A wildcard name could stand for the excluded name itself
		// ("*.example.com" covers "bar.example.com"), so it is excluded
		// too (CVE-2025-61727).
		if wildcard {
			e := asciiLower(strings.TrimSuffix(ex, "."))
			if l, rest, ok := strings.Cut(e, "."); ok && l != "" && rest == name[2:] {
				return CodeExcludedViolation
			}
		}
	}
	if len(ca.PermittedDNSDomains) == 0 {
		return ""
	}
	for _, p := range ca.PermittedDNSDomains {
		if dnsWithin(name, p) {
			return ""
		}
	}
	return CodePermittedViolation
}

// dnsWithin reports whether name (lower case) is the constraint or below
// it. A constraint with a leading dot matches only proper subdomains; an
// empty one matches everything. A wildcard name is within a constraint
// when every name it stands for is.
func dnsWithin(name, constraint string) bool {
	c := asciiLower(strings.TrimSuffix(constraint, "."))
	if c == "" {
		return true
	}
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(name, c)
	}
	return name == c || strings.HasSuffix(name, "."+c)
}

func ipConstraint(ca *Certificate, ip netip.Addr) string {
	for _, ex := range ca.ExcludedIPRanges {
		if prefixContains(ex, ip) {
			return CodeExcludedViolation
		}
	}
	if len(ca.PermittedIPRanges) == 0 {
		return ""
	}
	for _, p := range ca.PermittedIPRanges {
		if prefixContains(p, ip) {
			return ""
		}
	}
	return CodePermittedViolation
}

// prefixContains compares an address with a constraint of the same
// length only (an IPv4 constraint says nothing about IPv6 addresses).
func prefixContains(p netip.Prefix, ip netip.Addr) bool {
	return p.Addr().BitLen() == ip.BitLen() && p.Masked().Contains(ip)
}

func emailConstraint(ca *Certificate, email string) string {
	if len(ca.PermittedEmails) == 0 && len(ca.ExcludedEmails) == 0 {
		return ""
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || !validDNSName(domain) {
		return CodeUnsupportedNameSyntax
	}
	// RFC 5280, Section 4.2.1.10: a constraint with "@" is one mailbox,
	// a leading dot any host below a domain, otherwise one host. Local
	// parts compare exactly, host parts without case.
	for _, c := range ca.PermittedEmails {
		if !validEmailConstraint(c) {
			return CodeUnsupportedNameSyntax
		}
	}
	for _, c := range ca.ExcludedEmails {
		if !validEmailConstraint(c) {
			return CodeUnsupportedNameSyntax
		}
	}
	match := func(c string) bool {
		if cl, cd, ok := strings.Cut(c, "@"); ok {
			return cl == local && strings.EqualFold(cd, domain)
		}
		if strings.HasPrefix(c, ".") {
			return strings.HasSuffix(asciiLower(domain), asciiLower(c))
		}
		return strings.EqualFold(c, domain)
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

// validEmailConstraint accepts a mailbox ("local@host"), a host, or a
// domain with a leading dot.
func validEmailConstraint(c string) bool {
	if local, host, ok := strings.Cut(c, "@"); ok {
		return local != "" && !strings.Contains(host, "@") && validDNSName(host) && !strings.HasPrefix(host, "*")
	}
	c = strings.TrimPrefix(c, ".")
	return validDNSName(c) && !strings.HasPrefix(c, "*")
}

// uriConstraint applies host constraints to the host of a URI (RFC 5280,
// Section 4.2.1.10): ".example.com" covers hosts below the domain,
// "example.com" that host only. A URI without a host name (a URN, or an
// IP literal host) cannot be checked and fails.
func uriConstraint(ca *Certificate, uri string) string {
	if len(ca.PermittedURIDomains) == 0 && len(ca.ExcludedURIDomains) == 0 {
		return ""
	}
	host, ok := uriHost(uri)
	if !ok {
		return CodeUnsupportedNameSyntax
	}
	host = asciiLower(host)
	match := func(c string) bool {
		c = asciiLower(c)
		if strings.HasPrefix(c, ".") {
			return strings.HasSuffix(host, c)
		}
		return host == c
	}
	for _, ex := range ca.ExcludedURIDomains {
		if match(ex) {
			return CodeExcludedViolation
		}
	}
	if len(ca.PermittedURIDomains) == 0 {
		return ""
	}
	for _, p := range ca.PermittedURIDomains {
		if match(p) {
			return ""
		}
	}
	return CodePermittedViolation
}

// uriHost extracts the host name of "scheme://[userinfo@]host[:port]/...".
func uriHost(uri string) (string, bool) {
	_, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "[") {
		return "", false
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	if _, err := netip.ParseAddr(rest); err == nil || !validDNSName(rest) || strings.HasPrefix(rest, "*") {
		return "", false
	}
	return rest, true
}

// dirConstraint applies directoryName constraints: a name is within a
// subtree when the constraint's RDNs are its first RDNs (RFC 5280,
// Section 4.2.1.10), values compared without case and with runs of
// spaces folded, as OpenSSL's canonical form does.
func dirConstraint(ca *Certificate, n Name) string {
	for _, ex := range ca.excludedDirs {
		if n.hasPrefix(ex) {
			return CodeExcludedViolation
		}
	}
	if len(ca.permittedDirs) == 0 {
		return ""
	}
	for _, p := range ca.permittedDirs {
		if n.hasPrefix(p) {
			return ""
		}
	}
	return CodePermittedViolation
}
