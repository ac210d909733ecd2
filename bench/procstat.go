package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which Linux fixes at 100 for user space (getconf CLK_TCK).
const clockTick = 10 * time.Millisecond

// procCPU is a process's CPU time so far (user + system, children not
// included), from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	ticks, err := parseStatTicks(b)
	return time.Duration(ticks) * clockTick, err
}

// parseStatTicks returns utime + stime from the text of /proc/PID/stat
// (proc(5): fields 14 and 15, counted from 1). The second field, the
// command name in parentheses, may itself hold spaces and parentheses,
// so the fields are counted from the last ')'.
func parseStatTicks(b []byte) (int64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: /proc stat without a command name: %.40q", b)
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state), so fields 14 and 15 are f[11] and f[12].
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: /proc stat has %d fields after the name, want at least 13", len(f))
	}
	var sum int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bench: /proc stat: bad tick count %q", s)
		}
		sum += n
	}
	return sum, nil
}

// procMem is a process's resident set (bytes) and thread count.
type procMem struct {
	rss     int64
	threads int
}

// readProcMem reads /proc/PID/status.
func readProcMem(pid int) (procMem, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procMem{}, err
	}
	return parseStatus(b)
}

// parseStatus takes VmRSS ("VmRSS:	  1234 kB") and Threads from the text
// of /proc/PID/status.
func parseStatus(b []byte) (procMem, error) {
	var m procMem
	var haveRSS, haveThreads bool
	for _, line := range bytes.Split(b, []byte("\n")) {
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		f := bytes.Fields(val)
		switch string(key) {
		case "VmRSS":
			if len(f) != 2 || string(f[1]) != "kB" {
				return m, fmt.Errorf("bench: /proc status: VmRSS %q", val)
			}
			kb, err := strconv.ParseInt(string(f[0]), 10, 64)
			if err != nil || kb < 0 {
				return m, fmt.Errorf("bench: /proc status: VmRSS %q", val)
			}
			m.rss, haveRSS = kb*1024, true
		case "Threads":
			n, err := strconv.Atoi(string(bytes.TrimSpace(val)))
			if err != nil || n < 1 {
				return m, fmt.Errorf("bench: /proc status: Threads %q", val)
			}
			m.threads, haveThreads = n, true
		}
	}
	if !haveRSS || !haveThreads {
		return m, fmt.Errorf("bench: /proc status lacks VmRSS or Threads")
	}
	return m, nil
}
