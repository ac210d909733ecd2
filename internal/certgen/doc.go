// Package certgen generates X.509 v3 certificates and PKCS#8 keys, writing
// the DER itself with cryptobyte from RFC 5280, RFC 5208, RFC 5915 and RFC
// 8410: the CLI's default self-signed certificate and the PKIs of tests and
// benchmarks. It is a generator only; parsing and verification belong to
// x509lite. It never reads the clock (callers pass times) and errors start
// with "tls: certgen: ".
//
// Imports: the standard library (crypto primitives, encoding/asn1 for OIDs,
// encoding/pem, encoding/hex, math/big, net/netip, time, io and the like)
// and golang.org/x/crypto/cryptobyte; no project packages, never
// crypto/x509, crypto/tls, os or net.
package certgen
