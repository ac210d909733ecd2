package handshake

import (
	"bytes"
	gotls "crypto/tls"
	"errors"
	"net"
	"reflect"
	"testing"

	"github.com/tlsengine/tlsengine/kex"
)

func sampleMessages() []Message {
	random := bytes.Repeat([]byte{0xab}, 32)
	return []Message{
		&HelloRequest{},
		&ClientHello{Version: 0x0303, Random: random, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}},
		&ClientHello{Version: 0x0303, Random: random, SessionID: bytes.Repeat([]byte{1}, 32), CipherSuites: []uint16{0xc02b, 0xcca8, SCSVRenegotiation},
			CompressionMethods: []uint8{0}, HasExtensions: true, ServerName: "example.com", SupportedGroups: []kex.Group{kex.X25519, kex.P256},
			SupportedPoints: []uint8{0}, SignatureSchemes: []kex.SignatureScheme{kex.ECDSAWithP256AndSHA256, kex.PSSWithSHA256},
			ALPNProtocols: []string{"h2", "http/1.1"}, ExtendedMasterSecret: true, SecureRenegotiationSupported: true,
			OCSPStapling: true, TicketSupported: true, SessionTicket: []byte("ticket"), NextProtoNeg: true, EncryptThenMAC: true,
			SCT: true, SupportedVersions: []uint16{0x0304, 0x0303}},
		&ServerHello{Version: 0x0303, Random: random, CipherSuite: 0xc02f},
		&ServerHello{Version: 0x0303, Random: random, SessionID: []byte{1, 2, 3}, CipherSuite: 0xc02f, HasExtensions: true,
			SecureRenegotiationSupported: true, SecureRenegotiation: bytes.Repeat([]byte{9}, 24), ExtendedMasterSecret: true,
			ALPNProtocol: "h2", OCSPStapling: true, TicketSupported: true, SupportedPoints: []uint8{0}, NextProtoNeg: true,
			NextProtos: []string{"a", "b"}, ServerNameAck: true, EncryptThenMAC: true},
		&Certificate{},
		&Certificate{Certificates: [][]byte{{1, 2, 3}, bytes.Repeat([]byte{4}, 1000)}},
		&ServerKeyExchange{Body: MarshalSignedParams(MarshalECDHEParams(kex.X25519, make([]byte, 32)), true, kex.ECDSAWithP256AndSHA256, []byte{5, 6})},
		&CertificateRequest{HasSignatureSchemes: true, CertificateTypes: []uint8{1, 64}, SignatureSchemes: []kex.SignatureScheme{kex.PSSWithSHA256}, CertificateAuthorities: [][]byte{{0x30, 0}}},
		&CertificateRequest{CertificateTypes: []uint8{1}},
		&ServerHelloDone{},
		&ClientKeyExchange{Body: MarshalECDHEClientPublic(make([]byte, 65))},
		&CertificateVerify{HasSignatureScheme: true, SignatureScheme: kex.Ed25519, Signature: []byte{1}},
		&CertificateVerify{Signature: []byte{1, 2}},
		&Finished{VerifyData: make([]byte, 12)},
		&NewSessionTicket{LifetimeHint: 300, Ticket: []byte("opaque")},
		&CertificateStatus{Response: []byte{0x30, 0x00}},
		&NextProtocol{Protocol: "h2"},
	}
}

// clearRaw zeroes the fields Unmarshal fills from the bytes themselves.
func clearRaw(m Message) {
	v := reflect.ValueOf(m).Elem()
	v.FieldByName("Raw").SetBytes(nil)
	if f := v.FieldByName("Extensions"); f.IsValid() {
		f.Set(reflect.Zero(f.Type()))
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		raw, err := m.Marshal()
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		version := uint16(0x0302)
		if cr, ok := m.(*CertificateRequest); ok && cr.HasSignatureSchemes {
			version = 0x0303
		}
		if cv, ok := m.(*CertificateVerify); ok && cv.HasSignatureScheme {
			version = 0x0303
		}
		got, err := ParseMessage(raw, version)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		if !bytes.Equal(reflectRaw(got), raw) {
			t.Fatalf("%T: Raw differs from the input", m)
		}
		again, _ := got.Marshal()
		if !bytes.Equal(again, raw) {
			t.Fatalf("%T: re-marshal differs", m)
		}
		clearRaw(got)
		want := m
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("%T:\n got %+v\nwant %+v", m, got, want)
		}
		// No strict prefix parses (RFC 5246: every length is checked).
		for i := 0; i < len(raw); i++ {
			if _, err := ParseMessage(raw[:i], version); err == nil {
				t.Fatalf("%T: prefix of %d bytes parsed", m, i)
			}
		}
		// Nor one trailing byte inside the body.
		long := append(append([]byte(nil), raw...), 0)
		n := len(long) - 4
		long[1], long[2], long[3] = byte(n>>16), byte(n>>8), byte(n)
		if _, err := ParseMessage(long, version); err == nil {
			switch m.(type) {
			case *ServerKeyExchange, *ClientKeyExchange: // opaque bodies
			case *Finished: // a wrong length fails verification instead
			default:
				t.Fatalf("%T: trailing byte accepted", m)
			}
		}
	}
}

func reflectRaw(m Message) []byte { return reflect.ValueOf(m).Elem().FieldByName("Raw").Bytes() }

// normalize maps empty slices to nil so DeepEqual compares content.
func normalize(m Message) Message {
	v := reflect.ValueOf(m).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() == reflect.Slice && f.Len() == 0 {
			f.Set(reflect.Zero(f.Type()))
		}
	}
	return m
}

func TestStrictDecode(t *testing.T) {
	base := func() *ClientHello {
		return &ClientHello{Version: 0x0303, Random: make([]byte, 32), CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}, HasExtensions: true}
	}
	withExt := func(exts ...[]byte) []byte {
		raw, _ := base().Marshal()
		// Replace the empty extensions block with the given ones.
		raw = raw[:len(raw)-2]
		var block []byte
		for _, e := range exts {
			block = append(block, e...)
		}
		raw = append(raw, byte(len(block)>>8), byte(len(block)))
		raw = append(raw, block...)
		n := len(raw) - 4
		raw[1], raw[2], raw[3] = byte(n>>16), byte(n>>8), byte(n)
		return raw
	}
	ext := func(typ uint16, body ...byte) []byte {
		return append([]byte{byte(typ >> 8), byte(typ), byte(len(body) >> 8), byte(len(body))}, body...)
	}
	cases := map[string][]byte{
		"duplicate extension":    withExt(ext(23), ext(23)),
		"empty ALPN name":        withExt(ext(16, 0, 4, 2, 'h', '2', 0)),
		"empty ALPN list":        withExt(ext(16, 0, 0)),
		"odd groups list":        withExt(ext(10, 0, 3, 0, 29, 0)),
		"empty SNI host":         withExt(ext(0, 0, 3, 0, 0, 0)),
		"SNI with NUL":           withExt(ext(0, 0, 5, 0, 0, 2, 'a', 0)),
		"trailing in EMS":        withExt(ext(23, 1)),
		"bad renegotiation_info": withExt(ext(0xff01, 5)),
		"empty sigalgs":          withExt(ext(13, 0, 0)),
	}
	for name, raw := range cases {
		if _, err := ParseMessage(raw, 0); !errors.Is(err, ErrDecode) {
			t.Errorf("%s: got %v, want a decode error", name, err)
		}
	}
	// A 33-byte session id and a bad CertificateStatus type.
	ch := base()
	raw, _ := ch.Marshal()
	raw[4+2+32] = 33
	if _, err := ParseMessage(raw, 0); err == nil {
		t.Error("33-byte session id accepted")
	}
	if _, err := ParseMessage([]byte{22, 0, 0, 5, 2, 0, 0, 1, 0}, 0); err == nil {
		t.Error("CertificateStatus of type 2 accepted")
	}
	// Unknown extensions are kept and ignored.
	got, err := ParseMessage(withExt(ext(0x1234, 1, 2, 3)), 0)
	if err != nil || got.(*ClientHello).Extensions[0] != 0x1234 {
		t.Errorf("unknown extension: %v", err)
	}
}

// TestParseGoClientHello parses the ClientHello crypto/tls sends.
func TestParseGoClientHello(t *testing.T) {
	a, b := net.Pipe()
	go func() {
		c := gotls.Client(a, &gotls.Config{ServerName: "example.org", NextProtos: []string{"h2", "http/1.1"}, MaxVersion: gotls.VersionTLS12})
		c.Handshake()
	}()
	buf := make([]byte, 5)
	if _, err := readConn(b, buf); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(buf[3])<<8|int(buf[4]))
	readConn(b, body)
	b.Close()
	m, err := ParseMessage(body, 0)
	if err != nil {
		t.Fatal(err)
	}
	ch := m.(*ClientHello)
	if ch.ServerName != "example.org" || !reflect.DeepEqual(ch.ALPNProtocols, []string{"h2", "http/1.1"}) || !ch.ExtendedMasterSecret || len(ch.SupportedGroups) == 0 {
		t.Fatalf("parsed %+v", ch)
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

func BenchmarkClientHelloUnmarshal(b *testing.B) {
	raw, _ := sampleMessages()[2].Marshal()
	b.ReportAllocs()
	for b.Loop() {
		var ch ClientHello
		ch.Unmarshal(raw)
	}
}
