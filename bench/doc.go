// Package bench measures tlsengine against Go's crypto/tls doing the same
// work in the same run: full handshakes (client and server in one process)
// and bulk record protection. Quote ratios, not absolute times: these
// machines are shared. Run with `go test -run '^$' -bench . -benchmem
// ./bench`.
//
// It has no code of its own; the benchmarks are in the _test.go files.
package bench
