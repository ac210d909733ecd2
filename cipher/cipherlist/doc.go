// Package cipherlist reads OpenSSL cipher strings ("HIGH:!aNULL:!MD5",
// Node's `ciphers` option) into an ordered list of the TLS 1.0-1.2 suites
// of the cipher registry. The result is the list `openssl ciphers -v STRING`
// prints, restricted to the suites we implement: TLS 1.3 suites, which
// OpenSSL configures separately, and suites we lack are left out, and a
// string that selects none of ours is an error (ErrNoCipherMatch), as
// OpenSSL's SSL_CTX_set_cipher_list fails when nothing matches.
//
// The language is the one of OpenSSL's ciphers(1) manual, "CIPHER LIST
// FORMAT" and "CIPHER STRINGS", as OpenSSL 3.0 parses it:
//
//   - Elements are separated by ':', ',', ';' or spaces. An element is a
//     suite name (OpenSSL's name, case-sensitive; IANA names are not
//     recognised by OpenSSL 3.0 and are ignored here too), an alias (HIGH,
//     aRSA, kEDH, AESGCM, ...), or several of those joined by '+', which
//     selects the suites matching all of them.
//   - Without a prefix the selected suites that are not yet in the list are
//     appended. '-' takes them out of the list (a later element may add
//     them back), '+' moves those in the list to its end, '!' removes them
//     for good.
//   - "@STRENGTH" sorts the list by symmetric key length, strongest first,
//     keeping the order of equals. "@SECLEVEL=n" (n from 0 to 5) is
//     checked and has no effect on the list, as with `openssl ciphers`
//     without -s: the security level is a handshake-time filter on keys,
//     groups and signatures. ParseLevel reports it; the api applies level
//     0 to the verification of the peer's chain and models no other
//     effect.
//   - A string starting with "DEFAULT" starts from OpenSSL's default list
//     ("ALL:!COMPLEMENTOFDEFAULT:!eNULL", which for our suites is every
//     suite in the default order) and goes on with the rest of the string.
//     Elsewhere DEFAULT is an unknown word.
//   - Unknown names are ignored, with the rest of their element. The
//     aliases OpenSSL knows that select none of our suites (aNULL, eNULL,
//     MEDIUM, CAMELLIA, PSK, ...) are known here too, with the same
//     attributes, so that they combine as in OpenSSL: "aNULL+aRSA" (two
//     authentications at once) is skipped, "aNULL!kRSA" kills kRSA.
//     Suite names of OpenSSL's that we do not implement are unknown words
//     here; that differs from OpenSSL only when such a name is followed by
//     something other than a separator ("CAMELLIA128-SHA!kRSA",
//     "CAMELLIA128-SHA+"), which OpenSSL goes on reading and we skip.
//   - Where a name is expected, a character that cannot be part of one
//     (names are letters, digits, '-', '.' and '='), a dangling '+', and an
//     unknown '@' command are an error (ErrInvalidCommand).
//
// The default order, which ALL, HIGH and every alias list their suites in,
// is the one OpenSSL 3.0 builds before reading the string, as measured with
// `openssl ciphers -v ALL` and written down in defaultKey: forward-secret
// AEAD suites, then other forward-secret suites, then the remaining AEAD
// ones, then the rest; within each, TLS 1.2-only suites first, then the
// stronger cipher, then AES-GCM before ChaCha20 before AES-CBC, then ECDHE
// before DHE, then ECDSA before RSA.
//
// NodeDefault is the default cipher list of the Node.js 6 `tls` module
// ("Modifying the Default TLS Cipher suite"), and Default its suites.
//
// Imports: github.com/tlsengine/tlsengine/cipher and the standard library.
package cipherlist
