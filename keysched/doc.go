// Package keysched owns the TLS 1.3 key schedule of RFC 8446, Section 7: the
// HKDF-Extract, HKDF-Expand-Label and Derive-Secret primitives; the three
// secret stages (early, handshake, master) as distinct types that can only be
// reached in order and that are used up when the next one is derived; the
// traffic secrets with their record keys and IVs (Section 7.3) and the
// KeyUpdate step (Section 7.2); Finished and PSK binder values (Section
// 4.4.4, 4.2.11.2); the exporter (Section 7.5); and the resumption secret with
// the per-ticket PSK (Section 4.6.1). It also keeps the running handshake
// transcript hash (Section 4.4.1), including the message_hash substitution a
// HelloRetryRequest calls for.
//
// The package holds no protocol state beyond the secrets it is given and
// never prints them: every secret type formats as "[redacted]". Byte slices
// leave the package only where the caller must have them (record keys and
// IVs, Finished and binder values, exporter output, a ticket's PSK).
//
// Imports: the standard library only.
package keysched
