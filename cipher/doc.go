// Package cipher owns the TLS cipher-suite registry, record protection
// ("header in, content type out": the TLS 1.2 AEADs with explicit or
// implicit nonces and 13-byte additional data, AES-CBC with HMAC, either
// MAC-then-encrypt checked in constant time or encrypt-then-MAC per RFC
// 7366, and the TLS 1.3 AEAD with its inner content type), and the TLS
// 1.0-1.2 PRFs with the key derivations built on them: master secret,
// extended master secret, key block, Finished and the RFC 5705 exporter.
// Of records it knows only the 5-byte header that protection writes and
// authenticates; nothing of framing, fragmentation or messages. Versions
// and content types are plain wire values.
//
// Imports: the standard library and golang.org/x/crypto.
package cipher
