package handshake

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsengine/tlsengine/kex"
)

// MessageType is the HandshakeType of RFC 5246, Section 7.4.
type MessageType uint8

// Handshake message types.
const (
	TypeHelloRequest       MessageType = 0
	TypeClientHello        MessageType = 1
	TypeServerHello        MessageType = 2
	TypeNewSessionTicket   MessageType = 4
	TypeCertificate        MessageType = 11
	TypeServerKeyExchange  MessageType = 12
	TypeCertificateRequest MessageType = 13
	TypeServerHelloDone    MessageType = 14
	TypeCertificateVerify  MessageType = 15
	TypeClientKeyExchange  MessageType = 16
	TypeFinished           MessageType = 20
	TypeCertificateStatus  MessageType = 22
	TypeNextProtocol       MessageType = 67
)

var messageNames = map[MessageType]string{
	TypeHelloRequest: "HelloRequest", TypeClientHello: "ClientHello", TypeServerHello: "ServerHello",
	TypeNewSessionTicket: "NewSessionTicket", TypeCertificate: "Certificate",
	TypeServerKeyExchange: "ServerKeyExchange", TypeCertificateRequest: "CertificateRequest",
	TypeServerHelloDone: "ServerHelloDone", TypeCertificateVerify: "CertificateVerify",
	TypeClientKeyExchange: "ClientKeyExchange", TypeFinished: "Finished",
	TypeCertificateStatus: "CertificateStatus", TypeNextProtocol: "NextProtocol",
}

func (t MessageType) String() string {
	if s, ok := messageNames[t]; ok {
		return s
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

// Cipher-suite values that are signals rather than suites.
const (
	SCSVRenegotiation uint16 = 0x00ff // RFC 5746, Section 3.3
	SCSVFallback      uint16 = 0x5600 // RFC 7507
	// MaxMessageSize caps a handshake message body.
	MaxMessageSize = 65536
)

// ErrDecode is wrapped by every codec error.
var ErrDecode = errors.New("tls: decode error")

func malformed(msg, field string) error {
	return fmt.Errorf("%w: malformed %s: %s", ErrDecode, msg, field)
}

// Message is a handshake message. Marshal returns the whole message with
// its 4-byte header; Unmarshal takes the same, parses strictly and keeps a
// copy of the input in Raw.
type Message interface {
	Type() MessageType
	Marshal() ([]byte, error)
	Unmarshal(data []byte) error
}

// ParseMessage parses one whole handshake message into its type's struct.
// version selects version-dependent layouts (0 before it is known).
func ParseMessage(data []byte, version uint16) (Message, error) {
	if len(data) < 4 {
		return nil, malformed("handshake message", "header")
	}
	var m Message
	switch MessageType(data[0]) {
	case TypeHelloRequest:
		m = new(HelloRequest)
	case TypeClientHello:
		m = new(ClientHello)
	case TypeServerHello:
		m = new(ServerHello)
	case TypeNewSessionTicket:
		m = new(NewSessionTicket)
	case TypeCertificate:
		m = new(Certificate)
	case TypeServerKeyExchange:
		m = new(ServerKeyExchange)
	case TypeCertificateRequest:
		m = &CertificateRequest{HasSignatureSchemes: version >= 0x0303}
	case TypeServerHelloDone:
		m = new(ServerHelloDone)
	case TypeCertificateVerify:
		m = &CertificateVerify{HasSignatureScheme: version >= 0x0303}
	case TypeClientKeyExchange:
		m = new(ClientKeyExchange)
	case TypeFinished:
		m = new(Finished)
	case TypeCertificateStatus:
		m = new(CertificateStatus)
	case TypeNextProtocol:
		m = new(NextProtocol)
	default:
		return nil, fmt.Errorf("%w: unknown handshake message type %d", ErrDecode, data[0])
	}
	if err := m.Unmarshal(data); err != nil {
		return nil, err
	}
	return m, nil
}

// marshalMessage wraps a body built by f in the handshake header.
func marshalMessage(t MessageType, f func(b *cryptobyte.Builder)) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(uint8(t))
	b.AddUint24LengthPrefixed(f)
	return b.Bytes()
}

// messageBody checks the header of data and returns the body.
func messageBody(data []byte, t MessageType) (cryptobyte.String, error) {
	s := cryptobyte.String(data)
	var typ uint8
	var body cryptobyte.String
	if !s.ReadUint8(&typ) || !s.ReadUint24LengthPrefixed(&body) || !s.Empty() {
		return nil, malformed(t.String(), "length")
	}
	if MessageType(typ) != t {
		return nil, malformed(t.String(), "type")
	}
	if len(body) > MaxMessageSize {
		return nil, malformed(t.String(), "too long")
	}
	return body, nil
}

// HelloRequest asks the client to renegotiate (RFC 5246, Section 7.4.1.1).
type HelloRequest struct{ Raw []byte }

func (*HelloRequest) Type() MessageType { return TypeHelloRequest }
func (m *HelloRequest) Marshal() ([]byte, error) {
	return marshalMessage(TypeHelloRequest, func(*cryptobyte.Builder) {})
}
func (m *HelloRequest) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeHelloRequest)
	if err != nil {
		return err
	}
	if len(body) != 0 {
		return malformed("HelloRequest", "non-empty body")
	}
	m.Raw = data
	return nil
}

// ServerHelloDone ends the server's first flight (RFC 5246, Section 7.4.5).
type ServerHelloDone struct{ Raw []byte }

func (*ServerHelloDone) Type() MessageType { return TypeServerHelloDone }
func (m *ServerHelloDone) Marshal() ([]byte, error) {
	return marshalMessage(TypeServerHelloDone, func(*cryptobyte.Builder) {})
}
func (m *ServerHelloDone) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeServerHelloDone)
	if err != nil {
		return err
	}
	if len(body) != 0 {
		return malformed("ServerHelloDone", "non-empty body")
	}
	m.Raw = data
	return nil
}

// Certificate carries a chain, leaf first (RFC 5246, Section 7.4.2).
type Certificate struct {
	Raw          []byte
	Certificates [][]byte
}

func (*Certificate) Type() MessageType { return TypeCertificate }
func (m *Certificate) Marshal() ([]byte, error) {
	return marshalMessage(TypeCertificate, func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range m.Certificates {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
			}
		})
	})
}
func (m *Certificate) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificate)
	if err != nil {
		return err
	}
	var list cryptobyte.String
	if !body.ReadUint24LengthPrefixed(&list) || !body.Empty() {
		return malformed("Certificate", "certificate_list")
	}
	m.Certificates = nil
	for !list.Empty() {
		var c []byte
		// RFC 5246, Section 7.4.2: ASN.1Cert<1..2^24-1>.
		if !list.ReadUint24LengthPrefixed((*cryptobyte.String)(&c)) || len(c) == 0 {
			return malformed("Certificate", "certificate entry")
		}
		m.Certificates = append(m.Certificates, c)
	}
	m.Raw = data
	return nil
}

// ServerKeyExchange carries the server's key-exchange parameters; parse the
// body with ParseECDHEParams or ParseDHEParams.
type ServerKeyExchange struct {
	Raw  []byte
	Body []byte
}

func (*ServerKeyExchange) Type() MessageType { return TypeServerKeyExchange }
func (m *ServerKeyExchange) Marshal() ([]byte, error) {
	return marshalMessage(TypeServerKeyExchange, func(b *cryptobyte.Builder) { b.AddBytes(m.Body) })
}
func (m *ServerKeyExchange) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeServerKeyExchange)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return malformed("ServerKeyExchange", "empty body")
	}
	m.Body = []byte(body)
	m.Raw = data
	return nil
}

// ClientKeyExchange carries the client's key-exchange value; parse the body
// with ParseECDHEClientPublic or ParseRSAOrDHClientBody.
type ClientKeyExchange struct {
	Raw  []byte
	Body []byte
}

func (*ClientKeyExchange) Type() MessageType { return TypeClientKeyExchange }
func (m *ClientKeyExchange) Marshal() ([]byte, error) {
	return marshalMessage(TypeClientKeyExchange, func(b *cryptobyte.Builder) { b.AddBytes(m.Body) })
}
func (m *ClientKeyExchange) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeClientKeyExchange)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return malformed("ClientKeyExchange", "empty body")
	}
	m.Body = []byte(body)
	m.Raw = data
	return nil
}

// CertificateRequest asks for a client certificate (RFC 5246, Section
// 7.4.4). Set HasSignatureSchemes before Unmarshal: TLS 1.2 has the field.
type CertificateRequest struct {
	Raw                    []byte
	HasSignatureSchemes    bool
	CertificateTypes       []uint8
	SignatureSchemes       []kex.SignatureScheme
	CertificateAuthorities [][]byte
}

func (*CertificateRequest) Type() MessageType { return TypeCertificateRequest }
func (m *CertificateRequest) Marshal() ([]byte, error) {
	return marshalMessage(TypeCertificateRequest, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.CertificateTypes) })
		if m.HasSignatureSchemes {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, s := range m.SignatureSchemes {
					b.AddUint16(uint16(s))
				}
			})
		}
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, ca := range m.CertificateAuthorities {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ca) })
			}
		})
	})
}
func (m *CertificateRequest) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificateRequest)
	if err != nil {
		return err
	}
	var types []byte
	// RFC 5246, Section 7.4.4: ClientCertificateType certificate_types<1..2^8-1>.
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&types)) || len(types) == 0 {
		return malformed("CertificateRequest", "certificate_types")
	}
	m.CertificateTypes = types
	m.SignatureSchemes = nil
	if m.HasSignatureSchemes {
		schemes, err := readSchemes(&body)
		if err != nil {
			return malformed("CertificateRequest", "supported_signature_algorithms")
		}
		m.SignatureSchemes = schemes
	}
	var cas cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&cas) || !body.Empty() {
		return malformed("CertificateRequest", "certificate_authorities")
	}
	m.CertificateAuthorities = nil
	for !cas.Empty() {
		var dn []byte
		if !cas.ReadUint16LengthPrefixed((*cryptobyte.String)(&dn)) || len(dn) == 0 {
			return malformed("CertificateRequest", "distinguished name")
		}
		m.CertificateAuthorities = append(m.CertificateAuthorities, dn)
	}
	m.Raw = data
	return nil
}

// readSchemes reads supported_signature_algorithms<2..2^16-2>.
func readSchemes(s *cryptobyte.String) ([]kex.SignatureScheme, error) {
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || len(list) == 0 || len(list)%2 != 0 {
		return nil, ErrDecode
	}
	out := make([]kex.SignatureScheme, 0, len(list)/2)
	for !list.Empty() {
		var v uint16
		list.ReadUint16(&v)
		out = append(out, kex.SignatureScheme(v))
	}
	return out, nil
}

// CertificateVerify proves possession of the client key (RFC 5246,
// Section 7.4.8). Set HasSignatureScheme before Unmarshal for TLS 1.2.
type CertificateVerify struct {
	Raw                []byte
	HasSignatureScheme bool
	SignatureScheme    kex.SignatureScheme
	Signature          []byte
}

func (*CertificateVerify) Type() MessageType { return TypeCertificateVerify }
func (m *CertificateVerify) Marshal() ([]byte, error) {
	return marshalMessage(TypeCertificateVerify, func(b *cryptobyte.Builder) {
		if m.HasSignatureScheme {
			b.AddUint16(uint16(m.SignatureScheme))
		}
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Signature) })
	})
}
func (m *CertificateVerify) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificateVerify)
	if err != nil {
		return err
	}
	if m.HasSignatureScheme {
		var v uint16
		if !body.ReadUint16(&v) {
			return malformed("CertificateVerify", "algorithm")
		}
		m.SignatureScheme = kex.SignatureScheme(v)
	}
	var sig []byte
	if !body.ReadUint16LengthPrefixed((*cryptobyte.String)(&sig)) || len(sig) == 0 || !body.Empty() {
		return malformed("CertificateVerify", "signature")
	}
	m.Signature = sig
	m.Raw = data
	return nil
}

// Finished carries verify_data (RFC 5246, Section 7.4.9).
type Finished struct {
	Raw        []byte
	VerifyData []byte
}

func (*Finished) Type() MessageType { return TypeFinished }
func (m *Finished) Marshal() ([]byte, error) {
	return marshalMessage(TypeFinished, func(b *cryptobyte.Builder) { b.AddBytes(m.VerifyData) })
}
func (m *Finished) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeFinished)
	if err != nil {
		return err
	}
	// RFC 5246, Section 7.4.9: verify_data is 12 bytes for every suite we
	// implement; another length simply does not verify (decrypt_error).
	m.VerifyData = []byte(body)
	m.Raw = data
	return nil
}

// NewSessionTicket carries a ticket (RFC 5077, Section 3.3).
type NewSessionTicket struct {
	Raw          []byte
	LifetimeHint uint32
	Ticket       []byte
}

func (*NewSessionTicket) Type() MessageType { return TypeNewSessionTicket }
func (m *NewSessionTicket) Marshal() ([]byte, error) {
	return marshalMessage(TypeNewSessionTicket, func(b *cryptobyte.Builder) {
		b.AddUint32(m.LifetimeHint)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Ticket) })
	})
}
func (m *NewSessionTicket) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeNewSessionTicket)
	if err != nil {
		return err
	}
	var t []byte
	if !body.ReadUint32(&m.LifetimeHint) || !body.ReadUint16LengthPrefixed((*cryptobyte.String)(&t)) || !body.Empty() {
		return malformed("NewSessionTicket", "ticket")
	}
	m.Ticket = t
	m.Raw = data
	return nil
}

// CertificateStatus carries a stapled OCSP response (RFC 6066, Section 8).
type CertificateStatus struct {
	Raw      []byte
	Response []byte
}

func (*CertificateStatus) Type() MessageType { return TypeCertificateStatus }
func (m *CertificateStatus) Marshal() ([]byte, error) {
	return marshalMessage(TypeCertificateStatus, func(b *cryptobyte.Builder) {
		b.AddUint8(1) // ocsp
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Response) })
	})
}
func (m *CertificateStatus) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificateStatus)
	if err != nil {
		return err
	}
	var typ uint8
	var resp []byte
	if !body.ReadUint8(&typ) || typ != 1 {
		return malformed("CertificateStatus", "status_type")
	}
	if !body.ReadUint24LengthPrefixed((*cryptobyte.String)(&resp)) || len(resp) == 0 || !body.Empty() {
		return malformed("CertificateStatus", "response")
	}
	m.Response = resp
	m.Raw = data
	return nil
}

// NextProtocol is the client's NPN choice (draft-agl-tls-nextprotoneg-04).
type NextProtocol struct {
	Raw      []byte
	Protocol string
}

func (*NextProtocol) Type() MessageType { return TypeNextProtocol }
func (m *NextProtocol) Marshal() ([]byte, error) {
	// The padding makes the message length a multiple of 32.
	pad := 32 - (len(m.Protocol)+2)%32
	return marshalMessage(TypeNextProtocol, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.Protocol)) })
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, pad)) })
	})
}
func (m *NextProtocol) Unmarshal(data []byte) error {
	// Fields alias the copy kept in Raw, never the caller's buffer.
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeNextProtocol)
	if err != nil {
		return err
	}
	var proto, pad []byte
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&proto)) || !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&pad)) || !body.Empty() {
		return malformed("NextProtocol", "fields")
	}
	m.Protocol = string(proto)
	m.Raw = data
	return nil
}
