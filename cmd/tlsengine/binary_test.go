package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/testbin"
)

// TestBinaryServeConnect builds the command and runs `tlsengine serve` and
// `tlsengine connect` as processes, then stops the server with SIGTERM.
func TestBinaryServeConnect(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testbin.Build(t, ".")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	if out, err := exec.CommandContext(ctx, bin, "version").Output(); err != nil || !strings.HasPrefix(string(out), "tlsengine "+version) {
		t.Errorf("version: %q, %v", out, err)
	}
	if err := exec.CommandContext(ctx, bin, "nonsense").Run(); exitCode(err) != 2 {
		t.Errorf("unknown command: %v, want exit status 2", err)
	}

	server := exec.Command(bin, "serve", "-addr", "127.0.0.1:0")
	var serverLog syncBuffer
	server.Stderr = &serverLog
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	exited := make(chan error, 1)
	go func() {
		br := bufio.NewReader(stdout)
		line, _ := br.ReadString('\n')
		addrc <- strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
		// Keep draining stdout so that the server never blocks on it.
		io.Copy(io.Discard, br)
		exited <- server.Wait()
	}()
	defer server.Process.Kill() // harmless once it has exited

	var addr string
	select {
	case addr = <-addrc:
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not print its address; stderr:\n%s", serverLog.String())
	}
	if addr == "" {
		t.Fatalf("no address; stderr:\n%s", serverLog.String())
	}

	client := exec.CommandContext(ctx, bin, "connect", addr, "-insecure")
	client.Stdin = strings.NewReader("hello from a process\n")
	var cout, cerr strings.Builder
	client.Stdout, client.Stderr = &cout, &cerr
	if err := client.Run(); err != nil {
		t.Fatalf("connect: %v\nstderr:\n%s", err, cerr.String())
	}
	if cout.String() != "hello from a process\n" {
		t.Errorf("connect stdout %q", cout.String())
	}
	if !strings.Contains(cerr.String(), "Protocol  : TLSv1.3\n") ||
		!strings.Contains(cerr.String(), "Verification error: DEPTH_ZERO_SELF_SIGNED_CERT: ") {
		t.Errorf("connect stderr:\n%s", cerr.String())
	}

	// Without -insecure the self-signed certificate fails verification.
	client = exec.CommandContext(ctx, bin, "connect", addr)
	client.Stdin = strings.NewReader("x")
	out, err := client.CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(out), "tlsengine: verification failed: DEPTH_ZERO_SELF_SIGNED_CERT: ") {
		t.Errorf("verifying connect: %v\n%s", err, out)
	}

	if err := server.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("server after SIGTERM: %v, want exit status 0; stderr:\n%s", err, serverLog.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("server ignored SIGTERM; stderr:\n%s", serverLog.String())
	}
	if log := serverLog.String(); !fingerprintRE.MatchString(log) || !strings.Contains(log, ": TLSv1.3 TLS_AES_256_GCM_SHA384 ALPN=none SNI=none\n") {
		t.Errorf("server log:\n%s", log)
	}
}

// exitCode is the exit status in err from exec, 0 for nil, -1 otherwise.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err == nil {
		return 0
	}
	return -1
}
