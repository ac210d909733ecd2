package handshake

// The TLS 1.2 server (RFC 5246, Section 7.3). A full handshake:
//
//	Client                                Server
//	ClientHello          -------->
//	                                      ServerHello
//	                                      Certificate
//	                                      ServerKeyExchange
//	                                      CertificateRequest*
//	                     <--------        ServerHelloDone
//	Certificate*
//	ClientKeyExchange
//	CertificateVerify*
//	[ChangeCipherSpec]
//	Finished             -------->
//	                                      [ChangeCipherSpec]
//	                     <--------        Finished
//
// States: expectClientHello -> (awaitSessionLookup) -> (awaitServerContext)
// -> (awaitOCSP) -> expectClientCertificate?
// -> expectClientKeyExchange -> expectCertificateVerify? -> expectClientCCS
// -> expectClientFinished -> established.

import (
	"crypto"
	"crypto/rsa"
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// serverHS is the data of one server handshake; its states share it and it
// dies with the handshake.
type serverHS struct {
	cfg     *Config
	hello   *ClientHello
	version uint16
	negotiated12
	cert        *Credential
	ka          keyAgreement12
	scheme      kex.SignatureScheme
	alpn        string
	certRequest *CertificateRequest
	t           transcript
	// keys are the protections the client's and our ChangeCipherSpec
	// switch to; clientFinished and serverFinished this handshake's
	// verify_data.
	keys                           pending12
	clientFinished, serverFinished []byte

	// Sessions: sessionID is what ServerHello carries; issueTicket and
	// renewTicket say whether a NewSessionTicket goes out.
	sessionID   []byte
	issueTicket bool
	renewTicket bool

	// renegotiating is set on a renegotiation's handshake; renegInfo is
	// then what ServerHello's renegotiation_info carries, and prev the
	// connection it started from.
	renegotiating bool
	renegInfo     []byte
	prev          *established12
}

// expectClientHello waits for the first message of a handshake.
type expectClientHello struct{}

func (s *expectClientHello) handle(m *Machine, in input) (state, error) {
	ch, ok := in.msg.(*ClientHello)
	if !ok {
		return nil, unexpected(in, "ClientHello")
	}
	hs := &serverHS{cfg: m.cfg, hello: ch}
	hs.t.add(in.raw)
	if err := hs.checkHello(m); err != nil {
		return nil, err
	}
	return hs.negotiate(m)
}

// checkHello applies the checks that do not depend on the configuration.
func (hs *serverHS) checkHello(m *Machine) error {
	ch := hs.hello
	// RFC 5246, Section 7.4.1.2: the list MUST include the null
	// compression method.
	if !slices.Contains(ch.CompressionMethods, 0) {
		return errIllegal("tls: client does not offer the null compression method")
	}
	// RFC 5746, Section 3.6: on an initial handshake the extension, if
	// present, MUST be empty, otherwise handshake_failure.
	if !hs.renegotiating && ch.SecureRenegotiationSupported && len(ch.SecureRenegotiation) != 0 {
		return errHandshakeFailure("tls: initial handshake with non-empty renegotiation_info")
	}
	// RFC 6066, Section 3: the HostName is an ASCII DNS name without a
	// trailing dot; anything else is illegal_parameter.
	if ch.ServerName != "" && !validHostName(ch.ServerName) {
		return errIllegal("tls: the client's server_name %q is not a valid host name", ch.ServerName)
	}
	// RFC 8422, Section 5.1.2: a point format list without the
	// uncompressed format is fatal.
	if slices.Contains(ch.Extensions, ExtECPointFormats) && !slices.Contains(ch.SupportedPoints, 0) {
		return errIllegal("tls: the client's ec_point_formats lacks the uncompressed format")
	}
	hs.secureReneg = ch.SecureRenegotiationSupported || slices.Contains(ch.CipherSuites, SCSVRenegotiation)
	return nil
}

// awaitServerContext waits for the application to pick the configuration
// for this ClientHello (SNI); then is how the handshake goes on with it
// (a full TLS 1.2 handshake, or TLS 1.3).
type awaitServerContext struct {
	hs   *serverHS
	d    *ServerContextDecision
	then func(*Machine) (state, error)
}

func (s *awaitServerContext) handle(m *Machine, in input) (state, error) {
	return nil, unexpected(in, "nothing while a server context decision is pending")
}

func (s *awaitServerContext) decision() Decision {
	if s.d == nil {
		s.d = &ServerContextDecision{question{"tls: server context decision failed"}, s.hs.hello.ServerName, s.hs.hello}
	}
	return s.d
}

func (s *awaitServerContext) resolve(m *Machine, a Answer) (state, error) {
	if a.cfg != nil {
		s.hs.cfg = a.cfg
	}
	return s.then(m)
}

// negotiate picks the parameters and sends the server's first flight.
func (hs *serverHS) negotiate(m *Machine) (state, error) {
	cfg, ch := hs.cfg, hs.hello
	// RFC 7507, Section 3: a fallback retry offering less than our
	// highest version means something interfered with the first attempt.
	// This is checked before the version itself. The client's highest
	// version is in supported_versions when it sends one (RFC 8446,
	// Section 4.2.1), so a TLS 1.3 offer is no fallback.
	if v := clientMaxVersion(ch); slices.Contains(ch.CipherSuites, SCSVFallback) && v < cfg.maxVersion() {
		return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertInappropriateFallback,
			"tls: inappropriate fallback to version 0x%04x (TLS_FALLBACK_SCSV)", v)
	}
	v, ok := negotiateVersion(ch, cfg.minVersion(), cfg.maxVersion())
	if !ok {
		if len(ch.SupportedVersions) > 0 {
			return nil, record.Errorf(record.ErrIncompatible, record.AlertProtocolVersion,
				"tls: client offered versions %s, we support 0x%04x to 0x%04x", versionList(ch.SupportedVersions), cfg.minVersion(), cfg.maxVersion())
		}
		return nil, record.Errorf(record.ErrIncompatible, record.AlertProtocolVersion,
			"tls: client offered version 0x%04x, minimum is 0x%04x", ch.Version, cfg.minVersion())
	}
	// A renegotiation keeps the version (RFC 5246 has no way to change
	// the record layer's version mid-connection).
	if hs.renegotiating && v != m.version {
		return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertProtocolVersion,
			"tls: the client renegotiates to version 0x%04x from 0x%04x", v, m.version)
	}
	if v == cipher.VersionTLS13 {
		// TLS 1.3 resumes by PSK only (psk13.go), after SNI. Node v20
		// still asks resumeSession with the legacy_session_id of a TLS
		// 1.3 ClientHello and then ignores the answer, so we ask too.
		if cfg.LookupSessions && len(ch.SessionID) > 0 {
			return &awaitSessionLookup{hs: hs, tls13: true}, nil
		}
		return hs.chooseContext(m, hs.negotiate13)
	}
	hs.version = v
	m.version = v
	m.sink.SetVersion(v)

	hs.serverRandom = make([]byte, 32)
	if _, err := readFull(cfg.Rand, hs.serverRandom); err != nil {
		return nil, err
	}
	// RFC 8446, Section 4.1.3: a server able to do TLS 1.2 that
	// negotiates less marks its random so a client can detect a forced
	// downgrade.
	if cfg.maxVersion() >= cipher.VersionTLS12 && v < cipher.VersionTLS12 {
		copy(hs.serverRandom[24:], downgradeTLS11)
	} else if cfg.maxVersion() >= cipher.VersionTLS13 && v == cipher.VersionTLS12 && !hs.renegotiating {
		copy(hs.serverRandom[24:], downgradeTLS12)
	}
	// Node's resumeSession: a session id the application looks up.
	if cfg.LookupSessions && len(ch.SessionID) > 0 && (len(ch.SessionTicket) == 0 || cfg.Tickets == nil) {
		return &awaitSessionLookup{hs: hs}, nil
	}
	st, err := hs.findSession()
	if err != nil {
		return nil, err
	}
	if st != nil {
		return hs.resume(m, st)
	}
	return hs.chooseContext(m, hs.full)
}

// chooseContext asks the SNI decision before a full handshake. Node
// orders the server's questions so (resumeSession, then SNICallback, then
// OCSPRequest) and asks SNICallback only when no session resumes: OpenSSL
// calls Node's certificate callback, which runs it, only on a full TLS 1.2
// handshake. A renegotiation keeps the connection's configuration. then
// goes on with the configuration chosen: full, or TLS 1.3's negotiate13.
func (hs *serverHS) chooseContext(m *Machine, then func(*Machine) (state, error)) (state, error) {
	if hs.cfg.AskServerContext && !hs.renegotiating {
		return &awaitServerContext{hs: hs, then: then}, nil
	}
	return then(m)
}

// full picks the parameters of a full handshake and sends the server's
// first flight.
func (hs *serverHS) full(m *Machine) (state, error) {
	cfg, ch, v := hs.cfg, hs.hello, hs.version
	curveRefused := false
	hs.suite = selectSuite(ch.CipherSuites, cfg.suites(), cfg.PreferServerCipherSuites, cfg.suiteByID, func(s *cipher.Suite) bool {
		if !s.SupportsVersion(v) {
			return false
		}
		cert := certificateFor(cfg.Certificates, s)
		ka := newKeyAgreement12(s.KX)
		if cert == nil || ka == nil {
			return false
		}
		ok, refused := ka.serverUsable(hs, cert)
		curveRefused = curveRefused || refused
		if !ok || !ka.signs() {
			return ok
		}
		_, ok = kex.SelectScheme(cert.Leaf.PublicKey, cfg.signingSchemes(), ch.SignatureSchemes)
		return ok
	})
	if hs.suite == nil {
		if curveRefused {
			return nil, errHandshakeFailure("tls: no shared cipher suite: the client does not accept the curve of our ECDSA certificate")
		}
		return nil, errHandshakeFailure("tls: no shared cipher suite")
	}
	hs.ka = newKeyAgreement12(hs.suite.KX)
	hs.cert = certificateFor(cfg.Certificates, hs.suite)
	if hs.ka.signs() {
		hs.scheme, _ = kex.SelectScheme(hs.cert.Leaf.PublicKey, cfg.signingSchemes(), ch.SignatureSchemes)
	}
	hs.ems = ch.ExtendedMasterSecret && !cfg.DisableExtendedMasterSecret
	// RFC 7366, Section 3: encrypt-then-MAC for a CBC suite the client
	// asked it for; never for an AEAD suite.
	hs.etm = ch.EncryptThenMAC && !hs.suite.AEAD() && !cfg.DisableEncryptThenMAC

	alpn, ok := selectALPN(ch.ALPNProtocols, cfg.ALPNProtocols)
	if !ok {
		// RFC 7301, Section 3.2: no overlap is fatal.
		return nil, record.Errorf(record.ErrIncompatible, record.AlertNoApplicationProtocol,
			"tls: no application protocol in common with the client")
	}
	hs.alpn = alpn

	if cfg.SessionCache != nil || cfg.LookupSessions || cfg.SessionIDs {
		hs.sessionID = make([]byte, 32)
		if _, err := readFull(cfg.Rand, hs.sessionID); err != nil {
			return nil, err
		}
	}
	// RFC 5077, Section 3.2: an empty session_ticket extension in
	// ServerHello promises a NewSessionTicket.
	hs.issueTicket = ch.TicketSupported && cfg.Tickets != nil
	// RFC 6066, Section 8: a client asking for OCSP stapling may get a
	// CertificateStatus; the application supplies the response (Node's
	// OCSPRequest event) before ServerHello says whether one comes.
	if ch.OCSPStapling && cfg.AskOCSP {
		return &awaitOCSP{hs: hs}, nil
	}
	return hs.sendFirstFlight(m)
}

// sendFirstFlight sends ServerHello through ServerHelloDone for the
// parameters full chose.
func (hs *serverHS) sendFirstFlight(m *Machine) (state, error) {
	cfg, ch, v, alpn := hs.cfg, hs.hello, hs.version, hs.alpn
	// RFC 5246, Section 7.4.8: the client's CertificateVerify signs the
	// messages themselves; it comes only if we ask for a certificate.
	hs.t.setHash(hs.suite, v, cfg.ClientAuth != NoClientCert)
	sh := &ServerHello{
		OCSPStapling: len(hs.ocsp) > 0,
		// RFC 6066, Section 3: a server that uses the name acknowledges
		// it with an empty extension (full handshakes only).
		ServerNameAck:                ch.ServerName != "",
		SessionID:                    hs.sessionID,
		TicketSupported:              hs.issueTicket,
		Version:                      v,
		Random:                       hs.serverRandom,
		CipherSuite:                  hs.suite.ID,
		SecureRenegotiationSupported: hs.secureReneg,
		SecureRenegotiation:          hs.renegInfo,
		ExtendedMasterSecret:         hs.ems,
		EncryptThenMAC:               hs.etm,
		ALPNProtocol:                 alpn,
	}
	// RFC 8422, Section 5.2: the server answers ec_point_formats only
	// when it negotiates an ECC suite.
	if len(ch.SupportedPoints) > 0 && (hs.suite.KX == cipher.KXECDHE || hs.suite.Auth == cipher.AuthECDSA) {
		sh.SupportedPoints = []uint8{0}
	}
	sh.HasExtensions = sh.SecureRenegotiationSupported || sh.ExtendedMasterSecret || sh.ALPNProtocol != "" ||
		len(sh.SupportedPoints) > 0 || sh.TicketSupported || sh.ServerNameAck || sh.EncryptThenMAC || sh.OCSPStapling
	if err := hs.send(m, sh); err != nil {
		return nil, err
	}
	if err := hs.send(m, &Certificate{Certificates: hs.cert.Chain}); err != nil {
		return nil, err
	}
	if len(hs.ocsp) > 0 {
		if err := hs.send(m, &CertificateStatus{Response: hs.ocsp}); err != nil {
			return nil, err
		}
	}
	if err := hs.sendKeyExchange(m); err != nil {
		return nil, err
	}
	if cfg.ClientAuth != NoClientCert {
		hs.certRequest = &CertificateRequest{
			HasSignatureSchemes: v >= cipher.VersionTLS12,
			CertificateTypes:    []uint8{1, 64}, // rsa_sign, ecdsa_sign
			SignatureSchemes:    cfg.schemes(),
		}
		if cfg.RootCAs != nil {
			hs.certRequest.CertificateAuthorities = cfg.RootCAs.Subjects()
		}
		if err := hs.send(m, hs.certRequest); err != nil {
			return nil, err
		}
	}
	if err := hs.send(m, &ServerHelloDone{}); err != nil {
		return nil, err
	}
	if hs.certRequest != nil {
		return &expectClientCertificate{hs: hs}, nil
	}
	return &expectClientKeyExchange{hs: hs}, nil
}

// nilIfAbsent distinguishes "no supported_groups extension" (any curve,
// RFC 8422 Section 4) from an empty intersection.
func nilIfAbsent(ch *ClientHello) []kex.Group {
	if slices.Contains(ch.Extensions, ExtSupportedGroups) {
		if ch.SupportedGroups == nil {
			return []kex.Group{}
		}
		return ch.SupportedGroups
	}
	return nil
}

// sendKeyExchange sends the signed ECDHE (RFC 8422, Section 5.4) or DHE
// (RFC 5246, Section 7.4.3) parameters; RSA key transport sends none.
func (hs *serverHS) sendKeyExchange(m *Machine) error {
	if !hs.ka.signs() {
		return nil
	}
	params, err := hs.ka.serverParams(hs)
	if err != nil {
		return err
	}
	signed := make([]byte, 0, 64+len(params))
	signed = append(append(append(signed, hs.hello.Random...), hs.serverRandom...), params...)
	hasScheme := hs.version >= cipher.VersionTLS12
	var sig []byte
	if hasScheme {
		sig, err = kex.Sign(hs.cert.Key, hs.scheme, hs.cfg.Rand, signed)
	} else {
		sig, err = kex.SignLegacy(hs.cert.Key, hs.cfg.Rand, signed)
	}
	if err != nil {
		return errInternal(err, "tls: signing ServerKeyExchange")
	}
	return hs.send(m, &ServerKeyExchange{Body: MarshalSignedParams(params, hasScheme, hs.scheme, sig)})
}

// canDecrypt reports whether a credential can receive an RSA-encrypted
// premaster: an RSA key that can decrypt, and a keyUsage, if present,
// with keyEncipherment (RFC 5280, Section 4.2.1.3).
func canDecrypt(c *Credential) bool {
	if _, ok := c.Leaf.PublicKey.(*rsa.PublicKey); !ok {
		return false
	}
	if _, ok := c.Key.(crypto.Decrypter); !ok {
		return false
	}
	return !c.Leaf.HasKeyUsage || c.Leaf.KeyUsage&x509lite.KeyUsageKeyEncipherment != 0
}

// send marshals a message, adds it to the transcript and queues it.
func (hs *serverHS) send(m *Machine, msg Message) error {
	raw, err := msg.Marshal()
	if err != nil {
		return errInternal(err, "tls: marshaling %s", msg.Type())
	}
	hs.t.add(raw)
	m.sink.SendMessage(raw)
	return nil
}

// expectClientCertificate waits for the client's Certificate after a
// CertificateRequest (RFC 5246, Section 7.4.6).
type expectClientCertificate struct{ hs *serverHS }

func (s *expectClientCertificate) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*Certificate)
	if !ok {
		return nil, unexpected(in, "Certificate")
	}
	hs := s.hs
	hs.t.add(in.raw)
	if len(msg.Certificates) == 0 {
		// RFC 5246, Section 7.4.6: a server that requires a certificate
		// MAY answer an empty one with a fatal handshake_failure.
		pv, err := missingClientCertificate(hs.cfg, record.AlertHandshakeFailure)
		if err != nil {
			return nil, err
		}
		hs.peer = pv
		hs.t.drop() // RFC 5246, Section 7.4.8: no certificate, no CertificateVerify
		return &expectClientKeyExchange{hs: hs}, nil
	}
	pv, err := verifyPeer(hs.cfg, msg.Certificates, x509lite.PurposeClientAuth, "")
	if err != nil {
		return nil, err
	}
	if err := checkLegacyKey(pv.certs[0].PublicKey, hs.version); err != nil {
		return nil, err
	}
	if pv.err != nil && hs.cfg.ClientAuth.verifiesCert() {
		return nil, verifyFailure(pv.err)
	}
	// The client proves its key with CertificateVerify, a signature.
	if err := checkSigningKeyUsage(pv.certs[0]); err != nil {
		return nil, err
	}
	hs.peer = pv
	return &expectClientKeyExchange{hs: hs}, nil
}

// expectClientKeyExchange waits for the client's half of the key exchange
// (RFC 5246, Section 7.4.7), which hs.ka turns into the premaster.
type expectClientKeyExchange struct{ hs *serverHS }

func (s *expectClientKeyExchange) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*ClientKeyExchange)
	if !ok {
		return nil, unexpected(in, "ClientKeyExchange")
	}
	hs := s.hs
	hs.t.add(in.raw)
	pre, err := hs.ka.serverPreMaster(hs, msg.Body)
	if err != nil {
		return nil, err
	}
	if hs.ems {
		hs.master = hs.suite.ExtendedMasterSecret(hs.version, pre, hs.t.sum())
	} else {
		hs.master = hs.suite.MasterSecret(hs.version, pre, hs.hello.Random, hs.serverRandom)
	}
	m.keylogMaster(hs.hello.Random, hs.master)
	if err := hs.keys.derive(m, hs.suite, hs.version, hs.master, hs.hello.Random, hs.serverRandom, false, hs.etm); err != nil {
		return nil, err
	}
	if hs.peer != nil && len(hs.peer.certs) > 0 {
		return &expectCertificateVerify{hs: hs}, nil
	}
	return &expectClientCCS{hs: hs}, nil
}

// expectCertificateVerify waits for the client's proof of its key
// (RFC 5246, Section 7.4.8).
type expectCertificateVerify struct{ hs *serverHS }

func (s *expectCertificateVerify) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*CertificateVerify)
	if !ok {
		return nil, unexpected(in, "CertificateVerify")
	}
	hs := s.hs
	pub := hs.peer.certs[0].PublicKey
	msgs := hs.t.takeMessages()
	var err error
	if hs.version >= cipher.VersionTLS12 {
		// RFC 5246, Section 7.4.8: the scheme MUST be one of those in the
		// CertificateRequest.
		if !slices.Contains(hs.certRequest.SignatureSchemes, msg.SignatureScheme) {
			return nil, errIllegal("tls: client used signature scheme %v that was not requested", msg.SignatureScheme)
		}
		if !kex.FitsKey(pub, msg.SignatureScheme) {
			return nil, errIllegal("tls: client used signature scheme %v, which does not match its %s", msg.SignatureScheme, keyDescription(pub))
		}
		err = kex.Verify(pub, msg.SignatureScheme, msgs, msg.Signature)
	} else {
		err = kex.VerifyLegacy(pub, msgs, msg.Signature)
	}
	if err != nil {
		return nil, record.Wrap(record.ErrPeerMisbehaved, record.AlertDecryptError, err, "tls: invalid CertificateVerify signature")
	}
	hs.peerScheme = msg.SignatureScheme
	hs.t.add(in.raw)
	return &expectClientCCS{hs: hs}, nil
}

// expectClientCCS waits for the client's ChangeCipherSpec.
type expectClientCCS struct{ hs *serverHS }

func (s *expectClientCCS) handle(m *Machine, in input) (state, error) {
	if !in.ccs {
		return nil, unexpected(in, "ChangeCipherSpec")
	}
	if err := s.hs.keys.changeRead(m); err != nil {
		return nil, err
	}
	return &expectClientFinished{hs: s.hs}, nil
}

// expectClientFinished verifies the client's Finished and answers with the
// server's ChangeCipherSpec and Finished.
type expectClientFinished struct{ hs *serverHS }

func (s *expectClientFinished) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*Finished)
	if !ok {
		return nil, unexpected(in, "Finished")
	}
	hs := s.hs
	want := hs.suite.FinishedVerifyData(hs.version, hs.master, true, hs.t.sum())
	// RFC 5246, Section 7.4.9: recipients MUST verify the contents.
	if !finishedEqual(msg.VerifyData, want) {
		return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertDecryptError, "tls: client Finished does not verify")
	}
	hs.t.add(in.raw)
	hs.clientFinished = want
	if hs.resumed != nil {
		return hs.finish(m, hs.resumed, false)
	}
	sess := hs.newSession()
	ticketed := false
	if hs.issueTicket {
		var err error
		if ticketed, err = hs.sendTicket(m, sess); err != nil {
			return nil, err
		}
	}
	if err := hs.keys.changeWrite(m); err != nil {
		return nil, err
	}
	sf := hs.suite.FinishedVerifyData(hs.version, hs.master, false, hs.t.sum())
	hs.serverFinished = sf
	if err := hs.send(m, &Finished{VerifyData: sf}); err != nil {
		return nil, err
	}
	if hs.sessionID != nil && hs.cfg.SessionCache != nil {
		// A session that cannot be encoded is simply not cached.
		_ = hs.cfg.SessionCache.Put(hs.sessionID, sess)
	}
	return hs.finish(m, sess, hs.sessionID != nil || ticketed)
}

// finish reports the completed handshake.
func (hs *serverHS) finish(m *Machine, sess *session.State, isNew bool) (state, error) {
	st := hs.connectionState(hs.version, hs.hello, hs.alpn)
	st.PeerCertificateRequested = hs.certRequest != nil
	st.ClientFinished, st.ServerFinished = hs.clientFinished, hs.serverFinished
	if st.Resumed || isNew {
		st.Session, st.NewSession = sess, isNew
	}
	m.established = true
	m.cfg = hs.cfg // what a renegotiation starts from
	m.sink.HandshakeDone(st)
	return newEstablished12(hs.prev, hs.clientFinished, hs.serverFinished, hs.secureReneg, hs.ems, nil), nil
}

// serverRenegotiate runs a renegotiation's handshake from the client's
// ClientHello (RFC 5746, Section 3.7), with the configuration of the
// HelloRequest that asked for it, if any.
func (m *Machine) serverRenegotiate(prev *established12, ch *ClientHello, raw []byte) (state, error) {
	cfg := m.cfg
	if m.renegCfg != nil {
		cfg = m.renegCfg
	}
	m.helloRequested, m.renegCfg = false, nil
	// RFC 5746, Section 3.7: the SCSV is not allowed here, and the
	// extension must carry the client's last verify_data.
	if slices.Contains(ch.CipherSuites, SCSVRenegotiation) {
		return nil, errHandshakeFailure("tls: TLS_EMPTY_RENEGOTIATION_INFO_SCSV in a renegotiation")
	}
	if !ch.SecureRenegotiationSupported || !finishedEqual(ch.SecureRenegotiation, prev.clientFinished) {
		return nil, errHandshakeFailure("tls: renegotiation_info does not match the previous handshake")
	}
	// RFC 7627, Section 5.2: the extended master secret may not be
	// dropped (or taken up) by a renegotiation.
	if prev.ems && !ch.ExtendedMasterSecret {
		return nil, errHandshakeFailure("tls: the extended master secret setting changed in a renegotiation")
	}
	hs := &serverHS{cfg: cfg, hello: ch, renegotiating: true, prev: prev}
	hs.t.add(raw)
	if err := hs.checkHello(m); err != nil {
		return nil, err
	}
	hs.renegInfo = prev.renegotiationInfo()
	return hs.negotiate(m)
}

// readFull fills b from the configured randomness.
func readFull(r interface{ Read([]byte) (int, error) }, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, errInternal(err, "tls: reading randomness")
		}
	}
	return n, nil
}

// OCSPDecision asks the server application for an OCSP response to
// staple (Node's OCSPRequest event): the chosen leaf certificate and its
// issuer (nil when the chain has only the leaf), both DER. Answer with
// the DER OCSPResponse, nil for none; Fail aborts the handshake.
type OCSPDecision struct {
	question
	Certificate, Issuer []byte
}

// awaitOCSP waits for the application's OCSP response; then, if set, is
// how the handshake goes on (TLS 1.3), else sendFirstFlight.
type awaitOCSP struct {
	hs   *serverHS
	d    *OCSPDecision
	then func(*Machine) (state, error)
}

func (s *awaitOCSP) handle(m *Machine, in input) (state, error) {
	return nil, unexpected(in, "nothing while an OCSP decision is pending")
}

func (s *awaitOCSP) decision() Decision {
	if s.d == nil {
		s.d = &OCSPDecision{question: question{"tls: OCSP decision failed"}, Certificate: s.hs.cert.Chain[0]}
		if len(s.hs.cert.Chain) > 1 {
			s.d.Issuer = s.hs.cert.Chain[1]
		}
	}
	return s.d
}

func (s *awaitOCSP) resolve(m *Machine, a Answer) (state, error) {
	s.hs.ocsp = a.ocsp
	if s.then != nil {
		return s.then(m)
	}
	return s.hs.sendFirstFlight(m)
}
