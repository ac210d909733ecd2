package handshake

import (
	"errors"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/record"
)

// nopSink drops everything a machine produces; the tests below look only
// at the errors HandleMessage returns.
type nopSink struct{}

func (nopSink) SendMessage([]byte)                  {}
func (nopSink) SendChangeCipherSpec() error         { return nil }
func (nopSink) SendWarning(record.AlertDescription) {}
func (nopSink) SetVersion(uint16)                   {}
func (nopSink) SetPending(_, _ cipher.Protection)   {}
func (nopSink) ActivateRead() error                 { return nil }
func (nopSink) HandshakeDone(*ConnectionState)      {}
func (nopSink) Keylog(string)                       {}

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
	m := &Machine{cfg: cfg, sink: nopSink{}, isClient: true, version: cipher.VersionTLS12, established: true,
		secureReneg: true, clientFinished: []byte("client-fin12"), serverFinished: []byte("server-fin12")}
	ch := &ClientHello{Version: cipher.VersionTLS12, Random: make([]byte, 32), CipherSuites: []uint16{0x002f},
		CompressionMethods: []uint8{0}, HasExtensions: true, SecureRenegotiationSupported: true,
		SecureRenegotiation: m.clientFinished}
	// Marshal records the offered extensions ServerHello is checked against.
	if _, err := ch.Marshal(); err != nil {
		panic(err)
	}
	m.state = &expectServerHello{hs: &clientHS{cfg: cfg, hello: ch, renegotiating: true}}
	return m
}

// A server may not change the version in a renegotiation (RFC 5246,
// Section 7.4.1.3; BoGo Renegotiate-Client-SwitchVersion): the check ran
// after the client had already taken the new version, so it never fired.
func TestRenegotiationKeepsVersion(t *testing.T) {
	m := renegotiatingClient()
	sh := &ServerHello{Version: cipher.VersionTLS11, Random: make([]byte, 32), CipherSuite: 0x002f,
		HasExtensions: true, SecureRenegotiationSupported: true, SecureRenegotiation: m.renegotiationInfo()}
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
