package hmacsum

import (
	"bytes"
	"crypto"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
)

const (
	maxBlock = sha512.BlockSize // the largest block of the hashes below
	maxSize  = sha512.Size      // the largest output
	// stackInput is how much message one MAC hashes from a stack buffer
	// (after the key block); HKDF and PRF inputs are far smaller.
	stackInput = 384
)

// Key is an HMAC key for one hash: MD5 and SHA-1 (the TLS 1.0 and 1.1
// PRF), SHA-256, SHA-384 and SHA-512. Its zero value is not usable; it may
// be copied, and used from several goroutines at once.
type Key struct {
	hash       crypto.Hash
	block      int
	ipad, opad [maxBlock]byte // the key, zero-padded to a block, XOR 0x36 and 0x5c
}

// New returns the HMAC key key for hash h (RFC 2104, Section 2: a key
// longer than the hash's block is hashed first). Another hash panics: the
// hash comes from a suite table or a constant, never from a peer.
func New(h crypto.Hash, key []byte) Key {
	var k Key
	k.Init(h, key)
	return k
}

// Init sets k to the HMAC key key for hash h, as New, without copying the
// Key.
func (k *Key) Init(h crypto.Hash, key []byte) {
	k.hash, k.block = h, blockSize(h)
	var hashed [maxSize]byte
	if len(key) > k.block {
		key = hashed[:oneShot(h, key, &hashed)]
	}
	k.ipad, k.opad = [maxBlock]byte{}, [maxBlock]byte{}
	copy(k.ipad[:], key)
	copy(k.opad[:], key)
	for i := range k.block {
		k.ipad[i] ^= 0x36
		k.opad[i] ^= 0x5c
	}
	clear(hashed[:])
}

// Size is the length of a MAC, the hash's output length.
func (k *Key) Size() int { return k.hash.Size() }

// Sum appends HMAC(key, the concatenation of parts) to dst and returns the
// result. dst may share memory with the parts: they are read first.
func (k *Key) Sum(dst []byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	// H(K XOR ipad || text) ...
	var inner [maxSize]byte
	var size int
	if n <= stackInput {
		var buf [maxBlock + stackInput]byte
		off := copy(buf[:], k.ipad[:k.block])
		for _, p := range parts {
			off += copy(buf[off:], p)
		}
		size = oneShot(k.hash, buf[:off], &inner)
		clear(buf[:k.block])
	} else {
		size = copy(inner[:], k.stream(parts))
	}
	// ... then H(K XOR opad || inner).
	var buf [maxBlock + maxSize]byte
	copy(buf[:], k.opad[:k.block])
	copy(buf[k.block:], inner[:size])
	var outer [maxSize]byte
	oneShot(k.hash, buf[:k.block+size], &outer)
	clear(buf[:k.block])
	return append(dst, outer[:size]...)
}

// stream is H(K XOR ipad || parts) for a message too long for the stack
// buffer. What it hands to the hash interface escapes, so it hands over
// copies: the Key and the caller's parts stay where they are.
func (k *Key) stream(parts [][]byte) []byte {
	h := k.hash.New()
	pad := append([]byte(nil), k.ipad[:k.block]...)
	h.Write(pad)
	clear(pad)
	for _, p := range parts {
		h.Write(bytes.Clone(p))
	}
	return h.Sum(nil)
}

// blockSize is h's input block length.
func blockSize(h crypto.Hash) int {
	switch h {
	case crypto.MD5:
		return md5.BlockSize
	case crypto.SHA1:
		return sha1.BlockSize
	case crypto.SHA256:
		return sha256.BlockSize
	case crypto.SHA384, crypto.SHA512:
		return sha512.BlockSize
	}
	panic("hmacsum: unsupported hash " + h.String())
}

// oneShot writes h(data) to out and returns its length. The standard
// library's one-shot sums keep their state on the stack.
func oneShot(h crypto.Hash, data []byte, out *[maxSize]byte) int {
	switch h {
	case crypto.MD5:
		s := md5.Sum(data)
		return copy(out[:], s[:])
	case crypto.SHA1:
		s := sha1.Sum(data)
		return copy(out[:], s[:])
	case crypto.SHA256:
		s := sha256.Sum256(data)
		return copy(out[:], s[:])
	case crypto.SHA384:
		s := sha512.Sum384(data)
		return copy(out[:], s[:])
	case crypto.SHA512:
		s := sha512.Sum512(data)
		return copy(out[:], s[:])
	}
	panic("hmacsum: unsupported hash " + h.String())
}
