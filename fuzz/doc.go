// Package fuzz holds the native go test -fuzz targets, one per layer: the
// record parser, the handshake message codecs, the client and server
// engines fed arbitrary flights, and x509lite's certificate, key and PEM
// parsers. Seeds come from real transcripts made in memory at test time
// and from the corpus under testdata/fuzz/<Target>/, so every go test
// replays every input ever found.
//
// Run one for a while with `go test -run '^$' -fuzz '^FuzzServerEngine$'
// -fuzztime 10m ./fuzz`, or all of them with `make fuzz FUZZTIME=10m`.
//
// It has no code of its own; the targets are in the _test.go files.
package fuzz
