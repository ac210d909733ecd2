package tlstest

import (
	"io"
	"math/rand/v2"
	"time"
)

// Rand is a deterministic randomness source for reproducible handshakes.
type Rand struct{ r *rand.ChaCha8 }

// NewRand returns a deterministic reader seeded from seed.
func NewRand(seed uint64) *Rand {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return &Rand{r: rand.NewChaCha8(s)}
}

func (r *Rand) Read(p []byte) (int, error) { return r.r.Read(p) }

var _ io.Reader = (*Rand)(nil)

// Epoch is the fixed "now" of tests.
var Epoch = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// FixedNow returns a clock that always reads t.
func FixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }
