package handshake

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/internal/wire"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// MessageType is the HandshakeType of RFC 5246, Section 7.4. Values this
// package does not know survive and print as MessageType(n).
type MessageType uint8

// Handshake message types (RFC 5246, Section 7.4; RFC 5077 for
// NewSessionTicket; RFC 6066 for CertificateStatus; the NPN draft for
// NextProtocol).
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

	// TLS 1.3 (RFC 8446, Section 4). message_hash is never sent: it
	// stands in the transcript for a ClientHello answered by a
	// HelloRetryRequest (Section 4.4.1).
	TypeEncryptedExtensions MessageType = 8
	TypeKeyUpdate           MessageType = 24
	TypeMessageHash         MessageType = 254
)

// String returns the message name of RFC 5246 (ClientHello, ...).
func (t MessageType) String() string {
	if s, ok := messageNames[t]; ok {
		return s
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

// Cipher-suite values that are signals rather than suites.
const (
	// SCSVRenegotiation is TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746,
	// Section 3.3): an empty renegotiation_info in the cipher-suite list.
	SCSVRenegotiation uint16 = 0x00ff
	// SCSVFallback is TLS_FALLBACK_SCSV (RFC 7507, Section 2).
	SCSVFallback uint16 = 0x5600
)

// Message is a handshake message. Marshal returns the whole message with
// its 4-byte header (type, uint24 length); Unmarshal takes the same, checks
// the type and length, parses strictly (no trailing bytes at any level) and
// keeps a copy of the input in Raw, which the other fields alias.
type Message interface {
	Type() MessageType
	Marshal() ([]byte, error)
	Unmarshal(data []byte) error
}

// ParseMessage parses one whole handshake message (header included) into
// its type's struct. version is the negotiated version, 0 while it is not
// known; it selects the layouts that changed in TLS 1.2 (CertificateRequest
// and CertificateVerify carry signature algorithms from 0x0303 on) and in
// TLS 1.3 (Certificate, CertificateRequest and NewSessionTicket parse into
// Certificate13, CertificateRequest13 and NewSessionTicket13). An
// unknown type is an error; which alert that deserves is the caller's call.
func ParseMessage(data []byte, version uint16) (Message, error) {
	if len(data) < 4 {
		return nil, malformed("handshake message", "header")
	}
	var m Message
	tls13 := version == cipher.VersionTLS13
	switch MessageType(data[0]) {
	case TypeHelloRequest:
		m = new(HelloRequest)
	case TypeClientHello:
		m = new(ClientHello)
	case TypeServerHello:
		m = new(ServerHello)
	case TypeNewSessionTicket:
		m = new(NewSessionTicket)
		if tls13 {
			m = new(NewSessionTicket13)
		}
	case TypeEncryptedExtensions:
		m = new(EncryptedExtensions)
	case TypeCertificate:
		m = new(Certificate)
		if tls13 {
			m = new(Certificate13)
		}
	case TypeServerKeyExchange:
		m = new(ServerKeyExchange)
	case TypeCertificateRequest:
		m = &CertificateRequest{HasSignatureSchemes: version >= cipher.VersionTLS12}
		if tls13 {
			m = new(CertificateRequest13)
		}
	case TypeServerHelloDone:
		m = new(ServerHelloDone)
	case TypeCertificateVerify:
		m = &CertificateVerify{HasSignatureScheme: version >= cipher.VersionTLS12}
	case TypeClientKeyExchange:
		m = new(ClientKeyExchange)
	case TypeFinished:
		m = new(Finished)
	case TypeCertificateStatus:
		m = new(CertificateStatus)
	case TypeKeyUpdate:
		m = new(KeyUpdate)
	case TypeNextProtocol:
		m = new(NextProtocol)
	default:
		return nil, fmt.Errorf("%w: unknown handshake message type %d", record.ErrDecode, data[0])
	}
	if err := m.Unmarshal(data); err != nil {
		return nil, err
	}
	return m, nil
}

// HelloRequest asks the client to start a new handshake (RFC 5246, Section
// 7.4.1.1). Its body is empty.
type HelloRequest struct{ Raw []byte }

// Type returns TypeHelloRequest.
func (*HelloRequest) Type() MessageType { return TypeHelloRequest }

// Marshal encodes the message.
func (m *HelloRequest) Marshal() ([]byte, error) {
	return marshalMessage(TypeHelloRequest, func(*wire.Builder) {})
}

// Unmarshal decodes the message; the body must be empty.
func (m *HelloRequest) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeHelloRequest)
	if err != nil {
		return err
	}
	// RFC 5246, Section 7.4.1.1: struct { } HelloRequest.
	if len(body) != 0 {
		return malformed("HelloRequest", "non-empty body")
	}
	m.Raw = data
	return nil
}

// ServerHelloDone ends the server's first flight (RFC 5246, Section
// 7.4.5). Its body is empty.
type ServerHelloDone struct{ Raw []byte }

// Type returns TypeServerHelloDone.
func (*ServerHelloDone) Type() MessageType { return TypeServerHelloDone }

// Marshal encodes the message.
func (m *ServerHelloDone) Marshal() ([]byte, error) {
	return marshalMessage(TypeServerHelloDone, func(*wire.Builder) {})
}

// Unmarshal decodes the message; the body must be empty.
func (m *ServerHelloDone) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeServerHelloDone)
	if err != nil {
		return err
	}
	// RFC 5246, Section 7.4.5: struct { } ServerHelloDone.
	if len(body) != 0 {
		return malformed("ServerHelloDone", "non-empty body")
	}
	m.Raw = data
	return nil
}

// Certificate carries a certificate chain, leaf first (RFC 5246, Section
// 7.4.2). An empty list is legal: a client without a suitable certificate
// sends one.
type Certificate struct {
	Raw []byte
	// Certificates holds each DER certificate as sent.
	Certificates [][]byte
}

// Type returns TypeCertificate.
func (*Certificate) Type() MessageType { return TypeCertificate }

// Marshal encodes the message; an empty certificate entry is refused.
func (m *Certificate) Marshal() ([]byte, error) {
	for _, c := range m.Certificates {
		if len(c) == 0 {
			return nil, invalid("Certificate", "empty certificate entry")
		}
	}
	return marshalMessage(TypeCertificate, func(b *wire.Builder) {
		b.AddUint24LengthPrefixed(func(b *wire.Builder) {
			for _, c := range m.Certificates {
				b.AddUint24LengthPrefixed(func(b *wire.Builder) { b.AddBytes(c) })
			}
		})
	})
}

// Unmarshal decodes the message.
func (m *Certificate) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificate)
	if err != nil {
		return err
	}
	// RFC 5246, Section 7.4.2: ASN.1Cert certificate_list<0..2^24-1>; the
	// message cap bounds it far below that.
	var list cryptobyte.String
	if !body.ReadUint24LengthPrefixed(&list) || !body.Empty() {
		return malformed("Certificate", "certificate_list")
	}
	var certs [][]byte
	for !list.Empty() {
		var c []byte
		// RFC 5246, Section 7.4.2: opaque ASN.1Cert<1..2^24-1>.
		if !list.ReadUint24LengthPrefixed((*cryptobyte.String)(&c)) || len(c) == 0 {
			return malformed("Certificate", "certificate entry")
		}
		certs = append(certs, c)
	}
	m.Certificates = certs
	m.Raw = data
	return nil
}

// ServerKeyExchange carries the server's key-exchange parameters (RFC 5246,
// Section 7.4.3). Their layout depends on the suite, so the body stays
// opaque here: parse it with ParseECDHEParams or ParseDHEParams.
type ServerKeyExchange struct {
	Raw  []byte
	Body []byte
}

// Type returns TypeServerKeyExchange.
func (*ServerKeyExchange) Type() MessageType { return TypeServerKeyExchange }

// Marshal encodes the message; the body must not be empty.
func (m *ServerKeyExchange) Marshal() ([]byte, error) {
	if len(m.Body) == 0 {
		return nil, invalid("ServerKeyExchange", "empty body")
	}
	return marshalMessage(TypeServerKeyExchange, func(b *wire.Builder) { b.AddBytes(m.Body) })
}

// Unmarshal decodes the message; the body must not be empty (every key
// exchange that sends this message has parameters).
func (m *ServerKeyExchange) Unmarshal(data []byte) error {
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

// ClientKeyExchange carries the client's key-exchange value (RFC 5246,
// Section 7.4.7). The body stays opaque: parse it with
// ParseECDHEClientPublic or ParseRSAOrDHClientBody.
type ClientKeyExchange struct {
	Raw  []byte
	Body []byte
}

// Type returns TypeClientKeyExchange.
func (*ClientKeyExchange) Type() MessageType { return TypeClientKeyExchange }

// Marshal encodes the message; the body must not be empty.
func (m *ClientKeyExchange) Marshal() ([]byte, error) {
	if len(m.Body) == 0 {
		return nil, invalid("ClientKeyExchange", "empty body")
	}
	return marshalMessage(TypeClientKeyExchange, func(b *wire.Builder) { b.AddBytes(m.Body) })
}

// Unmarshal decodes the message; the body must not be empty (the only
// empty form, implicit DH public values, is never negotiated here).
func (m *ClientKeyExchange) Unmarshal(data []byte) error {
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
// 7.4.4; RFC 4346, Section 7.4.4 for TLS 1.0/1.1, which lacks the signature
// algorithms).
type CertificateRequest struct {
	Raw []byte
	// HasSignatureSchemes selects the layout and must be set before
	// Unmarshal: true for TLS 1.2, false for TLS 1.0 and 1.1.
	HasSignatureSchemes bool
	// CertificateTypes are ClientCertificateType values (1 rsa_sign,
	// 64 ecdsa_sign).
	CertificateTypes []uint8
	// SignatureSchemes is supported_signature_algorithms (TLS 1.2 only).
	SignatureSchemes []kex.SignatureScheme
	// CertificateAuthorities are DER DistinguishedNames, possibly none.
	CertificateAuthorities [][]byte
}

// Type returns TypeCertificateRequest.
func (*CertificateRequest) Type() MessageType { return TypeCertificateRequest }

// Marshal encodes the message; lists the RFC declares non-empty must be.
func (m *CertificateRequest) Marshal() ([]byte, error) {
	if len(m.CertificateTypes) == 0 {
		return nil, invalid("CertificateRequest", "no certificate_types")
	}
	if m.HasSignatureSchemes && len(m.SignatureSchemes) == 0 {
		return nil, invalid("CertificateRequest", "no supported_signature_algorithms")
	}
	for _, dn := range m.CertificateAuthorities {
		if len(dn) == 0 {
			return nil, invalid("CertificateRequest", "empty distinguished name")
		}
	}
	return marshalMessage(TypeCertificateRequest, func(b *wire.Builder) {
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.CertificateTypes) })
		if m.HasSignatureSchemes {
			addSchemes(b, m.SignatureSchemes)
		}
		b.AddUint16LengthPrefixed(func(b *wire.Builder) {
			for _, ca := range m.CertificateAuthorities {
				b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(ca) })
			}
		})
	})
}

// Unmarshal decodes the message in the layout HasSignatureSchemes selects.
func (m *CertificateRequest) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificateRequest)
	if err != nil {
		return err
	}
	var types []byte
	// RFC 5246, Section 7.4.4: ClientCertificateType
	// certificate_types<1..2^8-1>.
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&types)) || len(types) == 0 {
		return malformed("CertificateRequest", "certificate_types")
	}
	var schemes []kex.SignatureScheme
	if m.HasSignatureSchemes {
		// RFC 5246, Section 7.4.4: SignatureAndHashAlgorithm
		// supported_signature_algorithms<2..2^16-2>.
		if schemes, err = readSchemes(&body); err != nil {
			return malformed("CertificateRequest", "supported_signature_algorithms")
		}
	}
	// RFC 5246, Section 7.4.4: DistinguishedName
	// certificate_authorities<0..2^16-1>, each opaque <1..2^16-1>.
	var cas cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&cas) || !body.Empty() {
		return malformed("CertificateRequest", "certificate_authorities")
	}
	var dns [][]byte
	for !cas.Empty() {
		var dn []byte
		if !cas.ReadUint16LengthPrefixed((*cryptobyte.String)(&dn)) || len(dn) == 0 {
			return malformed("CertificateRequest", "distinguished name")
		}
		dns = append(dns, dn)
	}
	m.CertificateTypes, m.SignatureSchemes, m.CertificateAuthorities = types, schemes, dns
	m.Raw = data
	return nil
}

// CertificateVerify proves possession of the client certificate's key
// (RFC 5246, Section 7.4.8).
type CertificateVerify struct {
	Raw []byte
	// HasSignatureScheme selects the layout and must be set before
	// Unmarshal: TLS 1.2 prefixes the signature with its algorithm.
	HasSignatureScheme bool
	SignatureScheme    kex.SignatureScheme
	Signature          []byte
}

// Type returns TypeCertificateVerify.
func (*CertificateVerify) Type() MessageType { return TypeCertificateVerify }

// Marshal encodes the message; the signature must not be empty.
func (m *CertificateVerify) Marshal() ([]byte, error) {
	if len(m.Signature) == 0 {
		return nil, invalid("CertificateVerify", "empty signature")
	}
	return marshalMessage(TypeCertificateVerify, func(b *wire.Builder) {
		if m.HasSignatureScheme {
			b.AddUint16(uint16(m.SignatureScheme))
		}
		b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.Signature) })
	})
}

// Unmarshal decodes the message in the layout HasSignatureScheme selects.
// An empty signature is refused here: no algorithm produces one.
func (m *CertificateVerify) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificateVerify)
	if err != nil {
		return err
	}
	var scheme uint16
	// RFC 5246, Section 4.7: a digitally-signed element in TLS 1.2 starts
	// with its SignatureAndHashAlgorithm.
	if m.HasSignatureScheme && !body.ReadUint16(&scheme) {
		return malformed("CertificateVerify", "signature algorithm")
	}
	var sig []byte
	if !body.ReadUint16LengthPrefixed((*cryptobyte.String)(&sig)) || len(sig) == 0 || !body.Empty() {
		return malformed("CertificateVerify", "signature")
	}
	m.SignatureScheme, m.Signature = kex.SignatureScheme(scheme), sig
	m.Raw = data
	return nil
}

// Finished carries verify_data (RFC 5246, Section 7.4.9).
type Finished struct {
	Raw []byte
	// VerifyData is the whole body. Its length is 12 for every suite we
	// implement; another length simply fails the comparison (decrypt_error),
	// so it is not a decode error here.
	VerifyData []byte
}

// Type returns TypeFinished.
func (*Finished) Type() MessageType { return TypeFinished }

// Marshal encodes the message.
func (m *Finished) Marshal() ([]byte, error) {
	return marshalMessage(TypeFinished, func(b *wire.Builder) { b.AddBytes(m.VerifyData) })
}

// Unmarshal decodes the message.
func (m *Finished) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeFinished)
	if err != nil {
		return err
	}
	m.VerifyData = []byte(body)
	m.Raw = data
	return nil
}

// NewSessionTicket carries a session ticket (RFC 5077, Section 3.3). An
// empty ticket is legal: the server has nothing to issue after promising
// one.
type NewSessionTicket struct {
	Raw []byte
	// LifetimeHint is ticket_lifetime_hint in seconds; 0 means unspecified.
	LifetimeHint uint32
	Ticket       []byte
}

// Type returns TypeNewSessionTicket.
func (*NewSessionTicket) Type() MessageType { return TypeNewSessionTicket }

// Marshal encodes the message.
func (m *NewSessionTicket) Marshal() ([]byte, error) {
	return marshalMessage(TypeNewSessionTicket, func(b *wire.Builder) {
		b.AddUint32(m.LifetimeHint)
		b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.Ticket) })
	})
}

// Unmarshal decodes the message.
func (m *NewSessionTicket) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeNewSessionTicket)
	if err != nil {
		return err
	}
	// RFC 5077, Section 3.3: uint32 ticket_lifetime_hint; opaque
	// ticket<0..2^16-1>.
	var hint uint32
	var t []byte
	if !body.ReadUint32(&hint) || !body.ReadUint16LengthPrefixed((*cryptobyte.String)(&t)) || !body.Empty() {
		return malformed("NewSessionTicket", "ticket")
	}
	m.LifetimeHint, m.Ticket = hint, t
	m.Raw = data
	return nil
}

// CertificateStatus carries a stapled OCSP response (RFC 6066, Section 8).
type CertificateStatus struct {
	Raw []byte
	// Response is the DER OCSPResponse; status_type is always ocsp (1).
	Response []byte
}

// Type returns TypeCertificateStatus.
func (*CertificateStatus) Type() MessageType { return TypeCertificateStatus }

// Marshal encodes the message with status_type ocsp; the response must not
// be empty.
func (m *CertificateStatus) Marshal() ([]byte, error) {
	if len(m.Response) == 0 {
		return nil, invalid("CertificateStatus", "empty response")
	}
	return marshalMessage(TypeCertificateStatus, func(b *wire.Builder) {
		b.AddUint8(statusTypeOCSP)
		b.AddUint24LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.Response) })
	})
}

// Unmarshal decodes the message; only status_type ocsp is accepted.
func (m *CertificateStatus) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificateStatus)
	if err != nil {
		return err
	}
	// RFC 6066, Section 8: the status_type is the one requested, and we
	// only ever request ocsp; OCSPResponse ocsp_response<1..2^24-1>.
	var typ uint8
	if !body.ReadUint8(&typ) || typ != statusTypeOCSP {
		return malformed("CertificateStatus", "status_type")
	}
	var resp []byte
	if !body.ReadUint24LengthPrefixed((*cryptobyte.String)(&resp)) || len(resp) == 0 || !body.Empty() {
		return malformed("CertificateStatus", "response")
	}
	m.Response = resp
	m.Raw = data
	return nil
}

// NextProtocol is the client's Next Protocol Negotiation choice
// (draft-agl-tls-nextprotoneg-04, Section 4), sent encrypted between
// ChangeCipherSpec and Finished.
type NextProtocol struct {
	Raw      []byte
	Protocol string
}

// Type returns TypeNextProtocol.
func (*NextProtocol) Type() MessageType { return TypeNextProtocol }

// Marshal encodes the message, padding the body to a multiple of 32 bytes
// as the draft asks so that the choice's length does not show.
func (m *NextProtocol) Marshal() ([]byte, error) {
	if len(m.Protocol) > 255 {
		return nil, invalid("NextProtocol", "protocol longer than 255 bytes")
	}
	pad := 32 - (len(m.Protocol)+2)%32
	return marshalMessage(TypeNextProtocol, func(b *wire.Builder) {
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes([]byte(m.Protocol)) })
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(make([]byte, pad)) })
	})
}

// Unmarshal decodes the message; any padding length and content is
// accepted.
func (m *NextProtocol) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeNextProtocol)
	if err != nil {
		return err
	}
	// draft-agl-tls-nextprotoneg-04, Section 4: opaque
	// selected_protocol<0..255>; opaque padding<0..255>.
	var proto, pad []byte
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&proto)) ||
		!body.ReadUint8LengthPrefixed((*cryptobyte.String)(&pad)) || !body.Empty() {
		return malformed("NextProtocol", "selected_protocol or padding")
	}
	m.Protocol = string(proto)
	m.Raw = data
	return nil
}

// statusTypeOCSP is CertificateStatusType ocsp (RFC 6066, Section 8).
const statusTypeOCSP = 1

var messageNames = map[MessageType]string{
	TypeHelloRequest: "HelloRequest", TypeClientHello: "ClientHello", TypeServerHello: "ServerHello",
	TypeNewSessionTicket: "NewSessionTicket", TypeCertificate: "Certificate",
	TypeServerKeyExchange: "ServerKeyExchange", TypeCertificateRequest: "CertificateRequest",
	TypeServerHelloDone: "ServerHelloDone", TypeCertificateVerify: "CertificateVerify",
	TypeClientKeyExchange: "ClientKeyExchange", TypeFinished: "Finished",
	TypeCertificateStatus: "CertificateStatus", TypeNextProtocol: "NextProtocol",
	TypeEncryptedExtensions: "EncryptedExtensions", TypeKeyUpdate: "KeyUpdate", TypeMessageHash: "message_hash",
}

// malformed is the decode error for field of message msg. Every codec
// error wraps record.ErrDecode, so errors.Is tells a malformed message
// from any other failure.
func malformed(msg, field string) error {
	return fmt.Errorf("%w: malformed %s: %s", record.ErrDecode, msg, field)
}

// invalid is the error for a struct that cannot be marshaled as it stands:
// our own mistake, so it does not wrap record.ErrDecode.
func invalid(msg, why string) error {
	return fmt.Errorf("tls: cannot marshal %s: %s", msg, why)
}

// messageRoom is the buffer a message starts with: most messages fit, so
// one allocation makes them (the buffer doubles for those that do not).
const messageRoom = 256

// marshalMessage wraps the body that f builds in the handshake header.
func marshalMessage(t MessageType, f func(b *wire.Builder)) ([]byte, error) {
	b := wire.NewBuilder(make([]byte, 0, messageRoom))
	b.AddUint8(uint8(t))
	b.AddUint24LengthPrefixed(f)
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("tls: cannot marshal %v: %w", t, err)
	}
	return out, nil
}

// messageBody checks the header of data (type t, a uint24 length that
// covers exactly the rest, within the type's cap) and returns the body.
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
	if len(body) > maxBodySize(t, maxUint24) {
		return nil, malformed(t.String(), "too long")
	}
	return body, nil
}

// readSchemes reads a SignatureAndHashAlgorithm list<2..2^16-2> (RFC 5246,
// Sections 7.4.1.4.1 and 7.4.4): non-empty and of even length.
func readSchemes(s *cryptobyte.String) ([]kex.SignatureScheme, error) {
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || len(list) == 0 || len(list)%2 != 0 {
		return nil, record.ErrDecode
	}
	out := make([]kex.SignatureScheme, 0, len(list)/2)
	for !list.Empty() {
		var v uint16
		list.ReadUint16(&v)
		out = append(out, kex.SignatureScheme(v))
	}
	return out, nil
}

// addSchemes writes a SignatureAndHashAlgorithm list.
func addSchemes(b *wire.Builder, schemes []kex.SignatureScheme) {
	b.AddUint16LengthPrefixed(func(b *wire.Builder) {
		for _, s := range schemes {
			b.AddUint16(uint16(s))
		}
	})
}
