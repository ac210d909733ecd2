package handshake

// TLS 1.3 session tickets (RFC 8446, Section 4.6.1): the server sends
// NewSessionTickets after the handshake, each with its own nonce and so its
// own PSK, HKDF-Expand-Label(resumption_master_secret, "resumption",
// ticket_nonce); the client turns each into a session it can offer later.
// Both sides report every ticket through Sink.Session.

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/session"
)

// DefaultNumTickets13 is how many tickets a server sends after a full
// handshake, as OpenSSL and so Node v20 do.
const DefaultNumTickets13 = 2

// maxTickets13 bounds the tickets a client turns into sessions on one
// connection; a server that sends more gets the rest dropped.
const maxTickets13 = 32

// numTickets13 is how many tickets go out after this handshake: the
// configured number after a full handshake; after a resumption one when
// the ticket needs renewing (sealed under the previous key, or past half
// its life, as our TLS 1.2 tickets), else none, as Node v20, whose ticket
// key callback asks OpenSSL for no renewal; none without ticket keys or when the client
// cannot use a PSK with a mode we accept (RFC 8446, Section 4.2.9: the
// server uses only modes the client lists, and OpenSSL sends no ticket to
// a client without psk_key_exchange_modes).
func (hs *serverHS13) numTickets13() int {
	cfg := hs.cfg
	modes := hs.hello.PSKModes
	if cfg.Tickets == nil || !(slices.Contains(modes, PSKModeDHE) || cfg.AllowPSKWithoutDHE && slices.Contains(modes, PSKModePlain)) {
		return 0
	}
	n := cfg.NumTickets13
	if n == 0 {
		n = DefaultNumTickets13
	}
	if hs.psk != nil {
		n = 0
		if hs.psk.renew {
			n = 1
		}
	}
	return max(n, 0)
}

// sendTickets sends the NewSessionTickets, their PSKs derived from the
// transcript hash th through the client's Finished (the one received, or
// the one expected when they go out with our Finished), and reports each
// ticket's session (Node's newSession).
func (hs *serverHS13) sendTickets(m *Machine, th keysched.TranscriptHash) error {
	n := hs.numTickets13()
	if n == 0 {
		return nil
	}
	cfg := hs.cfg
	rms := hs.ks.master.ResumptionMasterSecret(th)
	now := cfg.Now()
	// RFC 8446, Section 4.6.1: the lifetime is at most seven days; ours is
	// the session timeout.
	lifetime := uint32(min(cfg.sessionLifetime(), session.MaxTicketLifetime13))
	base := session.State{
		Version:             cipher.VersionTLS13,
		CipherSuite:         hs.suite.ID,
		Group:               uint16(hs.group),
		PeerSignatureScheme: uint16(hs.peerScheme),
		CreatedAt:           now.Unix(),
		ServerName:          hs.hello.ServerName,
		Context:             cfg.SessionIDContext,
		ClientAuth:          uint8(cfg.ClientAuth),
	}
	if hs.psk != nil {
		// A resumption's tickets carry the original peer and group.
		orig := hs.psk.state
		base.PeerCertificates, base.Parsed = orig.PeerCertificates, orig.Parsed
		base.VerifyCode, base.VerifyReason = orig.VerifyCode, orig.VerifyReason
		base.PeerSignatureScheme = orig.PeerSignatureScheme
	} else {
		addPeer(&base, hs.peer)
	}
	var rnd [4 + 32]byte
	for i := range n {
		if _, err := readFull(cfg.Rand, rnd[:]); err != nil {
			return err
		}
		nonce := []byte{byte(i)}
		psk, err := rms.TicketPSK(nonce)
		if err != nil {
			return errInternal(err, "tls: ticket PSK")
		}
		st := base
		st.MasterSecret = psk
		// Node's newSession event names each session by a 32-byte id.
		st.SessionID = slices.Clone(rnd[4:])
		st.Resumption13 = session.Resumption13{TicketNonce: nonce, AgeAdd: binary.BigEndian.Uint32(rnd[:4]),
			IssuedAtMillis: now.UnixMilli(), MaxLifetime: lifetime, ALPN: hs.alpn}
		ticket, err := cfg.Tickets.Seal(&st, cfg.Rand)
		if errors.Is(err, session.ErrUnencodable) {
			// A session the ticket cannot hold (a long peer chain) is
			// simply not offered for resumption.
			return nil
		}
		if err != nil {
			return errInternal(err, "tls: sealing a session ticket")
		}
		raw, err := (&NewSessionTicket13{Lifetime: lifetime, AgeAdd: st.AgeAdd, Nonce: nonce, Ticket: ticket}).Marshal()
		if err != nil {
			return errInternal(err, "tls: marshaling NewSessionTicket")
		}
		m.sink.SendMessage(raw)
		m.sink.Session(&st)
	}
	return nil
}

// clientTickets turns a client's NewSessionTickets into sessions.
type clientTickets struct {
	rms *keysched.ResumptionMasterSecret
	// base is the session every ticket of the connection shares: suite,
	// server name, ALPN and the server's certificate state.
	base     session.State
	received int
}

// newClientTickets is called once the client's Finished is in the
// transcript, which resumption_master_secret covers (RFC 8446, Section
// 7.1).
func (hs *clientHS13) newClientTickets() *clientTickets {
	t := &clientTickets{rms: hs.ks.master.ResumptionMasterSecret(hs.ks.t.Sum())}
	t.base = session.State{
		Version:             cipher.VersionTLS13,
		CipherSuite:         hs.suite.ID,
		Group:               uint16(hs.group),
		PeerSignatureScheme: uint16(hs.peerScheme),
		ServerName:          hs.hello.ServerName,
	}
	t.base.ALPN = hs.alpn
	if hs.resumed13 {
		orig := hs.offered13
		t.base.PeerCertificates, t.base.Parsed = orig.PeerCertificates, orig.Parsed
		t.base.VerifyCode, t.base.VerifyReason = orig.VerifyCode, orig.VerifyReason
		t.base.PeerSignatureScheme = orig.PeerSignatureScheme
	} else {
		addPeer(&t.base, hs.peer)
	}
	return t
}

// receive turns one NewSessionTicket into a session (RFC 8446, Section
// 4.6.1).
func (t *clientTickets) receive(m *Machine, nst *NewSessionTicket13) error {
	// "Servers MUST NOT use any value greater than 604800 seconds": a
	// longer lifetime is illegal_parameter, as in BoringSSL.
	if nst.Lifetime > session.MaxTicketLifetime13 {
		return errIllegal("tls: NewSessionTicket lifetime of %d seconds, more than 7 days", nst.Lifetime)
	}
	// "The value of zero indicates that the ticket should be discarded
	// immediately." Tickets past our bound are dropped too; an early_data
	// extension is ignored, as we never send 0-RTT.
	if nst.Lifetime == 0 || t.received >= maxTickets13 {
		return nil
	}
	t.received++
	psk, err := t.rms.TicketPSK(nst.Nonce)
	if err != nil {
		return errIllegal("tls: %v", err)
	}
	now := m.cfg.Now()
	st := t.base
	st.MasterSecret = psk
	st.CreatedAt = now.Unix()
	st.Ticket = slices.Clone(nst.Ticket)
	st.TicketLifetime = nst.Lifetime
	st.Resumption13 = session.Resumption13{TicketNonce: slices.Clone(nst.Nonce), AgeAdd: nst.AgeAdd,
		IssuedAtMillis: now.UnixMilli(), MaxLifetime: nst.Lifetime, ALPN: t.base.ALPN}
	m.sink.Session(&st)
	return nil
}
