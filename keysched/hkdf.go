package keysched

import (
	"crypto"
	"crypto/hmac"
	"errors"
	"hash"

	_ "crypto/sha256" // registers crypto.SHA256 for New
	_ "crypto/sha512" // registers crypto.SHA384 for New
)

// labelPrefix starts every HkdfLabel label (RFC 8446, Section 7.1).
const labelPrefix = "tls13 "

// Extract is HKDF-Extract (RFC 5869, Section 2.2) with hash h: an HMAC of ikm
// keyed with salt. An empty salt stands for HashLen zero bytes, which HMAC
// pads to the same key.
func Extract(h crypto.Hash, salt, ikm []byte) []byte {
	checkHash(h)
	mac := hmac.New(h.New, salt)
	mac.Write(ikm)
	return mac.Sum(nil)
}

// ExpandLabel is HKDF-Expand-Label (RFC 8446, Section 7.1): HKDF-Expand of
// secret with an HkdfLabel made of length, "tls13 " + label and context. It
// fails where the HkdfLabel cannot be encoded (label longer than 249 bytes,
// context longer than 255 bytes) or where HKDF cannot produce length bytes
// (more than 255 hash blocks).
func ExpandLabel(h crypto.Hash, secret []byte, label string, context []byte, length int) ([]byte, error) {
	checkHash(h)
	full := len(labelPrefix) + len(label)
	switch {
	case label == "" || full > 255:
		// opaque label<7..255> (RFC 8446, Section 7.1).
		return nil, errors.New("keysched: HKDF-Expand-Label label must be 1 to 249 bytes")
	case len(context) > 255:
		// opaque context<0..255>.
		return nil, errors.New("keysched: HKDF-Expand-Label context longer than 255 bytes")
	case length < 0 || length > 255*h.Size():
		// RFC 5869, Section 2.3: L <= 255*HashLen (which also fits uint16).
		return nil, errors.New("keysched: HKDF-Expand-Label length out of range")
	}
	info := make([]byte, 0, 2+1+full+1+len(context))
	info = append(info, byte(length>>8), byte(length), byte(full))
	info = append(info, labelPrefix...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	return expand(h, secret, info, length), nil
}

// DeriveSecret is Derive-Secret (RFC 8446, Section 7.1) given the transcript
// hash rather than the messages: HKDF-Expand-Label(secret, label,
// transcriptHash, HashLen).
func DeriveSecret(h crypto.Hash, secret []byte, label string, transcriptHash []byte) ([]byte, error) {
	return ExpandLabel(h, secret, label, transcriptHash, h.Size())
}

// expand is HKDF-Expand (RFC 5869, Section 2.3); callers bound length.
func expand(h crypto.Hash, prk, info []byte, length int) []byte {
	mac := hmac.New(h.New, prk)
	out := make([]byte, 0, length+h.Size())
	var prev []byte // T(i-1), empty for T(1)
	for counter := byte(1); len(out) < length; counter++ {
		mac.Reset()
		mac.Write(prev)
		mac.Write(info)
		mac.Write([]byte{counter})
		out = mac.Sum(out)
		prev = out[len(out)-h.Size():]
	}
	return out[:length]
}

// mustExpandLabel is ExpandLabel for the package's own fixed labels, whose
// contexts are hashes or ticket-sized and whose lengths are at most a hash
// or a key, so the encoding limits cannot be reached.
func mustExpandLabel(h crypto.Hash, secret []byte, label string, context []byte, length int) []byte {
	out, err := ExpandLabel(h, secret, label, context, length)
	if err != nil {
		panic(err.Error() + " for fixed label " + label)
	}
	return out
}

// checkHash panics unless h is a TLS 1.3 cipher-suite hash. The hash comes
// from the suite table, never from peer bytes, so anything else is a bug.
func checkHash(h crypto.Hash) {
	if h != crypto.SHA256 && h != crypto.SHA384 {
		panic("keysched: hash " + h.String() + " is not a TLS 1.3 suite hash")
	}
}

// emptyHash is Hash("") for h, the context of the "derived" steps.
func emptyHash(h crypto.Hash) []byte {
	return h.New().Sum(nil)
}

// newHash returns a fresh h.
func newHash(h crypto.Hash) hash.Hash {
	checkHash(h)
	return h.New()
}
