package keysched

import (
	"crypto"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/tlsengine/tlsengine/internal/hmacsum"
)

// secret is what every secret type of the package wraps. It points to its
// state, so that a copy of a secret value shares the used-up mark and
// cannot outlive the original with zeroed bytes.
type secret struct{ *secretState }

// secretState holds the bytes, the hash they belong to and, once the value
// is used up, the step that used it up.
type secretState struct {
	hash crypto.Hash
	key  []byte
	// spent names the derivation that consumed the secret; a consumed
	// secret is zeroed and refuses further use, so the stages stay one-way.
	spent string
	// stored holds key: a secret is one allocation with its bytes.
	stored [maxHashSize]byte
}

// maxHashSize is the largest suite hash, SHA-384's 48 bytes.
const maxHashSize = 48

// derivedRoom is the stack buffer a derivation writes into before the
// bytes move into a secret: a hash, and another for the HMAC block that
// HKDF-Expand writes whole.
type derivedRoom [2 * maxHashSize]byte

// newSecret returns a secret of hash h holding a copy of key. The caller
// clears its own copy.
func newSecret(h crypto.Hash, key []byte) secret {
	st := &secretState{hash: h}
	st.key = append(st.stored[:0], key...)
	return secret{st}
}

// Format prints a placeholder for every verb (%v, %+v, %#v, %x, %s, ...),
// so that no fmt, log or slog call can write a secret out. Every secret type
// of the package gets it by embedding.
func (secret) Format(f fmt.State, verb rune) {
	io.WriteString(f, "[redacted]")
}

// use returns the secret's bytes for the derivation what. Deriving from a
// secret that a later stage has already used up is a programming error: the
// handshake code moves through the stages in one order only.
func (s *secret) use(what string) []byte {
	if s.spent != "" {
		panic("keysched: " + what + " from a secret already used up by " + s.spent)
	}
	return s.key
}

// retire zeroes the secret and records the step that used it up.
func (s *secret) retire(by string) {
	clear(s.key)
	s.key, s.spent = nil, by
}

// expandLabel appends HKDF-Expand-Label(s, label, context, length) to dst,
// which needs a hash of room beyond length, for the package's own fixed
// labels, whose contexts are hashes or ticket-sized and whose lengths are
// at most a hash or a key, so the encoding limits cannot be reached.
func (s *secret) expandLabel(dst []byte, label string, context []byte, length int) []byte {
	key := s.use(label)
	if err := checkExpandLabel(s.hash, label, context, length); err != nil {
		panic(err.Error() + " for fixed label " + label)
	}
	// Padding the key is two XORs of a block: cheaper than keeping the
	// padded blocks in every secret.
	mac := hmacsum.New(s.hash, key)
	return appendExpandLabel(dst, &mac, label, context, length)
}

// derive is Derive-Secret(s, label, Messages) given the messages' hash
// (RFC 8446, Section 7.1), as a new secret.
func (s *secret) derive(label string, th TranscriptHash) secret {
	var room derivedRoom
	d := newSecret(s.hash, s.expandLabel(room[:0], label, th.sumFor(s.hash, label), s.hash.Size()))
	clear(room[:])
	return d
}

// keys derives one direction's record key and IV (RFC 8446, Section 7.3),
// in one allocation. The lengths come from the cipher-suite table.
func (s *secret) keys(keyLen, ivLen int) (key, iv []byte) {
	out := make([]byte, 0, keyLen+ivLen+s.hash.Size())
	out = s.expandLabel(out, "key", nil, keyLen)
	out = s.expandLabel(out, "iv", nil, ivLen)
	return out[:keyLen:keyLen], out[keyLen : keyLen+ivLen : keyLen+ivLen]
}

// finishedMAC is HMAC(finished_key, transcript hash) with finished_key =
// HKDF-Expand-Label(s, "finished", "", Hash.length): the Finished
// verify_data (RFC 8446, Section 4.4.4) and, from a binder key, the PSK
// binder (Section 4.2.11.2).
func (s *secret) finishedMAC(th TranscriptHash) []byte {
	var room derivedRoom
	mac := hmacsum.New(s.hash, s.expandLabel(room[:0], "finished", nil, s.hash.Size()))
	clear(room[:])
	return mac.Sum(make([]byte, 0, s.hash.Size()), th.sumFor(s.hash, "finished"))
}

// KeylogLine is the NSS key log line ("LABEL <client random> <secret>",
// the SSLKEYLOGFILE format) for this secret, which lets a packet analyser
// decrypt a capture of the connection. It is the one place a secret leaves
// the package as text, and only when the caller asked for a key log.
func (s *secret) KeylogLine(label string, clientRandom []byte) string {
	return label + " " + hex.EncodeToString(clientRandom) + " " + hex.EncodeToString(s.use("key log"))
}
