package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/netip"
	"strings"
	"time"
)

// KeyType names a key algorithm and size.
type KeyType string

// The key types GenerateKey makes.
const (
	ECDSAP256 KeyType = "ecdsa-p256"
	ECDSAP384 KeyType = "ecdsa-p384"
	ECDSAP521 KeyType = "ecdsa-p521"
	RSA2048   KeyType = "rsa2048"
	RSA3072   KeyType = "rsa3072"
	Ed25519   KeyType = "ed25519"
)

// KeyTypes lists every KeyType, in the order above.
var KeyTypes = []KeyType{ECDSAP256, ECDSAP384, ECDSAP521, RSA2048, RSA3072, Ed25519}

// GenerateKey makes a key of type t. A nil rand means crypto/rand.Reader.
// Since Go 1.26 the standard library ignores a caller's reader for ECDSA and
// RSA key generation (unless GODEBUG=cryptocustomrand=1), so only Ed25519
// keys follow a deterministic rand.
func GenerateKey(t KeyType, rand io.Reader) (crypto.Signer, error) {
	rand = orDefault(rand)
	switch t {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand)
	case ECDSAP521:
		return ecdsa.GenerateKey(elliptic.P521(), rand)
	case RSA2048:
		return rsa.GenerateKey(rand, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand, 3072)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand)
		if err != nil {
			return nil, err
		}
		return k, nil
	}
	return nil, fmt.Errorf("tls: certgen: unknown key type %q", string(t))
}

// KeyUsage is the keyUsage bit set of RFC 5280, Section 4.2.1.3; bit i of
// the value is bit i of the named BIT STRING (the same numbering as
// crypto/x509.KeyUsage).
type KeyUsage int

// The keyUsage bits.
const (
	DigitalSignature KeyUsage = 1 << iota
	ContentCommitment
	KeyEncipherment
	DataEncipherment
	KeyAgreement
	CertSign
	CRLSign
	EncipherOnly
	DecipherOnly
)

// ExtKeyUsage is an extended key usage purpose (RFC 5280, Section 4.2.1.12).
type ExtKeyUsage int

// The purposes certgen can write.
const (
	ServerAuth ExtKeyUsage = iota + 1
	ClientAuth
)

// Attr is one attribute of a distinguished name; each Attr becomes its own
// RelativeDistinguishedName.
type Attr struct {
	OID   asn1.ObjectIdentifier
	Value string
}

// The attribute types of RFC 5280, Appendix A.1, that callers use most.
var (
	OIDCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	OIDCountry            = asn1.ObjectIdentifier{2, 5, 4, 6}
	OIDLocality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	OIDProvince           = asn1.ObjectIdentifier{2, 5, 4, 8}
	OIDOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	OIDOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
)

// Name is a subject made of a common name only.
func Name(cn string) []Attr { return []Attr{{OIDCommonName, cn}} }

// Template describes a certificate for Create.
type Template struct {
	// Subject is the subject name, RDNs in order. It may be empty for a
	// leaf with subjectAltNames (the SAN extension is then critical).
	Subject []Attr
	// Serial is the serial number; nil draws 16 random bytes with the top
	// bit cleared, so that the number is positive.
	Serial *big.Int
	// NotBefore and NotAfter bound the validity; both are required
	// because this package never reads the clock.
	NotBefore time.Time
	NotAfter  time.Time
	// IsCA makes basicConstraints critical with cA TRUE.
	IsCA bool
	// MaxPathLen is the pathLenConstraint of a CA; -1 leaves it out. It
	// is ignored for leaves.
	MaxPathLen int
	// KeyUsage is the keyUsage bit set; 0 picks a default (CA:
	// CertSign|CRLSign|DigitalSignature; leaf: DigitalSignature, plus
	// KeyEncipherment for RSA keys).
	KeyUsage KeyUsage
	// ExtKeyUsage lists the purposes; nil means none for a CA and
	// {ServerAuth, ClientAuth} for a leaf. A non-nil empty slice writes
	// no extKeyUsage for a leaf either.
	ExtKeyUsage []ExtKeyUsage
	// DNSNames and IPAddresses are the subjectAltName entries.
	DNSNames    []string
	IPAddresses []netip.Addr
	// OCSPServer and CAIssuers are the authorityInfoAccess URLs (optional).
	OCSPServer string
	CAIssuers  string
	// OmitSKI leaves out subjectKeyIdentifier, so that children carry no
	// authorityKeyIdentifier either (for tests of chain building).
	OmitSKI bool
}

// Cert is a created certificate together with its subject's key.
type Cert struct {
	// DER is the certificate.
	DER []byte
	// Key is the subject's private key.
	Key crypto.Signer
	// Subject is the DER subject Name, the issuer Name of children.
	Subject []byte
	// SKI is the subjectKeyIdentifier written (nil with OmitSKI), the
	// authorityKeyIdentifier of children.
	SKI []byte
}

// Create makes a certificate for tmpl whose subject key is key, signed by
// issuer's key (issuer nil: self-signed with key). A nil rand means
// crypto/rand.Reader. The signature algorithm follows the signing key:
// ECDSA with SHA-256 (P-256), SHA-384 (P-384) or SHA-512 (P-521),
// sha256WithRSAEncryption, or Ed25519.
func Create(tmpl *Template, key crypto.Signer, issuer *Cert, rand io.Reader) (*Cert, error) {
	if tmpl == nil {
		return nil, errors.New("tls: certgen: nil template")
	}
	if key == nil {
		return nil, errors.New("tls: certgen: nil subject key")
	}
	rand = orDefault(rand)
	signer := key
	if issuer != nil {
		if issuer.Key == nil || len(issuer.Subject) == 0 {
			return nil, errors.New("tls: certgen: issuer lacks a key or a subject")
		}
		signer = issuer.Key
	}
	if err := checkTemplate(tmpl); err != nil {
		return nil, err
	}
	pub := key.Public()
	spki, err := marshalSPKI(pub)
	if err != nil {
		return nil, err
	}
	subject, err := marshalName(tmpl.Subject)
	if err != nil {
		return nil, err
	}
	ski, err := keyID(pub)
	if err != nil {
		return nil, err
	}
	issuerName, aki := subject, []byte(nil)
	if issuer != nil {
		issuerName, aki = issuer.Subject, issuer.SKI
	}
	alg, err := sigAlgFor(signer.Public())
	if err != nil {
		return nil, err
	}
	serial := tmpl.Serial
	if serial == nil {
		if serial, err = randomSerial(rand); err != nil {
			return nil, err
		}
	}
	if tmpl.OmitSKI {
		ski = nil
	}
	exts, err := marshalExtensions(tmpl, pub, ski, aki)
	if err != nil {
		return nil, err
	}
	tbs, err := marshalTBS(serial, alg, issuerName, tmpl.NotBefore, tmpl.NotAfter, subject, spki, exts)
	if err != nil {
		return nil, err
	}
	sig, err := alg.sign(signer, tbs, rand)
	if err != nil {
		return nil, err
	}
	der, err := marshalCertificate(tbs, alg, sig)
	if err != nil {
		return nil, err
	}
	return &Cert{DER: der, Key: key, Subject: subject, SKI: ski}, nil
}

// CertPEM is the certificate as a PEM "CERTIFICATE" block.
func (c *Cert) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// KeyPEM is the subject's key as a PEM "PRIVATE KEY" block (PKCS#8).
func (c *Cert) KeyPEM() ([]byte, error) {
	der, err := MarshalPKCS8(c.Key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Chain is a ready-made PKI: a root CA, an intermediate CA under it and a
// leaf under the intermediate.
type Chain struct{ Root, Intermediate, Leaf *Cert }

// NewChain makes a Chain whose keys are all of type kt. The CAs are valid
// from now-1h for ten years, the leaf from now-1h for one year (see
// LeafTemplate); names may mix DNS names and IP literals, and an empty list
// means "localhost". The root has no path length limit, the intermediate
// pathLen 0.
func NewChain(kt KeyType, now time.Time, names []string, rand io.Reader) (*Chain, error) {
	return newChain(now, names, rand, func() (crypto.Signer, error) { return GenerateKey(kt, rand) })
}

// LeafTemplate is the template of NewChain's and SelfSigned's leaves: valid
// from now-1h to now+1y, the subjectAltNames are names (IP literals become
// iPAddress entries), and the common name is the first name ("localhost"
// when names is empty or the first name is longer than the 64 characters
// of ub-common-name). An empty names means {"localhost"}.
func LeafTemplate(names []string, now time.Time) *Template {
	if len(names) == 0 {
		names = []string{"localhost"}
	}
	t := &Template{NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), MaxPathLen: -1}
	for _, n := range names {
		if ip, err := netip.ParseAddr(n); err == nil {
			t.IPAddresses = append(t.IPAddresses, ip)
		} else {
			t.DNSNames = append(t.DNSNames, n)
		}
	}
	cn := names[0]
	if cn == "" || len(cn) > 64 {
		cn = "localhost"
	}
	t.Subject = Name(cn)
	return t
}

// SelfSigned makes a self-signed leaf (not a CA) for names from
// LeafTemplate, valid now-1h..now+1y. The CLI's default is
// SelfSigned(ECDSAP256, ...); an empty kt means ECDSAP256.
func SelfSigned(kt KeyType, now time.Time, names []string, rand io.Reader) (*Cert, error) {
	if kt == "" {
		kt = ECDSAP256
	}
	key, err := GenerateKey(kt, rand)
	if err != nil {
		return nil, err
	}
	return Create(LeafTemplate(names, now), key, nil, rand)
}

// Fingerprint256 is the SHA-256 fingerprint of der in the form OpenSSL and
// Node print: upper-case hex bytes joined by colons.
func Fingerprint256(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	b.Grow(len(sum)*3 - 1)
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// newChain is NewChain with the key source injected (tests reuse slow RSA
// keys through it).
func newChain(now time.Time, names []string, rand io.Reader, genKey func() (crypto.Signer, error)) (*Chain, error) {
	caTemplate := func(cn string, maxPathLen int) *Template {
		return &Template{
			Subject:    []Attr{{OIDOrganization, "tlsengine test"}, {OIDCommonName, cn}},
			NotBefore:  now.Add(-time.Hour),
			NotAfter:   now.AddDate(10, 0, 0),
			IsCA:       true,
			MaxPathLen: maxPathLen,
		}
	}
	rootKey, err := genKey()
	if err != nil {
		return nil, err
	}
	root, err := Create(caTemplate("tlsengine test root", -1), rootKey, nil, rand)
	if err != nil {
		return nil, err
	}
	interKey, err := genKey()
	if err != nil {
		return nil, err
	}
	inter, err := Create(caTemplate("tlsengine test intermediate", 0), interKey, root, rand)
	if err != nil {
		return nil, err
	}
	leafKey, err := genKey()
	if err != nil {
		return nil, err
	}
	leaf, err := Create(LeafTemplate(names, now), leafKey, inter, rand)
	if err != nil {
		return nil, err
	}
	return &Chain{Root: root, Intermediate: inter, Leaf: leaf}, nil
}

func orDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// randomSerial draws 16 bytes and clears the top bit: RFC 5280, Section
// 4.1.2.2, requires a positive serial of at most 20 octets.
func randomSerial(r io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("tls: certgen: reading a random serial: %w", err)
	}
	b[0] &= 0x7f
	s := new(big.Int).SetBytes(b)
	if s.Sign() == 0 {
		s.SetInt64(1) // zero is not positive
	}
	return s, nil
}

// ChainPEM is a chain as a server and its clients take it: the root (what
// a peer trusts), the leaf followed by the intermediate (what the server
// sends), and the leaf's PKCS#8 key, all PEM.
type ChainPEM struct{ Root, Chain, Key []byte }

// PEM returns the chain as ChainPEM.
func (c *Chain) PEM() (ChainPEM, error) {
	key, err := c.Leaf.KeyPEM()
	if err != nil {
		return ChainPEM{}, err
	}
	return ChainPEM{Root: c.Root.CertPEM(), Chain: append(c.Leaf.CertPEM(), c.Intermediate.CertPEM()...), Key: key}, nil
}
