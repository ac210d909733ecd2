// Package wire builds TLS's big-endian, length-prefixed encodings (RFC
// 8446, Section 3; RFC 5246, Section 4) by appending to one buffer. It is
// the writing half of the codecs in handshake and session, whose reading
// half is cryptobyte.String.
//
// cryptobyte.Builder, which the codecs used before, allocates a child
// builder and a length placeholder for every length-prefixed field: some
// eighty allocations in a TLS 1.3 server's handshake, the largest share
// of its garbage (issue 16). A Builder here reserves the length in the
// buffer, lets the continuation append after it with the same Builder and
// writes the length in when it returns, so marshalling allocates only as
// the buffer grows.
//
// Imports: the standard library only.
package wire
