package handshake

import (
	"hash"

	"github.com/tlsengine/tlsengine/cipher"
)

// transcript is the TLS 1.0 to 1.2 handshake transcript: the messages as
// sent and received (never re-encoded), for Finished (RFC 5246, Section
// 7.4.9), the extended master secret's session hash (RFC 7627, Section 3)
// and CertificateVerify (RFC 5246, Section 7.4.8).
//
// Until the ServerHello fixes the suite, and so the hash, it holds the
// messages; setHash hashes them and from then on each message is hashed as
// it is added. sum reads the running hash without changing it (hash.Hash's
// Sum is a snapshot, as keysched.Transcript's Sum for TLS 1.3), so no
// message is hashed twice.
//
// CertificateVerify signs the messages themselves: its signature scheme's
// hash may differ from the PRF hash and Ed25519 signs the whole message.
// setHash is told whether one may still be signed or verified; only then
// are the messages kept, until takeMessages or drop.
type transcript struct {
	running hash.Hash // nil until setHash
	// msgs holds every message added while running is nil or keep is set.
	msgs []byte
	keep bool
}

func (t *transcript) add(raw []byte) {
	if t.running != nil {
		t.running.Write(raw)
		if !t.keep {
			return
		}
	}
	t.msgs = append(t.msgs, raw...)
}

// setHash starts the running hash of suite s at version and hashes the
// messages added so far; keep says whether a CertificateVerify may still
// need them.
func (t *transcript) setHash(s *cipher.Suite, version uint16, keep bool) {
	t.running = s.NewTranscriptHash(version)
	t.running.Write(t.msgs)
	t.keep = keep
	if !keep {
		t.msgs = nil
	}
}

// sum is the transcript hash of everything added so far. Every path that
// reaches a Finished or the master secret passes the ServerHello, where
// setHash is called, first.
func (t *transcript) sum() []byte {
	return t.running.Sum(nil)
}

// takeMessages returns every message added so far, which a CertificateVerify
// signs, and stops keeping them. The client keeps them whenever it has a
// certificate to send, the server whenever it asks for one: being asked
// for them otherwise is a bug.
func (t *transcript) takeMessages() []byte {
	if !t.keep {
		panic("handshake: CertificateVerify needs the transcript messages, which were not kept")
	}
	msgs := t.msgs
	t.drop()
	return msgs
}

// drop stops keeping the messages: no CertificateVerify will need them.
func (t *transcript) drop() {
	t.keep, t.msgs = false, nil
}
