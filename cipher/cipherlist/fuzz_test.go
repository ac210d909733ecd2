package cipherlist

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
)

// FuzzParse: no panics, quick answers, and a successful result is a
// non-empty list of registry suites without duplicates; appending ":!ALL"
// empties it and appending ":@STRENGTH" sorts it stably by strength.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		NodeDefault,
		"ECDHE-RSA-AES128-GCM-SHA256:!RC4",
		"DEFAULT:!aNULL:+kRSA:@STRENGTH",
		"ECDHE+AESGCM:-AES128,AES128 !SHA1;@SECLEVEL=0",
		"AES128-SHA!kRSA:AES+FOO+:AES++kRSA",
		"SUITEB128",
		"@SECLEVEL=9:\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start := time.Now()
		got, err := Parse(s)
		// Linear in the string: a generous bound that only catches blowups.
		if d := time.Since(start); d > time.Second+time.Duration(len(s))*time.Millisecond {
			t.Fatalf("Parse took %v for %d bytes", d, len(s))
		}
		if err != nil {
			if !errors.Is(err, ErrNoCipherMatch) && !errors.Is(err, ErrInvalidCommand) && !errors.Is(err, ErrSuiteB) {
				t.Fatalf("Parse(%q): unexpected error %v", s, err)
			}
			return
		}
		if len(got) == 0 {
			t.Fatalf("Parse(%q): empty list without an error", s)
		}
		seen := make(map[uint16]bool)
		for _, suite := range got {
			if cipher.SuiteByID(suite.ID) != suite {
				t.Fatalf("Parse(%q): %v is not a registry suite", s, suite)
			}
			if seen[suite.ID] {
				t.Fatalf("Parse(%q): %v twice", s, suite)
			}
			seen[suite.ID] = true
		}
		if _, err := Parse(s + ":!ALL"); !errors.Is(err, ErrNoCipherMatch) {
			t.Fatalf("Parse(%q + \":!ALL\"): %v, want ErrNoCipherMatch", s, err)
		}
		sorted, err := Parse(s + ":@STRENGTH")
		if err != nil {
			t.Fatalf("Parse(%q + \":@STRENGTH\"): %v", s, err)
		}
		want := slices.Clone(got)
		slices.SortStableFunc(want, func(a, b *cipher.Suite) int { return cmp.Compare(b.Bits, a.Bits) })
		if !slices.Equal(sorted, want) {
			t.Fatalf("Parse(%q + \":@STRENGTH\") = %v, want %v", s, sorted, want)
		}
	})
}
