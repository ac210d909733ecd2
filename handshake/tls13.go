package handshake

// What the TLS 1.3 client and server (client13.go, server13.go) share: the
// configuration they read, the key schedule as the handshake advances it,
// the CertificateVerify content, and the middlebox-compatibility
// ChangeCipherSpec (RFC 8446, Appendix D.4).

import (
	"crypto"
	"crypto/ecdsa"
	"errors"
	"slices"
	"strconv"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/record"
)

// The NSS key log labels of the TLS 1.3 secrets.
const (
	keylogClientHandshake = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
	keylogServerHandshake = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
	keylogClientTraffic   = "CLIENT_TRAFFIC_SECRET_0"
	keylogServerTraffic   = "SERVER_TRAFFIC_SECRET_0"
	keylogExporter        = "EXPORTER_SECRET"
)

// keylogTrafficLabel is the NSS key log label of a direction's n-th
// application traffic secret, CLIENT_TRAFFIC_SECRET_N or
// SERVER_TRAFFIC_SECRET_N: N counts the KeyUpdates (RFC 8446, Section
// 7.2), so Wireshark follows a connection through them.
func keylogTrafficLabel(client bool, n int) string {
	if client {
		return "CLIENT_TRAFFIC_SECRET_" + strconv.Itoa(n)
	}
	return "SERVER_TRAFFIC_SECRET_" + strconv.Itoa(n)
}

// The CertificateVerify context strings (RFC 8446, Section 4.4.3).
const (
	serverSignatureContext = "TLS 1.3, server CertificateVerify"
	clientSignatureContext = "TLS 1.3, client CertificateVerify"
)

// suites13 is the TLS 1.3 suite list: CipherSuites13, or Node v20's
// default order.
func (c *Config) suites13() []uint16 {
	if c.CipherSuites13 != nil {
		return c.CipherSuites13
	}
	return cipher.DefaultSuites13()
}

// groups13 is our group list without the groups TLS 1.3 cannot use.
func (c *Config) groups13() []kex.Group {
	var out []kex.Group
	for _, g := range c.groups() {
		if usable13(g) {
			out = append(out, g)
		}
	}
	return out
}

// groupsUpdate13 is the supported_groups a server sends in
// EncryptedExtensions (RFC 8446, Section 4.2.7): when it prefers a group
// the client also supports to the one chosen (from the client's key
// shares, which spared a HelloRetryRequest), it SHOULD send its groups,
// all of them, so the client can send a share on the preferred one next
// time; otherwise nothing (nil). A group the client does not support is
// no reason to send it: the client could not act on it. OpenSSL sends the
// list whenever the chosen group is not its first.
func groupsUpdate13(ours, clients []kex.Group, chosen kex.Group) []kex.Group {
	for _, g := range ours {
		if g == chosen {
			return nil
		}
		if slices.Contains(clients, g) {
			return ours
		}
	}
	return nil
}

// usable13 reports whether g is a TLS 1.3 key share group we implement:
// ECDHE, an RFC 7919 group, or X25519MLKEM768.
func usable13(g kex.Group) bool {
	_, ffdhe := kex.FFDHEParams(g)
	return kex.IsECDHE(g) || ffdhe || g == kex.X25519MLKEM768
}

// fits13 reports whether scheme s may sign a TLS 1.3 CertificateVerify
// with pub. RFC 8446, Section 4.4.3: RSA signatures MUST use RSASSA-PSS
// (never PKCS#1 v1.5, which stays legal only in certificates, Section
// 4.2.3), SHA-1 is not allowed, and an ECDSA scheme names its curve.
func fits13(pub crypto.PublicKey, s kex.SignatureScheme) bool {
	switch s {
	case kex.PKCS1WithSHA1, kex.PKCS1WithSHA256, kex.PKCS1WithSHA384, kex.PKCS1WithSHA512, kex.ECDSAWithSHA1:
		return false
	}
	if !kex.FitsKey(pub, s) {
		return false
	}
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		switch k.Curve.Params().BitSize {
		case 256:
			return s == kex.ECDSAWithP256AndSHA256
		case 384:
			return s == kex.ECDSAWithP384AndSHA384
		case 521:
			return s == kex.ECDSAWithP521AndSHA512
		}
		return false
	}
	return true
}

// selectScheme13 picks our first signing scheme that the peer offered and
// that fits13 the key.
func selectScheme13(pub crypto.PublicKey, ours, peer []kex.SignatureScheme) (kex.SignatureScheme, bool) {
	for _, s := range ours {
		if slices.Contains(peer, s) && fits13(pub, s) {
			return s, true
		}
	}
	return 0, false
}

// signed13 is what a TLS 1.3 CertificateVerify signs (RFC 8446, Section
// 4.4.3): 64 spaces, the context string, a zero byte, and the transcript
// hash.
func signed13(context string, th keysched.TranscriptHash) []byte {
	sum := th.Bytes()
	out := make([]byte, 0, 64+len(context)+1+len(sum))
	for range 64 {
		out = append(out, 0x20)
	}
	out = append(append(out, context...), 0)
	return append(out, sum...)
}

// expectCertificateVerify13 waits for the peer's proof of its key, on
// either side (RFC 8446, Section 4.4.3), then goes on to next.
type expectCertificateVerify13 struct {
	ks *schedule13
	cc *compat13
	// pub is the peer's leaf key; offered the signature_algorithms we
	// sent; context the peer's context string.
	pub     crypto.PublicKey
	offered []kex.SignatureScheme
	context string
	// scheme receives the scheme the peer signed with.
	scheme *kex.SignatureScheme
	next   state
}

func (s *expectCertificateVerify13) compat() *compat13 { return s.cc }

func (s *expectCertificateVerify13) handle(m *Machine, in input) (state, error) {
	cv, ok := in.msg.(*CertificateVerify)
	if !ok {
		return nil, unexpected(in, "CertificateVerify")
	}
	if err := verifyCertificateVerify13(cv, s.pub, s.offered, s.context, s.ks.t.Sum()); err != nil {
		return nil, err
	}
	s.ks.add(in.raw)
	*s.scheme = cv.SignatureScheme
	return s.next, nil
}

// peerFinished checks the peer's Finished against want, the verify_data
// its handshake traffic secret gives over the transcript so far, in
// constant time, and adds it to the transcript. RFC 8446, Section 4.4.4:
// "Recipients of Finished messages MUST verify that the contents are
// correct and if incorrect MUST terminate the connection with a
// 'decrypt_error' alert."
func (k *schedule13) peerFinished(in input, want []byte, peer string) ([]byte, error) {
	fin := in.msg.(*Finished)
	if !finishedEqual(fin.VerifyData, want) {
		return nil, record.Errorf(record.ErrPeerMisbehaved, record.AlertDecryptError, "tls: %s Finished does not verify", peer)
	}
	k.add(in.raw)
	return fin.VerifyData, nil
}

// verifyCertificateVerify13 checks a CertificateVerify against the leaf
// key pub.
func verifyCertificateVerify13(cv *CertificateVerify, pub crypto.PublicKey, offered []kex.SignatureScheme, context string, th keysched.TranscriptHash) error {
	// RFC 8446, Section 4.4.3: the algorithm MUST be one offered in
	// signature_algorithms, and a legal TLS 1.3 CertificateVerify scheme
	// (no PKCS#1 v1.5, the ECDSA curve bound to the scheme) for the key;
	// otherwise illegal_parameter.
	if !slices.Contains(offered, cv.SignatureScheme) || !fits13(pub, cv.SignatureScheme) {
		return errIllegal("tls: peer signed its CertificateVerify with %v, which is not allowed for its %s in TLS 1.3", cv.SignatureScheme, keyDescription(pub))
	}
	// "If the verification fails, the receiver MUST terminate the
	// handshake with a 'decrypt_error' alert."
	if err := kex.Verify(pub, cv.SignatureScheme, signed13(context, th), cv.Signature); err != nil {
		return record.Wrap(record.ErrPeerMisbehaved, record.AlertDecryptError, err, "tls: invalid CertificateVerify signature")
	}
	return nil
}

// schedule13 is one TLS 1.3 handshake's key schedule (RFC 8446, Section
// 7.1) and transcript, as far as the handshake has gone.
type schedule13 struct {
	suite *cipher.Suite
	t     *keysched.Transcript
	// clientRandom labels the key log lines.
	clientRandom []byte

	// early is the early secret of a PSK handshake (psk13.go), nil
	// without a PSK; master stays for the resumption secret, derived
	// once the client's Finished is in the transcript.
	early              *keysched.EarlySecret
	master             *keysched.MasterSecret
	handshake          *keysched.HandshakeSecret
	clientHS, serverHS *keysched.HandshakeTrafficSecret
	// clientApp and serverApp are the first application traffic
	// secrets; exporter the exporter master secret.
	clientApp, serverApp *keysched.ApplicationTrafficSecret
	exporter             *keysched.ExporterMasterSecret
}

// add appends a handshake message to the transcript.
func (k *schedule13) add(raw []byte) { k.t.Add(raw) }

// handshakeSecrets runs the schedule from the (EC)DHE or KEM secret to the
// handshake traffic secrets, with the transcript through ServerHello
// (RFC 8446, Section 7.1; without a PSK the early secret's PSK is zeros).
func (k *schedule13) handshakeSecrets(m *Machine, shared []byte) {
	early := k.early
	if early == nil {
		early = keysched.NewEarlySecret(k.suite.PRFHash, nil)
	}
	k.early = nil
	k.handshake = early.Handshake(shared)
	th := k.t.Sum()
	k.clientHS = k.handshake.ClientTrafficSecret(th)
	k.serverHS = k.handshake.ServerTrafficSecret(th)
	m.keylog13(keylogClientHandshake, k.clientHS, k.clientRandom)
	m.keylog13(keylogServerHandshake, k.serverHS, k.clientRandom)
}

// applicationSecrets derives the application traffic and exporter
// secrets from the transcript through the server's Finished.
func (k *schedule13) applicationSecrets(m *Machine) {
	th := k.t.Sum()
	master := k.handshake.Master()
	k.master = master
	k.clientApp = master.ClientTrafficSecret(th)
	k.serverApp = master.ServerTrafficSecret(th)
	k.exporter = master.ExporterMasterSecret(th)
	m.keylog13(keylogClientTraffic, k.clientApp, k.clientRandom)
	m.keylog13(keylogServerTraffic, k.serverApp, k.clientRandom)
	m.keylog13(keylogExporter, k.exporter, k.clientRandom)
	m.keylogRandom = k.clientRandom
}

// trafficSecret is a handshake or application traffic secret.
type trafficSecret interface {
	Keys(keyLen, ivLen int) (key, iv []byte)
}

// protection13 is the record protection under a traffic secret (RFC
// 8446, Section 7.3).
func protection13(s *cipher.Suite, ts trafficSecret) (cipher.Protection, error) {
	key, iv := ts.Keys(s.KeyLen, 12)
	p, err := s.NewProtection13(key, iv)
	if err != nil {
		return nil, errInternal(err, "tls: TLS 1.3 record protection")
	}
	return p, nil
}

// installRead and installWrite switch a direction to a traffic secret.
func installRead(m *Machine, s *cipher.Suite, ts trafficSecret) error {
	p, err := protection13(s, ts)
	if err != nil {
		return err
	}
	return m.sink.InstallReadKeys(p)
}

func installWrite(m *Machine, s *cipher.Suite, ts trafficSecret) error {
	p, err := protection13(s, ts)
	if err != nil {
		return err
	}
	return m.sink.InstallWriteKeys(p)
}

// send13 marshals a message, adds it to the transcript and queues it.
func (k *schedule13) send(m *Machine, msg Message) ([]byte, error) {
	raw, err := msg.Marshal()
	if err != nil {
		return nil, errInternal(err, "tls: marshaling %s", msg.Type())
	}
	k.t.Add(raw)
	m.sink.SendMessage(raw)
	return raw, nil
}

// compat13 is the middlebox-compatibility ChangeCipherSpec of one
// handshake (RFC 8446, Appendix D.4): the peer may send one, unencrypted,
// between the first ClientHello and its Finished, and it is dropped.
//
// It also holds a server's refusal of early data (RFC 8446, Section
// 4.2.10): while skipEarly is set, records the handshake keys cannot open
// (or, after a HelloRetryRequest, unprotected application data) are
// skipped, up to maxEarlySkip bytes, until the client's next handshake
// message arrives.
type compat13 struct {
	received  bool
	skipEarly bool
	skipped   int
}

// maxEarlySkip bounds the early data a server skips: four full records,
// as no client is told it may send more (max_early_data_size is never
// offered).
const maxEarlySkip = 4 * (1<<14 + 256)

// SkipEarlyData reports whether a record of n bytes that could not be
// used (it fails to open, or is application data before the handshake
// completed) is refused 0-RTT data to skip rather than an error.
func (m *Machine) SkipEarlyData(n int) bool {
	s, ok := m.state.(tls13Handshake)
	if !ok {
		return false
	}
	c := s.compat()
	if !c.skipEarly {
		return false
	}
	c.skipped += n
	return c.skipped <= maxEarlySkip
}

// tls13Handshake is a TLS 1.3 handshake state that takes the peer's
// compatibility ChangeCipherSpec.
type tls13Handshake interface {
	state
	compat() *compat13
}

// acceptCCS drops the peer's compatibility ChangeCipherSpec. RFC 8446,
// Section 5: its value must be 0x01, and a second one is an unexpected
// record.
func (c *compat13) acceptCCS(body []byte) error {
	if len(body) != 1 || body[0] != 1 {
		return errUnexpected("tls: malformed ChangeCipherSpec in TLS 1.3")
	}
	if c.received {
		return errUnexpected("tls: a second ChangeCipherSpec in a TLS 1.3 handshake")
	}
	c.received = true
	return nil
}

// keyShareError maps a key share failure to its alert: the peer's bad
// share is illegal_parameter (RFC 8446, Section 4.2.8), anything else
// internal.
func keyShareError(err error) error {
	if errors.Is(err, kex.ErrInvalidPublic) {
		return record.Wrap(record.ErrPeerMisbehaved, record.AlertIllegalParameter, err, "tls: invalid key share")
	}
	return errInternal(err, "tls: key share")
}
