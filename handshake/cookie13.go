package handshake

// The cookie of our HelloRetryRequest (RFC 8446, Section 4.2.2).

import (
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"io"

	"github.com/tlsengine/tlsengine/internal/hmacsum"
	"github.com/tlsengine/tlsengine/kex"
)

// cookieKeyLen is the size of the HMAC-SHA256 key that protects a cookie.
const cookieKeyLen = 32

// hrrCookieLabel separates the cookie's MAC from any other use of its key.
const hrrCookieLabel = "tlsengine HelloRetryRequest cookie"

// newHRRCookie returns the cookie our HelloRetryRequest carries:
// Hash(ClientHello1) followed by HMAC-SHA256 under a fresh key over a
// label, the suite, the group asked for and that hash. The hash is what a
// server that kept no state would need to rebuild the transcript from the
// second ClientHello (keysched.NewRetryTranscript, RFC 8446, Section
// 4.4.1), and the MAC binds it to this retry so it could be trusted back;
// our server keeps its state and wants the same bytes back
// (checkHRRCookie), which the MAC also makes unguessable.
func newHRRCookie(rand io.Reader, suite uint16, group kex.Group, clientHello1Hash []byte) ([]byte, error) {
	key := make([]byte, cookieKeyLen)
	if _, err := readFull(rand, key); err != nil {
		return nil, err
	}
	mac := hmacsum.New(crypto.SHA256, key)
	cookie := append(make([]byte, 0, len(clientHello1Hash)+sha256.Size), clientHello1Hash...)
	return mac.Sum(cookie, []byte(hrrCookieLabel),
		[]byte{byte(suite >> 8), byte(suite), byte(group >> 8), byte(group)}, clientHello1Hash), nil
}

// checkHRRCookie applies RFC 8446, Section 4.2.2 to the second
// ClientHello: a client that got a cookie MUST echo it in its cookie
// extension. A missing or changed cookie is illegal_parameter; the bytes
// are compared in constant time.
func checkHRRCookie(sent, echoed []byte) error {
	if len(echoed) == 0 {
		return errIllegal("tls: the ClientHello after a HelloRetryRequest does not echo its cookie")
	}
	if subtle.ConstantTimeCompare(sent, echoed) != 1 {
		return errIllegal("tls: the ClientHello after a HelloRetryRequest echoes a different cookie")
	}
	return nil
}
