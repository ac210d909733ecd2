// Package api is the Node.js tls module in Go over net.Conn: servers,
// sockets, secure contexts, events and options, driven by the sans-IO
// engine with one goroutine per socket.
//
// Import it as
//
//	import tls "github.com/tlsengine/tlsengine/api"
//
// so that tls.CreateServer and tls.Connect read like Node. Node's names,
// options, events and semantics; Go's mechanics: errors are returned (an
// *Error carries Node's code), events are typed On… registrations, a
// TLSSocket is a net.Conn, a Server hands out a net.Listener, and
// context.Context cancels dials and handshakes. Beyond Node, for Go's
// ecosystem: net/http with HTTP/2 (Server.HTTPListener, SocketFromContext,
// HTTPTransport), a graceful Server.Shutdown(ctx), TLSSocket.Context, and
// key logs to an io.Writer (ConnectOptions.KeyLog, ServerOptions.KeyLog). Node's asynchronous
// callbacks (resumeSession, OCSPRequest, SNICallback) are plain return
// values: each connection has its own goroutine, so a callback may block
// where Node would wait for its cb. No callback runs under a socket's
// lock: Close works and handshakeTimeout fires while one is out, and its
// late answer is dropped.
//
// The spec is Node v6.9.4's documentation; where Node v20 behaves
// otherwise we follow the documentation, except where the design notes
// (shared/design/node-api.md, section 5) chose v20:
//   - PeerCertificate(true) puts the issuer chain in IssuerCertificate
//     and the issuer's name in Issuer (v20; the v6 text's issuer-as-chain
//     does not match any Node that runs).
//   - handshakeTimeout closes the connection after tlsClientError (the
//     documentation's "abort"; v20 only emits the error).
//   - ecdhCurve: false is the NoECDH option (the documentation's "disable
//     ECDH"; a Go string cannot be false, and v20 throws).
//   - NPNProtocols is accepted and ignored, and NPNProtocol is always ""
//     (v20, which dropped NPN; section 5 says so).
//   - checkServerIdentity returns its error (io.js/v4 wording; a throwing
//     callback crashes v20).
//   - SetTicketKeys with a wrong length returns an error rather than
//     asserting (v20 throws an internal assertion).
//   - A client renegotiation beyond ClientRenegLimit per ClientRenegWindow
//     is declined with a no_renegotiation warning and reported to
//     OnError as ERR_TLS_SESSION_ATTACK; the connection goes on (v20).
//   - Renegotiations are full handshakes, so Renegotiate with RequestCert
//     obtains the client's certificate (v20's client resumes instead and
//     sends none, unless the server forbids resumption).
//   - OnOCSPResponse gets nil when the server stapled nothing (v20).
//
// It owns goroutines, deadlines and policy (timeouts, renegotiation limits,
// default ciphers); all protocol logic lives in the engine.
//
// Imports: engine, x509lite, session; the vocabulary of record (alert and
// error categories), cipher and cipher/cipherlist (the suite registry,
// versions, cipher strings) and kex (group names, dhparam loading); never
// handshake, whose machinery comes through engine. Plus net, time, context
// and the rest of the standard library, and software.sslmate.com/src/go-pkcs12
// for pfx.
package api
