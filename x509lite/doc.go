// Package x509lite parses X.509 certificates and private keys itself (PEM,
// DER, PKCS#1, PKCS#8, SEC1), builds and verifies certificate paths against
// a set of trust anchors with OpenSSL's checks and error codes (the codes
// Node reports as err.code), and checks host names with Node's
// checkServerIdentity rules.
//
// It fetches nothing and reads no clock: the verification time is passed
// in.
//
// Imports: the standard library's primitives and
// golang.org/x/crypto/cryptobyte only; never crypto/x509.
package x509lite
