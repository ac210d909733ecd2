package cipherlist

import (
	"errors"
	"strings"

	"github.com/tlsengine/tlsengine/cipher"
)

// ErrEmpty: a cipher string names no suite of either version (Node v20
// throws ERR_INVALID_ARG_VALUE for ':').
var ErrEmpty = errors.New("tls: the cipher string names no TLS 1.2 and no TLS 1.3 suites")

// Split13 splits a cipher string the way Node v20 does before it reaches
// OpenSSL (lib/internal/tls/secure-context.js, processCiphers): the
// ':'-separated elements starting with "TLS_" are TLS 1.3 suite names
// (SSL_CTX_set_ciphersuites), the others form the TLS 1.2 cipher string
// (SSL_CTX_set_cipher_list). suites13 is nil when s names no TLS 1.3
// suite: the default TLS 1.3 suites then stay. Unknown "TLS_" names are
// skipped as OpenSSL skips them, unless none is known (ErrNoCipherMatch).
//
// Extension: a "TLS_" element that is the IANA name of one of our TLS 1.2
// suites (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) stays in the TLS 1.2
// string, where Parse accepts it; Node would pass it to OpenSSL's TLS 1.3
// list and fail.
func Split13(s string) (list12 string, suites13 []*cipher.Suite, err error) {
	var rest []string
	named13 := false
	for _, e := range strings.Split(s, ":") {
		switch {
		case e == "":
		case !strings.HasPrefix(e, "TLS_") || cipher.SuiteByName(e) != nil:
			rest = append(rest, e)
		default:
			named13 = true
			if cs := cipher.Suite13ByName(e); cs != nil && cs.Name == e {
				suites13 = append(suites13, cs)
			}
		}
	}
	switch {
	case !named13 && len(rest) == 0:
		return "", nil, ErrEmpty
	case named13 && len(suites13) == 0:
		return "", nil, ErrNoCipherMatch
	}
	return strings.Join(rest, ":"), suites13, nil
}
