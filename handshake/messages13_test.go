package handshake

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// samples13 are the TLS 1.3 messages and hellos of sampleMessages, so that
// TestRoundTrip, TestTruncationsFail and TestUnmarshalCopiesInput cover
// them.
func samples13() []sample {
	random := bytes.Repeat([]byte{0xab}, 32)
	return []sample{
		{"EncryptedExtensions/empty", cipher.VersionTLS13, &EncryptedExtensions{}},
		{"EncryptedExtensions/full", cipher.VersionTLS13, &EncryptedExtensions{ServerNameAck: true, SupportedGroups: []kex.Group{kex.X25519MLKEM768, kex.X25519},
			ALPNProtocol: "h2", RecordSizeLimit: 64, EarlyData: true}},
		{"Certificate13/empty", cipher.VersionTLS13, &Certificate13{}},
		{"Certificate13/chain", cipher.VersionTLS13, &Certificate13{Entries: []CertificateEntry{
			{Data: []byte{0x30, 1}, OCSPResponse: []byte{0x30, 0}, SCTs: [][]byte{{1}, {2, 3}}},
			{Data: bytes.Repeat([]byte{4}, 1000)},
			{Data: []byte{5}, OCSPResponse: []byte{6}},
		}}},
		{"Certificate13/client", cipher.VersionTLS13, &Certificate13{RequestContext: []byte{9, 9}, Entries: []CertificateEntry{{Data: []byte{1}}}}},
		{"CertificateRequest13/minimal", cipher.VersionTLS13, &CertificateRequest13{SignatureSchemes: []kex.SignatureScheme{kex.Ed25519}}},
		{"CertificateRequest13/full", cipher.VersionTLS13, &CertificateRequest13{RequestContext: bytes.Repeat([]byte{1}, 255),
			SignatureSchemes:     []kex.SignatureScheme{kex.PSSWithSHA256, kex.ECDSAWithP256AndSHA256},
			SignatureSchemesCert: []kex.SignatureScheme{kex.PKCS1WithSHA256}, CertificateAuthorities: [][]byte{{0x30, 0}, {0x30, 1, 0}}}},
		{"CertificateVerify/TLS1.3", cipher.VersionTLS13, &CertificateVerify{HasSignatureScheme: true, SignatureScheme: kex.PSSWithSHA256, Signature: make([]byte, 256)}},
		{"NewSessionTicket13", cipher.VersionTLS13, &NewSessionTicket13{Lifetime: 7200, AgeAdd: 0xdeadbeef, Nonce: []byte{0}, Ticket: []byte("ticket")}},
		{"NewSessionTicket13/early data", cipher.VersionTLS13, &NewSessionTicket13{Ticket: []byte{1}, EarlyData: true}},
		{"KeyUpdate/not requested", cipher.VersionTLS13, &KeyUpdate{}},
		{"KeyUpdate/requested", cipher.VersionTLS13, &KeyUpdate{UpdateRequested: true}},
		{"ClientHello/TLS1.3", cipher.VersionTLS13, fullClientHello13()},
		{"ClientHello/empty key_share", cipher.VersionTLS13, &ClientHello{Version: 0x0303, Random: random, CipherSuites: []uint16{0x1301},
			CompressionMethods: []uint8{0}, HasExtensions: true, HasKeyShare: true, SupportedVersions: []uint16{0x0304}}},
		{"ServerHello/TLS1.3", cipher.VersionTLS13, &ServerHello{Version: 0x0303, Random: random, SessionID: make([]byte, 32), CipherSuite: 0x1302,
			HasExtensions: true, SupportedVersion: 0x0304, KeyShare: KeyShareEntry{Group: kex.P256, Data: make([]byte, 65)}}},
		{"ServerHello/PSK identity 0", cipher.VersionTLS13, &ServerHello{Version: 0x0303, Random: random, CipherSuite: 0x1301,
			HasExtensions: true, SupportedVersion: 0x0304, HasSelectedIdentity: true}},
		{"ServerHello/HelloRetryRequest", cipher.VersionTLS13, withExtensions(NewHelloRetryRequest([]byte{1, 2}, 0x1303, kex.P384, []byte("cookie")))},
		{"ServerHello/HelloRetryRequest cookie only", cipher.VersionTLS13, withExtensions(NewHelloRetryRequest(nil, 0x1301, 0, []byte{1}))},
	}
}

func fullClientHello13() *ClientHello {
	m := fullClientHello()
	m.SupportedVersions = []uint16{0x0304, 0x0303}
	m.HasKeyShare = true
	m.KeyShares = []KeyShareEntry{{Group: kex.X25519MLKEM768, Data: make([]byte, 1216)}, {Group: kex.X25519, Data: make([]byte, 32)}}
	m.PSKModes = []uint8{PSKModeDHE, PSKModePlain}
	m.EarlyData = true
	m.Cookie = []byte("cookie")
	m.SignatureSchemesCert = []kex.SignatureScheme{kex.PKCS1WithSHA1}
	m.CertificateAuthorities = [][]byte{{0x30, 0}}
	m.PostHandshakeAuth = true
	m.PSKIdentities = []PSKIdentity{{Identity: []byte("id"), ObfuscatedTicketAge: 42}, {Identity: []byte{0}}}
	m.PSKBinders = [][]byte{make([]byte, 32), bytes.Repeat([]byte{1}, 255)}
	return m
}

// withExtensions sets HasExtensions, which parsing sets whenever a block
// is present, so that the sample compares equal to what is parsed.
func withExtensions(m *ServerHello) *ServerHello { m.HasExtensions = true; return m }

// alertOf is the alert a codec error sends once the machine maps it
// (decodeFailure).
func alertOf(err error) record.AlertDescription {
	var re *record.Error
	if !errors.As(decodeFailure(err), &re) {
		panic("decodeFailure returned no *record.Error")
	}
	return re.Alert
}

func TestParseMessageDispatchesTLS13(t *testing.T) {
	cases := []struct {
		m12, m13 Message
	}{
		{&Certificate{Certificates: [][]byte{{1}}}, &Certificate13{Entries: []CertificateEntry{{Data: []byte{1}}}}},
		{&CertificateRequest{HasSignatureSchemes: true, CertificateTypes: []uint8{1}, SignatureSchemes: []kex.SignatureScheme{kex.Ed25519}},
			&CertificateRequest13{SignatureSchemes: []kex.SignatureScheme{kex.Ed25519}}},
		{&NewSessionTicket{Ticket: []byte{1}}, &NewSessionTicket13{Ticket: []byte{1}}},
	}
	for _, c := range cases {
		raw12, _ := c.m12.Marshal()
		raw13, _ := c.m13.Marshal()
		if m, err := ParseMessage(raw13, cipher.VersionTLS13); err != nil || reflect.TypeOf(m) != reflect.TypeOf(c.m13) {
			t.Errorf("%T under TLS 1.3: %T, %v", c.m13, m, err)
		}
		if m, err := ParseMessage(raw12, cipher.VersionTLS12); err != nil || reflect.TypeOf(m) != reflect.TypeOf(c.m12) {
			t.Errorf("%T under TLS 1.2: %T, %v", c.m12, m, err)
		}
		// Each version's bytes are refused under the other's layout.
		if _, err := ParseMessage(raw12, cipher.VersionTLS13); err == nil {
			t.Errorf("%T: TLS 1.2 bytes parsed as TLS 1.3", c.m12)
		}
	}
	// CertificateVerify keeps the TLS 1.2 layout in TLS 1.3.
	raw, _ := (&CertificateVerify{HasSignatureScheme: true, SignatureScheme: kex.Ed25519, Signature: []byte{1}}).Marshal()
	if m, err := ParseMessage(raw, cipher.VersionTLS13); err != nil || m.(*CertificateVerify).SignatureScheme != kex.Ed25519 {
		t.Errorf("CertificateVerify under TLS 1.3: %v", err)
	}
	// The messages only TLS 1.3 has parse whatever the version says; the
	// machine's type guard decides whether they are expected.
	for _, v := range []uint16{0, cipher.VersionTLS12, cipher.VersionTLS13} {
		for _, m := range []Message{&EncryptedExtensions{}, &KeyUpdate{UpdateRequested: true}} {
			raw, _ := m.Marshal()
			if got, err := ParseMessage(raw, v); err != nil || got.Type() != m.Type() {
				t.Errorf("%T under %#x: %v", m, v, err)
			}
		}
	}
}

// entry is a TLS 1.3 CertificateEntry: cert_data and an extensions block.
func entry(data []byte, exts ...[]byte) []byte {
	out := append([]byte{byte(len(data) >> 16), byte(len(data) >> 8), byte(len(data))}, data...)
	return append(out, block(exts...)...)
}

// cert13 is a TLS 1.3 Certificate with an empty context and the entries.
func cert13(entries ...[]byte) []byte {
	var list []byte
	for _, e := range entries {
		list = append(list, e...)
	}
	return hs(TypeCertificate, append([]byte{0, byte(len(list) >> 16), byte(len(list) >> 8), byte(len(list))}, list...)...)
}

// nst13 is a TLS 1.3 NewSessionTicket with a one-byte ticket and the
// extensions.
func nst13(exts ...[]byte) []byte {
	return hs(TypeNewSessionTicket, append([]byte{0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 7}, block(exts...)...)...)
}

var sigalgs = ext(ExtSignatureAlgorithms, 0, 2, 8, 7)

func TestMessage13DecodeErrors(t *testing.T) {
	decode, illegal, missing := record.AlertDecodeError, record.AlertIllegalParameter, record.AlertMissingExtension
	ee := func(exts ...[]byte) []byte { return hs(TypeEncryptedExtensions, block(exts...)...) }
	cr := func(exts ...[]byte) []byte {
		return hs(TypeCertificateRequest, append([]byte{0}, block(exts...)...)...)
	}
	ocsp := func(body ...byte) []byte { return ext(ExtStatusRequest, body...) }
	cases := []alertCase{
		// RFC 8446, Section 4.3.1.
		{"EncryptedExtensions empty body", hs(TypeEncryptedExtensions), decode},
		{"EncryptedExtensions block overruns", hs(TypeEncryptedExtensions, 0, 5, 0, 0, 0, 0), decode},
		{"EncryptedExtensions trailing", hs(TypeEncryptedExtensions, 0, 0, 0), decode},
		{"EncryptedExtensions duplicate", ee(ext(ExtServerName), ext(ExtServerName)), decode},
		{"EncryptedExtensions server_name data", ee(ext(ExtServerName, 0)), decode},
		{"EncryptedExtensions ALPN two names", ee(ext(ExtALPN, 0, 4, 1, 'a', 1, 'b')), decode},
		{"EncryptedExtensions supported_groups empty", ee(ext(ExtSupportedGroups, 0, 0)), decode},
		{"EncryptedExtensions supported_groups odd", ee(ext(ExtSupportedGroups, 0, 1, 0)), decode},
		{"EncryptedExtensions supported_groups trailing", ee(ext(ExtSupportedGroups, 0, 2, 0, 29, 0)), decode},
		{"EncryptedExtensions record_size_limit short", ee(ext(ExtRecordSizeLimit, 1)), decode},
		{"EncryptedExtensions record_size_limit 63", ee(ext(ExtRecordSizeLimit, 0, 63)), illegal},
		{"EncryptedExtensions early_data data", ee(ext(ExtEarlyData, 0)), decode},
		{"EncryptedExtensions key_share", ee(ext(ExtKeyShare, 0, 29, 0, 1, 1)), illegal},
		{"EncryptedExtensions extended_master_secret", ee(ext(ExtExtendedMasterSecret)), illegal},
		{"EncryptedExtensions status_request", ee(ext(ExtStatusRequest)), illegal},

		// RFC 8446, Section 4.4.2.
		{"Certificate13 no context", hs(TypeCertificate), decode},
		{"Certificate13 context overruns", hs(TypeCertificate, 5, 1), decode},
		{"Certificate13 no list", hs(TypeCertificate, 0), decode},
		{"Certificate13 list overruns", hs(TypeCertificate, 0, 0, 0, 9, 0, 0, 1, 1, 0, 0), decode},
		{"Certificate13 trailing after list", hs(TypeCertificate, 0, 0, 0, 0, 0), decode},
		{"Certificate13 TLS 1.2 body", hs(TypeCertificate, 0, 0, 4, 0, 0, 1, 0x30), decode},
		{"Certificate13 empty cert_data", cert13(entry(nil)), decode},
		{"Certificate13 entry without extensions", cert13([]byte{0, 0, 1, 0x30}), decode},
		{"Certificate13 entry extensions overrun", cert13([]byte{0, 0, 1, 0x30, 0, 4, 0, 5}), decode},
		{"Certificate13 entry duplicate", cert13(entry([]byte{1}, ocsp(1, 0, 0, 1, 0), ocsp(1, 0, 0, 1, 0))), decode},
		{"Certificate13 OCSP empty response", cert13(entry([]byte{1}, ocsp(1, 0, 0, 0))), decode},
		{"Certificate13 OCSP other status type", cert13(entry([]byte{1}, ocsp(2, 0, 0, 1, 0))), decode},
		{"Certificate13 OCSP overruns", cert13(entry([]byte{1}, ocsp(1, 0, 0, 2, 0))), decode},
		{"Certificate13 OCSP trailing", cert13(entry([]byte{1}, ocsp(1, 0, 0, 1, 0, 0))), decode},
		{"Certificate13 OCSP empty body", cert13(entry([]byte{1}, ocsp())), decode},
		{"Certificate13 SCT empty list", cert13(entry([]byte{1}, ext(ExtSCT, 0, 0))), decode},
		{"Certificate13 SCT empty entry", cert13(entry([]byte{1}, ext(ExtSCT, 0, 2, 0, 0))), decode},
		{"Certificate13 SCT trailing", cert13(entry([]byte{1}, ext(ExtSCT, 0, 3, 0, 1, 1, 0))), decode},
		{"Certificate13 server_name in an entry", cert13(entry([]byte{1}), entry([]byte{2}, ext(ExtServerName))), illegal},
		{"Certificate13 key_share in an entry", cert13(entry([]byte{1}, ext(ExtKeyShare, 0, 29, 0, 1, 1))), illegal},

		// RFC 8446, Section 4.3.2.
		{"CertificateRequest13 empty", hs(TypeCertificateRequest), decode},
		{"CertificateRequest13 context overruns", hs(TypeCertificateRequest, 3, 0, 0), decode},
		{"CertificateRequest13 no extensions", hs(TypeCertificateRequest, 0, 0, 0), decode},
		{"CertificateRequest13 extensions overrun", hs(TypeCertificateRequest, 0, 0, 9, 0, 13, 0, 4, 0, 2, 8, 7), decode},
		{"CertificateRequest13 trailing", setLength(append(cr(sigalgs), 0)), decode},
		{"CertificateRequest13 TLS 1.2 body", hs(TypeCertificateRequest, 1, 1, 0, 2, 8, 7, 0, 0), decode},
		{"CertificateRequest13 without signature_algorithms", cr(ext(0x1234)), missing},
		{"CertificateRequest13 signature_algorithms empty", cr(ext(ExtSignatureAlgorithms, 0, 0)), decode},
		{"CertificateRequest13 signature_algorithms odd", cr(ext(ExtSignatureAlgorithms, 0, 3, 8, 7, 8)), decode},
		{"CertificateRequest13 signature_algorithms_cert empty", cr(sigalgs, ext(ExtSignatureAlgorithmsCert, 0, 0)), decode},
		{"CertificateRequest13 certificate_authorities empty", cr(sigalgs, ext(ExtCertificateAuthorities, 0, 0)), decode},
		{"CertificateRequest13 certificate_authorities empty DN", cr(sigalgs, ext(ExtCertificateAuthorities, 0, 2, 0, 0)), decode},
		{"CertificateRequest13 certificate_authorities trailing", cr(sigalgs, ext(ExtCertificateAuthorities, 0, 3, 0, 1, 0x30, 0)), decode},
		{"CertificateRequest13 duplicate", cr(sigalgs, sigalgs), decode},
		{"CertificateRequest13 key_share", cr(sigalgs, ext(ExtKeyShare, 0, 29)), illegal},
		{"CertificateRequest13 server_name", cr(sigalgs, ext(ExtServerName)), illegal},

		// RFC 8446, Section 4.6.1.
		{"NewSessionTicket13 lifetime only", hs(TypeNewSessionTicket, 0, 0, 0, 1), decode},
		{"NewSessionTicket13 nonce overruns", hs(TypeNewSessionTicket, 0, 0, 0, 1, 0, 0, 0, 2, 5, 0), decode},
		{"NewSessionTicket13 empty ticket", hs(TypeNewSessionTicket, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0), decode},
		{"NewSessionTicket13 no extensions", hs(TypeNewSessionTicket, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 7), decode},
		{"NewSessionTicket13 TLS 1.2 body", hs(TypeNewSessionTicket, 0, 0, 0, 1, 0, 2, 1, 2), decode},
		{"NewSessionTicket13 trailing", setLength(append(nst13(), 0)), decode},
		{"NewSessionTicket13 early_data short", nst13(ext(ExtEarlyData, 0, 0, 4)), decode},
		{"NewSessionTicket13 early_data trailing", nst13(ext(ExtEarlyData, 0, 0, 4, 0, 0)), decode},
		{"NewSessionTicket13 duplicate", nst13(ext(0x7777), ext(0x7777)), decode},
		{"NewSessionTicket13 key_share", nst13(ext(ExtKeyShare, 0, 29)), illegal},

		// RFC 8446, Section 4.6.3.
		{"KeyUpdate empty", hs(TypeKeyUpdate), decode},
		{"KeyUpdate two bytes", hs(TypeKeyUpdate, 1, 0), decode},
		{"KeyUpdate value 2", hs(TypeKeyUpdate, 2), illegal},
		{"KeyUpdate value 255", hs(TypeKeyUpdate, 255), illegal},
	}
	checkAlerts(t, cases)
	// The builders make messages that parse.
	for _, raw := range [][]byte{ee(), cert13(entry([]byte{1}, ocsp(1, 0, 0, 1, 0))), cr(sigalgs), nst13(ext(0x7777))} {
		if _, err := ParseMessage(raw, cipher.VersionTLS13); err != nil {
			t.Fatalf("baseline %x: %v", raw, err)
		}
	}
}

// alertCase is a malformed message and the alert it must earn.
type alertCase struct {
	name  string
	raw   []byte
	alert record.AlertDescription
}

// checkAlerts parses each case as TLS 1.3 and checks that it fails with
// the case's alert and a "tls: " error.
func checkAlerts(t *testing.T, cases []alertCase) {
	t.Helper()
	for _, c := range cases {
		_, err := ParseMessage(c.raw, cipher.VersionTLS13)
		if err == nil {
			t.Errorf("%s: parsed", c.name)
			continue
		}
		if got := alertOf(err); got != c.alert || !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("%s: %v (alert %v), want alert %v", c.name, err, got, c.alert)
		}
	}
}

// hrrWith is a HelloRetryRequest carrying exts.
func hrrWith(exts ...[]byte) []byte {
	raw := serverHelloWith(exts...)
	copy(raw[6:38], helloRetryRequestRandom)
	return raw
}

// pskExt is a pre_shared_key with the given identities and binders
// blocks, each without its length.
func pskExt(ids, binders []byte) []byte {
	body := append([]byte{byte(len(ids) >> 8), byte(len(ids))}, ids...)
	body = append(append(body, byte(len(binders)>>8), byte(len(binders))), binders...)
	return ext(ExtPreSharedKey, body...)
}

func TestHello13DecodeErrors(t *testing.T) {
	decode, illegal := record.AlertDecodeError, record.AlertIllegalParameter
	id := []byte{0, 1, 'x', 0, 0, 0, 0}
	binder := append([]byte{32}, make([]byte, 32)...)
	psk := pskExt(id, binder)
	cases := []alertCase{
		// RFC 8446, Section 4.2.8.
		{"key_share empty key", clientHelloWith(ext(ExtKeyShare, 0, 4, 0, 29, 0, 0)), decode},
		{"key_share entry truncated", clientHelloWith(ext(ExtKeyShare, 0, 3, 0, 29, 0)), decode},
		{"key_share key overruns entry", clientHelloWith(ext(ExtKeyShare, 0, 5, 0, 29, 0, 2, 1)), decode},
		{"key_share list overruns", clientHelloWith(ext(ExtKeyShare, 0, 9, 0, 29, 0, 1, 1)), decode},
		{"key_share trailing", clientHelloWith(ext(ExtKeyShare, 0, 0, 0)), decode},
		{"key_share empty body", clientHelloWith(ext(ExtKeyShare)), decode},
		{"key_share duplicate group", clientHelloWith(ext(ExtKeyShare, 0, 10, 0, 29, 0, 1, 1, 0, 29, 0, 1, 2)), illegal},
		// RFC 8446, Section 4.2.9.
		{"psk_key_exchange_modes empty", clientHelloWith(ext(ExtPSKModes, 0)), decode},
		{"psk_key_exchange_modes overrun", clientHelloWith(ext(ExtPSKModes, 2, 1)), decode},
		{"psk_key_exchange_modes trailing", clientHelloWith(ext(ExtPSKModes, 1, 1, 0)), decode},
		// RFC 8446, Sections 4.2.10, 4.2.2, 4.2.3, 4.2.4, 4.2.6.
		{"early_data data", clientHelloWith(ext(ExtEarlyData, 0)), decode},
		{"cookie empty", clientHelloWith(ext(ExtCookie, 0, 0)), decode},
		{"cookie overruns", clientHelloWith(ext(ExtCookie, 0, 3, 1)), decode},
		{"cookie trailing", clientHelloWith(ext(ExtCookie, 0, 1, 1, 0)), decode},
		{"signature_algorithms_cert empty", clientHelloWith(ext(ExtSignatureAlgorithmsCert, 0, 0)), decode},
		{"signature_algorithms_cert odd", clientHelloWith(ext(ExtSignatureAlgorithmsCert, 0, 1, 4)), decode},
		{"certificate_authorities empty", clientHelloWith(ext(ExtCertificateAuthorities, 0, 0)), decode},
		{"certificate_authorities empty DN", clientHelloWith(ext(ExtCertificateAuthorities, 0, 2, 0, 0)), decode},
		{"certificate_authorities DN overruns", clientHelloWith(ext(ExtCertificateAuthorities, 0, 3, 0, 5, 0x30)), decode},
		{"post_handshake_auth data", clientHelloWith(ext(ExtPostHandshakeAuth, 0)), decode},
		// RFC 8446, Section 4.2.11.
		{"pre_shared_key not last", clientHelloWith(psk, ext(ExtExtendedMasterSecret)), illegal},
		{"pre_shared_key first of three", clientHelloWith(psk, ext(0x1234), ext(ExtKeyShare, 0, 0)), illegal},
		{"pre_shared_key no identities", clientHelloWith(pskExt(nil, binder)), decode},
		{"pre_shared_key empty identity", clientHelloWith(pskExt([]byte{0, 0, 0, 0, 0, 0}, binder)), decode},
		{"pre_shared_key identity without age", clientHelloWith(pskExt([]byte{0, 1, 'x', 0, 0, 0}, binder)), decode},
		{"pre_shared_key no binders", clientHelloWith(pskExt(id, nil)), decode},
		{"pre_shared_key binder of 31 bytes", clientHelloWith(pskExt(id, append([]byte{31}, make([]byte, 31)...))), decode},
		{"pre_shared_key binder overruns", clientHelloWith(pskExt(id, append([]byte{40}, make([]byte, 32)...))), decode},
		{"pre_shared_key trailing", clientHelloWith(append(psk[:2:2], append([]byte{0, byte(len(psk) - 3)}, append(psk[4:], 0)...)...)), decode},
		{"pre_shared_key missing binders block", clientHelloWith(ext(ExtPreSharedKey, append([]byte{0, 7}, id...)...)), decode},

		// RFC 8446, Sections 4.2.1, 4.2.8, 4.2.11 in a ServerHello.
		{"ServerHello supported_versions short", serverHelloWith(ext(ExtSupportedVersions, 3)), decode},
		{"ServerHello supported_versions list form", serverHelloWith(ext(ExtSupportedVersions, 2, 3, 4)), decode},
		{"ServerHello supported_versions 0", serverHelloWith(ext(ExtSupportedVersions, 0, 0)), illegal},
		{"ServerHello key_share empty key", serverHelloWith(ext(ExtKeyShare, 0, 29, 0, 0)), decode},
		{"ServerHello key_share trailing", serverHelloWith(ext(ExtKeyShare, 0, 29, 0, 1, 1, 0)), decode},
		{"ServerHello key_share selected_group form", serverHelloWith(ext(ExtKeyShare, 0, 29)), decode},
		{"ServerHello key_share list form", serverHelloWith(ext(ExtKeyShare, 0, 5, 0, 29, 0, 1, 1)), decode},
		{"ServerHello key_share group 0", serverHelloWith(ext(ExtKeyShare, 0, 0, 0, 1, 1)), illegal},
		{"ServerHello pre_shared_key short", serverHelloWith(ext(ExtPreSharedKey, 0)), decode},
		{"ServerHello pre_shared_key trailing", serverHelloWith(ext(ExtPreSharedKey, 0, 0, 0)), decode},
		{"ServerHello cookie empty", serverHelloWith(ext(ExtCookie, 0, 0)), decode},
		{"HelloRetryRequest key_share entry form", hrrWith(ext(ExtKeyShare, 0, 29, 0, 1, 1)), decode},
		{"HelloRetryRequest key_share short", hrrWith(ext(ExtKeyShare, 0)), decode},
		{"HelloRetryRequest selected_group 0", hrrWith(ext(ExtKeyShare, 0, 0)), illegal},
		{"HelloRetryRequest cookie empty", hrrWith(ext(ExtCookie, 0, 0)), decode},
		{"HelloRetryRequest cookie trailing", hrrWith(ext(ExtCookie, 0, 1, 1, 0)), decode},
	}
	checkAlerts(t, cases)
	// The well-formed versions of the same extensions parse.
	m, err := ParseMessage(clientHelloWith(ext(ExtKeyShare, 0, 10, 0, 29, 0, 1, 1, 0, 23, 0, 1, 2), ext(0x1234), psk), cipher.VersionTLS13)
	if err != nil {
		t.Fatal(err)
	}
	ch := m.(*ClientHello)
	if len(ch.KeyShares) != 2 || len(ch.PSKIdentities) != 1 || string(ch.PSKIdentities[0].Identity) != "x" || len(ch.PSKBinders) != 1 {
		t.Errorf("parsed %+v", ch)
	}
	m, err = ParseMessage(hrrWith(ext(ExtKeyShare, 0, 29), ext(ExtCookie, 0, 1, 7), ext(ExtSupportedVersions, 3, 4)), cipher.VersionTLS13)
	if err != nil {
		t.Fatal(err)
	}
	if hrr := m.(*ServerHello); !hrr.IsHelloRetryRequest() || hrr.SelectedGroup != kex.X25519 || hrr.KeyShare.Group != 0 ||
		!bytes.Equal(hrr.Cookie, []byte{7}) || hrr.SupportedVersion != 0x0304 {
		t.Errorf("HelloRetryRequest parsed %+v", hrr)
	}
}

// TestPreSharedKeyWrittenLast: Marshal puts pre_shared_key after padding,
// the last extension as RFC 8446, Section 4.2.11 requires, and the result
// parses.
func TestPreSharedKeyWrittenLast(t *testing.T) {
	m := fullClientHello13()
	m.PaddingLen = 7
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	n := len(m.Extensions)
	if n < 2 || m.Extensions[n-2] != ExtPadding || m.Extensions[n-1] != ExtPreSharedKey {
		t.Fatalf("extensions %v", m.Extensions)
	}
	if _, err := ParseMessage(raw, cipher.VersionTLS13); err != nil {
		t.Fatal(err)
	}
}

func TestHelloRetryRequest(t *testing.T) {
	// RFC 8446, Section 4.1.3: the Random is SHA-256("HelloRetryRequest").
	if sum := sha256.Sum256([]byte("HelloRetryRequest")); !bytes.Equal(sum[:], helloRetryRequestRandom) {
		t.Fatalf("HelloRetryRequest random %x", helloRetryRequestRandom)
	}
	hrr := NewHelloRetryRequest([]byte{1, 2, 3}, 0x1301, kex.X25519MLKEM768, []byte("c"))
	raw, err := hrr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// legacy_version 0x0303, the special random, the echoed session id,
	// the suite, null compression, then key_share, cookie and
	// supported_versions.
	want := append([]byte{2, 0, 0, 0, 3, 3}, helloRetryRequestRandom...)
	want = append(want, 3, 1, 2, 3, 0x13, 0x01, 0)
	want = append(want, block(ext(ExtKeyShare, 0x11, 0xec), ext(ExtCookie, 0, 1, 'c'), ext(ExtSupportedVersions, 3, 4))...)
	if !bytes.Equal(raw, setLength(want)) {
		t.Fatalf("HelloRetryRequest\n got %x\nwant %x", raw, want)
	}
	m, err := ParseMessage(raw, 0)
	if err != nil || !m.(*ServerHello).IsHelloRetryRequest() {
		t.Fatalf("parsed %+v, %v", m, err)
	}
	plain := &ServerHello{Random: make([]byte, 32)}
	if plain.IsHelloRetryRequest() {
		t.Error("an ordinary ServerHello counts as a HelloRetryRequest")
	}
}

func TestMarshal13RefusesInvalid(t *testing.T) {
	random := make([]byte, 32)
	ch := func(f func(*ClientHello)) *ClientHello {
		m := &ClientHello{Random: random, CipherSuites: []uint16{0x1301}, CompressionMethods: []uint8{0}}
		f(m)
		return m
	}
	binder := make([]byte, 32)
	cases := map[string]Message{
		"Certificate13 empty entry":           &Certificate13{Entries: []CertificateEntry{{Data: []byte{1}}, {}}},
		"Certificate13 256-byte context":      &Certificate13{RequestContext: make([]byte, 256)},
		"Certificate13 empty SCT":             &Certificate13{Entries: []CertificateEntry{{Data: []byte{1}, SCTs: [][]byte{{}}}}},
		"Certificate13 16 MiB OCSP":           &Certificate13{Entries: []CertificateEntry{{Data: []byte{1}, OCSPResponse: make([]byte, 1<<24)}}},
		"CertificateRequest13 no schemes":     &CertificateRequest13{},
		"CertificateRequest13 empty DN":       &CertificateRequest13{SignatureSchemes: []kex.SignatureScheme{1}, CertificateAuthorities: [][]byte{{}}},
		"CertificateRequest13 256 context":    &CertificateRequest13{SignatureSchemes: []kex.SignatureScheme{1}, RequestContext: make([]byte, 256)},
		"NewSessionTicket13 empty ticket":     &NewSessionTicket13{},
		"NewSessionTicket13 256-byte nonce":   &NewSessionTicket13{Ticket: []byte{1}, Nonce: make([]byte, 256)},
		"EncryptedExtensions record limit 63": &EncryptedExtensions{RecordSizeLimit: 63},
		"EncryptedExtensions 64 KiB groups":   &EncryptedExtensions{SupportedGroups: make([]kex.Group, 1<<15)},
		"ClientHello repeated key share group": ch(func(m *ClientHello) {
			m.KeyShares = []KeyShareEntry{{Group: kex.X25519, Data: []byte{1}}, {Group: kex.X25519, Data: []byte{2}}}
		}),
		"ClientHello empty key share":     ch(func(m *ClientHello) { m.KeyShares = []KeyShareEntry{{Group: kex.X25519}} }),
		"ClientHello empty PSK identity":  ch(func(m *ClientHello) { m.PSKIdentities, m.PSKBinders = []PSKIdentity{{}}, [][]byte{binder} }),
		"ClientHello PSK without binders": ch(func(m *ClientHello) { m.PSKIdentities = []PSKIdentity{{Identity: []byte{1}}} }),
		"ClientHello 31-byte binder": ch(func(m *ClientHello) {
			m.PSKIdentities, m.PSKBinders = []PSKIdentity{{Identity: []byte{1}}}, [][]byte{make([]byte, 31)}
		}),
		"ClientHello empty DN":                ch(func(m *ClientHello) { m.CertificateAuthorities = [][]byte{{}} }),
		"ServerHello selected_group, not HRR": &ServerHello{Random: random, SelectedGroup: kex.X25519},
		"ServerHello key share entry in HRR":  &ServerHello{Random: helloRetryRequestRandom, KeyShare: KeyShareEntry{Group: kex.X25519, Data: []byte{1}}},
		"ServerHello empty key share":         &ServerHello{Random: random, KeyShare: KeyShareEntry{Group: kex.X25519}},
		"ServerHello key share without group": &ServerHello{Random: random, KeyShare: KeyShareEntry{Data: []byte{1}}},
		"ServerHello 64 KiB key share":        &ServerHello{Random: random, KeyShare: KeyShareEntry{Group: kex.X25519, Data: make([]byte, 1<<16)}},
		"ClientHello 64 KiB cookie":           ch(func(m *ClientHello) { m.Cookie = make([]byte, 1<<16) }),
		"ClientHello 256 PSK modes":           ch(func(m *ClientHello) { m.PSKModes = make([]uint8, 256) }),
		"ClientHello 256-byte binder": ch(func(m *ClientHello) {
			m.PSKIdentities, m.PSKBinders = []PSKIdentity{{Identity: []byte{1}}}, [][]byte{make([]byte, 256)}
		}),
		"KeyUpdate is always valid (control)":  nil,
		"CertificateRequest13 64 KiB DN":       &CertificateRequest13{SignatureSchemes: []kex.SignatureScheme{1}, CertificateAuthorities: [][]byte{make([]byte, 1<<16)}},
		"NewSessionTicket13 64 KiB ticket":     &NewSessionTicket13{Ticket: make([]byte, 1<<16)},
		"ClientHello 64 KiB certificate names": ch(func(m *ClientHello) { m.CertificateAuthorities = [][]byte{make([]byte, 1<<16)} }),
	}
	for name, m := range cases {
		if m == nil {
			continue
		}
		if raw, err := m.Marshal(); err == nil {
			t.Errorf("%s: marshaled to %d bytes", name, len(raw))
		} else if !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("%s: error %q lacks the tls: prefix", name, err)
		}
	}
}

// TestAllowed13Table checks the RFC 8446, Section 4.2 table against the
// names this package knows: every named extension has a row, so none
// slips through checkAllowed13 as unknown.
func TestAllowed13Table(t *testing.T) {
	for e := range extNames {
		if _, ok := allowed13[e]; !ok {
			t.Errorf("%v has no row in allowed13", e)
		}
	}
	for _, name := range []string{"EncryptedExtensions", "KeyUpdate", "message_hash"} {
		found := false
		for _, typ := range []MessageType{TypeEncryptedExtensions, TypeKeyUpdate, TypeMessageHash} {
			found = found || typ.String() == name
		}
		if !found {
			t.Errorf("no message type prints as %s", name)
		}
	}
	if got := fmt.Sprint(ExtKeyShare, ExtPreSharedKey, ExtSignatureAlgorithmsCert); got != "key_share pre_shared_key signature_algorithms_cert" {
		t.Errorf("names %q", got)
	}
}
