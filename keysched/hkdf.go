package keysched

import (
	"crypto"
	"errors"
	"hash"

	"github.com/tlsengine/tlsengine/internal/hmacsum"

	"crypto/sha256" // also registers crypto.SHA256 for New
	"crypto/sha512" // also registers crypto.SHA384 for New
)

// labelPrefix starts every HkdfLabel label (RFC 8446, Section 7.1).
const labelPrefix = "tls13 "

// Extract is HKDF-Extract (RFC 5869, Section 2.2) with hash h: an HMAC of ikm
// keyed with salt. An empty salt stands for HashLen zero bytes, which HMAC
// pads to the same key.
func Extract(h crypto.Hash, salt, ikm []byte) []byte {
	return appendExtract(make([]byte, 0, h.Size()), h, salt, ikm)
}

// appendExtract appends HKDF-Extract(salt, ikm) with hash h to dst.
func appendExtract(dst []byte, h crypto.Hash, salt, ikm []byte) []byte {
	checkHash(h)
	k := hmacsum.New(h, salt)
	return k.Sum(dst, ikm)
}

// ExpandLabel is HKDF-Expand-Label (RFC 8446, Section 7.1): HKDF-Expand of
// secret with an HkdfLabel made of length, "tls13 " + label and context. It
// fails where the HkdfLabel cannot be encoded (label longer than 249 bytes,
// context longer than 255 bytes) or where HKDF cannot produce length bytes
// (more than 255 hash blocks).
func ExpandLabel(h crypto.Hash, secret []byte, label string, context []byte, length int) ([]byte, error) {
	if err := checkExpandLabel(h, label, context, length); err != nil {
		return nil, err
	}
	k := hmacsum.New(h, secret)
	return appendExpandLabel(make([]byte, 0, length+h.Size()), &k, label, context, length), nil
}

// checkExpandLabel applies the limits of HKDF-Expand-Label's encoding and
// of HKDF to its arguments.
func checkExpandLabel(h crypto.Hash, label string, context []byte, length int) error {
	checkHash(h)
	switch {
	case label == "" || len(labelPrefix)+len(label) > 255:
		// opaque label<7..255> (RFC 8446, Section 7.1).
		return errors.New("keysched: HKDF-Expand-Label label must be 1 to 249 bytes")
	case len(context) > 255:
		// opaque context<0..255>.
		return errors.New("keysched: HKDF-Expand-Label context longer than 255 bytes")
	case length < 0 || length > 255*h.Size():
		// RFC 5869, Section 2.3: L <= 255*HashLen (which also fits uint16).
		return errors.New("keysched: HKDF-Expand-Label length out of range")
	}
	return nil
}

// appendExpandLabel appends HKDF-Expand-Label with mac, the secret as an
// HMAC key, on arguments checkExpandLabel accepted, to dst; dst needs a
// hash of room beyond length for the last block not to reallocate.
func appendExpandLabel(dst []byte, mac *hmacsum.Key, label string, context []byte, length int) []byte {
	full := len(labelPrefix) + len(label)
	// The HkdfLabel, on the stack for the package's own labels and
	// hash-sized contexts.
	var buf [2 + 1 + len(labelPrefix) + 16 + 1 + 64]byte
	info := append(buf[:0], byte(length>>8), byte(length), byte(full))
	info = append(info, labelPrefix...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	return appendExpand(dst, mac, info, length)
}

// DeriveSecret is Derive-Secret (RFC 8446, Section 7.1) given the transcript
// hash rather than the messages: HKDF-Expand-Label(secret, label,
// transcriptHash, HashLen).
func DeriveSecret(h crypto.Hash, secret []byte, label string, transcriptHash []byte) ([]byte, error) {
	return ExpandLabel(h, secret, label, transcriptHash, h.Size())
}

// appendExpand appends HKDF-Expand (RFC 5869, Section 2.3) with mac, the
// PRK as an HMAC key, to dst; callers bound length. T(i) = HMAC(PRK,
// T(i-1) | info | i).
func appendExpand(dst []byte, mac *hmacsum.Key, info []byte, length int) []byte {
	size := mac.Size()
	start := len(dst)
	var counter [1]byte
	var prev []byte // T(i-1), empty for T(1)
	for counter[0] = 1; len(dst)-start < length; counter[0]++ {
		dst = mac.Sum(dst, prev, info, counter[:])
		prev = dst[len(dst)-size:]
	}
	return dst[:start+length]
}

// checkHash panics unless h is a TLS 1.3 cipher-suite hash. The hash comes
// from the suite table, never from peer bytes, so anything else is a bug.
func checkHash(h crypto.Hash) {
	if h != crypto.SHA256 && h != crypto.SHA384 {
		panic("keysched: hash " + h.String() + " is not a TLS 1.3 suite hash")
	}
}

// emptyHash is Hash("") for h, the context of the "derived" steps. The
// slice is shared: callers only read it.
func emptyHash(h crypto.Hash) []byte {
	if h == crypto.SHA384 {
		return emptySHA384[:]
	}
	checkHash(h)
	return emptySHA256[:]
}

var (
	emptySHA256 = sha256.Sum256(nil)
	emptySHA384 = sha512.Sum384(nil)
)

// newHash returns a fresh h.
func newHash(h crypto.Hash) hash.Hash {
	checkHash(h)
	return h.New()
}
