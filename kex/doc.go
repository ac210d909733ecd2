// Package kex owns the key-exchange and signature vocabulary of TLS: named
// groups and ECDHE key shares (X25519 with edwards25519's fixed-base table
// for key generation and an RFC 7748 ladder for agreement, and the NIST
// curves through crypto/ecdh), finite-field DHE with caller parameters
// (PKCS#3 PEM parsing, size and range checks, the RFC 7919 groups), RSA key
// transport with the random-premaster countermeasure, and signature schemes
// with signing and verifying of the TLS "digitally-signed" content. It holds
// no protocol state, and every random value comes from the io.Reader the
// caller passes, so fixed randomness reproduces key shares and premasters.
//
// Imports: the standard library, golang.org/x/crypto and
// filippo.io/edwards25519 only.
package kex
