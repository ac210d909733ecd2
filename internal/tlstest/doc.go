// Package tlstest holds shared test helpers: deterministic randomness and
// clocks, ready-made PKIs, and in-memory engine pairs that move bytes
// between a client and a server without goroutines or sockets, optionally
// one byte at a time or through a tampering hook. An observer decrypts a
// pair's exchange from its keylog to name every message both sides sent
// (Pair.Steps). Exchange runs an engine over a loopback connection to a
// real peer process, recording every read and write (Recorder); a
// Transcript stores such a recording and Replay plays it back offline,
// checking that a fresh engine writes the recorded bytes
// (testdata/transcripts, TestOpenSSLTranscripts).
//
// Imports: engine, handshake, record, x509lite, internal/certgen; being
// test support, it may also use net, os/exec and testing.
package tlstest
