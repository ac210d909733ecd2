package keysched

import (
	"bytes"
	"crypto"
	"encoding"
	"errors"
	"hash"
)

// Handshake types the transcript needs to know (RFC 8446, Section 4).
const (
	typeClientHello = 1
	typeMessageHash = 254
)

// TranscriptHash is a snapshot of the transcript: Transcript-Hash(M1 ... Mn)
// of RFC 8446, Section 4.4.1, tagged with its hash so that a snapshot taken
// with one suite's hash cannot feed another's key schedule.
type TranscriptHash struct {
	hash crypto.Hash
	sum  []byte
}

// Bytes returns a copy of the hash value, as CertificateVerify signs it
// (RFC 8446, Section 4.4.3).
func (t TranscriptHash) Bytes() []byte {
	return bytes.Clone(t.sum)
}

// sumFor returns the hash value for a derivation what under hash h. A
// snapshot of another hash, or the zero TranscriptHash, is a programming
// error.
func (t TranscriptHash) sumFor(h crypto.Hash, what string) []byte {
	if t.hash != h || len(t.sum) != h.Size() {
		panic("keysched: " + what + " needs a " + h.String() + " transcript hash")
	}
	return t.sum
}

// emptyTranscript is Transcript-Hash of no messages, Hash(""), the context
// of Derive-Secret(secret, label, "").
func emptyTranscript(h crypto.Hash) TranscriptHash {
	return TranscriptHash{hash: h, sum: emptyHash(h)}
}

// Transcript is the running hash of the handshake messages, each added with
// its 4-byte header exactly as received or sent (RFC 8446, Section 4.4.1).
// A client adds its first ClientHello before the server has chosen the
// suite and so the hash; the transcript holds those bytes until SetHash.
type Transcript struct {
	hash    crypto.Hash
	running hash.Hash // nil until SetHash
	// pending holds the messages added before SetHash: only the first
	// ClientHello, which the handshake layer has already bounded in size.
	pending []byte
	// count and first let ReplaceClientHello1 check that the transcript
	// holds exactly one ClientHello.
	count   int
	first   byte
	retried bool
}

// NewTranscript returns an empty transcript whose hash is not chosen yet.
func NewTranscript() *Transcript {
	return &Transcript{}
}

// NewRetryTranscript starts the transcript of a server that sent a
// HelloRetryRequest and kept only Hash(ClientHello1), in a cookie for
// instance (RFC 8446, Section 4.4.1): it holds the message_hash message, as
// ReplaceClientHello1 leaves it; add the HelloRetryRequest next. The hash
// comes back from the peer, so a wrong length is an error.
func NewRetryTranscript(h crypto.Hash, clientHello1Hash []byte) (*Transcript, error) {
	checkHash(h)
	if len(clientHello1Hash) != h.Size() {
		return nil, errors.New("keysched: ClientHello1 hash of the wrong length")
	}
	t := &Transcript{hash: h, running: h.New(), count: 1, first: typeClientHello, retried: true}
	t.running.Write([]byte{typeMessageHash, 0, 0, byte(h.Size())})
	t.running.Write(clientHello1Hash)
	return t, nil
}

// Add appends one handshake message, header included.
func (t *Transcript) Add(msg []byte) {
	if t.count == 0 && len(msg) > 0 {
		t.first = msg[0]
	}
	t.count++
	if t.running == nil {
		t.pending = append(t.pending, msg...)
		return
	}
	t.running.Write(msg)
}

// SetHash chooses the transcript's hash, the negotiated suite's, and hashes
// what was added before. Choosing again with the same hash does nothing;
// with another it fails, as the suite of a ServerHello must be that of the
// HelloRetryRequest before it (RFC 8446, Section 4.1.4).
func (t *Transcript) SetHash(h crypto.Hash) error {
	checkHash(h)
	if t.running != nil {
		if h != t.hash {
			return errors.New("keysched: transcript hash already chosen as " + t.hash.String())
		}
		return nil
	}
	t.hash, t.running = h, h.New()
	t.running.Write(t.pending)
	t.pending = nil
	return nil
}

// ReplaceClientHello1 replaces the first ClientHello, which must be all the
// transcript holds, by the synthetic message_hash message: handshake type
// 254, length Hash.length, body Hash(ClientHello1) (RFC 8446, Section
// 4.4.1). Call it after SetHash, on receiving or sending a
// HelloRetryRequest, then add the HelloRetryRequest. It fails on a second
// HelloRetryRequest (Section 4.1.4) or if anything else was added.
func (t *Transcript) ReplaceClientHello1() error {
	switch {
	case t.running == nil:
		return errors.New("keysched: message_hash needs the transcript hash chosen")
	case t.retried:
		return errors.New("keysched: a second HelloRetryRequest in one handshake")
	case t.count != 1 || t.first != typeClientHello:
		return errors.New("keysched: message_hash replaces exactly one ClientHello")
	}
	retried, _ := NewRetryTranscript(t.hash, t.running.Sum(nil))
	*t = *retried
	return nil
}

// Sum returns the transcript hash of everything added so far; the
// transcript keeps running. It panics before SetHash.
func (t *Transcript) Sum() TranscriptHash {
	t.mustHaveHash()
	return TranscriptHash{hash: t.hash, sum: t.running.Sum(nil)}
}

// SumWith returns the transcript hash as if partial were added, without
// adding it: the binder's hash over a ClientHello truncated before its
// binders (RFC 8446, Section 4.2.11.2). It panics before SetHash.
func (t *Transcript) SumWith(partial []byte) TranscriptHash {
	t.mustHaveHash()
	h := cloneHash(t.hash, t.running)
	h.Write(partial)
	return TranscriptHash{hash: t.hash, sum: h.Sum(nil)}
}

func (t *Transcript) mustHaveHash() {
	if t.running == nil {
		panic("keysched: transcript hash read before SetHash")
	}
}

// cloneHash copies a running hash state. Every standard-library hash is a
// hash.Cloner; under GOFIPS140=v1.0.0 they still marshal their state.
func cloneHash(h crypto.Hash, running hash.Hash) hash.Hash {
	if c, ok := running.(hash.Cloner); ok {
		if clone, err := c.Clone(); err == nil {
			return clone
		}
	}
	clone := h.New()
	state, err := running.(encoding.BinaryMarshaler).MarshalBinary()
	if err == nil {
		err = clone.(encoding.BinaryUnmarshaler).UnmarshalBinary(state)
	}
	if err != nil {
		panic("keysched: cannot copy the " + h.String() + " state: " + err.Error())
	}
	return clone
}
