package cipher

import (
	"crypto"
	"crypto/md5"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/tlsengine/tlsengine/internal/hmacsum"
)

// PRF is the TLS pseudo-random function: P_<hash> for TLS 1.2 (RFC 5246,
// Section 5), and for TLS 1.0 and 1.1 the XOR of P_MD5 and P_SHA1 over the
// two halves of the secret (RFC 2246, Section 5). It fills out.
func PRF(version uint16, h crypto.Hash, secret []byte, label string, seed []byte, out []byte) {
	ls := make([]byte, 0, len(label)+len(seed))
	ls = append(append(ls, label...), seed...)
	if version >= VersionTLS12 {
		pHash(prfHash(h), secret, ls, out)
		return
	}
	// RFC 2246, Section 5: the halves overlap by one byte when the secret
	// has odd length.
	half := (len(secret) + 1) / 2
	pHash(crypto.MD5, secret[:half], ls, out)
	tmp := make([]byte, len(out))
	pHash(crypto.SHA1, secret[len(secret)-half:], ls, tmp)
	for i := range out {
		out[i] ^= tmp[i]
	}
}

// pHash is P_hash of RFC 5246, Section 5:
// A(0) = seed, A(i) = HMAC(secret, A(i-1)),
// output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
func pHash(h crypto.Hash, secret, seed, out []byte) {
	m := hmacsum.New(h, secret)
	var aBuf, blockBuf [64]byte
	a := m.Sum(aBuf[:0], seed)
	for len(out) > 0 {
		block := m.Sum(blockBuf[:0], a, seed)
		n := copy(out, block)
		out = out[n:]
		a = m.Sum(a[:0], a)
	}
}

// prfHash is the hash of a suite's TLS 1.2 PRF and transcript:
// SHA-256 unless the suite names another (RFC 5246, Section 5).
func prfHash(h crypto.Hash) crypto.Hash {
	switch h {
	case crypto.SHA384, crypto.SHA512, crypto.SHA1:
		return h
	}
	return crypto.SHA256
}

func newHash(h crypto.Hash) func() hash.Hash {
	return prfHash(h).New
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
