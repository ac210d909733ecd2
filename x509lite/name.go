package x509lite

import (
	"encoding/asn1"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// AttributeTypeAndValue is one name attribute.
type AttributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value string
}

// Name is a distinguished name: RDNs in order, multi-valued ones kept.
type Name struct {
	RDNs [][]AttributeTypeAndValue
}

var shortNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{asn1.ObjectIdentifier{2, 5, 4, 3}, "CN"},
	{asn1.ObjectIdentifier{2, 5, 4, 6}, "C"},
	{asn1.ObjectIdentifier{2, 5, 4, 7}, "L"},
	{asn1.ObjectIdentifier{2, 5, 4, 8}, "ST"},
	{asn1.ObjectIdentifier{2, 5, 4, 10}, "O"},
	{asn1.ObjectIdentifier{2, 5, 4, 11}, "OU"},
	{asn1.ObjectIdentifier{2, 5, 4, 5}, "serialNumber"},
	{asn1.ObjectIdentifier{2, 5, 4, 9}, "street"},
	{asn1.ObjectIdentifier{2, 5, 4, 17}, "postalCode"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, "emailAddress"},
	{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, "DC"},
	{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, "UID"},
	{asn1.ObjectIdentifier{2, 5, 4, 4}, "SN"},
	{asn1.ObjectIdentifier{2, 5, 4, 12}, "title"},
	{asn1.ObjectIdentifier{2, 5, 4, 15}, "businessCategory"},
	{asn1.ObjectIdentifier{2, 5, 4, 41}, "name"},
	{asn1.ObjectIdentifier{2, 5, 4, 42}, "GN"},
	{asn1.ObjectIdentifier{2, 5, 4, 43}, "initials"},
	{asn1.ObjectIdentifier{2, 5, 4, 44}, "generationQualifier"},
	{asn1.ObjectIdentifier{2, 5, 4, 46}, "dnQualifier"},
	{asn1.ObjectIdentifier{2, 5, 4, 65}, "pseudonym"},
	{asn1.ObjectIdentifier{2, 5, 4, 97}, "organizationIdentifier"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 1}, "jurisdictionL"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 2}, "jurisdictionST"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}, "jurisdictionC"},
}

var oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}

// ShortName is the attribute's short name as OpenSSL and Node print it, or
// the dotted OID.
func (n Name) ShortName(oid asn1.ObjectIdentifier) string {
	for _, s := range shortNames {
		if oid.Equal(s.oid) {
			return s.name
		}
	}
	return oid.String()
}

// CommonName returns the last CN, or "".
func (n Name) CommonName() string {
	cns := n.CommonNames()
	if len(cns) == 0 {
		return ""
	}
	return cns[len(cns)-1]
}

// CommonNames returns every CN value in order.
func (n Name) CommonNames() []string {
	var out []string
	for _, rdn := range n.RDNs {
		for _, a := range rdn {
			if a.Type.Equal(oidCN) {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// String renders the name like OpenSSL's one-line form: "C=US, O=x, CN=y".
func (n Name) String() string {
	var parts []string
	for _, rdn := range n.RDNs {
		var sub []string
		for _, a := range rdn {
			sub = append(sub, n.ShortName(a.Type)+"="+a.Value)
		}
		parts = append(parts, strings.Join(sub, " + "))
	}
	return strings.Join(parts, ", ")
}

// parseName reads a Name: SEQUENCE OF SET OF AttributeTypeAndValue.
func parseName(raw []byte) (Name, error) {
	var n Name
	s := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return n, parseErr("name")
	}
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) || set.Empty() {
			return n, parseErr("relative distinguished name")
		}
		var rdn []AttributeTypeAndValue
		for !set.Empty() {
			var atv cryptobyte.String
			var a AttributeTypeAndValue
			var tag cbasn1.Tag
			var val cryptobyte.String
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&a.Type) ||
				!atv.ReadAnyASN1(&val, &tag) || !atv.Empty() {
				return n, parseErr("attribute")
			}
			v, ok := decodeString(tag, val)
			if !ok {
				return n, parseErr("attribute value")
			}
			a.Value = v
			rdn = append(rdn, a)
		}
		n.RDNs = append(n.RDNs, rdn)
	}
	return n, nil
}

// decodeString decodes the ASN.1 string types used in names.
func decodeString(tag cbasn1.Tag, v []byte) (string, bool) {
	switch tag {
	case cbasn1.PrintableString, cbasn1.IA5String, cbasn1.Tag(18) /* NumericString */, cbasn1.T61String:
		for _, c := range v {
			if c >= 0x80 && tag != cbasn1.T61String {
				return "", false
			}
		}
		if tag == cbasn1.T61String {
			// Latin-1, as most decoders treat it.
			r := make([]rune, len(v))
			for i, c := range v {
				r[i] = rune(c)
			}
			return string(r), true
		}
		return string(v), true
	case cbasn1.UTF8String:
		if !utf8.Valid(v) {
			return "", false
		}
		return string(v), true
	case cbasn1.Tag(30): // BMPString, UTF-16BE
		if len(v)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
		}
		return string(utf16.Decode(u)), true
	case cbasn1.Tag(28): // UniversalString, UTF-32BE
		if len(v)%4 != 0 {
			return "", false
		}
		var sb strings.Builder
		for i := 0; i < len(v); i += 4 {
			sb.WriteRune(rune(uint32(v[i])<<24 | uint32(v[i+1])<<16 | uint32(v[i+2])<<8 | uint32(v[i+3])))
		}
		return sb.String(), true
	}
	// Other types (e.g. a BIT STRING x500UniqueIdentifier) keep their
	// bytes as text so that names still compare.
	return string(v), true
}

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// values returns every value of one attribute type, in order.
func (n Name) values(oid asn1.ObjectIdentifier) []string {
	var out []string
	for _, rdn := range n.RDNs {
		for _, a := range rdn {
			if a.Type.Equal(oid) {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// hasPrefix reports whether p's RDNs begin n, each RDN equal as a set.
func (n Name) hasPrefix(p Name) bool {
	if len(p.RDNs) > len(n.RDNs) {
		return false
	}
	for i, rdn := range p.RDNs {
		if !rdnEqual(rdn, n.RDNs[i]) {
			return false
		}
	}
	return true
}

func rdnEqual(a, b []AttributeTypeAndValue) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		found := false
		for _, y := range b {
			if x.Type.Equal(y.Type) && canonicalValue(x.Value) == canonicalValue(y.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// canonicalValue lower-cases ASCII, trims and folds runs of white space.
func canonicalValue(s string) string {
	return asciiLower(strings.Join(strings.Fields(s), " "))
}
