package handshake

import (
	"bytes"
	gotls "crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// clientExtOrder and serverExtOrder are the fixed orders in which Marshal
// writes the extensions it knows.
var (
	clientExtOrder = []ExtensionType{ExtServerName, ExtStatusRequest, ExtSupportedGroups, ExtECPointFormats,
		ExtSignatureAlgorithms, ExtALPN, ExtSCT, ExtEncryptThenMAC, ExtExtendedMasterSecret, ExtSessionTicket,
		ExtSupportedVersions, ExtNextProtoNeg, ExtRenegotiationInfo}
	serverExtOrder = []ExtensionType{ExtServerName, ExtStatusRequest, ExtECPointFormats, ExtALPN,
		ExtEncryptThenMAC, ExtExtendedMasterSecret, ExtSessionTicket, ExtNextProtoNeg, ExtRenegotiationInfo}
)

// clientExtensionsOf lists, in marshal order, the extensions m's fields ask
// for.
func clientExtensionsOf(m *ClientHello) []ExtensionType {
	present := map[ExtensionType]bool{
		ExtServerName: m.ServerName != "", ExtStatusRequest: m.OCSPStapling, ExtSupportedGroups: len(m.SupportedGroups) > 0,
		ExtECPointFormats: len(m.SupportedPoints) > 0, ExtSignatureAlgorithms: len(m.SignatureSchemes) > 0,
		ExtALPN: len(m.ALPNProtocols) > 0, ExtSCT: m.SCT, ExtEncryptThenMAC: m.EncryptThenMAC,
		ExtExtendedMasterSecret: m.ExtendedMasterSecret, ExtSessionTicket: m.TicketSupported,
		ExtSupportedVersions: len(m.SupportedVersions) > 0, ExtNextProtoNeg: m.NextProtoNeg,
		ExtRenegotiationInfo: m.SecureRenegotiationSupported,
	}
	var out []ExtensionType
	for _, e := range clientExtOrder {
		if present[e] {
			out = append(out, e)
		}
	}
	return out
}

func serverExtensionsOf(m *ServerHello) []ExtensionType {
	present := map[ExtensionType]bool{
		ExtServerName: m.ServerNameAck, ExtStatusRequest: m.OCSPStapling, ExtECPointFormats: len(m.SupportedPoints) > 0,
		ExtALPN: m.ALPNProtocol != "", ExtEncryptThenMAC: m.EncryptThenMAC, ExtExtendedMasterSecret: m.ExtendedMasterSecret,
		ExtSessionTicket: m.TicketSupported, ExtNextProtoNeg: m.NextProtoNeg, ExtRenegotiationInfo: m.SecureRenegotiationSupported,
	}
	var out []ExtensionType
	for _, e := range serverExtOrder {
		if present[e] {
			out = append(out, e)
		}
	}
	return out
}

// checkHelloRoundTrip marshals m, parses it back and compares content, the
// extension order and the bytes of a second marshal.
func checkHelloRoundTrip(t *testing.T, m Message) {
	t.Helper()
	raw, err := m.Marshal()
	if err != nil {
		t.Fatalf("%T: %v", m, err)
	}
	got, err := ParseMessage(raw, 0)
	if err != nil {
		t.Fatalf("%x: %v", raw, err)
	}
	want := canonical(m)
	var gotExts, wantExts []ExtensionType
	switch g := got.(type) {
	case *ClientHello:
		w := want.(*ClientHello)
		wantExts = clientExtensionsOf(w)
		w.HasExtensions = w.HasExtensions || len(wantExts) > 0
		gotExts = g.Extensions
	case *ServerHello:
		w := want.(*ServerHello)
		wantExts = serverExtensionsOf(w)
		w.HasExtensions = w.HasExtensions || len(wantExts) > 0
		gotExts = g.Extensions
	}
	if !reflect.DeepEqual(canonical(got), want) {
		t.Fatalf("\n got %+v\nwant %+v", canonical(got), want)
	}
	if !slices.Equal(gotExts, wantExts) {
		t.Fatalf("extensions %v, want %v", gotExts, wantExts)
	}
	if again, err := got.Marshal(); err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("re-marshal differs (%v)", err)
	}
}

func TestHelloRoundTrip(t *testing.T) {
	random := bytes.Repeat([]byte{7}, 32)
	base := func() *ClientHello {
		return &ClientHello{Version: 0x0303, Random: random, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}}
	}
	with := func(f func(*ClientHello)) *ClientHello { m := base(); f(m); return m }
	clients := []*ClientHello{
		base(),
		with(func(m *ClientHello) { m.HasExtensions = true }),
		fullClientHello(),
		with(func(m *ClientHello) { m.ServerName = "a" }),
		with(func(m *ClientHello) { m.ServerName = "trailing.dot.example." }),
		with(func(m *ClientHello) { m.ServerName = strings.Repeat("x", 1000) }),
		with(func(m *ClientHello) { m.OCSPStapling = true }),
		with(func(m *ClientHello) { m.SupportedGroups = []kex.Group{kex.FFDHE2048, 0xfafa} }),
		with(func(m *ClientHello) { m.SupportedPoints = []uint8{0, 1, 2} }),
		with(func(m *ClientHello) { m.SignatureSchemes = []kex.SignatureScheme{0x0101} }),
		with(func(m *ClientHello) { m.ALPNProtocols = []string{"\x00\xff", strings.Repeat("p", 255)} }),
		with(func(m *ClientHello) { m.SCT = true }),
		with(func(m *ClientHello) { m.EncryptThenMAC = true }),
		with(func(m *ClientHello) { m.ExtendedMasterSecret = true }),
		with(func(m *ClientHello) { m.TicketSupported = true }),
		with(func(m *ClientHello) { m.TicketSupported, m.SessionTicket = true, make([]byte, 200) }),
		with(func(m *ClientHello) { m.SupportedVersions = []uint16{0x0303} }),
		with(func(m *ClientHello) { m.NextProtoNeg = true }),
		with(func(m *ClientHello) { m.SecureRenegotiationSupported = true }),
		with(func(m *ClientHello) { m.SecureRenegotiationSupported, m.SecureRenegotiation = true, make([]byte, 12) }),
		with(func(m *ClientHello) { m.SessionID, m.CipherSuites = make([]byte, 32), make([]uint16, 32700) }),
	}
	for i, m := range clients {
		t.Run(fmt.Sprint("ClientHello/", i), func(t *testing.T) { checkHelloRoundTrip(t, m) })
	}
	sbase := func() *ServerHello { return &ServerHello{Version: 0x0303, Random: random, CipherSuite: 0x009c} }
	swith := func(f func(*ServerHello)) *ServerHello { m := sbase(); f(m); return m }
	servers := []*ServerHello{
		sbase(),
		swith(func(m *ServerHello) { m.HasExtensions = true }),
		fullServerHello(),
		swith(func(m *ServerHello) { m.ServerNameAck = true }),
		swith(func(m *ServerHello) { m.OCSPStapling = true }),
		swith(func(m *ServerHello) { m.SupportedPoints = []uint8{0} }),
		swith(func(m *ServerHello) { m.ALPNProtocol = "http/1.1" }),
		swith(func(m *ServerHello) { m.EncryptThenMAC = true }),
		swith(func(m *ServerHello) { m.ExtendedMasterSecret = true }),
		swith(func(m *ServerHello) { m.TicketSupported = true }),
		swith(func(m *ServerHello) { m.NextProtoNeg = true }),
		swith(func(m *ServerHello) { m.NextProtoNeg, m.NextProtos = true, []string{"spdy/3", "http/1.1"} }),
		swith(func(m *ServerHello) { m.SecureRenegotiationSupported = true }),
		swith(func(m *ServerHello) { m.CompressionMethod, m.SessionID = 1, make([]byte, 32) }),
	}
	for i, m := range servers {
		t.Run(fmt.Sprint("ServerHello/", i), func(t *testing.T) { checkHelloRoundTrip(t, m) })
	}
}

// TestHelloProperty round-trips random valid hellos.
func TestHelloProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		checkHelloRoundTrip(t, randomClientHello(r))
		checkHelloRoundTrip(t, randomServerHello(r))
	}
}

// TestHelloMutations feeds corrupted hellos and messages to ParseMessage:
// nothing may panic, every failure is a decode error, and whatever parses
// marshals again.
func TestHelloMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var seeds [][]byte
	for i := 0; i < 200; i++ {
		a, _ := randomClientHello(r).Marshal()
		b, _ := randomServerHello(r).Marshal()
		seeds = append(seeds, a, b)
	}
	for _, s := range sampleMessages() {
		raw, _ := s.msg.Marshal()
		seeds = append(seeds, raw)
	}
	for _, seed := range seeds {
		for j := 0; j < 30; j++ {
			m := mutate(r, seed)
			got, err := ParseMessage(m, uint16(r.IntN(2))+0x0302)
			if err != nil {
				// A TLS 1.3 rule across fields may answer
				// illegal_parameter or missing_extension instead.
				if a := alertOf(err); (a != record.AlertDecodeError && a != record.AlertIllegalParameter &&
					a != record.AlertMissingExtension) || !strings.HasPrefix(err.Error(), "tls: ") {
					t.Fatalf("error %v is not a codec error", err)
				}
				continue
			}
			got.Marshal()
		}
	}
}

// mutate returns a copy of b with a random corruption, keeping the header
// length right half of the time so that the body parser is reached.
func mutate(r *rand.Rand, b []byte) []byte {
	m := append([]byte(nil), b...)
	switch r.IntN(4) {
	case 0:
		for k := 1 + r.IntN(3); k > 0; k-- {
			m[r.IntN(len(m))] ^= byte(1 + r.IntN(255))
		}
	case 1:
		m = m[:r.IntN(len(m))]
	case 2:
		i := r.IntN(len(m) + 1)
		extra := make([]byte, 1+r.IntN(4))
		for k := range extra {
			extra[k] = byte(r.IntN(256))
		}
		m = append(m[:i:i], append(extra, m[i:]...)...)
	case 3:
		i := r.IntN(len(m))
		m = append(m[:i:i], m[min(len(m), i+1+r.IntN(4)):]...)
	}
	if len(m) >= 4 && r.IntN(2) == 0 {
		setLength(m)
	}
	return m
}

func randomBytes(r *rand.Rand, min, max int) []byte {
	b := make([]byte, min+r.IntN(max-min+1))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

func randomClientHello(r *rand.Rand) *ClientHello {
	m := &ClientHello{Version: uint16(r.Uint32()), Random: randomBytes(r, 32, 32), SessionID: randomBytes(r, 0, 32),
		CompressionMethods: randomBytes(r, 1, 3), HasExtensions: r.IntN(2) == 0}
	for n := 1 + r.IntN(20); n > 0; n-- {
		m.CipherSuites = append(m.CipherSuites, uint16(r.Uint32()))
	}
	maybe := func() bool { return r.IntN(2) == 0 }
	if maybe() {
		name := make([]byte, 1+r.IntN(40))
		for i := range name {
			name[i] = byte(1 + r.IntN(0x7f)) // ASCII without NUL
		}
		m.ServerName = string(name)
	}
	m.OCSPStapling = maybe()
	if maybe() {
		for n := 1 + r.IntN(5); n > 0; n-- {
			m.SupportedGroups = append(m.SupportedGroups, kex.Group(r.Uint32()))
		}
	}
	if maybe() {
		m.SupportedPoints = randomBytes(r, 1, 3)
	}
	if maybe() {
		for n := 1 + r.IntN(8); n > 0; n-- {
			m.SignatureSchemes = append(m.SignatureSchemes, kex.SignatureScheme(r.Uint32()))
		}
	}
	if maybe() {
		for n := 1 + r.IntN(3); n > 0; n-- {
			m.ALPNProtocols = append(m.ALPNProtocols, string(randomBytes(r, 1, 12)))
		}
	}
	m.SCT, m.EncryptThenMAC, m.ExtendedMasterSecret, m.NextProtoNeg = maybe(), maybe(), maybe(), maybe()
	if m.TicketSupported = maybe(); m.TicketSupported {
		m.SessionTicket = randomBytes(r, 0, 40)
	}
	if maybe() {
		for n := 1 + r.IntN(4); n > 0; n-- {
			m.SupportedVersions = append(m.SupportedVersions, uint16(r.Uint32()))
		}
	}
	if m.SecureRenegotiationSupported = maybe(); m.SecureRenegotiationSupported && maybe() {
		m.SecureRenegotiation = randomBytes(r, 12, 12)
	}
	return m
}

func randomServerHello(r *rand.Rand) *ServerHello {
	maybe := func() bool { return r.IntN(2) == 0 }
	m := &ServerHello{Version: uint16(r.Uint32()), Random: randomBytes(r, 32, 32), SessionID: randomBytes(r, 0, 32),
		CipherSuite: uint16(r.Uint32()), CompressionMethod: uint8(r.IntN(256)), HasExtensions: maybe(),
		ServerNameAck: maybe(), OCSPStapling: maybe(), EncryptThenMAC: maybe(), ExtendedMasterSecret: maybe(),
		TicketSupported: maybe()}
	if maybe() {
		m.SupportedPoints = randomBytes(r, 1, 3)
	}
	if maybe() {
		m.ALPNProtocol = string(randomBytes(r, 1, 12))
	}
	if m.NextProtoNeg = maybe(); m.NextProtoNeg {
		for n := r.IntN(3); n > 0; n-- {
			m.NextProtos = append(m.NextProtos, string(randomBytes(r, 1, 12)))
		}
	}
	if m.SecureRenegotiationSupported = maybe(); m.SecureRenegotiationSupported && maybe() {
		m.SecureRenegotiation = randomBytes(r, 24, 24)
	}
	return m
}

// helloBuilder assembles hellos byte by byte for the negative tables.
type helloBuilder struct {
	typ   MessageType
	sid   []byte // with its length byte
	mid   []byte // ClientHello: cipher_suites and compression_methods; ServerHello: suite and compression
	exts  []byte // the extensions block with its length, or nil
	extra []byte // after everything
}

func (h helloBuilder) bytes() []byte {
	body := append([]byte{3, 3}, make([]byte, 32)...)
	body = append(body, h.sid...)
	body = append(body, h.mid...)
	body = append(body, h.exts...)
	body = append(body, h.extra...)
	return hs(h.typ, body...)
}

func clientHelloWith(exts ...[]byte) []byte {
	return helloBuilder{typ: TypeClientHello, sid: []byte{0}, mid: []byte{0, 2, 0xc0, 0x2b, 1, 0}, exts: block(exts...)}.bytes()
}

func serverHelloWith(exts ...[]byte) []byte {
	return helloBuilder{typ: TypeServerHello, sid: []byte{0}, mid: []byte{0xc0, 0x2b, 0}, exts: block(exts...)}.bytes()
}

// block is an extensions block holding exts.
func block(exts ...[]byte) []byte {
	var b []byte
	for _, e := range exts {
		b = append(b, e...)
	}
	return append([]byte{byte(len(b) >> 8), byte(len(b))}, b...)
}

// ext is one extension of type typ with the given extension_data.
func ext(typ ExtensionType, body ...byte) []byte {
	return append([]byte{byte(typ >> 8), byte(typ), byte(len(body) >> 8), byte(len(body))}, body...)
}

func TestHelloDecodeErrors(t *testing.T) {
	ch := func(sid, mid, exts, extra []byte) []byte {
		return helloBuilder{typ: TypeClientHello, sid: sid, mid: mid, exts: exts, extra: extra}.bytes()
	}
	sh := func(sid, mid, exts, extra []byte) []byte {
		return helloBuilder{typ: TypeServerHello, sid: sid, mid: mid, exts: exts, extra: extra}.bytes()
	}
	okMid := []byte{0, 2, 0xc0, 0x2b, 1, 0}
	sni := func(entries ...byte) []byte {
		return ext(ExtServerName, append([]byte{0, byte(len(entries))}, entries...)...)
	}
	cases := map[string][]byte{
		// The fixed part.
		"short random":                      hs(TypeClientHello, append([]byte{3, 3}, make([]byte, 31)...)...),
		"session id of 33 bytes":            ch(append([]byte{33}, make([]byte, 33)...), okMid, nil, nil),
		"session id overruns":               ch([]byte{5, 1}, nil, nil, nil),
		"no cipher suites":                  ch([]byte{0}, []byte{0, 0, 1, 0}, nil, nil),
		"odd cipher suites":                 ch([]byte{0}, []byte{0, 3, 0xc0, 0x2b, 0, 1, 0}, nil, nil),
		"cipher suites overrun":             ch([]byte{0}, []byte{0, 9, 0xc0, 0x2b, 1, 0}, nil, nil),
		"no compression methods":            ch([]byte{0}, []byte{0, 2, 0xc0, 0x2b, 0}, nil, nil),
		"compression methods overrun":       ch([]byte{0}, []byte{0, 2, 0xc0, 0x2b, 2, 0}, nil, nil),
		"missing compression methods":       ch([]byte{0}, []byte{0, 2, 0xc0, 0x2b}, nil, nil),
		"one stray byte for extensions":     ch([]byte{0}, okMid, nil, []byte{0}),
		"extensions block too long":         ch([]byte{0}, okMid, []byte{0, 5, 0, 23, 0, 0}, nil),
		"extensions block too short":        ch([]byte{0}, okMid, []byte{0, 3, 0, 23, 0, 0}, nil),
		"bytes after extensions":            ch([]byte{0}, okMid, block(ext(ExtExtendedMasterSecret)), []byte{0}),
		"truncated extension header":        clientHelloWith([]byte{0, 23, 0}),
		"extension body overruns block":     clientHelloWith([]byte{0, 23, 0, 1}),
		"duplicate extension":               clientHelloWith(ext(ExtExtendedMasterSecret), ext(ExtExtendedMasterSecret)),
		"duplicate unknown extension":       clientHelloWith(ext(0x1234, 1), ext(ExtALPN, 0, 3, 2, 'h', '2'), ext(0x1234)),
		"duplicate padding":                 clientHelloWith(ext(ExtPadding, 0), ext(ExtPadding, 0)),
		"server_name empty list":            clientHelloWith(sni()),
		"server_name empty host":            clientHelloWith(sni(0, 0, 0)),
		"server_name twice":                 clientHelloWith(sni(0, 0, 1, 'a', 0, 0, 1, 'b')),
		"server_name host overruns":         clientHelloWith(sni(0, 0, 5, 'a')),
		"server_name list overruns":         clientHelloWith(ext(ExtServerName, 0, 9, 0, 0, 1, 'a')),
		"server_name trailing":              clientHelloWith(ext(ExtServerName, 0, 4, 0, 0, 1, 'a', 0)),
		"server_name empty body":            clientHelloWith(ext(ExtServerName)),
		"status_request truncated":          clientHelloWith(ext(ExtStatusRequest, 1, 0, 0)),
		"status_request trailing":           clientHelloWith(ext(ExtStatusRequest, 1, 0, 0, 0, 0, 0)),
		"supported_groups empty":            clientHelloWith(ext(ExtSupportedGroups, 0, 0)),
		"supported_groups odd":              clientHelloWith(ext(ExtSupportedGroups, 0, 3, 0, 29, 0)),
		"supported_groups overrun":          clientHelloWith(ext(ExtSupportedGroups, 0, 4, 0, 29)),
		"supported_groups trailing":         clientHelloWith(ext(ExtSupportedGroups, 0, 2, 0, 29, 0)),
		"ec_point_formats empty":            clientHelloWith(ext(ExtECPointFormats, 0)),
		"ec_point_formats trailing":         clientHelloWith(ext(ExtECPointFormats, 1, 0, 0)),
		"signature_algorithms empty":        clientHelloWith(ext(ExtSignatureAlgorithms, 0, 0)),
		"signature_algorithms odd":          clientHelloWith(ext(ExtSignatureAlgorithms, 0, 1, 4)),
		"signature_algorithms trailing":     clientHelloWith(ext(ExtSignatureAlgorithms, 0, 2, 4, 3, 0)),
		"ALPN empty list":                   clientHelloWith(ext(ExtALPN, 0, 0)),
		"ALPN empty name":                   clientHelloWith(ext(ExtALPN, 0, 4, 2, 'h', '2', 0)),
		"ALPN name overruns":                clientHelloWith(ext(ExtALPN, 0, 3, 5, 'h', '2')),
		"ALPN trailing":                     clientHelloWith(ext(ExtALPN, 0, 3, 2, 'h', '2', 0)),
		"ALPN empty body":                   clientHelloWith(ext(ExtALPN)),
		"signed_certificate_timestamp data": clientHelloWith(ext(ExtSCT, 0)),
		"encrypt_then_mac data":             clientHelloWith(ext(ExtEncryptThenMAC, 0)),
		"extended_master_secret data":       clientHelloWith(ext(ExtExtendedMasterSecret, 1)),
		"next_protocol_negotiation data":    clientHelloWith(ext(ExtNextProtoNeg, 0)),
		"supported_versions empty":          clientHelloWith(ext(ExtSupportedVersions, 0)),
		"supported_versions odd":            clientHelloWith(ext(ExtSupportedVersions, 1, 3)),
		"supported_versions trailing":       clientHelloWith(ext(ExtSupportedVersions, 2, 3, 3, 0)),
		"renegotiation_info empty body":     clientHelloWith(ext(ExtRenegotiationInfo)),
		"renegotiation_info overrun":        clientHelloWith(ext(ExtRenegotiationInfo, 5)),
		"renegotiation_info trailing":       clientHelloWith(ext(ExtRenegotiationInfo, 0, 0)),

		"ServerHello session id of 33":       sh(append([]byte{33}, make([]byte, 33)...), []byte{0xc0, 0x2b, 0}, nil, nil),
		"ServerHello missing compression":    sh([]byte{0}, []byte{0xc0, 0x2b}, nil, nil),
		"ServerHello stray byte":             sh([]byte{0}, []byte{0xc0, 0x2b, 0}, nil, []byte{0}),
		"ServerHello bytes after extensions": sh([]byte{0}, []byte{0xc0, 0x2b, 0}, block(), []byte{0}),
		"ServerHello block too long":         sh([]byte{0}, []byte{0xc0, 0x2b, 0}, []byte{0, 1}, nil),
		"ServerHello duplicate":              serverHelloWith(ext(ExtRenegotiationInfo, 0), ext(ExtExtendedMasterSecret), ext(ExtRenegotiationInfo, 0)),
		"ServerHello duplicate unknown":      serverHelloWith(ext(ExtSupportedVersions, 3, 4), ext(ExtSupportedVersions, 3, 4)),
		"ServerHello server_name data":       serverHelloWith(ext(ExtServerName, 0, 0)),
		"ServerHello status_request data":    serverHelloWith(ext(ExtStatusRequest, 1)),
		"ServerHello session_ticket data":    serverHelloWith(ext(ExtSessionTicket, 1)),
		"ServerHello EMS data":               serverHelloWith(ext(ExtExtendedMasterSecret, 0)),
		"ServerHello ETM data":               serverHelloWith(ext(ExtEncryptThenMAC, 0)),
		"ServerHello ALPN two names":         serverHelloWith(ext(ExtALPN, 0, 4, 1, 'a', 1, 'b')),
		"ServerHello ALPN empty list":        serverHelloWith(ext(ExtALPN, 0, 0)),
		"ServerHello ALPN empty name":        serverHelloWith(ext(ExtALPN, 0, 1, 0)),
		"ServerHello ALPN trailing":          serverHelloWith(ext(ExtALPN, 0, 2, 1, 'a', 0)),
		"ServerHello ec_point_formats empty": serverHelloWith(ext(ExtECPointFormats, 0)),
		"ServerHello NPN empty name":         serverHelloWith(ext(ExtNextProtoNeg, 1, 'a', 0)),
		"ServerHello NPN name overruns":      serverHelloWith(ext(ExtNextProtoNeg, 3, 'a')),
		"ServerHello renegotiation overrun":  serverHelloWith(ext(ExtRenegotiationInfo, 24, 0)),
		"ServerHello truncated ext header":   serverHelloWith([]byte{0xff}),
	}
	for name, raw := range cases {
		_, err := ParseMessage(raw, 0)
		if !errors.Is(err, record.ErrDecode) || !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("%s: got %v, want a decode error", name, err)
		}
	}
	// The builder itself makes hellos that parse.
	for _, raw := range [][]byte{clientHelloWith(), serverHelloWith(), ch([]byte{0}, okMid, nil, nil)} {
		if _, err := ParseMessage(raw, 0); err != nil {
			t.Fatalf("baseline hello: %v", err)
		}
	}
}

// TestHelloLenientParts covers what is accepted on purpose.
func TestHelloLenientParts(t *testing.T) {
	m, err := ParseMessage(clientHelloWith(
		ext(0x1234, 1, 2, 3),
		ext(ExtPadding, 0, 0, 0),
		// RFC 6066, Section 3: a name of an unknown type is skipped.
		ext(ExtServerName, 0, 10, 7, 0, 1, 'x', 0, 0, 3, 'a', '.', 'b'),
		// RFC 6066, Section 8: responder ids and extensions may be sent.
		ext(ExtStatusRequest, 1, 0, 2, 0, 0, 0, 1, 9),
		ext(ExtSessionTicket, 1, 2, 3, 4),
		ext(0xfe0d, 0xaa), // ECH or anything else newer
		ext(51, 0, 0),     // key_share
	), 0)
	if err != nil {
		t.Fatal(err)
	}
	ch := m.(*ClientHello)
	want := []ExtensionType{0x1234, ExtPadding, ExtServerName, ExtStatusRequest, ExtSessionTicket, 0xfe0d, 51}
	if !slices.Equal(ch.Extensions, want) || ch.ServerName != "a.b" || !ch.OCSPStapling ||
		!ch.TicketSupported || !bytes.Equal(ch.SessionTicket, []byte{1, 2, 3, 4}) || !ch.HasExtension(0xfe0d) || ch.HasExtension(ExtALPN) {
		t.Errorf("parsed %+v", ch)
	}
	// A status_request that is not OCSP's does not ask for stapling.
	m, err = ParseMessage(clientHelloWith(ext(ExtStatusRequest, 2, 0, 0, 0, 0)), 0)
	if err != nil || m.(*ClientHello).OCSPStapling {
		t.Errorf("status_request of type 2: %v", err)
	}
	// A ServerHello may carry supported_versions (a TLS 1.3 server); it is
	// recorded and otherwise left to the caller.
	m, err = ParseMessage(serverHelloWith(ext(ExtSupportedVersions, 3, 4), ext(0x4444)), 0)
	if err != nil {
		t.Fatal(err)
	}
	sh := m.(*ServerHello)
	if !slices.Equal(sh.Extensions, []ExtensionType{ExtSupportedVersions, 0x4444}) || !sh.HasExtension(ExtSupportedVersions) || !sh.HasExtensions {
		t.Errorf("parsed %+v", sh)
	}
	// An empty extensions block is remembered.
	m, err = ParseMessage(serverHelloWith(), 0)
	if err != nil || !m.(*ServerHello).HasExtensions || len(m.(*ServerHello).Extensions) != 0 {
		t.Errorf("empty block: %+v, %v", m, err)
	}
}

// TestHelloManyExtensions fills a hello with the most empty extensions that
// fit (in the extensions block, and for a ServerHello in its 20000-byte
// cap) and checks they are all recorded.
func TestHelloManyExtensions(t *testing.T) {
	for _, typ := range []MessageType{TypeClientHello, TypeServerHello} {
		var exts [][]byte
		fixed := len(clientHelloWith())
		if typ == TypeServerHello {
			fixed = len(serverHelloWith())
		}
		n := (0xffff - (fixed - 4)) / 4
		if typ == TypeServerHello {
			n = (maxServerHelloSize - (fixed - 4)) / 4
		}
		for i := 0; i < n; i++ {
			exts = append(exts, ext(ExtensionType(0x1000+i)))
		}
		raw := clientHelloWith(exts...)
		if typ == TypeServerHello {
			raw = serverHelloWith(exts...)
		}
		m, err := ParseMessage(raw, 0)
		if err != nil {
			t.Fatalf("%v: %v", typ, err)
		}
		got := reflect.ValueOf(m).Elem().FieldByName("Extensions").Len()
		if got != n {
			t.Errorf("%v: %d extensions, want %d", typ, got, n)
		}
	}
}

func TestReadExtensions(t *testing.T) {
	skip := func(_ ExtensionType, body *cryptobyte.String) bool { return body.Skip(len(*body)) }
	b := block(ext(1), ext(0xffff, 1, 2), ext(0), ext(64), ext(63))
	types, err := readExtensions("Test", cryptobyte.String(b[2:]), skip)
	if err != nil || !slices.Equal(types, []ExtensionType{1, 0xffff, 0, 64, 63}) {
		t.Errorf("types %v, %v", types, err)
	}
	var many []byte
	for i := 0; i < 1<<14; i++ {
		many = append(many, ext(ExtensionType(i*4+3))...)
	}
	if types, err := readExtensions("Test", cryptobyte.String(many), skip); err != nil || len(types) != 1<<14 {
		t.Errorf("%d types, %v", len(types), err)
	}
	// The list is searched up to smallExtensionBlock types, then a bitmap
	// of all of them takes over: duplicates on both sides of the switch.
	var small []byte
	for i := range smallExtensionBlock {
		small = append(small, ext(ExtensionType(100+i))...)
	}
	bad := map[string][]byte{
		"duplicate at the switch to the bitmap": append(slices.Clone(small), ext(104)...),
		"duplicate after the switch":            append(append(slices.Clone(small), ext(7)...), ext(7)...),
		"duplicate of the last listed":          append(append(slices.Clone(small), ext(7)...), ext(100+smallExtensionBlock-1)...),
		"duplicate first and last":              append(append(ext(7), many...), ext(7)...),
		"duplicate 0xffff":                      append(ext(0xffff), ext(0xffff)...),
		"duplicate 0":                           append(ext(0), ext(0)...),
		"header truncated":                      {0, 1, 0},
		"body overruns":                         {0, 1, 0, 2, 0},
	}
	for name, data := range bad {
		if _, err := readExtensions("Test", cryptobyte.String(data), skip); !errors.Is(err, record.ErrDecode) {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err = readExtensions("Test", cryptobyte.String(ext(5, 1)), func(ExtensionType, *cryptobyte.String) bool { return true })
	if !errors.Is(err, record.ErrDecode) || !strings.Contains(err.Error(), "status_request extension") {
		t.Errorf("unread body: %v", err)
	}
	_, err = readExtensions("Test", cryptobyte.String(ext(23)), func(ExtensionType, *cryptobyte.String) bool { return false })
	if !errors.Is(err, record.ErrDecode) || !strings.Contains(err.Error(), "malformed Test: extended_master_secret") {
		t.Errorf("refused body: %v", err)
	}
}

// TestParseGoClientHello parses what crypto/tls sends, both capped at TLS
// 1.2 and offering TLS 1.3.
func TestParseGoClientHello(t *testing.T) {
	for _, max := range []uint16{gotls.VersionTLS12, gotls.VersionTLS13} {
		cfg := &gotls.Config{ServerName: "example.org", NextProtos: []string{"h2", "http/1.1"}, MaxVersion: max,
			CurvePreferences: []gotls.CurveID{gotls.X25519, gotls.CurveP256}, ClientSessionCache: gotls.NewLRUClientSessionCache(1)}
		a, b := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			gotls.Client(a, cfg).Handshake()
		}()
		b.SetDeadline(time.Now().Add(10 * time.Second))
		raw, err := readFirstMessage(b)
		b.Close()
		<-done
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseMessage(raw, 0)
		if err != nil {
			t.Fatalf("max %#x: %v", max, err)
		}
		ch := m.(*ClientHello)
		if ch.ServerName != "example.org" || !slices.Equal(ch.ALPNProtocols, cfg.NextProtos) ||
			!slices.Equal(ch.SupportedGroups, []kex.Group{kex.X25519, kex.P256}) || !ch.ExtendedMasterSecret ||
			!ch.SecureRenegotiationSupported || len(ch.SecureRenegotiation) != 0 || !ch.OCSPStapling || !ch.SCT ||
			!ch.TicketSupported || len(ch.SignatureSchemes) == 0 || !slices.Contains(ch.SignatureSchemes, kex.ECDSAWithP256AndSHA256) ||
			!bytes.Equal(ch.CompressionMethods, []uint8{0}) || ch.Version != 0x0303 {
			t.Errorf("max %#x: parsed %+v", max, ch)
		}
		if tls13 := max == gotls.VersionTLS13; tls13 != slices.Contains(ch.SupportedVersions, 0x0304) || tls13 != ch.HasExtension(51) {
			t.Errorf("max %#x: supported_versions %#x, extensions %v", max, ch.SupportedVersions, ch.Extensions)
		}
	}
}

// TestParseOpenSSLClientHello parses the hellos of `openssl s_client`.
func TestParseOpenSSLClientHello(t *testing.T) {
	bin := peer(t, "openssl")
	run := func(extra ...string) *ClientHello {
		return captureClientHello(t, func(addr string) *exec.Cmd {
			args := append([]string{"s_client", "-connect", addr, "-servername", "example.net", "-alpn", "h2,http/1.1",
				"-groups", "X25519:P-256", "-status"}, extra...)
			return exec.Command(bin, args...)
		})
	}
	ch := run()
	if ch.ServerName != "example.net" || !slices.Equal(ch.ALPNProtocols, []string{"h2", "http/1.1"}) ||
		!slices.Equal(ch.SupportedGroups, []kex.Group{kex.X25519, kex.P256}) || !ch.OCSPStapling ||
		!ch.ExtendedMasterSecret || !ch.EncryptThenMAC || !slices.Contains(ch.SupportedVersions, 0x0304) ||
		!(ch.SecureRenegotiationSupported || slices.Contains(ch.CipherSuites, SCSVRenegotiation)) {
		t.Errorf("default hello: %+v", ch)
	}
	ch = run("-tls1_2", "-sigalgs", "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")
	if ch.ServerName != "example.net" || len(ch.SupportedVersions) != 0 || ch.HasExtension(ExtSupportedVersions) ||
		!slices.Equal(ch.SignatureSchemes, []kex.SignatureScheme{kex.ECDSAWithP256AndSHA256, kex.PSSWithSHA256}) ||
		!slices.Contains(ch.CipherSuites, 0xc02b) || !slices.Contains(ch.SupportedPoints, 0) || !ch.TicketSupported {
		t.Errorf("TLS 1.2 hello: %+v", ch)
	}
}

// TestParseGnuTLSClientHello parses the hello of `gnutls-cli`.
func TestParseGnuTLSClientHello(t *testing.T) {
	bin := peer(t, "gnutls-cli")
	ch := captureClientHello(t, func(addr string) *exec.Cmd {
		host, port, _ := net.SplitHostPort(addr)
		return exec.Command(bin, "--insecure", "--sni-hostname=example.com", "--alpn=h2", "--alpn=http/1.1",
			"--priority=NORMAL:-VERS-ALL:+VERS-TLS1.2", "-p", port, host)
	})
	if ch.ServerName != "example.com" || !slices.Equal(ch.ALPNProtocols, []string{"h2", "http/1.1"}) ||
		!ch.ExtendedMasterSecret || len(ch.SupportedGroups) == 0 || len(ch.SignatureSchemes) == 0 {
		t.Errorf("parsed %+v", ch)
	}
}

// peer finds an interop binary; a missing one is a failure, never a skip
// (make deps installs it).
func peer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (CI=%s): run `make deps`", name, os.Getenv("CI"))
	}
	return path
}

// captureClientHello starts the command that cmd builds for a loopback
// address, reads the first handshake message it sends there and stops it.
func captureClientHello(t *testing.T, cmd func(addr string) *exec.Cmd) *ClientHello {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := cmd(ln.Addr().String())
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		c.Process.Kill()
		c.Wait()
	}()
	deadline := time.Now().Add(10 * time.Second)
	ln.(*net.TCPListener).SetDeadline(deadline)
	conn, err := ln.Accept()
	if err != nil {
		t.Fatalf("%v: %v\n%s", c.Args, err, out.String())
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	raw, err := readFirstMessage(conn)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMessage(raw, 0)
	if err != nil {
		t.Fatalf("%v: %v", c.Args[:2], err)
	}
	return m.(*ClientHello)
}

// readFirstMessage reads records from c until the first handshake message
// is complete and returns it.
func readFirstMessage(c net.Conn) ([]byte, error) {
	var msg []byte
	for {
		hdr := make([]byte, 5)
		if _, err := readConn(c, hdr); err != nil {
			return nil, err
		}
		if hdr[0] != 22 {
			return nil, fmt.Errorf("record of type %d before the hello", hdr[0])
		}
		frag := make([]byte, int(hdr[3])<<8|int(hdr[4]))
		if _, err := readConn(c, frag); err != nil {
			return nil, err
		}
		msg = append(msg, frag...)
		if len(msg) >= 4 {
			n := 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
			if len(msg) >= n {
				return msg[:n], nil
			}
		}
	}
}

func readConn(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := c.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// TestMarshalRecordsExtensions: the client keeps the hello it marshaled,
// so Marshal must record the same extension list parsing the bytes gives.
func TestMarshalRecordsExtensions(t *testing.T) {
	ch := &ClientHello{Version: 0x0303, Random: make([]byte, 32), CipherSuites: []uint16{0xc02b, 0xc009},
		CompressionMethods: []uint8{0}, ServerName: "example.com", SupportedGroups: []kex.Group{kex.X25519},
		SupportedPoints: []uint8{0}, SignatureSchemes: kex.DefaultSchemes(), ALPNProtocols: []string{"h2"},
		ExtendedMasterSecret: true, SecureRenegotiationSupported: true, TicketSupported: true, EncryptThenMAC: true,
		PaddingLen: 10}
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	parsed := new(ClientHello)
	if err := parsed.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ch.Extensions, parsed.Extensions) || len(ch.Extensions) < 10 {
		t.Fatalf("Marshal recorded %v, parsing gives %v", ch.Extensions, parsed.Extensions)
	}
}

func TestHelloMarshalRefusesInvalid(t *testing.T) {
	ok := func() *ClientHello {
		return &ClientHello{Random: make([]byte, 32), CipherSuites: []uint16{1}, CompressionMethods: []uint8{0}}
	}
	with := func(f func(*ClientHello)) *ClientHello { m := ok(); f(m); return m }
	cases := map[string]Message{
		"no cipher suites":         with(func(m *ClientHello) { m.CipherSuites = nil }),
		"no compression methods":   with(func(m *ClientHello) { m.CompressionMethods = nil }),
		"empty ALPN name":          with(func(m *ClientHello) { m.ALPNProtocols = []string{"h2", ""} }),
		"256-byte ALPN name":       with(func(m *ClientHello) { m.ALPNProtocols = []string{strings.Repeat("a", 256)} }),
		"64 KiB server name":       with(func(m *ClientHello) { m.ServerName = strings.Repeat("a", 1<<16) }),
		"ServerHello ALPN 256":     &ServerHello{Random: make([]byte, 32), ALPNProtocol: strings.Repeat("a", 256)},
		"ServerHello empty NPN":    &ServerHello{Random: make([]byte, 32), NextProtoNeg: true, NextProtos: []string{""}},
		"ServerHello short random": &ServerHello{Random: make([]byte, 31)},
	}
	for name, m := range cases {
		if raw, err := m.Marshal(); err == nil {
			t.Errorf("%s: marshaled to %d bytes", name, len(raw))
		} else if !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("%s: %q lacks the tls: prefix", name, err)
		}
	}
	if _, err := ok().Marshal(); err != nil {
		t.Fatal(err)
	}
}

// TestHelloMarshalRecordsExtensions: after Marshal, Extensions is the wire
// order, so a round trip is equal field for field (Raw aside).
func TestHelloMarshalRecordsExtensions(t *testing.T) {
	for _, m := range []Message{fullClientHello(), fullServerHello()} {
		raw, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseMessage(raw, 0)
		if err != nil {
			t.Fatal(err)
		}
		reflect.ValueOf(got).Elem().FieldByName("Raw").SetBytes(nil)
		if !reflect.DeepEqual(got, m) {
			t.Errorf("\n got %+v\nwant %+v", got, m)
		}
	}
	ch := fullClientHello()
	ch.Marshal()
	if !slices.Equal(ch.Extensions, clientExtensionsOf(ch)) {
		t.Errorf("Extensions %v", ch.Extensions)
	}
}

// TestStatusRequestOtherTypes: RFC 6066, Section 8 defines the request
// layout for ocsp only, so another status_type's body is skipped.
func TestStatusRequestOtherTypes(t *testing.T) {
	m, err := ParseMessage(clientHelloWith(ext(ExtStatusRequest, 2, 0xde, 0xad)), 0)
	if err != nil || m.(*ClientHello).OCSPStapling || !m.(*ClientHello).HasExtension(ExtStatusRequest) {
		t.Errorf("status_request of type 2: %v", err)
	}
	if _, err := ParseMessage(clientHelloWith(ext(ExtStatusRequest)), 0); !errors.Is(err, record.ErrDecode) {
		t.Errorf("empty status_request: %v", err)
	}
}

func TestKXMarshalPanicsOnOversize(t *testing.T) {
	for name, f := range map[string]func(){
		"ECDHE params 256": func() { MarshalECDHEParams(29, make([]byte, 256)) },
		"ECDHE client 0":   func() { MarshalECDHEClientPublic(nil) },
		"RSA body 64 KiB":  func() { MarshalRSAOrDHClientBody(make([]byte, 1<<16)) },
		"signature 64 KiB": func() { MarshalSignedParams(nil, true, 0x0403, make([]byte, 1<<16)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	if b := MarshalECDHEClientPublic(bytes.Repeat([]byte{1}, 255)); len(b) != 256 || b[0] != 255 {
		t.Error("255-byte point")
	}
}
