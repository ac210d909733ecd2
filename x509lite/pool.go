package x509lite

import "bytes"

// Pool is a set of certificates indexed by subject: trust anchors or
// candidate intermediates.
type Pool struct {
	certs     []*Certificate
	bySubject map[string][]int
}

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{bySubject: map[string][]int{}} }

// Add adds c unless an identical certificate is present.
func (p *Pool) Add(c *Certificate) {
	for _, i := range p.bySubject[string(c.RawSubject)] {
		if p.certs[i].Equal(c) {
			return
		}
	}
	p.bySubject[string(c.RawSubject)] = append(p.bySubject[string(c.RawSubject)], len(p.certs))
	p.certs = append(p.certs, c)
}

// AppendPEM parses and adds every certificate in data.
func (p *Pool) AppendPEM(data []byte) (int, error) {
	certs, err := ParseCertificates(data)
	if err != nil {
		return 0, err
	}
	for _, c := range certs {
		p.Add(c)
	}
	return len(certs), nil
}

// Len is the number of certificates.
func (p *Pool) Len() int { return len(p.certs) }

// Certificates returns the certificates in insertion order.
func (p *Pool) Certificates() []*Certificate { return append([]*Certificate(nil), p.certs...) }

// Subjects returns each certificate's DER subject (the CA names a server
// puts in CertificateRequest).
func (p *Pool) Subjects() [][]byte {
	out := make([][]byte, len(p.certs))
	for i, c := range p.certs {
		out[i] = c.RawSubject
	}
	return out
}

func (p *Pool) contains(c *Certificate) bool {
	if p == nil {
		return false
	}
	// A trust anchor is a name and a key: a re-encoded copy of a trusted
	// certificate is trusted too.
	for _, i := range p.bySubject[string(c.RawSubject)] {
		if bytes.Equal(p.certs[i].RawSubjectPublicKeyInfo, c.RawSubjectPublicKeyInfo) {
			return true
		}
	}
	return false
}

// issuersOf returns the certificates whose subject is c's issuer.
func (p *Pool) issuersOf(c *Certificate) []*Certificate {
	if p == nil {
		return nil
	}
	var out []*Certificate
	for _, i := range p.bySubject[string(c.RawIssuer)] {
		out = append(out, p.certs[i])
	}
	return out
}
