package session

import (
	"bytes"
	"crypto/rand"
	"errors"
	"reflect"
	"testing"
)

func sample13() *State {
	s := sample()
	s.Version, s.CipherSuite, s.MasterSecret = 0x0304, 0x1301, bytes.Repeat([]byte{5}, 32)
	s.ExtendedMasterSecret, s.SessionID = false, nil
	s.Resumption13 = Resumption13{TicketNonce: []byte{0, 1}, AgeAdd: 0xdeadbeef, IssuedAtMillis: 1_700_000_000_123,
		MaxLifetime: 7200, ALPN: "h2"}
	return s
}

func TestState13RoundTrip(t *testing.T) {
	s := sample13()
	enc, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if enc[0] != encodingVersion13 {
		t.Fatalf("TLS 1.3 state encoded as version %d", enc[0])
	}
	got, err := Unmarshal(enc)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, s)
	}
	for i := range enc {
		if _, err := Unmarshal(enc[:i]); err == nil {
			t.Fatalf("truncation to %d bytes accepted", i)
		}
	}
	if _, err := Unmarshal(append(enc, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

// A TLS 1.2 session never decodes as a TLS 1.3 one and the reverse: the
// encoding version and the protocol version must agree.
func TestEncodingVersionsKeepProtocolsApart(t *testing.T) {
	enc12, _ := sample().Marshal()
	if enc12[0] != encodingVersion {
		t.Fatalf("TLS 1.2 state encoded as version %d", enc12[0])
	}
	got, err := Unmarshal(enc12)
	if err != nil || got.Is13() {
		t.Fatalf("TLS 1.2 state: %v, Is13=%v", err, got != nil && got.Is13())
	}
	// A version-1 body whose protocol version says TLS 1.3.
	b, _ := sample().Marshal()
	b[1], b[2] = 0x03, 0x04
	if _, err := Unmarshal(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("TLS 1.3 version in encoding 1: %v", err)
	}
	// A version-2 encoding whose protocol version is TLS 1.2.
	enc13, _ := sample13().Marshal()
	enc13[1], enc13[2] = 0x03, 0x03
	if _, err := Unmarshal(enc13); !errors.Is(err, ErrMalformed) {
		t.Fatalf("TLS 1.2 version in encoding 2: %v", err)
	}
}

func TestState13Limits(t *testing.T) {
	for name, f := range map[string]func(*State){
		"nonce":    func(s *State) { s.TicketNonce = make([]byte, 256) },
		"alpn":     func(s *State) { s.ALPN = string(make([]byte, 256)) },
		"lifetime": func(s *State) { s.MaxLifetime = MaxTicketLifetime13 + 1 },
	} {
		s := sample13()
		f(s)
		if _, err := s.Marshal(); !errors.Is(err, ErrUnencodable) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTicketAgeMillis(t *testing.T) {
	s := sample13()
	if age, ok := s.TicketAgeMillis(s.IssuedAtMillis + 1500); !ok || age != 1500 {
		t.Fatalf("age %d ok=%v", age, ok)
	}
	for _, now := range []int64{s.IssuedAtMillis - 1, s.IssuedAtMillis + 7200*1000} {
		if _, ok := s.TicketAgeMillis(now); ok {
			t.Fatalf("ticket usable at %d", now)
		}
	}
}

// TLS 1.3 state is sealed with the same 48-byte keys and rotation as TLS
// 1.2's.
func TestTicket13SealOpenAcrossRotation(t *testing.T) {
	tk, _ := NewTicketer(key(1))
	ticket, err := tk.Seal(sample13(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.SetKey(key(2)); err != nil {
		t.Fatal(err)
	}
	got, old, err := tk.Open(ticket)
	if err != nil || !old || !reflect.DeepEqual(got, sample13()) {
		t.Fatalf("open after rotation: %v old=%v", err, old)
	}
}
