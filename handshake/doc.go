// Package handshake is the TLS handshake: one struct per message with strict
// cryptobyte codecs, the extensions, reassembly of messages across records,
// the transcript, pure negotiation functions (version, suite, group,
// signature scheme, ALPN, certificate), and the client and server state
// machines as explicit states (expectX waits for message X, awaitX waits for
// a decision, established12 carries traffic between TLS 1.2 handshakes).
// Keys reach the record layer through the Sink's InstallReadKeys and
// InstallWriteKeys; TLS 1.2 keeps them pending until each ChangeCipherSpec.
//
// The machines never buffer socket bytes and never call user code: they are
// handed whole handshake messages and ChangeCipherSpec signals by package
// engine, write their output through a Sink, and pause on decisions that the
// engine surfaces to its caller.
//
// For an overview of TLS 1.2 handshaking, see RFC 5246, Section 7.3; every
// legal message sequence is listed in flights.go.
//
// Imports: record, cipher, kex, x509lite, session, cryptobyte.
package handshake
