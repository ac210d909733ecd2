package x509lite_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/nodepeer"
	"github.com/tlsengine/tlsengine/x509lite"
)

// pki is a small generator over crypto/x509 (tests only).
type pki struct {
	t      *testing.T
	serial int64
}

type issued struct {
	tmpl *x509.Certificate
	key  crypto.Signer
	der  []byte
	cert *x509lite.Certificate
}

func (p *pki) ecKey() crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	return k
}

// ca returns a CA template valid around now.
func caTmpl(cn string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, MaxPathLen: -1}
}

func leafTmpl(dns ...string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: "leaf"}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		DNSNames: dns, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
}

// issue signs tmpl with parent (nil: self-signed) for key (nil: a new P-256 key).
func (p *pki) issue(tmpl *x509.Certificate, parent *issued, key crypto.Signer) *issued {
	p.t.Helper()
	if key == nil {
		key = p.ecKey()
	}
	p.serial++
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(p.serial)
	}
	parentTmpl, parentKey := tmpl, key
	if parent != nil {
		parentTmpl, parentKey = parent.tmpl, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentTmpl, key.Public(), parentKey)
	if err != nil {
		p.t.Fatal(err)
	}
	c, err := x509lite.ParseCertificate(der)
	if err != nil {
		p.t.Fatal(err)
	}
	// Keep the parsed template so children carry the right issuer name.
	ref, _ := x509.ParseCertificate(der)
	ref.MaxPathLen, ref.MaxPathLenZero = tmpl.MaxPathLen, tmpl.MaxPathLenZero
	return &issued{tmpl: ref, key: key, der: der, cert: c}
}

func poolOf(cs ...*issued) *x509lite.Pool {
	p := x509lite.NewPool()
	for _, c := range cs {
		p.Add(c.cert)
	}
	return p
}

func chainOf(cs ...*issued) []*x509lite.Certificate {
	out := make([]*x509lite.Certificate, len(cs))
	for i, c := range cs {
		out[i] = c.cert
	}
	return out
}

func codeOf(err error) string {
	var ve *x509lite.VerifyError
	if errors.As(err, &ve) {
		return ve.Code
	}
	if err != nil {
		return "not a VerifyError: " + err.Error()
	}
	return ""
}

// TestVerifyChecks covers the CA, path length, depth, purpose, digest,
// signature and extension checks with their OpenSSL codes.
func TestVerifyChecks(t *testing.T) {
	p := &pki{t: t}
	root := p.issue(caTmpl("root"), nil, nil)
	inter := p.issue(caTmpl("inter"), root, nil)
	leaf := p.issue(leafTmpl("a.example.com"), inter, nil)

	notCA := caTmpl("not a CA")
	notCA.IsCA = false
	notCAInter := p.issue(notCA, root, nil)
	leafUnderNotCA := p.issue(leafTmpl("a.example.com"), notCAInter, nil)

	noCertSign := caTmpl("no certsign")
	noCertSign.KeyUsage = x509.KeyUsageDigitalSignature
	noCertSignInter := p.issue(noCertSign, root, nil)
	leafUnderNoCertSign := p.issue(leafTmpl("a.example.com"), noCertSignInter, nil)

	pathLen0 := caTmpl("pathlen 0")
	pathLen0.MaxPathLen, pathLen0.MaxPathLenZero = 0, true
	pl0 := p.issue(pathLen0, root, nil)
	below := p.issue(caTmpl("below pathlen 0"), pl0, nil)
	leafTooDeep := p.issue(leafTmpl("a.example.com"), below, nil)

	clientOnly := leafTmpl("a.example.com")
	clientOnly.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	clientLeaf := p.issue(clientOnly, inter, nil)

	certSignOnly := leafTmpl("a.example.com")
	certSignOnly.KeyUsage = x509.KeyUsageCertSign
	kuLeaf := p.issue(certSignOnly, inter, nil)

	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaRoot := p.issue(caTmpl("rsa root"), nil, rsaKey)
	sha1Tmpl := leafTmpl("a.example.com")
	sha1Tmpl.SignatureAlgorithm = x509.SHA1WithRSA
	sha1Leaf := p.issue(sha1Tmpl, rsaRoot, nil)

	critTmpl := leafTmpl("a.example.com")
	critTmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}}
	critLeaf := p.issue(critTmpl, inter, nil)

	badSig := *leaf.cert
	badSig.Signature = append([]byte(nil), leaf.cert.Signature...)
	badSig.Signature[len(badSig.Signature)-3] ^= 1

	cases := []struct {
		name  string
		chain []*x509lite.Certificate
		opts  x509lite.VerifyOptions
		code  string
	}{
		{"valid", chainOf(leaf, inter), x509lite.VerifyOptions{}, ""},
		{"nil roots", chainOf(leaf, inter), x509lite.VerifyOptions{Roots: x509lite.NewPool()}, x509lite.CodeUnableToGetIssuerCertLocally},
		{"intermediate not a CA", chainOf(leafUnderNotCA, notCAInter), x509lite.VerifyOptions{}, x509lite.CodeInvalidCA},
		{"intermediate without keyCertSign", chainOf(leafUnderNoCertSign, noCertSignInter), x509lite.VerifyOptions{}, x509lite.CodeInvalidCA},
		{"path length", chainOf(leafTooDeep, below, pl0), x509lite.VerifyOptions{}, x509lite.CodePathLengthExceeded},
		{"max depth 1 ok", chainOf(leaf, inter), x509lite.VerifyOptions{MaxDepth: 1}, ""},
		{"max depth none", chainOf(leaf, inter), x509lite.VerifyOptions{MaxDepth: -1}, x509lite.CodeCertChainTooLong},
		{"client-only EKU as server", chainOf(clientLeaf, inter), x509lite.VerifyOptions{Purpose: x509lite.PurposeServerAuth}, x509lite.CodeInvalidPurpose},
		{"client-only EKU as client", chainOf(clientLeaf, inter), x509lite.VerifyOptions{Purpose: x509lite.PurposeClientAuth}, ""},
		{"client-only EKU, any purpose", chainOf(clientLeaf, inter), x509lite.VerifyOptions{Purpose: x509lite.PurposeAny}, ""},
		{"leaf keyUsage certSign only", chainOf(kuLeaf, inter), x509lite.VerifyOptions{Purpose: x509lite.PurposeServerAuth}, x509lite.CodeInvalidPurpose},
		{"SHA-1 refused", chainOf(sha1Leaf), x509lite.VerifyOptions{Roots: poolOf(rsaRoot)}, x509lite.CodeCAMDTooWeak},
		{"SHA-1 allowed", chainOf(sha1Leaf), x509lite.VerifyOptions{Roots: poolOf(rsaRoot), AllowSHA1: true}, ""},
		{"unknown critical extension", chainOf(critLeaf, inter), x509lite.VerifyOptions{}, x509lite.CodeUnhandledCriticalExtension},
		{"bad signature", []*x509lite.Certificate{&badSig, inter.cert}, x509lite.VerifyOptions{}, x509lite.CodeCertSignatureFailure},
		{"host ok", chainOf(leaf, inter), x509lite.VerifyOptions{DNSName: "A.example.com."}, ""},
		{"host mismatch", chainOf(leaf, inter), x509lite.VerifyOptions{DNSName: "b.example.com"}, x509lite.CodeHostnameMismatch},
		{"expired at notAfter+0.5s is still valid", chainOf(leaf, inter), x509lite.VerifyOptions{Now: leaf.tmpl.NotAfter.Add(500 * time.Millisecond)}, ""},
		{"expired at notAfter+1s", chainOf(leaf, inter), x509lite.VerifyOptions{Now: leaf.tmpl.NotAfter.Add(time.Second)}, x509lite.CodeCertHasExpired},
	}
	for _, tc := range cases {
		if tc.opts.Roots == nil {
			tc.opts.Roots = poolOf(root)
		}
		if tc.opts.Now.IsZero() {
			tc.opts.Now = now
		}
		path, err := x509lite.Verify(tc.chain, tc.opts)
		if got := codeOf(err); got != tc.code {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.code)
			continue
		}
		if err == nil && (path[0] != tc.chain[0] || !tc.opts.Roots.Certificates()[0].Equal(path[len(path)-1])) {
			t.Errorf("%s: path does not run from the leaf to the root", tc.name)
		}
		var ve *x509lite.VerifyError
		if errors.As(err, &ve) && (ve.Reason == "" || ve.Error() != ve.Reason) {
			t.Errorf("%s: reason %q", tc.name, ve.Reason)
		}
	}
}

// TestVerifyReasons pins the OpenSSL 3 texts Node reports as err.message.
func TestVerifyReasons(t *testing.T) {
	p := &pki{t: t}
	root := p.issue(caTmpl("root"), nil, nil)
	leaf := p.issue(leafTmpl("x.test"), root, nil)
	for _, tc := range []struct {
		opts   x509lite.VerifyOptions
		reason string
	}{
		{x509lite.VerifyOptions{Roots: poolOf(root), Now: now.AddDate(5, 0, 0)}, "certificate has expired"},
		{x509lite.VerifyOptions{Roots: poolOf(root), Now: now.AddDate(-5, 0, 0)}, "certificate is not yet valid"},
		{x509lite.VerifyOptions{Roots: x509lite.NewPool(), Now: now}, "unable to verify the first certificate"},
		{x509lite.VerifyOptions{Roots: poolOf(root), Now: now, DNSName: "y.test"},
			"Hostname/IP does not match certificate's altnames: Host: y.test. is not in the cert's altnames: DNS:x.test"},
	} {
		_, err := x509lite.Verify(chainOf(leaf), tc.opts)
		if err == nil || err.Error() != tc.reason {
			t.Errorf("got %v, want %q", err, tc.reason)
		}
	}
}

// TestPathBuilding checks that a bad candidate issuer does not hide a good
// one, and that a cross-signed chain reaches whichever root is trusted.
func TestPathBuilding(t *testing.T) {
	p := &pki{t: t}
	oldRoot := p.issue(caTmpl("old root"), nil, nil)
	newRoot := p.issue(caTmpl("new root"), nil, nil)
	interKey := p.ecKey()
	inter := p.issue(caTmpl("inter"), newRoot, interKey)
	expiredTmpl := caTmpl("inter")
	expiredTmpl.NotBefore, expiredTmpl.NotAfter = now.AddDate(-3, 0, 0), now.AddDate(-2, 0, 0)
	expiredInter := p.issue(expiredTmpl, newRoot, interKey)
	cross := p.issue(caTmpl("new root"), oldRoot, newRoot.key)
	leaf := p.issue(leafTmpl("a.test"), inter, nil)

	// The expired copy of the intermediate comes first; the valid one
	// must still be found.
	path, err := x509lite.Verify(chainOf(leaf, expiredInter, inter), x509lite.VerifyOptions{Roots: poolOf(newRoot), Now: now})
	if err != nil || len(path) != 3 || !path[1].Equal(inter.cert) {
		t.Fatalf("got %v, %v", path, err)
	}
	// Only the expired copy: its error is the answer.
	if _, err := x509lite.Verify(chainOf(leaf, expiredInter), x509lite.VerifyOptions{Roots: poolOf(newRoot), Now: now}); codeOf(err) != x509lite.CodeCertHasExpired {
		t.Fatalf("got %v", err)
	}
	// Trusting only the old root, the cross certificate bridges.
	path, err = x509lite.Verify(chainOf(leaf, inter, cross), x509lite.VerifyOptions{Roots: poolOf(oldRoot), Now: now})
	if err != nil || len(path) != 4 || !path[3].Equal(oldRoot.cert) {
		t.Fatalf("cross-signed: %v, %v", path, err)
	}
	// Intermediates may also come from the options.
	if _, err := x509lite.Verify(chainOf(leaf), x509lite.VerifyOptions{Roots: poolOf(newRoot), Now: now, Intermediates: chainOf(inter)}); err != nil {
		t.Fatal(err)
	}
}

// TestNameConstraintForms checks DNS (with wildcards), IP, email and URI
// constraints.
func TestNameConstraintForms(t *testing.T) {
	p := &pki{t: t}
	tm := caTmpl("nc root")
	tm.PermittedDNSDomains = []string{"example.com"}
	tm.ExcludedDNSDomains = []string{"bar.example.com"}
	tm.PermittedEmailAddresses = []string{"example.com"}
	tm.PermittedURIDomains = []string{".example.com"}
	root := p.issue(tm, nil, nil)
	mk := func(f func(*x509.Certificate)) *issued {
		l := leafTmpl()
		f(l)
		return p.issue(l, root, nil)
	}
	u, _ := url.Parse("https://www.example.com/x")
	uBad, _ := url.Parse("https://www.example.org/x")
	for _, tc := range []struct {
		name string
		leaf *issued
		code string
	}{
		{"permitted DNS", mk(func(c *x509.Certificate) { c.DNSNames = []string{"a.example.com"} }), ""},
		{"outside DNS", mk(func(c *x509.Certificate) { c.DNSNames = []string{"example.org"} }), x509lite.CodePermittedViolation},
		{"excluded DNS", mk(func(c *x509.Certificate) { c.DNSNames = []string{"x.bar.example.com"} }), x509lite.CodeExcludedViolation},
		{"wildcard covering an excluded name", mk(func(c *x509.Certificate) { c.DNSNames = []string{"*.example.com"} }), x509lite.CodeExcludedViolation},
		{"permitted wildcard", mk(func(c *x509.Certificate) { c.DNSNames = []string{"*.foo.example.com"} }), ""},
		{"CN outside without SAN", mk(func(c *x509.Certificate) { c.Subject.CommonName = "evil.org" }), x509lite.CodePermittedViolation},
		{"email ok", mk(func(c *x509.Certificate) { c.EmailAddresses = []string{"me@example.com"} }), ""},
		{"email outside", mk(func(c *x509.Certificate) { c.EmailAddresses = []string{"me@example.org"} }), x509lite.CodePermittedViolation},
		{"URI ok", mk(func(c *x509.Certificate) { c.URIs = []*url.URL{u} }), ""},
		{"URI outside", mk(func(c *x509.Certificate) { c.URIs = []*url.URL{uBad} }), x509lite.CodePermittedViolation},
		{"IP unconstrained", mk(func(c *x509.Certificate) { c.IPAddresses = []net.IP{net.IPv4(10, 0, 0, 1)} }), ""},
	} {
		_, err := x509lite.Verify(chainOf(tc.leaf), x509lite.VerifyOptions{Roots: poolOf(root), Now: now})
		if got := codeOf(err); got != tc.code {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.code)
		}
	}
}

// TestCRL checks revocation with CRLs made by crypto/x509.
func TestCRL(t *testing.T) {
	p := &pki{t: t}
	root := p.issue(caTmpl("root"), nil, nil)
	inter := p.issue(caTmpl("inter"), root, nil)
	leaf := p.issue(leafTmpl("a.test"), inter, nil)
	other := p.issue(leafTmpl("b.test"), inter, nil)
	crl := func(issuer *issued, this, next time.Time, revoked ...*issued) []byte {
		var entries []x509.RevocationListEntry
		for _, r := range revoked {
			entries = append(entries, x509.RevocationListEntry{SerialNumber: r.tmpl.SerialNumber, RevocationTime: now.Add(-time.Minute)})
		}
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next,
			RevokedCertificateEntries: entries}, issuer.tmpl, issuer.key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	rootCRL := crl(root, now.Add(-time.Hour), now.Add(time.Hour))
	interCRL := crl(inter, now.Add(-time.Hour), now.Add(time.Hour), other)
	pemCRL := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: interCRL})
	for _, tc := range []struct {
		name string
		leaf *issued
		crls [][]byte
		code string
	}{
		{"not revoked", leaf, [][]byte{rootCRL, interCRL}, ""},
		{"not revoked, PEM", leaf, [][]byte{rootCRL, pemCRL}, ""},
		{"revoked", other, [][]byte{rootCRL, interCRL}, x509lite.CodeCertRevoked},
		{"no CRL for the intermediate", leaf, [][]byte{interCRL}, x509lite.CodeUnableToGetCRL},
		{"expired CRL", leaf, [][]byte{rootCRL, crl(inter, now.Add(-2*time.Hour), now.Add(-time.Hour))}, x509lite.CodeCRLHasExpired},
		{"future CRL", leaf, [][]byte{rootCRL, crl(inter, now.Add(time.Hour), now.Add(2*time.Hour))}, x509lite.CodeCRLNotYetValid},
		{"CRL signed by another key", leaf, [][]byte{rootCRL, crl(&issued{tmpl: inter.tmpl, key: p.ecKey()}, now.Add(-time.Hour), now.Add(time.Hour))}, x509lite.CodeCRLSignatureFailure},
		{"garbage only", leaf, [][]byte{[]byte("junk")}, x509lite.CodeUnableToGetCRL},
	} {
		_, err := x509lite.Verify(chainOf(tc.leaf, inter), x509lite.VerifyOptions{Roots: poolOf(root), Now: now, CRLs: tc.crls})
		if got := codeOf(err); got != tc.code {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.code)
		}
	}
	parsed, err := x509lite.ParseCRLs(pemCRL)
	if err != nil || len(parsed) != 1 || !parsed[0].IsRevoked(other.tmpl.SerialNumber) || parsed[0].IsRevoked(leaf.tmpl.SerialNumber) ||
		parsed[0].Number.Int64() != 1 || parsed[0].Issuer.CommonName() != "inter" {
		t.Fatalf("ParseCRLs: %+v, %v", parsed, err)
	}
	for i := range interCRL {
		if _, err := x509lite.ParseCRL(interCRL[:i]); err == nil {
			t.Fatalf("CRL prefix of %d bytes parsed", i)
		}
	}
}

// TestHostnameMatchesNode runs the same certificates and host names
// through Node's tls.checkServerIdentity and compares the verdicts and
// messages, and X509Certificate.subjectAltName with SubjectAltNameString.
// On Node 18 the host is matched as Node 18 does (nodepeer.IdentityHost).
func TestHostnameMatchesNode(t *testing.T) {
	node, err := nodepeer.Path()
	if err != nil {
		t.Fatal(err)
	}
	p := &pki{t: t}
	root := p.issue(caTmpl("root"), nil, nil)
	mk := func(f func(*x509.Certificate)) *issued {
		l := leafTmpl()
		l.Subject = pkix.Name{}
		f(l)
		return p.issue(l, root, nil)
	}
	uri, _ := url.Parse("spiffe://example.com/x")
	certs := []*issued{
		mk(func(c *x509.Certificate) { c.Subject.CommonName = "localhost" }),
		mk(func(c *x509.Certificate) { c.Subject.CommonName = "foo.com"; c.DNSNames = []string{"bar.com"} }),
		mk(func(c *x509.Certificate) {
			c.DNSNames = []string{"*.a.com", "f*.b.com", "*.com", "xn--*.c.com", "a*b*.d.com", "Foo.Example.COM", "*.xn--p1ai.e.com"}
		}),
		mk(func(c *x509.Certificate) {
			c.Subject.CommonName = "test.localhost"
			c.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.ParseIP("::1"), net.ParseIP("2001:db8::ab")}
		}),
		mk(func(c *x509.Certificate) { c.Subject.Organization = []string{"no cn"} }),
		mk(func(c *x509.Certificate) {
			c.ExtraExtensions = nil
			c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "one.test"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "two.test"}}
		}),
		mk(func(c *x509.Certificate) { c.Subject.CommonName = "uri.test"; c.URIs = []*url.URL{uri} }),
		mk(func(c *x509.Certificate) {
			c.DNSNames = []string{"we,ird.com", `q"uote.com`, "ok.com", "it's.com", "tab\t.com", "b\\s.com"}
			c.EmailAddresses = []string{"a@b.com"}
		}),
	}
	hosts := []string{"localhost", "LOCALHOST.", "foo.com", "bar.com", "x.a.com", "a.com", "x.y.a.com", "fx.b.com", "f.b.com", "x.com",
		"xn--abc.c.com", "ab.d.com", "foo.example.com", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "2001:db8::ab", "10.0.0.1", "test.localhost",
		"one.test", "two.test", "uri.test", "ok.com", "we,ird.com", "x.xn--p1ai.e.com", "[::1]", ""}
	type job struct {
		PEM  string `json:"pem"`
		Host string `json:"host"`
	}
	var jobs []job
	for _, c := range certs {
		for _, h := range hosts {
			jobs = append(jobs, job{string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})), h})
		}
	}
	in, _ := json.Marshal(jobs)
	const script = `
const tls = require('tls'), url = require('url'), { X509Certificate } = require('crypto');
const jobs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(jobs.map(j => {
  const x = new X509Certificate(j.pem);
  const e = tls.checkServerIdentity(j.host, x.toLegacyObject());
  return [e ? e.message : '', e ? e.code : '', x.subjectAltName || '', url.domainToASCII(j.host)];
})));`
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var want [][4]string
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(jobs) {
		t.Fatalf("node output: %v (%d results)", err, len(want))
	}
	i := 0
	for _, c := range certs {
		for _, h := range hosts {
			w := want[i]
			i++
			match, rename, err := nodepeer.IdentityHost(h, w[3])
			if err != nil {
				t.Fatal(err)
			}
			err = x509lite.VerifyHostname(c.cert, match)
			got := ""
			if err != nil {
				got = rename(err.Error())
				if codeOf(err) != w[1] {
					t.Errorf("%v / %q: code %q, node %q", c.cert.DNSNames, h, codeOf(err), w[1])
				}
			}
			if got != w[0] {
				t.Errorf("cert %q %v %v, host %q:\n got  %q\n node %q", c.cert.Subject.String(), c.cert.DNSNames, c.cert.IPAddresses, h, got, w[0])
			}
			if san := c.cert.SubjectAltNameString(); san != w[2] {
				t.Errorf("subjectAltName %q, node %q", san, w[2])
			}
		}
	}
}

// TestParseStrict rebuilds a certificate with one field changed at a time
// and expects a parse error for each malformed variant.
func TestParseStrict(t *testing.T) {
	p := &pki{t: t}
	root := p.issue(caTmpl("root"), nil, nil)
	l := leafTmpl("a.test")
	l.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte{5, 0}}}
	leaf := p.issue(l, root, nil)
	f := splitCert(t, leaf.der)
	der := func(g certFields) []byte { return g.build() }
	if _, err := x509lite.ParseCertificate(der(f)); err != nil {
		t.Fatalf("the unmodified rebuild does not parse: %v", err)
	}
	tlv := func(tag byte, body ...[]byte) []byte { return asn1Raw(tag, bytes.Join(body, nil)) }
	oneExt := tlv(0x30, tlv(0x06, []byte{0x2a, 0x03}), tlv(0x04, []byte{5, 0}))
	cases := map[string]func(g *certFields){
		"explicit v1":         func(g *certFields) { g.version = tlv(0xa0, tlv(0x02, []byte{0})) },
		"version 4":           func(g *certFields) { g.version = tlv(0xa0, tlv(0x02, []byte{3})) },
		"extensions in v1":    func(g *certFields) { g.version = nil },
		"duplicate extension": func(g *certFields) { g.exts = append(append([][]byte(nil), g.exts...), g.exts[len(g.exts)-1]) },
		"empty extensions":    func(g *certFields) { g.exts = [][]byte{} },
		"explicit critical FALSE": func(g *certFields) {
			g.exts = append(g.exts, tlv(0x30, tlv(0x06, []byte{0x2a, 0x04}), []byte{1, 1, 0}, tlv(0x04, nil)))
		},
		"empty subjectAltName": func(g *certFields) {
			g.exts = append(g.exts[:0:0], tlv(0x30, tlv(0x06, []byte{0x55, 0x1d, 0x11}), tlv(0x04, tlv(0x30))))
		},
		"empty nameConstraints": func(g *certFields) {
			g.exts = append(g.exts, tlv(0x30, tlv(0x06, []byte{0x55, 0x1d, 0x1e}), tlv(0x04, tlv(0x30))))
		},
		"signature algorithms differ": func(g *certFields) {
			g.outerSigAlg = tlv(0x30, tlv(0x06, []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}))
		},
		"trailing data in TBS": func(g *certFields) { g.tbsTrailer = []byte{5, 0} },
		"trailing data":        func(g *certFields) { g.trailer = []byte{0} },
		"bad time": func(g *certFields) {
			g.validity = tlv(0x30, tlv(0x17, []byte("2601010000Z")), tlv(0x17, []byte("2701010000Z")))
		},
		"negative pathLen": func(g *certFields) {
			g.exts = append(g.exts, tlv(0x30, tlv(0x06, []byte{0x55, 0x1d, 0x13}), tlv(0x04, tlv(0x30, tlv(0x02, []byte{0xff})))))
		},
		"bad IP SAN length": func(g *certFields) {
			g.exts = append(g.exts[:0:0], tlv(0x30, tlv(0x06, []byte{0x55, 0x1d, 0x11}), tlv(0x04, tlv(0x30, tlv(0x87, []byte{1, 2, 3})))))
		},
	}
	_ = oneExt
	for name, mutate := range cases {
		g := f.clone()
		mutate(&g)
		if c, err := x509lite.ParseCertificate(der(g)); err == nil {
			t.Errorf("%s: parsed (%+v)", name, c.Extensions)
		} else if !strings.HasPrefix(err.Error(), "x509lite: ") {
			t.Errorf("%s: error %q lacks the prefix", name, err)
		}
	}
}

// certFields is a certificate split into its top-level DER pieces.
type certFields struct {
	version, serial, sigAlg, issuer, validity, subject, spki []byte
	exts                                                     [][]byte // nil: no extensions field
	tbsTrailer, outerSigAlg, sig, trailer                    []byte
}

func (f certFields) clone() certFields {
	g := f
	g.exts = append([][]byte(nil), f.exts...)
	return g
}

func (f certFields) build() []byte {
	tbs := bytes.Join([][]byte{f.version, f.serial, f.sigAlg, f.issuer, f.validity, f.subject, f.spki}, nil)
	if f.exts != nil {
		tbs = append(tbs, asn1Raw(0xa3, asn1Raw(0x30, bytes.Join(f.exts, nil)))...)
	}
	tbs = append(tbs, f.tbsTrailer...)
	return append(asn1Raw(0x30, bytes.Join([][]byte{asn1Raw(0x30, tbs), f.outerSigAlg, f.sig}, nil)), f.trailer...)
}

func asn1Raw(tag byte, body []byte) []byte {
	out, err := asn1.Marshal(asn1.RawValue{FullBytes: nil, Class: int(tag >> 6), Tag: int(tag & 0x1f), IsCompound: tag&0x20 != 0, Bytes: body})
	if err != nil {
		panic(err)
	}
	return out
}

func splitCert(t *testing.T, der []byte) certFields {
	t.Helper()
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		t.Fatal(err)
	}
	rest := outer.Bytes
	next := func(b *[]byte) []byte {
		var v asn1.RawValue
		r, err := asn1.Unmarshal(*b, &v)
		if err != nil {
			t.Fatal(err)
		}
		*b = r
		return v.FullBytes
	}
	tbsFull := next(&rest)
	var f certFields
	f.outerSigAlg, f.sig = next(&rest), next(&rest)
	var tbsV asn1.RawValue
	asn1.Unmarshal(tbsFull, &tbsV)
	tb := tbsV.Bytes
	f.version, f.serial, f.sigAlg, f.issuer, f.validity, f.subject, f.spki = next(&tb), next(&tb), next(&tb), next(&tb), next(&tb), next(&tb), next(&tb)
	extField := next(&tb)
	var ef, seq asn1.RawValue
	asn1.Unmarshal(extField, &ef)
	asn1.Unmarshal(ef.Bytes, &seq)
	eb := seq.Bytes
	f.exts = [][]byte{}
	for len(eb) > 0 {
		f.exts = append(f.exts, next(&eb))
	}
	return f
}

// TestParseCertificatesAndPool reads PEM bundles and concatenated DER and
// fills a pool.
func TestParseCertificatesAndPool(t *testing.T) {
	p := &pki{t: t}
	root := p.issue(caTmpl("root"), nil, nil)
	leaf := p.issue(leafTmpl("a.test"), root, nil)
	bundle := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.der}), "junk between\n"...)
	bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})...)
	bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte(nil), leaf.der...), 0x30, 0)})...)
	certs, err := x509lite.ParseCertificates(bundle)
	if err != nil || len(certs) != 2 || !certs[0].Equal(root.cert) || !certs[1].Equal(leaf.cert) {
		t.Fatalf("PEM: %d, %v", len(certs), err)
	}
	certs, err = x509lite.ParseCertificates(append(append([]byte(nil), root.der...), leaf.der...))
	if err != nil || len(certs) != 2 {
		t.Fatalf("DER: %d, %v", len(certs), err)
	}
	if _, err := x509lite.ParseCertificates(append(append([]byte(nil), root.der...), 0x30)); err == nil {
		t.Fatal("a torn DER tail parsed")
	}
	if _, err := x509lite.ParseCertificates([]byte("-----BEGIN NOTHING-----\n-----END NOTHING-----\n")); err == nil {
		t.Fatal("no certificates but no error")
	}
	pool := x509lite.NewPool()
	n, err := pool.AppendPEM(bundle)
	if err != nil || n != 2 || pool.Len() != 2 {
		t.Fatalf("AppendPEM: %d, %v", n, err)
	}
	pool.Add(root.cert) // duplicate
	if pool.Len() != 2 || !bytes.Equal(pool.Subjects()[0], root.cert.RawSubject) || !pool.Certificates()[1].Equal(leaf.cert) {
		t.Fatal("pool contents")
	}
	if !root.cert.IsSelfIssued() || leaf.cert.IsSelfIssued() {
		t.Fatal("IsSelfIssued")
	}
	if got := root.cert.Subject.String(); got != "CN=root" {
		t.Fatalf("Subject.String() = %q", got)
	}
	if x509lite.SHA256WithRSA.String() != "sha256WithRSAEncryption" || x509lite.ECDSA.String() != "ECDSA" {
		t.Fatal("String() names")
	}
}

// TestPathBuildingBounded feeds a chain of many certificates that all name
// each other as issuer and never reach a root: Verify must give up quickly.
func TestPathBuildingBounded(t *testing.T) {
	p := &pki{t: t}
	root := p.issue(caTmpl("root"), nil, nil)
	keys := make([]crypto.Signer, 60)
	for i := range keys {
		keys[i] = p.ecKey()
	}
	parent := &issued{tmpl: caTmpl("loop"), key: keys[0]}
	var chain []*x509lite.Certificate
	leaf := p.issue(leafTmpl("a.test"), parent, nil)
	chain = append(chain, leaf.cert)
	for i := range keys {
		// Each "loop" CA is signed by the next one's key.
		c := p.issue(caTmpl("loop"), &issued{tmpl: parent.tmpl, key: keys[(i+1)%len(keys)]}, keys[i])
		chain = append(chain, c.cert)
	}
	start := time.Now()
	_, err := x509lite.Verify(chain, x509lite.VerifyOptions{Roots: poolOf(root), Now: now})
	if err == nil {
		t.Fatal("a chain without a root verified")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Verify took %v", d)
	}
}
