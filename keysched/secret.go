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
}

func newSecret(h crypto.Hash, key []byte) secret {
	return secret{&secretState{hash: h, key: key}}
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

// useUp hands the bytes to f and then zeroes and retires the secret.
func (s *secret) useUp(by string, f func(key []byte)) {
	key := s.use(by)
	f(key)
	clear(key)
	s.key, s.spent = nil, by
}

// expandLabel is HKDF-Expand-Label(s, label, context, length) for the
// package's own fixed labels, whose contexts are hashes or ticket-sized and
// whose lengths are at most a hash or a key, so the encoding limits cannot
// be reached.
func (s *secret) expandLabel(label string, context []byte, length int) []byte {
	key := s.use(label)
	if err := checkExpandLabel(s.hash, label, context, length); err != nil {
		panic(err.Error() + " for fixed label " + label)
	}
	// Padding the key is two XORs of a block: cheaper than keeping the
	// padded blocks in every secret.
	mac := hmacsum.New(s.hash, key)
	return expandLabel(&mac, label, context, length)
}

// derive is Derive-Secret(s, label, Messages) given the messages' hash
// (RFC 8446, Section 7.1).
func (s *secret) derive(label string, th TranscriptHash) []byte {
	return s.expandLabel(label, th.sumFor(s.hash, label), s.hash.Size())
}

// keys derives one direction's record key and IV (RFC 8446, Section 7.3).
// The lengths come from the cipher-suite table.
func (s *secret) keys(keyLen, ivLen int) (key, iv []byte) {
	return s.expandLabel("key", nil, keyLen), s.expandLabel("iv", nil, ivLen)
}

// finishedMAC is HMAC(finished_key, transcript hash) with finished_key =
// HKDF-Expand-Label(s, "finished", "", Hash.length): the Finished
// verify_data (RFC 8446, Section 4.4.4) and, from a binder key, the PSK
// binder (Section 4.2.11.2).
func (s *secret) finishedMAC(th TranscriptHash) []byte {
	finishedKey := s.expandLabel("finished", nil, s.hash.Size())
	mac := hmacsum.New(s.hash, finishedKey)
	clear(finishedKey)
	return mac.Sum(nil, th.sumFor(s.hash, "finished"))
}

// KeylogLine is the NSS key log line ("LABEL <client random> <secret>",
// the SSLKEYLOGFILE format) for this secret, which lets a packet analyser
// decrypt a capture of the connection. It is the one place a secret leaves
// the package as text, and only when the caller asked for a key log.
func (s *secret) KeylogLine(label string, clientRandom []byte) string {
	return label + " " + hex.EncodeToString(clientRandom) + " " + hex.EncodeToString(s.use("key log"))
}
