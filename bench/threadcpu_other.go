//go:build !linux

package bench

func threadCPU() int64 { return 0 }

// haveThreadCPU reports whether threadCPU works here; the server-CPU
// cases that need it are left out elsewhere.
const haveThreadCPU = false
