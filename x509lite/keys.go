package x509lite

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ParsePrivateKey reads a private key from PEM or DER: PKCS#1 RSA, PKCS#8
// (RSA, EC, Ed25519) or SEC1 EC. Encrypted keys need the passphrase;
// without one they are a clear error.
func ParsePrivateKey(data []byte, passphrase []byte) (crypto.Signer, error) {
	der := data
	kind := ""
	if b, _ := pem.Decode(data); b != nil {
		rest := data
		for {
			b, rest = pem.Decode(rest)
			if b == nil {
				return nil, errors.New("x509lite: no private key in PEM data")
			}
			if b.Type == "RSA PRIVATE KEY" || b.Type == "PRIVATE KEY" || b.Type == "EC PRIVATE KEY" || b.Type == "ENCRYPTED PRIVATE KEY" {
				break
			}
		}
		if b.Headers["Proc-Type"] == "4,ENCRYPTED" {
			if len(passphrase) == 0 {
				return nil, errors.New("x509lite: the private key is encrypted and no passphrase was given")
			}
			plain, err := decryptLegacyPEM(b, passphrase)
			if err != nil {
				return nil, err
			}
			b.Bytes = plain
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" {
			if len(passphrase) == 0 {
				return nil, errors.New("x509lite: the private key is encrypted and no passphrase was given")
			}
			plain, err := decryptPKCS8(b.Bytes, passphrase)
			if err != nil {
				return nil, err
			}
			b.Bytes, b.Type = plain, "PRIVATE KEY"
		}
		der, kind = b.Bytes, b.Type
	}
	switch kind {
	case "RSA PRIVATE KEY":
		return parsePKCS1(der)
	case "EC PRIVATE KEY":
		return parseSEC1(der, nil)
	case "PRIVATE KEY":
		return parsePKCS8(der)
	}
	// Raw DER: try each form.
	if k, err := parsePKCS8(der); err == nil {
		return k, nil
	}
	if k, err := parsePKCS1(der); err == nil {
		return k, nil
	}
	if k, err := parseSEC1(der, nil); err == nil {
		return k, nil
	}
	return nil, errors.New("x509lite: unrecognized private key format")
}

func parsePKCS1(der []byte) (*rsa.PrivateKey, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	var version int64
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(&version) || version != 0 {
		return nil, errors.New("x509lite: malformed PKCS#1 private key")
	}
	v := make([]*big.Int, 8)
	for i := range v {
		v[i] = new(big.Int)
		if !seq.ReadASN1Integer(v[i]) {
			return nil, errors.New("x509lite: malformed PKCS#1 private key")
		}
	}
	if !seq.Empty() || !v[1].IsInt64() || v[1].Int64() > 1<<31-1 || v[0].BitLen() > 16384 {
		return nil, errors.New("x509lite: unsupported PKCS#1 private key")
	}
	k := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: v[0], E: int(v[1].Int64())},
		D:         v[2],
		Primes:    []*big.Int{v[3], v[4]},
	}
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("x509lite: invalid RSA private key: %v", err)
	}
	k.Precompute()
	return k, nil
}

func parseSEC1(der []byte, curveOID asn1.ObjectIdentifier) (*ecdsa.PrivateKey, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	var version int64
	var d []byte
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(&version) || version != 1 ||
		!seq.ReadASN1Bytes(&d, cbasn1.OCTET_STRING) {
		return nil, errors.New("x509lite: malformed EC private key")
	}
	var params cryptobyte.String
	var has bool
	if !seq.ReadOptionalASN1(&params, &has, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("x509lite: malformed EC private key parameters")
	}
	if has {
		var oid asn1.ObjectIdentifier
		if !params.ReadASN1ObjectIdentifier(&oid) {
			return nil, errors.New("x509lite: unsupported EC parameters")
		}
		curveOID = oid
	}
	c := curveFor(curveOID)
	if c == nil {
		return nil, errors.New("x509lite: unsupported or missing EC curve")
	}
	// Some encoders drop leading zero bytes of the scalar.
	size := (c.Params().BitSize + 7) / 8
	if len(d) > size {
		return nil, errors.New("x509lite: EC private key too long")
	}
	padded := make([]byte, size)
	copy(padded[size-len(d):], d)
	return ecdsa.ParseRawPrivateKey(c, padded)
}

func parsePKCS8(der []byte) (crypto.Signer, error) {
	s := cryptobyte.String(der)
	var seq, alg cryptobyte.String
	var version int64
	var oid asn1.ObjectIdentifier
	var key []byte
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(&version) || (version != 0 && version != 1) ||
		!seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) || !seq.ReadASN1Bytes(&key, cbasn1.OCTET_STRING) {
		return nil, errors.New("x509lite: malformed PKCS#8 private key")
	}
	switch {
	case oid.Equal(oidRSA):
		return parsePKCS1(key)
	case oid.Equal(oidEC):
		var curve asn1.ObjectIdentifier
		if !alg.ReadASN1ObjectIdentifier(&curve) {
			return nil, errors.New("x509lite: PKCS#8 EC key without a named curve")
		}
		return parseSEC1(key, curve)
	case oid.Equal(oidEd25519):
		ks := cryptobyte.String(key)
		var seed []byte
		if !ks.ReadASN1Bytes(&seed, cbasn1.OCTET_STRING) || !ks.Empty() || len(seed) != ed25519.SeedSize {
			return nil, errors.New("x509lite: malformed Ed25519 private key")
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	return nil, fmt.Errorf("x509lite: unsupported PKCS#8 key algorithm %v", oid)
}
