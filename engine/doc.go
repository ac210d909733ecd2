// Package engine is the sans-IO TLS connection. A Conn takes bytes from the
// peer (Feed), application plaintext (Write), and answers to decisions
// (Resolve), and reports everything it produces through one ordered event
// queue (NextEvent): bytes to send, plaintext, handshake completion,
// decisions, key log lines, alerts and the fatal error.
//
// The engine never blocks, never performs I/O, never starts goroutines,
// never reads a clock or global randomness: time and randomness come from
// the Config, so a test with fixed ones replays byte for byte. A Conn is
// used by one goroutine at a time.
//
// Imports: handshake, record, session, cipher.
package engine
