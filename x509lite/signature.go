package x509lite

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"

	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// ErrSignature is returned when a certificate's signature does not verify.
var ErrSignature = errors.New("x509lite: certificate signature does not verify")

// CheckSignatureFrom checks that parent's key signed c. MD5 signatures are
// refused; SHA-1 ones are checked (whether they are strong enough is
// Verify's policy, VerifyOptions.AllowSHA1).
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	return checkSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature, parent.PublicKey)
}

func checkSignature(alg SignatureAlgorithm, signed, sig []byte, pub crypto.PublicKey) error {
	var h crypto.Hash
	switch alg {
	case SHA1WithRSA, ECDSAWithSHA1:
		h = crypto.SHA1
	case SHA256WithRSA, SHA256WithRSAPSS, ECDSAWithSHA256:
		h = crypto.SHA256
	case SHA384WithRSA, SHA384WithRSAPSS, ECDSAWithSHA384:
		h = crypto.SHA384
	case SHA512WithRSA, SHA512WithRSAPSS, ECDSAWithSHA512:
		h = crypto.SHA512
	case PureEd25519:
	default:
		return ErrUnsupportedAlgorithm
	}
	var digest []byte
	if h != 0 {
		d := h.New()
		d.Write(signed)
		digest = d.Sum(nil)
	}
	switch alg {
	case SHA1WithRSA, SHA256WithRSA, SHA384WithRSA, SHA512WithRSA:
		k, ok := pub.(*rsa.PublicKey)
		if !ok || rsa.VerifyPKCS1v15(k, h, digest, sig) != nil {
			return ErrSignature
		}
	case SHA256WithRSAPSS, SHA384WithRSAPSS, SHA512WithRSAPSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok || rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) != nil {
			return ErrSignature
		}
	case ECDSAWithSHA1, ECDSAWithSHA256, ECDSAWithSHA384, ECDSAWithSHA512:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || !ecdsa.VerifyASN1(k, digest, sig) {
			return ErrSignature
		}
	case PureEd25519:
		k, ok := pub.(ed25519.PublicKey)
		if !ok || !ed25519.Verify(k, signed, sig) {
			return ErrSignature
		}
	}
	return nil
}

// Equal reports whether two certificates have the same encoding.
func (c *Certificate) Equal(o *Certificate) bool { return bytes.Equal(c.Raw, o.Raw) }

// IsSelfIssued reports whether subject and issuer are the same name.
func (c *Certificate) IsSelfIssued() bool { return bytes.Equal(c.RawSubject, c.RawIssuer) }
