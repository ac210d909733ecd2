package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// MarshalPKCS8 encodes a private key as an unencrypted PKCS#8
// PrivateKeyInfo (RFC 5208, Section 5): an RSA key as a PKCS#1
// RSAPrivateKey (RFC 8017, Appendix A.1.2), an ECDSA key as a SEC 1
// ECPrivateKey (RFC 5915, Section 3) with the curve in the
// AlgorithmIdentifier, and an Ed25519 key as its 32-byte seed (RFC 8410,
// Section 7).
func MarshalPKCS8(key crypto.Signer) ([]byte, error) {
	var algID, inner []byte
	var err error
	switch k := key.(type) {
	case *rsa.PrivateKey:
		algID, _, err = publicKeyParts(&k.PublicKey)
		if err == nil {
			inner, err = marshalPKCS1(k)
		}
	case *ecdsa.PrivateKey:
		algID, _, err = publicKeyParts(&k.PublicKey)
		if err == nil {
			inner, err = marshalECPrivateKey(k)
		}
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, errors.New("tls: certgen: invalid Ed25519 private key")
		}
		algID, _, err = publicKeyParts(k.Public())
		if err == nil {
			var b cryptobyte.Builder
			b.AddASN1OctetString(k.Seed()) // CurvePrivateKey
			inner, err = b.Bytes()
		}
	default:
		return nil, fmt.Errorf("tls: certgen: unsupported private key %T", key)
	}
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0) // version v1
		b.AddBytes(algID)
		b.AddASN1OctetString(inner)
	})
	return b.Bytes()
}

// marshalPKCS1 writes a two-prime RSAPrivateKey (version 0). CRT values the
// key lacks are computed.
func marshalPKCS1(k *rsa.PrivateKey) ([]byte, error) {
	if len(k.Primes) != 2 || k.D == nil || k.Primes[0] == nil || k.Primes[1] == nil {
		return nil, errors.New("tls: certgen: only two-prime RSA keys are supported")
	}
	p, q := k.Primes[0], k.Primes[1]
	dp, dq, qinv := k.Precomputed.Dp, k.Precomputed.Dq, k.Precomputed.Qinv
	if dp == nil || dq == nil || qinv == nil {
		one := big.NewInt(1)
		dp = new(big.Int).Mod(k.D, new(big.Int).Sub(p, one))
		dq = new(big.Int).Mod(k.D, new(big.Int).Sub(q, one))
		qinv = new(big.Int).ModInverse(q, p)
		if qinv == nil {
			return nil, errors.New("tls: certgen: invalid RSA key")
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0) // two-prime
		b.AddASN1BigInt(k.N)
		b.AddASN1Int64(int64(k.E))
		b.AddASN1BigInt(k.D)
		b.AddASN1BigInt(p)
		b.AddASN1BigInt(q)
		b.AddASN1BigInt(dp)
		b.AddASN1BigInt(dq)
		b.AddASN1BigInt(qinv)
	})
	return b.Bytes()
}

// marshalECPrivateKey writes an ECPrivateKey (version 1) with the
// fixed-length private scalar and the public point; the parameters are
// left out because PKCS#8 carries them in the AlgorithmIdentifier.
func marshalECPrivateKey(k *ecdsa.PrivateKey) ([]byte, error) {
	d, err := k.Bytes()
	if err != nil {
		return nil, fmt.Errorf("tls: certgen: %w", err)
	}
	pub, err := k.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("tls: certgen: %w", err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1) // ecPrivkeyVer1
		b.AddASN1OctetString(d)
		b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1BitString(pub)
		})
	})
	return b.Bytes()
}
