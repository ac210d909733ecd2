package main

import (
	"bytes"
	"context"
	gotls "crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"

	"github.com/tlsengine/tlsengine/bench"
	"github.com/tlsengine/tlsengine/cipher"
)

// goTLSServerMain is the hidden `tlsengine bench-gotls-server` mode that
// `tlsengine bench -process` starts as its crypto/tls reference: Go's
// crypto/tls echoing with io.Copy, one goroutine per connection, no
// logging, no handshake timeout, as the plainest crypto/tls server would.
// With -www it answers one HTTP request per connection with a short page
// and closes, as `serve -www` and `openssl s_server -www` do, for `openssl
// s_time -www`, the only way s_time reads TLS 1.3 tickets.
// It is the only non-test use of crypto/tls in the binary, and serves only
// as a yardstick.
func goTLSServerMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tlsengine "+bench.GoTLSServerCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "`address` to listen on")
	certFile := fs.String("cert", "", "PEM certificate chain `file`, leaf first")
	keyFile := fs.String("key", "", "PEM private key `file`")
	suite := fs.String("cipher", "", "the one TLS 1.2 cipher `suite` (OpenSSL or IANA name); empty: crypto/tls's defaults")
	version := fs.String("version", "1.2", "protocol `version`: 1.2 or 1.3")
	noTicket := fs.Bool("no-ticket", false, "issue no session tickets")
	www := fs.Bool("www", false, "answer one HTTP request per connection with a short page, then close")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cert, err := gotls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitFailure
	}
	cfg := &gotls.Config{Certificates: []gotls.Certificate{cert}, SessionTicketsDisabled: *noTicket,
		CurvePreferences: []gotls.CurveID{gotls.X25519}}
	switch *version {
	case "1.2":
		cfg.MinVersion, cfg.MaxVersion = gotls.VersionTLS12, gotls.VersionTLS12
	case "1.3":
		cfg.MinVersion, cfg.MaxVersion = gotls.VersionTLS13, gotls.VersionTLS13
	default:
		fmt.Fprintf(stderr, "tlsengine: -version %q: 1.2 or 1.3\n", *version)
		return exitUsage
	}
	if *suite != "" {
		s := cipher.SuiteByName(*suite)
		if s == nil {
			fmt.Fprintf(stderr, "tlsengine: -cipher %q: unknown suite\n", *suite)
			return exitUsage
		}
		cfg.CipherSuites = []uint16{s.ID}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return exitFailure
	}
	defer ln.Close()
	context.AfterFunc(ctx, func() { ln.Close() })
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return 0
		}
		go func() {
			defer c.Close()
			t := gotls.Server(c, cfg)
			if *www {
				answerHTTP(t)
				return
			}
			io.Copy(t, t)
		}()
	}
}

// answerHTTP reads a request head (up to 8 KiB) and answers it with the
// connection's protocol version and suite, then sends close_notify.
func answerHTTP(t *gotls.Conn) {
	head := make([]byte, 0, 512)
	buf := make([]byte, 512)
	for !bytes.Contains(head, []byte("\r\n\r\n")) {
		n, err := t.Read(buf)
		head = append(head, buf[:n]...)
		if err != nil || len(head) > 8<<10 {
			return
		}
	}
	st := t.ConnectionState()
	fmt.Fprintf(t, "HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\n\r\n%s %s\n",
		gotls.VersionName(st.Version), gotls.CipherSuiteName(st.CipherSuite))
	t.Close()
}
