// Command tlsengine serves and connects over TLS with the tlsengine
// engine: an echo (or -www status page) server with a generated certificate,
// and a client that copies stdin and stdout over the connection.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const version = "0.1.0"

const usage = `usage:
  tlsengine serve   [-addr 127.0.0.1:8443] [-key F -cert F] [-ca F] [-request-cert]
                    [-reject-unauthorized] [-ciphers S] [-ecdh-curve S] [-alpn a,b] [-www] [-keylog F]
  tlsengine connect HOST:PORT [-servername N] [-ca F] [-insecure] [-key F -cert F]
                    [-ciphers S] [-ecdh-curve S] [-alpn a,b] [-keylog F]
  tlsengine version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "serve":
		return serveMain(ctx, args[1:], stdout, stderr)
	case "connect":
		return connectMain(ctx, args[1:], stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "tlsengine", version)
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "tlsengine: unknown command %q\n%s", args[0], usage)
	return 2
}
