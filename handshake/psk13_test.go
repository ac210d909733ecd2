package handshake

import (
	"bytes"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// pskHello is a ClientHello offering two PSK identities.
func pskHello(t testing.TB) []byte {
	ch := &ClientHello{
		Version: 0x0303, Random: bytes.Repeat([]byte{1}, 32), CipherSuites: []uint16{0x1301},
		CompressionMethods: []uint8{0}, HasExtensions: true, SupportedVersions: []uint16{0x0304},
		PSKModes:      []uint8{PSKModeDHE},
		PSKIdentities: []PSKIdentity{{Identity: []byte("ticket-one"), ObfuscatedTicketAge: 7}, {Identity: []byte("two"), ObfuscatedTicketAge: 9}},
		PSKBinders:    [][]byte{bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 48)},
	}
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// checkPSKHello is the property of every ClientHello we accept with a
// pre_shared_key: it is the last extension, and the bytes after
// truncatedHello are exactly the binders list, which the binder covers
// everything before (RFC 8446, Section 4.2.11.2).
func checkPSKHello(t *testing.T, data []byte) {
	m, err := ParseMessage(data, 0x0304)
	if err != nil {
		return
	}
	ch, ok := m.(*ClientHello)
	if !ok || !ch.HasExtension(ExtPreSharedKey) {
		return
	}
	if err := ch.checkExtensions13(); err != nil {
		return // refused by the server before any binder is read
	}
	if ch.Extensions[len(ch.Extensions)-1] != ExtPreSharedKey || len(ch.PSKIdentities) == 0 || len(ch.PSKBinders) == 0 {
		t.Fatalf("accepted pre_shared_key: extensions %v, %d identities, %d binders", ch.Extensions, len(ch.PSKIdentities), len(ch.PSKBinders))
	}
	trunc := truncatedHello(ch)
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, x := range ch.PSKBinders {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(x) })
		}
	})
	tail := b.BytesOrPanic()
	if !bytes.Equal(append(bytes.Clone(trunc), tail...), ch.Raw) {
		t.Fatalf("truncated ClientHello plus binders is not the ClientHello")
	}
}

func TestTruncatedHello(t *testing.T) {
	raw := pskHello(t)
	checkPSKHello(t, raw)
	m, err := ParseMessage(raw, 0x0304)
	if err != nil {
		t.Fatal(err)
	}
	ch := m.(*ClientHello)
	// 2-byte list length, then 1+32 and 1+48.
	if got := len(raw) - len(truncatedHello(ch)); got != 2+33+49 {
		t.Fatalf("truncated %d bytes", got)
	}
}

// TestPSKExtensionStrict: the codec refuses what RFC 8446, Section
// 4.2.11's syntax forbids.
func TestPSKExtensionStrict(t *testing.T) {
	for name, ext := range map[string][]byte{
		"no identities":   {0, 0, 0, 33, 32},
		"empty identity":  {0, 6, 0, 0, 0, 0, 0, 0, 0, 33, 32},
		"no binders":      {0, 7, 0, 1, 'x', 0, 0, 0, 0, 0, 0},
		"short binder":    append([]byte{0, 7, 0, 1, 'x', 0, 0, 0, 0, 0, 32, 31}, make([]byte, 31)...),
		"truncated":       {0, 7, 0, 1, 'x', 0, 0},
		"trailing binder": append([]byte{0, 7, 0, 1, 'x', 0, 0, 0, 0, 0, 34, 32}, make([]byte, 33)...),
	} {
		s := cryptobyte.String(ext)
		if (&ClientHello{}).readPreSharedKey(&s) && s.Empty() {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzPSKClientHello fuzzes ClientHellos carrying pre_shared_key through
// the parser and checks checkPSKHello's property.
func FuzzPSKClientHello(f *testing.F) {
	f.Add(pskHello(f))
	f.Fuzz(checkPSKHello)
}
