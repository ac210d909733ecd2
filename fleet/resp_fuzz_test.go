package fleet

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzReadReply: whatever a Redis server sends, readReply returns a reply
// or an error, never panics, and never holds more than MaxValue of a
// bulk string.
func FuzzReadReply(f *testing.F) {
	for _, seed := range []string{
		"+OK\r\n", "-ERR x\r\n", ":12\r\n", "$3\r\nabc\r\n", "$-1\r\n", "$0\r\n\r\n",
		"$999999999999\r\n", "*1\r\n$1\r\na\r\n", "+OK\n", "$3\r\nab", ":x\r\n", "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := readReply(bufio.NewReaderSize(bytes.NewReader(data), maxRESPLine))
		if err != nil {
			return
		}
		if len(rep.bulk) > MaxValue || len(rep.line) > maxRESPLine {
			t.Fatalf("reply of %d/%d bytes", len(rep.bulk), len(rep.line))
		}
		switch rep.kind {
		case '+', '-', ':', '$':
		default:
			t.Fatalf("reply kind %q accepted", rep.kind)
		}
	})
}
