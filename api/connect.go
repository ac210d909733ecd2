package api

import (
	"context"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// ConnectOptions are Connect's options, with Node's names and defaults.
type ConnectOptions struct {
	SecureContextOptions
	// SecureContext, if set, is used instead of SecureContextOptions.
	SecureContext *SecureContext
	// Host (default "localhost") and Port to dial, or Path for a unix
	// socket, or Socket: an established connection to run TLS over.
	Host   string
	Port   int
	Path   string
	Socket net.Conn
	// Servername is the SNI name; default Host unless it is an IP address.
	Servername string
	// RejectUnauthorized fails the handshake when the server's
	// certificate does not verify; nil means true, Node's default.
	RejectUnauthorized *bool
	// ALPNProtocols is the client's offer, preferred first.
	ALPNProtocols []string
	// NPNProtocols is accepted and ignored, as Node v20 does.
	NPNProtocols []string
	// RequestOCSP asks the server to staple an OCSP response: see
	// TLSSocket.OCSPResponse and OnOCSPResponse.
	RequestOCSP bool
	// Session is what TLSSocket.Session returned on an earlier
	// connection; bytes that do not decode mean a full handshake.
	Session []byte
	// MinDHSize is the smallest DHE modulus accepted (0: 1024 bits).
	MinDHSize int
	// CheckServerIdentity, if set, replaces the built-in host name check
	// (Node's checkServerIdentity; the default is the exported
	// CheckServerIdentity). As in Node it runs after the handshake, only
	// when the chain verified and the session is new, with Servername
	// (else Host) and the detailed peer certificate. An error it returns
	// fails Connect, which destroys the socket; with RejectUnauthorized
	// false it becomes the socket's AuthorizationError instead (its Code,
	// or else its message, as the code). Returning nil accepts a
	// certificate for another name.
	CheckServerIdentity func(servername string, cert *PeerCertificate) error
	// OnKeylog is a listener for Node's socket 'keylog' event, registered
	// before the handshake (Node's tlsSocket.on('keylog') right after
	// connect): key material as NSS key log lines, without Node's
	// trailing newline. KeyLog, if set, receives the same lines each
	// followed by a newline (SSLKEYLOGFILE format, as crypto/tls's
	// KeyLogWriter). For debugging only.
	OnKeylog func(line string)
	KeyLog   io.Writer
}

var (
	systemRootsOnce sync.Once
	systemRoots     *x509lite.Pool
)

// defaultRoots is the pool a context without a ca option trusts: the
// system's roots, loaded once and never modified.
func defaultRoots() *x509lite.Pool {
	systemRootsOnce.Do(func() { systemRoots = SystemRoots() })
	return systemRoots
}

// Connect dials the server, runs the handshake and, when it succeeds,
// calls secureConnectListener (Node's secureConnect event) before
// returning the socket. Use ConnectContext to bound or cancel it.
func Connect(opts ConnectOptions, secureConnectListener func(*TLSSocket)) (*TLSSocket, error) {
	return ConnectContext(context.Background(), opts, secureConnectListener)
}

// ConnectPort is Node's connect(port, host, options, callback) form.
func ConnectPort(port int, host string, opts ConnectOptions, secureConnectListener func(*TLSSocket)) (*TLSSocket, error) {
	opts.Port, opts.Host = port, host
	return Connect(opts, secureConnectListener)
}

// ConnectContext is Connect under ctx: cancelling it aborts the dial or
// the handshake and closes the transport.
func ConnectContext(ctx context.Context, opts ConnectOptions, secureConnectListener func(*TLSSocket)) (*TLSSocket, error) {
	cfg, copts, host, err := clientConfig(opts)
	if err != nil {
		return nil, err
	}
	conn := opts.Socket
	if conn == nil {
		network, addr := "tcp", net.JoinHostPort(host, strconv.Itoa(opts.Port))
		if opts.Path != "" {
			network, addr = "unix", opts.Path
		}
		var d net.Dialer
		if conn, err = d.DialContext(ctx, network, addr); err != nil {
			return nil, err
		}
	}
	if opts.CheckServerIdentity != nil {
		// The engine must finish the handshake whatever its own checks
		// found; checkIdentity then judges as Node does.
		cfg.InsecureSkipVerify = true
	}
	sock := NewClientSocket(conn, cfg, copts)
	sock.setKeylog(clientKeylog(opts))
	if err := sock.Handshake(ctx); err != nil {
		sock.Close()
		return nil, nodeError(err, false)
	}
	if opts.CheckServerIdentity != nil {
		reject := opts.RejectUnauthorized == nil || *opts.RejectUnauthorized
		if err := sock.checkIdentity(copts.VerifyName, opts.CheckServerIdentity, reject); err != nil {
			sock.NetConn().Close() // Node's destroy(err): no close_notify
			return nil, err
		}
	}
	if secureConnectListener != nil {
		secureConnectListener(sock)
	}
	return sock, nil
}

// clientConfig turns Connect's options into the engine's client
// configuration, and says which host to dial.
func clientConfig(opts ConnectOptions) (*engine.Config, engine.ClientOptions, string, error) {
	sc := opts.SecureContext
	if sc == nil {
		var err error
		if sc, err = CreateSecureContext(opts.SecureContextOptions); err != nil {
			return nil, engine.ClientOptions{}, "", err
		}
	}
	cfg := *sc.cfg
	if cfg.RootCAs == nil {
		cfg.RootCAs = defaultRoots()
	}
	cfg.InsecureSkipVerify = opts.RejectUnauthorized != nil && !*opts.RejectUnauthorized
	// Like Node's (OpenSSL's) clients, ours renegotiate when the server
	// asks (RFC 5746 secure renegotiation only).
	cfg.RenegotiateOnRequest = true
	cfg.ALPNProtocols = opts.ALPNProtocols
	cfg.MinDHBits = opts.MinDHSize
	host := opts.Host
	if host == "" {
		host = "localhost"
	}
	copts := engine.ClientOptions{ServerName: opts.Servername, VerifyName: opts.Servername, RequestOCSP: opts.RequestOCSP}
	if copts.ServerName == "" {
		if _, err := netip.ParseAddr(host); err != nil {
			copts.ServerName = host
		}
		copts.VerifyName = host
	}
	if len(opts.Session) > 0 {
		if s, err := session.Unmarshal(opts.Session); err == nil {
			copts.Session = s
		}
	}
	return &cfg, copts, host, nil
}
