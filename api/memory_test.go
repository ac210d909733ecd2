package api_test

import (
	"context"
	"io"
	"net"
	"runtime"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
)

// heapInUse is the live heap after a full collection.
func heapInUse() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestLargeWriteDoesNotPinItsBuffer: a 64 MiB Write is sealed a few
// records at a time, and the send buffer a connection keeps afterwards is
// a few records long, not 64 MiB (issue 12, item 3). Measured over many
// connections: the heap the writing ends hold, idle after the large write
// and one small write, once their peers are gone.
func TestLargeWriteDoesNotPinItsBuffer(t *testing.T) {
	const (
		conns = 8
		large = 64 << 20
		bound = 100 << 10 // per connection
	)
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	small := []byte("and one small write")
	type pair struct{ writer, reader *api.TLSSocket }
	before := heapInUse()
	pairs := make([]pair, conns)
	// drain reads n bytes on the reader in the background.
	drain := func(r *api.TLSSocket, n int64) chan error {
		errc := make(chan error, 1)
		go func() {
			_, err := io.CopyN(io.Discard, r, n)
			errc <- err
		}()
		return errc
	}
	for i := range pairs {
		a, b := net.Pipe()
		w := api.NewServerSocket(a, pki.ServerConfig(uint64(2*i+1)), nil)
		r := api.NewClientSocket(b, pki.ClientConfig(uint64(2*i+2)), engine.ClientOptions{ServerName: "localhost"})
		errc := make(chan error, 1)
		go func() { errc <- w.Handshake(context.Background()) }()
		if err := r.Handshake(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		// An idle connection that has carried data both ways.
		done := drain(r, int64(len(small)))
		if _, err := w.Write(small); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		pairs[i] = pair{w, r}
	}
	idle := heapInUse()
	payload := make([]byte, large)
	for _, p := range pairs {
		done := drain(p.reader, int64(large+len(small)))
		if _, err := p.writer.Write(payload); err != nil {
			t.Fatal(err)
		}
		if _, err := p.writer.Write(small); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	payload = nil
	withReaders := heapInUse()
	// The peers go away: what is left is the writers, idle.
	for i := range pairs {
		pairs[i].reader.Close()
		pairs[i].reader = nil
	}
	writers := heapInUse()
	retained := (writers - before) / conns
	t.Logf("per connection: the writer holds %d bytes after a %d-byte write and a small one; "+
		"the pair (both ends) held %d bytes idle before the large write and %d after it",
		retained, large, (idle-before)/conns, (withReaders-before)/conns)
	if retained > bound {
		t.Errorf("a connection retains %d bytes after a large write, want under %d", retained, bound)
	}
	for _, p := range pairs {
		p.writer.Close()
	}
}
