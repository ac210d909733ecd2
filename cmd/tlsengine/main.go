package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/tlsengine/tlsengine/bench"
)

// version is the CLI's version string.
const version = "0.1.0"

const usage = `usage:
  tlsengine serve   [-addr 127.0.0.1:8443] [-key F -cert F] [-pfx F] [-passphrase P] [-ca F]
                    [-request-cert] [-reject-unauthorized] [-sni NAME=CERT,KEY]... [-handshake-timeout D]
                    [-ciphers S] [-ecdh-curve S] [-alpn a,b] [-www] [-keylog F]
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
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
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
