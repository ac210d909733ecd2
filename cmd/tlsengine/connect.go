package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// Client time limits.
const (
	dialTimeout            = 10 * time.Second
	clientHandshakeTimeout = 30 * time.Second
)

// exitInterrupted is the status when a signal ends connect (128+SIGINT).
const exitInterrupted = 130

// connectOptions are the flags of `tlsengine connect`.
type connectOptions struct {
	commonFlags
	target     string // HOST:PORT
	servername string
	insecure   bool
	sessIn     string
	sessOut    string
	showCert   bool
	reneg      bool
	keyUpdate  bool
}

// connectMain parses the connect command line and runs the client.
func connectMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseConnectFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	return connect(ctx, o, stdin, stdout, stderr)
}

// parseConnectFlags reads the connect flags and the HOST:PORT operand,
// which may come before, between or after the flags.
func parseConnectFlags(args []string, stderr io.Writer) (*connectOptions, error) {
	o := &connectOptions{}
	fs := flag.NewFlagSet("tlsengine connect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.servername, "servername", "", "`name` to send in SNI and to verify (default: the host, unless it is an IP address)")
	fs.BoolVar(&o.insecure, "insecure", false, "go on even if the server certificate does not verify (the summary shows why)")
	fs.StringVar(&o.sessIn, "sess-in", "", "resume the session saved in `file` (as openssl s_client -sess_in)")
	fs.StringVar(&o.sessOut, "sess-out", "", "save the session to `file` after the handshake (as openssl s_client -sess_out)")
	fs.BoolVar(&o.showCert, "show-cert", false, "write the server's certificate chain to stdout as JSON before any data, with the keys of Node's getPeerCertificate(true)")
	fs.BoolVar(&o.reneg, "reneg", false, "renegotiate once right after the handshake (what openssl s_client does on a line \"R\"); stdin is still sent as it is")
	fs.BoolVar(&o.keyUpdate, "key-update", false, "send one TLS 1.3 KeyUpdate asking the server to update too, right after the handshake (what openssl s_client does on a line \"K\")")
	o.register(fs, "server (default: the system roots)")
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		operands = append(operands, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(operands) != 1 {
		err := errors.New("want exactly one HOST:PORT")
		fmt.Fprintf(stderr, "tlsengine connect: %v\n%s", err, usage)
		return nil, err
	}
	o.target = operands[0]
	if _, _, err := net.SplitHostPort(o.target); err != nil {
		fmt.Fprintf(stderr, "tlsengine connect: %v\n", err)
		return nil, err
	}
	return o, nil
}

// connect dials, handshakes, prints the summary to stderr and then copies
// stdin to the connection and the connection to stdout. It returns 0 when
// the server closed cleanly (close_notify), exitUsage for a command line
// that cannot work, exitFailure for any other failure and exitInterrupted
// when ctx ended first: the statuses serve uses too.
func connect(ctx context.Context, o *connectOptions, stdin io.Reader, stdout, stderr io.Writer) int {
	host, _, err := net.SplitHostPort(o.target)
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitUsage
	}
	cfg, err := o.baseConfig()
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitStatus(err)
	}
	if cfg.RootCAs == nil {
		cfg.RootCAs = api.SystemRoots()
	}
	cfg.InsecureSkipVerify = o.insecure
	// Like Node's (OpenSSL's) clients, answer a server's HelloRequest
	// (RFC 5746 secure renegotiation only).
	cfg.RenegotiateOnRequest = true
	opts := clientOptions(host, o.servername)
	if o.sessIn != "" {
		data, err := os.ReadFile(o.sessIn)
		if err == nil {
			opts.Session, err = session.Unmarshal(data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "tlsengine: -sess-in: %v\n", err)
			return exitFailure
		}
	}

	keylog, closeKeylog, err := openKeylog(o.keylog)
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitFailure
	}
	defer closeKeylog()

	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", o.target)
	if err != nil {
		if ctx.Err() != nil {
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitFailure
	}
	sock := api.NewClientSocket(conn, cfg, opts)
	if keylog != nil {
		sock.OnKeylog(keylog)
	}
	// An interrupt ends the Read (and, soon, any stuck Write) by deadline.
	stop := context.AfterFunc(ctx, func() {
		sock.SetReadDeadline(time.Now())
		sock.SetWriteDeadline(time.Now().Add(time.Second))
	})
	defer stop()

	hctx, cancel := context.WithTimeout(ctx, clientHandshakeTimeout)
	err = sock.Handshake(hctx)
	cancel()
	if err != nil {
		sock.Close()
		if ctx.Err() != nil {
			return exitInterrupted
		}
		var ve *x509lite.VerifyError
		if errors.As(err, &ve) {
			fmt.Fprintf(stderr, "tlsengine: verification failed: %s: %s\n", ve.Code, ve.Reason)
		} else {
			fmt.Fprintf(stderr, "tlsengine: handshake failed: %v\n", err)
		}
		return exitFailure
	}
	st := sock.ConnectionState()
	printSummary(stderr, st)
	if o.showCert {
		if err := writeCertJSON(stdout, sock.PeerCertificate(true)); err != nil {
			sock.Close()
			fmt.Fprintf(stderr, "tlsengine: -show-cert: %v\n", err)
			return exitFailure
		}
	}
	if o.sessOut != "" && st.Version == cipher.VersionTLS13 {
		// TLS 1.3 tickets come after the handshake: like s_client
		// -sess_out, each one received replaces the file.
		var saved atomic.Bool
		sock.OnSession(func(b []byte) {
			if err := os.WriteFile(o.sessOut, b, 0o600); err == nil {
				saved.Store(true)
			}
		})
		defer func() {
			if !saved.Load() {
				fmt.Fprintln(stderr, "tlsengine: -sess-out: the server sent no TLS 1.3 ticket")
			}
		}()
	} else if o.sessOut != "" {
		if err := saveSession(o.sessOut, st.Session); err != nil {
			fmt.Fprintf(stderr, "tlsengine: -sess-out: %v\n", err)
		}
	}
	if o.reneg {
		if code := renegotiate(ctx, sock, stderr); code != 0 {
			return code
		}
	}

	if o.keyUpdate {
		// s_client prints the same word on "K".
		fmt.Fprintln(stderr, "KEYUPDATE")
		if err := sock.UpdateKeys(true); err != nil {
			sock.Close()
			fmt.Fprintf(stderr, "tlsengine: -key-update: %v\n", err)
			return exitFailure
		}
	}

	err = pipe(ctx, sock, stdin, stdout)
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitFailure
	}
	return 0
}

// renegotiate runs one renegotiation and reports it on stderr as
// s_client does ("RENEGOTIATING"). A server that declines it
// (no_renegotiation) is reported and the connection goes on; any other
// failure ends it. It returns the exit status, 0 to go on.
func renegotiate(ctx context.Context, sock *api.TLSSocket, stderr io.Writer) int {
	fmt.Fprintln(stderr, "RENEGOTIATING")
	err := sock.Renegotiate(api.RenegotiateOptions{Timeout: clientHandshakeTimeout}, nil)
	switch {
	case err == nil:
		st := sock.ConnectionState()
		fmt.Fprintf(stderr, "Renegotiated: %s %s\n", record.Version(st.Version).String(), suiteName(st))
		return 0
	case errors.Is(err, api.ErrRenegotiationDeclined):
		fmt.Fprintln(stderr, "Renegotiation declined by the server (no_renegotiation)")
		return 0
	case ctx.Err() != nil:
		sock.Close()
		return exitInterrupted
	}
	sock.Close()
	fmt.Fprintf(stderr, "tlsengine: renegotiation failed: %v\n", err)
	return exitFailure
}

// clientOptions follows Node: SNI is -servername, else the host unless it
// is an IP address; the name verified is -servername, else the host.
func clientOptions(host, servername string) engine.ClientOptions {
	if servername != "" {
		return engine.ClientOptions{ServerName: servername, VerifyName: servername}
	}
	opts := engine.ClientOptions{VerifyName: host}
	if _, err := netip.ParseAddr(host); err != nil {
		opts.ServerName = host
	}
	return opts
}

// printSummary writes what the handshake negotiated, s_client style.
func printSummary(w io.Writer, st *engine.ConnectionState) {
	fmt.Fprintf(w, "Protocol  : %s\n", record.Version(st.Version).String())
	fmt.Fprintf(w, "Cipher    : %s\n", suiteName(st))
	fmt.Fprintf(w, "Group     : %s\n", groupName(st))
	fmt.Fprintf(w, "ALPN      : %s\n", printable(orNone(st.ALPNProtocol)))
	if st.Version < cipher.VersionTLS13 {
		// TLS 1.3 has no such extension; s_client leaves the line out.
		fmt.Fprintf(w, "Extended master secret: %s\n", yesNo(st.ExtendedMasterSecret))
	}
	if st.SecureRenegotiation {
		fmt.Fprintln(w, "Secure Renegotiation IS supported")
	} else {
		fmt.Fprintln(w, "Secure Renegotiation IS NOT supported")
	}
	if st.VerifyError == nil {
		fmt.Fprintln(w, "Verification: OK")
	} else {
		fmt.Fprintf(w, "Verification error: %s\n", printable(verifyText(st.VerifyError)))
	}
	how := "New"
	if st.Resumed {
		how = "Reused"
	}
	fmt.Fprintf(w, "Session   : %s\n", how)
	// s_client's line: "Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256".
	fmt.Fprintf(w, "%s, %s, Cipher is %s\n", how, record.Version(st.Version).String(), suiteName(st))
}

// saveSession writes a client session for -sess-in; a server that gave
// neither a session id nor a ticket leaves nothing to save.
func saveSession(path string, s *session.State) error {
	if s == nil {
		return errors.New("the server offered no session to resume")
	}
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// pipe copies stdin to the connection and the connection to stdout. At the
// end of stdin it sends close_notify and keeps reading; it returns when the
// server has closed: nil after its close_notify, the error otherwise. It
// closes the socket before returning.
func pipe(ctx context.Context, sock *api.TLSSocket, stdin io.Reader, stdout io.Writer) error {
	stdinDone := make(chan struct{})
	go func() {
		defer close(stdinDone)
		io.Copy(sock, stdin)
		if ctx.Err() == nil {
			sock.CloseWrite()
		}
	}()
	_, err := io.Copy(stdout, sock)
	select {
	case <-stdinDone:
		// Nobody else uses the socket: answer with close_notify (if stdin
		// has not already sent it) and close.
		sock.Close()
	default:
		// The stdin goroutine may be inside sock.Write (or about to be):
		// close only the transport, which fails that Write, rather than
		// racing it in sock.Close. When the server closes first this
		// goroutine may stay blocked on stdin; the process is about to
		// exit then.
		sock.NetConn().Close()
	}
	return err
}
