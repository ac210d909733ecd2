package api_test

import (
	"io"
	"testing"

	"github.com/tlsengine/tlsengine/api"
)

// TestReadAllocations: a record read from a TCP socket allocates nothing
// of the socket's own once the connection is established: the raw
// connection is looked up once, and the readiness callback with its
// results is pooled (issue 16: five allocations per read made 13 of a
// connection's 276 in the server process). One byte each way per round,
// so the writer's work is counted too; both stay at zero.
func TestReadAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race; make test runs this test again without it")
	}
	s, c := tcpPair(t, newNodePKI(t), api.TLSSocketOptions{}, api.TLSSocketOptions{})
	one, got := []byte{1}, make([]byte, 1)
	round := func() {
		if _, err := c.Write(one); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(s, got); err != nil {
			t.Fatal(err)
		}
	}
	round()
	if n := testing.AllocsPerRun(200, round); n > 0 {
		t.Errorf("%.1f allocations per record written and read, want 0", n)
	}
}
