package x509lite

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RevokedCertificate is one entry of a CRL.
type RevokedCertificate struct {
	SerialNumber   *big.Int
	RevocationTime time.Time
}

// CRL is a parsed X.509 v1 or v2 certificate revocation list (RFC 5280,
// Section 5).
type CRL struct {
	Raw, RawTBSCertList, RawIssuer []byte

	Version                int // 1 or 2
	Issuer                 Name
	ThisUpdate, NextUpdate time.Time // NextUpdate is zero when absent
	RevokedCertificates    []RevokedCertificate
	SignatureAlgorithm     SignatureAlgorithm
	Signature              []byte
	Number                 *big.Int // cRLNumber, nil when absent
	AuthorityKeyID         []byte
	Extensions             []Extension
	// UnhandledCriticalExtensions lists critical CRL or entry extensions
	// x509lite does not process; such a CRL cannot be used.
	UnhandledCriticalExtensions []asn1.ObjectIdentifier

	onlyUser, onlyCA bool // issuingDistributionPoint scope
	revoked          map[string]bool
}

// CRL verification codes (OpenSSL's names and texts).
const (
	CodeUnableToGetCRL                = "UNABLE_TO_GET_CRL"
	CodeCRLSignatureFailure           = "CRL_SIGNATURE_FAILURE"
	CodeCRLNotYetValid                = "CRL_NOT_YET_VALID"
	CodeCRLHasExpired                 = "CRL_HAS_EXPIRED"
	CodeKeyUsageNoCRLSign             = "KEYUSAGE_NO_CRL_SIGN"
	CodeUnhandledCriticalCRLExtension = "UNHANDLED_CRITICAL_CRL_EXTENSION"
)

func init() {
	reasons[CodeUnableToGetCRL] = "unable to get certificate CRL"
	reasons[CodeCRLSignatureFailure] = "CRL signature failure"
	reasons[CodeCRLNotYetValid] = "CRL is not yet valid"
	reasons[CodeCRLHasExpired] = "CRL has expired"
	reasons[CodeKeyUsageNoCRLSign] = "key usage does not include CRL signing"
	reasons[CodeUnhandledCriticalCRLExtension] = "unhandled critical CRL extension"
}

// ParseCRLs reads every "X509 CRL" block of PEM data, or one or more
// concatenated DER CRLs.
func ParseCRLs(data []byte) ([]*CRL, error) {
	var out []*CRL
	if bytes.Contains(data, []byte("-----BEGIN")) {
		rest := data
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "X509 CRL" {
				continue
			}
			crl, err := ParseCRL(b.Bytes)
			if err != nil {
				return nil, err
			}
			out = append(out, crl)
		}
	} else {
		for len(data) > 0 {
			der := firstElement(data)
			if len(der) == 0 {
				return nil, errors.New("x509lite: malformed CRL: DER framing")
			}
			crl, err := ParseCRL(der)
			if err != nil {
				return nil, err
			}
			out = append(out, crl)
			data = data[len(der):]
		}
	}
	if len(out) == 0 {
		return nil, errors.New("x509lite: no CRL in data")
	}
	return out, nil
}

// ParseCRL parses one DER CertificateList strictly.
func ParseCRL(der []byte) (*CRL, error) {
	bad := func(field string) error { return errors.New("x509lite: malformed CRL: " + field) }
	c := &CRL{Raw: append([]byte(nil), der...), Version: 1, revoked: map[string]bool{}}
	input := cryptobyte.String(c.Raw)
	var list, tbs, rawTBS cryptobyte.String
	if !input.ReadASN1(&list, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, bad("outer SEQUENCE or trailing data")
	}
	if !list.ReadASN1Element(&rawTBS, cbasn1.SEQUENCE) {
		return nil, bad("tbsCertList")
	}
	c.RawTBSCertList = rawTBS
	tbs = rawTBS
	if !tbs.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, bad("tbsCertList")
	}
	if tbs.PeekASN1Tag(cbasn1.INTEGER) {
		var v int64
		// RFC 5280, Section 5.1.2.1: when present, version MUST be v2.
		if !tbs.ReadASN1Integer(&v) || v != 1 {
			return nil, bad("version")
		}
		c.Version = 2
	}
	var innerSig, rawIssuer cryptobyte.String
	if !tbs.ReadASN1Element(&innerSig, cbasn1.SEQUENCE) {
		return nil, bad("signature")
	}
	if !tbs.ReadASN1Element(&rawIssuer, cbasn1.SEQUENCE) {
		return nil, bad("issuer")
	}
	c.RawIssuer = rawIssuer
	var err error
	if c.Issuer, err = parseName(rawIssuer); err != nil {
		return nil, err
	}
	if c.ThisUpdate, err = parseTime(&tbs); err != nil {
		return nil, bad("thisUpdate")
	}
	if tbs.PeekASN1Tag(cbasn1.UTCTime) || tbs.PeekASN1Tag(cbasn1.GeneralizedTime) {
		if c.NextUpdate, err = parseTime(&tbs); err != nil {
			return nil, bad("nextUpdate")
		}
	}
	if tbs.PeekASN1Tag(cbasn1.SEQUENCE) {
		var revoked cryptobyte.String
		if !tbs.ReadASN1(&revoked, cbasn1.SEQUENCE) {
			return nil, bad("revokedCertificates")
		}
		for !revoked.Empty() {
			var entry cryptobyte.String
			r := RevokedCertificate{SerialNumber: new(big.Int)}
			if !revoked.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.ReadASN1Integer(r.SerialNumber) {
				return nil, bad("revoked entry")
			}
			if r.RevocationTime, err = parseTime(&entry); err != nil {
				return nil, bad("revocationDate")
			}
			if !entry.Empty() {
				exts, err := readExtensions(&entry)
				if err != nil || !entry.Empty() {
					return nil, bad("crlEntryExtensions")
				}
				for _, e := range exts {
					// reasonCode and invalidityDate are informative;
					// certificateIssuer (indirect CRLs) is not supported.
					if e.Critical {
						c.UnhandledCriticalExtensions = append(c.UnhandledCriticalExtensions, e.ID)
					}
				}
			}
			c.RevokedCertificates = append(c.RevokedCertificates, r)
			c.revoked[r.SerialNumber.String()] = true
		}
	}
	var extField cryptobyte.String
	var hasExt bool
	if !tbs.ReadOptionalASN1(&extField, &hasExt, cbasn1.Tag(0).Constructed().ContextSpecific()) || !tbs.Empty() {
		return nil, bad("crlExtensions")
	}
	if hasExt {
		if c.Extensions, err = readExtensions(&extField); err != nil || !extField.Empty() {
			return nil, bad("crlExtensions")
		}
		for _, e := range c.Extensions {
			if !c.parseCRLExtension(e) && e.Critical {
				c.UnhandledCriticalExtensions = append(c.UnhandledCriticalExtensions, e.ID)
			}
		}
	}
	var outerSig cryptobyte.String
	if !list.ReadASN1Element(&outerSig, cbasn1.SEQUENCE) || !bytes.Equal(outerSig, innerSig) {
		return nil, bad("signatureAlgorithm")
	}
	c.SignatureAlgorithm = parseSigAlg(outerSig)
	var sig asn1.BitString
	if !list.ReadASN1BitString(&sig) || sig.BitLength%8 != 0 || !list.Empty() {
		return nil, bad("signatureValue")
	}
	c.Signature = sig.Bytes
	return c, nil
}

// IsRevoked reports whether the CRL lists the serial number.
func (c *CRL) IsRevoked(serial *big.Int) bool {
	return serial != nil && c.revoked[serial.String()]
}

// CheckSignatureFrom checks that issuer's key signed the CRL.
func (c *CRL) CheckSignatureFrom(issuer *Certificate) error {
	return checkSignature(c.SignatureAlgorithm, c.RawTBSCertList, c.Signature, issuer.PublicKey)
}

var (
	oidExtCRLNumber = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidExtIDP       = asn1.ObjectIdentifier{2, 5, 29, 28}
)

// parseCRLExtension reads the CRL extensions x509lite understands and
// reports whether it handled e.
func (c *CRL) parseCRLExtension(e Extension) bool {
	v := cryptobyte.String(e.Value)
	switch {
	case e.ID.Equal(oidExtCRLNumber):
		n := new(big.Int)
		if !v.ReadASN1Integer(n) || !v.Empty() {
			return false
		}
		c.Number = n
		// RFC 5280, Section 5.2.3: this extension MUST be non-critical.
		return !e.Critical
	case e.ID.Equal(oidExtAKI):
		var seq cryptobyte.String
		if v.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()) {
			var id []byte
			if seq.ReadASN1Bytes(&id, cbasn1.Tag(0).ContextSpecific()) {
				c.AuthorityKeyID = id
			}
		}
		return !e.Critical
	case e.ID.Equal(oidExtIDP):
		// IssuingDistributionPoint (RFC 5280, Section 5.2.5): the scope
		// flags are applied; indirect CRLs and reason-partitioned CRLs
		// are not supported (left unhandled, so the CRL is unusable).
		var seq cryptobyte.String
		if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
			return false
		}
		if !seq.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return false
		}
		// [1] and [2] are IMPLICIT BOOLEAN DEFAULT FALSE: in DER, present
		// only as TRUE (0xff).
		for _, f := range []struct {
			tag cbasn1.Tag
			out *bool
		}{{cbasn1.Tag(1).ContextSpecific(), &c.onlyUser}, {cbasn1.Tag(2).ContextSpecific(), &c.onlyCA}} {
			var b cryptobyte.String
			var present bool
			if !seq.ReadOptionalASN1(&b, &present, f.tag) {
				return false
			}
			if present {
				if len(b) != 1 || b[0] != 0xff {
					return false
				}
				*f.out = true
			}
		}
		return seq.Empty()
	}
	return false
}

// readExtensions reads a SEQUENCE OF Extension.
func readExtensions(s *cryptobyte.String) ([]Extension, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, errors.New("extensions")
	}
	var out []Extension
	for !seq.Empty() {
		var ext cryptobyte.String
		var e Extension
		if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&e.ID) {
			return nil, errors.New("extension")
		}
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) && (!ext.ReadASN1Boolean(&e.Critical) || !e.Critical) {
			return nil, errors.New("extension critical flag")
		}
		var val []byte
		if !ext.ReadASN1Bytes(&val, cbasn1.OCTET_STRING) || !ext.Empty() {
			return nil, errors.New("extension value")
		}
		e.Value = val
		for _, prev := range out {
			if prev.ID.Equal(e.ID) {
				return nil, errors.New("duplicate extension")
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// checkRevocation is OpenSSL's CRL check with X509_V_FLAG_CRL_CHECK_ALL,
// which Node sets once any CRL is configured: every certificate of the
// path, the anchor included, needs a CRL from its issuer (the anchor's
// own CRL covers itself).
func (v *verifier) checkRevocation(path []*Certificate) error {
	if len(v.crls) == 0 && !v.requireCRL {
		return nil
	}
	top := len(path) - 1
	for i, c := range path {
		issuer := c
		if i < top {
			issuer = path[i+1]
		}
		if err := v.checkCert(c, issuer, i, i > 0); err != nil {
			return err
		}
	}
	return nil
}

func (v *verifier) checkCert(c, issuer *Certificate, depth int, isCA bool) error {
	var cands []*CRL
	for _, crl := range v.crls {
		if !bytes.Equal(crl.RawIssuer, c.RawIssuer) || (crl.onlyUser && isCA) || (crl.onlyCA && !isCA) {
			continue
		}
		if len(crl.AuthorityKeyID) > 0 && len(issuer.SubjectKeyID) > 0 && !bytes.Equal(crl.AuthorityKeyID, issuer.SubjectKeyID) {
			continue
		}
		cands = append(cands, crl)
	}
	if len(cands) == 0 {
		return verr(CodeUnableToGetCRL, depth, c)
	}
	// Prefer a CRL that is current, then the latest thisUpdate.
	best := cands[0]
	current := func(crl *CRL) bool {
		return !v.now.Before(crl.ThisUpdate) && (crl.NextUpdate.IsZero() || !v.now.After(crl.NextUpdate))
	}
	for _, crl := range cands[1:] {
		if current(crl) && (!current(best) || crl.ThisUpdate.After(best.ThisUpdate)) {
			best = crl
		}
	}
	// RFC 5280, Section 6.3.3 (f): the CRL issuer's keyUsage, when
	// present, must allow CRL signing.
	if issuer.HasKeyUsage && issuer.KeyUsage&KeyUsageCRLSign == 0 {
		return verr(CodeKeyUsageNoCRLSign, depth, c)
	}
	if len(best.UnhandledCriticalExtensions) > 0 {
		return verr(CodeUnhandledCriticalCRLExtension, depth, c)
	}
	if best.CheckSignatureFrom(issuer) != nil {
		return verr(CodeCRLSignatureFailure, depth, c)
	}
	if v.now.Before(best.ThisUpdate) {
		return verr(CodeCRLNotYetValid, depth, c)
	}
	if !best.NextUpdate.IsZero() && v.now.After(best.NextUpdate) {
		return verr(CodeCRLHasExpired, depth, c)
	}
	if best.IsRevoked(c.SerialNumber) {
		return verr(CodeCertRevoked, depth, c)
	}
	return nil
}
