package handshake

// TLS 1.3 resumption, client side (RFC 8446, Sections 2.2, 4.2.9 and
// 4.2.11): a ClientHello that offers TLS 1.3 always lists psk_dhe_ke, so
// the server may send tickets; with a TLS 1.3 session for the same server
// name it also offers the session's ticket as the one PSK identity, its
// age obfuscated with ticket_age_add and a binder over the ClientHello.
// The server accepting it skips Certificate and CertificateVerify; the
// server declining it (no pre_shared_key in ServerHello) means a full
// handshake. No early data is sent.

import (
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/keysched"
)

// offerPSK13 adds the session's ticket to a ClientHello that offers TLS
// 1.3, with a zero binder of the right length that bindPSK13 fills in
// once the rest of the message is final.
func (hs *clientHS) offerPSK13(ch *ClientHello) {
	sess := hs.opts.Session
	// psk_dhe_ke only: we never give up forward secrecy (Section 4.2.9).
	ch.PSKModes = []uint8{PSKModeDHE}
	// A TLS 1.2 session is never a TLS 1.3 PSK, and a session is never
	// offered to another server name (Section 4.6.1's "SNI" advice).
	if sess == nil || !sess.Is13() || len(sess.Ticket) == 0 || sess.ServerName != ch.ServerName {
		return
	}
	suite := cipher.Suite13ByID(sess.CipherSuite)
	if suite == nil || len(sess.MasterSecret) != suite.PRFHash.Size() ||
		!slices.ContainsFunc(hs.cfg.suites13(), func(id uint16) bool {
			s := cipher.Suite13ByID(id)
			return s != nil && s.PRFHash == suite.PRFHash
		}) {
		return
	}
	age, ok := sess.TicketAgeMillis(hs.cfg.Now().UnixMilli())
	if !ok {
		return
	}
	hs.offered13, hs.pskSuite = sess, suite
	// Section 4.2.11.1: obfuscated_ticket_age = age + ticket_age_add mod 2^32.
	ch.PSKIdentities = []PSKIdentity{{Identity: sess.Ticket, ObfuscatedTicketAge: age + sess.AgeAdd}}
	ch.PSKBinders = [][]byte{make([]byte, suite.PRFHash.Size())}
}

// bindPSK13 computes the binder of the offered PSK over the final
// ClientHello bytes raw truncated before the binders (Section 4.2.11.2),
// after prefix (nil for the first ClientHello; message_hash and the
// HelloRetryRequest for the second), and writes it into raw and ch.
func (hs *clientHS) bindPSK13(ch *ClientHello, raw []byte, prefix *keysched.Transcript) error {
	if hs.offered13 == nil {
		return nil
	}
	h := hs.pskSuite.PRFHash
	if prefix == nil {
		prefix = keysched.NewTranscript()
		if err := prefix.SetHash(h); err != nil {
			return errInternal(err, "tls: transcript")
		}
	}
	ch.Raw = raw
	binder := keysched.NewEarlySecret(h, hs.offered13.MasterSecret).ResumptionBinderKey().Binder(prefix.SumWith(truncatedHello(ch)))
	copy(raw[len(raw)-len(binder):], binder)
	ch.PSKBinders = [][]byte{binder}
	return nil
}

// keepPSKForRetry keeps the offered PSK in the ClientHello after a
// HelloRetryRequest only if the suite it selected has the PSK's hash
// (Section 4.1.2: the client removes PSKs incompatible with the selected
// suite), with a fresh zero binder.
func (hs *clientHS13) keepPSKForRetry(ch *ClientHello) {
	if hs.offered13 == nil {
		return
	}
	if hs.pskSuite.PRFHash != hs.suite.PRFHash {
		hs.offered13 = nil
		ch.PSKIdentities, ch.PSKBinders = nil, nil
		return
	}
	ch.PSKBinders = [][]byte{make([]byte, hs.suite.PRFHash.Size())}
}

// acceptPSK checks the server's pre_shared_key answer (Section 4.2.11)
// and, when it selected our PSK, starts the key schedule from it.
func (hs *clientHS13) acceptPSK(sh *ServerHello) error {
	if !sh.HasSelectedIdentity {
		hs.offered13 = nil
		return nil
	}
	// "Clients MUST verify that the server's selected_identity is within
	// the range supplied by the client, that the server selected a cipher
	// suite indicating a Hash associated with the PSK, and that a server
	// 'key_share' extension is present if required by the ClientHello
	// 'psk_key_exchange_modes' extension. If these values are not
	// consistent, the client MUST abort the handshake with an
	// 'illegal_parameter' alert."
	if hs.offered13 == nil || sh.SelectedIdentity != 0 {
		return errIllegal("tls: server selected a PSK we did not offer")
	}
	if hs.pskSuite.PRFHash != cipher.Suite13ByID(sh.CipherSuite).PRFHash {
		return errIllegal("tls: server selected a cipher suite whose hash is not our PSK's")
	}
	hs.resumed13 = true
	hs.ks.early = keysched.NewEarlySecret(hs.pskSuite.PRFHash, hs.offered13.MasterSecret)
	hs.peer = peerFromSession(hs.offered13)
	hs.peerScheme = kex.SignatureScheme(hs.offered13.PeerSignatureScheme)
	return nil
}
