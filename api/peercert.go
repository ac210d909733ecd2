package api

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tlsengine/tlsengine/x509lite"
)

// DN is a distinguished name as Node shows it: attribute short name to
// values, an attribute that repeats having several.
type DN map[string][]string

// PeerCertificate is Node's getPeerCertificate() object (Node v20's key
// names and formats; design/node-api.md, section 3.3).
type PeerCertificate struct {
	Subject, Issuer DN
	SubjectAltName  string              // "DNS:a, IP Address:1.2.3.4"; "" when absent
	InfoAccess      map[string][]string // "OCSP - URI", "CA Issuers - URI"
	CA              bool
	// RSA keys: Modulus (upper-case hex), Exponent ("0x10001"); EC keys:
	// ASN1Curve and NISTCurve. Bits and PubKey (SubjectPublicKeyInfo DER)
	// for both.
	Modulus, Exponent    string
	ASN1Curve, NISTCurve string
	Bits                 int
	PubKey               []byte
	// ValidFrom and ValidTo use OpenSSL's "Jan  2 15:04:05 2006 GMT".
	ValidFrom, ValidTo string
	// Fingerprints are upper-case hex pairs joined by colons.
	Fingerprint, Fingerprint256, Fingerprint512 string
	ExtKeyUsage                                 []string // OIDs
	SerialNumber                                string   // upper-case hex
	Raw                                         []byte
	// IssuerCertificate is set when the peer certificate was asked for
	// in detail: the next certificate of the chain; a self-signed root
	// points at itself, as in Node.
	IssuerCertificate *PeerCertificate
}

// PeerCertificate returns the peer's certificate in Node's shape, or nil
// when there is none. With detailed set, IssuerCertificate links the
// chain: the verified path when there is one, else the chain as sent.
func (s *TLSSocket) PeerCertificate(detailed bool) *PeerCertificate {
	st := s.ConnectionState()
	if st == nil || len(st.PeerCertificates) == 0 {
		return nil
	}
	if !detailed {
		return nodeCertificate(st.PeerCertificates[0])
	}
	chain := st.VerifiedChain
	if len(chain) == 0 {
		chain = st.PeerCertificates
	}
	out := make([]*PeerCertificate, len(chain))
	for i, c := range chain {
		out[i] = nodeCertificate(c)
	}
	for i := range out {
		if i+1 < len(out) {
			out[i].IssuerCertificate = out[i+1]
		} else if chain[i].IsSelfIssued() {
			out[i].IssuerCertificate = out[i]
		}
	}
	return out[0]
}

// nodeCertificate renders one certificate.
func nodeCertificate(c *x509lite.Certificate) *PeerCertificate {
	p := &PeerCertificate{
		Subject:        dn(c.Subject),
		Issuer:         dn(c.Issuer),
		SubjectAltName: c.SubjectAltNameString(),
		CA:             c.IsCA,
		PubKey:         c.RawSubjectPublicKeyInfo,
		ValidFrom:      c.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT"),
		ValidTo:        c.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT"),
		SerialNumber:   serialHex(c),
		Raw:            c.Raw,
	}
	s1, s256, s512 := sha1.Sum(c.Raw), sha256.Sum256(c.Raw), sha512.Sum512(c.Raw)
	p.Fingerprint, p.Fingerprint256, p.Fingerprint512 = colonHex(s1[:]), colonHex(s256[:]), colonHex(s512[:])
	if len(c.OCSPServers)+len(c.IssuingCertificateURLs) > 0 {
		p.InfoAccess = map[string][]string{}
		for _, u := range c.OCSPServers {
			p.InfoAccess["OCSP - URI"] = append(p.InfoAccess["OCSP - URI"], u)
		}
		for _, u := range c.IssuingCertificateURLs {
			p.InfoAccess["CA Issuers - URI"] = append(p.InfoAccess["CA Issuers - URI"], u)
		}
	}
	for _, oid := range c.ExtKeyUsage {
		p.ExtKeyUsage = append(p.ExtKeyUsage, oid.String())
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		p.Modulus = strings.ToUpper(k.N.Text(16))
		p.Exponent = fmt.Sprintf("0x%x", k.E)
		p.Bits = k.N.BitLen()
	case *ecdsa.PublicKey:
		// Node gives an EC key as its uncompressed point, not the SPKI.
		if pub, err := k.ECDH(); err == nil {
			p.PubKey = pub.Bytes()
		}
		p.Bits = k.Curve.Params().BitSize
		p.NISTCurve = k.Curve.Params().Name
		p.ASN1Curve = map[string]string{"P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1"}[p.NISTCurve]
	case ed25519.PublicKey:
		p.Bits = 256
	}
	return p
}

// serialHex is the serial number as OpenSSL prints it: upper-case hex in
// whole bytes (an even number of digits).
func serialHex(c *x509lite.Certificate) string {
	h := strings.ToUpper(c.SerialNumber.Text(16))
	if len(h)%2 == 1 {
		h = "0" + h
	}
	return h
}

// dn turns a name into Node's attribute map.
func dn(n x509lite.Name) DN {
	out := DN{}
	for _, rdn := range n.RDNs {
		for _, atv := range rdn {
			k := n.ShortName(atv.Type)
			out[k] = append(out[k], atv.Value)
		}
	}
	return out
}

func colonHex(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}
