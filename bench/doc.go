// Package bench measures tlsengine against Go's crypto/tls doing the same
// work in the same run: full handshakes (client and server in one process)
// and bulk record protection (`tlsengine bench`, or `go test -run '^$'
// -bench . -benchmem ./bench`), and whole server processes against a
// crypto/tls server and openssl s_server (`tlsengine bench -process`,
// RunProcess). Quote ratios, not absolute times: these machines are
// shared.
package bench
