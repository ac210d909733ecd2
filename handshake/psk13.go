package handshake

// TLS 1.3 resumption with a ticket's PSK, server side (RFC 8446, Sections
// 2.2 and 4.2.11):
//
//	Client                                Server
//	ClientHello
//	  + key_share
//	  + psk_key_exchange_modes
//	  + pre_shared_key     -------->
//	                                      ServerHello
//	                                        + pre_shared_key
//	                                        + key_share
//	                                      {EncryptedExtensions}
//	                       <--------      {Finished}
//	{Finished}             -------->
//	                       <--------      [NewSessionTicket]
//
// The server takes the first identity whose ticket opens under its keys
// and is usable here, checks that identity's binder, and answers without
// Certificate or CertificateVerify. Anything wrong with a ticket (it does
// not open, is expired, for another suite hash, name or policy) skips it:
// a full handshake, never an error. A wrong binder on the ticket chosen is
// decrypt_error (Section 4.2.11).

import (
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// maxPSKIdentitiesTried bounds the tickets one ClientHello makes us open.
const maxPSKIdentitiesTried = 8

// ticketAgeTolerance is how far, in milliseconds, the ticket age the
// client reports may stray from ours before its ticket is not used: the
// client's clock and the round trip account for the difference (RFC
// 8446, Section 8.3 suggests a window; we use one only as a sanity check,
// as no 0-RTT depends on it).
const ticketAgeTolerance = 60_000

// psk13 is the PSK a server accepted.
type psk13 struct {
	state *session.State
	index uint16
	// dhe is psk_dhe_ke, false for psk_ke.
	dhe bool
	// renew is set when the ticket was sealed under the previous key or
	// is past half its life: the resumption sends a fresh one.
	renew bool
}

// selectPSK looks for a ticket to resume among the client's offered PSKs
// and, when one is usable and its binder verifies, sets hs.psk and the
// early secret. No usable PSK leaves hs.psk nil: a full handshake.
func (hs *serverHS13) selectPSK() error {
	ch, cfg := hs.hello, hs.cfg
	hs.psk = nil
	hs.ks.early = nil
	if !ch.HasExtension(ExtPreSharedKey) {
		return nil
	}
	// RFC 8446, Section 4.2.9: "If clients offer 'pre_shared_key' without
	// a 'psk_key_exchange_modes' extension, servers MUST abort the
	// handshake."
	if !ch.HasExtension(ExtPSKModes) {
		return record.Errorf(record.ErrPeerMisbehaved, record.AlertMissingExtension,
			"tls: ClientHello offers pre_shared_key without psk_key_exchange_modes")
	}
	// RFC 8446, Section 4.2.11: one binder per identity.
	if len(ch.PSKIdentities) != len(ch.PSKBinders) {
		return errIllegal("tls: ClientHello offers %d PSK identities with %d binders", len(ch.PSKIdentities), len(ch.PSKBinders))
	}
	dhe := slices.Contains(ch.PSKModes, PSKModeDHE)
	if !dhe && !(cfg.AllowPSKWithoutDHE && slices.Contains(ch.PSKModes, PSKModePlain)) {
		return nil
	}
	if cfg.Tickets == nil {
		return nil
	}
	nowMillis := cfg.Now().UnixMilli()
	for i, id := range ch.PSKIdentities[:min(len(ch.PSKIdentities), maxPSKIdentitiesTried)] {
		st, oldKey, err := cfg.Tickets.Open(id.Identity)
		if err != nil || !hs.usable13(st, id.ObfuscatedTicketAge, nowMillis) {
			continue
		}
		early := keysched.NewEarlySecret(hs.suite.PRFHash, st.MasterSecret)
		th, err := hs.binderTranscript()
		if err != nil {
			return err
		}
		// RFC 8446, Section 4.2.11: "Prior to accepting PSK key
		// establishment, the server MUST validate the corresponding
		// binder value ... If this value is not present or does not
		// validate, the server MUST abort the handshake." The check is in
		// constant time (hmac.Equal).
		if !early.ResumptionBinderKey().CheckBinder(th, ch.PSKBinders[i]) {
			return record.Errorf(record.ErrPeerMisbehaved, record.AlertDecryptError, "tls: PSK binder does not verify")
		}
		age := nowMillis - st.IssuedAtMillis
		hs.psk = &psk13{state: st, index: uint16(i), dhe: dhe, renew: oldKey || age >= cfg.sessionLifetime()*1000/2}
		hs.ks.early = early
		return nil
	}
	return nil
}

// usable13 applies the checks a ticket's session must pass to resume
// here.
func (hs *serverHS13) usable13(st *session.State, obfuscatedAge uint32, nowMillis int64) bool {
	cfg, ch := hs.cfg, hs.hello
	// A TLS 1.2 session is never a TLS 1.3 PSK.
	if !st.Is13() || len(st.MasterSecret) != hs.suite.PRFHash.Size() {
		return false
	}
	// RFC 8446, Section 4.2.11: the PSK is usable only with a suite of the
	// same hash; a ticket for another hash is skipped.
	orig := cipher.Suite13ByID(st.CipherSuite)
	if orig == nil || orig.PRFHash != hs.suite.PRFHash {
		return false
	}
	// A session never crosses server names, contexts or client
	// certificate policies, as in TLS 1.2 (resume12.go).
	if st.ServerName != ch.ServerName || string(st.Context) != string(cfg.SessionIDContext) || st.ClientAuth != uint8(cfg.ClientAuth) {
		return false
	}
	// RFC 8446, Section 4.6.1: not past ticket_lifetime, and never past
	// the server's current session timeout.
	ours, ok := st.TicketAgeMillis(nowMillis)
	if !ok || int64(ours) >= cfg.sessionLifetime()*1000 {
		return false
	}
	// Section 4.2.11.1: the client's age is obfuscated_ticket_age minus
	// ticket_age_add, mod 2^32.
	theirs := obfuscatedAge - st.AgeAdd
	d := int64(theirs) - int64(ours)
	return d <= ticketAgeTolerance && d >= -ticketAgeTolerance
}

// binderTranscript is the transcript hash a binder covers (RFC 8446,
// Section 4.2.11.2): the ClientHello truncated before its binders list,
// after message_hash and the HelloRetryRequest when there was one.
func (hs *serverHS13) binderTranscript() (keysched.TranscriptHash, error) {
	t := keysched.NewTranscript()
	if err := t.SetHash(hs.suite.PRFHash); err != nil {
		return keysched.TranscriptHash{}, errInternal(err, "tls: transcript")
	}
	if hs.retried {
		t.Add(hs.firstHello.Raw)
		if err := t.ReplaceClientHello1(); err != nil {
			return keysched.TranscriptHash{}, errInternal(err, "tls: transcript")
		}
		t.Add(hs.hrrRaw)
	}
	return t.SumWith(truncatedHello(hs.hello)), nil
}

// truncatedHello is a ClientHello's bytes without its binders list, the
// last field of its last extension (RFC 8446, Section 4.2.11.2).
func truncatedHello(ch *ClientHello) []byte {
	n := 2
	for _, b := range ch.PSKBinders {
		n += 1 + len(b)
	}
	return ch.Raw[:len(ch.Raw)-n]
}

// resumeFlight answers a ClientHello whose PSK we accepted: the ALPN
// protocol is chosen afresh, and no certificate is sent (RFC 8446,
// Section 2.2).
func (hs *serverHS13) resumeFlight(m *Machine) (state, error) {
	alpn, ok := selectALPN(hs.hello.ALPNProtocols, hs.cfg.ALPNProtocols)
	if !ok {
		// RFC 7301, Section 3.2: no overlap is fatal.
		return nil, record.Errorf(record.ErrIncompatible, record.AlertNoApplicationProtocol,
			"tls: no application protocol in common with the client")
	}
	hs.alpn = alpn
	hs.peer = peerFromSession(hs.psk.state)
	hs.peerScheme = kex.SignatureScheme(hs.psk.state.PeerSignatureScheme)
	if !hs.psk.dhe {
		hs.group = 0 // psk_ke: no key exchange
	}
	return hs.sendFlight(m)
}
