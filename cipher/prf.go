package cipher

import (
	"crypto"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// PRF is the TLS pseudo-random function: P_<hash> for TLS 1.2 (RFC 5246,
// Section 5), and for TLS 1.0 and 1.1 the XOR of P_MD5 and P_SHA1 over the
// two halves of the secret (RFC 2246, Section 5). It fills out.
func PRF(version uint16, h crypto.Hash, secret []byte, label string, seed []byte, out []byte) {
	ls := make([]byte, 0, len(label)+len(seed))
	ls = append(append(ls, label...), seed...)
	if version >= VersionTLS12 {
		pHash(newHash(h), secret, ls, out)
		return
	}
	// RFC 2246, Section 5: the halves overlap by one byte when the secret
	// has odd length.
	half := (len(secret) + 1) / 2
	pHash(md5.New, secret[:half], ls, out)
	tmp := make([]byte, len(out))
	pHash(sha1.New, secret[len(secret)-half:], ls, tmp)
	for i := range out {
		out[i] ^= tmp[i]
	}
}

// pHash is P_hash of RFC 5246, Section 5:
// A(0) = seed, A(i) = HMAC(secret, A(i-1)),
// output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
func pHash(h func() hash.Hash, secret, seed, out []byte) {
	m := new(prfMAC) // one allocation; the buffers inside it escape anyway
	m.init(h, secret)
	a := m.sum(m.a[:0], seed, nil)
	for len(out) > 0 {
		block := m.sum(m.block[:0], a, seed)
		n := copy(out, block)
		out = out[n:]
		a = m.sum(a[:0], a, nil)
	}
}

// prfMAC is HMAC (RFC 2104) for the PRF's short inputs, without the
// allocations of crypto/hmac's snapshots: the inner and outer hashes are
// rewound with Reset and fed the padded key again, two extra compression
// blocks per MAC. The handshake's PRF calls made about 80 allocations
// per full handshake through crypto/hmac.
type prfMAC struct {
	inner, outer hash.Hash
	ipad, opad   [128]byte // block-sized padded keys (128: SHA-384)
	blockSize    int
	// Scratch for A(i), each output block and the inner hash: passed to
	// hash.Hash methods, they would escape one by one as locals.
	a, block, innerSum [64]byte
}

func (m *prfMAC) init(h func() hash.Hash, key []byte) {
	m.inner, m.outer = h(), h()
	m.blockSize = m.inner.BlockSize()
	if len(key) > m.blockSize {
		m.inner.Write(key)
		key = m.inner.Sum(nil)
		m.inner.Reset()
	}
	copy(m.ipad[:], key)
	copy(m.opad[:], key)
	for i := range m.blockSize {
		m.ipad[i] ^= 0x36
		m.opad[i] ^= 0x5c
	}
}

// sum appends HMAC(key, a || b) to dst. dst may share memory with a:
// a is read before dst is written.
func (m *prfMAC) sum(dst, a, b []byte) []byte {
	m.inner.Reset()
	m.inner.Write(m.ipad[:m.blockSize])
	m.inner.Write(a)
	m.inner.Write(b)
	in := m.inner.Sum(m.innerSum[:0])
	m.outer.Reset()
	m.outer.Write(m.opad[:m.blockSize])
	m.outer.Write(in)
	return m.outer.Sum(dst)
}

func newHash(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.SHA384:
		return sha512.New384
	case crypto.SHA512:
		return sha512.New
	case crypto.SHA1:
		return sha1.New
	}
	return sha256.New
}

// NewTranscriptHash returns the running hash of the handshake messages
// that this suite and version use for Finished and the EMS session hash: the
// PRF hash in TLS 1.2, MD5 || SHA-1 before it (RFC 2246, Section 7.4.9).
// Its Sum reads the hash without changing it, so a running transcript
// takes snapshots without hashing the messages again.
func (s *Suite) NewTranscriptHash(version uint16) hash.Hash {
	if version >= VersionTLS12 {
		return newHash(s.PRFHash)()
	}
	return &md5SHA1{md5: md5.New(), sha1: sha1.New()}
}

// TranscriptHash hashes the concatenated handshake messages at once, as
// NewTranscriptHash does incrementally.
func (s *Suite) TranscriptHash(version uint16, messages []byte) []byte {
	h := s.NewTranscriptHash(version)
	h.Write(messages)
	return h.Sum(nil)
}

// md5SHA1 is the TLS 1.0 and 1.1 transcript hash: MD5 and SHA-1 of the
// same messages, concatenated.
type md5SHA1 struct{ md5, sha1 hash.Hash }

func (h *md5SHA1) Write(p []byte) (int, error) {
	h.md5.Write(p)
	return h.sha1.Write(p)
}

func (h *md5SHA1) Sum(b []byte) []byte { return h.sha1.Sum(h.md5.Sum(b)) }
func (h *md5SHA1) Reset()              { h.md5.Reset(); h.sha1.Reset() }
func (h *md5SHA1) Size() int           { return md5.Size + sha1.Size }
func (h *md5SHA1) BlockSize() int      { return sha1.BlockSize }

// MasterSecret derives the 48-byte master secret (RFC 5246, Section 8.1).
func (s *Suite) MasterSecret(version uint16, preMaster, clientRandom, serverRandom []byte) []byte {
	seed := make([]byte, 0, 64)
	seed = append(append(seed, clientRandom...), serverRandom...)
	out := make([]byte, 48)
	PRF(version, s.PRFHash, preMaster, "master secret", seed, out)
	return out
}

// ExtendedMasterSecret derives the master secret from the session hash
// (RFC 7627, Section 4).
func (s *Suite) ExtendedMasterSecret(version uint16, preMaster, sessionHash []byte) []byte {
	out := make([]byte, 48)
	PRF(version, s.PRFHash, preMaster, "extended master secret", sessionHash, out)
	return out
}

// FinishedVerifyData computes verify_data (RFC 5246, Section 7.4.9).
func (s *Suite) FinishedVerifyData(version uint16, masterSecret []byte, fromClient bool, transcriptHash []byte) []byte {
	label := "server finished"
	if fromClient {
		label = "client finished"
	}
	out := make([]byte, 12)
	PRF(version, s.PRFHash, masterSecret, label, transcriptHash, out)
	return out
}

// KeyMaterial is the key block split per RFC 5246, Section 6.3.
type KeyMaterial struct {
	ClientMACKey, ServerMACKey []byte
	ClientKey, ServerKey       []byte
	ClientIV, ServerIV         []byte
}

// ivLen is the IV material the key block carries: the implicit AEAD nonce,
// or the first CBC IV in TLS 1.0 (later versions send explicit IVs).
func (s *Suite) ivLen(version uint16) int {
	if s.AEAD() || version == VersionTLS10 {
		return s.FixedIVLen
	}
	return 0
}

// KeyBlock expands the master secret into the traffic keys (RFC 5246,
// Section 6.3).
func (s *Suite) KeyBlock(version uint16, masterSecret, clientRandom, serverRandom []byte) KeyMaterial {
	seed := make([]byte, 0, 64)
	seed = append(append(seed, serverRandom...), clientRandom...)
	iv := s.ivLen(version)
	n := 2*s.MACKeyLen + 2*s.KeyLen + 2*iv
	b := make([]byte, n)
	PRF(version, s.PRFHash, masterSecret, "key expansion", seed, b)
	var k KeyMaterial
	take := func(l int) []byte { p := b[:l:l]; b = b[l:]; return p }
	k.ClientMACKey, k.ServerMACKey = take(s.MACKeyLen), take(s.MACKeyLen)
	k.ClientKey, k.ServerKey = take(s.KeyLen), take(s.KeyLen)
	k.ClientIV, k.ServerIV = take(iv), take(iv)
	return k
}

// ExportKeyingMaterial implements the exporter of RFC 5705, Section 4:
// PRF(master_secret, label, client_random || server_random [|| uint16
// context length || context]). hasContext tells an empty context from
// none, which give different output.
func (s *Suite) ExportKeyingMaterial(version uint16, masterSecret, clientRandom, serverRandom []byte, label string, context []byte, hasContext bool, length int) ([]byte, error) {
	// RFC 5705, Section 4: labels that TLS itself uses MUST NOT be used.
	// Like OpenSSL, refuse any label that starts with one of them.
	for _, reserved := range []string{"client finished", "server finished", "master secret", "key expansion", "extended master secret"} {
		if strings.HasPrefix(label, reserved) {
			return nil, fmt.Errorf("tls: reserved exporter label %q", label)
		}
	}
	if length < 0 || length > maxExportLength {
		return nil, fmt.Errorf("tls: exporter length %d out of range", length)
	}
	seed := make([]byte, 0, len(clientRandom)+len(serverRandom)+2+len(context))
	seed = append(append(seed, clientRandom...), serverRandom...)
	if hasContext {
		// The context length is a uint16 (RFC 5705, Section 4).
		if len(context) > 0xffff {
			return nil, errors.New("tls: exporter context longer than 65535 bytes")
		}
		seed = append(seed, byte(len(context)>>8), byte(len(context)))
		seed = append(seed, context...)
	}
	out := make([]byte, length)
	PRF(version, s.PRFHash, masterSecret, label, seed, out)
	return out, nil
}

// maxExportLength bounds ExportKeyingMaterial's output; nothing needs more,
// and a caller's mistake should not become a huge allocation.
const maxExportLength = 1 << 20
