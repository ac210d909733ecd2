package api

import (
	"encoding/asn1"
	"encoding/json"
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/tlsengine/tlsengine/x509lite"
)

// CodeCertAltnameInvalid is the code of a certificate that does not match
// the host name.
const CodeCertAltnameInvalid = x509lite.CodeHostnameMismatch

// AltNameError is the detail of a CheckServerIdentity failure, wrapped in
// the *Error it returns: Node's reason, host and cert properties.
type AltNameError struct {
	Reason string // e.g. "Host: a.example. is not in the cert's altnames: DNS:b.example"
	Host   string // the host name checked, without its trailing dot
	Cert   *PeerCertificate
}

func (e *AltNameError) Error() string {
	return "Hostname/IP does not match certificate's altnames: " + e.Reason
}

// CheckServerIdentity is Node's tls.checkServerIdentity, the default
// ConnectOptions.CheckServerIdentity: it checks host against cert's
// subjectaltname and subject fields with Node's (RFC 6125) rules: an IP
// literal must be an IP Address entry; a name must match a DNS entry, and
// the CN is used only when there is none; one wildcard, in the left-most
// label only, not for a two-label pattern; ASCII case-insensitive; one
// trailing dot ignored. It works on the fields alone, so a hand-made
// PeerCertificate can be checked as in Node. The error is an *Error with
// Code ERR_TLS_CERT_ALTNAME_INVALID and Node's message, wrapping an
// *AltNameError.
func CheckServerIdentity(host string, cert *PeerCertificate) error {
	var subject DN
	var altNames string
	if cert != nil {
		subject, altNames = cert.Subject, cert.SubjectAltName
	}
	var dnsNames, ips []string
	if altNames != "" {
		for _, name := range splitAltNames(altNames) {
			if v, ok := strings.CutPrefix(name, "DNS:"); ok {
				dnsNames = append(dnsNames, v)
			} else if v, ok := strings.CutPrefix(name, "IP Address:"); ok {
				ips = append(ips, canonicalIP(v))
			}
		}
	}
	host = strings.TrimSuffix(host, ".")
	cns := subject["CN"]
	var reason string
	switch _, err := netip.ParseAddr(host); {
	case err == nil:
		if slices.Contains(ips, canonicalIP(host)) {
			return nil
		}
		reason = "IP: " + host + " is not in the cert's list: " + strings.Join(ips, ", ")
	case len(dnsNames) > 0:
		// The matching itself is x509lite's, the engine's own check.
		if x509lite.VerifyHostname(&x509lite.Certificate{DNSNames: dnsNames}, host) == nil {
			return nil
		}
		reason = "Host: " + host + ". is not in the cert's altnames: " + altNames
	case len(cns) > 1 || len(cns) == 1 && cns[0] != "":
		if x509lite.VerifyHostname(&x509lite.Certificate{Subject: commonNames(cns)}, host) == nil {
			return nil
		}
		reason = "Host: " + host + ". is not cert's CN: " + strings.Join(cns, ",")
	default:
		reason = "Cert does not contain a DNS name"
	}
	ae := &AltNameError{Reason: reason, Host: host, Cert: cert}
	return &Error{Code: CodeCertAltnameInvalid, Message: ae.Error(), Err: ae}
}

// oidCommonName is the CN attribute type.
var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// commonNames is a subject made of the CN values.
func commonNames(cns []string) x509lite.Name {
	var n x509lite.Name
	for _, cn := range cns {
		n.RDNs = append(n.RDNs, []x509lite.AttributeTypeAndValue{{Type: oidCommonName, Value: cn}})
	}
	return n
}

// splitAltNames cuts a subjectaltname string at its ", " separators; a
// value with separators or odd bytes is a JSON string there (see
// x509lite's SubjectAltNameString), read back as Node's
// splitEscapedAltNames does.
func splitAltNames(s string) []string {
	if !strings.Contains(s, `"`) {
		return strings.Split(s, ", ")
	}
	var out []string
	var cur strings.Builder
	for s != "" {
		sep, quote := strings.Index(s, ", "), strings.Index(s, `"`)
		switch {
		case quote >= 0 && (sep < 0 || quote < sep):
			cur.WriteString(s[:quote])
			dec := json.NewDecoder(strings.NewReader(s[quote:]))
			var v string
			if err := dec.Decode(&v); err != nil {
				// Node throws ERR_TLS_CERT_ALTNAME_FORMAT; we keep the
				// rest as it is, which matches nothing.
				cur.WriteString(s[quote:])
				s = ""
				continue
			}
			cur.WriteString(v)
			s = s[quote+int(dec.InputOffset()):]
		case sep >= 0:
			cur.WriteString(s[:sep])
			out = append(out, cur.String())
			cur.Reset()
			s = s[sep+2:]
		default:
			cur.WriteString(s)
			s = ""
		}
	}
	return append(out, cur.String())
}

// canonicalIP is an address in its standard form ("0:0:0:0:0:0:0:1" is
// "::1"); what does not parse stays as it is.
func canonicalIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}

// identityError is a ConnectOptions.CheckServerIdentity failure kept as
// the socket's verification error: the VerifyError gives
// AuthorizationError Node's code (the error's code, else its message),
// err is what the callback returned.
type identityError struct {
	*x509lite.VerifyError
	err error
}

func (e *identityError) Unwrap() []error { return []error{e.VerifyError, e.err} }

// checkIdentity runs a custom CheckServerIdentity after the handshake,
// where Node runs it: when the chain verified (the engine's own name
// check, which check replaces, does not count) and the session is new.
// Its error, or the chain's, becomes the socket's verification error; the
// result is the error that fails Connect when reject is set.
func (s *TLSSocket) checkIdentity(host string, check func(string, *PeerCertificate) error, reject bool) error {
	s.mu.Lock()
	st := *s.state
	s.mu.Unlock()
	var ve *x509lite.VerifyError
	if errors.As(st.VerifyError, &ve) && ve.Code == x509lite.CodeHostnameMismatch && len(st.VerifiedChain) > 0 {
		st.VerifyError = nil
	}
	var failed error // what Connect returns
	if st.VerifyError == nil && !st.Resumed {
		if err := check(host, s.PeerCertificate(true)); err != nil {
			code := err.Error()
			var ae *Error
			if errors.As(err, &ae) && ae.Code != "" {
				code = ae.Code
			} else if errors.As(err, &ve) {
				code = ve.Code
			}
			st.VerifyError = &identityError{&x509lite.VerifyError{Code: code, Reason: err.Error()}, err}
			failed = err
		}
	} else if errors.As(st.VerifyError, &ve) {
		failed = &Error{Code: nodeVerifyCode(ve.Code), Message: ve.Reason, Err: st.VerifyError}
	} else if st.VerifyError != nil {
		failed = st.VerifyError
	}
	s.mu.Lock()
	s.state = &st
	s.mu.Unlock()
	if !reject {
		return nil
	}
	return failed
}
