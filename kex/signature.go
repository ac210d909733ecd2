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

	"crypto/sha256"
	"crypto/sha512"
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

// String is the scheme's name as OpenSSL and RFC 8446 spell it
// ("rsa_pss_rsae_sha256"), or "SignatureScheme(0x....)" if unknown.
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

// Supported reports whether s is a scheme this package can sign and
// verify in TLS 1.2 (RFC 8446, Section 4.2.3 registry, TLS 1.2 usable).
func Supported(s SignatureScheme) bool {
	_, ok := schemeInfo[s]
	return ok
}

// SchemesForKey lists the TLS 1.2 schemes that fit pub, preferred first:
// for RSA, PSS then PKCS#1 v1.5 (SHA-1 last); for ECDSA, the scheme named
// after the key's curve first and then the others, as TLS 1.2 does not tie
// the hash to the curve (RFC 8422, Section 5.10); for Ed25519, Ed25519.
// Schemes whose encoding cannot fit a small RSA modulus are left out. It
// returns nil for a key type we cannot sign with.
func SchemesForKey(pub crypto.PublicKey) []SignatureScheme {
	var order []SignatureScheme
	switch k := pub.(type) {
	case *rsa.PublicKey:
		order = rsaOrder[:]
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return nil
		}
		switch k.Curve.Params().BitSize {
		case 384:
			order = ecdsaOrder384[:]
		case 521:
			order = ecdsaOrder521[:]
		default:
			order = ecdsaOrder256[:]
		}
	case ed25519.PublicKey:
		order = []SignatureScheme{Ed25519}
	}
	out := make([]SignatureScheme, 0, len(order))
	for _, s := range order {
		if FitsKey(pub, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var (
	rsaOrder      = [...]SignatureScheme{PSSWithSHA256, PSSWithSHA384, PSSWithSHA512, PKCS1WithSHA256, PKCS1WithSHA384, PKCS1WithSHA512, PKCS1WithSHA1}
	ecdsaOrder256 = [...]SignatureScheme{ECDSAWithP256AndSHA256, ECDSAWithP384AndSHA384, ECDSAWithP521AndSHA512, ECDSAWithSHA1}
	ecdsaOrder384 = [...]SignatureScheme{ECDSAWithP384AndSHA384, ECDSAWithP256AndSHA256, ECDSAWithP521AndSHA512, ECDSAWithSHA1}
	ecdsaOrder521 = [...]SignatureScheme{ECDSAWithP521AndSHA512, ECDSAWithP256AndSHA256, ECDSAWithP384AndSHA384, ECDSAWithSHA1}
)

// FitsKey reports whether scheme s can be used with pub, without
// allocating. For RSA it also checks that the modulus is large enough for
// the encoding: PKCS#1 v1.5 needs the DigestInfo, the hash and 11 bytes of
// padding (RFC 8017, Section 9.2); PSS with a salt as long as the hash
// needs 2*hLen+2 bytes (RFC 8017, Section 9.1.1).
func FitsKey(pub crypto.PublicKey, s SignatureScheme) bool {
	info, ok := schemeInfo[s]
	if !ok {
		return false
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil || k.N.Sign() <= 0 {
			return false
		}
		emLen := (k.N.BitLen() - 1 + 7) / 8
		switch info.kind {
		case kindPKCS1:
			prefix := 19 // DigestInfo for the SHA-2 family
			if info.hash == crypto.SHA1 {
				prefix = 15
			}
			return k.Size() >= prefix+info.hash.Size()+11
		case kindPSS:
			return emLen >= 2*info.hash.Size()+2
		}
	case *ecdsa.PublicKey:
		return k != nil && k.Curve != nil && k.X != nil && k.Y != nil && info.kind == kindECDSA
	case ed25519.PublicKey:
		return len(k) == ed25519.PublicKeySize && info.kind == kindEd25519
	}
	return false
}

// SelectScheme picks the first of ours that the peer offered and that fits
// pub. A nil peerOffered (no signature_algorithms extension) means SHA-1
// with the key's algorithm (RFC 5246, Section 7.4.1.4.1).
func SelectScheme(pub crypto.PublicKey, ours, peerOffered []SignatureScheme) (SignatureScheme, bool) {
	if peerOffered == nil {
		// RFC 5246, Section 7.4.1.4.1: with no signature_algorithms the
		// peer is taken to support {sha1, rsa} or {sha1, ecdsa}, matching
		// our key. Ed25519 has no such default (RFC 8422, Section 5.1.3).
		switch pub.(type) {
		case *rsa.PublicKey:
			peerOffered = defaultRSA[:]
		case *ecdsa.PublicKey:
			peerOffered = defaultECDSA[:]
		}
	}
	for _, s := range ours {
		if slices.Contains(peerOffered, s) && FitsKey(pub, s) {
			return s, true
		}
	}
	return 0, false
}

var (
	defaultRSA   = [...]SignatureScheme{PKCS1WithSHA1}
	defaultECDSA = [...]SignatureScheme{ECDSAWithSHA1}
)

// digest hashes message with h; the fixed-size sums avoid allocating a
// hash state on every handshake.
func digest(h crypto.Hash, message []byte) []byte {
	switch h {
	case crypto.SHA1:
		d := sha1.Sum(message)
		return d[:]
	case crypto.SHA256:
		d := sha256.Sum256(message)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(message)
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512(message)
		return d[:]
	}
	panic("kex: digest of an unlisted hash") // schemeInfo lists only these
}

// Sign signs the full message with priv under scheme, hashing internally.
// RSA-PSS uses a salt as long as the hash (RFC 8446, Section 4.2.3).
func Sign(priv crypto.Signer, scheme SignatureScheme, rand io.Reader, message []byte) ([]byte, error) {
	info, ok := schemeInfo[scheme]
	if !ok {
		return nil, fmt.Errorf("tls: unsupported signature scheme %v", scheme)
	}
	if !FitsKey(priv.Public(), scheme) {
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
	if !ok || !FitsKey(pub, scheme) {
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
	switch {
	case FitsKey(pub, PKCS1WithSHA1):
		m, s := md5.Sum(message), sha1.Sum(message)
		return append(m[:], s[:]...), crypto.MD5SHA1, nil
	case FitsKey(pub, ECDSAWithSHA1):
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
