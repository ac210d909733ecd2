package handshake_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// keySink records what a machine asks of its sink, as "Name" steps, and
// queues what it sends for the peer machine. It stands for the engine
// with no record layer: messages and ChangeCipherSpec go straight across.
type keySink struct {
	steps []string
	out   [][]byte // messages for the peer; nil is a ChangeCipherSpec
	state *handshake.ConnectionState
}

func (s *keySink) SendMessage(raw []byte) {
	s.steps = append(s.steps, handshake.MessageType(raw[0]).String())
	s.out = append(s.out, raw)
}

func (s *keySink) SendChangeCipherSpec() error {
	s.steps = append(s.steps, "SendChangeCipherSpec")
	s.out = append(s.out, nil)
	return nil
}

func (s *keySink) InstallWriteKeys(p cipher.Protection) error {
	s.steps = append(s.steps, fmt.Sprintf("InstallWriteKeys(%v)", p != nil))
	return nil
}

func (s *keySink) InstallReadKeys(p cipher.Protection) error {
	s.steps = append(s.steps, fmt.Sprintf("InstallReadKeys(%v)", p != nil))
	return nil
}

func (s *keySink) HandshakeDone(st *handshake.ConnectionState) {
	s.steps = append(s.steps, "HandshakeDone")
	s.state = st
}

func (*keySink) Session(*session.State)              {}
func (*keySink) SendWarning(record.AlertDescription) {}
func (*keySink) SetVersion(uint16)                   {}
func (*keySink) Keylog(string)                       {}
func (*keySink) KeylogWanted() bool                  { return true }

// pump delivers each side's queued output to the other until both are quiet.
func pump(t *testing.T, c, s *handshake.Machine, cs, ss *keySink) {
	t.Helper()
	for len(cs.out)+len(ss.out) > 0 {
		for _, d := range []struct {
			from *keySink
			to   *handshake.Machine
		}{{cs, s}, {ss, c}} {
			out := d.from.out
			d.from.out = nil
			for _, raw := range out {
				var err error
				if raw == nil {
					err = d.to.HandleChangeCipherSpec([]byte{1})
				} else {
					err = d.to.HandleMessage(raw)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestKeysInstalledAtChangeCipherSpec: TLS 1.2 keeps its pending ->
// ChangeCipherSpec -> active sequence on top of the sink's explicit key
// installation. Each side installs its write keys right after sending its
// ChangeCipherSpec, before its Finished, and its read keys when the
// peer's ChangeCipherSpec arrives, in a full handshake, a renegotiation
// bound to it (RFC 5746), and an abbreviated one.
func TestKeysInstalledAtChangeCipherSpec(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	tickets, err := session.NewTicketer(bytes.Repeat([]byte{5}, 48))
	if err != nil {
		t.Fatal(err)
	}
	cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
	cc.MaxVersion, sc.MaxVersion = cipher.VersionTLS12, cipher.VersionTLS12
	cc.RenegotiateOnRequest = true
	sc.Tickets = tickets
	run := func(opts handshake.ClientOptions, renegotiate bool) (client, server []string, st *handshake.ConnectionState) {
		cs, ss := &keySink{}, &keySink{}
		c := handshake.NewClient(cc, opts, cs)
		s := handshake.NewServer(sc, ss)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pump(t, c, s, cs, ss)
		if renegotiate {
			cs.steps, ss.steps = nil, nil
			if err := s.Renegotiate(nil); err != nil {
				t.Fatal(err)
			}
			pump(t, c, s, cs, ss)
		}
		if c.InHandshake() || s.InHandshake() {
			t.Fatal("handshake not completed")
		}
		return cs.steps, ss.steps, cs.state
	}

	client, server, st := run(handshake.ClientOptions{ServerName: "localhost"}, false)
	wantClient := []string{"ClientHello", "ClientKeyExchange", "SendChangeCipherSpec", "InstallWriteKeys(true)", "Finished",
		"InstallReadKeys(true)", "HandshakeDone"}
	wantServer := []string{"ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone",
		"InstallReadKeys(true)", "NewSessionTicket", "SendChangeCipherSpec", "InstallWriteKeys(true)", "Finished", "HandshakeDone"}
	if !reflect.DeepEqual(client, wantClient) || !reflect.DeepEqual(server, wantServer) {
		t.Fatalf("full handshake\nclient %v\nserver %v", client, server)
	}

	client, server, _ = run(handshake.ClientOptions{ServerName: "localhost"}, true)
	if !reflect.DeepEqual(client, wantClient) || !reflect.DeepEqual(server, append([]string{"HelloRequest"}, wantServer...)) {
		t.Fatalf("renegotiation\nclient %v\nserver %v", client, server)
	}

	client, server, _ = run(handshake.ClientOptions{ServerName: "localhost", Session: st.Session}, false)
	wantClient = []string{"ClientHello", "InstallReadKeys(true)", "SendChangeCipherSpec", "InstallWriteKeys(true)", "Finished", "HandshakeDone"}
	wantServer = []string{"ServerHello", "SendChangeCipherSpec", "InstallWriteKeys(true)", "Finished",
		"InstallReadKeys(true)", "HandshakeDone"}
	if !reflect.DeepEqual(client, wantClient) || !reflect.DeepEqual(server, wantServer) {
		t.Fatalf("resumption\nclient %v\nserver %v", client, server)
	}
}
