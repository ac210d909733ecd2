package kex

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"slices"

	_ "crypto/sha256" // registers SHA-256 for crypto.Hash.New
	_ "crypto/sha512" // registers SHA-384 and SHA-512
)

// SignatureScheme is a TLS SignatureScheme (RFC 8446, Section 4.2.3), which
// also encodes TLS 1.2's SignatureAndHashAlgorithm (RFC 5246, Section
// 7.4.1.4.1).
type SignatureScheme uint16

// Signature schemes.
const (
	PKCS1WithSHA1          SignatureScheme = 0x0201
	PKCS1WithSHA256        SignatureScheme = 0x0401
	PKCS1WithSHA384        SignatureScheme = 0x0501
	PKCS1WithSHA512        SignatureScheme = 0x0601
	ECDSAWithSHA1          SignatureScheme = 0x0203
	ECDSAWithP256AndSHA256 SignatureScheme = 0x0403
	ECDSAWithP384AndSHA384 SignatureScheme = 0x0503
	ECDSAWithP521AndSHA512 SignatureScheme = 0x0603
	PSSWithSHA256          SignatureScheme = 0x0804
	PSSWithSHA384          SignatureScheme = 0x0805
	PSSWithSHA512          SignatureScheme = 0x0806
	Ed25519                SignatureScheme = 0x0807
)

type schemeKind uint8

const (
	kindPKCS1 schemeKind = iota + 1
	kindPSS
	kindECDSA
	kindEd25519
)

var schemeInfo = map[SignatureScheme]struct {
	name string
	hash crypto.Hash
	kind schemeKind
}{
	PKCS1WithSHA1:          {"rsa_pkcs1_sha1", crypto.SHA1, kindPKCS1},
	PKCS1WithSHA256:        {"rsa_pkcs1_sha256", crypto.SHA256, kindPKCS1},
	PKCS1WithSHA384:        {"rsa_pkcs1_sha384", crypto.SHA384, kindPKCS1},
	PKCS1WithSHA512:        {"rsa_pkcs1_sha512", crypto.SHA512, kindPKCS1},
	ECDSAWithSHA1:          {"ecdsa_sha1", crypto.SHA1, kindECDSA},
	ECDSAWithP256AndSHA256: {"ecdsa_secp256r1_sha256", crypto.SHA256, kindECDSA},
	ECDSAWithP384AndSHA384: {"ecdsa_secp384r1_sha384", crypto.SHA384, kindECDSA},
	ECDSAWithP521AndSHA512: {"ecdsa_secp521r1_sha512", crypto.SHA512, kindECDSA},
	PSSWithSHA256:          {"rsa_pss_rsae_sha256", crypto.SHA256, kindPSS},
	PSSWithSHA384:          {"rsa_pss_rsae_sha384", crypto.SHA384, kindPSS},
	PSSWithSHA512:          {"rsa_pss_rsae_sha512", crypto.SHA512, kindPSS},
	Ed25519:                {"ed25519", 0, kindEd25519},
}

func (s SignatureScheme) String() string {
	if i, ok := schemeInfo[s]; ok {
		return i.name
	}
	return fmt.Sprintf("SignatureScheme(0x%04x)", uint16(s))
}

// Hash is the scheme's digest (0 for Ed25519).
func (s SignatureScheme) Hash() crypto.Hash { return schemeInfo[s].hash }

// DefaultSchemes is what we advertise and accept, in preference order.
// SHA-1 is kept only for RSA PKCS#1, as BoringSSL and OpenSSL do by default;
// ECDSA with SHA-1 must be asked for.
func DefaultSchemes() []SignatureScheme {
	return []SignatureScheme{
		ECDSAWithP256AndSHA256, ECDSAWithP384AndSHA384, ECDSAWithP521AndSHA512, Ed25519,
		PSSWithSHA256, PSSWithSHA384, PSSWithSHA512,
		PKCS1WithSHA256, PKCS1WithSHA384, PKCS1WithSHA512,
		PKCS1WithSHA1,
	}
}

// SchemesForKey lists the TLS 1.2 schemes that fit pub, preferred first.
func SchemesForKey(pub crypto.PublicKey) []SignatureScheme {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return []SignatureScheme{PSSWithSHA256, PSSWithSHA384, PSSWithSHA512, PKCS1WithSHA256, PKCS1WithSHA384, PKCS1WithSHA512, PKCS1WithSHA1}
	case *ecdsa.PublicKey:
		// In TLS 1.2 any ECDSA scheme may be used with any curve; the
		// curve's own comes first.
		all := []SignatureScheme{ECDSAWithP256AndSHA256, ECDSAWithP384AndSHA384, ECDSAWithP521AndSHA512}
		var first SignatureScheme
		switch k.Curve.Params().BitSize {
		case 384:
			first = ECDSAWithP384AndSHA384
		case 521:
			first = ECDSAWithP521AndSHA512
		default:
			first = ECDSAWithP256AndSHA256
		}
		out := []SignatureScheme{first}
		for _, s := range all {
			if s != first {
				out = append(out, s)
			}
		}
		return append(out, ECDSAWithSHA1)
	case ed25519.PublicKey:
		return []SignatureScheme{Ed25519}
	}
	return nil
}

// SelectScheme picks the first of ours that the peer offered and that fits
// pub. A nil peerOffered (no signature_algorithms extension) means SHA-1
// with the key's algorithm (RFC 5246, Section 7.4.1.4.1).
func SelectScheme(pub crypto.PublicKey, ours, peerOffered []SignatureScheme) (SignatureScheme, bool) {
	fits := SchemesForKey(pub)
	if peerOffered == nil {
		switch pub.(type) {
		case *rsa.PublicKey:
			peerOffered = []SignatureScheme{PKCS1WithSHA1}
		case *ecdsa.PublicKey:
			peerOffered = []SignatureScheme{ECDSAWithSHA1}
		}
	}
	for _, s := range ours {
		if slices.Contains(fits, s) && slices.Contains(peerOffered, s) {
			return s, true
		}
	}
	return 0, false
}

func digest(h crypto.Hash, message []byte) []byte {
	d := h.New()
	d.Write(message)
	return d.Sum(nil)
}

// Sign signs the full message with priv under scheme, hashing internally.
// RSA-PSS uses a salt as long as the hash (RFC 8446, Section 4.2.3).
func Sign(priv crypto.Signer, scheme SignatureScheme, rand io.Reader, message []byte) ([]byte, error) {
	info, ok := schemeInfo[scheme]
	if !ok {
		return nil, fmt.Errorf("tls: unsupported signature scheme %v", scheme)
	}
	if !slices.Contains(SchemesForKey(priv.Public()), scheme) {
		return nil, fmt.Errorf("tls: signature scheme %v does not fit a %T key", scheme, priv.Public())
	}
	switch info.kind {
	case kindEd25519:
		return priv.Sign(rand, message, crypto.Hash(0))
	case kindPSS:
		return priv.Sign(rand, digest(info.hash, message), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: info.hash})
	default:
		return priv.Sign(rand, digest(info.hash, message), info.hash)
	}
}

// ErrBadSignature is returned (wrapped) when a signature does not verify.
var ErrBadSignature = errors.New("tls: invalid signature")

// Verify checks sig over message with pub under scheme.
func Verify(pub crypto.PublicKey, scheme SignatureScheme, message, sig []byte) error {
	info, ok := schemeInfo[scheme]
	if !ok || !slices.Contains(SchemesForKey(pub), scheme) {
		return fmt.Errorf("%w: scheme %v does not fit a %T key", ErrBadSignature, scheme, pub)
	}
	switch info.kind {
	case kindEd25519:
		if !ed25519.Verify(pub.(ed25519.PublicKey), message, sig) {
			return ErrBadSignature
		}
	case kindECDSA:
		if !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest(info.hash, message), sig) {
			return ErrBadSignature
		}
	case kindPSS:
		if err := rsa.VerifyPSS(pub.(*rsa.PublicKey), info.hash, digest(info.hash, message), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
	case kindPKCS1:
		if err := rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), info.hash, digest(info.hash, message), sig); err != nil {
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
	}
	return nil
}

// legacyDigest is the TLS 1.0/1.1 signed digest: MD5 || SHA-1 for RSA, SHA-1
// for ECDSA (RFC 2246, Section 7.4.3; RFC 4492, Section 5.4).
func legacyDigest(pub crypto.PublicKey, message []byte) ([]byte, crypto.Hash, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		m, s := md5.Sum(message), sha1.Sum(message)
		return append(m[:], s[:]...), crypto.MD5SHA1, nil
	case *ecdsa.PublicKey:
		s := sha1.Sum(message)
		return s[:], crypto.SHA1, nil
	}
	return nil, 0, fmt.Errorf("tls: %T keys cannot sign in TLS 1.0/1.1", pub)
}

// SignLegacy signs for TLS 1.0 and 1.1.
func SignLegacy(priv crypto.Signer, rand io.Reader, message []byte) ([]byte, error) {
	d, h, err := legacyDigest(priv.Public(), message)
	if err != nil {
		return nil, err
	}
	return priv.Sign(rand, d, h)
}

// VerifyLegacy verifies a TLS 1.0/1.1 signature.
func VerifyLegacy(pub crypto.PublicKey, message, sig []byte) error {
	d, h, err := legacyDigest(pub, message)
	if err != nil {
		return err
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, h, d, sig); err != nil {
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, d, sig) {
			return ErrBadSignature
		}
	}
	return nil
}
