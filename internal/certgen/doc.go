// Package certgen generates X.509 certificates and PKCS#8 keys, writing the
// DER itself with cryptobyte: the CLI's default self-signed certificate and
// the PKIs of tests and benchmarks. It is a generator only; parsing and
// verification belong to x509lite.
//
// Imports: the standard library's primitives and cryptobyte only.
package certgen
