package x509lite

import (
	"net/netip"
	"strings"
)

// VerifyHostname checks the leaf against a host name or IP literal with
// Node's checkServerIdentity rules: an IP host must be an IP SAN; a DNS host
// must match a DNS SAN (one wildcard in the left-most label, never over a
// dot and never the only non-public label), or the CN when the certificate
// has no subjectAltName at all; case-insensitive, a trailing dot ignored.
func VerifyHostname(leaf *Certificate, host string) error {
	fail := func(reason string) error {
		return &VerifyError{Code: CodeHostnameMismatch, Reason: "Hostname/IP does not match certificate's altnames: " + reason, Cert: leaf}
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		var list []string
		for _, a := range leaf.IPAddresses {
			if a.Unmap() == ip.Unmap() {
				return nil
			}
			list = append(list, "IP Address:"+nodeIP(a))
		}
		return fail("IP: " + host + " is not in the cert's list: " + strings.Join(list, ", "))
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if leaf.HasSAN {
		if len(leaf.DNSNames) == 0 {
			return fail("Cert does not contain a DNS name")
		}
		for _, n := range leaf.DNSNames {
			if matchHostname(n, h) {
				return nil
			}
		}
		return fail("Host: " + host + ". is not in the cert's altnames: " + altNames(leaf))
	}
	cns := leaf.Subject.CommonNames()
	if len(cns) == 0 {
		return fail("Cert does not contain a DNS name")
	}
	for _, cn := range cns {
		if matchHostname(cn, h) {
			return nil
		}
	}
	return fail("Host: " + host + ". is not cert's CN: " + strings.Join(cns, ", "))
}

// nodeIP formats an address the way Node's subjectaltname does (IPv6 in
// full uncompressed groups without leading zeros).
func nodeIP(a netip.Addr) string {
	if a.Is4() || a.Is4In6() {
		return a.Unmap().String()
	}
	b := a.As16()
	parts := make([]string, 8)
	for i := range 8 {
		parts[i] = strings.ToUpper(strings.TrimLeft(hex4(uint16(b[2*i])<<8|uint16(b[2*i+1])), "0"))
		if parts[i] == "" {
			parts[i] = "0"
		}
	}
	return strings.Join(parts, ":")
}

func hex4(v uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}

// altNames renders the SANs as Node's subjectaltname string.
func altNames(c *Certificate) string {
	var parts []string
	for _, n := range c.DNSNames {
		parts = append(parts, "DNS:"+n)
	}
	for _, a := range c.IPAddresses {
		parts = append(parts, "IP Address:"+nodeIP(a))
	}
	for _, u := range c.URIs {
		parts = append(parts, "URI:"+u)
	}
	for _, e := range c.EmailAddresses {
		parts = append(parts, "email:"+e)
	}
	return strings.Join(parts, ", ")
}

// matchHostname matches one certificate name against a lower-cased host.
// A wildcard may appear once, in the left-most label, with at least two
// labels after it (RFC 6125, Section 6.4.3; Node allows "x*.example.com").
func matchHostname(pattern, host string) bool {
	p := strings.ToLower(strings.TrimSuffix(pattern, "."))
	if p == "" || host == "" {
		return false
	}
	if !strings.Contains(p, "*") {
		return p == host
	}
	pl := strings.Split(p, ".")
	hl := strings.Split(host, ".")
	if len(pl) != len(hl) || len(pl) < 3 {
		return false
	}
	for _, l := range pl[1:] {
		if strings.Contains(l, "*") || l == "" {
			return false
		}
		_ = l
	}
	for i := 1; i < len(pl); i++ {
		if pl[i] != hl[i] {
			return false
		}
	}
	// The wildcard label: prefix*suffix, with no wildcard in IDN labels.
	w, h := pl[0], hl[0]
	if strings.Count(w, "*") != 1 || strings.HasPrefix(h, "xn--") {
		return false
	}
	prefix, suffix, _ := strings.Cut(w, "*")
	return len(h) >= len(prefix)+len(suffix) && strings.HasPrefix(h, prefix) && strings.HasSuffix(h, suffix) && h != ""
}
