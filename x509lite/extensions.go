package x509lite

import (
	"encoding/asn1"
	"net/netip"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func (c *Certificate) parseExtensions(exts cryptobyte.String) error {
	var seq cryptobyte.String
	if !exts.ReadASN1(&seq, cbasn1.SEQUENCE) || !exts.Empty() || seq.Empty() {
		return parseErr("extensions")
	}
	for !seq.Empty() {
		var ext cryptobyte.String
		var e Extension
		if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&e.ID) {
			return parseErr("extension")
		}
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) {
			if !ext.ReadASN1Boolean(&e.Critical) {
				return parseErr("extension critical flag")
			}
			// DER: DEFAULT FALSE must be omitted.
			if !e.Critical {
				return parseErr("explicit non-critical flag")
			}
		}
		var val cryptobyte.String
		if !ext.ReadASN1(&val, cbasn1.OCTET_STRING) || !ext.Empty() {
			return parseErr("extension value")
		}
		e.Value = val
		// RFC 5280, Section 4.2: a certificate MUST NOT include more than
		// one instance of a particular extension.
		for _, prev := range c.Extensions {
			if prev.ID.Equal(e.ID) {
				return parseErr("duplicate extension " + e.ID.String())
			}
		}
		c.Extensions = append(c.Extensions, e)
		handled, err := c.parseExtension(e)
		if err != nil {
			return err
		}
		if e.Critical && !handled {
			c.UnhandledCriticalExtensions = append(c.UnhandledCriticalExtensions, e.ID)
		}
	}
	return nil
}

func (c *Certificate) parseExtension(e Extension) (bool, error) {
	v := cryptobyte.String(e.Value)
	switch {
	case e.ID.Equal(oidExtBC):
		var seq cryptobyte.String
		if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
			return false, parseErr("basicConstraints")
		}
		c.BasicConstraintsValid = true
		if seq.PeekASN1Tag(cbasn1.BOOLEAN) {
			if !seq.ReadASN1Boolean(&c.IsCA) || !c.IsCA {
				return false, parseErr("basicConstraints cA")
			}
		}
		if !seq.Empty() {
			var n int64
			if !seq.ReadASN1Integer(&n) || n < 0 || !seq.Empty() {
				return false, parseErr("basicConstraints pathLen")
			}
			c.MaxPathLen = int(min(n, 1<<20))
		}
		return true, nil
	case e.ID.Equal(oidExtKU):
		var bits asn1.BitString
		if !v.ReadASN1BitString(&bits) || !v.Empty() {
			return false, parseErr("keyUsage")
		}
		c.HasKeyUsage = true
		for i := range 9 {
			if bits.At(i) != 0 {
				c.KeyUsage |= 1 << i
			}
		}
		return true, nil
	case e.ID.Equal(oidExtEKU):
		var seq cryptobyte.String
		if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() || seq.Empty() {
			return false, parseErr("extKeyUsage")
		}
		for !seq.Empty() {
			var oid asn1.ObjectIdentifier
			if !seq.ReadASN1ObjectIdentifier(&oid) {
				return false, parseErr("extKeyUsage")
			}
			c.ExtKeyUsage = append(c.ExtKeyUsage, oid)
		}
		return true, nil
	case e.ID.Equal(oidExtSAN):
		c.HasSAN = true
		return true, c.parseSAN(v)
	case e.ID.Equal(oidExtSKI):
		var id []byte
		if !v.ReadASN1Bytes(&id, cbasn1.OCTET_STRING) || !v.Empty() {
			return false, parseErr("subjectKeyIdentifier")
		}
		c.SubjectKeyID = id
		// RFC 5280, Section 4.2.1.2: conforming CAs MUST mark this
		// extension non-critical; a critical one is left unhandled.
		return !e.Critical, nil
	case e.ID.Equal(oidExtAKI):
		var seq cryptobyte.String
		if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
			return false, parseErr("authorityKeyIdentifier")
		}
		if seq.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()) {
			var id []byte
			if !seq.ReadASN1Bytes(&id, cbasn1.Tag(0).ContextSpecific()) {
				return false, parseErr("authorityKeyIdentifier")
			}
			c.AuthorityKeyID = id
		}
		// RFC 5280, Section 4.2.1.1: this extension MUST NOT be critical.
		return !e.Critical, nil
	case e.ID.Equal(oidExtAIA):
		var seq cryptobyte.String
		if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
			return false, parseErr("authorityInfoAccess")
		}
		for !seq.Empty() {
			var ad cryptobyte.String
			var method asn1.ObjectIdentifier
			var tag cbasn1.Tag
			var loc cryptobyte.String
			if !seq.ReadASN1(&ad, cbasn1.SEQUENCE) || !ad.ReadASN1ObjectIdentifier(&method) || !ad.ReadAnyASN1(&loc, &tag) {
				return false, parseErr("accessDescription")
			}
			if tag != cbasn1.Tag(6).ContextSpecific() {
				continue
			}
			switch {
			case method.Equal(oidAIAOCSP):
				c.OCSPServers = append(c.OCSPServers, string(loc))
			case method.Equal(oidAIACAIssuers):
				c.IssuingCertificateURLs = append(c.IssuingCertificateURLs, string(loc))
			}
		}
		return false, nil
	case e.ID.Equal(oidExtCRLDP):
		c.parseCRLDP(v)
		return false, nil
	case e.ID.Equal(oidExtNC):
		c.HasNameConstraints = true
		return true, c.parseNameConstraints(v)
	case e.ID.Equal(oidExtPolicies):
		// Policies are accepted but not evaluated (no policy constraints).
		return true, nil
	}
	return false, nil
}

// General name kinds (RFC 5280, Section 4.2.1.6, the GeneralName CHOICE
// tags).
const (
	sanOtherName    = 0
	sanEmail        = 1
	sanDNS          = 2
	sanX400         = 3
	sanDirName      = 4
	sanEDIParty     = 5
	sanURI          = 6
	sanIP           = 7
	sanRegisteredID = 8
)

// generalName is one SAN entry in certificate order.
type generalName struct {
	tag   int
	value string // raw contents (IP bytes, DER of a directoryName)
}

// parseSAN reads GeneralNames (RFC 5280, Section 4.2.1.6).
func (c *Certificate) parseSAN(v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() || seq.Empty() {
		return parseErr("subjectAltName")
	}
	for !seq.Empty() {
		var tag cbasn1.Tag
		var val cryptobyte.String
		if !seq.ReadAnyASN1(&val, &tag) {
			return parseErr("subjectAltName entry")
		}
		if tag&0xc0 != 0x80 || tag&0x1f > 8 {
			return parseErr("subjectAltName entry tag")
		}
		n := int(tag & 0x1f)
		constructed := tag&0x20 != 0
		// otherName, x400Address, directoryName and ediPartyName are
		// constructed; the others are primitive.
		if constructed != (n == sanOtherName || n == sanX400 || n == sanDirName || n == sanEDIParty) {
			return parseErr("subjectAltName entry encoding")
		}
		switch n {
		case sanEmail:
			if !isASCII(val) {
				return parseErr("rfc822Name")
			}
			c.EmailAddresses = append(c.EmailAddresses, string(val))
		case sanDNS:
			if !isASCII(val) {
				return parseErr("dNSName")
			}
			c.DNSNames = append(c.DNSNames, string(val))
		case sanURI:
			if !isASCII(val) {
				return parseErr("uniformResourceIdentifier")
			}
			c.URIs = append(c.URIs, string(val))
		case sanIP:
			ip, ok := netip.AddrFromSlice(val)
			if !ok {
				return parseErr("iPAddress")
			}
			c.IPAddresses = append(c.IPAddresses, ip)
		case sanDirName:
			// [4] EXPLICIT Name: keep the inner Name's DER.
			var inner cryptobyte.String
			if !val.ReadASN1Element(&inner, cbasn1.SEQUENCE) || !val.Empty() {
				return parseErr("directoryName")
			}
			val = inner
		}
		c.sans = append(c.sans, generalName{tag: n, value: string(val)})
	}
	return nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func (c *Certificate) parseCRLDP(v cryptobyte.String) {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return
	}
	for !seq.Empty() {
		var dp, name, full cryptobyte.String
		if !seq.ReadASN1(&dp, cbasn1.SEQUENCE) {
			return
		}
		var has bool
		if !dp.ReadOptionalASN1(&name, &has, cbasn1.Tag(0).Constructed().ContextSpecific()) || !has {
			continue
		}
		if !name.ReadASN1(&full, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			continue
		}
		for !full.Empty() {
			var tag cbasn1.Tag
			var val cryptobyte.String
			if !full.ReadAnyASN1(&val, &tag) {
				return
			}
			if tag == cbasn1.Tag(6).ContextSpecific() {
				c.CRLDistributionPoints = append(c.CRLDistributionPoints, string(val))
			}
		}
	}
}

// parseNameConstraints reads NameConstraints (RFC 5280, Section 4.2.1.10).
func (c *Certificate) parseNameConstraints(v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return parseErr("nameConstraints")
	}
	// RFC 5280, Section 4.2.1.10: conforming CAs MUST NOT issue
	// certificates where name constraints is an empty sequence.
	if seq.Empty() {
		return parseErr("empty nameConstraints")
	}
	type lists struct {
		dns, emails, uris *[]string
		ips               *[]netip.Prefix
		dirs              *[]Name
	}
	read := func(tag cbasn1.Tag, l lists) error {
		var subtrees cryptobyte.String
		var has bool
		if !seq.ReadOptionalASN1(&subtrees, &has, tag) {
			return parseErr("nameConstraints subtrees")
		}
		if has && subtrees.Empty() {
			return parseErr("empty nameConstraints subtrees")
		}
		for !subtrees.Empty() {
			var st, base cryptobyte.String
			var btag cbasn1.Tag
			if !subtrees.ReadASN1(&st, cbasn1.SEQUENCE) || !st.ReadAnyASN1(&base, &btag) {
				return parseErr("generalSubtree")
			}
			if btag&0xc0 != 0x80 || btag&0x1f > 8 {
				return parseErr("generalSubtree base")
			}
			kind := int(btag & 0x1f)
			c.ncCount++
			// RFC 5280: minimum MUST be zero and maximum absent; a
			// subtree that says otherwise cannot be evaluated here.
			if !st.Empty() {
				c.ncUnsupported |= 1 << kind
				continue
			}
			switch kind {
			case sanDNS:
				if !isASCII(base) {
					return parseErr("dNSName constraint")
				}
				*l.dns = append(*l.dns, string(base))
			case sanIP:
				if len(base) != 8 && len(base) != 32 {
					return parseErr("iPAddress constraint")
				}
				half := len(base) / 2
				addr, _ := netip.AddrFromSlice(base[:half])
				ones, ok := maskOnes(base[half:])
				if !ok {
					return parseErr("iPAddress constraint mask")
				}
				*l.ips = append(*l.ips, netip.PrefixFrom(addr, ones))
			case sanEmail:
				if !isASCII(base) {
					return parseErr("rfc822Name constraint")
				}
				*l.emails = append(*l.emails, string(base))
			case sanURI:
				if !isASCII(base) {
					return parseErr("uniformResourceIdentifier constraint")
				}
				*l.uris = append(*l.uris, string(base))
			case sanDirName:
				var inner cryptobyte.String
				if !base.ReadASN1Element(&inner, cbasn1.SEQUENCE) || !base.Empty() {
					return parseErr("directoryName constraint")
				}
				n, err := parseName(inner)
				if err != nil {
					return err
				}
				*l.dirs = append(*l.dirs, n)
			default:
				c.ncUnsupported |= 1 << kind
			}
		}
		return nil
	}
	if err := read(cbasn1.Tag(0).Constructed().ContextSpecific(), lists{&c.PermittedDNSDomains, &c.PermittedEmails, &c.PermittedURIDomains, &c.PermittedIPRanges, &c.permittedDirs}); err != nil {
		return err
	}
	if err := read(cbasn1.Tag(1).Constructed().ContextSpecific(), lists{&c.ExcludedDNSDomains, &c.ExcludedEmails, &c.ExcludedURIDomains, &c.ExcludedIPRanges, &c.excludedDirs}); err != nil {
		return err
	}
	if !seq.Empty() {
		return parseErr("nameConstraints")
	}
	c.UnsupportedNameConstraint = c.ncUnsupported != 0
	return nil
}

// maskOnes converts a contiguous netmask to a prefix length.
func maskOnes(m []byte) (int, bool) {
	ones, seenZero := 0, false
	for _, b := range m {
		for i := 7; i >= 0; i-- {
			if b&(1<<i) != 0 {
				if seenZero {
					return 0, false
				}
				ones++
			} else {
				seenZero = true
			}
		}
	}
	return ones, true
}

// hasEKU reports whether the certificate allows the purpose (no EKU
// extension allows everything).
func (c *Certificate) hasEKU(purpose asn1.ObjectIdentifier) bool {
	if c.ExtKeyUsage == nil {
		return true
	}
	return slices.ContainsFunc(c.ExtKeyUsage, func(o asn1.ObjectIdentifier) bool {
		return o.Equal(purpose) || o.Equal(OIDExtKeyUsageAny)
	})
}
