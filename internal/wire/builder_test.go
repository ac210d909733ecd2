package wire

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// TestSameBytesAsCryptobyte builds random nested structures with both
// builders: the encodings must be the same bytes.
func TestSameBytesAsCryptobyte(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		seed := r.Uint64()
		var ours Builder
		var theirs cryptobyte.Builder
		build(&ours, rand.New(rand.NewPCG(seed, 0)), 0)
		build(&theirs, rand.New(rand.NewPCG(seed, 0)), 0)
		got, err := ours.Bytes()
		want, werr := theirs.Bytes()
		if err != nil || werr != nil {
			t.Fatalf("structure %d: errors %v, %v", i, err, werr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("structure %d: got\n%x\nwant\n%x", i, got, want)
		}
	}
}

// appender is what both builders offer, B being the builder and C its
// continuation type.
type appender[B any, C ~func(B)] interface {
	AddUint8(uint8)
	AddUint16(uint16)
	AddUint24(uint32)
	AddUint32(uint32)
	AddUint64(uint64)
	AddBytes([]byte)
	AddUint8LengthPrefixed(C)
	AddUint16LengthPrefixed(C)
	AddUint24LengthPrefixed(C)
}

// build makes random steps on b, the same on either builder for the same
// random source.
func build[B appender[B, C], C ~func(B)](b B, r *rand.Rand, depth int) {
	nested := C(func(b B) { build[B, C](b, r, depth+1) })
	for range r.IntN(5) {
		switch k := r.IntN(9); {
		case k == 0:
			b.AddUint8(uint8(r.Uint32()))
		case k == 1:
			b.AddUint16(uint16(r.Uint32()))
		case k == 2:
			b.AddUint24(r.Uint32() & 0xffffff)
		case k == 3:
			b.AddUint32(r.Uint32())
		case k == 4:
			b.AddUint64(r.Uint64())
		case k == 5:
			b.AddBytes(randomBytes(r))
		case depth < 4 && k == 6:
			b.AddUint8LengthPrefixed(nested)
		case depth < 4 && k == 7:
			b.AddUint16LengthPrefixed(nested)
		case depth < 4 && k == 8:
			b.AddUint24LengthPrefixed(nested)
		}
	}
}

func randomBytes(r *rand.Rand) []byte {
	p := make([]byte, r.IntN(40))
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

// TestLengthOverflow: a field longer than its prefix counts is an error
// that Bytes reports and that stops the rest; the boundary lengths fit.
func TestLengthOverflow(t *testing.T) {
	for _, c := range []struct {
		add  func(*Builder, Continuation)
		max  int
		name string
	}{
		{(*Builder).AddUint8LengthPrefixed, 255, "uint8"},
		{(*Builder).AddUint16LengthPrefixed, 65535, "uint16"},
	} {
		var ok Builder
		c.add(&ok, func(b *Builder) { b.AddBytes(make([]byte, c.max)) })
		if out, err := ok.Bytes(); err != nil || len(out) != c.max+len(out)-c.max {
			t.Errorf("%s prefix, %d bytes: %v", c.name, c.max, err)
		}
		var over Builder
		c.add(&over, func(b *Builder) { b.AddBytes(make([]byte, c.max+1)) })
		over.AddUint8(7)
		if out, err := over.Bytes(); !errors.Is(err, ErrLength) || out != nil {
			t.Errorf("%s prefix, %d bytes: %x, %v; want ErrLength", c.name, c.max+1, out, err)
		}
	}
	var nested Builder
	nested.AddUint16LengthPrefixed(func(b *Builder) {
		b.AddUint8LengthPrefixed(func(b *Builder) { b.AddBytes(make([]byte, 256)) })
	})
	if _, err := nested.Bytes(); !errors.Is(err, ErrLength) {
		t.Errorf("an inner overflow: %v, want ErrLength", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("BytesOrPanic after an overflow did not panic")
		}
	}()
	nested.BytesOrPanic()
}

// TestNoAllocations: with room in the buffer, nested length-prefixed
// fields allocate nothing; the one allocation is the Builder, which moves
// to the heap because the continuations it is passed to are not known to
// the compiler (cryptobyte.Builder allocates two more per field).
func TestNoAllocations(t *testing.T) {
	buf := make([]byte, 0, 256)
	payload := []byte("payload")
	allocs := testing.AllocsPerRun(100, func() {
		b := Builder{buf: buf[:0]}
		b.AddUint8(1)
		b.AddUint24LengthPrefixed(func(b *Builder) {
			b.AddUint16(0x0303)
			b.AddUint16LengthPrefixed(func(b *Builder) {
				b.AddUint8LengthPrefixed(func(b *Builder) { b.AddBytes(payload) })
			})
		})
		if _, err := b.Bytes(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations, want at most 1", allocs)
	}
}
