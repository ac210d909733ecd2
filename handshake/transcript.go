package handshake

import "github.com/tlsengine/tlsengine/cipher"

// transcript accumulates the handshake messages as sent and received (never
// re-encoded) for Finished, the EMS session hash and CertificateVerify.
type transcript struct {
	msgs []byte
}

func (t *transcript) add(raw []byte) { t.msgs = append(t.msgs, raw...) }

// sum is the suite's transcript hash of everything added so far.
func (t *transcript) sum(s *cipher.Suite, version uint16) []byte {
	return s.TranscriptHash(version, t.msgs)
}
