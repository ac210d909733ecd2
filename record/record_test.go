package record

import (
	"bytes"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
)

func TestParseSplits(t *testing.T) {
	var stream []byte
	var want [][]byte
	for i, n := range []int{0, 1, 300, MaxPlaintext} {
		body := bytes.Repeat([]byte{byte(i)}, n)
		want = append(want, body)
		stream = AppendHeader(stream, TypeApplicationData, cipher.VersionTLS12, n)
		stream = append(stream, body...)
	}
	// Deliver in every chunk size from 1 byte up; reassemble the same records.
	for _, chunk := range []int{1, 2, 5, 7, 4096, len(stream)} {
		var buf []byte
		var got [][]byte
		for i := 0; i < len(stream); i += chunk {
			buf = append(buf, stream[i:min(i+chunk, len(stream))]...)
			for {
				h, frag, n, err := Parse(buf)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				if h.Type != TypeApplicationData || h.Version != cipher.VersionTLS12 || h.Length != len(frag) {
					t.Fatalf("header %+v", h)
				}
				got = append(got, append([]byte(nil), frag...))
				buf = buf[n:]
			}
		}
		if len(got) != len(want) {
			t.Fatalf("chunk %d: %d records, want %d", chunk, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("chunk %d: record %d differs", chunk, i)
			}
		}
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		in    []byte
		alert AlertDescription
	}{
		{[]byte{0x80, 0x2e}, AlertProtocolVersion},          // SSLv2-style hello, known at the second byte
		{[]byte("blah")[:2], AlertProtocolVersion},          // garbage: the version is checked before the type
		{[]byte{25, 3}, AlertUnexpectedMessage},             // unknown type, known before the header is whole
		{[]byte{25, 3, 3, 0, 0}, AlertUnexpectedMessage},    // unknown type
		{[]byte{22, 4, 3, 0, 0}, AlertProtocolVersion},      // major version 4
		{[]byte{23, 3, 3, 0x48, 0x01}, AlertRecordOverflow}, // 2^14+2049
	}
	for _, tc := range cases {
		_, _, _, err := Parse(tc.in)
		var e *Error
		if !errors.As(err, &e) || e.Alert != tc.alert {
			t.Errorf("%x: got %v, want alert %v", tc.in, err, tc.alert)
		}
	}
	// The largest legal ciphertext is accepted.
	if _, _, n, err := Parse(append([]byte{23, 3, 3, 0x48, 0x00}, make([]byte, MaxCiphertext)...)); err != nil || n != MaxRecord {
		t.Fatalf("max record: n=%d err=%v", n, err)
	}
}

func TestHalfConnPlaintext(t *testing.T) {
	var h HalfConn
	h.Version = cipher.VersionTLS12
	out, err := h.SealAll(nil, TypeHandshake, bytes.Repeat([]byte{1}, 40000), 16384)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for len(out) > 0 {
		hdr, frag, n, err := Parse(out)
		if err != nil || n == 0 {
			t.Fatalf("parse: %v", err)
		}
		if typ, _, err := h.Open(hdr, frag); err != nil || typ != TypeHandshake {
			t.Fatal(typ, err)
		}
		sizes = append(sizes, len(frag))
		out = out[n:]
	}
	if len(sizes) != 3 || sizes[0] != 16384 || sizes[2] != 40000-2*16384 {
		t.Fatalf("fragments %v", sizes)
	}
}

func TestAlertFor(t *testing.T) {
	if a, ok := AlertFor(Errorf(ErrDecode, AlertDecodeError, "tls: x")); !ok || a != AlertDecodeError {
		t.Fatal(a, ok)
	}
	if _, ok := AlertFor(&AlertError{Alert: Alert{LevelFatal, AlertHandshakeFailure}}); ok {
		t.Fatal("a received alert must not be answered")
	}
	if a, ok := AlertFor(errors.New("boom")); !ok || a != AlertInternalError {
		t.Fatal(a, ok)
	}
	if !errors.Is(&AlertError{}, ErrAlertReceived) {
		t.Fatal("AlertError is not ErrAlertReceived")
	}
}

// TestOneNMinusOneSplit: under TLS 1.0 CBC, application data is sealed as
// one byte and then the rest (the BEAST countermeasure); TLS 1.1 CBC and
// handshake data are not split.
func TestOneNMinusOneSplit(t *testing.T) {
	suite := cipher.SuiteByName("ECDHE-RSA-AES128-SHA")
	key, mac, iv := make([]byte, 16), make([]byte, 20), make([]byte, 16)
	sizes := func(version uint16, typ ContentType, n int) []int {
		p, err := suite.NewProtection(version, key, mac, iv, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		var w, r HalfConn
		w.Version, r.Version = Version(version), Version(version)
		w.Install(p)
		q, _ := suite.NewProtection(version, key, mac, iv, rand.Reader)
		r.Install(q)
		out, err := w.SealAll(nil, typ, bytes.Repeat([]byte{7}, n), 16384)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for len(out) > 0 {
			h, frag, m, err := Parse(out)
			if err != nil || m == 0 {
				t.Fatalf("parse: %v", err)
			}
			_, pt, err := r.Open(h, frag)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, len(pt))
			out = out[m:]
		}
		return got
	}
	if got := sizes(cipher.VersionTLS10, TypeApplicationData, 20000); !slices.Equal(got, []int{1, 16384, 20000 - 1 - 16384}) {
		t.Fatalf("TLS 1.0 application data records %v", got)
	}
	if got := sizes(cipher.VersionTLS11, TypeApplicationData, 100); !slices.Equal(got, []int{100}) {
		t.Fatalf("TLS 1.1 application data records %v", got)
	}
	if got := sizes(cipher.VersionTLS10, TypeHandshake, 100); !slices.Equal(got, []int{100}) {
		t.Fatalf("TLS 1.0 handshake records %v", got)
	}
}

// TestPlainHTTPIsNamed: plain HTTP on a TLS port is reported as such, not
// as a record "version" made of letters (0x4554 for "GET "), with the
// unexpected_message alert.
func TestPlainHTTPIsNamed(t *testing.T) {
	for _, start := range []string{"GET / HTTP/1.1\r\n", "POST /x HTTP/1.1", "HEAD / HTTP/1.0", "PUT /x HTTP/1.1",
		"OPTIONS * HTTP/1.1", "CONNECT example.com:443 HTTP/1.1", "DELETE /x HTTP/1.1", "PATCH /x HTTP/1.1",
		"TRACE / HTTP/1.1", "HTTP/1.1 400 Bad Request\r\n", "<!DOCTYPE html>", "<html><body>"} {
		_, _, _, err := Parse([]byte(start))
		var e *Error
		if !errors.As(err, &e) || e.Alert != AlertUnexpectedMessage || !strings.HasPrefix(err.Error(), "tls: the peer sent plain HTTP, not TLS") {
			t.Errorf("%q: %v", start, err)
		}
		if strings.HasPrefix(start, "CONNECT") != strings.Contains(err.Error(), "CONNECT") {
			t.Errorf("%q: %v", start, err)
		}
	}
	// Other letters are garbage, named by their version bytes.
	if _, _, _, err := Parse([]byte("GETS / HTTP/1.1")); err == nil || strings.Contains(err.Error(), "HTTP") {
		t.Errorf("GETS: %v", err)
	}
	// The start of a page waits for the header to say what it is.
	if _, _, n, err := Parse([]byte("<!D")); n != 0 || err != nil {
		t.Errorf("<!D: %d, %v", n, err)
	}
}

// TestHalfConnContentTypeFromProtection: once keys are installed, the
// content type is what the protection returns, not the outer header's: a
// TLS 1.3 protection seals a handshake record as application_data, and
// Open gives back handshake. Its errors carry their RFC 8446 alerts, and
// Install starts the sequence numbers again.
func TestHalfConnContentTypeFromProtection(t *testing.T) {
	key, iv := make([]byte, 16), make([]byte, 12)
	newPair := func() (w, r *HalfConn) {
		w, r = &HalfConn{Version: cipher.VersionTLS12}, &HalfConn{}
		p, err := cipher.NewAEAD13(cipher.AES128GCM, key, iv)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := cipher.NewAEAD13(cipher.AES128GCM, key, iv)
		w.Install(p)
		r.Install(q)
		return w, r
	}
	open := func(r *HalfConn, rec []byte) (ContentType, []byte, error) {
		h, frag, n, err := Parse(rec)
		if err != nil || n != len(rec) {
			t.Fatalf("parse: %d %v", n, err)
		}
		return r.Open(h, frag)
	}
	w, r := newPair()
	for range 3 {
		rec, err := w.Seal(nil, TypeHandshake, []byte("hello"))
		if err != nil {
			t.Fatal(err)
		}
		if rec[0] != byte(TypeApplicationData) {
			t.Fatalf("outer type %d", rec[0])
		}
		if typ, pt, err := open(r, rec); err != nil || typ != TypeHandshake || string(pt) != "hello" {
			t.Fatalf("Open: %v %q %v", typ, pt, err)
		}
	}
	// New keys start at sequence number 0 on both sides.
	w, r = newPair()
	w.Seal(nil, TypeApplicationData, []byte("x"))
	w.Install(w.Protection())
	rec, _ := w.Seal(nil, TypeApplicationData, []byte("y"))
	if typ, pt, err := open(r, rec); err != nil || typ != TypeApplicationData || string(pt) != "y" {
		t.Fatalf("after Install: %v %q %v", typ, pt, err)
	}

	for _, c := range []struct {
		name  string
		edit  func(rec []byte) []byte
		alert AlertDescription
	}{
		{"outer type handshake", func(rec []byte) []byte { rec[0] = byte(TypeHandshake); return rec }, AlertUnexpectedMessage},
		{"flipped bit", func(rec []byte) []byte { rec[len(rec)-1] ^= 1; return rec }, AlertBadRecordMAC},
		{"2^14+257 bytes", func(rec []byte) []byte {
			rec = append(rec, make([]byte, cipher.MaxCiphertext13+1-(len(rec)-HeaderLen))...)
			rec[3], rec[4] = byte((len(rec)-HeaderLen)>>8), byte(len(rec)-HeaderLen)
			return rec
		}, AlertRecordOverflow},
	} {
		w, r := newPair()
		rec, _ := w.Seal(nil, TypeApplicationData, []byte("data"))
		_, _, err := open(r, c.edit(rec))
		var e *Error
		if !errors.As(err, &e) || e.Alert != c.alert {
			t.Errorf("%s: %v, want alert %v", c.name, err, c.alert)
		}
	}
	// A record of padding only has no content type.
	w, r = newPair()
	rec, _ = w.Seal(nil, 0, []byte{0, 0, 0})
	var e *Error
	if _, _, err := open(r, rec); !errors.As(err, &e) || e.Alert != AlertUnexpectedMessage {
		t.Errorf("all zeros: %v", err)
	}
}

// TestCheckVersion: the outer record version is checked by the negotiated
// version's rule: anything TLS before the ServerHello, exactly the
// negotiated version for TLS 1.0-1.2 (RFC 5246, Appendix E.1), and not at
// all for TLS 1.3, whose legacy_record_version is ignored (RFC 8446,
// Section 5.1).
func TestCheckVersion(t *testing.T) {
	for _, c := range []struct {
		negotiated, got Version
		ok              bool
	}{
		{0, cipher.VersionTLS10, true},
		{0, cipher.VersionTLS12, true},
		{cipher.VersionTLS12, cipher.VersionTLS12, true},
		{cipher.VersionTLS12, cipher.VersionTLS10, false},
		{cipher.VersionTLS10, cipher.VersionTLS12, false},
		{cipher.VersionTLS11, cipher.VersionTLS11, true},
		{cipher.VersionTLS13, cipher.VersionTLS12, true},
		{cipher.VersionTLS13, cipher.VersionTLS10, true},
	} {
		err := CheckVersion(c.negotiated, c.got)
		var e *Error
		if c.ok != (err == nil) || err != nil && (!errors.As(err, &e) || e.Alert != AlertProtocolVersion) {
			t.Errorf("negotiated %v, record %v: %v", c.negotiated, c.got, err)
		}
	}
}
