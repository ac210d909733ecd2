package api

import (
	"net"
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

// readTransport reads once from conn into a pooled buffer and passes what
// it read to use (called before the buffer goes back to the pool). On a
// TCP or Unix socket it waits for readability without a buffer
// (rawRead); on any other transport the buffer is held during the read.
func readTransport(conn net.Conn, use func([]byte)) error {
	var bp *[]byte
	var n int
	var err error
	if rc := rawConnOf(conn); rc != nil {
		bp, n, err = rawRead(conn, rc)
	} else {
		bp = readBufs.Get().(*[]byte)
		n, err = conn.Read(*bp)
	}
	if bp != nil {
		if n > 0 {
			use((*bp)[:n])
		}
		readBufs.Put(bp)
	}
	return err
}
