// Package cipher owns the TLS cipher-suite registry, record protection
// (AEAD with explicit or implicit nonces, and AES-CBC with HMAC, either
// MAC-then-encrypt checked in constant time or encrypt-then-MAC per RFC
// 7366), and the TLS 1.0-1.2 PRFs with the key derivations built on them:
// master secret, extended master secret, key block, Finished and the RFC
// 5705 exporter. It knows nothing about records or messages; versions are
// plain wire values.
//
// Imports: the standard library, golang.org/x/crypto and internal/testonly
// (the switch for the test-only null suite, see NullSuiteID).
package cipher
