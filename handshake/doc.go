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
// TLS 1.3 (RFC 8446) lives beside it, in server13.go, client13.go and
// established13.go with tls13.go for what both sides share: the server
// runs the shared ClientHello checks of server12.go, picks the version,
// asks the SNI decision as on a full TLS 1.2 handshake, then goes on in
// server13.go; the client sends one
// ClientHello for both and branches on the ServerHello's
// supported_versions or a HelloRetryRequest. Both sides allow TLS 1.2 to
// 1.3 by default, as Node v20; Config.MaxVersion TLS 1.2 keeps a side at
// TLS 1.2. Resumption with tickets is in
// psk13.go (the server's PSK choice and binder check), resume13.go (the
// client's offer) and tickets13.go (NewSessionTicket both ways, each
// reported through Sink.Session). No 0-RTT: early data is skipped.
//
// Imports: record, cipher, kex, keysched, x509lite, session, cryptobyte.
package handshake
