package engine_test

import (
	"testing"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// TestRecycleKeepsOnlyAFewRecords: a send buffer given back with Recycle
// is reused for the next records when it is a WriteChunk's size, and
// dropped when it held one large Write, so that the large write's memory
// is not pinned for the life of the connection (issue 12, item 3).
func TestRecycleKeepsOnlyAFewRecords(t *testing.T) {
	p := pair(t, certgen.ECDSAP256, nil)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	c := p.Client.Conn
	// send writes n bytes and returns the records of the one EventSend.
	send := func(n int) []byte {
		t.Helper()
		if _, err := c.Write(make([]byte, n)); err != nil {
			t.Fatal(err)
		}
		e := c.NextEvent()
		if e.Kind != engine.EventSend || c.NextEvent().Kind != engine.EventNone {
			t.Fatalf("Write(%d) gave %v, want one send", n, e.Kind)
		}
		return e.Data
	}
	chunk := send(engine.WriteChunk)
	c.Recycle(chunk)
	if again := send(10); &again[:1][0] != &chunk[:1][0] {
		t.Fatal("a WriteChunk's buffer given back was not reused")
	}
	large := send(8 << 20)
	c.Recycle(large)
	if next := send(10); &next[:1][0] == &large[:1][0] {
		t.Fatalf("the buffer of an %d-byte write was kept for reuse", len(large))
	}
}
