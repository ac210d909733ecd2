package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

type connectOptions struct {
	commonFlags
	target     string
	servername string
	insecure   bool
}

func connectMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o connectOptions
	fs := flag.NewFlagSet("connect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.servername, "servername", "", "SNI name and name to verify (default: the host)")
	fs.StringVar(&o.ca, "ca", "", "CA `file` to verify the server (default: system roots)")
	fs.BoolVar(&o.insecure, "insecure", false, "connect even if the server certificate does not verify")
	fs.StringVar(&o.key, "key", "", "client private key `file` (PEM)")
	fs.StringVar(&o.cert, "cert", "", "client certificate chain `file` (PEM)")
	fs.StringVar(&o.ciphers, "ciphers", "", "colon-separated cipher suites (OpenSSL or IANA names)")
	fs.StringVar(&o.curves, "ecdh-curve", "", "colon-separated ECDH curves")
	fs.StringVar(&o.alpn, "alpn", "", "comma-separated ALPN protocols")
	fs.StringVar(&o.keylogFile, "keylog", "", "append NSS key log lines to `file`")
	// Accept the target before or after the flags.
	var target string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		target, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if target == "" && fs.NArg() > 0 {
		target = fs.Arg(0)
	}
	if target == "" {
		fmt.Fprint(stderr, "tlsengine connect: missing HOST:PORT\n", usage)
		return 2
	}
	o.target = target
	return connect(ctx, &o, stdin, stdout, stderr)
}

func connect(ctx context.Context, o *connectOptions, stdin io.Reader, stdout, stderr io.Writer) int {
	host, _, err := net.SplitHostPort(o.target)
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return 2
	}
	cfg, err := o.baseConfig()
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return 2
	}
	if cfg.RootCAs == nil {
		cfg.RootCAs = systemRoots()
	}
	// The handshake finishes either way; the verdict is ours to act on
	// after printing the summary, as openssl s_client does.
	cfg.InsecureSkipVerify = true
	opts := engine.ClientOptions{ServerName: o.servername, VerifyName: o.servername}
	if opts.ServerName == "" {
		if _, err := netip.ParseAddr(host); err != nil {
			opts.ServerName = host
		}
		opts.VerifyName = host
	}
	keylog, closeKeylog, err := openKeylog(o.keylogFile)
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return 1
	}
	defer closeKeylog()

	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", o.target)
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return 1
	}
	sock := api.NewClientSocket(conn, cfg, opts)
	defer sock.Close()
	if keylog != nil {
		sock.OnKeylog(keylog)
	}
	hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = sock.Handshake(hctx)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: handshake failed: %v\n", err)
		return 1
	}
	st := sock.ConnectionState()
	printSummary(stderr, st)
	if st.VerifyError != nil && !o.insecure {
		fmt.Fprintf(stderr, "tlsengine: verification failed: %s\n", verifyText(st.VerifyError))
		// Tell the server why, as a verifying client would.
		return 1
	}
	return pipe(sock, stdin, stdout, stderr)
}

func printSummary(w io.Writer, st *engine.ConnectionState) {
	fmt.Fprintf(w, "Protocol  : %s\n", versionName(st.Version))
	fmt.Fprintf(w, "Cipher    : %s\n", st.Suite.OpenSSLName)
	fmt.Fprintf(w, "Group     : %s\n", st.Group.OpenSSLName())
	fmt.Fprintf(w, "ALPN      : %s\n", orNone(st.ALPNProtocol))
	fmt.Fprintf(w, "Extended master secret: %s\n", yesNo(st.ExtendedMasterSecret))
	if st.SecureRenegotiation {
		fmt.Fprintln(w, "Secure Renegotiation IS supported")
	} else {
		fmt.Fprintln(w, "Secure Renegotiation IS NOT supported")
	}
	if st.VerifyError == nil {
		fmt.Fprintln(w, "Verification: OK")
	} else {
		fmt.Fprintf(w, "Verification error: %s\n", verifyText(st.VerifyError))
	}
}

func verifyText(err error) string {
	var ve *x509lite.VerifyError
	if errors.As(err, &ve) {
		return ve.Code + ": " + ve.Reason
	}
	return err.Error()
}

// pipe copies stdin to the connection and the connection to stdout. At the
// end of stdin it sends close_notify and keeps reading until the server
// closes.
func pipe(sock *api.TLSSocket, stdin io.Reader, stdout, stderr io.Writer) int {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := io.Copy(sock, stdin); err == nil {
			sock.CloseWrite()
		}
	}()
	_, err := io.Copy(stdout, sock)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		var ae *record.AlertError
		if !errors.As(err, &ae) {
			fmt.Fprintf(stderr, "tlsengine: %v\n", err)
			return 1
		}
	}
	return 0
}
