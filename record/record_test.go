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
		stream = AppendHeader(stream, TypeApplicationData, VersionTLS12, n)
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
				if h.Type != TypeApplicationData || h.Version != VersionTLS12 || h.Length != len(frag) {
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
	h.Version = VersionTLS12
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
		if _, err := h.Open(hdr, frag); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(frag))
		out = out[n:]
	}
	if len(sizes) != 3 || sizes[0] != 16384 || sizes[2] != 40000-2*16384 {
		t.Fatalf("fragments %v", sizes)
	}
	if err := h.ChangeCipherSpec(); err == nil {
		t.Fatal("ChangeCipherSpec without pending keys accepted")
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
		w.SetPending(p)
		if err := w.ChangeCipherSpec(); err != nil {
			t.Fatal(err)
		}
		q, _ := suite.NewProtection(version, key, mac, iv, rand.Reader)
		r.SetPending(q)
		r.ChangeCipherSpec()
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
			pt, err := r.Open(h, frag)
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
