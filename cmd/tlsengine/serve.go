package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/x509lite"
)

// handshakeTimeout is Node's default.
const handshakeTimeout = 120 * time.Second

type serveOptions struct {
	commonFlags
	addr               string
	requestCert        bool
	rejectUnauthorized bool
	www                bool
}

func serveMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o serveOptions
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8443", "address to listen on")
	fs.StringVar(&o.key, "key", "", "private key `file` (PEM)")
	fs.StringVar(&o.cert, "cert", "", "certificate chain `file` (PEM)")
	fs.StringVar(&o.ca, "ca", "", "CA `file` for client certificates")
	fs.BoolVar(&o.requestCert, "request-cert", false, "ask clients for a certificate")
	fs.BoolVar(&o.rejectUnauthorized, "reject-unauthorized", false, "with -request-cert: refuse clients without a valid certificate")
	fs.StringVar(&o.ciphers, "ciphers", "", "colon-separated cipher suites (OpenSSL or IANA names)")
	fs.StringVar(&o.curves, "ecdh-curve", "", "colon-separated ECDH curves")
	fs.StringVar(&o.alpn, "alpn", "", "comma-separated ALPN protocols, preferred first")
	fs.BoolVar(&o.www, "www", false, "answer HTTP requests with a page describing the connection")
	fs.StringVar(&o.keylogFile, "keylog", "", "append NSS key log lines to `file`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tlsengine serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return 1
	}
	if err := serve(ctx, ln, &o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return 1
	}
	return 0
}

// serve accepts connections on ln until ctx ends.
func serve(ctx context.Context, ln net.Listener, o *serveOptions, stdout, stderr io.Writer) error {
	cfg, err := o.baseConfig()
	if err != nil {
		ln.Close()
		return err
	}
	if len(cfg.Certificates) == 0 {
		cert, err := certgen.SelfSigned(certgen.ECDSAP256, time.Now(), []string{"localhost", "127.0.0.1", "::1"}, rand.Reader)
		if err != nil {
			ln.Close()
			return err
		}
		cred, err := handshake.NewCredential([][]byte{cert.DER}, cert.Key)
		if err != nil {
			ln.Close()
			return err
		}
		cfg.Certificates = []*handshake.Credential{cred}
		fmt.Fprintf(stderr, "generated an ECDSA P-256 certificate for localhost; SHA-256 fingerprint %s\n", certgen.Fingerprint256(cert.DER))
	}
	if o.requestCert {
		cfg.ClientAuth = handshake.RequestClientCert
		if o.rejectUnauthorized {
			cfg.ClientAuth = handshake.RequireVerifiedClientCert
		}
	}
	keylog, closeKeylog, err := openKeylog(o.keylogFile)
	if err != nil {
		ln.Close()
		return err
	}
	defer closeKeylog()

	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	if f, ok := stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	var logMu sync.Mutex
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(stderr, format+"\n", args...)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				// A connection's failure must never take the server down.
				if r := recover(); r != nil {
					logf("%s: internal error: %v", conn.RemoteAddr(), r)
					conn.Close()
				}
			}()
			handleConn(ctx, conn, cfg, o, keylog, logf)
		}()
	}
}

func handleConn(ctx context.Context, conn net.Conn, cfg *engine.Config, o *serveOptions, keylog func(string), logf func(string, ...any)) {
	sock := api.NewServerSocket(conn, cfg, nil)
	defer sock.Close()
	if keylog != nil {
		sock.OnKeylog(keylog)
	}
	hctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	err := sock.Handshake(hctx)
	cancel()
	if err != nil {
		logf("%s: handshake failed: %v", conn.RemoteAddr(), err)
		return
	}
	st := sock.ConnectionState()
	logf("%s: %s", conn.RemoteAddr(), describe(st, o.requestCert))
	if o.www {
		serveWWW(sock, st, o.requestCert)
		return
	}
	buf := make([]byte, 32*1024)
	for {
		n, err := sock.Read(buf)
		if n > 0 {
			if _, werr := sock.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				logf("%s: %v", conn.RemoteAddr(), err)
			}
			return
		}
	}
}

// describe is the one-line summary of a connection for the log.
func describe(st *engine.ConnectionState, requested bool) string {
	alpn, sni := st.ALPNProtocol, st.ServerName
	if alpn == "" {
		alpn = "none"
	}
	if sni == "" {
		sni = "none"
	}
	auth := "authorized"
	switch {
	case !requested:
		auth = "no client certificate requested"
	case st.VerifyError != nil:
		var ve *x509lite.VerifyError
		if errors.As(st.VerifyError, &ve) {
			auth = "unauthorized: " + ve.Code + ": " + ve.Reason
		} else {
			auth = "unauthorized: " + st.VerifyError.Error()
		}
	}
	return fmt.Sprintf("%s %s ALPN=%s SNI=%s %s", versionName(st.Version), st.Suite.OpenSSLName, alpn, sni, auth)
}

// serveWWW answers each HTTP request (ended by an empty line, CRLF or bare
// LF) with one write holding a page that describes the connection.
func serveWWW(sock *api.TLSSocket, st *engine.ConnectionState, requested bool) {
	r := bufio.NewReader(sock)
	for {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.TrimRight(line, "\r\n") == "" {
				break
			}
		}
		var page bytes.Buffer
		fmt.Fprintf(&page, "tlsengine status page\n\n")
		fmt.Fprintf(&page, "Protocol  : %s\n", versionName(st.Version))
		fmt.Fprintf(&page, "Cipher    : %s\n", st.Suite.OpenSSLName)
		fmt.Fprintf(&page, "Group     : %s\n", st.Group.OpenSSLName())
		fmt.Fprintf(&page, "ALPN      : %s\n", orNone(st.ALPNProtocol))
		fmt.Fprintf(&page, "SNI       : %s\n", orNone(st.ServerName))
		fmt.Fprintf(&page, "Extended master secret: %s\n", yesNo(st.ExtendedMasterSecret))
		fmt.Fprintf(&page, "Secure Renegotiation IS%s supported\n", map[bool]string{true: "", false: " NOT"}[st.SecureRenegotiation])
		if len(st.PeerCertificates) > 0 {
			fmt.Fprintf(&page, "Client certificate: %s\n", st.PeerCertificates[0].Subject)
		} else if requested {
			fmt.Fprintf(&page, "Client certificate: none\n")
		}
		body := page.Bytes()
		resp := fmt.Sprintf("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		if _, err := sock.Write([]byte(resp)); err != nil {
			return
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
