package bench

import (
	"os/exec"
	"syscall"
)

// setChildAttrs has the kernel kill a child if this process dies without
// killing it (SIGKILL, a crash): no server outlives a benchmark run.
func setChildAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
