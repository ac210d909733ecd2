//go:build race

package cipher

// raceEnabled skips allocation counts, which the race detector changes.
const raceEnabled = true
