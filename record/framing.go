package record

import (
	"encoding/binary"
	"strings"

	"github.com/tlsengine/tlsengine/cipher"
)

// Size limits of RFC 5246, Section 6.2.
const (
	// HeaderLen is the size of a record header: type, version, length.
	HeaderLen = cipher.HeaderLen
	// MaxPlaintext is the largest TLSPlaintext.fragment (2^14).
	MaxPlaintext = 1 << 14
	// MaxCiphertext is the largest TLSCiphertext.fragment (2^14 + 2048).
	MaxCiphertext = MaxPlaintext + 2048
	// MaxRecord is the largest record a peer may send, header included.
	MaxRecord = HeaderLen + MaxCiphertext
)

// Header is a parsed record header.
type Header struct {
	Type    ContentType
	Version Version
	Length  int
	// Raw is the header as received (aliasing the input), which record
	// protection authenticates.
	Raw []byte
}

// Parse looks for one complete record at the front of buf. It returns the
// header, the fragment (aliasing buf) and the number of bytes consumed; n is
// 0 when buf does not yet hold a whole record. A header that can never become
// a valid record is an error at once, so a peer cannot make us buffer garbage.
func Parse(buf []byte) (h Header, fragment []byte, n int, err error) {
	if len(buf) < HeaderLen {
		// Reject garbage early, before the header is complete, with the
		// same checks in the same order as below. (An upper-case letter
		// may start an HTTP request or response, and '<' an HTML page:
		// wait for the header to name it.)
		if len(buf) >= 2 && (buf[0] < 'A' || buf[0] > 'Z') && buf[0] != '<' {
			if buf[1] != 3 {
				return h, nil, 0, Errorf(ErrDecode, AlertProtocolVersion, "tls: record with version 0x%02x.. is not TLS", buf[1])
			}
			if !knownType(ContentType(buf[0])) {
				return h, nil, 0, Errorf(ErrDecode, AlertUnexpectedMessage, "tls: unknown record type %d", buf[0])
			}
		}
		return h, nil, 0, nil
	}
	h.Raw = buf[:HeaderLen:HeaderLen]
	h.Type = ContentType(buf[0])
	h.Version = Version(binary.BigEndian.Uint16(buf[1:3]))
	h.Length = int(binary.BigEndian.Uint16(buf[3:5]))
	if !knownType(h.Type) && looksLikeHTTP(buf) {
		// A common mistake (http:// to a TLS port, a TLS client sent to
		// a plain HTTP server) worth naming rather than reporting the
		// "version" its letters make.
		cause := ErrPlainHTTP
		switch string(buf[:4]) {
		case "GET ", "POST", "HEAD", "PUT ":
			cause = ErrHTTPRequest
		case "CONN":
			cause = ErrHTTPSProxyRequest
		}
		return h, nil, 0, Wrap(ErrDecode, AlertUnexpectedMessage, cause, "%s", cause.Error())
	}
	// Every TLS version has major version 3 (RFC 5246, Appendix E); a
	// wrong version says more about garbage than its type byte does.
	if h.Version>>8 != 3 {
		return h, nil, 0, Errorf(ErrDecode, AlertProtocolVersion, "tls: record with version 0x%04x is not TLS", uint16(h.Version))
	}
	// RFC 5246, Section 6: a record of an unknown type is answered with
	// unexpected_message.
	if !knownType(h.Type) {
		return h, nil, 0, Errorf(ErrDecode, AlertUnexpectedMessage, "tls: unknown record type %d", buf[0])
	}
	// RFC 5246, Section 6.2.3: the ciphertext length MUST NOT exceed
	// 2^14 + 2048; a receiver that gets more sends record_overflow.
	if h.Length > MaxCiphertext {
		return h, nil, 0, Errorf(ErrDecode, AlertRecordOverflow, "tls: oversized record of %d bytes", h.Length)
	}
	if len(buf) < HeaderLen+h.Length {
		return h, nil, 0, nil
	}
	return h, buf[HeaderLen : HeaderLen+h.Length], HeaderLen + h.Length, nil
}

// looksLikeHTTP recognizes the start of a plaintext HTTP/1.x request (by
// the first four letters of its method), of a response, or of the bare
// HTML page some plain servers answer garbage with ("<!DOCTYPE", whose
// "!D" would otherwise be reported as version 0x2144).
func looksLikeHTTP(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	switch string(b[:4]) {
	case "GET ", "POST", "HEAD", "PUT ", "OPTI", "CONN", "DELE", "PATC", "TRAC", "HTTP":
		return true
	}
	switch strings.ToLower(string(b[:4])) {
	case "<!do", "<htm":
		return true
	}
	return false
}

func knownType(t ContentType) bool {
	return t >= TypeChangeCipherSpec && t <= TypeHeartbeat
}

// AppendHeader appends a record header to dst.
func AppendHeader(dst []byte, t ContentType, v Version, length int) []byte {
	return append(dst, byte(t), byte(v>>8), byte(v), byte(length>>8), byte(length))
}

// CheckVersion applies the negotiated version's rule to the version of a
// received record header, before the record is decrypted. negotiated is 0
// until the ServerHello: then any TLS version goes (Parse checked the
// major version). TLS 1.0 to 1.2 (RFC 5246, Appendix E.1): once agreed,
// every record carries the negotiated version. TLS 1.3 (RFC 8446, Section
// 5.1): legacy_record_version MUST be ignored.
func CheckVersion(negotiated, got Version) error {
	if negotiated == 0 || negotiated == cipher.VersionTLS13 || got == negotiated {
		return nil
	}
	return Errorf(ErrPeerMisbehaved, AlertProtocolVersion,
		"tls: record version 0x%04x differs from the negotiated 0x%04x", uint16(got), uint16(negotiated))
}
