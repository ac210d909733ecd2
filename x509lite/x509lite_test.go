package x509lite_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/x509lite"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// TestParseMatchesCryptoX509 compares our parse of generated certificates
// with crypto/x509's (a reference, in tests only).
func TestParseMatchesCryptoX509(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.ECDSAP384, certgen.ECDSAP521, certgen.RSA2048, certgen.Ed25519} {
		ch, err := certgen.NewChain(kt, now, []string{"localhost", "a.example.com", "127.0.0.1", "::1"}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []*certgen.Cert{ch.Root, ch.Intermediate, ch.Leaf} {
			ours, err := x509lite.ParseCertificate(c.DER)
			if err != nil {
				t.Fatalf("%s: %v", kt, err)
			}
			ref, err := x509.ParseCertificate(c.DER)
			if err != nil {
				t.Fatal(err)
			}
			if ours.SerialNumber.Cmp(ref.SerialNumber) != 0 || !ours.NotBefore.Equal(ref.NotBefore) || !ours.NotAfter.Equal(ref.NotAfter) ||
				ours.Subject.CommonName() != ref.Subject.CommonName || ours.IsCA != ref.IsCA || ours.MaxPathLen != refPathLen(ref) ||
				!reflect.DeepEqual(ours.DNSNames, ref.DNSNames) || len(ours.IPAddresses) != len(ref.IPAddresses) ||
				!reflect.DeepEqual(ours.SubjectKeyID, ref.SubjectKeyId) || int(ours.KeyUsage) != int(ref.KeyUsage) {
				t.Fatalf("%s: fields differ from crypto/x509:\nours %+v\nref  %+v", kt, ours, ref)
			}
			if !reflect.DeepEqual(ours.PublicKey, ref.PublicKey) {
				t.Fatalf("%s: public key differs", kt)
			}
		}
		leaf, _ := x509lite.ParseCertificate(ch.Leaf.DER)
		inter, _ := x509lite.ParseCertificate(ch.Intermediate.DER)
		if err := leaf.CheckSignatureFrom(inter); err != nil {
			t.Fatalf("%s: %v", kt, err)
		}
		if err := inter.CheckSignatureFrom(leaf); err == nil {
			t.Fatalf("%s: a wrong parent verified", kt)
		}
	}
}

func refPathLen(c *x509.Certificate) int {
	if c.MaxPathLen == 0 && !c.MaxPathLenZero {
		return -1
	}
	return c.MaxPathLen
}

// TestTruncationsNeverPanic parses every prefix and single-byte flip of a
// certificate.
func TestTruncationsNeverPanic(t *testing.T) {
	ch, _ := certgen.NewChain(certgen.ECDSAP256, now, []string{"localhost"}, rand.Reader)
	der := ch.Leaf.DER
	for i := range der {
		if _, err := x509lite.ParseCertificate(der[:i]); err == nil {
			t.Fatalf("prefix of %d bytes parsed", i)
		}
		b := append([]byte(nil), der...)
		b[i] ^= 0xff
		x509lite.ParseCertificate(b)
	}
	if _, err := x509lite.ParseCertificate(append(append([]byte(nil), der...), 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

// pkiFor builds a chain and returns its pieces parsed.
func pkiFor(t *testing.T, leafTmpl func(*certgen.Template)) (root, inter, leaf *x509lite.Certificate) {
	t.Helper()
	ch, err := certgen.NewChain(certgen.ECDSAP256, now, []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if leafTmpl != nil {
		tm := certgen.LeafTemplate([]string{"localhost"}, now)
		leafTmpl(tm)
		key, _ := certgen.GenerateKey(certgen.ECDSAP256, rand.Reader)
		if ch.Leaf, err = certgen.Create(tm, key, ch.Intermediate, rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	p := func(c *certgen.Cert) *x509lite.Certificate {
		x, err := x509lite.ParseCertificate(c.DER)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	return p(ch.Root), p(ch.Intermediate), p(ch.Leaf)
}

func TestVerifyCodes(t *testing.T) {
	root, inter, leaf := pkiFor(t, nil)
	otherRoot, _, _ := pkiFor(t, nil)
	roots := x509lite.NewPool()
	roots.Add(root)
	self, _ := certgen.SelfSigned(certgen.ECDSAP256, now, []string{"localhost"}, rand.Reader)
	selfCert, _ := x509lite.ParseCertificate(self.DER)
	expRoot, expInter, expired := pkiFor(t, func(tm *certgen.Template) { tm.NotBefore, tm.NotAfter = now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0) })
	futRoot, futInter, future := pkiFor(t, func(tm *certgen.Template) { tm.NotBefore, tm.NotAfter = now.AddDate(1, 0, 0), now.AddDate(2, 0, 0) })
	roots.Add(expRoot)
	roots.Add(futRoot)
	otherRoots := x509lite.NewPool()
	otherRoots.Add(otherRoot)
	cases := []struct {
		name  string
		chain []*x509lite.Certificate
		roots *x509lite.Pool
		code  string
	}{
		{"valid", []*x509lite.Certificate{leaf, inter}, roots, ""},
		{"valid with junk and root sent", []*x509lite.Certificate{leaf, selfCert, root, inter}, roots, ""},
		{"self-signed leaf", []*x509lite.Certificate{selfCert}, roots, x509lite.CodeDepthZeroSelfSignedCert},
		{"missing intermediate", []*x509lite.Certificate{leaf}, roots, x509lite.CodeUnableToVerifyLeafSignature},
		{"unknown root", []*x509lite.Certificate{leaf, inter}, otherRoots, x509lite.CodeUnableToGetIssuerCertLocally},
		{"untrusted root sent", []*x509lite.Certificate{leaf, inter, root}, otherRoots, x509lite.CodeSelfSignedCertInChain},
		{"expired", []*x509lite.Certificate{expired, expInter}, roots, x509lite.CodeCertHasExpired},
		{"not yet valid", []*x509lite.Certificate{future, futInter}, roots, x509lite.CodeCertNotYetValid},
		{"leaf as CA", []*x509lite.Certificate{leaf, leaf}, roots, x509lite.CodeUnableToVerifyLeafSignature},
	}
	for _, tc := range cases {
		_, err := x509lite.Verify(tc.chain, x509lite.VerifyOptions{Roots: tc.roots, Now: now, Purpose: x509lite.PurposeServerAuth})
		var ve *x509lite.VerifyError
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.code != "" && (!errors.As(err, &ve) || ve.Code != tc.code):
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
		}
	}
}

// TestVerifyHostname is Node's checkServerIdentity table
// (shared/design/node-api.md, 3.8 and 3.10).
func TestVerifyHostname(t *testing.T) {
	mk := func(cn string, dns []string, ips []string) *x509lite.Certificate {
		tmpl := &certgen.Template{Subject: certgen.Name(cn), NotBefore: now, NotAfter: now.Add(time.Hour), MaxPathLen: -1, DNSNames: dns}
		if cn == "" {
			tmpl.Subject = []certgen.Attr{{OID: certgen.OIDOrganization, Value: "x"}}
		}
		for _, ip := range ips {
			tmpl.IPAddresses = append(tmpl.IPAddresses, netip.MustParseAddr(ip))
		}
		key, _ := certgen.GenerateKey(certgen.ECDSAP256, rand.Reader)
		c, err := certgen.Create(tmpl, key, nil, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		x, err := x509lite.ParseCertificate(c.DER)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	const prefix = "Hostname/IP does not match certificate's altnames: "
	cases := []struct {
		host string
		cert *x509lite.Certificate
		want string // "" = ok
	}{
		{"localhost", mk("localhost", nil, nil), ""},
		{"foo.com", mk("bar.com", nil, nil), "Host: foo.com. is not cert's CN: bar.com"},
		{"foo.com", mk("", nil, nil), "Cert does not contain a DNS name"},
		{"foo.com", mk("foo.com", []string{"bar.com"}, nil), "Host: foo.com. is not in the cert's altnames: DNS:bar.com"},
		{"a.foo.com", mk("x", []string{"*.foo.com"}, nil), ""},
		{"foo.com", mk("x", []string{"*.foo.com"}, nil), "Host: foo.com. is not in the cert's altnames: DNS:*.foo.com"},
		{"a.b.foo.com", mk("x", []string{"*.foo.com"}, nil), "Host: a.b.foo.com. is not in the cert's altnames: DNS:*.foo.com"},
		{"xa.foo.com", mk("x", []string{"x*.foo.com"}, nil), ""},
		{"a.com", mk("x", []string{"*.com"}, nil), "Host: a.com. is not in the cert's altnames: DNS:*.com"},
		{"127.0.0.1", mk("127.0.0.1", nil, nil), "IP: 127.0.0.1 is not in the cert's list: "},
		{"127.0.0.1", mk("x", nil, []string{"127.0.0.1"}), ""},
		{"::1", mk("x", nil, []string{"::1"}), ""},
		{"10.0.0.1", mk("x", []string{"10.0.0.1"}, nil), "IP: 10.0.0.1 is not in the cert's list: "},
		{"FOO.com", mk("x", []string{"foo.com"}, nil), ""},
		{"foo.com.", mk("x", []string{"foo.com"}, nil), ""},
		{"localhost", mk("x", []string{"other.example"}, []string{"127.0.0.1"}), "Host: localhost. is not in the cert's altnames: DNS:other.example, IP Address:127.0.0.1"},
	}
	for _, tc := range cases {
		err := x509lite.VerifyHostname(tc.cert, tc.host)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.host, err)
		case tc.want != "" && (err == nil || err.Error() != prefix+tc.want):
			t.Errorf("%s: got %v, want %q", tc.host, err, tc.want)
		}
		var ve *x509lite.VerifyError
		if err != nil && (!errors.As(err, &ve) || ve.Code != "ERR_TLS_CERT_ALTNAME_INVALID") {
			t.Errorf("%s: error %v lacks the code", tc.host, err)
		}
	}
}

// TestParsePrivateKey reads keys in every format OpenSSL writes.
func TestParsePrivateKey(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	ec := filepath.Join(dir, "ec.pem")
	run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ec) // SEC1
	run("pkcs8", "-topk8", "-nocrypt", "-in", ec, "-out", filepath.Join(dir, "p8.pem"))
	run("pkcs8", "-topk8", "-in", ec, "-out", filepath.Join(dir, "enc.pem"), "-passout", "pass:secret", "-v2", "aes-256-cbc")
	run("ec", "-in", ec, "-out", filepath.Join(dir, "legacy.pem"), "-aes128", "-passout", "pass:secret")
	run("genpkey", "-algorithm", "ed25519", "-out", filepath.Join(dir, "ed.pem"))
	run("pkey", "-in", ec, "-outform", "DER", "-out", filepath.Join(dir, "p8.der"))
	want := mustKey(t, filepath.Join(dir, "p8.pem"), nil).(*ecdsa.PrivateKey)
	for _, f := range []string{"ec.pem", "p8.der", "enc.pem", "legacy.pem"} {
		k := mustKey(t, filepath.Join(dir, f), []byte("secret"))
		if !want.Equal(k) {
			t.Fatalf("%s: a different key", f)
		}
	}
	mustKey(t, filepath.Join(dir, "ed.pem"), nil)
	rsa1 := filepath.Join(dir, "rsa1.pem")
	run("genrsa", "-traditional", "-out", rsa1, "2048") // PKCS#1
	run("rsa", "-in", rsa1, "-traditional", "-des3", "-passout", "pass:secret", "-out", filepath.Join(dir, "rsades.pem"))
	run("pkcs8", "-topk8", "-in", rsa1, "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1", "-passout", "pass:secret", "-out", filepath.Join(dir, "rsap8.pem"))
	run("rsa", "-in", rsa1, "-outform", "DER", "-traditional", "-out", filepath.Join(dir, "rsa1.der"))
	wantRSA := mustKey(t, rsa1, nil).(*rsa.PrivateKey)
	for _, f := range []string{"rsades.pem", "rsap8.pem", "rsa1.der"} {
		if k := mustKey(t, filepath.Join(dir, f), []byte("secret")); !wantRSA.Equal(k) {
			t.Fatalf("%s: a different key", f)
		}
	}
	legacy, _ := os.ReadFile(filepath.Join(dir, "rsades.pem"))
	for _, pass := range [][]byte{nil, []byte("wrong")} {
		if _, err := x509lite.ParsePrivateKey(legacy, pass); err == nil {
			t.Fatalf("legacy encrypted key parsed with passphrase %q", pass)
		}
	}
	for _, junk := range [][]byte{nil, []byte("garbage"), []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")} {
		if _, err := x509lite.ParsePrivateKey(junk, nil); err == nil {
			t.Fatalf("%q parsed as a key", junk)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "enc.pem"))
	if _, err := x509lite.ParsePrivateKey(data, nil); err == nil {
		t.Fatal("an encrypted key parsed without a passphrase")
	}
	if _, err := x509lite.ParsePrivateKey(data, []byte("wrong")); err == nil {
		t.Fatal("an encrypted key parsed with the wrong passphrase")
	}
}

func mustKey(t *testing.T, path string, pass []byte) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509lite.ParsePrivateKey(data, pass)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return k
}

// TestNameConstraints checks DNS constraints from a CA made with
// crypto/x509 (which can write them).
func TestNameConstraints(t *testing.T) {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "nc root"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, PermittedDNSDomains: []string{"example.com"},
		ExcludedIPRanges: []*net.IPNet{{IP: net.IPv4(10, 0, 0, 0), Mask: net.CIDRMask(8, 32)}}}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, err := x509lite.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509lite.NewPool()
	roots.Add(ca)
	leafFor := func(dns string, ip net.IP) *x509lite.Certificate {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tm := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "leaf"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), DNSNames: []string{dns}}
		if ip != nil {
			tm.IPAddresses = []net.IP{ip}
		}
		der, _ := x509.CreateCertificate(rand.Reader, tm, caTmpl, &k.PublicKey, caKey)
		c, err := x509lite.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	check := func(c *x509lite.Certificate, code string) {
		t.Helper()
		_, err := x509lite.Verify([]*x509lite.Certificate{c}, x509lite.VerifyOptions{Roots: roots, Now: now})
		var ve *x509lite.VerifyError
		if code == "" && err != nil || code != "" && (!errors.As(err, &ve) || ve.Code != code) {
			t.Errorf("%v: got %v, want %q", c.DNSNames, err, code)
		}
	}
	check(leafFor("a.example.com", nil), "")
	check(leafFor("example.org", nil), x509lite.CodePermittedViolation)
	check(leafFor("a.example.com", net.IPv4(10, 1, 2, 3)), x509lite.CodeExcludedViolation)
	_ = pem.Encode
}

// FuzzParseCertificate: no input may panic the certificate, CRL or key
// parsers; a certificate that parses must survive Verify and hostname
// checks against itself.
func FuzzParseCertificate(f *testing.F) {
	ch, _ := certgen.NewChain(certgen.ECDSAP256, now, []string{"localhost", "127.0.0.1"}, rand.Reader)
	f.Add(ch.Leaf.DER)
	f.Add(ch.Root.DER)
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		x509lite.ParseCRL(der)
		x509lite.ParsePrivateKey(der, []byte("x"))
		c, err := x509lite.ParseCertificate(der)
		if err != nil {
			return
		}
		roots := x509lite.NewPool()
		roots.Add(c)
		x509lite.Verify([]*x509lite.Certificate{c, c}, x509lite.VerifyOptions{Roots: roots, Now: now, Purpose: x509lite.PurposeServerAuth, DNSName: "localhost"})
		x509lite.VerifyHostname(c, "127.0.0.1")
		_ = c.SubjectAltNameString() + c.Subject.String()
	})
}
