//go:build race

package api_test

// raceEnabled skips allocation counts: under the race detector sync.Pool
// drops a share of what is put back, so pooled buffers are allocated again.
const raceEnabled = true
