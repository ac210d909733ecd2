package engine

import "github.com/tlsengine/tlsengine/record"

// Test hooks for the external tests: what a hostile peer could send, and
// what the engine holds.

// ReassemblyCap is the capacity the handshake reassembler holds on to.
func (c *Conn) ReassemblyCap() int { return c.reasm.Cap() }

// SealRaw seals data as records of type t under c's current write
// protection, past the handshake machine: records a peer built by hand.
func (c *Conn) SealRaw(t record.ContentType, data []byte) []byte {
	out, err := c.wr.SealAll(nil, t, data, 0)
	if err != nil {
		panic(err) // the sequence number cannot run out in a test
	}
	return out
}

// PendingWriteSealer returns a sealer for the records c sends first after
// its next ChangeCipherSpec. The keys wait in the handshake until then, so
// the sealer copies c's write state at its first use, once c has switched
// (and sealed its Finished), and starts again from sequence number 0,
// leaving c itself untouched.
func (c *Conn) PendingWriteSealer() func(t record.ContentType, data []byte) []byte {
	var w *record.HalfConn
	return func(t record.ContentType, data []byte) []byte {
		if w == nil {
			w = new(record.HalfConn)
			*w = c.wr
			w.Install(c.wr.Protection())
		}
		out, err := w.SealAll(nil, t, data, 0)
		if err != nil {
			panic(err)
		}
		return out
	}
}

// SetKeyUpdateRecords lowers the number of records after which a TLS 1.3
// write key is updated, and returns a function that restores it.
func SetKeyUpdateRecords(n uint64) (restore func()) {
	old := keyUpdateRecords
	keyUpdateRecords = n
	return func() { keyUpdateRecords = old }
}

// WriteSeq is the sequence number of the next record c writes.
func (c *Conn) WriteSeq() uint64 { return c.wr.Seq() }
