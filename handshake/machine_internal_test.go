package handshake

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// nopSink drops everything a machine produces; the tests below look only
// at the errors HandleMessage returns.
type nopSink struct{}

func (nopSink) SendMessage([]byte)                       {}
func (nopSink) SendChangeCipherSpec() error              { return nil }
func (nopSink) Session(*session.State)                   {}
func (nopSink) SendWarning(record.AlertDescription)      {}
func (nopSink) SetVersion(uint16)                        {}
func (nopSink) InstallWriteKeys(cipher.Protection) error { return nil }
func (nopSink) InstallReadKeys(cipher.Protection) error  { return nil }
func (nopSink) HandshakeDone(*ConnectionState)           {}
func (nopSink) Keylog(string)                            {}
func (nopSink) KeylogWanted() bool                       { return true }

// wantAlert fails t unless err is a *record.Error with alert a whose text
// contains reason.
func wantAlert(t *testing.T, err error, a record.AlertDescription, reason string) {
	t.Helper()
	var re *record.Error
	if !errors.As(err, &re) || re.Alert != a || !strings.Contains(err.Error(), reason) {
		t.Fatalf("error %v, want alert %v with %q", err, a, reason)
	}
}

// renegotiatingClient is a client machine whose TLS 1.2 connection is
// established and which has sent the ClientHello of a renegotiation.
func renegotiatingClient() *Machine {
	cfg := &Config{MinVersion: cipher.VersionTLS10, MaxVersion: cipher.VersionTLS12}
	m := &Machine{cfg: cfg, sink: nopSink{}, isClient: true, version: cipher.VersionTLS12, established: true}
	prev := &established12{secureReneg: true, clientFinished: []byte("client-fin12"), serverFinished: []byte("server-fin12")}
	ch := &ClientHello{Version: cipher.VersionTLS12, Random: make([]byte, 32), CipherSuites: []uint16{0x002f},
		CompressionMethods: []uint8{0}, HasExtensions: true, SecureRenegotiationSupported: true,
		SecureRenegotiation: prev.clientFinished}
	// Marshal records the offered extensions ServerHello is checked against.
	if _, err := ch.Marshal(); err != nil {
		panic(err)
	}
	m.state = &expectServerHello{hs: &clientHS{cfg: cfg, hello: ch, renegotiating: true, prev: prev}}
	return m
}

// renegotiatingFrom is the established connection a renegotiatingClient
// started from.
func renegotiatingFrom(m *Machine) *established12 {
	return m.state.(*expectServerHello).hs.prev
}

// A server may not change the version in a renegotiation (RFC 5246,
// Section 7.4.1.3; BoGo Renegotiate-Client-SwitchVersion): the check ran
// after the client had already taken the new version, so it never fired.
func TestRenegotiationKeepsVersion(t *testing.T) {
	m := renegotiatingClient()
	sh := &ServerHello{Version: cipher.VersionTLS11, Random: make([]byte, 32), CipherSuite: 0x002f,
		HasExtensions: true, SecureRenegotiationSupported: true, SecureRenegotiation: renegotiatingFrom(m).renegotiationInfo()}
	raw, err := sh.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	wantAlert(t, m.HandleMessage(raw), record.AlertProtocolVersion, "changed the version from 0x0303 to 0x0302")
	if m.version != cipher.VersionTLS12 {
		t.Fatalf("version after the refused ServerHello: 0x%04x", m.version)
	}
}

// A message that is not expected now is unexpected_message even when its
// body does not parse (RFC 5246, Section 7.3): the type is checked before
// the body, where a decode_error used to win.
func TestUnexpectedMessageBeforeParsing(t *testing.T) {
	garbage := func(typ MessageType) []byte { return []byte{byte(typ), 0, 0, 1, 0xff} }
	cases := []struct {
		name string
		m    *Machine
		raw  []byte
	}{
		{"server awaiting ClientHello gets Certificate", NewServer(&Config{}, nopSink{}), garbage(TypeCertificate)},
		{"server awaiting ClientHello gets ServerHello", NewServer(&Config{}, nopSink{}), garbage(TypeServerHello)},
		{"client awaiting ServerHello gets ServerKeyExchange", renegotiatingClient(), garbage(TypeServerKeyExchange)},
		{"client awaiting ServerHello gets NextProtocol", renegotiatingClient(), garbage(TypeNextProtocol)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantAlert(t, c.m.HandleMessage(c.raw), record.AlertUnexpectedMessage, "unexpected "+MessageType(c.raw[0]).String()+" message")
		})
	}
	// The expected type with the same broken body is still a decode_error.
	wantAlert(t, NewServer(&Config{}, nopSink{}).HandleMessage(garbage(TypeClientHello)), record.AlertDecodeError, "malformed ClientHello")
}

// serverNameHello is a ClientHello whose server_name extension holds the
// given ServerNameList entries.
func serverNameHello(entries ...byte) []byte {
	return clientHelloWith(ext(ExtServerName, append([]byte{byte(len(entries) >> 8), byte(len(entries))}, entries...)...))
}

// hostName is one host_name entry.
func hostName(name string) []byte {
	return append([]byte{0, byte(len(name) >> 8), byte(len(name))}, name...)
}

// RFC 6066, Section 3: a server_name whose host name is not an ASCII DNS
// name without a trailing dot is illegal_parameter; a ServerNameList that
// does not parse is decode_error.
func TestServerNameHostNameAlerts(t *testing.T) {
	for _, name := range []string{"example.com.", "exa mple.com", "a\x00b", "a\x1fb", "tab\there", "bücher.example",
		".example", "a..b", ".", "a\x7f"} {
		err := NewServer(&Config{}, nopSink{}).HandleMessage(serverNameHello(hostName(name)...))
		wantAlert(t, err, record.AlertIllegalParameter, "is not a valid host name")
	}
	for _, name := range []string{"example.com", "a", "xn--bcher-kva.example", "A-1.b-2.C3", "127.0.0.1", "my_app.internal"} {
		// The SNI decision is the first question of a full handshake.
		m := NewServer(&Config{AskServerContext: true, Rand: rand.Reader}, nopSink{})
		if err := m.HandleMessage(serverNameHello(hostName(name)...)); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if d, ok := m.Pending().(*ServerContextDecision); !ok || d.ServerName != name {
			t.Errorf("%q: pending decision %+v", name, m.Pending())
		}
	}
	malformed := map[string][]byte{
		"empty list":          serverNameHello(),
		"empty host name":     serverNameHello(0, 0, 0),
		"two host names":      serverNameHello(append(hostName("a"), hostName("b")...)...),
		"host name overruns":  serverNameHello(0, 0, 5, 'a'),
		"list overruns":       clientHelloWith(ext(ExtServerName, 0, 9, 0, 0, 1, 'a')),
		"bytes after list":    clientHelloWith(ext(ExtServerName, 0, 4, 0, 0, 1, 'a', 0)),
		"no list":             clientHelloWith(ext(ExtServerName)),
		"bad name, truncated": serverNameHello(0, 0, 3, ' ', 'a'),
	}
	for what, raw := range malformed {
		err := NewServer(&Config{}, nopSink{}).HandleMessage(raw)
		var re *record.Error
		if !errors.As(err, &re) || re.Alert != record.AlertDecodeError {
			t.Errorf("%s: %v, want decode_error", what, err)
		}
	}
}

// helloSink keeps the messages a machine sends.
type helloSink struct {
	nopSink
	sent [][]byte
}

func (s *helloSink) SendMessage(raw []byte) { s.sent = append(s.sent, raw) }

// Our client sends a server name the way our server accepts it: RFC 6066,
// Section 3 wants it "without a trailing dot", so a fully qualified
// "example.com." goes as "example.com"; a name with control characters is
// refused before anything is sent.
func TestClientServerNameWithoutTrailingDot(t *testing.T) {
	sink := &helloSink{}
	m := NewClient(&Config{Rand: rand.Reader}, ClientOptions{ServerName: "example.com."}, sink)
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	ch := new(ClientHello)
	if err := ch.Unmarshal(sink.sent[0]); err != nil || ch.ServerName != "example.com" {
		t.Fatalf("server_name %q (%v), want example.com", ch.ServerName, err)
	}
	if err := NewClient(&Config{Rand: rand.Reader}, ClientOptions{ServerName: "a\nb"}, &helloSink{}).Start(); err == nil ||
		!strings.Contains(err.Error(), "not an ASCII host name") {
		t.Fatalf("name with a newline: %v", err)
	}
}
