package bench

import (
	"syscall"
	"unsafe"
)

// threadCPU returns the CPU time the calling OS thread has used, in
// nanoseconds (clock_gettime(CLOCK_THREAD_CPUTIME_ID)). The caller must
// be locked to its thread.
func threadCPU() int64 {
	const clockThreadCPUTime = 3
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// haveThreadCPU reports whether threadCPU works here.
const haveThreadCPU = true
