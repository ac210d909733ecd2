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

// PendingWriteSealer returns a sealer for the records c would send first
// after its next ChangeCipherSpec, from a copy of its write state (whose
// pending keys must be set), leaving c itself untouched.
func (c *Conn) PendingWriteSealer() func(t record.ContentType, data []byte) []byte {
	w := c.wr
	if err := w.ChangeCipherSpec(); err != nil {
		panic(err)
	}
	return func(t record.ContentType, data []byte) []byte {
		out, err := w.SealAll(nil, t, data, 0)
		if err != nil {
			panic(err)
		}
		return out
	}
}
