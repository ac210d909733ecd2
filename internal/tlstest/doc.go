// Package tlstest holds shared test helpers: deterministic randomness and
// clocks, ready-made PKIs, and in-memory engine pairs that move bytes
// between a client and a server without goroutines or sockets, optionally
// one byte at a time or through a tampering hook.
//
// Imports: engine, handshake, record, x509lite, internal/certgen.
package tlstest
