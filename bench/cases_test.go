package bench

import (
	"strings"
	"testing"
)

// BenchmarkCases runs every case as three sub-benchmarks: tlsengine,
// crypto-tls and floor (where they exist). `tlsengine bench` runs the
// same functions and prints the ratios.
func BenchmarkCases(b *testing.B) {
	for _, c := range Cases() {
		name := strings.NewReplacer(" ", "_", "(", "", ")", "", ",", "").Replace(c.Name)
		if c.Paired != nil {
			b.Run(name+"/paired", c.Paired)
		} else {
			b.Run(name+"/tlsengine", c.Ours)
		}
		if c.Theirs != nil {
			b.Run(name+"/crypto-tls", c.Theirs)
		}
		if c.Floor != nil {
			b.Run(name+"/floor", c.Floor)
		}
	}
}
