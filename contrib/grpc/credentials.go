package grpc

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"

	"github.com/tlsengine/tlsengine/api"
)

// alpnH2 is the protocol gRPC runs on (HTTP/2 over TLS).
const alpnH2 = "h2"

// AuthInfo is what gRPC reports about a connection secured by tlsengine:
// the socket, for its TLS state (Protocol, Cipher, ALPNProtocol,
// Servername, PeerCertificate, Authorized, AuthorizationError,
// IsSessionReused, ExportKeyingMaterial).
type AuthInfo struct {
	credentials.CommonAuthInfo
	Socket *api.TLSSocket
}

// AuthType implements credentials.AuthInfo.
func (AuthInfo) AuthType() string { return "tls" }

// FromContext returns the AuthInfo of the connection an RPC arrived on
// (server) or went out on (client, with grpc.Peer).
func FromContext(ctx context.Context) (AuthInfo, bool) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return AuthInfo{}, false
	}
	ai, ok := p.AuthInfo.(AuthInfo)
	return ai, ok
}

// NewClientCredentials returns client credentials: every connection is
// api.ConnectContext with opts over gRPC's connection, offering ALPN h2
// (whatever opts.ALPNProtocols says) and requiring the server to pick it.
// opts.Servername, if empty, is the host of the target's authority.
// opts.Host, Port, Path and Socket are ignored. Unless opts.Session is
// set, each connection offers the last session of the same authority, so
// a reconnection resumes (on any server of a fleet sharing sessions).
func NewClientCredentials(opts api.ConnectOptions) credentials.TransportCredentials {
	opts.ALPNProtocols = []string{alpnH2}
	return &clientCreds{opts: opts, sessions: &sessionCache{m: map[string][]byte{}}}
}

type clientCreds struct {
	opts     api.ConnectOptions
	sessions *sessionCache // shared by clones
}

// maxSessions bounds a client's session cache (one per authority).
const maxSessions = 64

// sessionCache keeps the last session per authority.
type sessionCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *sessionCache) get(authority string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[authority]
}

func (c *sessionCache) put(authority string, sess []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[authority]; !ok && len(c.m) >= maxSessions {
		for k := range c.m { // drop any one
			delete(c.m, k)
			break
		}
	}
	c.m[authority] = sess
}

func (c *clientCreds) ClientHandshake(ctx context.Context, authority string, raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	opts := c.opts
	opts.Socket, opts.Host, opts.Port, opts.Path = raw, "", 0, ""
	fixed := opts.Session != nil
	if !fixed {
		opts.Session = c.sessions.get(authority)
	}
	if opts.Servername == "" {
		host, _, err := net.SplitHostPort(authority)
		if err != nil {
			host = authority // no port
		}
		opts.Servername = host
		// An IP literal is verified as one, and not sent as SNI.
		if net.ParseIP(host) != nil {
			opts.Servername, opts.Host = "", host
		}
	}
	sock, err := api.ConnectContext(ctx, opts, nil)
	if err != nil {
		return nil, nil, err
	}
	if sock.ALPNProtocol() != alpnH2 {
		sock.Close()
		return nil, nil, errors.New("tls: the server did not select ALPN h2, which gRPC requires")
	}
	if !fixed {
		sock.OnSession(func(sess []byte) { c.sessions.put(authority, sess) })
	}
	return sock, authInfo(sock), nil
}

func (c *clientCreds) ServerHandshake(net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return nil, nil, errors.New("tlsengine/contrib/grpc: client credentials used on a server")
}

func (c *clientCreds) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "tls", ServerName: c.opts.Servername}
}

func (c *clientCreds) Clone() credentials.TransportCredentials {
	cp := *c
	cp.opts.ALPNProtocols = slices.Clone(c.opts.ALPNProtocols)
	return &cp
}

// OverrideServerName implements the deprecated method of the interface.
func (c *clientCreds) OverrideServerName(name string) error {
	c.opts.Servername = name
	return nil
}

// NewServerCredentials returns server credentials for an api.Server built
// from opts with ALPN h2 only (for mutual TLS set RequestCert and
// RejectUnauthorized, with CA). The server does not listen: gRPC accepts,
// and each connection's handshake uses the server's context, sessions,
// ticket keys and SNI table (so fleet.Attach on Server() shares sessions
// across gRPC servers too).
func NewServerCredentials(opts api.ServerOptions) (*ServerCredentials, error) {
	opts.ALPNProtocols = []string{alpnH2}
	srv, err := api.CreateServer(opts, nil)
	if err != nil {
		return nil, err
	}
	timeout := opts.HandshakeTimeout
	if timeout <= 0 {
		timeout = api.DefaultHandshakeTimeout
	}
	return &ServerCredentials{srv: srv, timeout: timeout}, nil
}

// ServerCredentials are gRPC server credentials over an api.Server.
type ServerCredentials struct {
	srv     *api.Server
	timeout time.Duration
}

// Server returns the api.Server whose handshakes these credentials run.
func (s *ServerCredentials) Server() *api.Server { return s.srv }

// ServerHandshake runs the handshake of an accepted connection, bounded by
// the server's HandshakeTimeout; a client that did not negotiate h2 is
// refused, as grpc-go's own TLS credentials do. With RequestCert and
// RejectUnauthorized an unauthorized client fails the handshake; with
// RequestCert alone it is let in and AuthInfo.Socket.Authorized says so.
func (s *ServerCredentials) ServerHandshake(raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	sock, err := api.NewTLSSocket(raw, api.TLSSocketOptions{IsServer: true, Server: s.srv})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if err := s.srv.HandshakeSocket(ctx, sock); err != nil {
		raw.Close()
		return nil, nil, err
	}
	if sock.ALPNProtocol() != alpnH2 {
		sock.Close()
		return nil, nil, errors.New("tls: the client did not negotiate ALPN h2, which gRPC requires")
	}
	return sock, authInfo(sock), nil
}

// ClientHandshake implements the interface; server credentials have no
// client side.
func (s *ServerCredentials) ClientHandshake(context.Context, string, net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return nil, nil, errors.New("tlsengine/contrib/grpc: server credentials used on a client")
}

// Info implements credentials.TransportCredentials.
func (s *ServerCredentials) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "tls"}
}

// Clone returns credentials sharing the same server (its sessions and
// ticket keys).
func (s *ServerCredentials) Clone() credentials.TransportCredentials {
	cp := *s
	return &cp
}

// OverrideServerName implements the deprecated method of the interface.
func (s *ServerCredentials) OverrideServerName(string) error { return nil }

func authInfo(sock *api.TLSSocket) AuthInfo {
	return AuthInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}, Socket: sock}
}
