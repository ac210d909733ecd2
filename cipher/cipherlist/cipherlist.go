package cipherlist

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tlsengine/tlsengine/cipher"
)

// NodeDefault is the default cipher list of the Node.js `tls` module as
// the seeds document it ("Modifying the Default TLS Cipher suite", Node
// v6.9.4). Two of its names (DHE-RSA-AES256-SHA384, ECDHE-RSA-AES256-SHA256)
// are no cipher suite at all; OpenSSL ignores them and so does Parse.
const NodeDefault = "ECDHE-RSA-AES128-GCM-SHA256:" +
	"ECDHE-ECDSA-AES128-GCM-SHA256:" +
	"ECDHE-RSA-AES256-GCM-SHA384:" +
	"ECDHE-ECDSA-AES256-GCM-SHA384:" +
	"DHE-RSA-AES128-GCM-SHA256:" +
	"ECDHE-RSA-AES128-SHA256:" +
	"DHE-RSA-AES128-SHA256:" +
	"ECDHE-RSA-AES256-SHA384:" +
	"DHE-RSA-AES256-SHA384:" +
	"ECDHE-RSA-AES256-SHA256:" +
	"DHE-RSA-AES256-SHA256:" +
	"HIGH:" +
	"!aNULL:" +
	"!eNULL:" +
	"!EXPORT:" +
	"!DES:" +
	"!RC4:" +
	"!MD5:" +
	"!PSK:" +
	"!SRP:" +
	"!CAMELLIA"

// Errors of Parse, for errors.Is.
var (
	// ErrNoCipherMatch: the string selects none of the implemented suites
	// (OpenSSL's SSL_R_NO_CIPHER_MATCH, Node's "No cipher match").
	ErrNoCipherMatch = errors.New("tls: no cipher match")
	// ErrInvalidCommand: the string has a character, a dangling '+' or an
	// '@' command OpenSSL rejects (OpenSSL's SSL_R_INVALID_COMMAND).
	ErrInvalidCommand = errors.New("tls: invalid command in cipher string")
	// ErrSuiteB: the string asks for a Suite B mode (RFC 6460), which
	// restricts curves and signatures as well as suites; see Parse.
	ErrSuiteB = errors.New("tls: Suite B cipher strings are not supported")
)

// Parse returns the implemented suites the OpenSSL cipher string s
// selects, most preferred first: the order `openssl ciphers -v s` prints
// them in. The package documentation describes the language.
//
// Strings starting with SUITEB128, SUITEB128ONLY, SUITEB128C2 or SUITEB192
// are refused with ErrSuiteB: OpenSSL turns them into one or two
// ECDHE-ECDSA-AES-GCM suites and also restricts curves and signature
// algorithms to those of RFC 6460, a mode the handshake does not
// implement, so honouring only the suite part would promise more than we
// keep.
func Parse(s string) ([]*cipher.Suite, error) {
	suites, _, err := ParseLevel(s)
	return suites, err
}

// ParseLevel is Parse that also returns the security level the string
// sets with "@SECLEVEL=n" (the last one counts, as in OpenSSL), or -1 when
// it sets none.
func ParseLevel(s string) ([]*cipher.Suite, int, error) {
	if strings.HasPrefix(s, "SUITEB128") || strings.HasPrefix(s, "SUITEB192") {
		return nil, -1, fmt.Errorf("%w: %.13q", ErrSuiteB, s)
	}
	p := parser{list: initialList(), level: -1}
	if rest, ok := strings.CutPrefix(s, "DEFAULT"); ok {
		// Only at the very start is DEFAULT a name (OpenSSL expands it
		// before reading the rest); one ':' may follow it.
		if err := p.run(opensslDefault, 0); err != nil {
			panic("cipherlist: OpenSSL's default string does not parse: " + err.Error())
		}
		off := len(s) - len(rest)
		if strings.HasPrefix(rest, ":") {
			rest, off = rest[1:], off+1
		}
		s = rest
		if err := p.run(s, off); err != nil {
			return nil, -1, err
		}
	} else if err := p.run(s, 0); err != nil {
		return nil, -1, err
	}
	suites := p.list.selected()
	if len(suites) == 0 {
		return nil, -1, ErrNoCipherMatch
	}
	return suites, p.level, nil
}

// Default returns the suites of NodeDefault, the default cipher list.
func Default() []*cipher.Suite { return append([]*cipher.Suite(nil), nodeDefault...) }

// Names returns the suites' OpenSSL names in lower case, the form Node's
// tls.getCiphers() reports them in.
func Names(suites []*cipher.Suite) []string {
	names := make([]string, len(suites))
	for i, s := range suites {
		names[i] = strings.ToLower(s.OpenSSLName)
	}
	return names
}

// opensslDefault is what a leading DEFAULT stands for in OpenSSL 3.0
// (OSSL_default_cipher_list).
const opensslDefault = "ALL:!COMPLEMENTOFDEFAULT:!eNULL"

// nodeDefault is Parse(NodeDefault), computed once.
var nodeDefault = func() []*cipher.Suite {
	suites, err := Parse(NodeDefault)
	if err != nil {
		// The constant selects HIGH, which every implemented suite is.
		panic("cipherlist: NodeDefault selects nothing: " + err.Error())
	}
	return suites
}()
