package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// This file writes the DER of RFC 5280: TBSCertificate, Name,
// SubjectPublicKeyInfo, AlgorithmIdentifier and the extensions.

var (
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidRSAEncryption   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP256            = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384            = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521            = asn1.ObjectIdentifier{1, 3, 132, 0, 35}

	oidExtSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectAltName   = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtAuthorityInfo    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}

	oidServerAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	oidClientAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	oidOCSP       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidCAIssuers  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
)

// allKeyUsages masks the nine named bits of keyUsage.
const allKeyUsages = DigitalSignature | ContentCommitment | KeyEncipherment | DataEncipherment |
	KeyAgreement | CertSign | CRLSign | EncipherOnly | DecipherOnly

// checkTemplate rejects templates that would encode to a certificate RFC
// 5280 does not allow, or that cannot be encoded at all.
func checkTemplate(t *Template) error {
	if t.NotBefore.IsZero() || t.NotAfter.IsZero() {
		return errors.New("tls: certgen: NotBefore and NotAfter must be set")
	}
	if t.NotAfter.Before(t.NotBefore) {
		return errors.New("tls: certgen: NotAfter is before NotBefore")
	}
	for _, tm := range []time.Time{t.NotBefore, t.NotAfter} {
		if y := tm.UTC().Year(); y < 1 || y > 9999 {
			return fmt.Errorf("tls: certgen: time %v cannot be encoded", tm)
		}
	}
	// RFC 5280, Section 4.1.2.2: the serial MUST be a positive integer of
	// at most 20 octets (counting the DER sign octet).
	if s := t.Serial; s != nil && (s.Sign() <= 0 || s.BitLen()/8+1 > 20) {
		return errors.New("tls: certgen: serial must be positive and at most 20 octets")
	}
	if t.IsCA && t.MaxPathLen < -1 {
		return fmt.Errorf("tls: certgen: MaxPathLen %d (use -1 for none)", t.MaxPathLen)
	}
	if t.KeyUsage < 0 || t.KeyUsage&^allKeyUsages != 0 {
		return fmt.Errorf("tls: certgen: unknown keyUsage bits %#x", int(t.KeyUsage&^allKeyUsages))
	}
	for _, e := range t.ExtKeyUsage {
		if e != ServerAuth && e != ClientAuth {
			return fmt.Errorf("tls: certgen: unknown ExtKeyUsage %d", int(e))
		}
	}
	for _, a := range t.Subject {
		// DirectoryString is SIZE (1..MAX) (RFC 5280, Appendix A.1).
		if a.Value == "" || !utf8.ValidString(a.Value) {
			return fmt.Errorf("tls: certgen: subject attribute %v must be non-empty UTF-8", a.OID)
		}
	}
	hasSAN := len(t.DNSNames) > 0 || len(t.IPAddresses) > 0
	if len(t.Subject) == 0 {
		// RFC 5280, Section 4.1.2.6: a CA's subject MUST be non-empty, and
		// an empty subject needs a (critical) subjectAltName.
		if t.IsCA {
			return errors.New("tls: certgen: a CA needs a non-empty subject")
		}
		if !hasSAN {
			return errors.New("tls: certgen: an empty subject needs subjectAltNames")
		}
	}
	// dNSName and uniformResourceIdentifier are IA5String (RFC 5280,
	// Section 4.2.1.6): ASCII only, and the empty name is not allowed.
	for _, n := range t.DNSNames {
		if !isIA5(n) {
			return fmt.Errorf("tls: certgen: DNS name %q must be non-empty ASCII", n)
		}
	}
	for _, ip := range t.IPAddresses {
		if !ip.IsValid() {
			return errors.New("tls: certgen: invalid IP address")
		}
	}
	for _, u := range []string{t.OCSPServer, t.CAIssuers} {
		if u != "" && !isIA5(u) {
			return fmt.Errorf("tls: certgen: URL %q must be ASCII", u)
		}
	}
	return nil
}

func isIA5(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// marshalTBS writes the TBSCertificate of RFC 5280, Section 4.1.
func marshalTBS(serial *big.Int, alg *sigAlg, issuer []byte, notBefore, notAfter time.Time, subject, spki, exts []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1Int64(2) // v3
		})
		b.AddASN1BigInt(serial)
		alg.add(b)
		b.AddBytes(issuer)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addTime(b, notBefore)
			addTime(b, notAfter)
		})
		b.AddBytes(subject)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(exts) })
		})
	})
	return b.Bytes()
}

// marshalCertificate wraps the signed TBSCertificate (RFC 5280, Section 4.1.1).
func marshalCertificate(tbs []byte, alg *sigAlg, sig []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		alg.add(b)
		b.AddASN1BitString(sig)
	})
	return b.Bytes()
}

// addTime writes a Time: RFC 5280, Section 4.1.2.5, requires UTCTime for
// 1950 through 2049 and GeneralizedTime from 2050 (years before 1950 fit
// only GeneralizedTime), in UTC with seconds and no fractions.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if y := t.Year(); y >= 1950 && y < 2050 {
		b.AddASN1UTCTime(t)
	} else {
		b.AddASN1GeneralizedTime(t)
	}
}

// marshalName writes a Name as an RDNSequence with one attribute per RDN.
// Values are PrintableString when every character allows it, UTF8String
// otherwise (RFC 5280, Section 4.1.2.4).
func marshalName(attrs []Attr) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(a.OID)
					tag := cbasn1.UTF8String
					if isPrintable(a.Value) {
						tag = cbasn1.PrintableString
					}
					b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.Value)) })
				})
			})
		}
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("tls: certgen: subject: %w", err)
	}
	return out, nil
}

// isPrintable reports whether s fits PrintableString (X.680, Section 41.4):
// letters, digits, space and '()+,-./:=?.
func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == ' ', c == '\'', c == '(', c == ')', c == '+', c == ',', c == '-',
			c == '.', c == '/', c == ':', c == '=', c == '?':
		default:
			return false
		}
	}
	return true
}

// marshalSPKI writes a SubjectPublicKeyInfo: RSA per RFC 3279, Section
// 2.3.1 (NULL parameters), EC per RFC 5480 (named curve, uncompressed
// point), Ed25519 per RFC 8410 (absent parameters).
func marshalSPKI(pub crypto.PublicKey) ([]byte, error) {
	algID, bits, err := publicKeyParts(pub)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(algID)
		b.AddASN1BitString(bits)
	})
	return b.Bytes()
}

// publicKeyParts is the AlgorithmIdentifier and subjectPublicKey bits of pub.
func publicKeyParts(pub crypto.PublicKey) (algID, bits []byte, err error) {
	var a cryptobyte.Builder
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N == nil || k.N.Sign() <= 0 || k.E <= 0 {
			return nil, nil, errors.New("tls: certgen: invalid RSA public key")
		}
		a.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidRSAEncryption)
			b.AddASN1NULL()
		})
		var kb cryptobyte.Builder
		kb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // RSAPublicKey
			b.AddASN1BigInt(k.N)
			b.AddASN1Int64(int64(k.E))
		})
		if bits, err = kb.Bytes(); err != nil {
			return nil, nil, err
		}
	case *ecdsa.PublicKey:
		curve, err := curveOID(k.Curve)
		if err != nil {
			return nil, nil, err
		}
		if bits, err = k.Bytes(); err != nil {
			return nil, nil, fmt.Errorf("tls: certgen: %w", err)
		}
		a.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidECPublicKey)
			b.AddASN1ObjectIdentifier(curve)
		})
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil, nil, errors.New("tls: certgen: invalid Ed25519 public key")
		}
		bits = k
		a.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidEd25519) })
	default:
		return nil, nil, fmt.Errorf("tls: certgen: unsupported public key %T", pub)
	}
	algID, err = a.Bytes()
	return algID, bits, err
}

func curveOID(c elliptic.Curve) (asn1.ObjectIdentifier, error) {
	if c == nil {
		return nil, errors.New("tls: certgen: ECDSA key without a curve")
	}
	switch c {
	case elliptic.P256():
		return oidP256, nil
	case elliptic.P384():
		return oidP384, nil
	case elliptic.P521():
		return oidP521, nil
	}
	return nil, fmt.Errorf("tls: certgen: unsupported curve %s", c.Params().Name)
}

// keyID is method (1) of RFC 5280, Section 4.2.1.2: the SHA-1 of the
// subjectPublicKey BIT STRING's bits.
func keyID(pub crypto.PublicKey) ([]byte, error) {
	_, bits, err := publicKeyParts(pub)
	if err != nil {
		return nil, err
	}
	h := sha1.Sum(bits)
	return h[:], nil
}

// sigAlg is a signature algorithm bound to the issuer's public key.
type sigAlg struct {
	oid        asn1.ObjectIdentifier
	hash       crypto.Hash // 0 for Ed25519 (signs the message itself)
	nullParams bool        // RSA PKCS #1 identifiers carry NULL (RFC 4055, Section 5)
	pub        crypto.PublicKey
}

// sigAlgFor picks the algorithm for a signing key: ECDSA hashes by curve
// size (RFC 5758, Section 3.2), RSA uses sha256WithRSAEncryption, Ed25519
// is RFC 8410's id-Ed25519.
func sigAlgFor(pub crypto.PublicKey) (*sigAlg, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return &sigAlg{oid: oidSHA256WithRSA, hash: crypto.SHA256, nullParams: true, pub: pub}, nil
	case *ecdsa.PublicKey:
		if _, err := curveOID(k.Curve); err != nil {
			return nil, err
		}
		switch k.Curve {
		case elliptic.P384():
			return &sigAlg{oid: oidECDSAWithSHA384, hash: crypto.SHA384, pub: pub}, nil
		case elliptic.P521():
			return &sigAlg{oid: oidECDSAWithSHA512, hash: crypto.SHA512, pub: pub}, nil
		}
		return &sigAlg{oid: oidECDSAWithSHA256, hash: crypto.SHA256, pub: pub}, nil
	case ed25519.PublicKey:
		return &sigAlg{oid: oidEd25519, pub: pub}, nil
	}
	return nil, fmt.Errorf("tls: certgen: unsupported signing key %T", pub)
}

// add writes the AlgorithmIdentifier; ECDSA and Ed25519 identifiers have
// absent parameters (RFC 5758, Section 3.2; RFC 8410, Section 3).
func (a *sigAlg) add(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(a.oid)
		if a.nullParams {
			b.AddASN1NULL()
		}
	})
}

// sign signs tbs with signer and checks the result against the public key,
// so that a signer that does something else (PSS, another key) fails here
// rather than producing a certificate nobody can verify.
func (a *sigAlg) sign(signer crypto.Signer, tbs []byte, rand io.Reader) ([]byte, error) {
	var msg []byte
	switch a.hash {
	case 0:
		msg = tbs
	case crypto.SHA256:
		h := sha256.Sum256(tbs)
		msg = h[:]
	case crypto.SHA384:
		h := sha512.Sum384(tbs)
		msg = h[:]
	case crypto.SHA512:
		h := sha512.Sum512(tbs)
		msg = h[:]
	default:
		panic("certgen: sigAlgFor returned an unknown hash") // unreachable: sigAlgFor picks only the hashes above
	}
	sig, err := signer.Sign(rand, msg, a.hash)
	if err != nil {
		return nil, fmt.Errorf("tls: certgen: signing: %w", err)
	}
	ok := false
	switch k := a.pub.(type) {
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(k, a.hash, msg, sig) == nil
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, msg, sig)
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, msg, sig)
	}
	if !ok {
		return nil, errors.New("tls: certgen: the signer's signature does not verify under its public key")
	}
	return sig, nil
}

// marshalExtensions writes the contents of the Extensions SEQUENCE.
func marshalExtensions(t *Template, pub crypto.PublicKey, ski, aki []byte) ([]byte, error) {
	var b cryptobyte.Builder

	// basicConstraints, RFC 5280, Section 4.2.1.9: critical in CA
	// certificates. A leaf gets a non-critical empty SEQUENCE (cA FALSE
	// is the DEFAULT, so DER leaves it out).
	addExtension(&b, oidExtBasicConstraints, t.IsCA, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if t.IsCA {
				b.AddASN1Boolean(true)
				if t.MaxPathLen >= 0 {
					b.AddASN1Int64(int64(t.MaxPathLen))
				}
			}
		})
	})

	// keyUsage, RFC 5280, Section 4.2.1.3: conforming CAs SHOULD mark it
	// critical; we always do.
	ku := t.KeyUsage
	if ku == 0 {
		switch _, isRSA := pub.(*rsa.PublicKey); {
		case t.IsCA:
			ku = CertSign | CRLSign | DigitalSignature
		case isRSA:
			ku = DigitalSignature | KeyEncipherment
		default:
			ku = DigitalSignature
		}
	}
	addExtension(&b, oidExtKeyUsage, true, func(b *cryptobyte.Builder) { addNamedBits(b, ku) })

	// extKeyUsage, RFC 5280, Section 4.2.1.12.
	ekus := t.ExtKeyUsage
	if ekus == nil && !t.IsCA {
		ekus = []ExtKeyUsage{ServerAuth, ClientAuth}
	}
	if len(ekus) > 0 {
		addExtension(&b, oidExtExtKeyUsage, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, e := range ekus {
					if e == ServerAuth {
						b.AddASN1ObjectIdentifier(oidServerAuth)
					} else {
						b.AddASN1ObjectIdentifier(oidClientAuth)
					}
				}
			})
		})
	}

	// subjectAltName, RFC 5280, Section 4.2.1.6: MUST be critical when the
	// subject is empty. dNSName is [2] IA5String; iPAddress is [7] OCTET
	// STRING of 4 or 16 octets.
	if len(t.DNSNames) > 0 || len(t.IPAddresses) > 0 {
		addExtension(&b, oidExtSubjectAltName, len(t.Subject) == 0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, n := range t.DNSNames {
					b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(n)) })
				}
				for _, ip := range t.IPAddresses {
					b.AddASN1(cbasn1.Tag(7).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ip.Unmap().AsSlice()) })
				}
			})
		})
	}

	// subjectKeyIdentifier, RFC 5280, Section 4.2.1.2 (non-critical).
	if ski != nil {
		addExtension(&b, oidExtSubjectKeyID, false, func(b *cryptobyte.Builder) { b.AddASN1OctetString(ski) })
	}

	// authorityKeyIdentifier, RFC 5280, Section 4.2.1.1: the issuer's
	// keyIdentifier as [0]; MAY be omitted when self-signed, which we do.
	if len(aki) > 0 {
		addExtension(&b, oidExtAuthorityKeyID, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(aki) })
			})
		})
	}

	// authorityInfoAccess, RFC 5280, Section 4.2.2.1 (non-critical): each
	// AccessDescription's location is a uniformResourceIdentifier [6].
	if t.OCSPServer != "" || t.CAIssuers != "" {
		addExtension(&b, oidExtAuthorityInfo, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addAccess(b, oidOCSP, t.OCSPServer)
				addAccess(b, oidCAIssuers, t.CAIssuers)
			})
		})
	}
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("tls: certgen: extensions: %w", err)
	}
	return out, nil
}

// addExtension writes one Extension; critical is DEFAULT FALSE, so DER
// writes it only when true.
func addExtension(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, value cryptobyte.BuilderContinuation) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if critical {
			b.AddASN1Boolean(true)
		}
		b.AddASN1(cbasn1.OCTET_STRING, value)
	})
}

// addNamedBits writes a named-bit BIT STRING: bit i of ku is bit i of the
// string, and DER drops trailing zero bits (X.690, Section 11.2.2).
func addNamedBits(b *cryptobyte.Builder, ku KeyUsage) {
	n := 0 // bits up to and including the last one set
	for i := range 9 {
		if ku&(1<<i) != 0 {
			n = i + 1
		}
	}
	bits := make([]byte, (n+7)/8)
	for i := range n {
		if ku&(1<<i) != 0 {
			bits[i/8] |= 0x80 >> (i % 8)
		}
	}
	b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
		b.AddUint8(uint8(len(bits)*8 - n)) // unused bits in the last octet
		b.AddBytes(bits)
	})
}

func addAccess(b *cryptobyte.Builder, method asn1.ObjectIdentifier, url string) {
	if url == "" {
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(method)
		b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(url)) })
	})
}
