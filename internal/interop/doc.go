// Package interop holds live interoperability tests: tlsengine (the api
// sockets and the tlsengine command) against real peers started as
// processes on 127.0.0.1 (openssl s_client/s_server, gnutls-cli/gnutls-serv,
// node's tls module) and against Go's crypto/tls in-process, over TLS 1.2
// with the six core ECDHE suites and the groups X25519, P-256 and P-384,
// client certificates both ways, and each certificate verification
// failure with its Node error code. Besides the negotiated parameters the
// rows compare exported keying material (RFC 5705) and key log lines with
// the peer's.
//
// Every peer runs under a hard deadline and is killed when its test ends.
// A missing peer binary is a test failure, never a skip (in CI and
// locally, where `make deps` installs the peers). `go test -v -run Matrix`
// ends with a compact matrix of every row.
//
// It has no code of its own; the tests are in the _test.go files, which
// may import anything, including os/exec, net and crypto/tls.
package interop
