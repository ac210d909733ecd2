package fuzz

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	gofuzz "github.com/google/gofuzz"

	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/kex"
)

// Structured property tests: github.com/google/gofuzz fills every
// exported field of each handshake message with random values, and for
// each one our codec accepts we check the round trip:
//
//  1. what Marshal writes, ParseMessage accepts (we never send what we
//     would refuse);
//  2. the parsed message marshals to the same bytes;
//  3. the parsed message's fields equal the generated ones (Raw and the
//     recorded extension order aside).
//
// Byte-level fuzzing (FuzzHandshakeMessage) finds inputs the parser
// mishandles; this finds values the marshaller mishandles, which random
// bytes almost never reach.

// propertyRounds is how many values each message type gets per go test.
const propertyRounds = 3000

// hostFuzzer fills strings with short lower-case labels, the shape of
// host names and ALPN protocol names, so hellos are not all refused.
func newFuzzer(seed int64) *gofuzz.Fuzzer {
	return gofuzz.NewWithSeed(seed).NilChance(0.2).NumElements(0, 6).Funcs(
		func(s *string, c gofuzz.Continue) {
			n := c.Intn(12)
			b := make([]byte, n)
			for i := range b {
				b[i] = byte('a' + c.Intn(26))
			}
			*s = string(b)
		},
	)
}

// messageCase makes an empty message of one type and fixes the fields
// whose length the protocol fixes, which random values would always
// break.
type messageCase struct {
	name    string
	version uint16
	empty   func() handshake.Message
	fix     func(m handshake.Message, r *rand.Rand)
}

var messageCases = []messageCase{
	{"ClientHello", 0x0303, func() handshake.Message { return new(handshake.ClientHello) }, func(m handshake.Message, r *rand.Rand) {
		h := m.(*handshake.ClientHello)
		h.Random = randomBytes(r, 32)
		h.PaddingLen = 0 // written only: a parsed padding is an unknown extension
		h.Extensions = nil
		// The renegotiation data rides on its flag's extension.
		if !h.SecureRenegotiationSupported {
			h.SecureRenegotiation = nil
		}
		if !h.TicketSupported {
			h.SessionTicket = nil
		}
		fixClientHello13(h, r)
	}},
	{"ServerHello", 0x0303, func() handshake.Message { return new(handshake.ServerHello) }, func(m handshake.Message, r *rand.Rand) {
		h := m.(*handshake.ServerHello)
		h.Random = randomBytes(r, 32)
		h.Extensions = nil
		if !h.SecureRenegotiationSupported {
			h.SecureRenegotiation = nil
		}
		if !h.NextProtoNeg {
			h.NextProtos = nil
		}
		fixServerHello13(h)
		h.SelectedGroup, h.Cookie = 0, nil // a HelloRetryRequest's
	}},
	{"HelloRetryRequest", 0x0304, func() handshake.Message { return new(handshake.ServerHello) }, func(m handshake.Message, r *rand.Rand) {
		h := m.(*handshake.ServerHello)
		*h = handshake.ServerHello{Version: h.Version, Random: handshake.NewHelloRetryRequest(nil, 0, 0, nil).Random,
			SessionID: h.SessionID, CipherSuite: h.CipherSuite, SupportedVersion: h.SupportedVersion,
			SelectedGroup: h.SelectedGroup, Cookie: h.Cookie}
	}},
	{"EncryptedExtensions", 0x0304, func() handshake.Message { return new(handshake.EncryptedExtensions) }, func(m handshake.Message, r *rand.Rand) {
		e := m.(*handshake.EncryptedExtensions)
		e.Extensions = nil
		if e.RecordSizeLimit != 0 {
			e.RecordSizeLimit |= 64 // RFC 8449: at least 64
		}
	}},
	{"Certificate13", 0x0304, func() handshake.Message { return new(handshake.Certificate13) }, func(m handshake.Message, r *rand.Rand) {
		for i := range m.(*handshake.Certificate13).Entries {
			e := &m.(*handshake.Certificate13).Entries[i]
			e.Extensions = nil
			if len(e.OCSPResponse) == 0 {
				e.OCSPResponse = nil // absent and empty are one
			}
			if len(e.SCTs) == 0 {
				e.SCTs = nil
			}
		}
	}},
	{"CertificateRequest13", 0x0304, func() handshake.Message { return new(handshake.CertificateRequest13) }, func(m handshake.Message, r *rand.Rand) {
		m.(*handshake.CertificateRequest13).Extensions = nil
	}},
	{"NewSessionTicket13", 0x0304, func() handshake.Message { return new(handshake.NewSessionTicket13) }, func(m handshake.Message, r *rand.Rand) {
		t := m.(*handshake.NewSessionTicket13)
		t.Extensions = nil
		if !t.EarlyData {
			t.MaxEarlyDataSize = 0 // rides on its flag's extension
		}
	}},
	{"KeyUpdate", 0x0304, func() handshake.Message { return new(handshake.KeyUpdate) }, nil},
	{"CertificateVerify/TLS1.3", 0x0304, func() handshake.Message { return new(handshake.CertificateVerify) }, func(m handshake.Message, r *rand.Rand) {
		m.(*handshake.CertificateVerify).HasSignatureScheme = true
	}},
	{"Certificate", 0x0303, func() handshake.Message { return new(handshake.Certificate) }, nil},
	{"ServerKeyExchange", 0x0303, func() handshake.Message { return new(handshake.ServerKeyExchange) }, nil},
	{"ClientKeyExchange", 0x0303, func() handshake.Message { return new(handshake.ClientKeyExchange) }, nil},
	{"CertificateRequest/TLS1.2", 0x0303, func() handshake.Message { return new(handshake.CertificateRequest) }, func(m handshake.Message, r *rand.Rand) {
		m.(*handshake.CertificateRequest).HasSignatureSchemes = true
	}},
	{"CertificateRequest/TLS1.0", 0x0301, func() handshake.Message { return new(handshake.CertificateRequest) }, func(m handshake.Message, r *rand.Rand) {
		m.(*handshake.CertificateRequest).HasSignatureSchemes = false
		m.(*handshake.CertificateRequest).SignatureSchemes = nil // TLS 1.0 has no field for them
	}},
	{"CertificateVerify/TLS1.2", 0x0303, func() handshake.Message { return new(handshake.CertificateVerify) }, func(m handshake.Message, r *rand.Rand) {
		m.(*handshake.CertificateVerify).HasSignatureScheme = true
	}},
	{"CertificateVerify/TLS1.0", 0x0301, func() handshake.Message { return new(handshake.CertificateVerify) }, func(m handshake.Message, r *rand.Rand) {
		m.(*handshake.CertificateVerify).HasSignatureScheme = false
		m.(*handshake.CertificateVerify).SignatureScheme = 0
	}},
	{"Finished", 0x0303, func() handshake.Message { return new(handshake.Finished) }, nil},
	{"NewSessionTicket", 0x0303, func() handshake.Message { return new(handshake.NewSessionTicket) }, nil},
	{"CertificateStatus", 0x0303, func() handshake.Message { return new(handshake.CertificateStatus) }, nil},
	{"NextProtocol", 0x0303, func() handshake.Message { return new(handshake.NextProtocol) }, nil},
	{"HelloRequest", 0x0303, func() handshake.Message { return new(handshake.HelloRequest) }, nil},
	{"ServerHelloDone", 0x0303, func() handshake.Message { return new(handshake.ServerHelloDone) }, nil},
}

// fixClientHello13 makes the TLS 1.3 fields of a generated ClientHello
// mostly valid: the key_share flag follows its shares, every share has a
// key, and the binders (at least 32 bytes) ride on the identities.
func fixClientHello13(h *handshake.ClientHello, r *rand.Rand) {
	h.HasKeyShare = h.HasKeyShare || len(h.KeyShares) > 0
	for i := range h.KeyShares {
		if len(h.KeyShares[i].Data) == 0 {
			h.KeyShares[i].Data = []byte{1}
		}
	}
	if len(h.PSKIdentities) == 0 {
		h.PSKBinders = nil
	}
	for i := range h.PSKBinders {
		h.PSKBinders[i] = randomBytes(r, 32+r.IntN(8))
	}
}

// fixServerHello13 makes a generated ServerHello's key share consistent
// and drops the selected identity its flag does not carry.
func fixServerHello13(h *handshake.ServerHello) {
	if h.KeyShare.Group == 0 {
		h.KeyShare.Data = nil
	} else if len(h.KeyShare.Data) == 0 {
		h.KeyShare.Data = []byte{1}
	}
	if !h.HasSelectedIdentity {
		h.SelectedIdentity = 0
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestMessageRoundTripProperties(t *testing.T) {
	for i, mc := range messageCases {
		t.Run(mc.name, func(t *testing.T) {
			f := newFuzzer(int64(i) + 1)
			r := rand.New(rand.NewPCG(uint64(i), 7))
			accepted := 0
			for range propertyRounds {
				m := mc.empty()
				f.Fuzz(m)
				if mc.fix != nil {
					mc.fix(m, r)
				}
				if roundTrip(t, mc, m) {
					accepted++
				}
			}
			// The generator must reach the codec, or this test proves
			// nothing: most values are well-formed once lengths are fixed.
			if accepted < propertyRounds/10 {
				t.Fatalf("only %d of %d generated messages were marshalled", accepted, propertyRounds)
			}
		})
	}
}

// roundTrip checks the three properties for one generated message and
// reports whether the marshaller accepted it.
func roundTrip(t *testing.T, mc messageCase, m handshake.Message) bool {
	setRaw(m, nil)
	wire, err := m.Marshal()
	if err != nil {
		return false // a value the marshaller refuses, with an error
	}
	parsed, err := handshake.ParseMessage(wire, mc.version)
	if err != nil {
		t.Fatalf("we wrote what we refuse to read: %v\n%#v\n%x", err, m, wire)
	}
	again, err := parsed.Marshal()
	if err != nil || !bytes.Equal(again, wire) {
		t.Fatalf("re-marshal differs (%v)\nfirst  %x\nsecond %x", err, wire, again)
	}
	if diff := fieldDiff(m, parsed); diff != "" {
		t.Fatalf("a field did not survive the round trip: %s\n%x", diff, wire)
	}
	return true
}

// FuzzMessageStructured is the coverage-guided form of the property test:
// the fuzzer's bytes drive gofuzz's choices (gofuzz.NewFromGoFuzz), so
// the search is over message values rather than over encodings.
func FuzzMessageStructured(f *testing.F) {
	for i := range messageCases {
		f.Add(uint8(i), []byte("seed"))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		mc := messageCases[int(which)%len(messageCases)]
		m := mc.empty()
		gofuzz.NewFromGoFuzz(data).NilChance(0.2).NumElements(0, 6).Fuzz(m)
		if mc.fix != nil {
			mc.fix(m, rand.New(rand.NewPCG(uint64(len(data)), 1)))
		}
		roundTrip(t, mc, m)
	})
}

// setRaw sets a message's Raw field, which every message has.
func setRaw(m handshake.Message, raw []byte) {
	reflect.ValueOf(m).Elem().FieldByName("Raw").SetBytes(raw)
}

// fieldDiff compares two messages field by field, treating nil and empty
// as equal and ignoring Raw, the recorded Extensions order and
// HasExtensions (which Marshal sets when any extension is written; the
// byte comparison covers it).
func fieldDiff(want, got handshake.Message) string {
	w, g := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	for i := range w.NumField() {
		name := w.Type().Field(i).Name
		if name == "Raw" || name == "Extensions" || name == "HasExtensions" || !w.Type().Field(i).IsExported() {
			continue
		}
		if !sameValue(w.Field(i), g.Field(i)) {
			return fmt.Sprintf("%s: generated %#v, parsed %#v", name, w.Field(i).Interface(), g.Field(i).Interface())
		}
	}
	return ""
}

func sameValue(a, b reflect.Value) bool {
	if a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0 {
		return true
	}
	if a.Kind() == reflect.Slice && a.Type().Elem().Kind() == reflect.Slice {
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// TestKeyExchangeBodyProperties: the ServerKeyExchange and
// ClientKeyExchange bodies built by the Marshal functions parse back to
// the values they were built from.
func TestKeyExchangeBodyProperties(t *testing.T) {
	f := newFuzzer(99)
	for range propertyRounds {
		var in struct {
			Group          uint16
			Public, P, G   []byte
			Scheme         uint16
			Sig            []byte
			HasScheme      bool
			ClientPub, RSA []byte
		}
		f.Fuzz(&in)
		// An empty signature is refused on reading (a server always
		// signs); the Marshal helpers are never given one.
		if len(in.Sig) == 0 {
			in.Sig = []byte{1}
		}
		if len(in.Public) > 0 && len(in.Public) < 256 {
			params := handshake.MarshalECDHEParams(kex.Group(in.Group), in.Public)
			body := handshake.MarshalSignedParams(params, in.HasScheme, kex.SignatureScheme(in.Scheme), in.Sig)
			p, err := handshake.ParseECDHEParams(body, in.HasScheme)
			if err != nil || p.Group != kex.Group(in.Group) || !bytes.Equal(p.Public, in.Public) ||
				!bytes.Equal(p.Params, params) || !bytes.Equal(p.Signature, in.Sig) ||
				(in.HasScheme && p.Scheme != kex.SignatureScheme(in.Scheme)) {
				t.Fatalf("ECDHE params did not round-trip: %v %+v", err, p)
			}
		}
		if len(in.P) > 0 && len(in.G) > 0 && len(in.Public) > 0 {
			params := handshake.MarshalDHEParams(in.P, in.G, in.Public)
			body := handshake.MarshalSignedParams(params, in.HasScheme, kex.SignatureScheme(in.Scheme), in.Sig)
			p, err := handshake.ParseDHEParams(body, in.HasScheme)
			if err != nil || !bytes.Equal(p.P, in.P) || !bytes.Equal(p.G, in.G) || !bytes.Equal(p.Public, in.Public) ||
				!bytes.Equal(p.Signature, in.Sig) {
				t.Fatalf("DHE params did not round-trip: %v %+v", err, p)
			}
		}
		if len(in.ClientPub) > 0 && len(in.ClientPub) < 256 {
			pub, err := handshake.ParseECDHEClientPublic(handshake.MarshalECDHEClientPublic(in.ClientPub))
			if err != nil || !bytes.Equal(pub, in.ClientPub) {
				t.Fatalf("ECDHE client public did not round-trip: %v", err)
			}
		}
		if len(in.RSA) > 0 {
			b, err := handshake.ParseRSAOrDHClientBody(handshake.MarshalRSAOrDHClientBody(in.RSA))
			if err != nil || !bytes.Equal(b, in.RSA) {
				t.Fatalf("RSA/DH client body did not round-trip: %v", err)
			}
		}
	}
}
