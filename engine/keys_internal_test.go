package engine

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/record"
)

// aead13Pair returns two TLS 1.3 protections with the same keys.
func aead13Pair(t *testing.T) (seal, open cipher.Protection) {
	t.Helper()
	key, iv := make([]byte, 16), make([]byte, 12)
	seal, err := cipher.NewAEAD13(cipher.AES128GCM, key, iv)
	if err != nil {
		t.Fatal(err)
	}
	open, _ = cipher.NewAEAD13(cipher.AES128GCM, key, iv)
	return seal, open
}

// TestDispatchOnDecryptedType: the engine decrypts a record first and
// dispatches on the content type the protection returns, not on the outer
// header. A close_notify sealed by a TLS 1.3 protection travels as
// application_data; the engine must see the alert inside (before, it took
// the record for early application data and failed).
func TestDispatchOnDecryptedType(t *testing.T) {
	seal, open := aead13Pair(t)
	c := NewServer(&Config{Rand: rand.Reader})
	if err := (*sink)(c).InstallReadKeys(open); err != nil {
		t.Fatal(err)
	}
	w := record.HalfConn{Version: cipher.VersionTLS12}
	w.Install(seal)
	rec, err := w.Seal(nil, record.TypeAlert, []byte{byte(record.LevelWarning), byte(record.AlertCloseNotify)})
	if err != nil {
		t.Fatal(err)
	}
	if record.ContentType(rec[0]) != record.TypeApplicationData {
		t.Fatalf("outer type %d", rec[0])
	}
	if err := c.Feed(rec); err != nil {
		t.Fatal(err)
	}
	if e := c.NextEvent(); e.Kind != EventPeerClosed {
		t.Fatalf("event %v (%v), want the peer's close_notify", e.Kind, e.Err)
	}
}

// TestSendChangeCipherSpecKeepsKeys: SendChangeCipherSpec only queues the
// record; the write keys change when the handshake installs them, and what
// was queued before goes out under the old ones.
func TestSendChangeCipherSpecKeepsKeys(t *testing.T) {
	seal, _ := aead13Pair(t)
	c := NewServer(&Config{Rand: rand.Reader})
	s := (*sink)(c)
	s.SendMessage([]byte{byte(20), 0, 0, 1, 0xaa}) // a message queued before the change
	if err := s.SendChangeCipherSpec(); err != nil {
		t.Fatal(err)
	}
	if c.wr.Protection() != nil {
		t.Fatal("SendChangeCipherSpec switched the write keys")
	}
	if err := s.InstallWriteKeys(seal); err != nil {
		t.Fatal(err)
	}
	if c.wr.Protection() != seal || !c.writeKeysChanged {
		t.Fatal("InstallWriteKeys did not install the keys")
	}
	s.SendMessage([]byte{byte(20), 0, 0, 1, 0xbb})
	c.flush()
	e := c.NextEvent()
	var types []record.ContentType
	for rest := e.Data; len(rest) > 0; {
		h, _, n, err := record.Parse(rest)
		if err != nil || n == 0 {
			t.Fatalf("parse: %v", err)
		}
		types = append(types, h.Type)
		rest = rest[n:]
	}
	want := []record.ContentType{record.TypeHandshake, record.TypeChangeCipherSpec, record.TypeApplicationData}
	if len(types) != len(want) || types[0] != want[0] || types[1] != want[1] || types[2] != want[2] {
		t.Fatalf("records %v, want %v (plain message, CCS, then the sealed one)", types, want)
	}
}

// TestInstallReadKeysRefusesPartialMessage: keys may not change while part
// of a handshake message is buffered (RFC 8446, Section 5.1):
// unexpected_message, and the old keys stay.
func TestInstallReadKeysRefusesPartialMessage(t *testing.T) {
	_, open := aead13Pair(t)
	c := NewServer(&Config{Rand: rand.Reader})
	if err := c.reasm.Add([]byte{byte(20), 0, 0, 12, 1, 2}); err != nil {
		t.Fatal(err)
	}
	err := (*sink)(c).InstallReadKeys(open)
	var re *record.Error
	if !errors.As(err, &re) || re.Alert != record.AlertUnexpectedMessage || !strings.Contains(err.Error(), "excess handshake data") {
		t.Fatalf("error %v", err)
	}
	if c.rd.Protection() != nil {
		t.Fatal("the read keys changed anyway")
	}
}
