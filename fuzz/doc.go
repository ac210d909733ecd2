// Package fuzz holds the native go test -fuzz targets, one per layer: the
// record parser, the handshake message codecs, the client and server
// engines fed arbitrary flights, and x509lite's certificate, key and PEM
// parsers; and the structured property tests that fill messages with
// github.com/google/gofuzz and check that they survive a marshal and
// parse unchanged.
//
// The engine targets get deep by replay: our side of every seed is
// deterministic (fixed randomness and clock, Ed25519 certificates, a
// fixed ticket key), so a fresh engine fed the peer's recorded bytes
// answers exactly as recorded and the peer's Finished verifies. The
// test-only null suite (internal/testonly.NullSuite, which the targets'
// configurations list in TestOnlySuites) leaves protected records readable
// and unauthenticated, so mutations behind the ChangeCipherSpec reach the
// code behind the record layer.
//
// Seeds come from in-memory transcripts made at test time and from the
// committed corpus under testdata/fuzz/<Target>/: transcripts of OpenSSL,
// GnuTLS, Node and Go's crypto/tls recorded by TestRealPeerCorpus with
// -write-corpus (files named peer-*), and every input the fuzzer ever
// failed on. Every go test replays them all.
//
// Run one for a while with
// `go test -run '^$' -fuzz '^FuzzServerEngine$' -fuzztime 10m -fuzzminimizetime 200x ./fuzz`,
// or all of them with `make fuzz FUZZTIME=10m`.
//
// It has no code of its own; the targets are in the _test.go files.
package fuzz
