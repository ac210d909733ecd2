package x509lite

import (
	"bytes"
	"encoding/pem"
	"errors"
)

// ParseCertificates reads every CERTIFICATE (or TRUSTED CERTIFICATE) block
// of PEM data, or one or more concatenated DER certificates.
func ParseCertificates(data []byte) ([]*Certificate, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		var out []*Certificate
		rest := data
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" && b.Type != "X509 CERTIFICATE" {
				continue
			}
			der := b.Bytes
			if b.Type == "TRUSTED CERTIFICATE" {
				der = firstElement(der)
			}
			c, err := ParseCertificate(der)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return nil, errors.New("x509lite: no certificate in PEM data")
		}
		return out, nil
	}
	var out []*Certificate
	for len(data) > 0 {
		der := firstElement(data)
		if len(der) == 0 {
			return nil, parseErr("DER framing")
		}
		c, err := ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		data = data[len(der):]
	}
	if len(out) == 0 {
		return nil, errors.New("x509lite: no certificate in data")
	}
	return out, nil
}

// firstElement returns the first DER TLV of data (OpenSSL's TRUSTED
// CERTIFICATE appends auxiliary trust data after the certificate).
func firstElement(data []byte) []byte {
	if len(data) < 2 {
		return nil
	}
	l := int(data[1])
	hdr := 2
	if l&0x80 != 0 {
		n := l & 0x7f
		if n == 0 || n > 4 || len(data) < 2+n {
			return nil
		}
		l = 0
		for _, b := range data[2 : 2+n] {
			l = l<<8 | int(b)
		}
		hdr += n
	}
	if l < 0 || hdr+l > len(data) {
		return nil
	}
	return data[:hdr+l]
}
