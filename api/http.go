package api

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
)

// HTTPProtocols is the ALPN list of a server or client that speaks both
// HTTP/2 and HTTP/1.1, HTTP/2 preferred (RFC 7540, Section 3.3; RFC
// 7301). HTTPListener gives it to a server created without ALPNProtocols.
func HTTPProtocols() []string { return []string{"h2", "http/1.1"} }

// HTTPListener is Listener for net/http, serving HTTP/2 and HTTP/1.1:
//
//	server, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: ...}, nil)
//	hs := &http.Server{Handler: mux}
//	ln := server.HTTPListener(hs) // before Listen, like Listener
//	server.Listen(8443, "", nil)
//	hs.Serve(ln)
//
// It configures hs: its Protocols become HTTP/1 and unencrypted HTTP/2,
// which net/http's own HTTP/2 server speaks on the decrypted connection,
// and its ConnContext (yours still runs, after ours) puts the connection
// into every request's context, where SocketFromContext finds it.
// r.TLS stays nil: it is crypto/tls's type.
//
// A connection whose client chose "h2" by ALPN is served HTTP/2 and must
// start with the HTTP/2 preface; any other is served HTTP/1.1 and may not
// send it (RFC 7540, Section 3.3: the protocol ALPN selected is the one
// spoken). An h2 connection on parameters HTTP/2 prohibits (below TLS 1.2,
// or a TLS 1.2 suite without AEAD or ephemeral keys: RFC 7540, Section
// 9.2) gets GOAWAY with INADEQUATE_SECURITY instead, and an HTTP/2
// connection may not renegotiate (DisableRenegotiation). A server created
// without ALPNProtocols gets HTTPProtocols.
//
// Shutdown and Close of hs close the listener, which closes the server;
// hs.Shutdown lets requests under way finish and closes the idle
// connections with close_notify.
func (s *Server) HTTPListener(hs *http.Server) net.Listener {
	s.mu.Lock()
	if s.cfg.ALPNProtocols == nil {
		cfg := *s.cfg
		cfg.ALPNProtocols = HTTPProtocols()
		s.cfg = &cfg
	}
	s.mu.Unlock()
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	hs.Protocols = &p
	user := hs.ConnContext
	hs.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if hc, ok := c.(*httpConn); ok {
			ctx = context.WithValue(ctx, socketKey{}, hc.TLSSocket)
		}
		if user != nil {
			ctx = user(ctx, c)
		}
		return ctx
	}
	return &httpListener{s.Listener()}
}

// socketKey is the context key of the request's *TLSSocket.
type socketKey struct{}

// SocketFromContext returns the connection a request came on, from
// r.Context() in a handler served through HTTPListener (its Protocol,
// Cipher, PeerCertificate, ALPNProtocol, Servername, ...), or nil.
func SocketFromContext(ctx context.Context) *TLSSocket {
	s, _ := ctx.Value(socketKey{}).(*TLSSocket)
	return s
}

// httpListener hands net/http each secure connection wrapped in an
// httpConn.
type httpListener struct{ net.Listener }

func (l *httpListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		s := c.(*TLSSocket)
		h2 := s.ALPNProtocol() == "h2"
		if h2 && !http2Adequate(s.ConnectionState()) {
			go rejectHTTP2(s)
			continue
		}
		if h2 {
			s.DisableRenegotiation() // RFC 7540, Section 9.2.1
		}
		return &httpConn{TLSSocket: s, h2: h2}, nil
	}
}

// http2Adequate reports whether HTTP/2 may run on the connection: TLS 1.3,
// or TLS 1.2 with an AEAD suite and an ephemeral key exchange (RFC 7540,
// Section 9.2: TLS 1.2 or later; Section 9.2.2 and Appendix A: the other
// TLS 1.2 suites are prohibited).
func http2Adequate(st *engine.ConnectionState) bool {
	if st.Version >= cipher.VersionTLS13 {
		return true
	}
	return st.Version == cipher.VersionTLS12 && st.Suite.AEAD() &&
		(st.Suite.KX == cipher.KXECDHE || st.Suite.KX == cipher.KXDHE)
}

// http2InadequateSecurity is the server's connection preface (an empty
// SETTINGS frame, RFC 7540, Section 3.5) and a GOAWAY frame with last
// stream 0 and error INADEQUATE_SECURITY (0xc; Sections 6.8 and 7).
var http2InadequateSecurity = []byte{
	0, 0, 0, 0x4, 0, 0, 0, 0, 0, // SETTINGS, length 0, stream 0
	0, 0, 8, 0x7, 0, 0, 0, 0, 0, // GOAWAY, length 8, stream 0
	0, 0, 0, 0, // last stream id
	0, 0, 0, 0xc, // INADEQUATE_SECURITY
}

// rejectHTTP2 ends an h2 connection whose TLS parameters HTTP/2 prohibits
// with a connection error of type INADEQUATE_SECURITY (RFC 7540, Section
// 9.2.2), within closeNotifyTimeout, then closes it.
func rejectHTTP2(s *TLSSocket) {
	s.SetWriteDeadline(time.Now().Add(closeNotifyTimeout))
	s.Write(http2InadequateSecurity)
	s.Close()
}

// http2Preface is the client connection preface (RFC 7540, Section 3.5).
const http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// http2Method is the part of the preface that no HTTP/1.1 request starts
// with: RFC 7540, Section 11.6 reserves the PRI method for it.
const http2Method = "PRI * HTTP/2.0"

// httpConn is a server socket as net/http reads it: it holds the client
// to the protocol ALPN chose. With "h2" the first bytes must be the
// preface; without, they must not be. A client that breaks this gets its
// connection closed (RFC 7540, Section 3.5: an invalid preface is a
// connection error), which net/http does when Read fails.
type httpConn struct {
	*TLSSocket
	h2   bool
	seen int   // bytes of the preface checked so far
	err  error // latched: the client broke the rule
}

func (c *httpConn) Read(p []byte) (int, error) {
	if c.seen >= len(http2Preface) {
		return c.TLSSocket.Read(p)
	}
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.TLSSocket.Read(p)
	for i := 0; i < n && c.seen < len(http2Preface); i++ {
		match := p[i] == http2Preface[c.seen]
		c.seen++
		switch {
		case c.h2 && !match:
			c.err = &Error{Code: "ERR_HTTP2_ERROR", Message: "tls: the client chose h2 by ALPN but did not send the HTTP/2 preface"}
		case !c.h2 && !match:
			c.seen = len(http2Preface) // an HTTP/1 request: nothing more to check
		case !c.h2 && c.seen == len(http2Method):
			c.err = &Error{Code: "ERR_HTTP2_ERROR", Message: "tls: the client sent the HTTP/2 preface without choosing h2 by ALPN"}
		}
		if c.err != nil {
			c.TLSSocket.Close()
			return 0, c.err
		}
	}
	return n, err
}
