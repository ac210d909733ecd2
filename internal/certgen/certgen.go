package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// KeyType names a key algorithm and size.
type KeyType string

// Key types.
const (
	ECDSAP256 KeyType = "ecdsa-p256"
	ECDSAP384 KeyType = "ecdsa-p384"
	ECDSAP521 KeyType = "ecdsa-p521"
	RSA2048   KeyType = "rsa2048"
	RSA3072   KeyType = "rsa3072"
	Ed25519   KeyType = "ed25519"
)

// GenerateKey makes a key of type t.
func GenerateKey(t KeyType, r io.Reader) (crypto.Signer, error) {
	switch t {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), r)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), r)
	case ECDSAP521:
		return ecdsa.GenerateKey(elliptic.P521(), r)
	case RSA2048:
		// RSA generation ignores a deterministic reader on purpose
		// (crypto/rsa); the system source is used.
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(r)
		return k, err
	}
	return nil, fmt.Errorf("certgen: unknown key type %q", t)
}

// KeyUsage is the keyUsage bit set (RFC 5280, Section 4.2.1.3).
type KeyUsage int

// Key usages.
const (
	DigitalSignature KeyUsage = 1 << iota
	ContentCommitment
	KeyEncipherment
	DataEncipherment
	KeyAgreement
	CertSign
	CRLSign
)

// ExtKeyUsage is an extended key usage purpose.
type ExtKeyUsage int

// Purposes.
const (
	ServerAuth ExtKeyUsage = iota + 1
	ClientAuth
)

// Attr is one name attribute.
type Attr struct {
	OID   asn1.ObjectIdentifier
	Value string
}

// Name OIDs.
var (
	OIDCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	OIDCountry            = asn1.ObjectIdentifier{2, 5, 4, 6}
	OIDLocality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	OIDProvince           = asn1.ObjectIdentifier{2, 5, 4, 8}
	OIDOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	OIDOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
)

// Name is a subject with only a common name.
func Name(cn string) []Attr { return []Attr{{OIDCommonName, cn}} }

// Template describes a certificate to create.
type Template struct {
	Subject     []Attr
	Serial      *big.Int
	NotBefore   time.Time
	NotAfter    time.Time
	IsCA        bool
	MaxPathLen  int // -1: absent
	KeyUsage    KeyUsage
	ExtKeyUsage []ExtKeyUsage
	DNSNames    []string
	IPAddresses []netip.Addr
	OCSPServer  string
	CAIssuers   string
	OmitSKI     bool
}

// Cert is a created certificate with its subject's key.
type Cert struct {
	DER     []byte
	Key     crypto.Signer
	Subject []byte // DER Name
	SKI     []byte
}

var (
	oidSHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSASHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSASHA512   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519       = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidEC            = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP256          = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384          = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521          = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
	oidServerAuth    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	oidClientAuth    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
)

// Create signs tmpl for key with issuer's key (issuer nil: self-signed).
func Create(tmpl *Template, key crypto.Signer, issuer *Cert, r io.Reader) (*Cert, error) {
	spki, err := marshalSPKI(key.Public())
	if err != nil {
		return nil, err
	}
	subject := marshalName(tmpl.Subject)
	ski := keyID(key.Public())
	signer, issuerName, aki := key, subject, ski
	if issuer != nil {
		signer, issuerName, aki = issuer.Key, issuer.Subject, issuer.SKI
	}
	sigAlg, hash, err := sigAlgFor(signer.Public())
	if err != nil {
		return nil, err
	}
	serial := tmpl.Serial
	if serial == nil {
		b := make([]byte, 16)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		b[0] &= 0x7f
		b[0] |= 0x01 // keep it positive and 16 bytes long
		serial = new(big.Int).SetBytes(b)
	}
	var tbs cryptobyte.Builder
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1BigInt(serial)
		b.AddBytes(sigAlg)
		b.AddBytes(issuerName)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addTime(b, tmpl.NotBefore)
			addTime(b, tmpl.NotAfter)
		})
		b.AddBytes(subject)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addExtensions(b, tmpl, key.Public(), ski, aki, issuer != nil)
			})
		})
	})
	tbsDER, err := tbs.Bytes()
	if err != nil {
		return nil, err
	}
	var sig []byte
	if hash == 0 {
		sig, err = signer.Sign(r, tbsDER, crypto.Hash(0))
	} else {
		h := hash.New()
		h.Write(tbsDER)
		sig, err = signer.Sign(r, h.Sum(nil), hash)
	}
	if err != nil {
		return nil, err
	}
	var cert cryptobyte.Builder
	cert.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sig)
	})
	der, err := cert.Bytes()
	if err != nil {
		return nil, err
	}
	c := &Cert{DER: der, Key: key, Subject: subject}
	if !tmpl.OmitSKI {
		c.SKI = ski
	}
	return c, nil
}

func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	// RFC 5280, Section 4.1.2.5: UTCTime through 2049, GeneralizedTime after.
	if t.Year() < 2050 && t.Year() >= 1950 {
		b.AddASN1UTCTime(t)
	} else {
		b.AddASN1GeneralizedTime(t)
	}
}

func addExt(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, f func(b *cryptobyte.Builder)) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if critical {
			b.AddASN1Boolean(true)
		}
		b.AddASN1(cbasn1.OCTET_STRING, f)
	})
}

func addExtensions(b *cryptobyte.Builder, t *Template, pub crypto.PublicKey, ski, aki []byte, hasIssuer bool) {
	// basicConstraints (RFC 5280, Section 4.2.1.9).
	addExt(b, asn1.ObjectIdentifier{2, 5, 29, 19}, t.IsCA, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if t.IsCA {
				b.AddASN1Boolean(true)
				if t.MaxPathLen >= 0 {
					b.AddASN1Int64(int64(t.MaxPathLen))
				}
			}
		})
	})
	ku := t.KeyUsage
	if ku == 0 {
		switch {
		case t.IsCA:
			ku = CertSign | CRLSign | DigitalSignature
		default:
			ku = DigitalSignature
			if _, ok := pub.(*rsa.PublicKey); ok {
				ku |= KeyEncipherment
			}
		}
	}
	addExt(b, asn1.ObjectIdentifier{2, 5, 29, 15}, true, func(b *cryptobyte.Builder) {
		var bits []byte
		n := 0
		for i := range 9 {
			if ku&(1<<i) != 0 {
				n = i + 1
			}
		}
		bits = make([]byte, (n+7)/8)
		for i := range n {
			if ku&(1<<i) != 0 {
				bits[i/8] |= 0x80 >> (i % 8)
			}
		}
		// DER BIT STRING: unused bits in the last byte, trailing zero bits dropped.
		unused := len(bits)*8 - n
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(uint8(unused))
			b.AddBytes(bits)
		})
	})
	ekus := t.ExtKeyUsage
	if ekus == nil && !t.IsCA {
		ekus = []ExtKeyUsage{ServerAuth, ClientAuth}
	}
	if len(ekus) > 0 {
		addExt(b, asn1.ObjectIdentifier{2, 5, 29, 37}, false, func(b *cryptobyte.Builder) {
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
	if len(t.DNSNames) > 0 || len(t.IPAddresses) > 0 {
		addExt(b, asn1.ObjectIdentifier{2, 5, 29, 17}, false, func(b *cryptobyte.Builder) {
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
	if !t.OmitSKI {
		addExt(b, asn1.ObjectIdentifier{2, 5, 29, 14}, false, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(ski)
		})
	}
	if hasIssuer && len(aki) > 0 {
		addExt(b, asn1.ObjectIdentifier{2, 5, 29, 35}, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(aki) })
			})
		})
	}
	if t.OCSPServer != "" || t.CAIssuers != "" {
		addExt(b, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, ad := range []struct {
					oid asn1.ObjectIdentifier
					url string
				}{{asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}, t.OCSPServer}, {asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}, t.CAIssuers}} {
					if ad.url == "" {
						continue
					}
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(ad.oid)
						b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(ad.url)) })
					})
				}
			})
		})
	}
}

func marshalName(attrs []Attr) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(a.OID)
					tag := cbasn1.UTF8String
					if printable(a.Value) {
						tag = cbasn1.PrintableString
					}
					b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.Value)) })
				})
			})
		}
	})
	return b.BytesOrPanic()
}

func printable(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(" '()+,-./:=?", c)) {
			return false
		}
	}
	return true
}

func marshalSPKI(pub crypto.PublicKey) ([]byte, error) {
	var b cryptobyte.Builder
	switch k := pub.(type) {
	case *rsa.PublicKey:
		var key cryptobyte.Builder
		key.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1BigInt(k.N)
			b.AddASN1Int64(int64(k.E))
		})
		kb := key.BytesOrPanic()
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidRSA)
				b.AddASN1NULL()
			})
			b.AddASN1BitString(kb)
		})
	case *ecdsa.PublicKey:
		curve := curveOID(k.Curve)
		pt, err := k.Bytes()
		if err != nil {
			return nil, err
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidEC)
				b.AddASN1ObjectIdentifier(curve)
			})
			b.AddASN1BitString(pt)
		})
	case ed25519.PublicKey:
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidEd25519) })
			b.AddASN1BitString(k)
		})
	default:
		return nil, fmt.Errorf("certgen: unsupported key %T", pub)
	}
	return b.Bytes()
}

func curveOID(c elliptic.Curve) asn1.ObjectIdentifier {
	switch c.Params().BitSize {
	case 384:
		return oidP384
	case 521:
		return oidP521
	}
	return oidP256
}

// keyID is the SHA-1 of the subjectPublicKey bits (RFC 5280, 4.2.1.2 (1)).
func keyID(pub crypto.PublicKey) []byte {
	spki, err := marshalSPKI(pub)
	if err != nil {
		return nil
	}
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bits) {
		return nil
	}
	h := sha1.Sum(bits.Bytes)
	return h[:]
}

func sigAlgFor(pub crypto.PublicKey) ([]byte, crypto.Hash, error) {
	var b cryptobyte.Builder
	var h crypto.Hash
	switch k := pub.(type) {
	case *rsa.PublicKey:
		h = crypto.SHA256
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidSHA256WithRSA)
			b.AddASN1NULL()
		})
	case *ecdsa.PublicKey:
		oid := oidECDSASHA256
		h = crypto.SHA256
		switch k.Curve.Params().BitSize {
		case 384:
			oid, h = oidECDSASHA384, crypto.SHA384
		case 521:
			oid, h = oidECDSASHA512, crypto.SHA512
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
	case ed25519.PublicKey:
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidEd25519) })
	default:
		return nil, 0, fmt.Errorf("certgen: unsupported signer %T", pub)
	}
	out, err := b.Bytes()
	return out, h, err
}

var _ = sha256.New
var _ = sha512.New

// CertPEM encodes the certificate as PEM.
func (c *Cert) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// KeyPEM encodes the key as PKCS#8 PEM.
func (c *Cert) KeyPEM() ([]byte, error) {
	der, err := MarshalPKCS8(c.Key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPKCS8 encodes a private key as PKCS#8 (RFC 5208).
func MarshalPKCS8(key crypto.Signer) ([]byte, error) {
	var b cryptobyte.Builder
	switch k := key.(type) {
	case *rsa.PrivateKey:
		var inner cryptobyte.Builder
		inner.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(0)
			b.AddASN1BigInt(k.N)
			b.AddASN1Int64(int64(k.E))
			b.AddASN1BigInt(k.D)
			b.AddASN1BigInt(k.Primes[0])
			b.AddASN1BigInt(k.Primes[1])
			b.AddASN1BigInt(k.Precomputed.Dp)
			b.AddASN1BigInt(k.Precomputed.Dq)
			b.AddASN1BigInt(k.Precomputed.Qinv)
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(0)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidRSA)
				b.AddASN1NULL()
			})
			b.AddASN1OctetString(inner.BytesOrPanic())
		})
	case *ecdsa.PrivateKey:
		d, err := k.Bytes()
		if err != nil {
			return nil, err
		}
		pub, err := k.PublicKey.Bytes()
		if err != nil {
			return nil, err
		}
		var inner cryptobyte.Builder
		inner.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(1)
			b.AddASN1OctetString(d)
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1BitString(pub) })
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(0)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidEC)
				b.AddASN1ObjectIdentifier(curveOID(k.Curve))
			})
			b.AddASN1OctetString(inner.BytesOrPanic())
		})
	case ed25519.PrivateKey:
		var inner cryptobyte.Builder
		inner.AddASN1OctetString(k.Seed())
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(0)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidEd25519) })
			b.AddASN1OctetString(inner.BytesOrPanic())
		})
	default:
		return nil, errors.New("certgen: unsupported private key type")
	}
	return b.Bytes()
}

// Chain is a root CA, an intermediate CA and a leaf.
type Chain struct{ Root, Intermediate, Leaf *Cert }

// NewChain makes a three-level PKI for names (DNS names or IP literals).
func NewChain(kt KeyType, now time.Time, names []string, r io.Reader) (*Chain, error) {
	rootKey, err := GenerateKey(kt, r)
	if err != nil {
		return nil, err
	}
	root, err := Create(&Template{Subject: []Attr{{OIDOrganization, "tlsengine test"}, {OIDCommonName, "tlsengine test root"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, MaxPathLen: -1}, rootKey, nil, r)
	if err != nil {
		return nil, err
	}
	interKey, err := GenerateKey(kt, r)
	if err != nil {
		return nil, err
	}
	inter, err := Create(&Template{Subject: []Attr{{OIDOrganization, "tlsengine test"}, {OIDCommonName, "tlsengine test intermediate"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, MaxPathLen: 0}, interKey, root, r)
	if err != nil {
		return nil, err
	}
	leafKey, err := GenerateKey(kt, r)
	if err != nil {
		return nil, err
	}
	leaf, err := Create(LeafTemplate(names, now), leafKey, inter, r)
	if err != nil {
		return nil, err
	}
	return &Chain{Root: root, Intermediate: inter, Leaf: leaf}, nil
}

// LeafTemplate is a server/client leaf for names, valid now-1h..now+1y.
func LeafTemplate(names []string, now time.Time) *Template {
	t := &Template{NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), MaxPathLen: -1}
	for _, n := range names {
		if ip, err := netip.ParseAddr(n); err == nil {
			t.IPAddresses = append(t.IPAddresses, ip)
		} else {
			t.DNSNames = append(t.DNSNames, n)
		}
	}
	cn := "localhost"
	if len(names) > 0 {
		cn = names[0]
	}
	t.Subject = Name(cn)
	return t
}

// SelfSigned makes a self-signed leaf (not a CA) for names.
func SelfSigned(kt KeyType, now time.Time, names []string, r io.Reader) (*Cert, error) {
	key, err := GenerateKey(kt, r)
	if err != nil {
		return nil, err
	}
	return Create(LeafTemplate(names, now), key, nil, r)
}

// Fingerprint256 is the SHA-256 fingerprint as OpenSSL and Node print it.
func Fingerprint256(der []byte) string {
	h := sha256.Sum256(der)
	parts := make([]string, len(h))
	for i, b := range h {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
