package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/testbin"
)

// benchChildEnv makes the test binary stand in for the tlsengine binary:
// bench -process re-executes os.Executable() as `serve` and as the
// crypto/tls server, and with this set, TestMain runs that command line
// instead of the tests.
const benchChildEnv = "TLSENGINE_TEST_RUN_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(testbin.Run(m))
}

// TestBenchProcess runs `bench -process` on one case with a tiny time: a
// value above zero for each of the four servers and both ratios to
// crypto/tls, and no child process left behind; then interrupts a run
// midway, which must leave none either.
func TestBenchProcess(t *testing.T) {
	t.Setenv(benchChildEnv, "1")
	var out, errb bytes.Buffer
	args := []string{"-process", "-run", "TLS 1.2 full ECDSA", "-time", "200ms", "-rounds", "1", "-json"}
	if code := benchMain(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one row, got %q", out.String())
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &row); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(row["case"].(string), "full ECDSA") || row["unit"] != "µs/conn" {
		t.Errorf("row %v", row)
	}
	for _, k := range []string{"tlsengine", "crypto_tls", "openssl", "event_loop", "ratio", "loop_ratio", "openssl_ratio"} {
		if v, ok := row[k].(float64); !ok || !(v > 0) {
			t.Errorf("%s = %v, want a number above 0 (row %v)", k, row[k], row)
		}
	}
	if kids := childrenOf(t, os.Getpid()); len(kids) > 0 {
		t.Errorf("processes left running: %v", kids)
	}
	// childrenOf does see a child when there is one.
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	if kids := childrenOf(t, os.Getpid()); len(kids) != 1 || !strings.Contains(kids[0], "(sleep)") {
		t.Errorf("childrenOf with a sleep running: %v", kids)
	}
	sleep.Process.Kill()
	sleep.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	args = []string{"-process", "-run", "full ECDSA", "-time", "5s", "-rounds", "1"}
	if code := benchMain(ctx, args, &out, &errb); code != exitInterrupted {
		t.Errorf("an interrupted run exited %d, want %d", code, exitInterrupted)
	}
	if kids := childrenOf(t, os.Getpid()); len(kids) > 0 {
		t.Errorf("processes left running after an interrupt: %v", kids)
	}
}

// childrenOf lists the live (not zombie) children of pid, from /proc.
func childrenOf(t *testing.T, pid int) []string {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		i := bytes.LastIndexByte(b, ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[0] != "Z" && f[1] == strconv.Itoa(pid) {
			kids = append(kids, string(b[:i+1]))
		}
	}
	return kids
}
