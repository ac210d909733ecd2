// Package api is the Node.js tls module in Go over net.Conn: servers,
// sockets, secure contexts, events and options, driven by the sans-IO
// engine with one goroutine per socket.
//
// Import it as
//
//	import tls "github.com/tlsengine/tlsengine/api"
//
// so that tls.CreateServer and tls.Connect read like Node.
//
// It owns goroutines, deadlines and policy (timeouts, renegotiation limits,
// default ciphers); all protocol logic lives in the engine.
//
// Imports: engine, handshake, record, x509lite, session, cipher, kex, plus
// net, time, context and the rest of the standard library.
package api
