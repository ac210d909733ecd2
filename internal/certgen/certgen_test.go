package certgen

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// now is a fixed instant, so that expectations do not depend on the clock.
var now = time.Date(2026, 3, 4, 5, 6, 7, 891, time.UTC)

var testNames = []string{"localhost", "a.example.com", "127.0.0.1", "::1"}

// keyCache holds three keys per type, made once per test binary (RSA
// generation is slow).
var keyCache = struct {
	sync.Mutex
	m map[KeyType][]crypto.Signer
}{m: map[KeyType][]crypto.Signer{}}

func testKeys(t *testing.T, kt KeyType) []crypto.Signer {
	t.Helper()
	keyCache.Lock()
	defer keyCache.Unlock()
	if ks, ok := keyCache.m[kt]; ok {
		return ks
	}
	var ks []crypto.Signer
	for range 3 {
		k, err := GenerateKey(kt, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	keyCache.m[kt] = ks
	return ks
}

// testChain is NewChain over cached keys.
func testChain(t *testing.T, kt KeyType, names []string) *Chain {
	t.Helper()
	ks, i := testKeys(t, kt), 0
	ch, err := newChain(now, names, rand.Reader, func() (crypto.Signer, error) { i++; return ks[i-1], nil })
	if err != nil {
		t.Fatalf("%s: %v", kt, err)
	}
	return ch
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("crypto/x509 rejects our certificate: %v", err)
	}
	return c
}

// spkiKeyID is the RFC 5280 method (1) key identifier, computed with
// encoding/asn1 independently of the package.
func spkiKeyID(t *testing.T, c *x509.Certificate) []byte {
	t.Helper()
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if rest, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil || len(rest) != 0 {
		t.Fatalf("SPKI: %v", err)
	}
	h := sha1.Sum(spki.Key.Bytes)
	return h[:]
}

func extension(c *x509.Certificate, oid asn1.ObjectIdentifier) *pkix.Extension {
	for i := range c.Extensions {
		if c.Extensions[i].Id.Equal(oid) {
			return &c.Extensions[i]
		}
	}
	return nil
}

var wantSigAlg = map[KeyType]x509.SignatureAlgorithm{
	ECDSAP256: x509.ECDSAWithSHA256,
	ECDSAP384: x509.ECDSAWithSHA384,
	ECDSAP521: x509.ECDSAWithSHA512,
	RSA2048:   x509.SHA256WithRSA,
	RSA3072:   x509.SHA256WithRSA,
	Ed25519:   x509.PureEd25519,
}

func TestNewChainDirect(t *testing.T) {
	ch, err := NewChain(ECDSAP256, now, testNames, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := mustParse(t, ch.Leaf.DER)
	if leaf.Subject.CommonName != "localhost" || len(leaf.DNSNames) != 2 || len(leaf.IPAddresses) != 2 {
		t.Errorf("leaf subject %v, DNS %v, IPs %v", leaf.Subject, leaf.DNSNames, leaf.IPAddresses)
	}
	if _, err := NewChain("dsa", now, testNames, rand.Reader); err == nil {
		t.Error("NewChain accepted an unknown key type")
	}
	// No names: a certificate for localhost.
	ch, err = NewChain(Ed25519, now, nil, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if leaf := mustParse(t, ch.Leaf.DER); !reflect.DeepEqual(leaf.DNSNames, []string{"localhost"}) || leaf.Subject.CommonName != "localhost" {
		t.Errorf("empty names: DNS %v, CN %q", leaf.DNSNames, leaf.Subject.CommonName)
	}
}

func TestChainVerifiesWithCryptoX509(t *testing.T) {
	for _, kt := range KeyTypes {
		t.Run(string(kt), func(t *testing.T) {
			ch := testChain(t, kt, testNames)
			root, inter, leaf := mustParse(t, ch.Root.DER), mustParse(t, ch.Intermediate.DER), mustParse(t, ch.Leaf.DER)

			roots, inters := x509.NewCertPool(), x509.NewCertPool()
			roots.AddCert(root)
			inters.AddCert(inter)
			for _, name := range testNames {
				chains, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inters, CurrentTime: now})
				if err != nil {
					t.Fatalf("verify for %q: %v", name, err)
				}
				if len(chains) != 1 || len(chains[0]) != 3 {
					t.Errorf("chains %v", chains)
				}
			}
			if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "b.example.com", Roots: roots, Intermediates: inters, CurrentTime: now}); err == nil {
				t.Error("verified for a name the leaf does not hold")
			}
			for _, at := range []time.Time{now.Add(-2 * time.Hour), now.AddDate(1, 0, 1)} {
				if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots, Intermediates: inters, CurrentTime: at}); err == nil {
					t.Errorf("verified at %v, outside the validity", at)
				}
			}

			type want struct {
				c                *x509.Certificate
				parent           *x509.Certificate
				cert             *Cert
				isCA             bool
				maxPathLen       int
				maxPathLenZero   bool
				ku               x509.KeyUsage
				eku              []x509.ExtKeyUsage
				notBefore, after time.Time
				cn               string
			}
			leafKU := x509.KeyUsageDigitalSignature
			if kt == RSA2048 || kt == RSA3072 {
				leafKU |= x509.KeyUsageKeyEncipherment
			}
			caKU := x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
			nb := now.Add(-time.Hour).Truncate(time.Second)
			for _, w := range []want{
				{root, root, ch.Root, true, -1, false, caKU, nil, nb, now.AddDate(10, 0, 0).Truncate(time.Second), "tlsengine test root"},
				{inter, root, ch.Intermediate, true, 0, true, caKU, nil, nb, now.AddDate(10, 0, 0).Truncate(time.Second), "tlsengine test intermediate"},
				{leaf, inter, ch.Leaf, false, -1, false, leafKU, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, nb, now.AddDate(1, 0, 0).Truncate(time.Second), "localhost"},
			} {
				c := w.c
				if c.Version != 3 || !c.BasicConstraintsValid || c.IsCA != w.isCA || c.MaxPathLen != w.maxPathLen || c.MaxPathLenZero != w.maxPathLenZero {
					t.Errorf("%s: version %d, basic constraints %v CA %v pathlen %d zero %v", w.cn, c.Version, c.BasicConstraintsValid, c.IsCA, c.MaxPathLen, c.MaxPathLenZero)
				}
				if c.KeyUsage != w.ku || !reflect.DeepEqual(c.ExtKeyUsage, w.eku) {
					t.Errorf("%s: key usage %b, EKU %v", w.cn, c.KeyUsage, c.ExtKeyUsage)
				}
				if !c.NotBefore.Equal(w.notBefore) || !c.NotAfter.Equal(w.after) {
					t.Errorf("%s: validity %v..%v", w.cn, c.NotBefore, c.NotAfter)
				}
				if c.Subject.CommonName != w.cn || !bytes.Equal(c.RawSubject, w.cert.Subject) || !bytes.Equal(c.RawIssuer, w.parent.RawSubject) {
					t.Errorf("%s: subject %v issuer %v", w.cn, c.Subject, c.Issuer)
				}
				if c.SignatureAlgorithm != wantSigAlg[kt] {
					t.Errorf("%s: signature algorithm %v", w.cn, c.SignatureAlgorithm)
				}
				if err := c.CheckSignatureFrom(w.parent); err != nil {
					t.Errorf("%s: signature: %v", w.cn, err)
				}
				if !bytes.Equal(c.SubjectKeyId, spkiKeyID(t, c)) || !bytes.Equal(w.cert.SKI, c.SubjectKeyId) {
					t.Errorf("%s: SKI %x", w.cn, c.SubjectKeyId)
				}
				wantAKI := w.parent.SubjectKeyId
				if c == root {
					wantAKI = nil // self-signed: omitted
				}
				if !bytes.Equal(c.AuthorityKeyId, wantAKI) {
					t.Errorf("%s: AKI %x, want %x", w.cn, c.AuthorityKeyId, wantAKI)
				}
				if c.SerialNumber.Sign() <= 0 || c.SerialNumber.BitLen() > 127 {
					t.Errorf("%s: serial %v", w.cn, c.SerialNumber)
				}
				// basicConstraints: critical for CAs; a leaf's is a non-critical
				// empty SEQUENCE. keyUsage: always critical.
				bc, ku := extension(c, oidExtBasicConstraints), extension(c, oidExtKeyUsage)
				if bc == nil || bc.Critical != w.isCA || (!w.isCA && !bytes.Equal(bc.Value, []byte{0x30, 0x00})) {
					t.Errorf("%s: basicConstraints %+v", w.cn, bc)
				}
				if ku == nil || !ku.Critical {
					t.Errorf("%s: keyUsage %+v", w.cn, ku)
				}
				if !c.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(w.cert.Key.Public()) {
					t.Errorf("%s: public key differs from Cert.Key", w.cn)
				}
			}
			if !reflect.DeepEqual(leaf.DNSNames, []string{"localhost", "a.example.com"}) {
				t.Errorf("DNS names %v", leaf.DNSNames)
			}
			if len(leaf.IPAddresses) != 2 || !leaf.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) || len(leaf.IPAddresses[0]) != 4 || !leaf.IPAddresses[1].Equal(net.IPv6loopback) {
				t.Errorf("IP addresses %v", leaf.IPAddresses)
			}
		})
	}
}

func TestSelfSigned(t *testing.T) {
	for _, kt := range []KeyType{"", ECDSAP256, Ed25519} {
		c, err := SelfSigned(kt, now, []string{"localhost", "127.0.0.1", "::1"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := mustParse(t, c.DER)
		if x.IsCA || !bytes.Equal(x.RawIssuer, x.RawSubject) || x.AuthorityKeyId != nil || len(x.SubjectKeyId) != 20 {
			t.Errorf("%q: CA %v, issuer %v, AKI %x", kt, x.IsCA, x.Issuer, x.AuthorityKeyId)
		}
		if kt == "" && x.PublicKeyAlgorithm != x509.ECDSA {
			t.Errorf("default key type is %v", x.PublicKeyAlgorithm)
		}
		if err := x.CheckSignatureFrom(x); err == nil {
			t.Error("a leaf (not a CA) was accepted as its own parent by crypto/x509")
		}
		if err := x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature); err != nil {
			t.Errorf("%q: self signature: %v", kt, err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(x)
		for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
			if _, err := x.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, CurrentTime: now}); err != nil {
				t.Errorf("%q: verify as its own root for %s: %v", kt, name, err)
			}
		}
	}
}

func TestKeyPEM(t *testing.T) {
	for _, kt := range KeyTypes {
		key := testKeys(t, kt)[0]
		c := &Cert{Key: key}
		p, err := c.KeyPEM()
		if err != nil {
			t.Fatalf("%s: %v", kt, err)
		}
		block, rest := pem.Decode(p)
		if block == nil || block.Type != "PRIVATE KEY" || len(rest) != 0 {
			t.Fatalf("%s: PEM %q", kt, p)
		}
		back, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			t.Fatalf("%s: crypto/x509 rejects our PKCS#8: %v", kt, err)
		}
		if !back.(interface{ Equal(crypto.PrivateKey) bool }).Equal(key) {
			t.Errorf("%s: a different key came back", kt)
		}
		// The encoding is DER, so it must equal the reference byte for byte.
		ref, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(block.Bytes, ref) {
			t.Errorf("%s: PKCS#8 differs from crypto/x509's\n got %x\nwant %x", kt, block.Bytes, ref)
		}
	}
	// An RSA key without precomputed CRT values encodes the same.
	k := testKeys(t, RSA2048)[0].(*rsa.PrivateKey)
	bare := &rsa.PrivateKey{PublicKey: k.PublicKey, D: k.D, Primes: k.Primes}
	a, err1 := MarshalPKCS8(k)
	b, err2 := MarshalPKCS8(bare)
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Errorf("RSA without CRT values: %v %v, equal %v", err1, err2, bytes.Equal(a, b))
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	for name, k := range map[string]crypto.Signer{
		"P-224":            p224,
		"short Ed25519":    ed25519.PrivateKey(make([]byte, 10)),
		"three-prime RSA":  &rsa.PrivateKey{PublicKey: k.PublicKey, D: k.D, Primes: []*big.Int{k.Primes[0], k.Primes[1], big.NewInt(3)}},
		"foreign signer":   badSigner{k},
		"RSA without D":    &rsa.PrivateKey{PublicKey: k.PublicKey, Primes: k.Primes},
		"RSA without N":    &rsa.PrivateKey{D: k.D, Primes: k.Primes},
		"nil ECDSA pubkey": &ecdsa.PrivateKey{D: big.NewInt(1)},
	} {
		if _, err := MarshalPKCS8(k); err == nil || !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// TestTimeEncoding checks RFC 5280, Section 4.1.2.5: UTCTime for
// 1950..2049, GeneralizedTime otherwise, whole seconds in UTC.
func TestTimeEncoding(t *testing.T) {
	key := testKeys(t, Ed25519)[0]
	for _, tc := range []struct {
		notBefore, notAfter time.Time
		tags                [2]cbasn1.Tag
		text                [2]string
	}{
		{time.Date(2049, 12, 31, 23, 59, 59, 999, time.UTC), time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC),
			[2]cbasn1.Tag{cbasn1.UTCTime, cbasn1.GeneralizedTime}, [2]string{"491231235959Z", "20500101000000Z"}},
		{time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
			[2]cbasn1.Tag{cbasn1.UTCTime, cbasn1.GeneralizedTime}, [2]string{"500101000000Z", "99991231235959Z"}},
		{time.Date(1949, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)),
			[2]cbasn1.Tag{cbasn1.GeneralizedTime, cbasn1.UTCTime}, [2]string{"19491231235959Z", "260102020405Z"}},
	} {
		tm := LeafTemplate([]string{"localhost"}, now)
		tm.NotBefore, tm.NotAfter = tc.notBefore, tc.notAfter
		c, err := Create(tm, key, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := mustParse(t, c.DER)
		if !x.NotBefore.Equal(tc.notBefore.Truncate(time.Second)) || !x.NotAfter.Equal(tc.notAfter.Truncate(time.Second)) {
			t.Errorf("validity %v..%v", x.NotBefore, x.NotAfter)
		}
		// Walk to the Validity SEQUENCE of the TBSCertificate.
		tbs := cryptobyte.String(x.RawTBSCertificate)
		var body, validity cryptobyte.String
		if !tbs.ReadASN1(&body, cbasn1.SEQUENCE) ||
			!body.SkipASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
			!body.SkipASN1(cbasn1.INTEGER) || !body.SkipASN1(cbasn1.SEQUENCE) || !body.SkipASN1(cbasn1.SEQUENCE) ||
			!body.ReadASN1(&validity, cbasn1.SEQUENCE) {
			t.Fatal("cannot find Validity")
		}
		for i := range 2 {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !validity.ReadAnyASN1(&v, &tag) || tag != tc.tags[i] || string(v) != tc.text[i] {
				t.Errorf("time %d: tag %v %q, want %v %q", i, tag, v, tc.tags[i], tc.text[i])
			}
		}
	}
}

// TestNameEncoding checks PrintableString when possible, else UTF8String,
// one attribute per RDN in order.
func TestNameEncoding(t *testing.T) {
	attrs := []Attr{
		{OIDCountry, "DE"},
		{OIDProvince, "Baden-Württemberg"},
		{OIDLocality, "Stuttgart (Mitte)"},
		{OIDOrganization, "A&B"},
		{OIDOrganizationalUnit, "it's +,-./:=? ok"},
		{OIDCommonName, "*.example.com"},
	}
	wantTags := []cbasn1.Tag{cbasn1.PrintableString, cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.UTF8String}
	der, err := marshalName(attrs)
	if err != nil {
		t.Fatal(err)
	}
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		t.Fatal("not a SEQUENCE")
	}
	for i, a := range attrs {
		var set, atv, val cryptobyte.String
		var oid asn1.ObjectIdentifier
		var tag cbasn1.Tag
		if !seq.ReadASN1(&set, cbasn1.SET) || !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !set.Empty() ||
			!atv.ReadASN1ObjectIdentifier(&oid) || !atv.ReadAnyASN1(&val, &tag) {
			t.Fatalf("RDN %d malformed", i)
		}
		if !oid.Equal(a.OID) || tag != wantTags[i] || string(val) != a.Value {
			t.Errorf("RDN %d: %v %v %q", i, oid, tag, val)
		}
	}
	// crypto/x509 reads the same names back.
	key := testKeys(t, ECDSAP256)[0]
	c, err := Create(&Template{Subject: attrs, NotBefore: now, NotAfter: now.Add(time.Hour), IsCA: true, MaxPathLen: -1}, key, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := mustParse(t, c.DER)
	if x.Subject.Province[0] != "Baden-Württemberg" || x.Subject.CommonName != "*.example.com" || x.Subject.Country[0] != "DE" || x.Subject.Organization[0] != "A&B" {
		t.Errorf("subject %v", x.Subject)
	}
}

func TestCreateOptions(t *testing.T) {
	keys := testKeys(t, ECDSAP384)
	ca, err := Create(&Template{Subject: Name("ca"), NotBefore: now, NotAfter: now.AddDate(1, 0, 0), IsCA: true, MaxPathLen: 3,
		KeyUsage: CertSign, ExtKeyUsage: []ExtKeyUsage{ServerAuth}, OmitSKI: true}, keys[0], nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	xca := mustParse(t, ca.DER)
	if xca.MaxPathLen != 3 || xca.KeyUsage != x509.KeyUsageCertSign || !reflect.DeepEqual(xca.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) ||
		xca.SubjectKeyId != nil || ca.SKI != nil || extension(xca, oidExtSubjectKeyID) != nil {
		t.Errorf("CA: pathlen %d KU %b EKU %v SKI %x", xca.MaxPathLen, xca.KeyUsage, xca.ExtKeyUsage, xca.SubjectKeyId)
	}
	serial, _ := new(big.Int).SetString("00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff", 16) // 19 bytes, 20 encoded
	leafT := &Template{
		Serial:      serial,
		NotBefore:   now,
		NotAfter:    now.Add(time.Hour),
		MaxPathLen:  5, // ignored for leaves
		KeyUsage:    DigitalSignature | KeyAgreement | DecipherOnly,
		ExtKeyUsage: []ExtKeyUsage{},
		IPAddresses: []netip.Addr{netip.MustParseAddr("::ffff:10.1.2.3"), netip.MustParseAddr("fe80::1%eth0")},
		OCSPServer:  "http://ocsp.example/",
		CAIssuers:   "http://ca.example/ca.crt",
	}
	leaf, err := Create(leafT, keys[1], ca, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := mustParse(t, leaf.DER)
	if x.SerialNumber.Cmp(serial) != 0 || x.IsCA || x.MaxPathLen != -1 || x.ExtKeyUsage != nil || extension(x, oidExtExtKeyUsage) != nil {
		t.Errorf("leaf: serial %x CA %v pathlen %d EKU %v", x.SerialNumber, x.IsCA, x.MaxPathLen, x.ExtKeyUsage)
	}
	if x.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyAgreement|x509.KeyUsageDecipherOnly {
		t.Errorf("KU %b", x.KeyUsage)
	}
	if x.AuthorityKeyId != nil || extension(x, oidExtAuthorityKeyID) != nil {
		t.Error("AKI written although the issuer has no SKI")
	}
	if len(x.RawSubject) != 2 || len(x.Subject.Names) != 0 {
		t.Errorf("subject %x", x.RawSubject)
	}
	if san := extension(x, oidExtSubjectAltName); san == nil || !san.Critical {
		t.Error("SAN of an empty-subject certificate is not critical")
	}
	if len(x.IPAddresses) != 2 || len(x.IPAddresses[0]) != 4 || !x.IPAddresses[0].Equal(net.IPv4(10, 1, 2, 3)) || !x.IPAddresses[1].Equal(net.ParseIP("fe80::1")) {
		t.Errorf("IPs %v", x.IPAddresses)
	}
	if !reflect.DeepEqual(x.OCSPServer, []string{leafT.OCSPServer}) || !reflect.DeepEqual(x.IssuingCertificateURL, []string{leafT.CAIssuers}) {
		t.Errorf("AIA %v %v", x.OCSPServer, x.IssuingCertificateURL)
	}
	if err := x.CheckSignatureFrom(xca); err != nil {
		t.Error(err)
	}
	// Only one AIA entry.
	leafT.OCSPServer = ""
	leaf, err = Create(leafT, keys[1], ca, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x := mustParse(t, leaf.DER); x.OCSPServer != nil || len(x.IssuingCertificateURL) != 1 {
		t.Errorf("AIA %v %v", x.OCSPServer, x.IssuingCertificateURL)
	}
}

// TestKeyUsageBits checks the named-bit BIT STRING encoding: trailing zero
// bits dropped, the unused-bit count right.
func TestKeyUsageBits(t *testing.T) {
	for _, tc := range []struct {
		ku   KeyUsage
		want []byte
	}{
		{DigitalSignature, []byte{0x03, 0x02, 0x07, 0x80}},
		{DigitalSignature | KeyEncipherment, []byte{0x03, 0x02, 0x05, 0xa0}},
		{CertSign | CRLSign | DigitalSignature, []byte{0x03, 0x02, 0x01, 0x86}},
		{CRLSign, []byte{0x03, 0x02, 0x01, 0x02}},
		{EncipherOnly, []byte{0x03, 0x02, 0x00, 0x01}},
		{DecipherOnly, []byte{0x03, 0x03, 0x07, 0x00, 0x80}},
	} {
		var b cryptobyte.Builder
		addNamedBits(&b, tc.ku)
		if got := b.BytesOrPanic(); !bytes.Equal(got, tc.want) {
			t.Errorf("%b: %x, want %x", tc.ku, got, tc.want)
		}
	}
}

func TestRandomSerial(t *testing.T) {
	key := testKeys(t, Ed25519)[0]
	for _, tc := range []struct {
		fill byte
		want string
	}{
		{0xff, "7fffffffffffffffffffffffffffffff"},
		{0x80, strings.Repeat("80", 15)}, // top byte 0x00 after clearing
		{0x00, "1"},
	} {
		r := bytes.NewReader(bytes.Repeat([]byte{tc.fill}, 16))
		c, err := Create(LeafTemplate(nil, now), key, nil, r)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustParse(t, c.DER).SerialNumber.Text(16); got != tc.want {
			t.Errorf("fill %#x: serial %s, want %s", tc.fill, got, tc.want)
		}
	}
	if _, err := Create(LeafTemplate(nil, now), key, nil, bytes.NewReader(make([]byte, 15))); err == nil {
		t.Error("a short random source went unnoticed")
	}
}

// TestDeterministic: Ed25519 signatures are deterministic, so the same
// inputs must give the same bytes.
func TestDeterministic(t *testing.T) {
	key := testKeys(t, Ed25519)[0]
	tm := LeafTemplate([]string{"localhost"}, now)
	tm.Serial = big.NewInt(42)
	a, err1 := Create(tm, key, nil, nil)
	b, err2 := Create(tm, key, nil, nil)
	if err1 != nil || err2 != nil || !bytes.Equal(a.DER, b.DER) {
		t.Fatalf("%v %v: different DER for equal inputs", err1, err2)
	}
	if got := mustParse(t, a.DER).SerialNumber.Int64(); got != 42 {
		t.Errorf("serial %d", got)
	}
}

type badSigner struct{ crypto.Signer }

func (b badSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := b.Signer.Sign(r, digest, opts)
	if len(sig) > 0 {
		sig[len(sig)/2] ^= 1
	}
	return sig, err
}

type otherSigner struct {
	crypto.Signer
	pub crypto.PublicKey
}

func (o otherSigner) Public() crypto.PublicKey { return o.pub }

func TestCreateRejects(t *testing.T) {
	key := testKeys(t, ECDSAP256)[0]
	other := testKeys(t, ECDSAP256)[1]
	rsaKey := testKeys(t, RSA2048)[0].(*rsa.PrivateKey)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	ok := func() *Template { return LeafTemplate([]string{"localhost"}, now) }
	issuer, err := Create(ok(), key, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	big21 := new(big.Int).Lsh(big.NewInt(1), 159) // top bit of 20 octets: 21 encoded
	for _, tc := range []struct {
		name   string
		tmpl   func(*Template)
		key    crypto.Signer
		issuer *Cert
	}{
		{name: "zero NotBefore", tmpl: func(t *Template) { t.NotBefore = time.Time{} }},
		{name: "zero NotAfter", tmpl: func(t *Template) { t.NotAfter = time.Time{} }},
		{name: "NotAfter before NotBefore", tmpl: func(t *Template) { t.NotAfter = t.NotBefore.Add(-time.Second) }},
		{name: "year 10000", tmpl: func(t *Template) { t.NotAfter = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{name: "zero serial", tmpl: func(t *Template) { t.Serial = big.NewInt(0) }},
		{name: "negative serial", tmpl: func(t *Template) { t.Serial = big.NewInt(-5) }},
		{name: "21-octet serial", tmpl: func(t *Template) { t.Serial = big21 }},
		{name: "CA pathlen -2", tmpl: func(t *Template) { t.IsCA, t.MaxPathLen = true, -2 }},
		{name: "unknown key usage", tmpl: func(t *Template) { t.KeyUsage = 1 << 9 }},
		{name: "negative key usage", tmpl: func(t *Template) { t.KeyUsage = -1 }},
		{name: "unknown EKU", tmpl: func(t *Template) { t.ExtKeyUsage = []ExtKeyUsage{ServerAuth, 99} }},
		{name: "empty attribute", tmpl: func(t *Template) { t.Subject = Name("") }},
		{name: "invalid UTF-8", tmpl: func(t *Template) { t.Subject = Name("\xff") }},
		{name: "invalid OID", tmpl: func(t *Template) { t.Subject = []Attr{{asn1.ObjectIdentifier{7}, "x"}} }},
		{name: "CA without subject", tmpl: func(t *Template) { t.Subject, t.IsCA = nil, true }},
		{name: "empty subject, no SAN", tmpl: func(t *Template) { t.Subject, t.DNSNames = nil, nil }},
		{name: "empty DNS name", tmpl: func(t *Template) { t.DNSNames = []string{""} }},
		{name: "non-ASCII DNS name", tmpl: func(t *Template) { t.DNSNames = []string{"bücher.example"} }},
		{name: "zero IP", tmpl: func(t *Template) { t.IPAddresses = []netip.Addr{{}} }},
		{name: "non-ASCII URL", tmpl: func(t *Template) { t.OCSPServer = "http://ö.example/" }},
		{name: "nil key"},
		{name: "P-224 key", key: p224},
		{name: "P-224 issuer", issuer: &Cert{Key: p224, Subject: issuer.Subject}},
		{name: "issuer without key", issuer: &Cert{Subject: issuer.Subject}},
		{name: "issuer without subject", issuer: &Cert{Key: key}},
		{name: "signature does not verify", issuer: &Cert{Key: badSigner{key}, Subject: issuer.Subject}},
		{name: "signer of another key", issuer: &Cert{Key: otherSigner{key, other.Public()}, Subject: issuer.Subject}},
		{name: "RSA signer that corrupts", issuer: &Cert{Key: badSigner{rsaKey}, Subject: issuer.Subject}},
	} {
		tm := ok()
		if tc.tmpl != nil {
			tc.tmpl(tm)
		}
		k := tc.key
		if k == nil && tc.name != "nil key" {
			k = key
		}
		c, err := Create(tm, k, tc.issuer, nil)
		if err == nil || c != nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "tls: certgen: ") {
			t.Errorf("%s: error %q lacks the prefix", tc.name, err)
		}
	}
	if _, err := Create(nil, key, nil, nil); err == nil {
		t.Error("nil template accepted")
	}
	if _, err := GenerateKey("rsa1024", nil); err == nil || !strings.HasPrefix(err.Error(), "tls: ") {
		t.Errorf("unknown key type: %v", err)
	}
}

func TestFingerprint256(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55"},
		{"abc", "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"},
	} {
		if got := Fingerprint256([]byte(tc.in)); got != tc.want {
			t.Errorf("%q: %s", tc.in, got)
		}
	}
}

func TestLeafTemplate(t *testing.T) {
	long := strings.Repeat("a", 60) + ".example"
	tm := LeafTemplate([]string{long, "10.0.0.1", "x.example"}, now)
	if tm.Subject[0].Value != "localhost" || !reflect.DeepEqual(tm.DNSNames, []string{long, "x.example"}) ||
		len(tm.IPAddresses) != 1 || tm.IPAddresses[0] != netip.MustParseAddr("10.0.0.1") || tm.MaxPathLen != -1 || tm.IsCA {
		t.Errorf("%+v", tm)
	}
	if tm := LeafTemplate([]string{"10.0.0.1"}, now); tm.Subject[0].Value != "10.0.0.1" || tm.DNSNames != nil {
		t.Errorf("%+v", tm)
	}
	if !tm.NotBefore.Equal(now.Add(-time.Hour)) || !tm.NotAfter.Equal(now.AddDate(1, 0, 0)) {
		t.Errorf("validity %v..%v", tm.NotBefore, tm.NotAfter)
	}
}
