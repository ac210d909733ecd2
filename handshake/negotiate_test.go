package handshake

import (
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
)

func TestNegotiateVersion(t *testing.T) {
	cases := []struct {
		client   uint16
		versions []uint16 // supported_versions, when sent
		min, max uint16
		want     uint16
		ok       bool
	}{
		{0x0303, nil, 0x0303, 0x0303, 0x0303, true},
		{0x0304, nil, 0x0303, 0x0303, 0x0303, true}, // a TLS 1.3 client_version is capped
		{0x0302, nil, 0x0303, 0x0303, 0, false},
		{0x0302, nil, 0x0301, 0x0303, 0x0302, true},
		{0x0300, nil, 0x0301, 0x0303, 0, false},
		// RFC 8446, Section 4.2.1: without the extension a TLS 1.3 server
		// negotiates TLS 1.2 or below, whatever client_version says.
		{0x0304, nil, 0x0301, 0x0304, 0x0303, true},
		{0x0400, nil, 0x0303, 0x0304, 0x0303, true},
		// RFC 8446, Section 4.2.1: the extension wins over client_version,
		// in either direction, and its order does not matter.
		{0x0303, []uint16{0x0302}, 0x0301, 0x0303, 0x0302, true},
		{0x0302, []uint16{0x0303}, 0x0301, 0x0303, 0x0303, true},
		{0x0303, []uint16{0x0301, 0x0304, 0x0303, 0x0a0a}, 0x0301, 0x0303, 0x0303, true},
		{0x0303, []uint16{0x1111}, 0x0301, 0x0303, 0, false},
		{0x0303, []uint16{0x0302}, 0x0303, 0x0303, 0, false},
	}
	for _, tc := range cases {
		ch := &ClientHello{Version: tc.client, SupportedVersions: tc.versions}
		got, ok := negotiateVersion(ch, tc.min, tc.max)
		if got != tc.want || ok != tc.ok {
			t.Errorf("negotiateVersion(%x %x, %x, %x) = %x, %v; want %x, %v", tc.client, tc.versions, tc.min, tc.max, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSelectSuite(t *testing.T) {
	all := func(*cipher.Suite) bool { return true }
	client := []uint16{0xcca9, 0xc02b, 0x1234}
	ours := []uint16{0xc02b, 0xcca9}
	if s := selectSuite(client, ours, false, cipher.SuiteByID, all); s == nil || s.ID != 0xcca9 {
		t.Fatalf("client order: %v", s)
	}
	if s := selectSuite(client, ours, true, cipher.SuiteByID, all); s == nil || s.ID != 0xc02b {
		t.Fatalf("server order: %v", s)
	}
	noChaCha := func(s *cipher.Suite) bool { return s.ID != 0xcca9 }
	if s := selectSuite(client, ours, false, cipher.SuiteByID, noChaCha); s == nil || s.ID != 0xc02b {
		t.Fatalf("filtered: %v", s)
	}
	if s := selectSuite([]uint16{0x1234}, ours, false, cipher.SuiteByID, all); s != nil {
		t.Fatalf("unknown suite selected: %v", s)
	}
}

func TestSelectGroup(t *testing.T) {
	ours := []kex.Group{kex.X25519, kex.P256}
	if g, ok := selectGroup([]kex.Group{kex.P256, kex.X25519}, ours); !ok || g != kex.X25519 {
		t.Fatal(g, ok)
	}
	if g, ok := selectGroup(nil, []kex.Group{kex.FFDHE2048, kex.P384, kex.X25519}); !ok || g != kex.P384 {
		t.Fatal("absent extension without P-256 configured: our first ECDHE group", g, ok)
	}
	if _, ok := selectGroup([]kex.Group{}, ours); ok {
		t.Fatal("empty intersection selected a group")
	}
	if _, ok := selectGroup([]kex.Group{kex.P384}, ours); ok {
		t.Fatal("unshared group selected")
	}
}

func TestSelectALPN(t *testing.T) {
	cases := []struct {
		client, server []string
		want           string
		ok             bool
	}{
		{[]string{"http/1.1", "h2"}, []string{"h2", "http/1.1"}, "h2", true},
		{[]string{"a"}, nil, "", true},
		{nil, []string{"a"}, "", true},
		{[]string{"a"}, []string{"b"}, "", false},
	}
	for _, tc := range cases {
		got, ok := selectALPN(tc.client, tc.server)
		if got != tc.want || ok != tc.ok {
			t.Errorf("selectALPN(%v,%v) = %q,%v", tc.client, tc.server, got, ok)
		}
	}
}

func TestReassembler(t *testing.T) {
	msgs := [][]byte{
		{1, 0, 0, 3, 'a', 'b', 'c'},
		{2, 0, 0, 0},
		append([]byte{11, 0, 0x10, 0}, make([]byte, 0x1000)...),
	}
	var stream []byte
	for _, m := range msgs {
		stream = append(stream, m...)
	}
	for _, chunk := range []int{1, 3, 100, len(stream)} {
		var r Reassembler
		var got [][]byte
		for i := 0; i < len(stream); i += chunk {
			if err := r.Add(stream[i:min(i+chunk, len(stream))]); err != nil {
				t.Fatal(err)
			}
			got = append(got, nextAll(t, &r)...)
		}
		if len(got) != len(msgs) || !r.Empty() {
			t.Fatalf("chunk %d: %d messages, empty %v", chunk, len(got), r.Empty())
		}
	}
	if err := new(Reassembler).Add(nil); err == nil {
		t.Fatal("an empty fragment was accepted")
	}
}

// A ClientHello without supported_groups gets P-256 (RFC 8422, Section 4
// leaves the curve to the server; every ECDHE client has P-256), not our
// first ECDHE preference X25519, which such an old client may lack.
func TestNoSupportedGroupsPicksP256(t *testing.T) {
	ch := new(ClientHello)
	if err := ch.Unmarshal(clientHelloWith(ext(ExtExtendedMasterSecret))); err != nil {
		t.Fatal(err)
	}
	ours := (&Config{}).groups()
	if ecdhe := offeredECDHE(ours); ecdhe[0] != kex.X25519 {
		t.Fatalf("default ECDHE groups %v no longer start with X25519", ecdhe)
	}
	if g, ok := selectGroup(nilIfAbsent(ch), ours); !ok || g != kex.P256 {
		t.Fatalf("selected %v, %v; want P-256", g, ok)
	}
	if g, ok := selectGroup(nilIfAbsent(ch), []kex.Group{kex.X25519, kex.P384, kex.P256}); !ok || g != kex.P256 {
		t.Fatalf("with P-256 last in our list: selected %v, %v; want P-256", g, ok)
	}
}
