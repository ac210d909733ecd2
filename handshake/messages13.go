package handshake

import (
	"slices"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsengine/tlsengine/internal/wire"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// The messages only TLS 1.3 has, and the TLS 1.3 forms of Certificate,
// CertificateRequest and NewSessionTicket (RFC 8446, Section 4), which
// ParseMessage picks when the version is TLS 1.3. CertificateVerify and
// Finished keep their TLS 1.2 layout (a SignatureScheme, then the
// signature; the verify_data) and their TLS 1.2 structs.
//
// Every extension block of these messages is checked against RFC 8446,
// Section 4.2: an extension this package knows in a message the RFC does
// not list it for is illegal_parameter; an unknown one is recorded in
// Extensions and skipped, as the message's own rule asks or for the caller
// to refuse.

// EncryptedExtensions carries the server's answers that need no
// encryption-free delivery (RFC 8446, Section 4.3.1).
type EncryptedExtensions struct {
	Raw []byte
	// ServerNameAck is an empty server_name: the server used the name
	// (RFC 6066, Section 3).
	ServerNameAck bool
	// SupportedGroups are the server's groups, for later connections
	// (RFC 8446, Section 4.2.7).
	SupportedGroups []kex.Group
	// ALPNProtocol is the selected protocol (RFC 7301, Section 3.1).
	ALPNProtocol string
	// RecordSizeLimit is record_size_limit (RFC 8449, Section 4), 0 when
	// absent; it is parsed only so that real servers' messages (NSS,
	// RFC 8448) are understood.
	RecordSizeLimit uint16
	// EarlyData accepts the client's 0-RTT data (RFC 8446, Section 4.2.10).
	EarlyData bool
	// Extensions lists every extension in wire order, unknown ones too.
	Extensions []ExtensionType
}

// Type returns TypeEncryptedExtensions.
func (*EncryptedExtensions) Type() MessageType { return TypeEncryptedExtensions }

// Marshal encodes the message, writing the extensions in the order of RFC
// 8448's traces, and records that order in Extensions.
func (m *EncryptedExtensions) Marshal() ([]byte, error) {
	if m.RecordSizeLimit != 0 && m.RecordSizeLimit < minRecordSizeLimit {
		return nil, invalid("EncryptedExtensions", "record_size_limit below 64")
	}
	var b wire.Builder
	if len(m.SupportedGroups) > 0 {
		addExt(&b, ExtSupportedGroups, func(b *wire.Builder) { addGroups(b, m.SupportedGroups) })
	}
	if m.RecordSizeLimit != 0 {
		addExt(&b, ExtRecordSizeLimit, func(b *wire.Builder) { b.AddUint16(m.RecordSizeLimit) })
	}
	if m.ServerNameAck {
		addExt(&b, ExtServerName, func(*wire.Builder) {})
	}
	if m.ALPNProtocol != "" {
		addExt(&b, ExtALPN, func(b *wire.Builder) { addProtocolList(b, []string{m.ALPNProtocol}) })
	}
	if m.EarlyData {
		addExt(&b, ExtEarlyData, func(*wire.Builder) {})
	}
	return marshalWithExtensions(TypeEncryptedExtensions, &b, &m.Extensions, func(*wire.Builder) {})
}

// Unmarshal decodes the message.
func (m *EncryptedExtensions) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeEncryptedExtensions)
	if err != nil {
		return err
	}
	*m = EncryptedExtensions{}
	// RFC 8446, Section 4.3.1: Extension extensions<0..2^16-1>.
	var exts cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
		return malformed("EncryptedExtensions", "extensions")
	}
	if m.Extensions, err = readExtensions("EncryptedExtensions", exts, m.readExtension); err != nil {
		return err
	}
	if err := checkAllowed13(m.Extensions, "EE", "EncryptedExtensions"); err != nil {
		return err
	}
	// RFC 8449, Section 4: "A TLS endpoint that receives a value less
	// than 64 MUST generate an 'illegal_parameter' alert."
	if slices.Contains(m.Extensions, ExtRecordSizeLimit) && m.RecordSizeLimit < minRecordSizeLimit {
		return errIllegal("tls: EncryptedExtensions record_size_limit %d is below 64", m.RecordSizeLimit)
	}
	m.Raw = data
	return nil
}

func (m *EncryptedExtensions) readExtension(t ExtensionType, e *cryptobyte.String) bool {
	switch t {
	case ExtServerName:
		// RFC 6066, Section 3: the server's extension_data is empty.
		m.ServerNameAck = true
	case ExtSupportedGroups:
		var ok bool
		m.SupportedGroups, ok = readGroups(e)
		return ok
	case ExtALPN:
		var ok bool
		m.ALPNProtocol, ok = readSelectedProtocol(e)
		return ok
	case ExtRecordSizeLimit:
		// RFC 8449, Section 4: uint16 RecordSizeLimit.
		return e.ReadUint16(&m.RecordSizeLimit) && e.Empty()
	case ExtEarlyData:
		// RFC 8446, Section 4.2.10: empty in EncryptedExtensions.
		m.EarlyData = true
	default:
		return e.Skip(len(*e))
	}
	return true
}

// Certificate13 is the TLS 1.3 Certificate message (RFC 8446, Section
// 4.4.2): a request context and a chain whose entries carry extensions.
type Certificate13 struct {
	Raw []byte
	// RequestContext echoes the CertificateRequest's context in a client
	// Certificate; a server's is empty.
	RequestContext []byte
	// Entries is the chain, leaf first; it is empty when a client has no
	// certificate to send.
	Entries []CertificateEntry
}

// CertificateEntry is one certificate of a Certificate13 with the
// extensions of RFC 8446, Section 4.4.2.
type CertificateEntry struct {
	// Data is the DER certificate, cert_data<1..2^24-1>.
	Data []byte
	// OCSPResponse is the status_request extension's OCSPResponse (RFC
	// 8446, Section 4.4.2.1), a staple for this certificate.
	OCSPResponse []byte
	// SCTs are the signed_certificate_timestamp extension's
	// SerializedSCT values (RFC 6962, Section 3.3).
	SCTs [][]byte
	// Extensions lists the entry's extensions in wire order.
	Extensions []ExtensionType
}

// Type returns TypeCertificate.
func (*Certificate13) Type() MessageType { return TypeCertificate }

// Certificates returns the DER certificates of the chain, leaf first.
func (m *Certificate13) Certificates() [][]byte {
	out := make([][]byte, len(m.Entries))
	for i, e := range m.Entries {
		out[i] = e.Data
	}
	return out
}

// Marshal encodes the message and records each entry's extension order.
func (m *Certificate13) Marshal() ([]byte, error) {
	if len(m.RequestContext) > 255 {
		return nil, invalid("Certificate", "request context longer than 255 bytes")
	}
	blocks := make([][]byte, len(m.Entries))
	for i, e := range m.Entries {
		if len(e.Data) == 0 {
			return nil, invalid("Certificate", "empty certificate entry")
		}
		for _, sct := range e.SCTs {
			if len(sct) == 0 {
				return nil, invalid("Certificate", "empty SCT")
			}
		}
		var b wire.Builder
		if len(e.OCSPResponse) > 0 {
			addExt(&b, ExtStatusRequest, func(b *wire.Builder) {
				b.AddUint8(statusTypeOCSP)
				b.AddUint24LengthPrefixed(func(b *wire.Builder) { b.AddBytes(e.OCSPResponse) })
			})
		}
		if len(e.SCTs) > 0 {
			addExt(&b, ExtSCT, func(b *wire.Builder) {
				b.AddUint16LengthPrefixed(func(b *wire.Builder) {
					for _, sct := range e.SCTs {
						b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(sct) })
					}
				})
			})
		}
		var err error
		if blocks[i], err = b.Bytes(); err != nil {
			return nil, invalid("Certificate", err.Error())
		}
	}
	raw, err := marshalMessage(TypeCertificate, func(b *wire.Builder) {
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.RequestContext) })
		b.AddUint24LengthPrefixed(func(b *wire.Builder) {
			for i, e := range m.Entries {
				b.AddUint24LengthPrefixed(func(b *wire.Builder) { b.AddBytes(e.Data) })
				b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(blocks[i]) })
			}
		})
	})
	if err != nil {
		return nil, err
	}
	for i := range m.Entries {
		m.Entries[i].Extensions = extensionTypes(blocks[i])
	}
	return raw, nil
}

// Unmarshal decodes the message.
func (m *Certificate13) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificate)
	if err != nil {
		return err
	}
	// RFC 8446, Section 4.4.2: opaque certificate_request_context<0..2^8-1>;
	// CertificateEntry certificate_list<0..2^24-1>.
	var ctx []byte
	var list cryptobyte.String
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&ctx)) {
		return malformed("Certificate", "certificate_request_context")
	}
	if !body.ReadUint24LengthPrefixed(&list) || !body.Empty() {
		return malformed("Certificate", "certificate_list")
	}
	var entries []CertificateEntry
	for !list.Empty() {
		var e CertificateEntry
		var exts cryptobyte.String
		// opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>.
		if !list.ReadUint24LengthPrefixed((*cryptobyte.String)(&e.Data)) || len(e.Data) == 0 {
			return malformed("Certificate", "cert_data")
		}
		if !list.ReadUint16LengthPrefixed(&exts) {
			return malformed("Certificate", "certificate entry extensions")
		}
		if e.Extensions, err = readExtensions("Certificate", exts, e.readExtension); err != nil {
			return err
		}
		if err := checkAllowed13(e.Extensions, "CT", "Certificate"); err != nil {
			return err
		}
		entries = append(entries, e)
	}
	m.RequestContext, m.Entries = ctx, entries
	m.Raw = data
	return nil
}

func (e *CertificateEntry) readExtension(t ExtensionType, s *cryptobyte.String) bool {
	switch t {
	case ExtStatusRequest:
		// RFC 8446, Section 4.4.2.1: the body is a CertificateStatus
		// (RFC 6066, Section 8): status_type ocsp, the only one we
		// request, and OCSPResponse ocsp_response<1..2^24-1>.
		var typ uint8
		if !s.ReadUint8(&typ) || typ != statusTypeOCSP ||
			!s.ReadUint24LengthPrefixed((*cryptobyte.String)(&e.OCSPResponse)) || len(e.OCSPResponse) == 0 {
			return false
		}
		return s.Empty()
	case ExtSCT:
		// RFC 6962, Section 3.3: SerializedSCT sct_list<1..2^16-1>, each
		// <1..2^16-1>.
		var list cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&list) || list.Empty() || !s.Empty() {
			return false
		}
		for !list.Empty() {
			var sct []byte
			if !list.ReadUint16LengthPrefixed((*cryptobyte.String)(&sct)) || len(sct) == 0 {
				return false
			}
			e.SCTs = append(e.SCTs, sct)
		}
		return true
	}
	return s.Skip(len(*s))
}

// CertificateRequest13 is the TLS 1.3 CertificateRequest (RFC 8446,
// Section 4.3.2): a request context and extensions.
type CertificateRequest13 struct {
	Raw []byte
	// RequestContext is echoed in the client's Certificate; empty during
	// the handshake.
	RequestContext []byte
	// SignatureSchemes is signature_algorithms, which the message must
	// carry.
	SignatureSchemes []kex.SignatureScheme
	// SignatureSchemesCert is signature_algorithms_cert (RFC 8446,
	// Section 4.2.3).
	SignatureSchemesCert []kex.SignatureScheme
	// CertificateAuthorities are DER DistinguishedNames (RFC 8446,
	// Section 4.2.4).
	CertificateAuthorities [][]byte
	// Extensions lists every extension in wire order, unknown ones too.
	Extensions []ExtensionType
}

// Type returns TypeCertificateRequest.
func (*CertificateRequest13) Type() MessageType { return TypeCertificateRequest }

// Marshal encodes the message and records the extension order.
func (m *CertificateRequest13) Marshal() ([]byte, error) {
	switch {
	case len(m.RequestContext) > 255:
		return nil, invalid("CertificateRequest", "request context longer than 255 bytes")
	case len(m.SignatureSchemes) == 0:
		return nil, invalid("CertificateRequest", "no signature_algorithms")
	}
	for _, dn := range m.CertificateAuthorities {
		if len(dn) == 0 {
			return nil, invalid("CertificateRequest", "empty distinguished name")
		}
	}
	var b wire.Builder
	addExt(&b, ExtSignatureAlgorithms, func(b *wire.Builder) { addSchemes(b, m.SignatureSchemes) })
	if len(m.SignatureSchemesCert) > 0 {
		addExt(&b, ExtSignatureAlgorithmsCert, func(b *wire.Builder) { addSchemes(b, m.SignatureSchemesCert) })
	}
	if len(m.CertificateAuthorities) > 0 {
		addExt(&b, ExtCertificateAuthorities, func(b *wire.Builder) { addAuthorities(b, m.CertificateAuthorities) })
	}
	return marshalWithExtensions(TypeCertificateRequest, &b, &m.Extensions, func(b *wire.Builder) {
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.RequestContext) })
	})
}

// Unmarshal decodes the message.
func (m *CertificateRequest13) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeCertificateRequest)
	if err != nil {
		return err
	}
	*m = CertificateRequest13{}
	// RFC 8446, Section 4.3.2: opaque certificate_request_context<0..2^8-1>;
	// Extension extensions<2..2^16-1>.
	var ctx []byte
	var exts cryptobyte.String
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&ctx)) {
		return malformed("CertificateRequest", "certificate_request_context")
	}
	if !body.ReadUint16LengthPrefixed(&exts) || len(exts) < 2 || !body.Empty() {
		return malformed("CertificateRequest", "extensions")
	}
	if m.Extensions, err = readExtensions("CertificateRequest", exts, m.readExtension); err != nil {
		return err
	}
	if err := checkAllowed13(m.Extensions, "CR", "CertificateRequest"); err != nil {
		return err
	}
	// RFC 8446, Section 4.3.2: "The 'signature_algorithms' extension MUST
	// be specified"; Section 6.2: missing_extension.
	if len(m.SignatureSchemes) == 0 {
		return record.Errorf(record.ErrPeerMisbehaved, record.AlertMissingExtension,
			"tls: CertificateRequest without signature_algorithms")
	}
	m.RequestContext = ctx
	m.Raw = data
	return nil
}

func (m *CertificateRequest13) readExtension(t ExtensionType, e *cryptobyte.String) bool {
	var err error
	switch t {
	case ExtSignatureAlgorithms:
		m.SignatureSchemes, err = readSchemes(e)
	case ExtSignatureAlgorithmsCert:
		m.SignatureSchemesCert, err = readSchemes(e)
	case ExtCertificateAuthorities:
		var ok bool
		m.CertificateAuthorities, ok = readAuthorities(e)
		return ok
	default:
		// status_request and signed_certificate_timestamp ask for what
		// a client certificate may carry; they, oid_filters and unknown
		// extensions are recorded and skipped ("Clients MUST ignore
		// unrecognized extensions").
		return e.Skip(len(*e))
	}
	return err == nil
}

// NewSessionTicket13 is the TLS 1.3 NewSessionTicket (RFC 8446, Section
// 4.6.1), sent after the handshake.
type NewSessionTicket13 struct {
	Raw []byte
	// Lifetime is ticket_lifetime in seconds.
	Lifetime uint32
	// AgeAdd is ticket_age_add, which obscures the ticket age.
	AgeAdd uint32
	// Nonce is ticket_nonce<0..255>, an input of the ticket's PSK.
	Nonce []byte
	// Ticket is the opaque ticket<1..2^16-1>.
	Ticket []byte
	// EarlyData and MaxEarlyDataSize are the early_data extension (RFC
	// 8446, Section 4.2.10), where a size of 0 is meaningful.
	EarlyData        bool
	MaxEarlyDataSize uint32
	// Extensions lists every extension in wire order, unknown ones too.
	Extensions []ExtensionType
}

// Type returns TypeNewSessionTicket.
func (*NewSessionTicket13) Type() MessageType { return TypeNewSessionTicket }

// Marshal encodes the message and records the extension order.
func (m *NewSessionTicket13) Marshal() ([]byte, error) {
	switch {
	case len(m.Nonce) > 255:
		return nil, invalid("NewSessionTicket", "nonce longer than 255 bytes")
	case len(m.Ticket) == 0:
		return nil, invalid("NewSessionTicket", "empty ticket")
	}
	var b wire.Builder
	if m.EarlyData {
		addExt(&b, ExtEarlyData, func(b *wire.Builder) { b.AddUint32(m.MaxEarlyDataSize) })
	}
	return marshalWithExtensions(TypeNewSessionTicket, &b, &m.Extensions, func(b *wire.Builder) {
		b.AddUint32(m.Lifetime)
		b.AddUint32(m.AgeAdd)
		b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.Nonce) })
		b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.Ticket) })
	})
}

// Unmarshal decodes the message.
func (m *NewSessionTicket13) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeNewSessionTicket)
	if err != nil {
		return err
	}
	*m = NewSessionTicket13{}
	// RFC 8446, Section 4.6.1: uint32 ticket_lifetime; uint32
	// ticket_age_add; opaque ticket_nonce<0..255>; opaque
	// ticket<1..2^16-1>; Extension extensions<0..2^16-2>.
	var nonce, ticket []byte
	var exts cryptobyte.String
	if !body.ReadUint32(&m.Lifetime) || !body.ReadUint32(&m.AgeAdd) {
		return malformed("NewSessionTicket", "lifetime or age_add")
	}
	if !body.ReadUint8LengthPrefixed((*cryptobyte.String)(&nonce)) {
		return malformed("NewSessionTicket", "ticket_nonce")
	}
	if !body.ReadUint16LengthPrefixed((*cryptobyte.String)(&ticket)) || len(ticket) == 0 {
		return malformed("NewSessionTicket", "ticket")
	}
	if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
		return malformed("NewSessionTicket", "extensions")
	}
	if m.Extensions, err = readExtensions("NewSessionTicket", exts, m.readExtension); err != nil {
		return err
	}
	if err := checkAllowed13(m.Extensions, "NST", "NewSessionTicket"); err != nil {
		return err
	}
	m.Nonce, m.Ticket = nonce, ticket
	m.Raw = data
	return nil
}

func (m *NewSessionTicket13) readExtension(t ExtensionType, e *cryptobyte.String) bool {
	if t == ExtEarlyData {
		// RFC 8446, Section 4.2.10: uint32 max_early_data_size.
		m.EarlyData = true
		return e.ReadUint32(&m.MaxEarlyDataSize) && e.Empty()
	}
	// RFC 8446, Section 4.6.1: "Clients MUST ignore unrecognized
	// extensions."
	return e.Skip(len(*e))
}

// KeyUpdate announces that the sender's traffic key changes (RFC 8446,
// Section 4.6.3).
type KeyUpdate struct {
	Raw []byte
	// UpdateRequested asks the peer to update its key too.
	UpdateRequested bool
}

// Type returns TypeKeyUpdate.
func (*KeyUpdate) Type() MessageType { return TypeKeyUpdate }

// Marshal encodes the message.
func (m *KeyUpdate) Marshal() ([]byte, error) {
	return marshalMessage(TypeKeyUpdate, func(b *wire.Builder) {
		if m.UpdateRequested {
			b.AddUint8(keyUpdateRequested)
		} else {
			b.AddUint8(keyUpdateNotRequested)
		}
	})
}

// Unmarshal decodes the message.
func (m *KeyUpdate) Unmarshal(data []byte) error {
	data = append([]byte(nil), data...)
	body, err := messageBody(data, TypeKeyUpdate)
	if err != nil {
		return err
	}
	// RFC 8446, Section 4.6.3: KeyUpdateRequest request_update, one byte.
	var v uint8
	if !body.ReadUint8(&v) || !body.Empty() {
		return malformed("KeyUpdate", "request_update")
	}
	// "If an implementation receives any other value, it MUST terminate
	// the connection with an 'illegal_parameter' alert."
	if v != keyUpdateNotRequested && v != keyUpdateRequested {
		return errIllegal("tls: KeyUpdate request_update of %d", v)
	}
	m.UpdateRequested = v == keyUpdateRequested
	m.Raw = data
	return nil
}

// KeyUpdateRequest values (RFC 8446, Section 4.6.3).
const (
	keyUpdateNotRequested = 0
	keyUpdateRequested    = 1
)

// minRecordSizeLimit is the smallest legal record_size_limit (RFC 8449,
// Section 4).
const minRecordSizeLimit = 64

// marshalWithExtensions writes a message whose body is the fields head
// writes followed by the extensions block b built, and records the block's
// order in *types.
func marshalWithExtensions(t MessageType, b *wire.Builder, types *[]ExtensionType, head func(*wire.Builder)) ([]byte, error) {
	exts, err := b.Bytes()
	if err != nil {
		return nil, invalid(t.String(), err.Error())
	}
	raw, err := marshalMessage(t, func(b *wire.Builder) {
		head(b)
		b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(exts) })
	})
	if err != nil {
		return nil, err
	}
	*types = extensionTypes(exts)
	return raw, nil
}

func addGroups(b *wire.Builder, groups []kex.Group) {
	b.AddUint16LengthPrefixed(func(b *wire.Builder) {
		for _, g := range groups {
			b.AddUint16(uint16(g))
		}
	})
}

// readGroups reads NamedGroup named_group_list<2..2^16-1> (RFC 8446,
// Section 4.2.7), the whole extension.
func readGroups(e *cryptobyte.String) ([]kex.Group, bool) {
	var list cryptobyte.String
	if !e.ReadUint16LengthPrefixed(&list) || len(list) == 0 || len(list)%2 != 0 || !e.Empty() {
		return nil, false
	}
	groups := make([]kex.Group, 0, len(list)/2)
	for !list.Empty() {
		var g uint16
		list.ReadUint16(&g)
		groups = append(groups, kex.Group(g))
	}
	return groups, true
}

// readSelectedProtocol reads a server's ALPN answer: a protocol list
// holding exactly one name (RFC 7301, Section 3.1).
func readSelectedProtocol(e *cryptobyte.String) (string, bool) {
	protos, ok := readProtocolList(e)
	if !ok || len(protos) != 1 {
		return "", false
	}
	return protos[0], true
}
