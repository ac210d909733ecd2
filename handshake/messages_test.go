package handshake

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	gotls "crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// sample is one populated message and the version it is parsed under.
type sample struct {
	name    string
	version uint16
	msg     Message
}

func sampleMessages() []sample {
	random := bytes.Repeat([]byte{0xab}, 32)
	return append([]sample{
		{"HelloRequest", 0, &HelloRequest{}},
		{"ClientHello/minimal", 0, &ClientHello{Version: 0x0303, Random: random, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}}},
		{"ClientHello/empty extensions", 0, &ClientHello{Version: 0x0301, Random: random, CipherSuites: []uint16{0x002f, SCSVRenegotiation},
			CompressionMethods: []uint8{1, 0}, HasExtensions: true}},
		{"ClientHello/full", 0, fullClientHello()},
		{"ServerHello/minimal", 0, &ServerHello{Version: 0x0303, Random: random, CipherSuite: 0xc02f}},
		{"ServerHello/empty extensions", 0, &ServerHello{Version: 0x0302, Random: random, SessionID: make([]byte, 32), CipherSuite: 0xc013, HasExtensions: true}},
		{"ServerHello/full", 0, fullServerHello()},
		{"Certificate/empty", 0, &Certificate{}},
		{"Certificate/chain", 0, &Certificate{Certificates: [][]byte{{1, 2, 3}, bytes.Repeat([]byte{4}, 1000), {5}}}},
		{"ServerKeyExchange/ECDHE", 0x0303, &ServerKeyExchange{Body: MarshalSignedParams(MarshalECDHEParams(kex.X25519, make([]byte, 32)), true, kex.ECDSAWithP256AndSHA256, []byte{5, 6})}},
		{"ServerKeyExchange/DHE", 0x0302, &ServerKeyExchange{Body: MarshalSignedParams(MarshalDHEParams([]byte{0xff, 0xfb}, []byte{2}, []byte{7, 7}), false, 0, []byte{5})}},
		{"CertificateRequest/TLS1.2", 0x0303, &CertificateRequest{HasSignatureSchemes: true, CertificateTypes: []uint8{1, 64},
			SignatureSchemes: []kex.SignatureScheme{kex.PSSWithSHA256, kex.ECDSAWithP256AndSHA256}, CertificateAuthorities: [][]byte{{0x30, 0}, {0x30, 1, 0}}}},
		{"CertificateRequest/TLS1.2 no CAs", 0x0303, &CertificateRequest{HasSignatureSchemes: true, CertificateTypes: []uint8{1}, SignatureSchemes: []kex.SignatureScheme{kex.Ed25519}}},
		{"CertificateRequest/TLS1.1", 0x0302, &CertificateRequest{CertificateTypes: []uint8{1}, CertificateAuthorities: [][]byte{{0x30, 0}}}},
		{"CertificateRequest/TLS1.0 bare", 0x0301, &CertificateRequest{CertificateTypes: []uint8{64}}},
		{"ServerHelloDone", 0, &ServerHelloDone{}},
		{"ClientKeyExchange/ECDHE", 0, &ClientKeyExchange{Body: MarshalECDHEClientPublic(make([]byte, 65))}},
		{"ClientKeyExchange/RSA", 0, &ClientKeyExchange{Body: MarshalRSAOrDHClientBody(make([]byte, 256))}},
		{"CertificateVerify/TLS1.2", 0x0303, &CertificateVerify{HasSignatureScheme: true, SignatureScheme: kex.Ed25519, Signature: []byte{1}}},
		{"CertificateVerify/TLS1.1", 0x0302, &CertificateVerify{Signature: []byte{1, 2}}},
		{"Finished", 0, &Finished{VerifyData: make([]byte, 12)}},
		{"Finished/SSLv3-sized", 0, &Finished{VerifyData: make([]byte, 36)}},
		{"NewSessionTicket", 0, &NewSessionTicket{LifetimeHint: 300, Ticket: []byte("opaque")}},
		{"NewSessionTicket/empty", 0, &NewSessionTicket{}},
		{"CertificateStatus", 0, &CertificateStatus{Response: []byte{0x30, 0x00}}},
		{"NextProtocol", 0, &NextProtocol{Protocol: "h2"}},
		{"NextProtocol/empty", 0, &NextProtocol{}},
		{"NextProtocol/30 bytes", 0, &NextProtocol{Protocol: strings.Repeat("p", 30)}},
		{"NextProtocol/255 bytes", 0, &NextProtocol{Protocol: strings.Repeat("p", 255)}},
	}, samples13()...)
}

func fullClientHello() *ClientHello {
	return &ClientHello{Version: 0x0303, Random: bytes.Repeat([]byte{0xab}, 32), SessionID: bytes.Repeat([]byte{1}, 32),
		CipherSuites: []uint16{0xc02b, 0xcca8, SCSVRenegotiation, SCSVFallback}, CompressionMethods: []uint8{0},
		HasExtensions: true, ServerName: "example.com", SupportedGroups: []kex.Group{kex.X25519, kex.P256},
		SupportedPoints: []uint8{0}, SignatureSchemes: []kex.SignatureScheme{kex.ECDSAWithP256AndSHA256, kex.PSSWithSHA256},
		ALPNProtocols: []string{"h2", "http/1.1"}, ExtendedMasterSecret: true, SecureRenegotiationSupported: true,
		SecureRenegotiation: bytes.Repeat([]byte{3}, 12), OCSPStapling: true, TicketSupported: true,
		SessionTicket: []byte("ticket"), NextProtoNeg: true, EncryptThenMAC: true, SCT: true,
		SupportedVersions: []uint16{0x0304, 0x0303}}
}

func fullServerHello() *ServerHello {
	return &ServerHello{Version: 0x0303, Random: bytes.Repeat([]byte{0xcd}, 32), SessionID: []byte{1, 2, 3}, CipherSuite: 0xc02f,
		HasExtensions: true, SecureRenegotiationSupported: true, SecureRenegotiation: bytes.Repeat([]byte{9}, 24),
		ExtendedMasterSecret: true, ALPNProtocol: "h2", OCSPStapling: true, TicketSupported: true, SupportedPoints: []uint8{0},
		NextProtoNeg: true, NextProtos: []string{"a", "b"}, ServerNameAck: true, EncryptThenMAC: true}
}

// canonical returns a copy of m with Raw cleared, the Extensions of hellos
// cleared and empty slices as nil, for comparing content with DeepEqual.
func canonical(m Message) Message {
	v := reflect.New(reflect.TypeOf(m).Elem())
	v.Elem().Set(reflect.ValueOf(m).Elem())
	e := v.Elem()
	e.FieldByName("Raw").SetBytes(nil)
	if f := e.FieldByName("Extensions"); f.IsValid() {
		f.Set(reflect.Zero(f.Type()))
	}
	for i := 0; i < e.NumField(); i++ {
		if f := e.Field(i); f.Kind() == reflect.Slice && f.Len() == 0 {
			f.Set(reflect.Zero(f.Type()))
		}
	}
	return v.Interface().(Message)
}

func rawOf(m Message) []byte { return reflect.ValueOf(m).Elem().FieldByName("Raw").Bytes() }

// setLength rewrites the uint24 length of a handshake message to cover the
// rest of msg.
func setLength(msg []byte) []byte {
	n := len(msg) - 4
	msg[1], msg[2], msg[3] = byte(n>>16), byte(n>>8), byte(n)
	return msg
}

// fresh returns an empty message of m's type with the layout flags of m.
func fresh(m Message) Message {
	switch m := m.(type) {
	case *CertificateRequest:
		return &CertificateRequest{HasSignatureSchemes: m.HasSignatureSchemes}
	case *CertificateVerify:
		return &CertificateVerify{HasSignatureScheme: m.HasSignatureScheme}
	}
	return reflect.New(reflect.TypeOf(m).Elem()).Interface().(Message)
}

func TestRoundTrip(t *testing.T) {
	for _, s := range sampleMessages() {
		t.Run(s.name, func(t *testing.T) {
			raw, err := s.msg.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if MessageType(raw[0]) != s.msg.Type() {
				t.Fatalf("header type %d, want %v", raw[0], s.msg.Type())
			}
			got, err := ParseMessage(raw, s.version)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rawOf(got), raw) {
				t.Fatal("Raw differs from the input")
			}
			if !reflect.DeepEqual(canonical(got), canonical(s.msg)) {
				t.Fatalf("\n got %+v\nwant %+v", canonical(got), canonical(s.msg))
			}
			again, err := got.Marshal()
			if err != nil || !bytes.Equal(again, raw) {
				t.Fatalf("re-marshal differs (%v)", err)
			}
			// Unmarshal straight into the struct agrees with ParseMessage.
			direct := fresh(s.msg)
			if err := direct.Unmarshal(raw); err != nil || !reflect.DeepEqual(direct, got) {
				t.Fatalf("direct Unmarshal: %v\n got %+v\nwant %+v", err, direct, got)
			}
		})
	}
}

// TestTruncationsFail checks that no strict prefix of a message parses,
// neither cut at the end nor cut inside the body with the header length
// corrected, and that no extra trailing byte is accepted.
func TestTruncationsFail(t *testing.T) {
	for _, s := range sampleMessages() {
		raw, err := s.msg.Marshal()
		if err != nil {
			t.Fatal(s.name, err)
		}
		opaque := false
		switch s.msg.(type) {
		case *ServerKeyExchange, *ClientKeyExchange, *Finished:
			opaque = true // the body's structure is not this layer's
		}
		for i := 0; i < len(raw); i++ {
			if _, err := ParseMessage(raw[:i], s.version); err == nil {
				t.Errorf("%s: prefix of %d/%d bytes parsed", s.name, i, len(raw))
			}
			if err := fresh(s.msg).Unmarshal(raw[:i]); !errors.Is(err, record.ErrDecode) {
				t.Errorf("%s: Unmarshal of %d/%d bytes: %v", s.name, i, len(raw), err)
			}
		}
		for i := 4; i < len(raw) && !opaque; i++ {
			cut := setLength(append([]byte(nil), raw[:i]...))
			m, err := ParseMessage(cut, s.version)
			if err != nil {
				continue
			}
			// The one legal cut of a hello drops the whole extensions
			// block, which is optional.
			if h, ok := m.(*ClientHello); ok && !h.HasExtensions && s.msg.(*ClientHello).HasExtensions {
				continue
			}
			if h, ok := m.(*ServerHello); ok && !h.HasExtensions && s.msg.(*ServerHello).HasExtensions {
				continue
			}
			t.Errorf("%s: body cut to %d bytes parsed", s.name, i-4)
		}
		// One more byte after the message, outside its length.
		if _, err := ParseMessage(append(append([]byte(nil), raw...), 0), s.version); err == nil {
			t.Errorf("%s: byte after the message accepted", s.name)
		}
		// One more byte inside the body.
		if !opaque {
			long := setLength(append(append([]byte(nil), raw...), 0))
			if _, err := ParseMessage(long, s.version); err == nil {
				t.Errorf("%s: trailing byte in the body accepted", s.name)
			}
		}
	}
}

func TestUnmarshalCopiesInput(t *testing.T) {
	for _, s := range sampleMessages() {
		raw, _ := s.msg.Marshal()
		in := append([]byte(nil), raw...)
		m, err := ParseMessage(in, s.version)
		if err != nil {
			t.Fatal(s.name, err)
		}
		before := fmt.Sprintf("%+v", m)
		for i := range in {
			in[i] ^= 0xff
		}
		if after := fmt.Sprintf("%+v", m); after != before {
			t.Errorf("%s: the message aliases the caller's buffer", s.name)
		}
	}
}

// TestHelloRandomsOwnTheirBytes: a hello's random and session id, which
// the connection state, key log and sessions keep after the handshake, do
// not share the parsed message's bytes, so keeping them does not keep the
// message (a TLS 1.3 ClientHello with a hybrid share is 1.5 KB that an
// idle connection held, issue 16).
func TestHelloRandomsOwnTheirBytes(t *testing.T) {
	for _, m := range []interface {
		Message
		fields() (random, sid []byte)
	}{&ClientHello{}, &ServerHello{}} {
		var raw []byte
		switch m.(type) {
		case *ClientHello:
			raw, _ = fullClientHello().Marshal()
		case *ServerHello:
			raw, _ = fullServerHello().Marshal()
		}
		if err := m.Unmarshal(raw); err != nil {
			t.Fatal(err)
		}
		random, sid := m.fields()
		if len(random) != 32 || cap(random) != 32 || len(sid) == 0 {
			t.Fatalf("%T: random %d bytes (cap %d), session id %d bytes", m, len(random), cap(random), len(sid))
		}
		wantRandom, wantSID := bytes.Clone(random), bytes.Clone(sid)
		msgRaw := m.(interface{ rawBytes() []byte }).rawBytes()
		for i := range msgRaw {
			msgRaw[i] ^= 0xff
		}
		if !bytes.Equal(random, wantRandom) || !bytes.Equal(sid, wantSID) {
			t.Errorf("%T: the random or session id shares the message's bytes", m)
		}
	}
}

func (m *ClientHello) fields() (random, sid []byte) { return m.Random, m.SessionID }
func (m *ServerHello) fields() (random, sid []byte) { return m.Random, m.SessionID }
func (m *ClientHello) rawBytes() []byte             { return m.Raw }
func (m *ServerHello) rawBytes() []byte             { return m.Raw }

// hs builds a handshake message from its type and body.
func hs(t MessageType, body ...byte) []byte {
	return append([]byte{byte(t), byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

func TestMessageDecodeErrors(t *testing.T) {
	cases := []struct {
		name    string
		version uint16
		raw     []byte
	}{
		{"empty input", 0, nil},
		{"short header", 0, []byte{14, 0, 0}},
		{"unknown type", 0, hs(3)},
		{"unknown type 255", 0, hs(255)},
		{"length beyond the data", 0, []byte{14, 0, 0, 1}},
		{"length short of the data", 0, []byte{14, 0, 0, 0, 0}},
		{"HelloRequest with a body", 0, hs(TypeHelloRequest, 0)},
		{"ServerHelloDone with a body", 0, hs(TypeServerHelloDone, 0)},
		{"Certificate without a list", 0, hs(TypeCertificate)},
		{"Certificate list too long", 0, hs(TypeCertificate, 0, 0, 5, 0, 0, 1, 1)},
		{"Certificate list too short", 0, hs(TypeCertificate, 0, 0, 3, 0, 0, 1, 1)},
		{"Certificate empty entry", 0, hs(TypeCertificate, 0, 0, 3, 0, 0, 0)},
		{"Certificate trailing after list", 0, hs(TypeCertificate, 0, 0, 0, 0)},
		{"ServerKeyExchange empty", 0, hs(TypeServerKeyExchange)},
		{"ClientKeyExchange empty", 0, hs(TypeClientKeyExchange)},
		{"CertificateRequest empty types", 0x0303, hs(TypeCertificateRequest, 0, 0, 2, 4, 1, 0, 0)},
		{"CertificateRequest empty schemes", 0x0303, hs(TypeCertificateRequest, 1, 1, 0, 0, 0, 0)},
		{"CertificateRequest odd schemes", 0x0303, hs(TypeCertificateRequest, 1, 1, 0, 3, 4, 1, 5, 0, 0)},
		{"CertificateRequest TLS1.2 without schemes", 0x0303, hs(TypeCertificateRequest, 1, 1, 0, 0)},
		{"CertificateRequest TLS1.2 layout read as TLS1.1", 0x0302, hs(TypeCertificateRequest, 1, 1, 0, 2, 4, 1, 0, 0)},
		{"CertificateRequest empty DN", 0x0302, hs(TypeCertificateRequest, 1, 1, 0, 2, 0, 0)},
		{"CertificateRequest DN overruns list", 0x0302, hs(TypeCertificateRequest, 1, 1, 0, 3, 0, 2, 0x30)},
		{"CertificateRequest trailing", 0x0302, hs(TypeCertificateRequest, 1, 1, 0, 0, 0)},
		{"CertificateVerify TLS1.2 no scheme", 0x0303, hs(TypeCertificateVerify, 4)},
		{"CertificateVerify empty signature", 0x0303, hs(TypeCertificateVerify, 4, 3, 0, 0)},
		{"CertificateVerify signature overruns", 0x0302, hs(TypeCertificateVerify, 0, 3, 1, 2)},
		{"CertificateVerify trailing", 0x0302, hs(TypeCertificateVerify, 0, 1, 1, 9)},
		{"NewSessionTicket short hint", 0, hs(TypeNewSessionTicket, 0, 0, 1)},
		{"NewSessionTicket ticket overruns", 0, hs(TypeNewSessionTicket, 0, 0, 0, 1, 0, 2, 1)},
		{"CertificateStatus wrong type", 0, hs(TypeCertificateStatus, 2, 0, 0, 1, 0)},
		{"CertificateStatus empty response", 0, hs(TypeCertificateStatus, 1, 0, 0, 0)},
		{"CertificateStatus no type", 0, hs(TypeCertificateStatus)},
		{"CertificateStatus trailing", 0, hs(TypeCertificateStatus, 1, 0, 0, 1, 0x30, 0)},
		{"NextProtocol no padding", 0, hs(TypeNextProtocol, 2, 'h', '2')},
		{"NextProtocol padding overruns", 0, hs(TypeNextProtocol, 0, 5, 0)},
		{"NextProtocol trailing", 0, hs(TypeNextProtocol, 0, 0, 0)},
	}
	for _, c := range cases {
		_, err := ParseMessage(c.raw, c.version)
		if !errors.Is(err, record.ErrDecode) || !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("%s: got %v, want a decode error", c.name, err)
		}
	}
}

// TestHeaderChecks covers the type check of Unmarshal and the size cap.
func TestHeaderChecks(t *testing.T) {
	raw, _ := (&Finished{VerifyData: make([]byte, 12)}).Marshal()
	raw[0] = byte(TypeServerHelloDone)
	if err := new(Finished).Unmarshal(raw); !errors.Is(err, record.ErrDecode) || !strings.Contains(err.Error(), "type") {
		t.Errorf("Finished under another type: %v", err)
	}
	// The codecs apply each type's fixed cap; the configurable
	// Certificate cap is the Reassembler's (TestReassemblerCaps).
	atCap := hs(TypeFinished)
	atCap = setLength(append(atCap, make([]byte, maxSmallMessageSize)...))
	if _, err := ParseMessage(atCap, 0); err != nil {
		t.Errorf("Finished body at its cap: %v", err)
	}
	over := setLength(append(atCap, 0))
	if _, err := ParseMessage(over, 0); !errors.Is(err, record.ErrDecode) || !strings.Contains(err.Error(), "too long") {
		t.Errorf("Finished body over its cap: %v", err)
	}
	hello := setLength(append(hs(TypeClientHello), make([]byte, MaxClientHelloSize+1)...))
	if _, err := ParseMessage(hello, 0); !errors.Is(err, record.ErrDecode) || !strings.Contains(err.Error(), "too long") {
		t.Errorf("ClientHello over MaxClientHelloSize: %v", err)
	}
}

func TestMarshalRefusesInvalid(t *testing.T) {
	cases := map[string]Message{
		"Certificate empty entry":         &Certificate{Certificates: [][]byte{{1}, {}}},
		"ServerKeyExchange empty":         &ServerKeyExchange{},
		"ClientKeyExchange empty":         &ClientKeyExchange{},
		"CertificateRequest no types":     &CertificateRequest{},
		"CertificateRequest no schemes":   &CertificateRequest{HasSignatureSchemes: true, CertificateTypes: []uint8{1}},
		"CertificateRequest empty DN":     &CertificateRequest{CertificateTypes: []uint8{1}, CertificateAuthorities: [][]byte{{}}},
		"CertificateVerify no signature":  &CertificateVerify{HasSignatureScheme: true},
		"CertificateStatus no response":   &CertificateStatus{},
		"NextProtocol 256-byte protocol":  &NextProtocol{Protocol: strings.Repeat("x", 256)},
		"Finished over uint24":            &Finished{VerifyData: make([]byte, 1<<24)},
		"ClientHello short random":        &ClientHello{Random: make([]byte, 31), CipherSuites: []uint16{1}, CompressionMethods: []uint8{0}},
		"ClientHello 33-byte session id":  &ClientHello{Random: make([]byte, 32), SessionID: make([]byte, 33), CipherSuites: []uint16{1}, CompressionMethods: []uint8{0}},
		"ServerHello long random":         &ServerHello{Random: make([]byte, 33)},
		"ServerHello 33-byte session id":  &ServerHello{Random: make([]byte, 32), SessionID: make([]byte, 33)},
		"NewSessionTicket 64 KiB ticket":  &NewSessionTicket{Ticket: make([]byte, 1<<16)},
		"CertificateVerify 64 KiB":        &CertificateVerify{Signature: make([]byte, 1<<16)},
		"CertificateRequest 64 KiB DN":    &CertificateRequest{CertificateTypes: []uint8{1}, CertificateAuthorities: [][]byte{make([]byte, 1<<16)}},
		"CertificateRequest 256 types":    &CertificateRequest{CertificateTypes: make([]uint8, 256)},
		"CertificateStatus 16 MiB answer": &CertificateStatus{Response: make([]byte, 1<<24)},
	}
	for name, m := range cases {
		if raw, err := m.Marshal(); err == nil {
			t.Errorf("%s: marshaled to %d bytes", name, len(raw))
		} else if !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("%s: error %q lacks the tls: prefix", name, err)
		}
	}
}

func TestParseMessageVersionLayouts(t *testing.T) {
	cr := &CertificateRequest{HasSignatureSchemes: true, CertificateTypes: []uint8{1}, SignatureSchemes: []kex.SignatureScheme{kex.PKCS1WithSHA256}}
	raw, _ := cr.Marshal()
	// TLS 1.3 has its own layout (TestParseMessageDispatchesTLS13).
	for _, v := range []uint16{0x0303} {
		m, err := ParseMessage(raw, v)
		if err != nil || !m.(*CertificateRequest).HasSignatureSchemes {
			t.Errorf("version %#x: %v", v, err)
		}
	}
	cv := &CertificateVerify{Signature: []byte{1, 2, 3}}
	raw, _ = cv.Marshal()
	for _, v := range []uint16{0, 0x0300, 0x0301, 0x0302} {
		m, err := ParseMessage(raw, v)
		if err != nil || m.(*CertificateVerify).HasSignatureScheme {
			t.Errorf("version %#x: %v", v, err)
		}
	}
	// The same bytes read under TLS 1.2 take the first two as the scheme.
	withScheme := setLength(append(hs(TypeCertificateVerify, 8, 7), raw[4:]...))
	m, err := ParseMessage(withScheme, 0x0303)
	if err != nil || m.(*CertificateVerify).SignatureScheme != kex.Ed25519 || !bytes.Equal(m.(*CertificateVerify).Signature, []byte{1, 2, 3}) {
		t.Errorf("TLS 1.2 CertificateVerify: %+v, %v", m, err)
	}
}

func TestNextProtocolPadding(t *testing.T) {
	for n := 0; n <= 255; n++ {
		raw, err := (&NextProtocol{Protocol: strings.Repeat("a", n)}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		body := raw[4:]
		// draft-agl-tls-nextprotoneg-04, Section 4: the padding makes
		// the body a multiple of 32 bytes, and is zero.
		if len(body)%32 != 0 {
			t.Errorf("protocol of %d bytes: body of %d bytes", n, len(body))
		}
		if pad := body[n+2:]; bytes.Count(pad, []byte{0}) != len(pad) {
			t.Errorf("protocol of %d bytes: non-zero padding", n)
		}
	}
	// Any padding is accepted on the way in.
	for _, pad := range [][]byte{nil, {1}, bytes.Repeat([]byte{0xff}, 255)} {
		body := append([]byte{2, 'h', '2', byte(len(pad))}, pad...)
		m, err := ParseMessage(hs(TypeNextProtocol, body...), 0)
		if err != nil || m.(*NextProtocol).Protocol != "h2" {
			t.Errorf("padding of %d bytes: %v", len(pad), err)
		}
	}
}

func TestTypeStrings(t *testing.T) {
	cases := map[fmt.Stringer]string{
		TypeClientHello:         "ClientHello",
		TypeNextProtocol:        "NextProtocol",
		TypeCertificateStatus:   "CertificateStatus",
		MessageType(99):         "MessageType(99)",
		ExtALPN:                 "application_layer_protocol_negotiation",
		ExtRenegotiationInfo:    "renegotiation_info",
		ExtensionType(0x1234):   "extension(4660)",
		ExtExtendedMasterSecret: "extended_master_secret",
	}
	for v, want := range cases {
		if got := v.String(); got != want {
			t.Errorf("%#v: %q, want %q", v, got, want)
		}
	}
	for _, s := range sampleMessages() {
		if strings.HasPrefix(s.msg.Type().String(), "MessageType(") {
			t.Errorf("%s has no name", s.name)
		}
	}
}

func TestECDHEParams(t *testing.T) {
	pub := bytes.Repeat([]byte{4}, 65)
	params := MarshalECDHEParams(kex.P256, pub)
	if want := append([]byte{3, 0, 23, 65}, pub...); !bytes.Equal(params, want) {
		t.Fatalf("params % x", params)
	}
	for _, hasScheme := range []bool{true, false} {
		body := MarshalSignedParams(params, hasScheme, kex.ECDSAWithP256AndSHA256, []byte{9, 8, 7})
		p, err := ParseECDHEParams(body, hasScheme)
		if err != nil {
			t.Fatal(err)
		}
		want := &ECDHEParams{Group: kex.P256, Public: pub, Params: params, HasScheme: hasScheme, Signature: []byte{9, 8, 7}}
		if hasScheme {
			want.Scheme = kex.ECDSAWithP256AndSHA256
		}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("hasScheme=%v: %+v", hasScheme, p)
		}
		for i := 0; i < len(body); i++ {
			if _, err := ParseECDHEParams(body[:i], hasScheme); !errors.Is(err, record.ErrDecode) {
				t.Errorf("prefix of %d bytes: %v", i, err)
			}
		}
		if _, err := ParseECDHEParams(append(body, 0), hasScheme); !errors.Is(err, record.ErrDecode) {
			t.Errorf("trailing byte: %v", err)
		}
	}
	bad := map[string][]byte{
		"explicit_prime curve": append([]byte{1, 0, 23, 1, 4}, 0, 1, 1),
		"explicit_char2 curve": append([]byte{2, 0, 23, 1, 4}, 0, 1, 1),
		"empty point":          {3, 0, 29, 0, 0, 1, 1},
		"empty signature":      {3, 0, 29, 1, 9, 0, 0},
		"point overruns":       {3, 0, 29, 9, 1},
	}
	for name, body := range bad {
		if _, err := ParseECDHEParams(body, false); !errors.Is(err, record.ErrDecode) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDHEParams(t *testing.T) {
	params := MarshalDHEParams([]byte{0xff, 0xff, 0xfb}, []byte{2}, []byte{1, 2, 3})
	if want := []byte{0, 3, 0xff, 0xff, 0xfb, 0, 1, 2, 0, 3, 1, 2, 3}; !bytes.Equal(params, want) {
		t.Fatalf("params % x", params)
	}
	for _, hasScheme := range []bool{true, false} {
		body := MarshalSignedParams(params, hasScheme, kex.PKCS1WithSHA256, []byte{5})
		p, err := ParseDHEParams(body, hasScheme)
		if err != nil {
			t.Fatal(err)
		}
		want := &DHEParams{P: []byte{0xff, 0xff, 0xfb}, G: []byte{2}, Public: []byte{1, 2, 3}, Params: params, HasScheme: hasScheme, Signature: []byte{5}}
		if hasScheme {
			want.Scheme = kex.PKCS1WithSHA256
		}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("hasScheme=%v: %+v", hasScheme, p)
		}
		for i := 0; i < len(body); i++ {
			if _, err := ParseDHEParams(body[:i], hasScheme); !errors.Is(err, record.ErrDecode) {
				t.Errorf("prefix of %d bytes: %v", i, err)
			}
		}
		if _, err := ParseDHEParams(append(body, 0), hasScheme); !errors.Is(err, record.ErrDecode) {
			t.Errorf("trailing byte: %v", err)
		}
	}
	bad := map[string][]byte{
		"empty p":       {0, 0, 0, 1, 2, 0, 1, 3, 0, 1, 1},
		"empty g":       {0, 1, 7, 0, 0, 0, 1, 3, 0, 1, 1},
		"empty Ys":      {0, 1, 7, 0, 1, 2, 0, 0, 0, 1, 1},
		"p overruns":    {0, 9, 7},
		"no signature":  {0, 1, 7, 0, 1, 2, 0, 1, 3},
		"empty sig":     {0, 1, 7, 0, 1, 2, 0, 1, 3, 0, 0},
		"sig overruns":  {0, 1, 7, 0, 1, 2, 0, 1, 3, 0, 2, 1},
		"sig then junk": {0, 1, 7, 0, 1, 2, 0, 1, 3, 0, 1, 1, 0},
	}
	for name, body := range bad {
		if _, err := ParseDHEParams(body, false); !errors.Is(err, record.ErrDecode) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestClientKeyExchangeBodies(t *testing.T) {
	pub := bytes.Repeat([]byte{7}, 32)
	body := MarshalECDHEClientPublic(pub)
	if got, err := ParseECDHEClientPublic(body); err != nil || !bytes.Equal(got, pub) || body[0] != 32 {
		t.Errorf("ECDHE: % x, %v", got, err)
	}
	enc := bytes.Repeat([]byte{8}, 256)
	body = MarshalRSAOrDHClientBody(enc)
	if got, err := ParseRSAOrDHClientBody(body); err != nil || !bytes.Equal(got, enc) || body[0] != 1 || body[1] != 0 {
		t.Errorf("RSA: %v", err)
	}
	for name, b := range map[string][]byte{"empty": nil, "zero length": {0}, "overrun": {2, 1}, "trailing": {1, 1, 1}} {
		if _, err := ParseECDHEClientPublic(b); !errors.Is(err, record.ErrDecode) {
			t.Errorf("ECDHE %s: %v", name, err)
		}
	}
	for name, b := range map[string][]byte{"empty": nil, "short length": {0}, "zero length": {0, 0}, "overrun": {0, 2, 1}, "trailing": {0, 1, 1, 1}} {
		if _, err := ParseRSAOrDHClientBody(b); !errors.Is(err, record.ErrDecode) {
			t.Errorf("RSA %s: %v", name, err)
		}
	}
}

// TestGoTLSHandshake records the plaintext flights of a crypto/tls client
// and server (ECDHE-ECDSA, client authentication, OCSP stapling, tickets,
// ALPN) and parses every message, at TLS 1.2 and TLS 1.1 where the
// signature-algorithm fields are absent. The ServerKeyExchange signature is
// checked over the Params bytes we extract.
func TestGoTLSHandshake(t *testing.T) {
	serverCert := testCertificate(t, "server.test")
	serverCert.OCSPStaple = []byte{0x30, 0x03, 0x0a, 0x01, 0x00}
	clientCert := testCertificate(t, "client.test")
	for _, version := range []uint16{gotls.VersionTLS12, gotls.VersionTLS11} {
		t.Run(gotls.VersionName(version), func(t *testing.T) {
			ccfg := &gotls.Config{
				InsecureSkipVerify: true, ServerName: "server.test", NextProtos: []string{"h2", "http/1.1"},
				MinVersion: version, MaxVersion: version, Certificates: []gotls.Certificate{clientCert},
				ClientSessionCache: gotls.NewLRUClientSessionCache(1),
			}
			scfg := &gotls.Config{
				Certificates: []gotls.Certificate{serverCert}, NextProtos: []string{"h2"},
				MinVersion: version, MaxVersion: version, ClientAuth: gotls.RequireAnyClientCert,
			}
			c2s, s2c := recordHandshake(t, ccfg, scfg)
			parse := func(raws [][]byte) []Message {
				var out []Message
				for _, raw := range raws {
					m, err := ParseMessage(raw, version)
					if err != nil {
						t.Fatalf("%v: %v", MessageType(raw[0]), err)
					}
					out = append(out, m)
				}
				return out
			}
			client, server := parse(c2s), parse(s2c)
			wantTypes := func(ms []Message, want ...MessageType) {
				t.Helper()
				var got []MessageType
				for _, m := range ms {
					got = append(got, m.Type())
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("messages %v, want %v", got, want)
				}
			}
			wantTypes(client, TypeClientHello, TypeCertificate, TypeClientKeyExchange, TypeCertificateVerify)
			wantTypes(server, TypeServerHello, TypeCertificate, TypeCertificateStatus, TypeServerKeyExchange,
				TypeCertificateRequest, TypeServerHelloDone, TypeNewSessionTicket)

			ch, sh := client[0].(*ClientHello), server[0].(*ServerHello)
			if ch.ServerName != "server.test" || !reflect.DeepEqual(ch.ALPNProtocols, ccfg.NextProtos) || !ch.OCSPStapling || !ch.TicketSupported {
				t.Errorf("ClientHello %+v", ch)
			}
			if sh.Version != version || sh.ALPNProtocol != "h2" || !sh.ExtendedMasterSecret || !sh.SecureRenegotiationSupported ||
				!sh.OCSPStapling || !sh.TicketSupported || !bytes.Equal(sh.SupportedPoints, []uint8{0}) {
				t.Errorf("ServerHello %+v", sh)
			}
			for _, e := range sh.Extensions {
				if !ch.HasExtension(e) {
					t.Errorf("ServerHello extension %v not offered", e)
				}
			}
			if got := server[1].(*Certificate).Certificates; !reflect.DeepEqual(got, serverCert.Certificate) {
				t.Errorf("server chain differs")
			}
			if got := client[1].(*Certificate).Certificates; !reflect.DeepEqual(got, clientCert.Certificate) {
				t.Errorf("client chain differs")
			}
			if got := server[2].(*CertificateStatus).Response; !bytes.Equal(got, serverCert.OCSPStaple) {
				t.Errorf("OCSP response % x", got)
			}
			tls12 := version >= gotls.VersionTLS12
			ske, err := ParseECDHEParams(server[3].(*ServerKeyExchange).Body, tls12)
			if err != nil {
				t.Fatal(err)
			}
			if ske.Group != kex.X25519 || len(ske.Public) != 32 {
				t.Errorf("ServerKeyExchange group %v, public of %d bytes", ske.Group, len(ske.Public))
			}
			// RFC 8422, Section 5.4: the signature covers
			// client_random || server_random || ServerECDHParams.
			signed := append(append(append([]byte(nil), ch.Random...), sh.Random...), ske.Params...)
			var digest []byte
			if tls12 {
				if ske.Scheme != kex.ECDSAWithP256AndSHA256 {
					t.Errorf("scheme %v", ske.Scheme)
				}
				d := sha256.Sum256(signed)
				digest = d[:]
			} else {
				d := sha1.Sum(signed)
				digest = d[:]
			}
			leaf, _ := x509.ParseCertificate(serverCert.Certificate[0])
			if !ecdsa.VerifyASN1(leaf.PublicKey.(*ecdsa.PublicKey), digest, ske.Signature) {
				t.Error("ServerKeyExchange signature does not verify over the parsed Params")
			}
			cr := server[4].(*CertificateRequest)
			if cr.HasSignatureSchemes != tls12 || (tls12 && len(cr.SignatureSchemes) == 0) || len(cr.CertificateTypes) == 0 {
				t.Errorf("CertificateRequest %+v", cr)
			}
			pub, err := ParseECDHEClientPublic(client[2].(*ClientKeyExchange).Body)
			if err != nil || len(pub) != 32 {
				t.Errorf("ClientKeyExchange: %d bytes, %v", len(pub), err)
			}
			cv := client[3].(*CertificateVerify)
			if cv.HasSignatureScheme != tls12 || (tls12 && cv.SignatureScheme != kex.ECDSAWithP256AndSHA256) {
				t.Errorf("CertificateVerify %+v", cv)
			}
			if nst := server[6].(*NewSessionTicket); len(nst.Ticket) == 0 {
				t.Error("empty ticket")
			}
			// Every message but the hellos re-encodes to the same bytes.
			for _, m := range append(client[1:], server[1:]...) {
				again, err := m.Marshal()
				if err != nil || !bytes.Equal(again, rawOf(m)) {
					t.Errorf("%v re-encodes differently (%v)", m.Type(), err)
				}
			}
		})
	}
}

// recordHandshake runs a crypto/tls handshake through a tap and returns the
// handshake messages each side sent before its ChangeCipherSpec.
func recordHandshake(t *testing.T, ccfg, scfg *gotls.Config) (c2s, s2c [][]byte) {
	t.Helper()
	clientEnd, tapC := net.Pipe()
	tapS, serverEnd := net.Pipe()
	var up, down bytes.Buffer
	var wg sync.WaitGroup
	relay := func(dst, src net.Conn, rec *bytes.Buffer) {
		defer wg.Done()
		io.Copy(io.MultiWriter(dst, rec), src)
		dst.Close()
		src.Close()
	}
	wg.Add(2)
	go relay(tapS, tapC, &up)
	go relay(tapC, tapS, &down)
	errs := make(chan error, 2)
	client, server := gotls.Client(clientEnd, ccfg), gotls.Server(serverEnd, scfg)
	deadline := time.Now().Add(10 * time.Second)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	go func() { errs <- client.Handshake() }()
	go func() { errs <- server.Handshake() }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("crypto/tls handshake: %v", err)
		}
	}
	client.Close()
	server.Close()
	wg.Wait()
	return splitHandshake(t, up.Bytes()), splitHandshake(t, down.Bytes())
}

// splitHandshake takes a recorded byte stream of TLS records and returns
// the handshake messages before the first ChangeCipherSpec.
func splitHandshake(t *testing.T, stream []byte) [][]byte {
	t.Helper()
	var hsData []byte
	for len(stream) >= 5 {
		typ, n := stream[0], int(stream[3])<<8|int(stream[4])
		if len(stream) < 5+n {
			t.Fatal("truncated record in the recording")
		}
		if typ == 20 {
			break
		}
		if typ == 22 {
			hsData = append(hsData, stream[5:5+n]...)
		}
		stream = stream[5+n:]
	}
	var msgs [][]byte
	for len(hsData) >= 4 {
		n := 4 + (int(hsData[1])<<16 | int(hsData[2])<<8 | int(hsData[3]))
		if len(hsData) < n {
			t.Fatal("truncated handshake message in the recording")
		}
		msgs = append(msgs, hsData[:n])
		hsData = hsData[n:]
	}
	return msgs
}

// testCertificate makes a self-signed ECDSA P-256 certificate.
func testCertificate(t *testing.T, name string) gotls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return gotls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func BenchmarkClientHelloUnmarshal(b *testing.B) {
	raw, err := fullClientHello().Marshal()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		var ch ClientHello
		if err := ch.Unmarshal(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClientHelloMarshal(b *testing.B) {
	ch := fullClientHello()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ch.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServerHelloUnmarshal(b *testing.B) {
	raw, err := fullServerHello().Marshal()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var sh ServerHello
		if err := sh.Unmarshal(raw); err != nil {
			b.Fatal(err)
		}
	}
}
