// Package hmacsum computes HMAC (RFC 2104) over the short inputs of key
// derivations without allocating: the TLS 1.0-1.2 PRF (package cipher),
// HKDF in the TLS 1.3 key schedule (package keysched) and the MACs of
// session tickets and HelloRetryRequest cookies. crypto/hmac allocates two
// hash states and snapshots of them for every key (six allocations and
// about 600 ns for a one-block MAC on the project's machines, and a TLS 1.3
// handshake keys some twenty MACs on each side); a Key here keeps the
// padded key blocks as bytes and each MAC is two one-shot hashes over a
// stack buffer, about half the time and nothing for the garbage collector.
// Inputs longer than the buffer take a streaming path that allocates one
// hash state.
//
// Imports: the standard library only.
package hmacsum
