// Package x509lite parses X.509 certificates, CRLs and private keys itself
// (PEM, DER, PKCS#1, PKCS#8 including PBES2-encrypted, SEC1, and OpenSSL's
// legacy encrypted PEM), builds and verifies certificate paths against a
// set of trust anchors with OpenSSL's checks and error codes (the codes
// Node reports as err.code, with OpenSSL 3's texts as messages), and checks
// host names with Node's tls.checkServerIdentity rules.
//
// Verification follows OpenSSL as Node configures it: purpose checks for
// the SSL client/server purposes, security level 1 key sizes, CRL checking
// of the whole path once CRLs are given, and name constraints over DNS
// names, IP addresses, email addresses, URIs and directory names. SHA-1
// signatures are refused, as at OpenSSL 3's security level 1 (Node's
// default), unless VerifyOptions.AllowSHA1 is set.
//
// It fetches nothing and reads no clock: the verification time is passed
// in. Certificate policies are accepted but not evaluated.
//
// Imports: the standard library (crypto primitives, encoding/asn1 and
// encoding/pem, net/netip; never crypto/x509, crypto/tls, net, os or log)
// and golang.org/x/crypto/cryptobyte only.
package x509lite
