package wire

import (
	"errors"
	"fmt"
)

// Builder appends a TLS encoding to a buffer. The zero value is ready to
// use; NewBuilder starts from a buffer with room already made. The first
// error (a length that does not fit its prefix) is kept and stops the
// rest: Bytes reports it.
type Builder struct {
	buf []byte
	err error
}

// NewBuilder returns a Builder appending to buf (usually empty with some
// capacity).
func NewBuilder(buf []byte) *Builder { return &Builder{buf: buf} }

// Continuation fills in the contents of a length-prefixed field, appending
// to the Builder it is given.
type Continuation func(*Builder)

// Bytes returns the encoding, or the first error.
func (b *Builder) Bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return b.buf, nil
}

// BytesOrPanic returns the encoding of a value whose lengths cannot
// overflow (fixed-size fields), panicking if one did.
func (b *Builder) BytesOrPanic() []byte {
	if b.err != nil {
		panic(b.err)
	}
	return b.buf
}

// AddUint8 appends v.
func (b *Builder) AddUint8(v uint8) { b.buf = append(b.buf, v) }

// AddUint16 appends v, big-endian.
func (b *Builder) AddUint16(v uint16) { b.buf = append(b.buf, byte(v>>8), byte(v)) }

// AddUint24 appends the low 24 bits of v, big-endian.
func (b *Builder) AddUint24(v uint32) { b.buf = append(b.buf, byte(v>>16), byte(v>>8), byte(v)) }

// AddUint32 appends v, big-endian.
func (b *Builder) AddUint32(v uint32) {
	b.buf = append(b.buf, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// AddUint64 appends v, big-endian.
func (b *Builder) AddUint64(v uint64) {
	b.buf = append(b.buf, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// AddBytes appends v as it is.
func (b *Builder) AddBytes(v []byte) { b.buf = append(b.buf, v...) }

// AddUint8LengthPrefixed appends what f appends, after its length in one
// byte (a vector <0..2^8-1>).
func (b *Builder) AddUint8LengthPrefixed(f Continuation) { b.lengthPrefixed(1, f) }

// AddUint16LengthPrefixed appends what f appends, after its length in two
// bytes (a vector <0..2^16-1>).
func (b *Builder) AddUint16LengthPrefixed(f Continuation) { b.lengthPrefixed(2, f) }

// AddUint24LengthPrefixed appends what f appends, after its length in
// three bytes (a vector <0..2^24-1>, the handshake message body).
func (b *Builder) AddUint24LengthPrefixed(f Continuation) { b.lengthPrefixed(3, f) }

// ErrLength is the error of a field longer than its length prefix counts.
var ErrLength = errors.New("wire: field longer than its length prefix allows")

// lengthPrefixed reserves an n-byte length, lets f append the contents
// and writes their length in front of them.
func (b *Builder) lengthPrefixed(n int, f Continuation) {
	start := len(b.buf)
	for range n {
		b.buf = append(b.buf, 0)
	}
	f(b)
	if b.err != nil {
		return
	}
	size := len(b.buf) - start - n
	if size >= 1<<(8*n) {
		b.err = fmt.Errorf("%w: %d bytes behind a %d-byte length", ErrLength, size, n)
		return
	}
	for i := range n {
		b.buf[start+i] = byte(size >> (8 * (n - 1 - i)))
	}
}
