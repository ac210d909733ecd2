package handshake

// The TLS 1.3 server (RFC 8446, Section 2). A full handshake:
//
//	Client                                Server
//	ClientHello          -------->
//	  + key_share                         ServerHello + key_share
//	                                      [ChangeCipherSpec]
//	                                      {EncryptedExtensions}
//	                                      {CertificateRequest*}
//	                                      {Certificate}
//	                                      {CertificateVerify}
//	                     <--------        {Finished}
//	[ChangeCipherSpec]
//	{Certificate*}
//	{CertificateVerify*}
//	{Finished}           -------->
//
// The ClientHello is checked and the version picked (from the
// connection's Config) by the shared states of server12.go, which then ask
// the SNI decision (chooseContext) and continue here with the
// configuration it chose. States: (expectClientHello13 after a
// HelloRetryRequest) -> (awaitOCSP) -> expectClientCertificate13? ->
// expectClientCertificateVerify13? -> expectClientFinished13 ->
// established13, which NewSessionTickets follow (tickets13.go). A
// ClientHello whose ticket we accept (psk13.go) skips CertificateRequest,
// Certificate and CertificateVerify. No 0-RTT: early data is refused by
// leaving early_data out of EncryptedExtensions (RFC 8446, Section
// 4.2.10).

import (
	"bytes"
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

// serverHS13 is the data of one TLS 1.3 server handshake. It extends the
// shared serverHS (ClientHello, configuration, certificate, ALPN, OCSP).
type serverHS13 struct {
	*serverHS
	ks     schedule13
	compat compat13
	// retried is set once a HelloRetryRequest went out; firstHello is
	// the ClientHello it answered and cookie the cookie it carried.
	retried    bool
	firstHello *ClientHello
	cookie     []byte
	// share is the client's key share on hs.group.
	share       []byte
	certRequest *CertificateRequest13
	// psk is the ticket being resumed (psk13.go), nil on a full
	// handshake; hrrRaw is our HelloRetryRequest, which a binder covers.
	psk    *psk13
	hrrRaw []byte
	// ticketsSent is set when the tickets went out with our Finished;
	// clientFinished13 is then the client's verify_data they were made
	// for, which its Finished is checked against.
	ticketsSent      bool
	clientFinished13 []byte
}

// negotiate13 continues a handshake for which the server picked TLS 1.3
// (RFC 8446, Section 4.1.1): suite, group, HelloRetryRequest if the
// client has no share on a group we take, then the certificate.
func (hs *serverHS) negotiate13(m *Machine) (state, error) {
	ch := hs.hello
	m.version = cipher.VersionTLS13
	hs.version = cipher.VersionTLS13
	// RFC 8446, Section 5.1: legacy_record_version 0x0303 in everything
	// but a ClientHello.
	m.sink.SetVersion(cipher.VersionTLS12)
	h := &serverHS13{serverHS: hs}
	// RFC 8446, Section 4.2.10: we never accept 0-RTT, so the client's
	// early data is skipped.
	h.compat.skipEarly = ch.EarlyData
	// RFC 8446, Section 4.1.2: legacy_compression_methods MUST be the
	// single null method; otherwise illegal_parameter.
	if !bytes.Equal(ch.CompressionMethods, []byte{0}) {
		return nil, errIllegal("tls: TLS 1.3 ClientHello with compression methods %v", ch.CompressionMethods)
	}
	// RFC 8446, Section 4.1.1: the suites of TLS 1.2 are not considered.
	hs.suite = selectSuite13(ch.CipherSuites, hs.cfg.suites13(), hs.cfg.PreferServerCipherSuites)
	if hs.suite == nil {
		return nil, errHandshakeFailure("tls: no TLS 1.3 cipher suite in common with the client")
	}
	h.ks = schedule13{suite: hs.suite, t: keysched.NewTranscript(), clientRandom: ch.Random}
	h.ks.add(ch.Raw)
	if err := h.ks.t.SetHash(hs.suite.PRFHash); err != nil {
		return nil, errInternal(err, "tls: transcript")
	}
	return h.pickGroup(m)
}

// selectSuite13 picks a TLS 1.3 suite from the client's list and ours.
func selectSuite13(client, ours []uint16, preferServer bool) *cipher.Suite {
	first, second := client, ours
	if preferServer {
		first, second = ours, client
	}
	for _, id := range first {
		if s := cipher.Suite13ByID(id); s != nil && slices.Contains(second, id) {
			return s
		}
	}
	return nil
}

// pickGroup chooses the key exchange group: the first of ours for which
// the client sent a share, else the first of ours it supports, which a
// HelloRetryRequest asks a share for (RFC 8446, Section 4.1.4).
func (hs *serverHS13) pickGroup(m *Machine) (state, error) {
	ch := hs.hello
	// RFC 8446, Section 9.2: a ClientHello without PSK must carry
	// supported_groups and key_share; otherwise missing_extension.
	for _, e := range []ExtensionType{ExtSupportedGroups, ExtKeyShare} {
		if !slices.Contains(ch.Extensions, e) {
			return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertMissingExtension,
				"tls: TLS 1.3 ClientHello without %v", e)
		}
	}
	// RFC 8446, Section 4.2.8: every share is for a group the client
	// lists in supported_groups; servers MAY check (illegal_parameter).
	for _, ks := range ch.KeyShares {
		if !slices.Contains(ch.SupportedGroups, ks.Group) {
			return nil, errIllegal("tls: client sent a key share for %v, which is not in its supported_groups", ks.Group)
		}
	}
	ours := hs.cfg.groups13()
	for _, g := range ours {
		for _, ks := range ch.KeyShares {
			if ks.Group == g {
				hs.group, hs.share = g, ks.Data
				return hs.chooseCertificate(m)
			}
		}
	}
	for _, g := range ours {
		if slices.Contains(ch.SupportedGroups, g) {
			return hs.helloRetry(m, g)
		}
	}
	return nil, errHandshakeFailure("tls: no key exchange group in common with the client")
}

// helloRetry sends a HelloRetryRequest for group g (RFC 8446, Section
// 4.1.4) and waits for the second ClientHello. A client that gets one has
// its first ClientHello replaced by message_hash in the transcript
// (Section 4.4.1).
func (hs *serverHS13) helloRetry(m *Machine, g kex.Group) (state, error) {
	if hs.retried {
		// The second ClientHello was checked to carry the asked group,
		// so this cannot happen; refuse it rather than loop.
		return nil, errIllegal("tls: the client's second ClientHello has no usable key share")
	}
	hs.retried = true
	hs.group = g
	var err error
	if hs.cookie, err = newHRRCookie(hs.cfg.Rand, hs.suite.ID, g, hs.ks.t.Sum().Bytes()); err != nil {
		return nil, err
	}
	if err := hs.ks.t.ReplaceClientHello1(); err != nil {
		return nil, errInternal(err, "tls: transcript")
	}
	hrr := NewHelloRetryRequest(hs.hello.SessionID, hs.suite.ID, g, hs.cookie)
	if hs.hrrRaw, err = hs.ks.send(m, hrr); err != nil {
		return nil, err
	}
	// RFC 8446, Appendix D.4: the server sends its compatibility
	// ChangeCipherSpec after its first handshake message, here the
	// HelloRetryRequest.
	if err := hs.sendCompatCCS(m); err != nil {
		return nil, err
	}
	hs.firstHello = hs.hello
	return &expectClientHello13{hs: hs}, nil
}

// sendCompatCCS sends the compatibility ChangeCipherSpec after our first
// handshake message (RFC 8446, Appendix D.4), which a server MUST when the
// client sent a non-empty legacy_session_id, the client's sign that it
// runs the compatibility mode; otherwise none is sent, as BoringSSL does.
func (hs *serverHS13) sendCompatCCS(m *Machine) error {
	if len(hs.hello.SessionID) == 0 {
		return nil
	}
	return m.sink.SendChangeCipherSpec()
}

// expectClientHello13 waits for the ClientHello that answers a
// HelloRetryRequest.
type expectClientHello13 struct{ hs *serverHS13 }

func (s *expectClientHello13) compat() *compat13 { return &s.hs.compat }

func (s *expectClientHello13) handle(m *Machine, in input) (state, error) {
	ch, ok := in.msg.(*ClientHello)
	if !ok {
		return nil, unexpected(in, "ClientHello")
	}
	hs := s.hs
	if err := retriedHelloChanges(hs.firstHello, ch); err != nil {
		return nil, err
	}
	if err := checkHRRCookie(hs.cookie, ch.Cookie); err != nil {
		return nil, err
	}
	// RFC 8446, Section 4.2.8: the new key_share holds a single share on
	// the group the HelloRetryRequest named.
	if len(ch.KeyShares) == 0 {
		return nil, errIllegal("tls: the second ClientHello carries no key share")
	}
	if len(ch.KeyShares) != 1 || ch.KeyShares[0].Group != hs.group {
		return nil, errIllegal("tls: the second ClientHello does not carry exactly one key share on %v", hs.group)
	}
	// RFC 8446, Section 4.2.10: early data is not allowed after a
	// HelloRetryRequest.
	if ch.EarlyData {
		return nil, errIllegal("tls: early_data in the ClientHello after a HelloRetryRequest")
	}
	hs.hello = ch
	hs.ks.add(in.raw)
	hs.share = ch.KeyShares[0].Data
	return hs.chooseCertificate(m)
}

// retriedHelloChanges checks that the second ClientHello is the first one
// with only the changes RFC 8446, Section 4.1.2 allows: key_share,
// early_data removed, cookie, pre_shared_key and padding. Anything else is
// illegal_parameter.
func retriedHelloChanges(first, second *ClientHello) error {
	allowed := func(e ExtensionType) bool {
		switch e {
		case ExtKeyShare, ExtEarlyData, ExtCookie, ExtPreSharedKey, ExtPadding:
			return true
		}
		return false
	}
	same := first.Version == second.Version && bytes.Equal(first.Random, second.Random) &&
		bytes.Equal(first.SessionID, second.SessionID) && slices.Equal(first.CipherSuites, second.CipherSuites) &&
		bytes.Equal(first.CompressionMethods, second.CompressionMethods) && first.ServerName == second.ServerName &&
		slices.Equal(first.SupportedGroups, second.SupportedGroups) && slices.Equal(first.SignatureSchemes, second.SignatureSchemes) &&
		slices.Equal(first.ALPNProtocols, second.ALPNProtocols) && slices.Equal(first.SupportedVersions, second.SupportedVersions) &&
		first.OCSPStapling == second.OCSPStapling && bytes.Equal(first.PSKModes, second.PSKModes) &&
		slices.Equal(slices.DeleteFunc(slices.Clone(first.Extensions), allowed), slices.DeleteFunc(slices.Clone(second.Extensions), allowed))
	if !same {
		return errIllegal("tls: the ClientHello after a HelloRetryRequest changed more than RFC 8446, Section 4.1.2 allows")
	}
	return nil
}

// chooseCertificate picks the credential and signature scheme (RFC 8446,
// Section 4.4.2.2), the ALPN protocol, and asks for an OCSP staple if the
// client wants one.
func (hs *serverHS13) chooseCertificate(m *Machine) (state, error) {
	ch, cfg := hs.hello, hs.cfg
	if err := hs.selectPSK(); err != nil {
		return nil, err
	}
	if hs.psk != nil {
		return hs.resumeFlight(m)
	}
	// RFC 8446, Section 9.2: certificate authentication needs
	// signature_algorithms; otherwise missing_extension.
	if !slices.Contains(ch.Extensions, ExtSignatureAlgorithms) {
		return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertMissingExtension,
			"tls: TLS 1.3 ClientHello without signature_algorithms")
	}
	for _, c := range cfg.Certificates {
		if sc, ok := selectScheme13(c.Leaf.PublicKey, cfg.signingSchemes(), ch.SignatureSchemes); ok {
			hs.cert, hs.scheme = c, sc
			break
		}
	}
	if hs.cert == nil {
		return nil, errHandshakeFailure("tls: no certificate with a TLS 1.3 signature scheme the client accepts")
	}
	alpn, ok := selectALPN(ch.ALPNProtocols, cfg.ALPNProtocols)
	if !ok {
		// RFC 7301, Section 3.2: no overlap is fatal.
		return nil, record.Errorf(record.ErrIncompatible, record.AlertNoApplicationProtocol,
			"tls: no application protocol in common with the client")
	}
	hs.alpn = alpn
	// RFC 8446, Section 4.4.2.1: the staple goes in the leaf's
	// CertificateEntry; the application supplies it (Node's OCSPRequest).
	if ch.OCSPStapling && cfg.AskOCSP {
		return &awaitOCSP{hs: hs.serverHS, then: hs.sendFlight}, nil
	}
	return hs.sendFlight(m)
}

// sendFlight answers the client's share and sends ServerHello through
// Finished.
func (hs *serverHS13) sendFlight(m *Machine) (state, error) {
	ch, cfg := hs.hello, hs.cfg
	var share, shared []byte
	if hs.group != 0 {
		var err error
		if share, shared, err = kex.AnswerShare(hs.group, hs.share, cfg.Rand); err != nil {
			return nil, keyShareError(err)
		}
	}
	hs.serverRandom = make([]byte, 32)
	if _, err := readFull(cfg.Rand, hs.serverRandom); err != nil {
		return nil, err
	}
	sh := &ServerHello{
		Version:          cipher.VersionTLS12,
		Random:           hs.serverRandom,
		SessionID:        ch.SessionID, // RFC 8446, Section 4.1.3: echoed
		CipherSuite:      hs.suite.ID,
		SupportedVersion: cipher.VersionTLS13,
		KeyShare:         KeyShareEntry{Group: hs.group, Data: share},
	}
	if hs.psk != nil {
		// RFC 8446, Section 4.2.11: the index of the identity chosen.
		sh.HasSelectedIdentity, sh.SelectedIdentity = true, hs.psk.index
	}
	if _, err := hs.ks.send(m, sh); err != nil {
		return nil, err
	}
	if !hs.retried {
		if err := hs.sendCompatCCS(m); err != nil {
			return nil, err
		}
	}
	hs.ks.handshakeSecrets(m, shared)
	if err := installWrite(m, hs.suite, hs.ks.serverHS); err != nil {
		return nil, err
	}
	// RFC 6066, Section 3: no server_name acknowledgement when resuming.
	ee := &EncryptedExtensions{ALPNProtocol: hs.alpn, ServerNameAck: ch.ServerName != "" && hs.psk == nil,
		SupportedGroups: groupsUpdate13(cfg.groups13(), ch.SupportedGroups, hs.group)}
	if _, err := hs.ks.send(m, ee); err != nil {
		return nil, err
	}
	if hs.psk != nil {
		// RFC 8446, Section 2.2: a PSK handshake authenticates by the
		// PSK; no CertificateRequest, Certificate or CertificateVerify.
		return hs.sendFinished(m)
	}
	if cfg.ClientAuth != NoClientCert {
		hs.certRequest = &CertificateRequest13{SignatureSchemes: cfg.schemes()}
		if cfg.RootCAs != nil {
			hs.certRequest.CertificateAuthorities = cfg.RootCAs.Subjects()
		}
		if _, err := hs.ks.send(m, hs.certRequest); err != nil {
			return nil, err
		}
	}
	if _, err := hs.ks.send(m, certificate13(hs.cert, nil, hs.ocsp)); err != nil {
		return nil, err
	}
	if err := sendCertificateVerify13(m, &hs.ks, hs.cert, hs.scheme, serverSignatureContext); err != nil {
		return nil, err
	}
	return hs.sendFinished(m)
}

// sendFinished sends our Finished and switches to the application keys
// for writing and the client's handshake keys for reading.
func (hs *serverHS13) sendFinished(m *Machine) (state, error) {
	hs.serverFinished = hs.ks.serverHS.VerifyData(hs.ks.t.Sum())
	if _, err := hs.ks.send(m, &Finished{VerifyData: hs.serverFinished}); err != nil {
		return nil, err
	}
	hs.ks.applicationSecrets(m)
	// RFC 8446, Section 2: the server may write under its application
	// keys right after its Finished.
	if err := installWrite(m, hs.suite, hs.ks.serverApp); err != nil {
		return nil, err
	}
	if err := installRead(m, hs.suite, hs.ks.clientHS); err != nil {
		return nil, err
	}
	if hs.certRequest != nil {
		return &expectClientCertificate13{hs: hs}, nil
	}
	// RFC 8446, Section 4.6.1 lets a server that does not authenticate
	// the client send its tickets right after its Finished, computing the
	// resumption secret over the client's Finished it expects: the
	// tickets then travel with the flight, one write and one wake-up of
	// the client fewer than after the client's Finished (crypto/tls does
	// the same). A client whose Finished differs fails the handshake
	// before any ticket of ours could be used.
	hs.clientFinished13 = hs.ks.clientHS.VerifyData(hs.ks.t.Sum())
	fin, err := (&Finished{VerifyData: hs.clientFinished13}).Marshal()
	if err != nil {
		return nil, errInternal(err, "tls: marshaling the expected client Finished")
	}
	if err := hs.sendTickets(m, hs.ks.t.SumWith(fin)); err != nil {
		return nil, err
	}
	hs.ticketsSent = true
	return &expectClientFinished13{hs: hs}, nil
}

// certificate13 is our Certificate message: the chain, with an OCSP staple
// in the leaf's entry (RFC 8446, Section 4.4.2.1).
func certificate13(cred *Credential, context, ocsp []byte) *Certificate13 {
	msg := &Certificate13{RequestContext: context}
	if cred == nil {
		return msg
	}
	for i, der := range cred.Chain {
		e := CertificateEntry{Data: der}
		if i == 0 {
			e.OCSPResponse = ocsp
		}
		msg.Entries = append(msg.Entries, e)
	}
	return msg
}

// sendCertificateVerify13 signs the transcript so far (RFC 8446, Section
// 4.4.3).
func sendCertificateVerify13(m *Machine, ks *schedule13, cred *Credential, scheme kex.SignatureScheme, context string) error {
	sig, err := kex.Sign(cred.Key, scheme, m.cfg.Rand, signed13(context, ks.t.Sum()))
	if err != nil {
		return errInternal(err, "tls: signing CertificateVerify")
	}
	_, err = ks.send(m, &CertificateVerify{HasSignatureScheme: true, SignatureScheme: scheme, Signature: sig})
	return err
}

// expectClientCertificate13 waits for the client's Certificate after a
// CertificateRequest (RFC 8446, Section 4.4.2).
type expectClientCertificate13 struct{ hs *serverHS13 }

func (s *expectClientCertificate13) compat() *compat13 { return &s.hs.compat }

func (s *expectClientCertificate13) handle(m *Machine, in input) (state, error) {
	msg, ok := in.msg.(*Certificate13)
	if !ok {
		return nil, unexpected(in, "Certificate")
	}
	hs := s.hs
	hs.ks.add(in.raw)
	// RFC 8446, Section 4.4.2: the context echoes the request's.
	if !bytes.Equal(msg.RequestContext, hs.certRequest.RequestContext) {
		return nil, errIllegal("tls: client Certificate with the wrong certificate_request_context")
	}
	if err := unrequestedEntryExtensions(msg, nil); err != nil {
		return nil, err
	}
	if len(msg.Entries) == 0 {
		// RFC 8446, Section 4.4.2.4: a server that requires a
		// certificate MAY abort with certificate_required.
		pv, err := missingClientCertificate(hs.cfg, record.AlertCertificateRequired)
		if err != nil {
			return nil, err
		}
		hs.peer = pv
		return &expectClientFinished13{hs: hs}, nil
	}
	pv, err := verifyPeer(hs.cfg, msg.Certificates(), x509lite.PurposeClientAuth, "")
	if err != nil {
		return nil, err
	}
	if pv.err != nil && hs.cfg.ClientAuth.verifiesCert() {
		return nil, verifyFailure(pv.err)
	}
	if err := checkSigningKeyUsage(pv.certs[0]); err != nil {
		return nil, err
	}
	hs.peer = pv
	return &expectCertificateVerify13{ks: &hs.ks, cc: &hs.compat, pub: pv.certs[0].PublicKey, offered: hs.certRequest.SignatureSchemes,
		context: clientSignatureContext, scheme: &hs.peerScheme, next: &expectClientFinished13{hs: hs}}, nil
}

// unrequestedEntryExtensions applies RFC 8446, Section 4.4.2: extensions
// in a CertificateEntry must answer ones the receiver sent; here only a
// status_request staple, when allowed (the peer asked for it), can.
func unrequestedEntryExtensions(msg *Certificate13, allowed []ExtensionType) error {
	for _, e := range msg.Entries {
		for _, x := range e.Extensions {
			if !slices.Contains(allowed, x) {
				return record.Errorf(record.ErrPeerMisbehaved, record.AlertUnsupportedExtension,
					"tls: unrequested extension %v in a Certificate entry", x)
			}
		}
	}
	return nil
}

// expectClientFinished13 verifies the client's Finished (RFC 8446,
// Section 4.4.4) and completes the handshake.
type expectClientFinished13 struct{ hs *serverHS13 }

func (s *expectClientFinished13) compat() *compat13 { return &s.hs.compat }

func (s *expectClientFinished13) handle(m *Machine, in input) (state, error) {
	if _, ok := in.msg.(*Finished); !ok {
		return nil, unexpected(in, "Finished")
	}
	hs := s.hs
	var err error
	want := hs.clientFinished13
	if want == nil {
		want = hs.ks.clientHS.VerifyData(hs.ks.t.Sum())
	}
	if hs.clientFinished, err = hs.ks.peerFinished(in, want, "client"); err != nil {
		return nil, err
	}
	if err := installRead(m, hs.suite, hs.ks.clientApp); err != nil {
		return nil, err
	}
	st := state13(&hs.ks, hs.group, hs.alpn, hs.retried)
	st.Resumed = hs.psk != nil
	st.ServerName = hs.hello.ServerName
	st.PeerCertificateRequested = hs.certRequest != nil
	st.PeerSignatureScheme = hs.peerScheme
	st.OCSPResponse = hs.ocsp
	st.ServerRandom = hs.serverRandom
	st.ClientFinished, st.ServerFinished = hs.clientFinished, hs.serverFinished
	if hs.peer != nil {
		st.PeerCertificates, st.VerifiedChain, st.VerifyError = hs.peer.certs, hs.peer.verified, hs.peer.err
	}
	m.established = true
	m.cfg = hs.cfg
	m.sink.HandshakeDone(st)
	if !hs.ticketsSent {
		if err := hs.sendTickets(m, hs.ks.t.Sum()); err != nil {
			return nil, err
		}
	}
	return newEstablished13(hs.suite, hs.ks.clientApp, hs.ks.serverApp, false), nil
}

// state13 is what both sides report of a TLS 1.3 handshake.
func state13(ks *schedule13, group kex.Group, alpn string, retried bool) *ConnectionState {
	return &ConnectionState{
		Version:           cipher.VersionTLS13,
		Suite:             ks.suite,
		Group:             group,
		ALPNProtocol:      alpn,
		HelloRetryRequest: retried,
		ClientRandom:      ks.clientRandom,
		exporter13:        ks.exporter,
	}
}
