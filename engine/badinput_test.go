package engine_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// Message type numbers (RFC 5246, Section 7.4), spelled out so the tests
// read the wire without the codecs under test.
const (
	typeClientHello       = 1
	typeServerKeyExchange = 12
	typeClientKeyExchange = 16
	typeFinished          = 20
)

// serverAlert feeds raw bytes to a fresh server and returns the fatal alert
// it sent in plaintext and its error.
func serverAlert(t *testing.T, input []byte) (record.AlertDescription, error) {
	t.Helper()
	return serverAlertWith(t, nil, input)
}

// serverAlertWith is serverAlert with a tweak to the server's configuration.
func serverAlertWith(t *testing.T, tweak func(*engine.Config), input []byte) (record.AlertDescription, error) {
	t.Helper()
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	cfg := pki.ServerConfig(9)
	if tweak != nil {
		tweak(cfg)
	}
	s := engine.NewServer(cfg)
	err := s.Feed(input)
	var wire []byte
	for e := s.NextEvent(); e.Kind != engine.EventNone; e = s.NextEvent() {
		if e.Kind == engine.EventSend {
			wire = append(wire, e.Data...)
		}
	}
	if err == nil {
		t.Fatalf("no error for input %x", input[:min(len(input), 32)])
	}
	// A failed connection keeps failing, and sends nothing more.
	if err2 := s.Feed([]byte{22, 3, 3, 0, 1, 0}); err2 != err {
		t.Fatalf("error not latched: %v then %v", err, err2)
	}
	if e := s.NextEvent(); e.Kind != engine.EventNone {
		t.Fatalf("event after fatal error: %v", e.Kind)
	}
	a, ok := tlstest.FatalAlertSent(wire)
	if !ok {
		t.Fatalf("no fatal alert sent for error %v", err)
	}
	return a, err
}

// clientHello returns a real ClientHello message from our client, a TLS
// 1.2 one: the server's answer to it stays in the clear, where the tests
// read the alert (a TLS 1.3 server encrypts its alerts after ServerHello).
func clientHello(t *testing.T) []byte {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	cfg := pki.ClientConfig(3)
	cfg.MaxVersion = cipher.VersionTLS12
	c := engine.NewClient(cfg, engine.ClientOptions{ServerName: "localhost"})
	e := c.NextEvent()
	if e.Kind != engine.EventSend {
		t.Fatalf("first client event %v", e.Kind)
	}
	return append([]byte(nil), e.Data[record.HeaderLen:]...)
}

func TestBadInputAlerts(t *testing.T) {
	ch := clientHello(t)
	finished := append([]byte{typeFinished, 0, 0, 12}, make([]byte, 12)...)
	huge := []byte{typeClientHello, 0xff, 0xff, 0xff}
	cases := []struct {
		name  string
		input []byte
		want  record.AlertDescription
		cat   error
	}{
		{"http request", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), record.AlertUnexpectedMessage, record.ErrDecode},
		{"oversized record", []byte{22, 3, 3, 0x48, 0x01}, record.AlertRecordOverflow, record.ErrDecode},
		{"plaintext record over 2^14", append([]byte{22, 3, 3, 0x40, 0x01}, make([]byte, 0x4001)...), record.AlertRecordOverflow, record.ErrDecode},
		{"not TLS version", []byte{22, 2, 0, 0, 4, 1, 0, 0, 0}, record.AlertProtocolVersion, record.ErrDecode},
		{"33 empty handshake records", bytes.Repeat([]byte{22, 3, 1, 0, 0}, 33), record.AlertUnexpectedMessage, record.ErrPeerMisbehaved},
		{"empty record before a non-TLS hello", []byte{22, 3, 1, 0, 0, 0x80, 0x2e, 1, 3, 1}, record.AlertProtocolVersion, record.ErrDecode},
		{"application data first", []byte{23, 3, 3, 0, 1, 'x'}, record.AlertUnexpectedMessage, record.ErrPeerMisbehaved},
		{"CCS first", []byte{20, 3, 3, 0, 1, 1}, record.AlertUnexpectedMessage, record.ErrPeerMisbehaved},
		{"malformed CCS", []byte{20, 3, 3, 0, 1, 2}, record.AlertDecodeError, record.ErrDecode},
		{"finished first", tlstest.HandshakeRecord(finished), record.AlertUnexpectedMessage, record.ErrPeerMisbehaved},
		{"unknown message type", tlstest.HandshakeRecord([]byte{99, 0, 0, 0}), record.AlertUnexpectedMessage, record.ErrPeerMisbehaved},
		// OpenSSL 3 answers SSL_R_EXCESSIVE_MESSAGE_SIZE with illegal_parameter.
		{"ClientHello over its 128 KiB cap", tlstest.HandshakeRecord(huge), record.AlertIllegalParameter, record.ErrDecode},
		{"truncated ClientHello", tlstest.HandshakeRecord(append([]byte{typeClientHello, 0, 0, 5}, ch[4:9]...)), record.AlertDecodeError, record.ErrDecode},
		{"ClientHello with trailing byte", tlstest.HandshakeRecord(withLength(append(append([]byte(nil), ch...), 0))), record.AlertDecodeError, record.ErrDecode},
		{"second ClientHello in one flight", tlstest.HandshakeRecord(ch, ch), record.AlertUnexpectedMessage, record.ErrPeerMisbehaved},
		{"Finished instead of ClientKeyExchange", tlstest.HandshakeRecord(ch, finished), record.AlertUnexpectedMessage, record.ErrPeerMisbehaved},
		{"fatal alert garbage level", []byte{21, 3, 3, 0, 2, 7, 40}, record.AlertIllegalParameter, record.ErrDecode},
		{"alert of 3 bytes", []byte{21, 3, 3, 0, 3, 2, 40, 0}, record.AlertDecodeError, record.ErrDecode},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := serverAlert(t, tc.input)
			if a != tc.want {
				t.Errorf("alert %v, want %v (error %v)", a, tc.want, err)
			}
			if !errors.Is(err, tc.cat) {
				t.Errorf("error %v is not in category %v", err, tc.cat)
			}
			if got := err.Error(); len(got) < 5 || got[:5] != "tls: " {
				t.Errorf("error %q does not start with tls:", got)
			}
		})
	}
}

// withLength fixes a handshake message's length after editing its body.
func withLength(msg []byte) []byte {
	n := len(msg) - 4
	msg[1], msg[2], msg[3] = byte(n>>16), byte(n>>8), byte(n)
	return msg
}

// TestTamperedHandshake changes one byte in flight of a TLS 1.2 handshake
// and checks the alert the detecting side sends, as the other side
// receives it (TestTLS13Tampered* do the same in TLS 1.3).
func TestTamperedHandshake(t *testing.T) {
	type tamper struct {
		name       string
		fromClient bool
		flight     int // index of the sender's EventSend
		edit       func(t *testing.T, b []byte)
		cfg        func(c, s *engine.Config)
		receiver   func(p *tlstest.Pair) *tlstest.Side // who receives the alert
		want       record.AlertDescription
	}
	serverSide := func(p *tlstest.Pair) *tlstest.Side { return p.Server }
	clientSide := func(p *tlstest.Pair) *tlstest.Side { return p.Client }
	cases := []tamper{
		{
			name: "client Finished record", fromClient: true, flight: 1,
			edit: func(t *testing.T, b []byte) { b[len(b)-1] ^= 1 },
			// The server detects it and the client receives bad_record_mac.
			receiver: clientSide, want: record.AlertBadRecordMAC,
		},
		{
			name: "server Finished record", fromClient: false, flight: 1,
			edit:     func(t *testing.T, b []byte) { b[len(b)-3] ^= 0x80 },
			receiver: serverSide, want: record.AlertBadRecordMAC,
		},
		{
			name: "ServerKeyExchange signature", fromClient: false, flight: 0,
			edit: func(t *testing.T, b []byte) {
				off := tlstest.FindMessage(b, typeServerKeyExchange)
				n := int(b[off+1])<<16 | int(b[off+2])<<8 | int(b[off+3])
				b[off+4+n-2] ^= 0x10 // inside the signature
			},
			receiver: serverSide, want: record.AlertDecryptError,
		},
		{
			name: "ClientKeyExchange point off the curve", fromClient: true, flight: 1,
			cfg: func(c, s *engine.Config) { c.Groups = []kex.Group{kex.P256} },
			edit: func(t *testing.T, b []byte) {
				off := tlstest.FindMessage(b, typeClientKeyExchange)
				b[off+4+1+20] ^= 0x01 // a coordinate byte of the uncompressed point
			},
			receiver: clientSide, want: record.AlertIllegalParameter,
		},
		{
			// Without EMS the keys do not cover the ClientHello, so a
			// changed transcript shows only in Finished.
			name: "ClientHello cipher list without EMS", fromClient: true, flight: 0,
			cfg: func(c, s *engine.Config) {
				c.DisableExtendedMasterSecret, s.DisableExtendedMasterSecret = true, true
				c.CipherSuites = []uint16{0xc02b, 0xc02c}
			},
			edit: func(t *testing.T, b []byte) {
				// record(5) + header(4) + version(2) + random(32) + sid len(1) + list len(2) + first(2): second suite
				i := bytes.Index(b, []byte{0xc0, 0x2b, 0xc0, 0x2c})
				if i < 0 {
					t.Fatal("cipher list not found")
				}
				b[i+3] = 0x30 // 0xc02c -> 0xc030, not selected by the server
			},
			receiver: clientSide, want: record.AlertDecryptError,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := pair(t, certgen.ECDSAP256, func(c, s *engine.Config) {
				c.MaxVersion, s.MaxVersion = cipher.VersionTLS12, cipher.VersionTLS12
				if tc.cfg != nil {
					tc.cfg(c, s)
				}
			})
			counts := map[bool]int{}
			p.Tamper = func(fromClient bool, data []byte) []byte {
				i := counts[fromClient]
				counts[fromClient]++
				if fromClient == tc.fromClient && i == tc.flight {
					tc.edit(t, data)
				}
				return data
			}
			if err := p.Handshake(); err == nil {
				t.Fatal("handshake succeeded despite tampering")
			}
			if r := tc.receiver(p); !hasAlert(r.Alerts, tc.want) {
				t.Fatalf("receiver alerts %v, want fatal %v (client err %v, server err %v)", r.Alerts, tc.want, p.Client.Err, p.Server.Err)
			}
		})
	}
}

// TestEveryByteFlipped flips each byte the client sends in a handshake, one
// run per byte: nothing may panic or hang, and every failure reaches the
// peer as an alert.
func TestEveryByteFlipped(t *testing.T) {
	p := pair(t, certgen.ECDSAP256, nil)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	total := len(p.Client.Wire)
	for pos := 0; pos < total; pos++ {
		q := pair(t, certgen.ECDSAP256, nil)
		seen := 0
		q.Tamper = func(fromClient bool, data []byte) []byte {
			if fromClient {
				if pos >= seen && pos < seen+len(data) {
					data[pos-seen] ^= 0x01
				}
				seen += len(data)
			}
			return data
		}
		err := q.Handshake()
		if err == nil {
			continue // a byte nobody checks, such as the first record's minor version
		}
		if q.Server.Err == nil && q.Client.Err == nil {
			// A changed record length leaves the server waiting for bytes
			// that never come; the transport's timeout ends that.
			continue
		}
		failed, other := q.Server, q.Client
		if q.Server.Err == nil {
			failed, other = q.Client, q.Server
		}
		var ae *record.AlertError
		if errors.As(failed.Err, &ae) {
			continue // it received the alert from the side that detected the problem
		}
		if len(other.Alerts) == 0 && other.Err == nil {
			t.Fatalf("byte %d: %v, and the peer saw no alert", pos, failed.Err)
		}
	}
}
