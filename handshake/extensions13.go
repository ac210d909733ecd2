package handshake

import (
	"bytes"
	"slices"
	"strings"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/internal/wire"
	"github.com/tlsengine/tlsengine/kex"
)

// This file holds the codecs of the TLS 1.3 extensions (RFC 8446, Section
// 4.2) that the ClientHello and ServerHello of hello.go carry, and the
// HelloRetryRequest helpers. The extensions of the messages only TLS 1.3
// has are in messages13.go.

// The extensions TLS 1.3 adds (RFC 8446, Section 4.2; RFC 8449 for
// record_size_limit), beside the others in hello.go.
const (
	ExtRecordSizeLimit         ExtensionType = 28
	ExtPreSharedKey            ExtensionType = 41
	ExtEarlyData               ExtensionType = 42
	ExtCookie                  ExtensionType = 44
	ExtPSKModes                ExtensionType = 45
	ExtCertificateAuthorities  ExtensionType = 47
	ExtPostHandshakeAuth       ExtensionType = 49
	ExtSignatureAlgorithmsCert ExtensionType = 50
	ExtKeyShare                ExtensionType = 51
)

// KeyShareEntry is one key share (RFC 8446, Section 4.2.8): a group and
// its key_exchange value.
type KeyShareEntry struct {
	Group kex.Group
	// Data is key_exchange<1..2^16-1>, the group's public value.
	Data []byte
}

// PSKIdentity is one offered pre-shared key identity (RFC 8446, Section
// 4.2.11).
type PSKIdentity struct {
	// Identity is identity<1..2^16-1>, a ticket or an external label.
	Identity []byte
	// ObfuscatedTicketAge is the ticket age plus the ticket's age_add.
	ObfuscatedTicketAge uint32
}

// PSK key exchange modes (RFC 8446, Section 4.2.9).
const (
	PSKModePlain uint8 = 0 // psk_ke
	PSKModeDHE   uint8 = 1 // psk_dhe_ke
)

// helloRetryRequestRandom is the Random of a HelloRetryRequest: SHA-256 of
// "HelloRetryRequest" (RFC 8446, Section 4.1.3).
var helloRetryRequestRandom = []byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// IsHelloRetryRequest reports whether m is a HelloRetryRequest: a
// ServerHello whose Random is the special value of RFC 8446, Section
// 4.1.3.
func (m *ServerHello) IsHelloRetryRequest() bool {
	return bytes.Equal(m.Random, helloRetryRequestRandom)
}

// NewHelloRetryRequest builds a HelloRetryRequest (RFC 8446, Section
// 4.1.4): legacy_version TLS 1.2, the special Random, the client's
// legacy_session_id echoed, the chosen suite, supported_versions TLS 1.3,
// and key_share with the group the server wants (0 for none) and a cookie
// (nil for none).
func NewHelloRetryRequest(sessionID []byte, suite uint16, group kex.Group, cookie []byte) *ServerHello {
	return &ServerHello{
		Version:          cipher.VersionTLS12,
		Random:           append([]byte(nil), helloRetryRequestRandom...),
		SessionID:        sessionID,
		CipherSuite:      suite,
		SupportedVersion: cipher.VersionTLS13,
		SelectedGroup:    group,
		Cookie:           cookie,
	}
}

// addExtensions13 writes the TLS 1.3 extensions of a ClientHello except
// pre_shared_key, which goes last (addPreSharedKey).
func (m *ClientHello) addExtensions13(b *wire.Builder) {
	if m.HasKeyShare || len(m.KeyShares) > 0 {
		addExt(b, ExtKeyShare, func(b *wire.Builder) {
			b.AddUint16LengthPrefixed(func(b *wire.Builder) {
				for _, ks := range m.KeyShares {
					addKeyShare(b, ks)
				}
			})
		})
	}
	if len(m.PSKModes) > 0 {
		addExt(b, ExtPSKModes, func(b *wire.Builder) {
			b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(m.PSKModes) })
		})
	}
	if m.EarlyData {
		addExt(b, ExtEarlyData, func(*wire.Builder) {})
	}
	if len(m.Cookie) > 0 {
		addExt(b, ExtCookie, func(b *wire.Builder) { addCookie(b, m.Cookie) })
	}
	if len(m.SignatureSchemesCert) > 0 {
		addExt(b, ExtSignatureAlgorithmsCert, func(b *wire.Builder) { addSchemes(b, m.SignatureSchemesCert) })
	}
	if len(m.CertificateAuthorities) > 0 {
		addExt(b, ExtCertificateAuthorities, func(b *wire.Builder) { addAuthorities(b, m.CertificateAuthorities) })
	}
	if m.PostHandshakeAuth {
		addExt(b, ExtPostHandshakeAuth, func(*wire.Builder) {})
	}
}

// addPreSharedKey writes pre_shared_key, which RFC 8446, Section 4.2.11
// requires to be the last extension of a ClientHello.
func (m *ClientHello) addPreSharedKey(b *wire.Builder) {
	if len(m.PSKIdentities) == 0 {
		return
	}
	addExt(b, ExtPreSharedKey, func(b *wire.Builder) {
		b.AddUint16LengthPrefixed(func(b *wire.Builder) {
			for _, id := range m.PSKIdentities {
				b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(id.Identity) })
				b.AddUint32(id.ObfuscatedTicketAge)
			}
		})
		b.AddUint16LengthPrefixed(func(b *wire.Builder) {
			for _, binder := range m.PSKBinders {
				b.AddUint8LengthPrefixed(func(b *wire.Builder) { b.AddBytes(binder) })
			}
		})
	})
}

// check13 refuses the TLS 1.3 fields Unmarshal would refuse.
func (m *ClientHello) check13() string {
	seen := map[kex.Group]bool{}
	for _, ks := range m.KeyShares {
		if len(ks.Data) == 0 || seen[ks.Group] {
			return "empty or repeated key share"
		}
		seen[ks.Group] = true
	}
	for _, id := range m.PSKIdentities {
		if len(id.Identity) == 0 {
			return "empty PSK identity"
		}
	}
	if len(m.PSKIdentities) > 0 && len(m.PSKBinders) == 0 {
		return "PSK identities without binders"
	}
	for _, b := range m.PSKBinders {
		if len(b) < 32 {
			return "PSK binder shorter than 32 bytes"
		}
	}
	for _, dn := range m.CertificateAuthorities {
		if len(dn) == 0 {
			return "empty distinguished name"
		}
	}
	return ""
}

// readExtension13 decodes the TLS 1.3 extensions of a ClientHello and
// skips any other; false means malformed.
func (m *ClientHello) readExtension13(t ExtensionType, e *cryptobyte.String) bool {
	switch t {
	case ExtKeyShare:
		// RFC 8446, Section 4.2.8: KeyShareEntry client_shares<0..2^16-1>.
		var list cryptobyte.String
		if !e.ReadUint16LengthPrefixed(&list) {
			return false
		}
		m.HasKeyShare = true
		for !list.Empty() {
			ks, ok := readKeyShare(&list)
			if !ok {
				return false
			}
			m.KeyShares = append(m.KeyShares, ks)
		}
		return true
	case ExtPSKModes:
		// RFC 8446, Section 4.2.9: PskKeyExchangeMode ke_modes<1..255>.
		var modes []byte
		if !e.ReadUint8LengthPrefixed((*cryptobyte.String)(&modes)) || len(modes) == 0 {
			return false
		}
		m.PSKModes = modes
		return true
	case ExtEarlyData:
		// RFC 8446, Section 4.2.10: empty in a ClientHello.
		m.EarlyData = true
		return true
	case ExtCookie:
		var ok bool
		m.Cookie, ok = readCookie(e)
		return ok
	case ExtSignatureAlgorithmsCert:
		// RFC 8446, Section 4.2.3: the same layout as signature_algorithms.
		s, err := readSchemes(e)
		m.SignatureSchemesCert = s
		return err == nil
	case ExtCertificateAuthorities:
		var ok bool
		m.CertificateAuthorities, ok = readAuthorities(e)
		return ok
	case ExtPostHandshakeAuth:
		// RFC 8446, Section 4.2.6: empty.
		m.PostHandshakeAuth = true
		return true
	case ExtPreSharedKey:
		return m.readPreSharedKey(e)
	}
	// RFC 8446, Section 4.1.2: unknown extensions are ignored.
	return e.Skip(len(*e))
}

// readPreSharedKey reads OfferedPsks (RFC 8446, Section 4.2.11):
// PskIdentity identities<7..2^16-1>, each identity<1..2^16-1> and a uint32
// age; PskBinderEntry binders<33..2^16-1>, each <32..255>.
func (m *ClientHello) readPreSharedKey(e *cryptobyte.String) bool {
	var ids, binders cryptobyte.String
	if !e.ReadUint16LengthPrefixed(&ids) || ids.Empty() || !e.ReadUint16LengthPrefixed(&binders) || binders.Empty() {
		return false
	}
	for !ids.Empty() {
		var id PSKIdentity
		if !ids.ReadUint16LengthPrefixed((*cryptobyte.String)(&id.Identity)) || len(id.Identity) == 0 ||
			!ids.ReadUint32(&id.ObfuscatedTicketAge) {
			return false
		}
		m.PSKIdentities = append(m.PSKIdentities, id)
	}
	for !binders.Empty() {
		var b []byte
		if !binders.ReadUint8LengthPrefixed((*cryptobyte.String)(&b)) || len(b) < 32 {
			return false
		}
		m.PSKBinders = append(m.PSKBinders, b)
	}
	return true
}

// checkExtensions13 applies the TLS 1.3 rules on a parsed ClientHello that
// span more than one extension's bytes; their alert is illegal_parameter.
func (m *ClientHello) checkExtensions13() error {
	// RFC 8446, Section 4.2.11: "The 'pre_shared_key' extension MUST be
	// the last extension in the ClientHello ... Servers MUST check that
	// it is the last extension and otherwise fail the handshake with an
	// 'illegal_parameter' alert."
	if n := len(m.Extensions); n > 0 && m.HasExtension(ExtPreSharedKey) && m.Extensions[n-1] != ExtPreSharedKey {
		return errIllegal("tls: ClientHello pre_shared_key is not the last extension")
	}
	// RFC 8446, Section 4.2.8: "Clients MUST NOT offer multiple
	// KeyShareEntry values for the same group"; servers may check and
	// answer illegal_parameter.
	seen := make(map[kex.Group]bool, len(m.KeyShares))
	for _, ks := range m.KeyShares {
		if seen[ks.Group] {
			return errIllegal("tls: ClientHello offers two key shares for group %v", ks.Group)
		}
		seen[ks.Group] = true
	}
	return nil
}

// addExtensions13 writes the TLS 1.3 extensions of a ServerHello or
// HelloRetryRequest (RFC 8446, Section 4.1.3), in the order of RFC 8448's
// traces.
func (m *ServerHello) addExtensions13(b *wire.Builder) {
	if m.HasSelectedIdentity {
		// RFC 8446, Section 4.2.11: uint16 selected_identity.
		addExt(b, ExtPreSharedKey, func(b *wire.Builder) { b.AddUint16(m.SelectedIdentity) })
	}
	switch {
	case m.SelectedGroup != 0:
		// RFC 8446, Section 4.2.8: a HelloRetryRequest's key_share is
		// the NamedGroup selected_group.
		addExt(b, ExtKeyShare, func(b *wire.Builder) { b.AddUint16(uint16(m.SelectedGroup)) })
	case m.KeyShare.Group != 0:
		addExt(b, ExtKeyShare, func(b *wire.Builder) { addKeyShare(b, m.KeyShare) })
	}
	if len(m.Cookie) > 0 {
		addExt(b, ExtCookie, func(b *wire.Builder) { addCookie(b, m.Cookie) })
	}
	if m.SupportedVersion != 0 {
		// RFC 8446, Section 4.2.1: ProtocolVersion selected_version.
		addExt(b, ExtSupportedVersions, func(b *wire.Builder) { b.AddUint16(m.SupportedVersion) })
	}
}

// check13 refuses the TLS 1.3 fields Unmarshal would refuse or read
// differently.
func (m *ServerHello) check13() string {
	switch {
	case m.SelectedGroup != 0 && !m.IsHelloRetryRequest():
		return "selected_group outside a HelloRetryRequest"
	case m.KeyShare.Group != 0 && m.IsHelloRetryRequest():
		return "key share entry in a HelloRetryRequest"
	case m.KeyShare.Group != 0 && len(m.KeyShare.Data) == 0:
		return "empty key share"
	case m.KeyShare.Group == 0 && len(m.KeyShare.Data) != 0:
		return "key share of group 0"
	}
	return ""
}

// readExtension13 decodes the TLS 1.3 extensions of a ServerHello or
// HelloRetryRequest and skips any other; false means malformed. Values
// that parse but can never be right (group or version 0) are left for
// checkExtensions13, whose alert is illegal_parameter.
func (m *ServerHello) readExtension13(t ExtensionType, e *cryptobyte.String) bool {
	switch t {
	case ExtSupportedVersions:
		// RFC 8446, Section 4.2.1: ProtocolVersion selected_version.
		return e.ReadUint16(&m.SupportedVersion) && e.Empty()
	case ExtKeyShare:
		if m.IsHelloRetryRequest() {
			// RFC 8446, Section 4.2.8: NamedGroup selected_group.
			var g uint16
			ok := e.ReadUint16(&g)
			m.SelectedGroup = kex.Group(g)
			return ok && e.Empty()
		}
		// RFC 8446, Section 4.2.8: KeyShareEntry server_share.
		var ok bool
		m.KeyShare, ok = readKeyShare(e)
		return ok && e.Empty()
	case ExtCookie:
		var ok bool
		m.Cookie, ok = readCookie(e)
		return ok
	case ExtPreSharedKey:
		m.HasSelectedIdentity = true
		return e.ReadUint16(&m.SelectedIdentity) && e.Empty()
	}
	return e.Skip(len(*e))
}

// checkExtensions13 refuses values that decode but that no client offers,
// so that zero can stand for an absent extension: a client never offers
// group 0 (RFC 8446, Section 4.2.8: the server's share "MUST be in the
// same group as the KeyShareEntry value offered by the client"; a
// HelloRetryRequest's group must be one the client supports) nor version 0
// (RFC 8446, Section 4.2.1: a version "prior to TLS 1.3" is
// illegal_parameter).
func (m *ServerHello) checkExtensions13() error {
	if m.HasExtension(ExtKeyShare) && m.KeyShare.Group == 0 && m.SelectedGroup == 0 {
		return errIllegal("tls: %s key_share selects group 0", m.name())
	}
	if m.HasExtension(ExtSupportedVersions) && m.SupportedVersion == 0 {
		return errIllegal("tls: %s supported_versions selects version 0", m.name())
	}
	return nil
}

func (m *ServerHello) name() string {
	if m.IsHelloRetryRequest() {
		return "HelloRetryRequest"
	}
	return "ServerHello"
}

func addKeyShare(b *wire.Builder, ks KeyShareEntry) {
	b.AddUint16(uint16(ks.Group))
	b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(ks.Data) })
}

// readKeyShare reads a KeyShareEntry (RFC 8446, Section 4.2.8): a
// NamedGroup and key_exchange<1..2^16-1>.
func readKeyShare(s *cryptobyte.String) (KeyShareEntry, bool) {
	var g uint16
	var data []byte
	if !s.ReadUint16(&g) || !s.ReadUint16LengthPrefixed((*cryptobyte.String)(&data)) || len(data) == 0 {
		return KeyShareEntry{}, false
	}
	return KeyShareEntry{Group: kex.Group(g), Data: data}, true
}

func addCookie(b *wire.Builder, cookie []byte) {
	b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(cookie) })
}

// readCookie reads a Cookie (RFC 8446, Section 4.2.2): cookie<1..2^16-1>,
// the whole extension.
func readCookie(e *cryptobyte.String) ([]byte, bool) {
	var c []byte
	if !e.ReadUint16LengthPrefixed((*cryptobyte.String)(&c)) || len(c) == 0 || !e.Empty() {
		return nil, false
	}
	return c, true
}

func addAuthorities(b *wire.Builder, dns [][]byte) {
	b.AddUint16LengthPrefixed(func(b *wire.Builder) {
		for _, dn := range dns {
			b.AddUint16LengthPrefixed(func(b *wire.Builder) { b.AddBytes(dn) })
		}
	})
}

// readAuthorities reads CertificateAuthoritiesExtension (RFC 8446, Section
// 4.2.4): DistinguishedName authorities<3..2^16-1>, each <1..2^16-1>; the
// list is the whole extension.
func readAuthorities(e *cryptobyte.String) ([][]byte, bool) {
	var list cryptobyte.String
	if !e.ReadUint16LengthPrefixed(&list) || list.Empty() || !e.Empty() {
		return nil, false
	}
	var dns [][]byte
	for !list.Empty() {
		var dn []byte
		if !list.ReadUint16LengthPrefixed((*cryptobyte.String)(&dn)) || len(dn) == 0 {
			return nil, false
		}
		dns = append(dns, dn)
	}
	return dns, true
}

// allowed13 maps each extension this package names to the TLS 1.3
// messages it may appear in (RFC 8446, Section 4.2, the table; RFC 8449,
// Section 4 for record_size_limit). The TLS 1.2-only extensions appear in
// none.
var allowed13 = map[ExtensionType]string{
	ExtServerName: "CH EE", ExtStatusRequest: "CH CR CT", ExtSupportedGroups: "CH EE",
	ExtSignatureAlgorithms: "CH CR", ExtALPN: "CH EE", ExtSCT: "CH CR CT", ExtPadding: "CH",
	ExtRecordSizeLimit: "CH EE", ExtKeyShare: "CH SH HRR", ExtPreSharedKey: "CH SH",
	ExtPSKModes: "CH", ExtEarlyData: "CH EE NST", ExtCookie: "CH HRR", ExtSupportedVersions: "CH SH HRR",
	ExtCertificateAuthorities: "CH CR", ExtPostHandshakeAuth: "CH", ExtSignatureAlgorithmsCert: "CH CR",
	ExtECPointFormats: "", ExtEncryptThenMAC: "", ExtExtendedMasterSecret: "", ExtSessionTicket: "",
	ExtNextProtoNeg: "", ExtRenegotiationInfo: "",
}

// checkAllowed13 applies RFC 8446, Section 4.2: "If an implementation
// receives an extension which it recognizes and which is not specified for
// the message in which it appears, it MUST abort the handshake with an
// 'illegal_parameter' alert." msg is the table's abbreviation (EE, CT, CR,
// NST); name names the message in the error. Unknown types pass: each
// message's own rule (ignore, or unsupported_extension when not offered)
// is the caller's.
func checkAllowed13(types []ExtensionType, msg, name string) error {
	for _, t := range types {
		where, known := allowed13[t]
		if !known {
			continue
		}
		if !slices.Contains(strings.Fields(where), msg) {
			return errIllegal("tls: %s carries the %v extension, which TLS 1.3 does not allow there", name, t)
		}
	}
	return nil
}
