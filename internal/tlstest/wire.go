package tlstest

import (
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/record"
)

// RecordSpan locates one record in a byte stream.
type RecordSpan struct {
	Type   record.ContentType
	Offset int // of the header
	Length int // of the fragment
}

// Records splits a stream of whole records.
func Records(wire []byte) []RecordSpan {
	var out []RecordSpan
	off := 0
	for len(wire)-off >= record.HeaderLen {
		n := int(wire[off+3])<<8 | int(wire[off+4])
		if len(wire)-off < record.HeaderLen+n {
			break
		}
		out = append(out, RecordSpan{Type: record.ContentType(wire[off]), Offset: off, Length: n})
		off += record.HeaderLen + n
	}
	return out
}

// FindMessage returns the offset in wire of the first plaintext handshake
// message of type typ (its 4-byte header), assuming each message lies
// within one record, or -1. Only records before the first
// ChangeCipherSpec are searched.
func FindMessage(wire []byte, typ uint8) int {
	for _, r := range Records(wire) {
		if r.Type == record.TypeChangeCipherSpec {
			return -1
		}
		if r.Type != record.TypeHandshake {
			continue
		}
		body := wire[r.Offset+record.HeaderLen : r.Offset+record.HeaderLen+r.Length]
		off := 0
		for len(body)-off >= 4 {
			n := int(body[off+1])<<16 | int(body[off+2])<<8 | int(body[off+3])
			if body[off] == typ {
				return r.Offset + record.HeaderLen + off
			}
			off += 4 + n
		}
	}
	return -1
}

// HandshakeRecord wraps handshake messages in one plaintext TLS 1.2 record.
func HandshakeRecord(msgs ...[]byte) []byte {
	var body []byte
	for _, m := range msgs {
		body = append(body, m...)
	}
	out := record.AppendHeader(nil, record.TypeHandshake, cipher.VersionTLS12, len(body))
	return append(out, body...)
}
