package handshake

// The TLS 1.2 client (RFC 5246, Section 7.3). States: clientStart ->
// expectServerHello -> expectServerCertificate -> expectServerKeyExchange ->
// expectServerHelloDone (CertificateRequest allowed before it) ->
// expectServerCCS -> expectServerFinished -> established.

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// clientHS is the data of one client handshake.
type clientHS struct {
	cfg         *Config
	opts        ClientOptions
	hello       *ClientHello
	serverHello *ServerHello
	version     uint16
	negotiated12
	certRequest *CertificateRequest
	ka          keyAgreement12
	t           transcript
	// keys are the protections our and the server's ChangeCipherSpec
	// switch to; clientFinished and serverFinished this handshake's
	// verify_data.
	keys                           pending12
	clientFinished, serverFinished []byte
	// prev is the connection a renegotiation started from (nil on the
	// first handshake): what renegotiation_info binds to.
	prev *established12

	// Sessions: offered is the session we asked to resume, resumed is set
	// when the server agreed; ticket is a NewSessionTicket's.
	offered        *session.State
	expectTicket   bool
	ticket         []byte
	ticketLifetime uint32

	// offered13 is the TLS 1.3 session whose ticket we offer as a PSK
	// (resume13.go), pskSuite its suite.
	offered13 *session.State
	pskSuite  *cipher.Suite

	// renegotiating is set on a renegotiation's handshake.
	renegotiating bool
	// shares13 are the key shares of a ClientHello that offers TLS 1.3
	// (nil when it does not); client13.go goes on with them.
	shares13 []kex.KeyShare
}

// clientStart is the client before its ClientHello. renegotiating is set
// when it starts a renegotiation, with cfg the configuration to use.
type clientStart struct {
	opts          ClientOptions
	renegotiating bool
	cfg           *Config
	prev          *established12
}

// clientRenegotiate sends the ClientHello of a renegotiation (RFC 5746,
// Section 3.5) with the configuration cfg (nil: the connection's). No
// session is offered: a renegotiation is a full handshake, so a server
// that asks for a client certificate gets one.
func (m *Machine) clientRenegotiate(prev *established12, cfg *Config) (state, error) {
	opts := m.clientOpts
	opts.Session = nil
	return (&clientStart{opts: opts, renegotiating: true, cfg: cfg, prev: prev}).start(m)
}

func (s *clientStart) handle(m *Machine, in input) (state, error) {
	return nil, unexpected(in, "nothing before the ClientHello is sent")
}

// start sends the ClientHello (RFC 5246, Section 7.4.1.2).
func (s *clientStart) start(m *Machine) (state, error) {
	cfg := m.cfg
	if s.cfg != nil {
		cfg = s.cfg
	}
	hs := &clientHS{cfg: cfg, opts: s.opts, renegotiating: s.renegotiating, prev: s.prev}
	if suites := offeredSuites(cfg); (len(suites) == 0 || len(suites) == 1 && cfg.suiteByID(suites[0]) == nil) && !offers13(cfg, s.renegotiating) {
		return nil, errMisuse("tls: no configured cipher suite can be used with versions 0x%04x to 0x%04x", cfg.minVersion(), cfg.maxVersion())
	}
	random := make([]byte, 32)
	if _, err := readFull(cfg.Rand, random); err != nil {
		return nil, err
	}
	ch := &ClientHello{
		Version:                      min(cfg.maxVersion(), cipher.VersionTLS12),
		Random:                       random,
		CipherSuites:                 offeredSuites(cfg),
		CompressionMethods:           []uint8{0},
		HasExtensions:                true,
		SupportedPoints:              []uint8{0},
		SignatureSchemes:             signatureSchemesFor(cfg),
		ALPNProtocols:                cfg.ALPNProtocols,
		ExtendedMasterSecret:         !cfg.DisableExtendedMasterSecret,
		SecureRenegotiationSupported: true,
		OCSPStapling:                 s.opts.RequestOCSP,
	}
	if s.renegotiating {
		// RFC 5746, Section 3.5: renegotiation_info carries our last
		// verify_data.
		ch.SecureRenegotiation = append([]byte(nil), hs.prev.clientFinished...)
	}
	// RFC 6066, Section 3: literal IP addresses are not permitted in
	// server_name, and the name goes "without a trailing dot".
	if name := strings.TrimSuffix(s.opts.ServerName, "."); name != "" {
		if strings.ContainsFunc(name, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return nil, errMisuse("tls: server name %q is not an ASCII host name", s.opts.ServerName)
		}
		if _, err := netip.ParseAddr(name); err != nil {
			ch.ServerName = name
		}
	}
	ch.SupportedGroups = offeredECDHE(cfg.groups())
	ch.TicketSupported = !cfg.DisableTickets
	// RFC 7366: ask for encrypt-then-MAC when we offer a CBC suite.
	if !cfg.DisableEncryptThenMAC {
		for _, id := range ch.CipherSuites {
			if st := cfg.suiteByID(id); st != nil && !st.AEAD() {
				ch.EncryptThenMAC = true
				break
			}
		}
	}
	if offers13(cfg, s.renegotiating) {
		if err := hs.offer13(ch); err != nil {
			return nil, err
		}
		hs.offerPSK13(ch)
	}
	if sess := s.opts.Session; sess != nil && hs.canResume(sess, ch.ServerName) {
		hs.offered = sess
		switch {
		case len(sess.Ticket) > 0 && !cfg.DisableTickets:
			// RFC 5077, Section 3.4: a fresh session id, which the
			// server echoes if it accepts the ticket.
			ch.SessionTicket = sess.Ticket
			ch.SessionID = make([]byte, 32)
			if _, err := readFull(cfg.Rand, ch.SessionID); err != nil {
				return nil, err
			}
		case len(sess.SessionID) > 0:
			ch.SessionID = sess.SessionID
		default:
			hs.offered = nil
		}
	}
	raw, err := ch.Marshal()
	if err != nil {
		return nil, errInternal(err, "tls: marshaling ClientHello")
	}
	// RFC 7685, Section 4: some middleboxes hang on ClientHellos of 256
	// to 511 bytes; a padding extension lifts ours to 512.
	if n := len(raw); n >= 256 && n < 512 {
		ch.PaddingLen = max(512-n-4, 1)
		if raw, err = ch.Marshal(); err != nil {
			return nil, errInternal(err, "tls: marshaling ClientHello")
		}
	}
	// Marshal recorded the extension list that ServerHello is checked
	// against (a test checks it equals what parsing our bytes gives).
	if err := hs.bindPSK13(ch, raw, nil); err != nil {
		return nil, err
	}
	ch.Raw = raw
	hs.hello = ch
	hs.t.add(raw)
	// OpenSSL and most clients write the first ClientHello record with
	// version TLS 1.0 for compatibility with old servers; a renegotiation
	// keeps the negotiated version.
	if !s.renegotiating {
		m.sink.SetVersion(cipher.VersionTLS10)
	}
	m.sink.SendMessage(raw)
	return &expectServerHello{hs: hs}, nil
}

func (hs *clientHS) send(m *Machine, msg Message) error {
	raw, err := msg.Marshal()
	if err != nil {
		return errInternal(err, "tls: marshaling %s", msg.Type())
	}
	hs.t.add(raw)
	m.sink.SendMessage(raw)
	return nil
}

// expectServerHello checks the server's choices against our offer.
type expectServerHello struct{ hs *clientHS }

func (s *expectServerHello) handle(m *Machine, in input) (state, error) {
	sh, ok := in.msg.(*ServerHello)
	if !ok {
		return nil, unexpected(in, "ServerHello")
	}
	hs := s.hs
	if hs.shares13 != nil && (sh.SupportedVersion != 0 || sh.IsHelloRetryRequest()) {
		return hs.serverHello13(m, sh, in.raw)
	}
	hs.t.add(in.raw)
	cfg := hs.cfg
	if sh.Version < cfg.minVersion() || sh.Version > cfg.maxVersion() {
		return nil, record.Errorf(record.ErrIncompatible, record.AlertProtocolVersion,
			"tls: server selected unsupported version 0x%04x", sh.Version)
	}
	// RFC 5246, Section 7.4.1.3 and RFC 5746, Section 3.5: a
	// renegotiation continues the connection's version; checked before
	// m.version takes the new one.
	if hs.renegotiating && sh.Version != m.version {
		return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertProtocolVersion,
			"tls: the server changed the version from 0x%04x to 0x%04x in a renegotiation", m.version, sh.Version)
	}
	// RFC 8446, Section 4.1.3: a client that offered TLS 1.2 checks
	// that a lower version was not forced on a server that marked its
	// random. Either mark (a TLS 1.3 server writes ...\x01) says the
	// server could have given us TLS 1.2.
	// Having offered TLS 1.3, it checks them on TLS 1.2 too.
	if (cfg.maxVersion() >= cipher.VersionTLS12 && sh.Version < cipher.VersionTLS12 || hs.shares13 != nil) && len(sh.Random) == 32 &&
		(string(sh.Random[24:]) == downgradeTLS11 || string(sh.Random[24:]) == downgradeTLS12) {
		return nil, errIllegal("tls: downgrade to version 0x%04x detected (server random carries the RFC 8446 sentinel)", sh.Version)
	}
	hs.version = sh.Version
	m.version = sh.Version
	m.sink.SetVersion(sh.Version)
	// RFC 5246, Section 7.4.1.3: the suite and compression MUST be ones the
	// client offered.
	if !slices.Contains(hs.hello.CipherSuites, sh.CipherSuite) {
		return nil, errIllegal("tls: server selected a cipher suite that was not offered")
	}
	hs.suite = hs.cfg.suiteByID(sh.CipherSuite)
	if hs.suite == nil || !hs.suite.SupportsVersion(sh.Version) {
		return nil, errIllegal("tls: server selected cipher suite 0x%04x that cannot be used with version 0x%04x", sh.CipherSuite, sh.Version)
	}
	if hs.ka = newKeyAgreement12(hs.suite.KX); hs.ka == nil {
		return nil, errIllegal("tls: server selected cipher suite 0x%04x, whose key exchange we do not implement", sh.CipherSuite)
	}
	if sh.CompressionMethod != 0 {
		return nil, errIllegal("tls: server selected compression method %d", sh.CompressionMethod)
	}
	// RFC 5246, Section 7.4.1.4: an extension the client did not offer is
	// fatal with unsupported_extension.
	for _, e := range sh.Extensions {
		if !slices.Contains(hs.hello.Extensions, e) {
			return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertUnsupportedExtension,
				"tls: server sent unrequested extension %v", e)
		}
	}
	if hs.renegotiating {
		// RFC 5746, Section 3.5: the server must echo both verify_data
		// of the previous handshake.
		if !sh.SecureRenegotiationSupported || !finishedEqual(sh.SecureRenegotiation, hs.prev.renegotiationInfo()) {
			return nil, errHandshakeFailure("tls: renegotiation_info does not match the previous handshake")
		}
		// RFC 7627, Section 5.2: the extended master secret, once used
		// (or not), stays so for the connection.
		if sh.ExtendedMasterSecret != hs.prev.ems {
			return nil, errHandshakeFailure("tls: the extended master secret setting changed in a renegotiation")
		}
	} else if sh.SecureRenegotiationSupported && len(sh.SecureRenegotiation) != 0 {
		// RFC 5746, Section 3.4: on an initial handshake the extension
		// must be empty.
		return nil, errHandshakeFailure("tls: initial handshake with non-empty renegotiation_info")
	}
	// RFC 8422, Section 5.2: the server's point format list must
	// include the uncompressed format.
	if slices.Contains(sh.Extensions, ExtECPointFormats) && !slices.Contains(sh.SupportedPoints, 0) {
		return nil, errIllegal("tls: the server's ec_point_formats lacks the uncompressed format")
	}
	hs.secureReneg = sh.SecureRenegotiationSupported
	hs.ems = sh.ExtendedMasterSecret
	// RFC 7366, Section 3: never with an AEAD suite.
	if sh.EncryptThenMAC && hs.suite.AEAD() {
		return nil, errIllegal("tls: server selected encrypt-then-MAC with an AEAD suite")
	}
	hs.etm = sh.EncryptThenMAC
	// RFC 7301, Section 3.1: the protocol MUST be one the client offered.
	if sh.ALPNProtocol != "" && !slices.Contains(hs.hello.ALPNProtocols, sh.ALPNProtocol) {
		return nil, errIllegal("tls: server selected unadvertised ALPN protocol %q", sh.ALPNProtocol)
	}
	hs.serverHello = sh
	hs.serverRandom = sh.Random
	hs.expectTicket = sh.TicketSupported
	if sh.TicketSupported && !hs.hello.TicketSupported {
		return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertUnsupportedExtension, "tls: server sent unrequested extension session_ticket")
	}
	// RFC 5246, Section 7.4.1.3: a ServerHello echoing our session id
	// resumes that session. Without an offered session the id is TLS
	// 1.3's compatibility one (RFC 8446, Appendix D.4): nothing to resume.
	if hs.offered == nil && len(sh.SessionID) > 0 && bytes.Equal(sh.SessionID, hs.hello.SessionID) {
		if hs.offered13 != nil {
			// We offered a TLS 1.3 session, which this version cannot
			// resume.
			return nil, errIllegal("tls: the server resumed the session with a different version")
		}
		return nil, errIllegal("tls: the server echoed a session id we offered no session for")
	}
	resuming := hs.offered != nil && len(sh.SessionID) > 0 && bytes.Equal(sh.SessionID, hs.hello.SessionID)
	// RFC 5246, Section 7.4.8: a CertificateVerify signs the messages
	// themselves; we may send one if a full handshake goes on and we have
	// a certificate for a CertificateRequest.
	hs.t.setHash(hs.suite, hs.version, !resuming && len(hs.cfg.Certificates) > 0)
	if resuming {
		return hs.resume(m)
	}
	return &expectServerCertificate{hs: hs}, nil
}

// canResume reports whether sess may be offered on this connection: our
// configuration still allows its version and suite, and it is for the
// same server name.
func (hs *clientHS) canResume(sess *session.State, serverName string) bool {
	cfg := hs.cfg
	return !sess.Is13() && sess.Version >= cfg.minVersion() && sess.Version <= cfg.maxVersion() &&
		slices.Contains(cfg.suites(), sess.CipherSuite) && sess.ServerName == serverName &&
		len(sess.MasterSecret) == 48
}

// resume continues an abbreviated handshake the server accepted: the
// version, suite and extended master secret must be the session's (RFC
// 5246, Section 7.4.1.3; RFC 7627, Section 5.3).
func (hs *clientHS) resume(m *Machine) (state, error) {
	sh, sess := hs.serverHello, hs.offered
	if sh.Version != sess.Version {
		return nil, errIllegal("tls: server resumed the session with a different version")
	}
	if sh.CipherSuite != sess.CipherSuite {
		return nil, errIllegal("tls: server resumed the session with a different cipher suite")
	}
	// RFC 7627, Section 5.3: the client MUST abort either way.
	if sess.ExtendedMasterSecret && !sh.ExtendedMasterSecret {
		return nil, errHandshakeFailure("tls: server resumed an extended-master-secret session without the extension")
	}
	if !sess.ExtendedMasterSecret && sh.ExtendedMasterSecret {
		return nil, errHandshakeFailure("tls: server resumed a session without extended master secret using the extension")
	}
	hs.resumed = sess
	hs.master = sess.MasterSecret
	hs.peer = peerFromSession(sess)
	if hs.peer == nil {
		hs.peer = &peerVerification{}
	}
	hs.group, hs.peerScheme = kex.Group(sess.Group), kex.SignatureScheme(sess.PeerSignatureScheme)
	m.keylogMaster(hs.hello.Random, hs.master)
	if err := hs.keys.derive(m, hs.suite, hs.version, hs.master, hs.hello.Random, hs.serverRandom, true, hs.etm); err != nil {
		return nil, err
	}
	if hs.expectTicket {
		return &expectNewSessionTicket{hs: hs}, nil
	}
	return &expectServerCCS{hs: hs}, nil
}

// expectNewSessionTicket waits for the ticket a server promised in its
// ServerHello (RFC 5077, Section 3.3), before its ChangeCipherSpec.
type expectNewSessionTicket struct{ hs *clientHS }

func (s *expectNewSessionTicket) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*NewSessionTicket)
	if !ok {
		return nil, unexpected(in, "NewSessionTicket")
	}
	hs := s.hs
	hs.t.add(in.raw)
	// RFC 5077, Section 3.3: an empty ticket means the server will not
	// issue one after all.
	if len(msg.Ticket) > 0 {
		hs.ticket, hs.ticketLifetime = msg.Ticket, msg.LifetimeHint
	}
	return &expectServerCCS{hs: hs}, nil
}

// expectServerCertificate verifies the server's chain (RFC 5246, Section
// 7.4.2).
type expectServerCertificate struct{ hs *clientHS }

func (s *expectServerCertificate) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*Certificate)
	if !ok {
		return nil, unexpected(in, "Certificate")
	}
	hs := s.hs
	hs.t.add(in.raw)
	if len(msg.Certificates) == 0 {
		return nil, errDecode("tls: server sent an empty certificate list")
	}
	// A renegotiation may not change who the server is: that is how a
	// man in the middle splices two handshakes (the triple handshake
	// attack, RFC 7627, Section 1), so we insist on the same leaf.
	if hs.renegotiating && !bytes.Equal(msg.Certificates[0], hs.prev.peerLeaf) {
		return nil, errIllegal("tls: the server certificate changed during renegotiation")
	}
	host := hs.opts.VerifyName
	if host == "" {
		host = hs.opts.ServerName
	}
	pv, err := verifyPeer(hs.cfg, msg.Certificates, x509lite.PurposeServerAuth, host)
	if err != nil {
		return nil, err
	}
	if pv.err != nil && !hs.cfg.InsecureSkipVerify {
		return nil, verifyFailure(pv.err)
	}
	if err := checkLegacyKey(pv.certs[0].PublicKey, hs.version); err != nil {
		return nil, err
	}
	if a, ok := keyAuth(pv.certs[0].PublicKey); !ok || a != hs.suite.Auth {
		return nil, record.Errorf(record.ErrBadCertificate, record.AlertUnsupportedCertificate,
			"tls: server certificate key does not match the cipher suite")
	}
	hs.peer = pv
	// RFC 8422, Section 5.1: the server may only use an ECDSA
	// certificate on a curve we listed in supported_groups.
	if !curveOffered(pv.certs[0].PublicKey, hs.hello.SupportedGroups) {
		return nil, errIllegal("tls: server certificate's curve is not one we offered")
	}
	if !hs.ka.signs() {
		// RFC 5280, Section 4.2.1.3: the premaster is encrypted to the
		// key, so a keyUsage must allow keyEncipherment.
		leaf := pv.certs[0]
		if leaf.HasKeyUsage && leaf.KeyUsage&x509lite.KeyUsageKeyEncipherment == 0 {
			return nil, record.Errorf(record.ErrBadCertificate, record.AlertBadCertificate,
				"tls: server certificate key usage does not allow key encipherment")
		}
		return hs.afterCertificate(&expectServerHelloDone{hs: hs}), nil
	}
	// ECDHE and DHE suites sign the key exchange with the certificate's
	// key.
	if err := checkSigningKeyUsage(pv.certs[0]); err != nil {
		return nil, err
	}
	return hs.afterCertificate(&expectServerKeyExchange{hs: hs}), nil
}

// afterCertificate is the state after the server's Certificate: next,
// preceded by an optional CertificateStatus when the server acknowledged
// our status_request (RFC 6066, Section 8).
func (hs *clientHS) afterCertificate(next state) state {
	if hs.serverHello.OCSPStapling {
		return &expectCertificateStatus{hs: hs, next: next}
	}
	return next
}

// expectCertificateStatus takes the stapled OCSP response. RFC 6066,
// Section 8 lets a server that acknowledged status_request still send
// none, so any other message goes on to next.
type expectCertificateStatus struct {
	hs   *clientHS
	next state
}

func (s *expectCertificateStatus) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*CertificateStatus)
	if !ok {
		return s.next.handle(m, in)
	}
	s.hs.t.add(in.raw)
	s.hs.ocsp = msg.Response
	return s.next, nil
}

// expectServerKeyExchange checks the signed ECDHE (RFC 8422, Section 5.4)
// or DHE (RFC 5246, Section 7.4.3) parameters and computes the premaster
// secret.
type expectServerKeyExchange struct{ hs *clientHS }

func (s *expectServerKeyExchange) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*ServerKeyExchange)
	if !ok {
		return nil, unexpected(in, "ServerKeyExchange")
	}
	hs := s.hs
	hs.t.add(in.raw)
	if err := hs.ka.clientProcessParams(hs, msg.Body, hs.verifyServerParams); err != nil {
		return nil, err
	}
	return &expectServerHelloDone{hs: hs}, nil
}

// verifyServerParams checks the server's signature over the key exchange
// parameters (RFC 5246, Section 7.4.3; RFC 8422, Section 5.4).
func (hs *clientHS) verifyServerParams(params []byte, scheme kex.SignatureScheme, sig []byte) error {
	signed := make([]byte, 0, 64+len(params))
	signed = append(append(append(signed, hs.hello.Random...), hs.serverRandom...), params...)
	pub := hs.peer.certs[0].PublicKey
	var err error
	if hs.version >= cipher.VersionTLS12 {
		// RFC 5246, Section 7.4.1.4.1: the server MUST use a scheme the
		// client listed.
		if !slices.Contains(hs.hello.SignatureSchemes, scheme) {
			return errIllegal("tls: server used unoffered signature scheme %v", scheme)
		}
		if !kex.FitsKey(pub, scheme) {
			return errIllegal("tls: server used signature scheme %v, which does not match its %s", scheme, keyDescription(pub))
		}
		err = kex.Verify(pub, scheme, signed, sig)
	} else {
		err = kex.VerifyLegacy(pub, signed, sig)
	}
	if err != nil {
		return record.Wrap(record.ErrPeerMisbehaved, record.AlertDecryptError, err, "tls: invalid ServerKeyExchange signature")
	}
	hs.peerScheme = scheme
	return nil
}

// expectServerHelloDone accepts an optional CertificateRequest, then the
// ServerHelloDone that ends the server's flight; it answers with the
// client's flight.
type expectServerHelloDone struct{ hs *clientHS }

func (s *expectServerHelloDone) handle(m *Machine, in input) (state, error) {
	hs := s.hs
	switch msg := in.msg.(type) {
	case *CertificateRequest:
		if hs.certRequest != nil {
			return nil, unexpected(in, "ServerHelloDone")
		}
		hs.t.add(in.raw)
		hs.certRequest = msg
		return s, nil
	case *ServerHelloDone:
		hs.t.add(in.raw)
		return s.sendFlight(m)
	}
	return nil, unexpected(in, "ServerHelloDone")
}

func (s *expectServerHelloDone) sendFlight(m *Machine) (state, error) {
	hs := s.hs
	var cert *Credential
	var scheme kex.SignatureScheme
	if hs.certRequest != nil {
		cert, scheme = hs.clientCertificate()
		var chain [][]byte
		if cert != nil {
			chain = cert.Chain
		}
		// RFC 5246, Section 7.4.6: with no suitable certificate the client
		// sends an empty list.
		if err := hs.send(m, &Certificate{Certificates: chain}); err != nil {
			return nil, err
		}
	}
	preMaster, body, err := hs.ka.clientKeyExchange(hs)
	if err != nil {
		return nil, err
	}
	if err := hs.send(m, &ClientKeyExchange{Body: body}); err != nil {
		return nil, err
	}
	if hs.ems {
		hs.master = hs.suite.ExtendedMasterSecret(hs.version, preMaster, hs.t.sum())
	} else {
		hs.master = hs.suite.MasterSecret(hs.version, preMaster, hs.hello.Random, hs.serverRandom)
	}
	m.keylogMaster(hs.hello.Random, hs.master)
	if cert != nil {
		cv := &CertificateVerify{HasSignatureScheme: hs.version >= cipher.VersionTLS12, SignatureScheme: scheme}
		msgs := hs.t.takeMessages()
		if cv.HasSignatureScheme {
			cv.Signature, err = kex.Sign(cert.Key, scheme, hs.cfg.Rand, msgs)
		} else {
			cv.Signature, err = kex.SignLegacy(cert.Key, hs.cfg.Rand, msgs)
		}
		if err != nil {
			return nil, errInternal(err, "tls: signing CertificateVerify")
		}
		if err := hs.send(m, cv); err != nil {
			return nil, err
		}
	} else {
		hs.t.drop()
	}
	if err := hs.keys.derive(m, hs.suite, hs.version, hs.master, hs.hello.Random, hs.serverRandom, true, hs.etm); err != nil {
		return nil, err
	}
	if err := hs.keys.changeWrite(m); err != nil {
		return nil, err
	}
	cf := hs.suite.FinishedVerifyData(hs.version, hs.master, true, hs.t.sum())
	hs.clientFinished = cf
	if err := hs.send(m, &Finished{VerifyData: cf}); err != nil {
		return nil, err
	}
	if hs.expectTicket {
		return &expectNewSessionTicket{hs: hs}, nil
	}
	return &expectServerCCS{hs: hs}, nil
}

// offeredSuites is our suite list without the suites no version we allow
// can use (a TLS 1.1 client offering a TLS 1.2 suite is refused by some
// servers).
func offeredSuites(cfg *Config) []uint16 {
	all := cfg.suites()
	out := make([]uint16, 0, len(all))
	for _, id := range all {
		s := cfg.suiteByID(id)
		if s == nil || s.MaxVersion >= cfg.minVersion() && s.MinVersion <= cfg.maxVersion() {
			out = append(out, id) // unknown ids (SCSVs, GREASE) pass through
		}
	}
	return out
}

// signatureSchemesFor is the signature_algorithms offer: none when we
// cannot negotiate TLS 1.2 (RFC 5246, Section 7.4.1.4.1: the extension
// is meaningless before it, and servers may reject it).
func signatureSchemesFor(cfg *Config) []kex.SignatureScheme {
	if cfg.maxVersion() < cipher.VersionTLS12 {
		return nil
	}
	return cfg.schemes()
}

// clientCertificate picks our chain for a CertificateRequest: its key type
// must be among the requested certificate types and a signature scheme
// must be shared.
func (hs *clientHS) clientCertificate() (*Credential, kex.SignatureScheme) {
	for _, c := range hs.cfg.Certificates {
		a, ok := keyAuth(c.Leaf.PublicKey)
		if !ok {
			continue
		}
		want := uint8(1) // rsa_sign
		if a == cipher.AuthECDSA {
			want = 64 // ecdsa_sign
		}
		if !slices.Contains(hs.certRequest.CertificateTypes, want) {
			continue
		}
		if hs.version < cipher.VersionTLS12 {
			if checkLegacyKey(c.Leaf.PublicKey, hs.version) != nil {
				continue
			}
			return c, 0
		}
		if sc, ok := kex.SelectScheme(c.Leaf.PublicKey, hs.cfg.signingSchemes(), hs.certRequest.SignatureSchemes); ok {
			return c, sc
		}
	}
	return nil, 0
}

// expectServerCCS waits for the server's ChangeCipherSpec.
type expectServerCCS struct{ hs *clientHS }

func (s *expectServerCCS) handle(m *Machine, in input) (state, error) {
	if !in.ccs {
		return nil, unexpected(in, "ChangeCipherSpec")
	}
	if err := s.hs.keys.changeRead(m); err != nil {
		return nil, err
	}
	return &expectServerFinished{hs: s.hs}, nil
}

// expectServerFinished verifies the server's Finished and completes the
// handshake.
type expectServerFinished struct{ hs *clientHS }

func (s *expectServerFinished) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*Finished)
	if !ok {
		return nil, unexpected(in, "Finished")
	}
	hs := s.hs
	want := hs.suite.FinishedVerifyData(hs.version, hs.master, false, hs.t.sum())
	// RFC 5246, Section 7.4.9: recipients MUST verify the contents.
	if !finishedEqual(msg.VerifyData, want) {
		return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertDecryptError, "tls: server Finished does not verify")
	}
	hs.t.add(in.raw)
	hs.serverFinished = want
	if hs.resumed != nil {
		// In an abbreviated handshake the client's flight comes last.
		if err := hs.keys.changeWrite(m); err != nil {
			return nil, err
		}
		cf := hs.suite.FinishedVerifyData(hs.version, hs.master, true, hs.t.sum())
		hs.clientFinished = cf
		if err := hs.send(m, &Finished{VerifyData: cf}); err != nil {
			return nil, err
		}
	}
	st := hs.connectionState(hs.version, hs.hello, hs.serverHello.ALPNProtocol)
	st.Session = hs.session()
	st.ClientFinished, st.ServerFinished = hs.clientFinished, hs.serverFinished
	m.established = true
	m.sink.HandshakeDone(st)
	return newEstablished12(hs.prev, hs.clientFinished, hs.serverFinished, hs.secureReneg, hs.ems, hs.peer), nil
}

// session is what the client keeps to resume this connection's session:
// nil when the server gave neither a session id nor a ticket.
func (hs *clientHS) session() *session.State {
	if hs.resumed != nil {
		st := *hs.resumed
		if hs.ticket != nil {
			st.Ticket, st.TicketLifetime = hs.ticket, hs.ticketLifetime
		}
		return &st
	}
	if len(hs.serverHello.SessionID) == 0 && hs.ticket == nil {
		return nil
	}
	st := &session.State{
		Version:              hs.version,
		CipherSuite:          hs.suite.ID,
		MasterSecret:         hs.master,
		ExtendedMasterSecret: hs.ems,
		CreatedAt:            hs.cfg.Now().Unix(),
		ServerName:           hs.hello.ServerName,
		SessionID:            hs.serverHello.SessionID,
		Ticket:               hs.ticket,
		TicketLifetime:       hs.ticketLifetime,
		Group:                uint16(hs.group),
		PeerSignatureScheme:  uint16(hs.peerScheme),
	}
	addPeer(st, hs.peer)
	return st
}
