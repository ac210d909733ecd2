package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	"github.com/tlsengine/tlsengine/bench"
)

// version is the CLI's version string.
const version = "0.1.0"

const usage = `usage:
  tlsengine serve   [-addr 127.0.0.1:8443] [-key F -cert F] [-pfx F] [-passphrase P] [-ca F]
                    [-request-cert] [-reject-unauthorized] [-sni NAME=CERT,KEY]... [-handshake-timeout D]
                    [-ciphers S] [-ecdh-curve S] [-alpn a,b] [-www] [-keylog F] [-event-loop]
                    [-no-ticket] [-ticket-keys HEX] [-dhparam F] [-min-version V] [-max-version V]
  tlsengine connect HOST:PORT [-servername N] [-ca F] [-insecure] [-key F -cert F] [-pfx F]
                    [-passphrase P] [-show-cert] [-ciphers S] [-ecdh-curve S] [-alpn a,b] [-keylog F]
                    [-sess-out F] [-sess-in F] [-reneg] [-key-update] [-min-version V] [-max-version V]
  tlsengine ciphers [STRING]
  tlsengine bench   [-time D] [-run REGEXP] [-json] [-svg F] [-process [-rounds N] [-idle10k]]
  tlsengine version
  tlsengine help

Run "tlsengine serve -h" or "tlsengine connect -h" for the flags.
Exit status: 0 success, 1 failure (a file, the network or a handshake),
2 a command line that cannot work, 130 interrupted.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal asks for a graceful exit; a second one kills.
	context.AfterFunc(ctx, stop)
	endProfile := startProfiles(os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	endProfile()
	os.Exit(code)
}

// startProfiles starts a CPU profile to the file named by
// TLSENGINE_CPUPROFILE, if set, for the whole run (a server stopped with
// SIGINT or SIGTERM writes it on its way out), and returns what ends it;
// TLSENGINE_MEMPROFILE names a profile of every allocation, written at
// the end. They are
// how the server process was profiled (issue 16).
func startProfiles(stderr io.Writer) (end func()) {
	var stops []func()
	if f := os.Getenv("TLSENGINE_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		if err == nil {
			err = pprof.StartCPUProfile(out)
		}
		if err != nil {
			fmt.Fprintf(stderr, "tlsengine: TLSENGINE_CPUPROFILE: %v\n", err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); out.Close() })
		}
	}
	if f := os.Getenv("TLSENGINE_MEMPROFILE"); f != "" {
		runtime.MemProfileRate = 1 // every allocation: exact counts per connection
		stops = append(stops, func() {
			out, err := os.Create(f)
			if err == nil {
				err = pprof.Lookup("allocs").WriteTo(out, 0)
				out.Close()
			}
			if err != nil {
				fmt.Fprintf(stderr, "tlsengine: TLSENGINE_MEMPROFILE: %v\n", err)
			}
		})
	}
	return func() {
		for _, f := range stops {
			f()
		}
	}
}

// run dispatches a command line and returns the exit status: 0 success,
// 1 failure, 2 bad usage.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serveMain(ctx, args[1:], stdout, stderr)
	case "connect":
		return connectMain(ctx, args[1:], stdin, stdout, stderr)
	case "ciphers":
		return ciphersMain(args[1:], stdout, stderr)
	case "bench":
		return benchMain(ctx, args[1:], stdout, stderr)
	case bench.GoTLSServerCommand: // hidden: the reference server of bench -process
		return goTLSServerMain(ctx, args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "tlsengine %s (%s)\n", version, runtime.Version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "tlsengine: unknown command %q\n%s", args[0], usage)
	return 2
}
