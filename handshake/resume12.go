package handshake

// TLS 1.2 session resumption, server side (RFC 5246, Section 7.3, the
// abbreviated handshake; RFC 5077 for tickets):
//
//	Client                                Server
//	ClientHello (session id or ticket) -------->
//	                                      ServerHello (same session id)
//	                                      NewSessionTicket*
//	                                      [ChangeCipherSpec]
//	                     <--------        Finished
//	[ChangeCipherSpec]
//	Finished             -------->

import (
	"bytes"
	"errors"
	"slices"

	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// findSession returns the session the client asks to resume, if it may be
// resumed here. A ticket or id that is unknown, expired, from another
// context, server name or client-certificate policy, or for a suite or
// version we would not pick now means a full handshake, never an error;
// the one error is RFC 7627, Section 5.3's abort.
func (hs *serverHS) findSession() (*session.State, error) {
	cfg, ch := hs.cfg, hs.hello
	var st *session.State
	byTicket := false
	switch {
	case len(ch.SessionTicket) > 0 && cfg.Tickets != nil:
		s, oldKey, err := cfg.Tickets.Open(ch.SessionTicket)
		if err != nil {
			return nil, nil
		}
		st, byTicket, hs.renewTicket = s, true, oldKey
	case len(ch.SessionID) > 0 && cfg.SessionCache != nil:
		s, ok := cfg.SessionCache.Get(ch.SessionID)
		if !ok {
			return nil, nil
		}
		st = s
	default:
		return nil, nil
	}
	return hs.usable(st, byTicket)
}

// usable applies the resumption checks to a session found by ticket, in
// the cache or by the application.
func (hs *serverHS) usable(st *session.State, byTicket bool) (*session.State, error) {
	cfg, ch := hs.cfg, hs.hello
	now, lifetime := cfg.Now().Unix(), cfg.sessionLifetime()
	if st.Expired(now, lifetime) {
		if !byTicket && cfg.SessionCache != nil {
			cfg.SessionCache.Delete(ch.SessionID)
		}
		return nil, nil
	}
	suite := cfg.suiteByID(st.CipherSuite)
	if st.Version != hs.version || suite == nil || !suite.SupportsVersion(hs.version) ||
		!slices.Contains(ch.CipherSuites, st.CipherSuite) || !slices.Contains(cfg.suites(), st.CipherSuite) ||
		st.ServerName != ch.ServerName || !bytes.Equal(st.Context, cfg.SessionIDContext) ||
		st.ClientAuth != uint8(cfg.ClientAuth) {
		return nil, nil
	}
	ems := ch.ExtendedMasterSecret && !cfg.DisableExtendedMasterSecret
	if st.ExtendedMasterSecret && !ems {
		// RFC 7627, Section 5.3: the server MUST abort.
		return nil, errHandshakeFailure("tls: client resumed an extended-master-secret session without the extension")
	}
	if !st.ExtendedMasterSecret && ems {
		// RFC 7627, Section 5.3: MUST NOT resume; a full handshake.
		return nil, nil
	}
	// Tickets are renewed past half their life, so an active client
	// never falls back to a full handshake.
	if byTicket && now-st.CreatedAt >= lifetime/2 {
		hs.renewTicket = true
	}
	return st, nil
}

// SessionLookupDecision asks the application for the session stored
// under a client's session id (Node's resumeSession). Answer with the
// *session.State, nil when unknown; Fail aborts the handshake.
type SessionLookupDecision struct {
	question
	ID []byte
}

// awaitSessionLookup waits for the application's answer.
type awaitSessionLookup struct {
	hs *serverHS
	d  *SessionLookupDecision
	// tls13 is set for a TLS 1.3 ClientHello, whose answer is ignored.
	tls13 bool
}

func (s *awaitSessionLookup) handle(m *Machine, in input) (state, error) {
	return nil, unexpected(in, "nothing while a session lookup is pending")
}

func (s *awaitSessionLookup) decision() Decision {
	if s.d == nil {
		s.d = &SessionLookupDecision{question{"tls: session lookup failed"}, s.hs.hello.SessionID}
	}
	return s.d
}

func (s *awaitSessionLookup) resolve(m *Machine, a Answer) (state, error) {
	hs, st := s.hs, a.session
	if s.tls13 {
		return hs.chooseContext(m, hs.negotiate13)
	}
	if st != nil {
		usable, err := hs.usable(st, false)
		if err != nil {
			return nil, err
		}
		if usable != nil {
			return hs.resume(m, usable)
		}
	}
	return hs.chooseContext(m, hs.full)
}

// resume sends the server's flight of an abbreviated handshake.
func (hs *serverHS) resume(m *Machine, st *session.State) (state, error) {
	cfg, ch := hs.cfg, hs.hello
	hs.resumed = st
	hs.suite = cfg.suiteByID(st.CipherSuite)
	hs.t.setHash(hs.suite, hs.version, false) // no CertificateVerify when resuming
	hs.ems = st.ExtendedMasterSecret
	hs.master = st.MasterSecret
	// RFC 7366 is negotiated afresh on every handshake, as OpenSSL does.
	hs.etm = ch.EncryptThenMAC && !hs.suite.AEAD() && !cfg.DisableEncryptThenMAC
	alpn, ok := selectALPN(ch.ALPNProtocols, cfg.ALPNProtocols)
	if !ok {
		return nil, record.Errorf(record.ErrIncompatible, record.AlertNoApplicationProtocol,
			"tls: no application protocol in common with the client")
	}
	hs.alpn = alpn
	sh := &ServerHello{
		Version:                      hs.version,
		Random:                       hs.serverRandom,
		SessionID:                    ch.SessionID,
		CipherSuite:                  hs.suite.ID,
		SecureRenegotiationSupported: hs.secureReneg,
		SecureRenegotiation:          hs.renegInfo,
		ExtendedMasterSecret:         hs.ems,
		EncryptThenMAC:               hs.etm,
		ALPNProtocol:                 alpn,
		TicketSupported:              hs.renewTicket,
	}
	sh.HasExtensions = sh.SecureRenegotiationSupported || sh.ExtendedMasterSecret || sh.ALPNProtocol != "" ||
		sh.TicketSupported || sh.EncryptThenMAC
	if err := hs.send(m, sh); err != nil {
		return nil, err
	}
	if hs.renewTicket {
		renewed := *st
		renewed.CreatedAt = cfg.Now().Unix()
		if _, err := hs.sendTicket(m, &renewed); err != nil {
			return nil, err
		}
		hs.resumed = &renewed
	}
	if err := hs.keys.derive(m, hs.suite, hs.version, hs.master, ch.Random, hs.serverRandom, false, hs.etm); err != nil {
		return nil, err
	}
	m.keylogMaster(ch.Random, hs.master)
	if err := hs.keys.changeWrite(m); err != nil {
		return nil, err
	}
	sf := hs.suite.FinishedVerifyData(hs.version, hs.master, false, hs.t.sum())
	hs.serverFinished = sf
	if err := hs.send(m, &Finished{VerifyData: sf}); err != nil {
		return nil, err
	}
	hs.peer = peerFromSession(st)
	hs.group, hs.peerScheme = kex.Group(st.Group), kex.SignatureScheme(st.PeerSignatureScheme)
	return &expectClientCCS{hs: hs}, nil
}

// newSession is the state a full handshake leaves for resumption.
func (hs *serverHS) newSession() *session.State {
	st := &session.State{
		Version:              hs.version,
		CipherSuite:          hs.suite.ID,
		MasterSecret:         hs.master,
		ExtendedMasterSecret: hs.ems,
		CreatedAt:            hs.cfg.Now().Unix(),
		ServerName:           hs.hello.ServerName,
		Context:              hs.cfg.SessionIDContext,
		ClientAuth:           uint8(hs.cfg.ClientAuth),
		SessionID:            hs.sessionID,
		Group:                uint16(hs.group),
		PeerSignatureScheme:  uint16(hs.peerScheme),
	}
	addPeer(st, hs.peer)
	return st
}

// addPeer records the peer's chain and verification outcome in st.
func addPeer(st *session.State, pv *peerVerification) {
	if pv == nil {
		return
	}
	for _, c := range pv.certs {
		st.PeerCertificates = append(st.PeerCertificates, c.Raw)
	}
	st.Parsed = pv.certs
	if ve, ok := pv.err.(*x509lite.VerifyError); ok {
		st.VerifyCode, st.VerifyReason = ve.Code, ve.Reason
	}
}

// peerFromSession rebuilds the peer view of the original handshake: the
// chain and whether it was authorized.
func peerFromSession(st *session.State) *peerVerification {
	if len(st.PeerCertificates) == 0 && st.VerifyCode == "" {
		return nil
	}
	pv := &peerVerification{}
	if certs, ok := st.Parsed.([]*x509lite.Certificate); ok && len(certs) == len(st.PeerCertificates) {
		pv.certs = certs
	} else {
		for _, der := range st.PeerCertificates {
			if c, err := x509lite.ParseCertificate(der); err == nil {
				pv.certs = append(pv.certs, c)
			}
		}
	}
	if st.VerifyCode != "" {
		pv.err = &x509lite.VerifyError{Code: st.VerifyCode, Reason: st.VerifyReason}
	}
	return pv
}

// sendTicket seals st and sends it in a NewSessionTicket; sealed reports
// whether the ticket carries it. A state the ticket format cannot hold
// (more than 16 client certificates, say) is no reason to fail the
// handshake: RFC 5077, Section 3.3 lets a server that promised a ticket
// send an empty one instead.
func (hs *serverHS) sendTicket(m *Machine, st *session.State) (sealed bool, err error) {
	ticket, err := hs.cfg.Tickets.Seal(st, hs.cfg.Rand)
	if errors.Is(err, session.ErrUnencodable) {
		return false, hs.send(m, &NewSessionTicket{})
	}
	if err != nil {
		return false, errInternal(err, "tls: sealing a session ticket")
	}
	return true, hs.send(m, &NewSessionTicket{LifetimeHint: uint32(hs.cfg.sessionLifetime()), Ticket: ticket})
}
