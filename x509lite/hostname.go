package x509lite

import (
	"net/netip"
	"strings"
)

// VerifyHostname checks the leaf against a host name or IP literal with
// Node's tls.checkServerIdentity rules (Node v20):
//   - one trailing dot of the host is ignored;
//   - an IP literal must equal an IP address SAN (no CN fallback);
//   - a DNS host must match one of the DNS SANs; only when the certificate
//     has no DNS SAN at all (IP or URI SANs do not count) is the subject CN
//     used instead;
//   - matching is ASCII case-insensitive, label by label; a wildcard may
//     appear once, in the left-most label only ("*.example.com",
//     "f*.example.com"), never as "*.tld", never in an A-label ("xn--"),
//     and it does not span a dot.
//
// The error is a *VerifyError with Code ERR_TLS_CERT_ALTNAME_INVALID and
// Node's message as Reason.
func VerifyHostname(leaf *Certificate, host string) error {
	host = strings.TrimSuffix(host, ".")
	fail := func(reason string) error {
		return &VerifyError{Code: CodeHostnameMismatch, Reason: "Hostname/IP does not match certificate's altnames: " + reason, Cert: leaf}
	}
	if ip, ok := parseNodeIP(host); ok {
		list := make([]string, 0, len(leaf.IPAddresses))
		for _, a := range leaf.IPAddresses {
			if a == ip {
				return nil
			}
			list = append(list, a.String())
		}
		return fail("IP: " + host + " is not in the cert's list: " + strings.Join(list, ", "))
	}
	hostLabels := strings.Split(asciiLower(host), ".")
	if len(leaf.DNSNames) > 0 {
		for _, n := range leaf.DNSNames {
			if matchHostname(hostLabels, n) {
				return nil
			}
		}
		return fail("Host: " + host + ". is not in the cert's altnames: " + leaf.SubjectAltNameString())
	}
	// Node reads subject.CN: one string, or an array when repeated (which
	// prints joined by commas); an empty CN counts as none.
	cns := leaf.Subject.CommonNames()
	if len(cns) == 0 || (len(cns) == 1 && cns[0] == "") {
		return fail("Cert does not contain a DNS name")
	}
	for _, cn := range cns {
		if matchHostname(hostLabels, cn) {
			return nil
		}
	}
	return fail("Host: " + host + ". is not cert's CN: " + strings.Join(cns, ","))
}

// SubjectAltNameString renders the subjectAltName extension the way Node's
// X509Certificate.subjectAltName and getPeerCertificate().subjectaltname do:
// entries in certificate order, "DNS:a, IP Address:1.2.3.4, URI:...", with
// values that contain separators or unprintable bytes written as JSON
// strings. It is "" without the extension.
func (c *Certificate) SubjectAltNameString() string {
	parts := make([]string, 0, len(c.sans))
	for _, n := range c.sans {
		switch n.tag {
		case sanDNS:
			parts = append(parts, "DNS:"+nodeAltValue(n.value))
		case sanEmail:
			parts = append(parts, "email:"+nodeAltValue(n.value))
		case sanURI:
			parts = append(parts, "URI:"+nodeAltValue(n.value))
		case sanIP:
			parts = append(parts, "IP Address:"+nodeIP(n.value))
		case sanOtherName:
			parts = append(parts, "othername:<unsupported>")
		case sanX400:
			parts = append(parts, "X400Name:<unsupported>")
		case sanDirName:
			if nm, err := parseName([]byte(n.value)); err == nil {
				parts = append(parts, "DirName:"+nm.String())
			} else {
				parts = append(parts, "DirName:<unsupported>")
			}
		case sanEDIParty:
			parts = append(parts, "EdiPartyName:<unsupported>")
		case sanRegisteredID:
			parts = append(parts, "Registered ID:<unsupported>")
		}
	}
	return strings.Join(parts, ", ")
}

// parseNodeIP accepts what Node's net.isIP accepts: dotted-quad IPv4
// without leading zeros, or IPv6 (with an optional zone); no brackets.
func parseNodeIP(host string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone(""), true
}

// asciiLower lower-cases A-Z only, as Node does (locale-independent).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// matchHostname is Node's check(): pattern against the host's lower-cased
// labels, wildcards allowed.
func matchHostname(hostLabels []string, pattern string) bool {
	if pattern == "" {
		return false
	}
	pl := strings.Split(asciiLower(strings.TrimSuffix(pattern, ".")), ".")
	if len(pl) != len(hostLabels) {
		return false
	}
	for _, l := range pl {
		// Empty labels ("bad..example.com"), blanks, controls and
		// non-ASCII (U-labels) never match.
		if l == "" {
			return false
		}
		for i := 0; i < len(l); i++ {
			if l[i] < 0x21 || l[i] > 0x7f {
				return false
			}
		}
	}
	for i := len(pl) - 1; i > 0; i-- {
		if pl[i] != hostLabels[i] {
			return false
		}
	}
	w, h := pl[0], hostLabels[0]
	if !strings.Contains(w, "*") || strings.Contains(w, "xn--") {
		return w == h
	}
	if strings.Count(w, "*") > 1 || len(pl) <= 2 {
		return false
	}
	prefix, suffix, _ := strings.Cut(w, "*")
	return len(prefix)+len(suffix) <= len(h) && strings.HasPrefix(h, prefix) && strings.HasSuffix(h, suffix)
}

// nodeIP formats an address as Node's subjectaltname does: IPv4 dotted,
// IPv6 as eight upper-case hex groups without compression.
func nodeIP(raw string) string {
	switch len(raw) {
	case 4:
		a, _ := netip.AddrFromSlice([]byte(raw))
		return a.String()
	case 16:
		const digits = "0123456789ABCDEF"
		var sb strings.Builder
		for i := range 8 {
			if i > 0 {
				sb.WriteByte(':')
			}
			v := uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			started := false
			for shift := 12; shift >= 0; shift -= 4 {
				d := v >> shift & 15
				if d != 0 || started || shift == 0 {
					sb.WriteByte(digits[d])
					started = true
				}
			}
		}
		return sb.String()
	}
	return "<invalid>"
}

// nodeAltValue writes an IA5 SAN value, JSON-quoted when it holds bytes
// that would make the comma-separated list ambiguous.
func nodeAltValue(v string) string {
	safe := true
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '"' || c == '\\' || c == ',' || c == '\'' || c < ' ' || c > '~' {
			safe = false
			break
		}
	}
	if safe {
		return v
	}
	const hexd = "0123456789abcdef"
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c >= ' ' && c <= '~' && c != ',':
			sb.WriteByte(c)
		default:
			sb.WriteString(`\u00`)
			sb.WriteByte(hexd[c>>4])
			sb.WriteByte(hexd[c&15])
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
