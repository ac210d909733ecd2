//go:build race

package main

// raceEnabled skips stack measurements, which the race detector changes.
const raceEnabled = true
