package api

import "encoding/json"

// MarshalJSON writes the certificate as Node's JSON.stringify writes
// getPeerCertificate(): Node's key names in Node's order, a DN value as a
// string (an array when the attribute repeats), raw and pubkey in base64
// (Node would write Buffer objects), and the chain under
// issuerCertificate, without a self-signed root's link to itself, which
// JSON cannot hold.
func (p *PeerCertificate) MarshalJSON() ([]byte, error) {
	return json.Marshal(toCertJSON(p))
}

// certJSON is a PeerCertificate with Node's getPeerCertificate() key
// names, in Node's order (design/node-api.md, section 3.3). raw and pubkey
// are base64 (Node's JSON.stringify would write Buffer objects), and a
// self-signed root's issuerCertificate, which is the root itself in Node
// and cannot be written as JSON, is left out.
type certJSON struct {
	Subject           map[string]any      `json:"subject"`
	Issuer            map[string]any      `json:"issuer"`
	SubjectAltName    string              `json:"subjectaltname,omitempty"`
	InfoAccess        map[string][]string `json:"infoAccess,omitempty"`
	CA                bool                `json:"ca"`
	Modulus           string              `json:"modulus,omitempty"`
	Bits              int                 `json:"bits"`
	Exponent          string              `json:"exponent,omitempty"`
	PubKey            []byte              `json:"pubkey"`
	ASN1Curve         string              `json:"asn1Curve,omitempty"`
	NISTCurve         string              `json:"nistCurve,omitempty"`
	ValidFrom         string              `json:"valid_from"`
	ValidTo           string              `json:"valid_to"`
	Fingerprint       string              `json:"fingerprint"`
	Fingerprint256    string              `json:"fingerprint256"`
	Fingerprint512    string              `json:"fingerprint512"`
	ExtKeyUsage       []string            `json:"ext_key_usage,omitempty"`
	SerialNumber      string              `json:"serialNumber"`
	Raw               []byte              `json:"raw"`
	IssuerCertificate *certJSON           `json:"issuerCertificate,omitempty"`
}

func toCertJSON(p *PeerCertificate) *certJSON {
	if p == nil {
		return nil
	}
	c := &certJSON{
		Subject: dnJSON(p.Subject), Issuer: dnJSON(p.Issuer), SubjectAltName: p.SubjectAltName,
		InfoAccess: p.InfoAccess, CA: p.CA, Modulus: p.Modulus, Bits: p.Bits, Exponent: p.Exponent,
		PubKey: p.PubKey, ASN1Curve: p.ASN1Curve, NISTCurve: p.NISTCurve, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo,
		Fingerprint: p.Fingerprint, Fingerprint256: p.Fingerprint256, Fingerprint512: p.Fingerprint512,
		ExtKeyUsage: p.ExtKeyUsage, SerialNumber: p.SerialNumber, Raw: p.Raw,
	}
	if p.IssuerCertificate != p {
		c.IssuerCertificate = toCertJSON(p.IssuerCertificate)
	}
	return c
}

// dnJSON writes a DN as Node does: one value as a string, a repeated
// attribute as an array.
func dnJSON(d DN) map[string]any {
	out := make(map[string]any, len(d))
	for k, v := range d {
		if len(v) == 1 {
			out[k] = v[0]
		} else {
			out[k] = v
		}
	}
	return out
}
