// Package record is the TLS record layer (RFC 5246, Section 6): the record
// vocabulary (content types, protocol versions, alerts), the 5-byte framing,
// incremental parsing of records from arbitrary byte splits, fragmentation to
// the maximum send fragment, the per-direction protection state (keys
// installed directly, with their sequence numbers and limits; TLS 1.2's
// ChangeCipherSpec switch is driven on top by the handshake), and the rule
// for the outer record version of each protocol version.
//
// It also holds the error vocabulary shared by the layers above: sentinel
// categories for errors.Is and the Error type that knows its alert.
//
// It never parses handshake bodies.
//
// Imports: the standard library and package cipher.
package record
