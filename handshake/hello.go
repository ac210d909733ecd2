package handshake

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"

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
	// Extensions lists every extension in wire order, unknown ones too.
	Extensions []ExtensionType
}

func (*ClientHello) Type() MessageType { return TypeClientHello }

func (m *ClientHello) Marshal() ([]byte, error) {
	if len(m.Random) != 32 || len(m.SessionID) > 32 {
		return nil, fmt.Errorf("tls: invalid ClientHello random or session id")
	}
	return marshalMessage(TypeClientHello, func(b *cryptobyte.Builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.SessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, s := range m.CipherSuites {
				b.AddUint16(s)
			}
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.CompressionMethods) })
		exts := m.marshalExtensions()
		if len(exts) > 0 || m.HasExtensions {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(exts) })
		}
	})
}

// addExt appends one extension with its body.
func addExt(b *cryptobyte.Builder, t ExtensionType, f func(b *cryptobyte.Builder)) {
	b.AddUint16(uint16(t))
	b.AddUint16LengthPrefixed(f)
}

func (m *ClientHello) marshalExtensions() []byte {
	var b cryptobyte.Builder
	if m.ServerName != "" {
		// RFC 6066, Section 3.
		addExt(&b, ExtServerName, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0) // host_name
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.ServerName)) })
			})
		})
	}
	if m.OCSPStapling {
		// RFC 6066, Section 8: ocsp, empty responder list and extensions.
		addExt(&b, ExtStatusRequest, func(b *cryptobyte.Builder) {
			b.AddUint8(1)
			b.AddUint16(0)
			b.AddUint16(0)
		})
	}
	if len(m.SupportedGroups) > 0 {
		addExt(&b, ExtSupportedGroups, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, g := range m.SupportedGroups {
					b.AddUint16(uint16(g))
				}
			})
		})
	}
	if len(m.SupportedPoints) > 0 {
		addExt(&b, ExtECPointFormats, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.SupportedPoints) })
		})
	}
	if len(m.SignatureSchemes) > 0 {
		addExt(&b, ExtSignatureAlgorithms, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, s := range m.SignatureSchemes {
					b.AddUint16(uint16(s))
				}
			})
		})
	}
	if len(m.ALPNProtocols) > 0 {
		addExt(&b, ExtALPN, func(b *cryptobyte.Builder) { addProtocolList(b, m.ALPNProtocols) })
	}
	if m.SCT {
		addExt(&b, ExtSCT, func(*cryptobyte.Builder) {})
	}
	if m.EncryptThenMAC {
		addExt(&b, ExtEncryptThenMAC, func(*cryptobyte.Builder) {})
	}
	if m.ExtendedMasterSecret {
		addExt(&b, ExtExtendedMasterSecret, func(*cryptobyte.Builder) {})
	}
	if m.TicketSupported {
		addExt(&b, ExtSessionTicket, func(b *cryptobyte.Builder) { b.AddBytes(m.SessionTicket) })
	}
	if len(m.SupportedVersions) > 0 {
		addExt(&b, ExtSupportedVersions, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, v := range m.SupportedVersions {
					b.AddUint16(v)
				}
			})
		})
	}
	if m.NextProtoNeg {
		addExt(&b, ExtNextProtoNeg, func(*cryptobyte.Builder) {})
	}
	if m.SecureRenegotiationSupported {
		// RFC 5746, Section 3.2.
		addExt(&b, ExtRenegotiationInfo, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.SecureRenegotiation) })
		})
	}
	out, _ := b.Bytes()
	return out
}

func addProtocolList(b *cryptobyte.Builder, protos []string) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, p := range protos {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
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
	m.Random, m.SessionID = random, sid
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
	types, err := readExtensions("ClientHello", exts, func(t ExtensionType, e *cryptobyte.String) bool {
		ok := true
		switch t {
		case ExtServerName:
			ok = m.readServerName(e)
		case ExtStatusRequest:
			var st uint8
			var ids, rexts cryptobyte.String
			ok = e.ReadUint8(&st) && e.ReadUint16LengthPrefixed(&ids) && e.ReadUint16LengthPrefixed(&rexts)
			m.OCSPStapling = ok && st == 1
		case ExtSupportedGroups:
			var list cryptobyte.String
			// RFC 8422, Section 5.1.1: named_curve_list<2..2^16-1>.
			ok = e.ReadUint16LengthPrefixed(&list) && len(list) > 0 && len(list)%2 == 0
			for ok && !list.Empty() {
				var g uint16
				list.ReadUint16(&g)
				m.SupportedGroups = append(m.SupportedGroups, kex.Group(g))
			}
		case ExtECPointFormats:
			var pf []byte
			ok = e.ReadUint8LengthPrefixed((*cryptobyte.String)(&pf)) && len(pf) > 0
			m.SupportedPoints = pf
		case ExtSignatureAlgorithms:
			s, err := readSchemes(e)
			ok = err == nil
			m.SignatureSchemes = s
		case ExtALPN:
			m.ALPNProtocols, ok = readProtocolList(e)
		case ExtSCT:
			m.SCT = true
		case ExtEncryptThenMAC:
			m.EncryptThenMAC = true
		case ExtExtendedMasterSecret:
			// RFC 7627, Section 5.1: the extension_data is empty.
			m.ExtendedMasterSecret = true
		case ExtSessionTicket:
			m.TicketSupported = true
			m.SessionTicket = append([]byte{}, *e...)
			*e = nil
		case ExtSupportedVersions:
			var list cryptobyte.String
			ok = e.ReadUint8LengthPrefixed(&list) && len(list) > 0 && len(list)%2 == 0
			for ok && !list.Empty() {
				var v uint16
				list.ReadUint16(&v)
				m.SupportedVersions = append(m.SupportedVersions, v)
			}
		case ExtNextProtoNeg:
			m.NextProtoNeg = true
		case ExtRenegotiationInfo:
			var rc []byte
			ok = e.ReadUint8LengthPrefixed((*cryptobyte.String)(&rc))
			m.SecureRenegotiationSupported = true
			m.SecureRenegotiation = rc
		default:
			// Unknown extensions are ignored (RFC 5246, Section 7.4.1.4).
			*e = nil
		}
		return ok
	})
	m.Extensions = types
	return err
}

// readServerName reads ServerNameList (RFC 6066, Section 3): one host_name.
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
		// RFC 6066, Section 3: at most one name of each type; the
		// HostName is non-empty ASCII without NUL.
		if m.ServerName != "" || len(name) == 0 {
			return false
		}
		for _, c := range name {
			if c == 0 || c >= 0x80 {
				return false
			}
		}
		m.ServerName = string(name)
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
}

func (*ServerHello) Type() MessageType { return TypeServerHello }

func (m *ServerHello) Marshal() ([]byte, error) {
	if len(m.Random) != 32 || len(m.SessionID) > 32 {
		return nil, fmt.Errorf("tls: invalid ServerHello random or session id")
	}
	var b cryptobyte.Builder
	if m.ServerNameAck {
		addExt(&b, ExtServerName, func(*cryptobyte.Builder) {})
	}
	if m.OCSPStapling {
		addExt(&b, ExtStatusRequest, func(*cryptobyte.Builder) {})
	}
	if len(m.SupportedPoints) > 0 {
		addExt(&b, ExtECPointFormats, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.SupportedPoints) })
		})
	}
	if m.ALPNProtocol != "" {
		addExt(&b, ExtALPN, func(b *cryptobyte.Builder) { addProtocolList(b, []string{m.ALPNProtocol}) })
	}
	if m.EncryptThenMAC {
		addExt(&b, ExtEncryptThenMAC, func(*cryptobyte.Builder) {})
	}
	if m.ExtendedMasterSecret {
		addExt(&b, ExtExtendedMasterSecret, func(*cryptobyte.Builder) {})
	}
	if m.TicketSupported {
		addExt(&b, ExtSessionTicket, func(*cryptobyte.Builder) {})
	}
	if m.NextProtoNeg {
		addExt(&b, ExtNextProtoNeg, func(b *cryptobyte.Builder) {
			for _, p := range m.NextProtos {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
			}
		})
	}
	if m.SecureRenegotiationSupported {
		addExt(&b, ExtRenegotiationInfo, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.SecureRenegotiation) })
		})
	}
	exts, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return marshalMessage(TypeServerHello, func(b *cryptobyte.Builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.SessionID) })
		b.AddUint16(m.CipherSuite)
		b.AddUint8(m.CompressionMethod)
		if len(exts) > 0 || m.HasExtensions {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(exts) })
		}
	})
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
	m.Random, m.SessionID = random, sid
	if !body.Empty() {
		var exts cryptobyte.String
		if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
			return malformed("ServerHello", "extensions")
		}
		m.HasExtensions = true
		types, err := readExtensions("ServerHello", exts, func(t ExtensionType, e *cryptobyte.String) bool {
			ok := true
			switch t {
			case ExtServerName:
				m.ServerNameAck = true
			case ExtStatusRequest:
				m.OCSPStapling = true
			case ExtECPointFormats:
				var pf []byte
				ok = e.ReadUint8LengthPrefixed((*cryptobyte.String)(&pf)) && len(pf) > 0
				m.SupportedPoints = pf
			case ExtALPN:
				// RFC 7301, Section 3.1: the list holds exactly one name.
				var protos []string
				protos, ok = readProtocolList(e)
				ok = ok && len(protos) == 1
				if ok {
					m.ALPNProtocol = protos[0]
				}
			case ExtEncryptThenMAC:
				m.EncryptThenMAC = true
			case ExtExtendedMasterSecret:
				m.ExtendedMasterSecret = true
			case ExtSessionTicket:
				m.TicketSupported = true
			case ExtNextProtoNeg:
				m.NextProtoNeg = true
				for ok && !e.Empty() {
					var p []byte
					ok = e.ReadUint8LengthPrefixed((*cryptobyte.String)(&p)) && len(p) > 0
					m.NextProtos = append(m.NextProtos, string(p))
				}
			case ExtRenegotiationInfo:
				var rc []byte
				ok = e.ReadUint8LengthPrefixed((*cryptobyte.String)(&rc))
				m.SecureRenegotiationSupported = true
				m.SecureRenegotiation = rc
			default:
				*e = nil
			}
			return ok
		})
		if err != nil {
			return err
		}
		m.Extensions = types
	}
	m.Raw = data
	return nil
}
