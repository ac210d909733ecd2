// Package kex owns the key-exchange and signature vocabulary of TLS: named
// groups and key shares behind one interface that fits Diffie-Hellman and
// KEMs alike (GenerateShare, AnswerShare, KeyShare.Finish): ECDHE (X25519
// with edwards25519's fixed-base table for key generation and an RFC 7748
// ladder for agreement, and the NIST curves through crypto/ecdh), the RFC
// 7919 groups in TLS 1.3's form, and X25519MLKEM768 on crypto/mlkem;
// finite-field DHE with caller parameters for TLS 1.2 (PKCS#3 PEM parsing,
// size and range checks), RSA key transport with the random-premaster
// countermeasure, and signature schemes with signing and verifying of the
// TLS "digitally-signed" content. It holds no protocol state, and every
// random value comes from the io.Reader the caller passes, so fixed
// randomness reproduces key shares (ML-KEM ciphertexts included) and
// premasters.
//
// Imports: the standard library, golang.org/x/crypto and
// filippo.io/edwards25519 only.
package kex
