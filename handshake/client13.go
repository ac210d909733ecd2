package handshake

// The TLS 1.3 client (RFC 8446, Section 2). The ClientHello of client12.go
// offers TLS 1.3 too when the configuration allows it (offer13); the
// client branches here on a ServerHello that selects TLS 1.3 through
// supported_versions, or on a HelloRetryRequest. States: (expectServerHello13
// after a HelloRetryRequest) -> expectEncryptedExtensions ->
// expectServerCertificate13 (CertificateRequest allowed before it) ->
// expectServerCertificateVerify13 -> expectServerFinished13 -> established13.

import (
	"bytes"
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

// offers13 reports whether a ClientHello offers TLS 1.3: the configuration
// allows it and this is not a renegotiation, which never moves to TLS 1.3
// (RFC 8446, Section 4.1.2).
func offers13(cfg *Config, renegotiating bool) bool {
	return cfg.maxVersion() >= cipher.VersionTLS13 && !renegotiating
}

// offer13 adds TLS 1.3 to a ClientHello (RFC 8446, Section 4.1.2):
// supported_versions, the TLS 1.3 suites first, the TLS 1.3 groups, a key
// share on our first group (and on X25519 beside a hybrid first group, as
// Go and Chrome send), and a 32-byte legacy_session_id for middlebox
// compatibility (Appendix D.4).
func (hs *clientHS) offer13(ch *ClientHello) error {
	cfg := hs.cfg
	ch.SupportedVersions = []uint16{cipher.VersionTLS13}
	for v := uint16(cipher.VersionTLS12); v >= cfg.minVersion() && v >= cipher.VersionTLS10; v-- {
		ch.SupportedVersions = append(ch.SupportedVersions, v)
	}
	suites := cfg.suites13()
	if cfg.minVersion() <= cipher.VersionTLS12 {
		suites = append(slices.Clone(suites), ch.CipherSuites...)
	}
	ch.CipherSuites = suites
	groups := cfg.groups13()
	if len(groups) == 0 {
		return errMisuse("tls: no group usable in TLS 1.3 is configured")
	}
	ch.SupportedGroups = groups
	shareGroups := groups[:1]
	if groups[0] == kex.X25519MLKEM768 && slices.Contains(groups, kex.X25519) {
		shareGroups = []kex.Group{kex.X25519MLKEM768, kex.X25519}
	}
	for _, g := range shareGroups {
		k, err := kex.GenerateShare(g, cfg.Rand)
		if err != nil {
			return errInternal(err, "tls: generating a %v key share", g)
		}
		hs.shares13 = append(hs.shares13, k)
		ch.KeyShares = append(ch.KeyShares, KeyShareEntry{Group: g, Data: k.Public()})
	}
	ch.SessionID = make([]byte, 32)
	if _, err := readFull(cfg.Rand, ch.SessionID); err != nil {
		return err
	}
	return nil
}

// clientHS13 is the data of one TLS 1.3 client handshake. It extends the
// shared clientHS (ClientHello, configuration, peer verification, OCSP).
type clientHS13 struct {
	*clientHS
	ks     schedule13
	compat compat13
	// hrr is the HelloRetryRequest, if the server sent one.
	hrr *ServerHello
	// resumed13 is set when the server accepted our PSK.
	resumed13 bool
	// sentCCS is set once our compatibility ChangeCipherSpec went out.
	sentCCS     bool
	alpn        string
	certRequest *CertificateRequest13
}

// serverHello13 handles a ServerHello that selects TLS 1.3, or a
// HelloRetryRequest, answering our first ClientHello.
func (hs *clientHS) serverHello13(m *Machine, sh *ServerHello, raw []byte) (state, error) {
	h := &clientHS13{clientHS: hs}
	h.ks.t = keysched.NewTranscript()
	h.ks.clientRandom = hs.hello.Random
	h.ks.add(hs.hello.Raw)
	if err := h.checkServerHello(sh); err != nil {
		return nil, err
	}
	m.version = cipher.VersionTLS13
	hs.version = cipher.VersionTLS13
	m.sink.SetVersion(cipher.VersionTLS12)
	if sh.IsHelloRetryRequest() {
		return h.retry(m, sh, raw)
	}
	return h.keyExchange(m, sh, raw)
}

// checkServerHello applies what RFC 8446, Section 4.1.3 asks of every
// ServerHello and HelloRetryRequest of TLS 1.3.
func (hs *clientHS13) checkServerHello(sh *ServerHello) error {
	// Section 4.1.3: legacy_version is 0x0303 in a TLS 1.3 ServerHello.
	if sh.Version != cipher.VersionTLS12 {
		return errIllegal("tls: %s with legacy_version 0x%04x, not 0x0303", helloName(sh), sh.Version)
	}
	// Section 4.1.4: the ServerHello after a HelloRetryRequest selects
	// the version the HelloRetryRequest did.
	if hs.hrr != nil && sh.SupportedVersion != hs.hrr.SupportedVersion {
		return errIllegal("tls: the ServerHello after a HelloRetryRequest selected version 0x%04x, not 0x%04x", sh.SupportedVersion, hs.hrr.SupportedVersion)
	}
	// Section 4.2.1: the selected version is one we offered, TLS 1.3.
	if sh.SupportedVersion != cipher.VersionTLS13 {
		return errIllegal("tls: server selected version 0x%04x through supported_versions", sh.SupportedVersion)
	}
	// "A client which receives a legacy_session_id_echo field that does
	// not match what it sent in the ClientHello MUST abort the handshake
	// with an 'illegal_parameter' alert."
	if !bytes.Equal(sh.SessionID, hs.hello.SessionID) {
		return errIllegal("tls: the server did not echo our legacy_session_id")
	}
	if cipher.Suite13ByID(sh.CipherSuite) == nil || !slices.Contains(hs.hello.CipherSuites, sh.CipherSuite) {
		return errIllegal("tls: server selected cipher suite 0x%04x, not a TLS 1.3 suite we offered", sh.CipherSuite)
	}
	if sh.CompressionMethod != 0 {
		return errIllegal("tls: server selected compression method %d", sh.CompressionMethod)
	}
	// Section 4.1.4: the suite of the ServerHello after a
	// HelloRetryRequest is the one the HelloRetryRequest named.
	if hs.hrr != nil && sh.CipherSuite != hs.hrr.CipherSuite {
		return errIllegal("tls: the ServerHello changed the cipher suite of the HelloRetryRequest")
	}
	// Section 4.2: an extension the client did not send is
	// unsupported_extension; we offer no PSK. One we sent but that does
	// not belong in this message (the table of Section 4.2: only
	// supported_versions, key_share, pre_shared_key and, in a
	// HelloRetryRequest, cookie) is illegal_parameter.
	for _, e := range sh.Extensions {
		if !slices.Contains(hs.hello.Extensions, e) && e != ExtCookie {
			return record.Errorf(record.ErrPeerMisbehaved, record.AlertUnsupportedExtension,
				"tls: server sent unrequested extension %v", e)
		}
		switch e {
		case ExtSupportedVersions, ExtKeyShare, ExtPreSharedKey:
		case ExtCookie:
			if !sh.IsHelloRetryRequest() {
				return errIllegal("tls: ServerHello carries the cookie extension, which belongs in a HelloRetryRequest")
			}
		default:
			return errIllegal("tls: %s carries the %v extension, which TLS 1.3 does not allow there", helloName(sh), e)
		}
	}
	// Section 4.2.11: pre_shared_key is not allowed in a
	// HelloRetryRequest (the table of Section 4.2).
	if sh.HasSelectedIdentity && sh.IsHelloRetryRequest() {
		return errIllegal("tls: HelloRetryRequest carries pre_shared_key")
	}
	return nil
}

// helloName names a ServerHello or HelloRetryRequest for an error.
func helloName(sh *ServerHello) string {
	if sh.IsHelloRetryRequest() {
		return "HelloRetryRequest"
	}
	return "ServerHello"
}

// retry answers a HelloRetryRequest (RFC 8446, Section 4.1.4) with a new
// ClientHello carrying a share on the group the server asked for, and the
// cookie it sent.
func (hs *clientHS13) retry(m *Machine, hrr *ServerHello, raw []byte) (state, error) {
	g := hrr.SelectedGroup
	// "Upon receipt of this extension in a HelloRetryRequest, the client
	// MUST verify that (1) the selected_group field corresponds to a
	// group which was provided in the 'supported_groups' extension in the
	// original ClientHello and (2) the selected_group field does not
	// correspond to a group which was provided in the 'key_share'
	// extension in the original ClientHello." (Section 4.2.8)
	if g != 0 && (!slices.Contains(hs.hello.SupportedGroups, g) || slices.ContainsFunc(hs.shares13, func(k kex.KeyShare) bool { return k.Group() == g })) {
		return nil, errIllegal("tls: HelloRetryRequest asks for group %v, which we did not offer or already sent", g)
	}
	// Section 4.1.4: a HelloRetryRequest that would not change the
	// ClientHello is illegal_parameter.
	if g == 0 && len(hrr.Cookie) == 0 {
		return nil, errIllegal("tls: HelloRetryRequest that changes nothing")
	}
	hs.hrr = hrr
	hs.suite = cipher.Suite13ByID(hrr.CipherSuite)
	hs.ks.suite = hs.suite
	if err := hs.ks.t.SetHash(hs.suite.PRFHash); err != nil {
		return nil, errInternal(err, "tls: transcript")
	}
	if err := hs.ks.t.ReplaceClientHello1(); err != nil {
		return nil, errInternal(err, "tls: transcript")
	}
	hs.ks.add(raw)
	ch := *hs.hello
	ch.Raw, ch.PaddingLen, ch.EarlyData, ch.Cookie = nil, 0, false, hrr.Cookie
	if g != 0 {
		k, err := kex.GenerateShare(g, hs.cfg.Rand)
		if err != nil {
			return nil, errInternal(err, "tls: generating a %v key share", g)
		}
		hs.shares13 = []kex.KeyShare{k}
		ch.KeyShares = []KeyShareEntry{{Group: g, Data: k.Public()}}
	}
	hs.keepPSKForRetry(&ch)
	rawCH, err := ch.Marshal()
	if err != nil {
		return nil, errInternal(err, "tls: marshaling ClientHello")
	}
	if err := hs.bindPSK13(&ch, rawCH, hs.ks.t); err != nil {
		return nil, err
	}
	ch.Raw = rawCH
	hs.hello = &ch
	// RFC 8446, Appendix D.4: the compatibility ChangeCipherSpec goes
	// before the client's second flight, here the second ClientHello.
	if err := hs.sendCompatCCS(m); err != nil {
		return nil, err
	}
	hs.ks.add(rawCH)
	m.sink.SendMessage(rawCH)
	return &expectServerHello13{hs: hs}, nil
}

// sendCompatCCS sends our one compatibility ChangeCipherSpec.
func (hs *clientHS13) sendCompatCCS(m *Machine) error {
	if hs.sentCCS {
		return nil
	}
	hs.sentCCS = true
	return m.sink.SendChangeCipherSpec()
}

// expectServerHello13 waits for the ServerHello after a
// HelloRetryRequest.
type expectServerHello13 struct{ hs *clientHS13 }

func (s *expectServerHello13) compat() *compat13 { return &s.hs.compat }

func (s *expectServerHello13) handle(m *Machine, in input) (state, error) {
	sh, ok := in.msg.(*ServerHello)
	if !ok {
		return nil, unexpected(in, "ServerHello")
	}
	// RFC 8446, Section 4.1.4: a second HelloRetryRequest is
	// unexpected_message.
	if sh.IsHelloRetryRequest() {
		return nil, errUnexpected("tls: a second HelloRetryRequest")
	}
	if err := s.hs.checkServerHello(sh); err != nil {
		return nil, err
	}
	return s.hs.keyExchange(m, sh, in.raw)
}

// keyExchange completes the key exchange with the server's share and
// switches reading to the server's handshake traffic keys.
func (hs *clientHS13) keyExchange(m *Machine, sh *ServerHello, raw []byte) (state, error) {
	// RFC 8446, Section 4.2.8: the server's share is on a group we sent
	// a share for; otherwise illegal_parameter.
	i := slices.IndexFunc(hs.shares13, func(k kex.KeyShare) bool { return k.Group() == sh.KeyShare.Group })
	if sh.KeyShare.Group == 0 || i < 0 {
		return nil, errIllegal("tls: server key share on group %v, for which we sent no share", sh.KeyShare.Group)
	}
	hs.suite = cipher.Suite13ByID(sh.CipherSuite)
	hs.ks.suite = hs.suite
	if err := hs.ks.t.SetHash(hs.suite.PRFHash); err != nil {
		return nil, errInternal(err, "tls: transcript")
	}
	if err := hs.acceptPSK(sh); err != nil {
		return nil, err
	}
	hs.ks.add(raw)
	shared, err := hs.shares13[i].Finish(sh.KeyShare.Data)
	if err != nil {
		return nil, keyShareError(err)
	}
	hs.group = sh.KeyShare.Group
	hs.serverHello, hs.serverRandom = sh, sh.Random
	hs.ks.handshakeSecrets(m, shared)
	if err := installRead(m, hs.suite, hs.ks.serverHS); err != nil {
		return nil, err
	}
	// Our second flight goes under the client handshake keys, and so do
	// the alerts we may send before it (RFC 8446, Section 6: alerts are
	// encrypted under the current keys), so they are installed now,
	// after the compatibility ChangeCipherSpec that goes before that
	// flight (Appendix D.4), as Go and BoringSSL do.
	if err := hs.sendCompatCCS(m); err != nil {
		return nil, err
	}
	if err := installWrite(m, hs.suite, hs.ks.clientHS); err != nil {
		return nil, err
	}
	return &expectEncryptedExtensions{hs: hs}, nil
}

// expectEncryptedExtensions checks the server's answers to our
// extensions (RFC 8446, Section 4.3.1).
type expectEncryptedExtensions struct{ hs *clientHS13 }

func (s *expectEncryptedExtensions) compat() *compat13 { return &s.hs.compat }

func (s *expectEncryptedExtensions) handle(m *Machine, in input) (state, error) {
	ee, ok := in.msg.(*EncryptedExtensions)
	if !ok {
		return nil, unexpected(in, "EncryptedExtensions")
	}
	hs := s.hs
	hs.ks.add(in.raw)
	// RFC 8446, Section 4.2: an extension we did not offer is
	// unsupported_extension (early_data included: we offer no 0-RTT).
	for _, e := range ee.Extensions {
		if !slices.Contains(hs.hello.Extensions, e) {
			return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertUnsupportedExtension,
				"tls: server sent unrequested extension %v", e)
		}
	}
	// RFC 7301, Section 3.1: the protocol MUST be one the client offered.
	if ee.ALPNProtocol != "" && !slices.Contains(hs.hello.ALPNProtocols, ee.ALPNProtocol) {
		return nil, errIllegal("tls: server selected unadvertised ALPN protocol %q", ee.ALPNProtocol)
	}
	hs.alpn = ee.ALPNProtocol
	if hs.resumed13 {
		// RFC 8446, Section 2.2: the PSK authenticates the server.
		return &expectServerFinished13{hs: hs}, nil
	}
	return &expectServerCertificate13{hs: hs}, nil
}

// expectServerCertificate13 takes an optional CertificateRequest, then the
// server's Certificate (RFC 8446, Section 4.4.2).
type expectServerCertificate13 struct{ hs *clientHS13 }

func (s *expectServerCertificate13) compat() *compat13 { return &s.hs.compat }

func (s *expectServerCertificate13) handle(m *Machine, in input) (state, error) {
	hs := s.hs
	switch msg := in.msg.(type) {
	case *CertificateRequest13:
		if hs.certRequest != nil {
			return nil, unexpected(in, "Certificate")
		}
		// RFC 8446, Section 4.3.2: the context is empty during the
		// handshake.
		if len(msg.RequestContext) != 0 {
			return nil, errIllegal("tls: CertificateRequest with a non-empty context during the handshake")
		}
		hs.ks.add(in.raw)
		hs.certRequest = msg
		return s, nil
	case *Certificate13:
		return hs.serverCertificate(msg, in.raw)
	}
	return nil, unexpected(in, "Certificate")
}

func (hs *clientHS13) serverCertificate(msg *Certificate13, raw []byte) (state, error) {
	hs.ks.add(raw)
	// RFC 8446, Section 4.4.2.4: an empty server Certificate is
	// decode_error.
	if len(msg.Entries) == 0 {
		return nil, errDecode("tls: server sent an empty TLS 1.3 Certificate")
	}
	if len(msg.RequestContext) != 0 {
		return nil, errIllegal("tls: server Certificate with a non-empty request context")
	}
	var allowed []ExtensionType
	if hs.hello.OCSPStapling {
		allowed = []ExtensionType{ExtStatusRequest}
	}
	if err := unrequestedEntryExtensions(msg, allowed); err != nil {
		return nil, err
	}
	host := hs.opts.VerifyName
	if host == "" {
		host = hs.opts.ServerName
	}
	pv, err := verifyPeer(hs.cfg, msg.Certificates(), x509lite.PurposeServerAuth, host)
	if err != nil {
		return nil, err
	}
	if pv.err != nil && !hs.cfg.InsecureSkipVerify {
		return nil, verifyFailure(pv.err)
	}
	if err := checkSigningKeyUsage(pv.certs[0]); err != nil {
		return nil, err
	}
	hs.peer = pv
	hs.ocsp = msg.Entries[0].OCSPResponse
	return &expectCertificateVerify13{ks: &hs.ks, cc: &hs.compat, pub: pv.certs[0].PublicKey, offered: hs.hello.SignatureSchemes,
		context: serverSignatureContext, scheme: &hs.peerScheme, next: &expectServerFinished13{hs: hs}}, nil
}

// expectServerFinished13 verifies the server's Finished and sends the
// client's second flight.
type expectServerFinished13 struct{ hs *clientHS13 }

func (s *expectServerFinished13) compat() *compat13 { return &s.hs.compat }

func (s *expectServerFinished13) handle(m *Machine, in input) (state, error) {
	if _, ok := in.msg.(*Finished); !ok {
		return nil, unexpected(in, "Finished")
	}
	hs := s.hs
	var err error
	if hs.serverFinished, err = hs.ks.peerFinished(in, hs.ks.serverHS.VerifyData(hs.ks.t.Sum()), "server"); err != nil {
		return nil, err
	}
	hs.ks.applicationSecrets(m)
	if err := installRead(m, hs.suite, hs.ks.serverApp); err != nil {
		return nil, err
	}
	if hs.certRequest != nil {
		if err := hs.sendClientCertificate(m); err != nil {
			return nil, err
		}
	}
	cf := hs.ks.clientHS.VerifyData(hs.ks.t.Sum())
	hs.clientFinished = cf
	if _, err := hs.ks.send(m, &Finished{VerifyData: cf}); err != nil {
		return nil, err
	}
	if err := installWrite(m, hs.suite, hs.ks.clientApp); err != nil {
		return nil, err
	}
	st := state13(&hs.ks, hs.group, hs.alpn, hs.hrr != nil)
	st.Resumed = hs.resumed13
	st.ServerName = hs.hello.ServerName
	st.ServerRandom = hs.serverRandom
	st.PeerSignatureScheme = hs.peerScheme
	if hs.peer != nil {
		st.PeerCertificates, st.VerifiedChain, st.VerifyError = hs.peer.certs, hs.peer.verified, hs.peer.err
	}
	st.OCSPResponse = hs.ocsp
	st.ClientFinished, st.ServerFinished = hs.clientFinished, hs.serverFinished
	m.established = true
	m.sink.HandshakeDone(st)
	e := newEstablished13(hs.suite, hs.ks.clientApp, hs.ks.serverApp, true)
	e.tickets = hs.newClientTickets()
	return e, nil
}

// sendClientCertificate answers a CertificateRequest (RFC 8446, Section
// 4.4.2): our chain and CertificateVerify when a credential has a scheme
// the server accepts, else an empty Certificate.
func (hs *clientHS13) sendClientCertificate(m *Machine) error {
	var cred *Credential
	var scheme kex.SignatureScheme
	for _, c := range hs.cfg.Certificates {
		if sc, ok := selectScheme13(c.Leaf.PublicKey, hs.cfg.signingSchemes(), hs.certRequest.SignatureSchemes); ok {
			cred, scheme = c, sc
			break
		}
	}
	if _, err := hs.ks.send(m, certificate13(cred, hs.certRequest.RequestContext, nil)); err != nil {
		return err
	}
	if cred == nil {
		return nil
	}
	return sendCertificateVerify13(m, &hs.ks, cred, scheme, clientSignatureContext)
}
