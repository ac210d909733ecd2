// Package h2compare measures the two ways to serve HTTP/2 over a tlsengine
// connection: net/http's own (Server.HTTPListener: http.Server.Protocols
// with unencrypted HTTP/2 on the decrypted socket) and
// golang.org/x/net/http2's ServeConn. It is a module of its own so that the
// main module does not depend on x/net:
//
//	cd bench/h2compare && go test -run X -bench . -count 5
//
// with crypto/tls under net/http as the baseline of the same run.
//
// Imports: the tlsengine api, net/http and x/net/http2 (tests only).
package h2compare
