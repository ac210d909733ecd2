package handshake

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// These tests need the hello.go/kxbodies.go patch; fold them into
// extensions_test.go once it is applied.

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
	if _, err := ParseMessage(clientHelloWith(ext(ExtStatusRequest)), 0); !errors.Is(err, ErrDecode) {
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
