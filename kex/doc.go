// Package kex owns the key-exchange and signature vocabulary of TLS: named
// groups and ECDHE key shares (X25519 with a fixed-base table, and the NIST
// curves), finite-field DHE with caller parameters, RSA key transport with
// the random-premaster countermeasure, and signature schemes with signing
// and verifying of the TLS "digitally-signed" content. It holds no protocol
// state.
//
// Imports: the standard library, golang.org/x/crypto and
// filippo.io/edwards25519 only.
package kex
