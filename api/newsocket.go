package api

import (
	"net"
)

// TLSSocketOptions are the options of NewTLSSocket (Node's new
// tls.TLSSocket(socket, options)) and CreateSecurePair.
type TLSSocketOptions struct {
	SecureContextOptions
	// SecureContext, if set, is used instead of SecureContextOptions.
	SecureContext *SecureContext
	// IsServer makes the socket the server end.
	IsServer bool
	// Server, for a server end, supplies the context, policy, session
	// cache, ticket keys, SNI table and newSession/resumeSession
	// listeners of that server (its secureConnection listeners are not
	// called: the caller owns this socket).
	Server *Server
	// RequestCert and RejectUnauthorized are the server's client
	// certificate policy; on a client end RejectUnauthorized (nil: true)
	// checks the server's certificate.
	RequestCert        bool
	RejectUnauthorized *bool
	// ALPNProtocols is the offer (client) or the preference (server).
	ALPNProtocols []string
	// NPNProtocols is accepted and ignored, as Node v20 does.
	NPNProtocols []string
	// SNICallback picks a server context by server name.
	SNICallback func(servername string) (*SecureContext, error)
	// Session resumes a session (client).
	Session []byte
	// RequestOCSP asks the server to staple an OCSP response (client).
	RequestOCSP bool
	// Servername is the SNI name a client sends and verifies (default
	// "localhost", as for Connect).
	Servername string
}

// NewTLSSocket wraps an established connection as the client or server
// end of TLS. The handshake runs on the first Read or Write, or when
// Handshake is called. Bad options are reported here.
func NewTLSSocket(conn net.Conn, o TLSSocketOptions) (*TLSSocket, error) {
	if o.IsServer {
		srv := o.Server
		if srv == nil {
			var err error
			srv, err = CreateServer(ServerOptions{
				SecureContextOptions: o.SecureContextOptions, SecureContext: o.SecureContext,
				RequestCert: o.RequestCert, RejectUnauthorized: o.RejectUnauthorized != nil && *o.RejectUnauthorized,
				ALPNProtocols: o.ALPNProtocols, SNICallback: o.SNICallback,
			}, nil)
			if err != nil {
				return nil, err
			}
		}
		return srv.newSocket(conn), nil
	}
	cfg, copts, _, err := clientConfig(ConnectOptions{
		SecureContextOptions: o.SecureContextOptions, SecureContext: o.SecureContext,
		RejectUnauthorized: o.RejectUnauthorized, ALPNProtocols: o.ALPNProtocols,
		Session: o.Session, Servername: o.Servername, Host: o.Servername, RequestOCSP: o.RequestOCSP,
	})
	if err != nil {
		return nil, err
	}
	return NewClientSocket(conn, cfg, copts), nil
}
