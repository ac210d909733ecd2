// Package record is the TLS record layer (RFC 5246, Section 6): the record
// vocabulary (content types, protocol versions, alerts), the 5-byte framing,
// incremental parsing of records from arbitrary byte splits, fragmentation to
// the maximum send fragment, and the per-direction protection state that is
// switched by ChangeCipherSpec, with its sequence numbers and limits.
//
// It also holds the error vocabulary shared by the layers above: sentinel
// categories for errors.Is and the Error type that knows its alert.
//
// It never parses handshake bodies.
//
// Imports: the standard library and package cipher.
package record
