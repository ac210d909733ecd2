package x509lite

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// PublicKeyAlgorithm names a certificate's key type.
type PublicKeyAlgorithm int

// Key algorithms.
const (
	UnknownPublicKeyAlgorithm PublicKeyAlgorithm = iota
	RSA
	ECDSA
	Ed25519
)

// String returns "RSA", "ECDSA", "Ed25519" or "unknown".
func (a PublicKeyAlgorithm) String() string {
	names := [...]string{"unknown", "RSA", "ECDSA", "Ed25519"}
	if a < 0 || int(a) >= len(names) {
		return "unknown"
	}
	return names[a]
}

// SignatureAlgorithm names a certificate's signature algorithm.
type SignatureAlgorithm int

// Signature algorithms.
const (
	UnknownSignatureAlgorithm SignatureAlgorithm = iota
	MD5WithRSA
	SHA1WithRSA
	SHA256WithRSA
	SHA384WithRSA
	SHA512WithRSA
	SHA256WithRSAPSS
	SHA384WithRSAPSS
	SHA512WithRSAPSS
	ECDSAWithSHA1
	ECDSAWithSHA256
	ECDSAWithSHA384
	ECDSAWithSHA512
	PureEd25519
)

var sigAlgNames = [...]string{"unknown", "md5WithRSAEncryption", "sha1WithRSAEncryption", "sha256WithRSAEncryption",
	"sha384WithRSAEncryption", "sha512WithRSAEncryption", "rsassaPss-sha256", "rsassaPss-sha384", "rsassaPss-sha512",
	"ecdsa-with-SHA1", "ecdsa-with-SHA256", "ecdsa-with-SHA384", "ecdsa-with-SHA512", "ED25519"}

// String returns OpenSSL's name for the algorithm, e.g.
// "sha256WithRSAEncryption", "ecdsa-with-SHA256", "ED25519".
func (a SignatureAlgorithm) String() string {
	if a < 0 || int(a) >= len(sigAlgNames) {
		return "unknown"
	}
	return sigAlgNames[a]
}

// KeyUsage is the keyUsage bit set (RFC 5280, Section 4.2.1.3), bit 0 first.
type KeyUsage int

// Key usages.
const (
	KeyUsageDigitalSignature KeyUsage = 1 << iota
	KeyUsageContentCommitment
	KeyUsageKeyEncipherment
	KeyUsageDataEncipherment
	KeyUsageKeyAgreement
	KeyUsageCertSign
	KeyUsageCRLSign
	KeyUsageEncipherOnly
	KeyUsageDecipherOnly
)

// Extension is one raw certificate extension.
type Extension struct {
	ID       asn1.ObjectIdentifier
	Critical bool
	Value    []byte
}

// Certificate is a parsed X.509 v1-v3 certificate.
type Certificate struct {
	Raw, RawTBSCertificate, RawSubject, RawIssuer, RawSubjectPublicKeyInfo []byte

	Version             int
	SerialNumber        *big.Int
	Subject, Issuer     Name
	NotBefore, NotAfter time.Time
	PublicKeyAlgorithm  PublicKeyAlgorithm
	PublicKey           crypto.PublicKey
	SignatureAlgorithm  SignatureAlgorithm
	Signature           []byte

	BasicConstraintsValid, IsCA bool
	MaxPathLen                  int // -1 when absent
	KeyUsage                    KeyUsage
	HasKeyUsage                 bool
	ExtKeyUsage                 []asn1.ObjectIdentifier

	DNSNames       []string
	EmailAddresses []string
	IPAddresses    []netip.Addr
	URIs           []string
	// HasSAN is set when a subjectAltName extension is present.
	HasSAN bool
	sans   []generalName // every SAN entry, in order

	SubjectKeyID, AuthorityKeyID        []byte
	OCSPServers, IssuingCertificateURLs []string
	CRLDistributionPoints               []string

	HasNameConstraints                      bool
	PermittedDNSDomains, ExcludedDNSDomains []string
	PermittedIPRanges, ExcludedIPRanges     []netip.Prefix
	PermittedEmails, ExcludedEmails         []string
	PermittedURIDomains, ExcludedURIDomains []string
	// UnsupportedNameConstraint is set when a subtree uses a name form
	// (otherName, x400Address, ediPartyName, registeredID) or a
	// minimum/maximum that x509lite cannot evaluate; a certificate below
	// that carries a name of that form then fails verification.
	UnsupportedNameConstraint   bool
	ncUnsupported               uint16 // bit per GeneralName kind
	ncCount                     int    // subtrees, permitted and excluded
	permittedDirs, excludedDirs []Name
	Extensions                  []Extension
	UnhandledCriticalExtensions []asn1.ObjectIdentifier
}

// OIDs used below.
var (
	oidRSA          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEC           = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519      = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidP256         = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384         = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521         = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
	oidSHA256       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidExtSKI       = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKU        = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSAN       = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtBC        = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtNC        = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidExtCRLDP     = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidExtPolicies  = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidExtAKI       = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtEKU       = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtAIA       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidAIAOCSP      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidAIACAIssuers = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}

	// OIDExtKeyUsageServerAuth and the others are the EKU purposes.
	OIDExtKeyUsageAny        = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	OIDExtKeyUsageServerAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	OIDExtKeyUsageClientAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
)

var sigAlgOIDs = []struct {
	oid asn1.ObjectIdentifier
	alg SignatureAlgorithm
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}, MD5WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, SHA1WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, SHA256WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, SHA384WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, SHA512WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, ECDSAWithSHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, ECDSAWithSHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, ECDSAWithSHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, ECDSAWithSHA512},
	{oidEd25519, PureEd25519},
}

func parseErr(field string) error {
	return fmt.Errorf("x509lite: malformed certificate: %s", field)
}

// ParseCertificate parses one DER certificate strictly.
func ParseCertificate(der []byte) (*Certificate, error) {
	c := &Certificate{Raw: append([]byte(nil), der...), MaxPathLen: -1}
	input := cryptobyte.String(c.Raw)
	var cert, tbs cryptobyte.String
	if !input.ReadASN1(&cert, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, parseErr("outer SEQUENCE or trailing data")
	}
	var rawTBS cryptobyte.String
	if !cert.ReadASN1Element(&rawTBS, cbasn1.SEQUENCE) {
		return nil, parseErr("tbsCertificate")
	}
	c.RawTBSCertificate = rawTBS
	tbs = rawTBS
	if !tbs.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, parseErr("tbsCertificate")
	}
	// version [0] EXPLICIT Version DEFAULT v1
	c.Version = 1
	var hasVersion bool
	var verField cryptobyte.String
	if !tbs.ReadOptionalASN1(&verField, &hasVersion, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, parseErr("version")
	}
	if hasVersion {
		var v int64
		if !verField.ReadASN1Integer(&v) || !verField.Empty() || v < 0 || v > 2 {
			return nil, parseErr("version")
		}
		// DER: a DEFAULT value must be omitted.
		if v == 0 {
			return nil, parseErr("explicit v1 version")
		}
		c.Version = int(v) + 1
	}
	c.SerialNumber = new(big.Int)
	if !tbs.ReadASN1Integer(c.SerialNumber) {
		return nil, parseErr("serialNumber")
	}
	var innerSig cryptobyte.String
	if !tbs.ReadASN1Element(&innerSig, cbasn1.SEQUENCE) {
		return nil, parseErr("signature")
	}
	var rawIssuer, rawSubject, validity cryptobyte.String
	if !tbs.ReadASN1Element(&rawIssuer, cbasn1.SEQUENCE) {
		return nil, parseErr("issuer")
	}
	c.RawIssuer = rawIssuer
	var err error
	if c.Issuer, err = parseName(rawIssuer); err != nil {
		return nil, err
	}
	if !tbs.ReadASN1(&validity, cbasn1.SEQUENCE) {
		return nil, parseErr("validity")
	}
	if c.NotBefore, err = parseTime(&validity); err != nil {
		return nil, err
	}
	if c.NotAfter, err = parseTime(&validity); err != nil {
		return nil, err
	}
	if !validity.Empty() {
		return nil, parseErr("validity")
	}
	if !tbs.ReadASN1Element(&rawSubject, cbasn1.SEQUENCE) {
		return nil, parseErr("subject")
	}
	c.RawSubject = rawSubject
	if c.Subject, err = parseName(rawSubject); err != nil {
		return nil, err
	}
	var spki cryptobyte.String
	if !tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return nil, parseErr("subjectPublicKeyInfo")
	}
	c.RawSubjectPublicKeyInfo = spki
	if c.PublicKeyAlgorithm, c.PublicKey, err = parseSPKI(spki); err != nil {
		return nil, err
	}
	// issuerUniqueID [1] and subjectUniqueID [2] (v2+), then extensions [3] (v3).
	for _, tag := range []cbasn1.Tag{cbasn1.Tag(1).ContextSpecific(), cbasn1.Tag(2).ContextSpecific()} {
		if !tbs.SkipOptionalASN1(tag) {
			return nil, parseErr("unique id")
		}
	}
	var exts cryptobyte.String
	var hasExts bool
	if !tbs.ReadOptionalASN1(&exts, &hasExts, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return nil, parseErr("extensions")
	}
	if !tbs.Empty() {
		return nil, parseErr("trailing tbsCertificate data")
	}
	if hasExts {
		if c.Version != 3 {
			return nil, parseErr("extensions in a v1/v2 certificate")
		}
		if err := c.parseExtensions(exts); err != nil {
			return nil, err
		}
	}
	var outerSig cryptobyte.String
	if !cert.ReadASN1Element(&outerSig, cbasn1.SEQUENCE) {
		return nil, parseErr("signatureAlgorithm")
	}
	// RFC 5280, Section 4.1.1.2: the field MUST equal the TBS signature.
	if !bytes.Equal(outerSig, innerSig) {
		return nil, parseErr("signature algorithm mismatch")
	}
	c.SignatureAlgorithm = parseSigAlg(outerSig)
	var sig asn1.BitString
	if !cert.ReadASN1BitString(&sig) || sig.BitLength%8 != 0 || !cert.Empty() {
		return nil, parseErr("signatureValue")
	}
	c.Signature = sig.Bytes
	return c, nil
}

// parseTime reads a UTCTime or GeneralizedTime in the only forms RFC
// 5280, Section 4.1.2.5 allows: "YYMMDDHHMMSSZ" and "YYYYMMDDHHMMSSZ"
// (seconds present, no fractions, UTC). UTCTime years 50-99 are 19xx.
func parseTime(s *cryptobyte.String) (time.Time, error) {
	var raw cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&raw, &tag) {
		return time.Time{}, parseErr("time")
	}
	var year int
	var rest []byte
	switch {
	case tag == cbasn1.UTCTime && len(raw) == 13:
		yy, ok := digits(raw[:2])
		if !ok {
			return time.Time{}, parseErr("UTCTime")
		}
		year = 1900 + yy
		if yy < 50 {
			year = 2000 + yy
		}
		rest = raw[2:]
	case tag == cbasn1.GeneralizedTime && len(raw) == 15:
		y, ok := digits(raw[:4])
		if !ok {
			return time.Time{}, parseErr("GeneralizedTime")
		}
		year, rest = y, raw[4:]
	default:
		return time.Time{}, parseErr("time")
	}
	// rest is MMDDHHMMSSZ.
	var f [5]int
	for i := range f {
		v, ok := digits(rest[2*i : 2*i+2])
		if !ok {
			return time.Time{}, parseErr("time digits")
		}
		f[i] = v
	}
	if rest[10] != 'Z' {
		return time.Time{}, parseErr("time zone")
	}
	t := time.Date(year, time.Month(f[0]), f[1], f[2], f[3], f[4], 0, time.UTC)
	// Out-of-range fields would be normalized by time.Date; refuse them.
	if t.Year() != year || int(t.Month()) != f[0] || t.Day() != f[1] || t.Hour() != f[2] || t.Minute() != f[3] || t.Second() != f[4] {
		return time.Time{}, parseErr("time value")
	}
	return t, nil
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseSigAlg maps an AlgorithmIdentifier to a SignatureAlgorithm.
func parseSigAlg(raw []byte) SignatureAlgorithm {
	s := cryptobyte.String(raw)
	var alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return UnknownSignatureAlgorithm
	}
	if oid.Equal(oidRSAPSS) {
		return parsePSSParams(alg)
	}
	for _, e := range sigAlgOIDs {
		if oid.Equal(e.oid) {
			// Ed25519 and ECDSA take no parameters; RSA takes NULL or none.
			if e.alg == PureEd25519 || e.alg >= ECDSAWithSHA1 {
				if !alg.Empty() {
					return UnknownSignatureAlgorithm
				}
			}
			return e.alg
		}
	}
	return UnknownSignatureAlgorithm
}

// parsePSSParams reads RSASSA-PSS-params (RFC 4055, Section 3.1) and
// accepts the combinations with MGF1 over the same hash and a salt as long
// as the hash.
func parsePSSParams(params cryptobyte.String) SignatureAlgorithm {
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return UnknownSignatureAlgorithm
	}
	var hashField cryptobyte.String
	var has bool
	if !seq.ReadOptionalASN1(&hashField, &has, cbasn1.Tag(0).Constructed().ContextSpecific()) || !has {
		return UnknownSignatureAlgorithm
	}
	var hashAlg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !hashField.ReadASN1(&hashAlg, cbasn1.SEQUENCE) || !hashAlg.ReadASN1ObjectIdentifier(&oid) {
		return UnknownSignatureAlgorithm
	}
	switch {
	case oid.Equal(oidSHA256):
		return SHA256WithRSAPSS
	case oid.Equal(oidSHA384):
		return SHA384WithRSAPSS
	case oid.Equal(oidSHA512):
		return SHA512WithRSAPSS
	}
	return UnknownSignatureAlgorithm
}

func parseSPKI(raw []byte) (PublicKeyAlgorithm, crypto.PublicKey, error) {
	s := cryptobyte.String(raw)
	var spki, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var key asn1.BitString
	if !s.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) || !spki.ReadASN1BitString(&key) || !spki.Empty() || key.BitLength%8 != 0 {
		return 0, nil, parseErr("subjectPublicKeyInfo")
	}
	switch {
	case oid.Equal(oidRSA):
		// RFC 3279, Section 2.3.1: the parameters MUST be NULL.
		if !alg.Empty() && !(alg.PeekASN1Tag(cbasn1.NULL) && alg.SkipASN1(cbasn1.NULL) && alg.Empty()) {
			return 0, nil, parseErr("RSA parameters")
		}
		pub, err := parseRSAPublicKey(key.Bytes)
		return RSA, pub, err
	case oid.Equal(oidEC):
		var curveOID asn1.ObjectIdentifier
		if !alg.ReadASN1ObjectIdentifier(&curveOID) || !alg.Empty() {
			return 0, nil, parseErr("EC parameters")
		}
		c := curveFor(curveOID)
		if c == nil {
			return 0, nil, fmt.Errorf("x509lite: unsupported elliptic curve %v", curveOID)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(c, key.Bytes)
		if err != nil {
			return 0, nil, parseErr("EC point")
		}
		return ECDSA, pub, nil
	case oid.Equal(oidEd25519):
		if !alg.Empty() || len(key.Bytes) != ed25519.PublicKeySize {
			return 0, nil, parseErr("Ed25519 key")
		}
		return Ed25519, ed25519.PublicKey(append([]byte(nil), key.Bytes...)), nil
	}
	return UnknownPublicKeyAlgorithm, nil, nil
}

func curveFor(oid asn1.ObjectIdentifier) elliptic.Curve {
	switch {
	case oid.Equal(oidP256):
		return elliptic.P256()
	case oid.Equal(oidP384):
		return elliptic.P384()
	case oid.Equal(oidP521):
		return elliptic.P521()
	}
	return nil
}

func parseRSAPublicKey(der []byte) (*rsa.PublicKey, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	n, e := new(big.Int), new(big.Int)
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(n) || !seq.ReadASN1Integer(e) || !seq.Empty() {
		return nil, parseErr("RSA public key")
	}
	if n.Sign() <= 0 || e.Sign() <= 0 || !e.IsInt64() || e.Int64() > 1<<31-1 || n.BitLen() > 16384 {
		return nil, parseErr("RSA modulus or exponent")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// ErrUnsupportedAlgorithm is returned for a signature we cannot check.
var ErrUnsupportedAlgorithm = errors.New("x509lite: unsupported signature algorithm")
