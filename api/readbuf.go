package api

import (
	"sync"

	"github.com/tlsengine/tlsengine/record"
)

// readBufferSize is how much one transport read asks for: a full record.
const readBufferSize = record.MaxRecord

// readBufs holds the record-sized transport read buffers. A socket takes
// one only while a read is under way and gives it back once the engine
// has taken the bytes (Feed copies what it keeps), so an idle connection
// holds none (issue 16, item 3).
var readBufs = sync.Pool{New: func() any {
	b := make([]byte, readBufferSize)
	return &b
}}

// readTransport reads once from the transport into a pooled buffer and
// returns it with the count read (nil when nothing was read); the caller
// gives it back to readBufs once the engine has the bytes. On a TCP or
// Unix socket it waits for readability without a buffer (rawRead); on any
// other transport the buffer is held during the read. s.reading is held:
// it guards the raw connection, looked up once per socket (SyscallConn
// allocates).
func (s *TLSSocket) readTransport() (bp *[]byte, n int, err error) {
	if !s.rawKnown {
		s.raw, s.rawKnown = rawConnOf(s.conn), true
	}
	if s.raw != nil {
		return rawRead(s.conn, s.raw)
	}
	bp = readBufs.Get().(*[]byte)
	n, err = s.conn.Read(*bp)
	return bp, n, err
}
