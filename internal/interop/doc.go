// Package interop holds live interoperability tests: tlsengine against real
// peers started as processes on 127.0.0.1 (openssl s_client/s_server,
// gnutls-cli/gnutls-serv, node) and against Go's crypto/tls in-process.
// Every peer runs with a hard time bound. A missing peer binary is a test
// failure, never a skip: `make deps` installs them.
//
// It has no code of its own; the tests are in the _test.go files.
package interop
