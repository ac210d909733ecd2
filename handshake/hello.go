package handshake

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsengine/tlsengine/internal/wire"
	"github.com/tlsengine/tlsengine/kex"
)

// ExtensionType is a TLS extension number.
type ExtensionType uint16

// Extensions we know.
const (
	ExtServerName           ExtensionType = 0
	ExtStatusRequest        ExtensionType = 5
	ExtSupportedGroups      ExtensionType = 10
	ExtECPointFormats       ExtensionType = 11
	ExtSignatureAlgorithms  ExtensionType = 13
	ExtALPN                 ExtensionType = 16
	ExtSCT                  ExtensionType = 18
	ExtPadding              ExtensionType = 21
	ExtEncryptThenMAC       ExtensionType = 22
	ExtExtendedMasterSecret ExtensionType = 23
	ExtSessionTicket        ExtensionType = 35
	ExtSupportedVersions    ExtensionType = 43
	ExtNextProtoNeg         ExtensionType = 13172
	ExtRenegotiationInfo    ExtensionType = 0xff01
)

var extNames = map[ExtensionType]string{
	ExtServerName: "server_name", ExtStatusRequest: "status_request", ExtSupportedGroups: "supported_groups",
	ExtECPointFormats: "ec_point_formats", ExtSignatureAlgorithms: "signature_algorithms",
	ExtALPN: "application_layer_protocol_negotiation", ExtSCT: "signed_certificate_timestamp",
	ExtPadding: "padding", ExtEncryptThenMAC: "encrypt_then_mac", ExtExtendedMasterSecret: "extended_master_secret",
	ExtSessionTicket: "session_ticket", ExtSupportedVersions: "supported_versions",
	ExtNextProtoNeg: "next_protocol_negotiation", ExtRenegotiationInfo: "renegotiation_info",
	ExtRecordSizeLimit: "record_size_limit", ExtPreSharedKey: "pre_shared_key", ExtEarlyData: "early_data",
	ExtCookie: "cookie", ExtPSKModes: "psk_key_exchange_modes", ExtCertificateAuthorities: "certificate_authorities",
	ExtPostHandshakeAuth: "post_handshake_auth", ExtSignatureAlgorithmsCert: "signature_algorithms_cert",
	ExtKeyShare: "key_share",
}

func (e ExtensionType) String() string {
	if s, ok := extNames[e]; ok {
		return s
	}
	return fmt.Sprintf("extension(%d)", uint16(e))
}

// ClientHello is the first message of a handshake (RFC 5246, Section
// 7.4.1.2) with the extensions we understand decoded.
type ClientHello struct {
	Raw                          []byte
	Version                      uint16
	Random                       []byte
	SessionID                    []byte
	CipherSuites                 []uint16
	CompressionMethods           []uint8
	HasExtensions                bool
	ServerName                   string
	SupportedGroups              []kex.Group
	SupportedPoints              []uint8
	SignatureSchemes             []kex.SignatureScheme
	ALPNProtocols                []string
	ExtendedMasterSecret         bool
	SecureRenegotiationSupported bool
	SecureRenegotiation          []byte
	OCSPStapling                 bool
	TicketSupported              bool
	SessionTicket                []byte
	NextProtoNeg                 bool
	EncryptThenMAC               bool
	SCT                          bool
	SupportedVersions            []uint16
	// PaddingLen, when positive, adds a padding extension (RFC 7685) of
	// that many zero bytes, last. It is written only: a parsed padding
	// extension is skipped like an unknown one.
	PaddingLen int
	// HasKeyShare writes key_share even when KeyShares is empty (a client
	// asking for a HelloRetryRequest, RFC 8446, Section 4.2.8); parsing
	// sets it when the extension is present.
	HasKeyShare bool
	// KeyShares is key_share's client_shares, at most one per group.
	KeyShares []KeyShareEntry
	// PSKModes is psk_key_exchange_modes (RFC 8446, Section 4.2.9).
	PSKModes []uint8
	// EarlyData is the early_data extension (RFC 8446, Section 4.2.10).
	EarlyData bool
	// Cookie echoes a HelloRetryRequest's cookie (RFC 8446, Section 4.2.2).
	Cookie []byte
	// SignatureSchemesCert is signature_algorithms_cert (RFC 8446,
	// Section 4.2.3).
	SignatureSchemesCert []kex.SignatureScheme
	// CertificateAuthorities are DER DistinguishedNames (RFC 8446,
	// Section 4.2.4).
	CertificateAuthorities [][]byte
	// PostHandshakeAuth is post_handshake_auth (RFC 8446, Section 4.2.6).
	PostHandshakeAuth bool
	// PSKIdentities and PSKBinders are pre_shared_key (RFC 8446, Section
	// 4.2.11), written last, after padding.
	PSKIdentities []PSKIdentity
	PSKBinders    [][]byte
	// Extensions lists every extension in wire order, unknown ones too.
	Extensions []ExtensionType
}

func (*ClientHello) Type() MessageType { return TypeClientHello }

// Marshal encodes the hello, writing the extensions the fields ask for in a
// fixed order, and records that order in Extensions. A field the parser
// would refuse (an empty cipher-suite list, an empty ALPN name, a server
// name that is not a HostName, ...) is an error rather than a bad hello.
func (m *ClientHello) Marshal() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	exts, err := m.marshalExtensions()
	if err != nil {
		return nil, fmt.Errorf("tls: cannot marshal ClientHello: %w", err)
	}
	raw, err := marshalMessage(TypeClientHello, func(b *wire.Builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random)
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.SessionID) })
		b.AddUint16LengthPrefixed(func(b *wire.Builder) {
			for _, s := range m.CipherSuites {
				b.AddUint16(s)
			}
		})
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.CompressionMethods) })
		if len(exts) > 0 || m.HasExtensions {
			b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(exts) })
		}
	})
	if err != nil {
		return nil, err
	}
	m.Extensions = extensionTypes(exts)
	return raw, nil
}

// check refuses what Unmarshal would refuse.
func (m *ClientHello) check() error {
	var why string
	switch {
	case len(m.Random) != 32:
		why = "random is not 32 bytes"
	case len(m.SessionID) > 32:
		why = "session id longer than 32 bytes"
	case len(m.CipherSuites) == 0:
		why = "no cipher suites"
	case len(m.CompressionMethods) == 0:
		why = "no compression methods"
	case slices.Contains(m.ALPNProtocols, ""):
		why = "empty ALPN protocol name"
	default:
		if why = m.check13(); why == "" {
			return nil
		}
	}
	return fmt.Errorf("tls: cannot marshal ClientHello: %s", why)
}

// extensionTypes lists the types in an extensions block we built.
func extensionTypes(block []byte) []ExtensionType {
	types, _ := readExtensions("", block, func(_ ExtensionType, body *cryptobyte.String) bool {
		return body.Skip(len(*body))
	})
	return types
}

// addExt appends one extension with its body.
func addExt(b *wire.Builder, t ExtensionType, f func(b *wire.Builder)) {
	b.AddUint16(uint16(t))
	b.AddUint16LengthPrefixed(f)
}

func (m *ClientHello) marshalExtensions() ([]byte, error) {
	var b wire.Builder
	if m.ServerName != "" {
		// RFC 6066, Section 3.
		addExt(&b, ExtServerName, func(b *wire.Builder) {
			b.AddUint16LengthPrefixed(func(b *wire.Builder) {
				b.AddUint8(0) // host_name
				b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes([]byte(m.ServerName)) })
			})
		})
	}
	if m.OCSPStapling {
		// RFC 6066, Section 8: ocsp, empty responder list and extensions.
		addExt(&b, ExtStatusRequest, func(b *wire.Builder) {
			b.AddUint8(1)
			b.AddUint16(0)
			b.AddUint16(0)
		})
	}
	if len(m.SupportedGroups) > 0 {
		addExt(&b, ExtSupportedGroups, func(b *wire.Builder) {
			b.AddUint16LengthPrefixed(func(b *wire.Builder) {
				for _, g := range m.SupportedGroups {
					b.AddUint16(uint16(g))
				}
			})
		})
	}
	if len(m.SupportedPoints) > 0 {
		addExt(&b, ExtECPointFormats, func(b *wire.Builder) {
			b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.SupportedPoints) })
		})
	}
	if len(m.SignatureSchemes) > 0 {
		addExt(&b, ExtSignatureAlgorithms, func(b *wire.Builder) {
			b.AddUint16LengthPrefixed(func(b *wire.Builder) {
				for _, s := range m.SignatureSchemes {
					b.AddUint16(uint16(s))
				}
			})
		})
	}
	if len(m.ALPNProtocols) > 0 {
		addExt(&b, ExtALPN, func(b *wire.Builder) { addProtocolList(b, m.ALPNProtocols) })
	}
	if m.SCT {
		addExt(&b, ExtSCT, func(*wire.Builder) {})
	}
	if m.EncryptThenMAC {
		addExt(&b, ExtEncryptThenMAC, func(*wire.Builder) {})
	}
	if m.ExtendedMasterSecret {
		addExt(&b, ExtExtendedMasterSecret, func(*wire.Builder) {})
	}
	if m.TicketSupported {
		addExt(&b, ExtSessionTicket, func(b *wire.Builder) { b.AddBytes(m.SessionTicket) })
	}
	if len(m.SupportedVersions) > 0 {
		addExt(&b, ExtSupportedVersions, func(b *wire.Builder) {
			b.AddUint8LengthPrefixed(func(b *wire.Builder) {
				for _, v := range m.SupportedVersions {
					b.AddUint16(v)
				}
			})
		})
	}
	if m.NextProtoNeg {
		addExt(&b, ExtNextProtoNeg, func(*wire.Builder) {})
	}
	if m.SecureRenegotiationSupported {
		// RFC 5746, Section 3.2.
		addExt(&b, ExtRenegotiationInfo, func(b *wire.Builder) {
			b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.SecureRenegotiation) })
		})
	}
	m.addExtensions13(&b)
	if m.PaddingLen > 0 {
		addExt(&b, ExtPadding, func(b *wire.Builder) { b.AddBytes(make([]byte, m.PaddingLen)) })
	}
	m.addPreSharedKey(&b)
	return b.Bytes()
}

func addProtocolList(b *wire.Builder, protos []string) {
	b.AddUint16LengthPrefixed(func(b *wire.Builder) {
		for _, p := range protos {
			b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes([]byte(p)) })
		}
	})
}

// readProtocolList reads ProtocolName protocol_name_list<2..2^16-1> with
// each ProtocolName<1..2^8-1> (RFC 7301, Section 3.1).
func readProtocolList(s *cryptobyte.String) ([]string, bool) {
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || list.Empty() {
		return nil, false
	}
	var out []string
	for !list.Empty() {
		var p []byte
		if !list.ReadUint8LengthPrefixed((*cryptobyte.String)(&p)) || len(p) == 0 {
			return nil, false
		}
		out = append(out, string(p))
	}
	return out, true
}

func (m *ClientHello) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeClientHello)
	if err != nil {
		return err
	}
	*m = ClientHello{}
	var random, sid []byte
	var suites cryptobyte.String
	if !body.ReadUint16(&m.Version) || !body.ReadBytes(&random, 32) {
		return malformed("ClientHello", "version or random")
	}
	// RFC 5246, Section 7.4.1.2: SessionID session_id<0..32>.
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&sid)) || len(sid) > 32 {
		return malformed("ClientHello", "session_id")
	}
	// CipherSuite cipher_suites<2..2^16-2>.
	if !body.ReadUint16LengthPrefixed(&suites) || len(suites) == 0 || len(suites)%2 != 0 {
		return malformed("ClientHello", "cipher_suites")
	}
	m.Random, m.SessionID = ownRandomAndID(random, sid)
	for !suites.Empty() {
		var s uint16
		suites.ReadUint16(&s)
		m.CipherSuites = append(m.CipherSuites, s)
	}
	// CompressionMethod compression_methods<1..2^8-1>.
	var comp []byte
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&comp)) || len(comp) == 0 {
		return malformed("ClientHello", "compression_methods")
	}
	m.CompressionMethods = comp
	if !body.Empty() {
		var exts cryptobyte.String
		if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
			return malformed("ClientHello", "extensions")
		}
		m.HasExtensions = true
		if err := m.unmarshalExtensions(exts); err != nil {
			return err
		}
	}
	m.Raw = data
	return nil
}

func (m *ClientHello) unmarshalExtensions(exts cryptobyte.String) error {
	types, err := readExtensions("ClientHello", exts, m.readExtension)
	m.Extensions = types
	if err != nil {
		return err
	}
	return m.checkExtensions13()
}

// readExtension decodes one extension's data into m; false means malformed.
func (m *ClientHello) readExtension(t ExtensionType, e *cryptobyte.String) bool {
	switch t {
	case ExtServerName:
		return m.readServerName(e)
	case ExtStatusRequest:
		// RFC 6066, Section 8: only the ocsp request has a defined layout;
		// a request of another type is skipped.
		var st uint8
		if !e.ReadUint8(&st) {
			return false
		}
		if st != statusTypeOCSP {
			return e.Skip(len(*e))
		}
		var ids, rexts cryptobyte.String
		m.OCSPStapling = e.ReadUint16LengthPrefixed(&ids) && e.ReadUint16LengthPrefixed(&rexts)
		return m.OCSPStapling
	case ExtSupportedGroups:
		// RFC 8422, Section 5.1.1: named_curve_list<2..2^16-1>.
		var list cryptobyte.String
		if !e.ReadUint16LengthPrefixed(&list) || len(list) == 0 || len(list)%2 != 0 {
			return false
		}
		m.SupportedGroups = make([]kex.Group, 0, len(list)/2)
		for !list.Empty() {
			var g uint16
			list.ReadUint16(&g)
			m.SupportedGroups = append(m.SupportedGroups, kex.Group(g))
		}
		return true
	case ExtECPointFormats:
		// RFC 8422, Section 5.1.2: ec_point_format_list<1..2^8-1>.
		var pf []byte
		if !e.ReadUint8LengthPrefixed((*cryptobyte.String)(&pf)) || len(pf) == 0 {
			return false
		}
		m.SupportedPoints = pf
		return true
	case ExtSignatureAlgorithms:
		s, err := readSchemes(e)
		m.SignatureSchemes = s
		return err == nil
	case ExtALPN:
		var ok bool
		m.ALPNProtocols, ok = readProtocolList(e)
		return ok
	case ExtSCT:
		// RFC 6962, Section 3.3.1: the client's extension_data is empty.
		m.SCT = true
	case ExtEncryptThenMAC:
		// RFC 7366, Section 2: the extension_data is empty.
		m.EncryptThenMAC = true
	case ExtExtendedMasterSecret:
		// RFC 7627, Section 5.1: the extension_data is empty.
		m.ExtendedMasterSecret = true
	case ExtSessionTicket:
		// RFC 5077, Section 3.2: the data is the ticket, possibly empty.
		m.TicketSupported = true
		m.SessionTicket = []byte(*e)
		return e.Skip(len(*e))
	case ExtSupportedVersions:
		// RFC 8446, Section 4.2.1: ProtocolVersion versions<2..254>.
		var list cryptobyte.String
		if !e.ReadUint8LengthPrefixed(&list) || len(list) == 0 || len(list)%2 != 0 {
			return false
		}
		for !list.Empty() {
			var v uint16
			list.ReadUint16(&v)
			m.SupportedVersions = append(m.SupportedVersions, v)
		}
		return true
	case ExtNextProtoNeg:
		// draft-agl-tls-nextprotoneg-04, Section 3: empty from the client.
		m.NextProtoNeg = true
	case ExtRenegotiationInfo:
		// RFC 5746, Section 3.2: opaque renegotiated_connection<0..255>.
		var rc []byte
		m.SecureRenegotiationSupported = true
		if !e.ReadUint8LengthPrefixed((*cryptobyte.String)(&rc)) {
			return false
		}
		m.SecureRenegotiation = rc
		return true
	default:
		// The TLS 1.3 extensions, or an unknown one, which RFC 5246,
		// Section 7.4.1.4 ignores.
		return m.readExtension13(t, e)
	}
	return true
}

// readServerName reads ServerNameList (RFC 6066, Section 3): at most one
// host_name, HostName<1..2^16-1>. Its bytes are judged later (checkHello):
// a well-formed list with a bad name is illegal_parameter, not
// decode_error.
func (m *ClientHello) readServerName(e *cryptobyte.String) bool {
	var list cryptobyte.String
	if !e.ReadUint16LengthPrefixed(&list) || list.Empty() {
		return false
	}
	for !list.Empty() {
		var nameType uint8
		var name []byte
		if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed((*cryptobyte.String)(&name)) {
			return false
		}
		if nameType != 0 {
			continue
		}
		// RFC 6066, Section 3: at most one name of each type.
		if m.ServerName != "" || len(name) == 0 {
			return false
		}
		m.ServerName = string(name)
	}
	return true
}

// validHostName reports whether name is a HostName as RFC 6066, Section 3
// defines it: a DNS host name in ASCII, "without a trailing dot", so
// labels of letters, digits and hyphens (RFC 1123, Section 2.1) joined by
// single dots. One deliberate allowance: '_', which RFC 1123 host names
// lack but real DNS names carry (service names, container hosts such as
// "my_app.internal"); OpenSSL, Go and Node pass such names to the
// application, and refusing them would break those deployments.
func validHostName(name string) bool {
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// ServerHello is the server's answer (RFC 5246, Section 7.4.1.3).
type ServerHello struct {
	Raw                          []byte
	Version                      uint16
	Random                       []byte
	SessionID                    []byte
	CipherSuite                  uint16
	CompressionMethod            uint8
	HasExtensions                bool
	SecureRenegotiationSupported bool
	SecureRenegotiation          []byte
	ExtendedMasterSecret         bool
	ALPNProtocol                 string
	OCSPStapling                 bool
	TicketSupported              bool
	SupportedPoints              []uint8
	NextProtoNeg                 bool
	NextProtos                   []string
	ServerNameAck                bool
	EncryptThenMAC               bool
	Extensions                   []ExtensionType
	// SupportedVersion is supported_versions' selected_version (RFC 8446,
	// Section 4.2.1), 0 when absent.
	SupportedVersion uint16
	// KeyShare is key_share's server_share (RFC 8446, Section 4.2.8);
	// Group 0 means absent.
	KeyShare KeyShareEntry
	// SelectedGroup is a HelloRetryRequest's key_share (RFC 8446, Section
	// 4.2.8), 0 when absent.
	SelectedGroup kex.Group
	// Cookie is a HelloRetryRequest's cookie (RFC 8446, Section 4.2.2).
	Cookie []byte
	// HasSelectedIdentity and SelectedIdentity are pre_shared_key (RFC
	// 8446, Section 4.2.11), where identity 0 is meaningful.
	HasSelectedIdentity bool
	SelectedIdentity    uint16
}

func (*ServerHello) Type() MessageType { return TypeServerHello }

// Marshal encodes the hello, writing the extensions the fields ask for in a
// fixed order, and records that order in Extensions.
func (m *ServerHello) Marshal() ([]byte, error) {
	if len(m.Random) != 32 || len(m.SessionID) > 32 {
		return nil, fmt.Errorf("tls: cannot marshal ServerHello: bad random or session id length")
	}
	if slices.Contains(m.NextProtos, "") {
		return nil, fmt.Errorf("tls: cannot marshal ServerHello: empty next protocol name")
	}
	if why := m.check13(); why != "" {
		return nil, fmt.Errorf("tls: cannot marshal ServerHello: %s", why)
	}
	var b wire.Builder
	if m.ServerNameAck {
		addExt(&b, ExtServerName, func(*wire.Builder) {})
	}
	if m.OCSPStapling {
		addExt(&b, ExtStatusRequest, func(*wire.Builder) {})
	}
	if len(m.SupportedPoints) > 0 {
		addExt(&b, ExtECPointFormats, func(b *wire.Builder) {
			b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.SupportedPoints) })
		})
	}
	if m.ALPNProtocol != "" {
		addExt(&b, ExtALPN, func(b *wire.Builder) { addProtocolList(b, []string{m.ALPNProtocol}) })
	}
	if m.EncryptThenMAC {
		addExt(&b, ExtEncryptThenMAC, func(*wire.Builder) {})
	}
	if m.ExtendedMasterSecret {
		addExt(&b, ExtExtendedMasterSecret, func(*wire.Builder) {})
	}
	if m.TicketSupported {
		addExt(&b, ExtSessionTicket, func(*wire.Builder) {})
	}
	if m.NextProtoNeg {
		addExt(&b, ExtNextProtoNeg, func(b *wire.Builder) {
			for _, p := range m.NextProtos {
				b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes([]byte(p)) })
			}
		})
	}
	if m.SecureRenegotiationSupported {
		addExt(&b, ExtRenegotiationInfo, func(b *wire.Builder) {
			b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.SecureRenegotiation) })
		})
	}
	m.addExtensions13(&b)
	exts, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("tls: cannot marshal ServerHello: %w", err)
	}
	raw, err := marshalMessage(TypeServerHello, func(b *wire.Builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random)
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.SessionID) })
		b.AddUint16(m.CipherSuite)
		b.AddUint8(m.CompressionMethod)
		if len(exts) > 0 || m.HasExtensions {
			b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(exts) })
		}
	})
	if err != nil {
		return nil, err
	}
	m.Extensions = extensionTypes(exts)
	return raw, nil
}

func (m *ServerHello) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeServerHello)
	if err != nil {
		return err
	}
	*m = ServerHello{}
	var random, sid []byte
	if !body.ReadUint16(&m.Version) || !body.ReadBytes(&random, 32) ||
		!body.ReadUint8LengthPrefixed((*cryptobyte.String)(&sid)) || len(sid) > 32 ||
		!body.ReadUint16(&m.CipherSuite) || !body.ReadUint8(&m.CompressionMethod) {
		return malformed("ServerHello", "fixed fields")
	}
	m.Random, m.SessionID = ownRandomAndID(random, sid)
	if !body.Empty() {
		var exts cryptobyte.String
		if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
			return malformed("ServerHello", "extensions")
		}
		m.HasExtensions = true
		if m.Extensions, err = readExtensions("ServerHello", exts, m.readExtension); err != nil {
			return err
		}
		if err := m.checkExtensions13(); err != nil {
			return err
		}
	}
	m.Raw = data
	return nil
}

// readExtension decodes one extension's data into m; false means malformed.
// Extensions whose ServerHello form is empty must be empty.
func (m *ServerHello) readExtension(t ExtensionType, e *cryptobyte.String) bool {
	switch t {
	case ExtServerName:
		// RFC 6066, Section 3: the server's extension_data is empty.
		m.ServerNameAck = true
	case ExtStatusRequest:
		// RFC 6066, Section 8: empty.
		m.OCSPStapling = true
	case ExtECPointFormats:
		var pf []byte
		if !e.ReadUint8LengthPrefixed((*cryptobyte.String)(&pf)) || len(pf) == 0 {
			return false
		}
		m.SupportedPoints = pf
		return true
	case ExtALPN:
		var ok bool
		m.ALPNProtocol, ok = readSelectedProtocol(e)
		return ok
	case ExtEncryptThenMAC:
		m.EncryptThenMAC = true
	case ExtExtendedMasterSecret:
		m.ExtendedMasterSecret = true
	case ExtSessionTicket:
		// RFC 5077, Section 3.2: empty.
		m.TicketSupported = true
	case ExtNextProtoNeg:
		// draft-agl-tls-nextprotoneg-04, Section 3: a list of non-empty
		// 8-bit-length-prefixed names, not itself length-prefixed.
		m.NextProtoNeg = true
		for !e.Empty() {
			var p []byte
			if !e.ReadUint8LengthPrefixed((*cryptobyte.String)(&p)) || len(p) == 0 {
				return false
			}
			m.NextProtos = append(m.NextProtos, string(p))
		}
		return true
	case ExtRenegotiationInfo:
		var rc []byte
		m.SecureRenegotiationSupported = true
		if !e.ReadUint8LengthPrefixed((*cryptobyte.String)(&rc)) {
			return false
		}
		m.SecureRenegotiation = rc
		return true
	default:
		// The TLS 1.3 extensions; any other is recorded in Extensions
		// and left to the caller, which refuses what it did not offer
		// (RFC 5246, Section 7.4.1.4).
		return m.readExtension13(t, e)
	}
	return true
}

// ownRandomAndID copies a hello's random and session id out of its
// message, in one allocation: they outlive the handshake (the connection
// state, key log lines and sessions keep them), and as slices of the
// message they would keep all of it alive, a TLS 1.3 ClientHello with an
// X25519MLKEM768 share being 1.5 KB per idle connection (issue 16).
func ownRandomAndID(random, sid []byte) (ownRandom, ownID []byte) {
	own := append(append(make([]byte, 0, len(random)+len(sid)), random...), sid...)
	return own[:len(random):len(random)], own[len(random):]
}
