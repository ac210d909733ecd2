//go:build !linux

package bench

import "os/exec"

// setChildAttrs does nothing here; the process comparison reads /proc and
// runs on Linux only.
func setChildAttrs(*exec.Cmd) {}
