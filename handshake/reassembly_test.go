package handshake

import (
	"errors"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/record"
)

// TestReassemblerBoundedUnderSplitHelloRequests replays the attack
// on the reassembler alone: records that each hold the rest of one
// HelloRequest and the first byte of the next, so that the buffer is never
// drained. What it holds must stay at one record plus a partial message.
func TestReassemblerBoundedUnderSplitHelloRequests(t *testing.T) {
	var r Reassembler
	if err := r.Add([]byte{byte(TypeHelloRequest)}); err != nil {
		t.Fatal(err)
	}
	rec := []byte{0, 0, 0, byte(TypeHelloRequest)}
	const records = 1 << 20 // 4 MiB of handshake plaintext
	for i := 0; i < records; i++ {
		if err := r.Add(rec); err != nil {
			t.Fatal(err)
		}
		msg, ok, err := r.Next()
		if err != nil || !ok || len(msg) != 4 {
			t.Fatalf("record %d: %x %v %v", i, msg, ok, err)
		}
		if _, ok, _ := r.Next(); ok {
			t.Fatalf("record %d: a second message", i)
		}
		if r.Cap() > 4*len(rec) {
			t.Fatalf("after %d records the reassembler holds %d bytes", i+1, r.Cap())
		}
	}
	// The same with full-size records: 4095 HelloRequests and a byte.
	big := make([]byte, record.MaxPlaintext)
	for i := 3; i < len(big); i += 4 {
		big[i] = byte(TypeHelloRequest)
	}
	for i := 0; i < 64; i++ {
		if err := r.Add(big); err != nil {
			t.Fatal(err)
		}
		nextAll(t, &r)
		if limit := 2 * (record.MaxPlaintext + 4); r.Cap() > limit {
			t.Fatalf("after %d full records the reassembler holds %d bytes, over %d", i+1, r.Cap(), limit)
		}
	}
}

// TestReassemblerCaps checks each type's cap at the header, before the
// body is buffered, with OpenSSL's alert (illegal_parameter, for
// SSL_R_EXCESSIVE_MESSAGE_SIZE), and the configurable Certificate cap.
func TestReassemblerCaps(t *testing.T) {
	header := func(typ MessageType, n int) []byte {
		return []byte{byte(typ), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	cases := []struct {
		typ     MessageType
		n       int
		maxCert int
		ok      bool
	}{
		{TypeClientHello, MaxClientHelloSize, 0, true},
		{TypeClientHello, MaxClientHelloSize + 1, 0, false},
		{TypeCertificate, DefaultMaxCertificateListSize, 0, true},
		{TypeCertificate, DefaultMaxCertificateListSize + 1, 0, false},
		{TypeCertificate, 1 << 20, 1 << 20, true},
		{TypeCertificate, 1<<20 + 1, 1 << 20, false},
		{TypeCertificate, 2000, 1000, false},
		{TypeCertificateRequest, DefaultMaxCertificateListSize + 1, 0, false},
		{TypeServerHello, maxServerHelloSize + 1, 0, false},
		{TypeServerKeyExchange, record.MaxPlaintext + 1, 0, false},
		{TypeClientKeyExchange, maxClientKeyExchangeSize + 1, 0, false},
		{TypeFinished, maxSmallMessageSize + 1, 0, false},
		{TypeFinished, 12, 0, true},
		{TypeHelloRequest, maxSmallMessageSize + 1, 0, false},
		{TypeServerHelloDone, maxSmallMessageSize + 1, 0, false},
		{TypeNextProtocol, maxNextProtocolSize + 1, 0, false},
		{TypeCertificateVerify, record.MaxPlaintext + 1, 0, false},
		{TypeNewSessionTicket, record.MaxPlaintext + 1, 0, false},
		{TypeCertificateStatus, record.MaxPlaintext + 1, 0, false},
	}
	for _, c := range cases {
		r := Reassembler{MaxCertificateList: c.maxCert}
		err := r.Add(header(c.typ, c.n))
		if c.ok {
			if err != nil {
				t.Errorf("%v of %d bytes (cap %d): %v", c.typ, c.n, c.maxCert, err)
			}
			continue
		}
		var re *record.Error
		if !errors.As(err, &re) || re.Alert != record.AlertIllegalParameter || !strings.Contains(err.Error(), "exceeds the") {
			t.Errorf("%v of %d bytes (cap %d): %v, want illegal_parameter", c.typ, c.n, c.maxCert, err)
		}
	}
	// A message of an unknown type is unexpected, whatever its length.
	var r Reassembler
	err := r.Add(header(99, 1<<24-1))
	var re *record.Error
	if !errors.As(err, &re) || re.Alert != record.AlertUnexpectedMessage {
		t.Errorf("unknown type: %v, want unexpected_message", err)
	}
	// A message after a good one in the same record is checked when the
	// reader gets to it: the good one is returned first.
	r = Reassembler{}
	if err := r.Add(append([]byte{byte(TypeHelloRequest), 0, 0, 0}, header(TypeFinished, 1000)...)); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := r.Next(); !ok || err != nil {
		t.Fatalf("first message: %v %v", ok, err)
	}
	if _, _, err := r.Next(); err == nil {
		t.Fatal("an oversized Finished header was accepted")
	}
}

// nextAll returns copies of the whole messages r holds.
func nextAll(t *testing.T, r *Reassembler) [][]byte {
	t.Helper()
	var out [][]byte
	for {
		m, ok, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, append([]byte(nil), m...))
	}
}
