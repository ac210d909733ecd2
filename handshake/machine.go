package handshake

import (
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// Sink receives everything a machine produces. Package engine implements
// it; tests use a recording sink.
type Sink interface {
	// SendMessage queues one complete handshake message for the peer.
	SendMessage(raw []byte)
	// SendChangeCipherSpec queues a ChangeCipherSpec record under the
	// current write protection. It changes no keys: a TLS 1.2 state
	// follows it with InstallWriteKeys.
	SendChangeCipherSpec() error
	// SendWarning queues a warning alert (no_renegotiation).
	SendWarning(d record.AlertDescription)
	// SetVersion fixes the version written in record headers.
	SetVersion(v uint16)
	// InstallWriteKeys seals what is already queued under the current
	// write protection, then protects every later record with p, from
	// sequence number 0. Handshake messages may not span a key change
	// (RFC 8446, Section 5.1): if handshake data of the peer is still
	// buffered once the message being handled is done, the connection
	// fails with unexpected_message.
	InstallWriteKeys(p cipher.Protection) error
	// InstallReadKeys makes p the protection of the peer's next records,
	// from sequence number 0. It fails with unexpected_message if a
	// handshake message of the peer is buffered: the records before a
	// key change must end with a whole message (RFC 8446, Section 5.1).
	InstallReadKeys(p cipher.Protection) error
	// HandshakeDone reports the negotiated parameters once both Finished
	// messages are verified.
	HandshakeDone(st *ConnectionState)
	// Keylog receives NSS key log lines (SSLKEYLOGFILE format).
	Keylog(line string)
	// KeylogWanted reports whether Keylog's lines are wanted at all: a
	// connection nobody logs saves formatting them (hex text of every
	// secret, a dozen allocations per handshake).
	KeylogWanted() bool
	// Session reports a resumable TLS 1.3 session, one per
	// NewSessionTicket: each one a client receives, each one a server
	// sends (RFC 8446, Section 4.6.1).
	Session(st *session.State)
}

// ConnectionState is what a completed handshake negotiated.
type ConnectionState struct {
	Version uint16
	Suite   *cipher.Suite
	Group   kex.Group // ECDHE group; 0 for other key exchanges
	// DHBits is the size of the DHE modulus (0 without DHE); a client
	// knows it from ServerKeyExchange, a server from its parameters.
	DHBits               int
	ALPNProtocol         string
	ServerName           string // the SNI name the client sent
	Resumed              bool
	ExtendedMasterSecret bool
	// EncryptThenMAC is set when a CBC suite runs RFC 7366
	// encrypt-then-MAC.
	EncryptThenMAC      bool
	SecureRenegotiation bool // RFC 5746 agreed
	PeerSignatureScheme kex.SignatureScheme
	// PeerCertificates is the chain the peer sent, leaf first.
	PeerCertificates []*x509lite.Certificate
	// VerifiedChain is the path to a trusted root when verification passed.
	VerifiedChain []*x509lite.Certificate
	// VerifyError is why the peer is not authorized (nil when it is); a
	// *x509lite.VerifyError carries Node's code.
	VerifyError error
	// PeerCertificateRequested is set on a server that asked for a client
	// certificate.
	PeerCertificateRequested bool
	// Session is the resumable session: on a client, what to pass as
	// ClientOptions.Session next time (nil when the server offered
	// neither an id nor a ticket); on a server, the state of a new
	// session (NewSession) or of the resumed one.
	Session *session.State
	// NewSession is set on a server when a full handshake created a
	// session the client can resume (Node's newSession event).
	NewSession bool
	// OCSPResponse is the stapled OCSP response (RFC 6066, Section 8):
	// received, on a client; sent, on a server. nil when there was none.
	OCSPResponse []byte
	// HelloRetryRequest is set when a TLS 1.3 handshake went through a
	// HelloRetryRequest (RFC 8446, Section 4.1.4).
	HelloRetryRequest bool

	// ClientFinished and ServerFinished are the verify_data of the
	// handshake's two Finished messages (Node's getFinished and
	// getPeerFinished), in every version.
	ClientFinished, ServerFinished []byte

	ClientRandom, ServerRandom []byte
	masterSecret               []byte
	// exporter13 is a TLS 1.3 connection's exporter master secret.
	exporter13 *keysched.ExporterMasterSecret
}

// negotiated12 is what a TLS 1.2 handshake settles on either side and
// reports in its ConnectionState: the one place both sides build it.
type negotiated12 struct {
	suite       *cipher.Suite
	group       kex.Group // the ECDHE group, 0 for other key exchanges
	dhBits      int       // the DHE modulus size, 0 without DHE
	ems, etm    bool
	secureReneg bool
	peer        *peerVerification
	peerScheme  kex.SignatureScheme
	// ocsp is the stapled OCSP response: the server's, received on a
	// client; the one the application gave, on a server.
	ocsp         []byte
	serverRandom []byte
	master       []byte
	// resumed is the session being resumed, nil on a full handshake.
	resumed *session.State
}

// connectionState reports a completed handshake of version on hello that
// agreed on alpn.
func (n *negotiated12) connectionState(version uint16, hello *ClientHello, alpn string) *ConnectionState {
	st := &ConnectionState{
		Version:              version,
		Suite:                n.suite,
		Group:                n.group,
		DHBits:               n.dhBits,
		ALPNProtocol:         alpn,
		ServerName:           hello.ServerName,
		ExtendedMasterSecret: n.ems,
		EncryptThenMAC:       n.etm,
		SecureRenegotiation:  n.secureReneg,
		PeerSignatureScheme:  n.peerScheme,
		OCSPResponse:         n.ocsp,
		ClientRandom:         hello.Random,
		ServerRandom:         n.serverRandom,
		masterSecret:         n.master,
		Resumed:              n.resumed != nil,
	}
	if n.peer != nil {
		st.PeerCertificates, st.VerifiedChain, st.VerifyError = n.peer.certs, n.peer.verified, n.peer.err
	}
	return st
}

// ExportKeyingMaterial derives keying material per RFC 5705, or RFC 8446,
// Section 7.5 in TLS 1.3, where no context and an empty one are the same.
func (s *ConnectionState) ExportKeyingMaterial(label string, context []byte, hasContext bool, length int) ([]byte, error) {
	if s.exporter13 != nil {
		return s.exporter13.Export(label, context, length)
	}
	return s.Suite.ExportKeyingMaterial(s.Version, s.masterSecret, s.ClientRandom, s.ServerRandom, label, context, hasContext, length)
}

// ServerContextDecision asks the server application which configuration
// (certificates, CAs, suites) to use for this ClientHello: Node's
// SNICallback and addContext. Answer with a *Config, or nil to keep the
// current one.
type ServerContextDecision struct {
	question
	ServerName  string
	ClientHello *ClientHello
}

// state is one step of a machine. handle consumes one input and returns the
// next state; each implementation starts with a type guard.
type state interface {
	handle(m *Machine, in input) (state, error)
}

// awaiting is a state that waits for a decision instead of a message.
type awaiting interface {
	state
	// decision returns the same Decision at every call: an Answer is
	// tied to it.
	decision() Decision
	// resolve continues with an answer made by decision(), not Fail.
	resolve(m *Machine, a Answer) (state, error)
}

// input is one thing the peer sent: a parsed handshake message with its
// received bytes, or a ChangeCipherSpec.
type input struct {
	msg Message
	raw []byte
	ccs bool
}

// Machine is one side's handshake. It lives as long as the connection (for
// renegotiation), but per-handshake data lives in the serverHS/clientHS
// value that its states share, which dies with the handshake.
type Machine struct {
	cfg      *Config
	sink     Sink
	isClient bool
	state    state
	// version is the negotiated version (0 until ServerHello); the codecs
	// need it for version-dependent layouts.
	version uint16
	// established is set once the first handshake completed.
	established bool
	// clientOpts are a client's options, reused by its renegotiations.
	clientOpts ClientOptions
	// helloRequested is set on a server that sent a HelloRequest, and
	// renegCfg is the configuration of the handshake it asked for.
	helloRequested bool
	renegCfg       *Config
	// keylogRandom is the client random of a TLS 1.3 connection, which
	// the key log lines of the secrets KeyUpdate brings name.
	keylogRandom []byte
}

// NewServer returns a server machine waiting for a ClientHello.
func NewServer(cfg *Config, sink Sink) *Machine {
	m := &Machine{cfg: cfg, sink: sink}
	m.state = &expectClientHello{}
	return m
}

// NewClient returns a client machine; Start sends its ClientHello.
func NewClient(cfg *Config, opts ClientOptions, sink Sink) *Machine {
	m := &Machine{cfg: cfg, sink: sink, isClient: true, clientOpts: opts}
	m.state = &clientStart{opts: opts}
	return m
}

// Start begins a client handshake by sending the ClientHello.
func (m *Machine) Start() error {
	s, ok := m.state.(*clientStart)
	if !ok {
		return errMisuse("tls: handshake already started")
	}
	next, err := s.start(m)
	if err != nil {
		return err
	}
	m.state = next
	return nil
}

// Config returns the configuration of the established connection: after
// a server's SNI decision or a renegotiation, the one that handshake used.
func (m *Machine) Config() *Config { return m.cfg }

// Version returns the negotiated protocol version, or 0 before it is known.
func (m *Machine) Version() uint16 { return m.version }

// Established reports whether the first handshake has completed.
func (m *Machine) Established() bool { return m.established }

// InHandshake reports whether a handshake is under way.
func (m *Machine) InHandshake() bool {
	return !m.isEstablishedState()
}

// Pending returns the decision the machine waits for, or nil.
func (m *Machine) Pending() Decision {
	if a, ok := m.state.(awaiting); ok {
		return a.decision()
	}
	return nil
}

// HandleMessage feeds one complete handshake message (header included).
func (m *Machine) HandleMessage(raw []byte) error {
	if _, ok := m.state.(awaiting); ok {
		return errMisuse("tls: handshake message delivered while a decision is pending")
	}
	t := MessageType(raw[0])
	if !knownMessageType(t) {
		return errUnexpected("tls: unknown handshake message type %d", raw[0])
	}
	// RFC 5246, Section 7.4.1.1: a client ignores HelloRequest while it is
	// negotiating, and HelloRequest is never part of the transcript.
	// TLS 1.3 has no HelloRequest (RFC 8446, Section 4).
	if t == TypeHelloRequest && m.isClient && !m.isEstablishedState() && m.version != cipher.VersionTLS13 {
		if len(raw) != 4 {
			return errDecode("tls: malformed HelloRequest")
		}
		return nil
	}
	// RFC 5246, Section 7.3: the messages come in a fixed order, so one
	// that is not expected now is unexpected_message whatever its body
	// holds; the type is checked before the body is parsed.
	if want, known := m.expectedTypes(m.state); known && !slices.Contains(want, t) {
		return errUnexpected("tls: unexpected %s message, expected %s", t, describeTypes(want))
	}
	msg, err := ParseMessage(raw, m.version)
	if err != nil {
		return decodeFailure(err)
	}
	if s, ok := m.state.(tls13Handshake); ok {
		// A handshake message of the client's under our keys ends any
		// early data (RFC 8446, Section 4.2.10).
		s.compat().skipEarly = false
	}
	next, err := m.state.handle(m, input{msg: msg, raw: raw})
	if err != nil {
		return err
	}
	m.state = next
	return nil
}

// HandleChangeCipherSpec feeds a ChangeCipherSpec record's content.
func (m *Machine) HandleChangeCipherSpec(body []byte) error {
	if _, ok := m.state.(tls13Handshake); ok {
		// RFC 8446, Section 5: a protected ChangeCipherSpec is
		// unexpected_message.
		return errUnexpected("tls: protected ChangeCipherSpec in TLS 1.3")
	}
	// RFC 5246, Section 7.1: the message is a single byte of value 1.
	if len(body) != 1 || body[0] != 1 {
		return errDecode("tls: malformed ChangeCipherSpec")
	}
	if _, ok := m.state.(awaiting); ok {
		return errMisuse("tls: ChangeCipherSpec delivered while a decision is pending")
	}
	next, err := m.state.handle(m, input{ccs: true})
	if err != nil {
		return err
	}
	m.state = next
	return nil
}

// CompatCCS reports whether an unprotected ChangeCipherSpec record now
// is TLS 1.3's middlebox-compatibility one, for HandleCompatCCS (RFC
// 8446, Section 5: between the first ClientHello and the peer's
// Finished).
func (m *Machine) CompatCCS() bool {
	_, ok := m.state.(tls13Handshake)
	return ok
}

// HandleCompatCCS drops the peer's unprotected compatibility
// ChangeCipherSpec, once per handshake (RFC 8446, Section 5).
func (m *Machine) HandleCompatCCS(body []byte) error {
	s, ok := m.state.(tls13Handshake)
	if !ok {
		return errUnexpected("tls: unexpected ChangeCipherSpec")
	}
	return s.compat().acceptCCS(body)
}

func (m *Machine) isEstablishedState() bool {
	switch m.state.(type) {
	case *established12, *established13:
		return true
	}
	return false
}

// expectedTypes lists the handshake messages state st accepts next (an
// empty list: only a ChangeCipherSpec). known is false for a state it
// does not describe, whose handle then checks alone.
func (m *Machine) expectedTypes(st state) (want []MessageType, known bool) {
	var t MessageType
	switch s := st.(type) {
	case *clientStart, *expectServerCCS, *expectClientCCS:
		return nil, true
	case *expectCertificateStatus:
		// RFC 6066, Section 8: the status may be left out.
		next, ok := m.expectedTypes(s.next)
		return append([]MessageType{TypeCertificateStatus}, next...), ok
	case *expectServerHelloDone:
		if s.hs.certRequest == nil {
			return []MessageType{TypeCertificateRequest, TypeServerHelloDone}, true
		}
		t = TypeServerHelloDone
	case *expectClientHello, *expectClientHello13:
		t = TypeClientHello
	case *expectServerHello, *expectServerHello13:
		t = TypeServerHello
	case *expectNewSessionTicket:
		t = TypeNewSessionTicket
	case *expectServerCertificate, *expectClientCertificate, *expectClientCertificate13:
		t = TypeCertificate
	case *expectServerKeyExchange:
		t = TypeServerKeyExchange
	case *expectClientKeyExchange:
		t = TypeClientKeyExchange
	case *expectCertificateVerify, *expectCertificateVerify13:
		t = TypeCertificateVerify
	case *expectServerFinished, *expectClientFinished, *expectServerFinished13, *expectClientFinished13:
		t = TypeFinished
	case *expectServerCertificate13:
		if s.hs.certRequest == nil {
			return []MessageType{TypeCertificateRequest, TypeCertificate}, true
		}
		t = TypeCertificate
	case *established13:
		// RFC 8446, Section 4.6: KeyUpdate both ways, NewSessionTicket to
		// a client.
		if m.isClient {
			return []MessageType{TypeKeyUpdate, TypeNewSessionTicket}, true
		}
		t = TypeKeyUpdate
	case *expectEncryptedExtensions:
		t = TypeEncryptedExtensions
	case *established12:
		// A renegotiation request: HelloRequest to a client, ClientHello
		// to a server.
		t = TypeClientHello
		if m.isClient {
			t = TypeHelloRequest
		}
	default:
		return nil, false
	}
	return []MessageType{t}, true
}

// describeTypes names the expected messages in an error.
func describeTypes(want []MessageType) string {
	if len(want) == 0 {
		return "ChangeCipherSpec"
	}
	names := make([]string, len(want))
	for i, t := range want {
		names[i] = t.String()
	}
	return strings.Join(names, " or ")
}

func knownMessageType(t MessageType) bool {
	switch t {
	case TypeHelloRequest, TypeClientHello, TypeServerHello, TypeNewSessionTicket,
		TypeCertificate, TypeServerKeyExchange, TypeCertificateRequest, TypeServerHelloDone,
		TypeCertificateVerify, TypeClientKeyExchange, TypeFinished, TypeCertificateStatus,
		TypeNextProtocol, TypeEncryptedExtensions, TypeKeyUpdate:
		return true
	}
	return false
}

// unexpected is the type guard's error: it names what the state expected
// and what arrived.
func unexpected(in input, want string) error {
	if in.ccs {
		return errUnexpected("tls: unexpected ChangeCipherSpec, expected %s", want)
	}
	return errUnexpected("tls: unexpected %s message, expected %s", in.msg.Type(), want)
}

// established12 is a TLS 1.2 connection between handshakes. It carries
// traffic, holds what the connection keeps from its last handshake, and
// starts a renegotiation (RFC 5246, Section 7.4.1.1; RFC 5746) when the
// peer asks for one and the policy allows it: a server takes a ClientHello
// it asked for with HelloRequest, or one the application accepts through a
// RenegotiationDecision (Config.AskRenegotiation); a client answers a
// HelloRequest when Config.RenegotiateOnRequest is set. Anything else is
// declined with a no_renegotiation warning (RFC 5246, Section 7.2.2). A
// renegotiation's handshake keeps the value as its prev, returns to it when
// declined, and replaces it when done.
type established12 struct {
	// clientFinished and serverFinished are the last handshake's
	// verify_data, which a renegotiation is bound to (RFC 5746, Section
	// 3).
	clientFinished, serverFinished []byte
	// secureReneg is set when the last handshake agreed RFC 5746 secure
	// renegotiation; without it no renegotiation is started or accepted.
	secureReneg bool
	// ems is whether the last handshake used the extended master
	// secret; a renegotiation may not change it (RFC 7627, Section 5.2).
	ems bool
	// peerLeaf is the leaf certificate a client's server sent; a
	// renegotiation must present the same one.
	peerLeaf []byte
}

// newEstablished12 is the connection a completed TLS 1.2 handshake leaves.
// prev is the connection a renegotiation started from (nil on the first
// handshake); a handshake without a server certificate keeps its leaf.
func newEstablished12(prev *established12, clientFinished, serverFinished []byte, secureReneg, ems bool, peer *peerVerification) *established12 {
	e := &established12{clientFinished: clientFinished, serverFinished: serverFinished, secureReneg: secureReneg, ems: ems}
	if peer != nil && len(peer.certs) > 0 {
		e.peerLeaf = peer.certs[0].Raw
	} else if prev != nil {
		e.peerLeaf = prev.peerLeaf
	}
	return e
}

func (s *established12) handle(m *Machine, in input) (state, error) {
	switch msg := in.msg.(type) {
	case *ClientHello:
		if !m.isClient {
			// RFC 5746, Section 4.4: no renegotiation with a client that
			// did not agree to the secure kind.
			switch {
			case !s.secureReneg:
			case m.helloRequested:
				return m.serverRenegotiate(s, msg, in.raw)
			case m.cfg.AskRenegotiation:
				return &awaitRenegotiation{hello: msg, raw: in.raw, prev: s}, nil
			}
			m.sink.SendWarning(record.AlertNoRenegotiation)
			return s, nil
		}
	case *HelloRequest:
		if m.isClient {
			if s.secureReneg && m.cfg.RenegotiateOnRequest {
				return m.clientRenegotiate(s, nil)
			}
			m.sink.SendWarning(record.AlertNoRenegotiation)
			return s, nil
		}
	}
	return nil, unexpected(in, "application data")
}

// renegotiationInfo is what a ServerHello's renegotiation_info carries on
// a renegotiation (RFC 5746, Section 3.6): both verify_data of the
// handshake before.
func (s *established12) renegotiationInfo() []byte {
	return append(append([]byte(nil), s.clientFinished...), s.serverFinished...)
}

// Renegotiate starts a renegotiation from this side: a client sends a
// new ClientHello, a server a HelloRequest (which the client may ignore,
// RFC 5246, Section 7.4.1.1). cfg, if not nil, is the configuration of
// the new handshake (to request a client certificate, say). Only an
// established connection that agreed RFC 5746 can renegotiate.
func (m *Machine) Renegotiate(cfg *Config) error {
	if _, ok := m.state.(*established13); ok {
		// RFC 8446, Section 4.1.2: TLS 1.3 has no renegotiation.
		return errMisuse("tls: renegotiation is not possible in TLS 1.3 (RFC 8446, Section 4.1.2)")
	}
	e, ok := m.state.(*established12)
	if !ok {
		return errMisuse("tls: renegotiation requested while a handshake is in progress")
	}
	if !e.secureReneg {
		return errMisuse("tls: the peer does not support secure renegotiation (RFC 5746)")
	}
	if m.isClient {
		next, err := m.clientRenegotiate(e, cfg)
		if err != nil {
			return err
		}
		m.state = next
		return nil
	}
	m.helloRequested, m.renegCfg = true, cfg
	m.sink.SendMessage([]byte{byte(TypeHelloRequest), 0, 0, 0})
	return nil
}

// DeclineRenegotiation records the peer's no_renegotiation warning. A
// client waiting for the ServerHello of a renegotiation it started gives
// it up and is established again (it reports true); a server forgets its
// HelloRequest. Otherwise the warning changes nothing.
func (m *Machine) DeclineRenegotiation() bool {
	if !m.isClient {
		m.helloRequested, m.renegCfg = false, nil
		return false
	}
	if s, ok := m.state.(*expectServerHello); ok && s.hs.renegotiating {
		m.state = s.hs.prev
		return true
	}
	return false
}

// RenegotiationDecision asks a server application whether to accept a
// renegotiation the client started (Node's client renegotiation limit).
// Accept starts it; Decline answers with a no_renegotiation warning and
// the connection goes on; Fail is fatal.
type RenegotiationDecision struct{ question }

// awaitRenegotiation holds a client's renegotiating ClientHello until the
// application decides.
type awaitRenegotiation struct {
	hello *ClientHello
	raw   []byte
	prev  *established12
	d     *RenegotiationDecision
}

func (s *awaitRenegotiation) handle(m *Machine, in input) (state, error) {
	return nil, unexpected(in, "nothing while a renegotiation decision is pending")
}

func (s *awaitRenegotiation) decision() Decision {
	if s.d == nil {
		s.d = &RenegotiationDecision{question{"tls: renegotiation decision failed"}}
	}
	return s.d
}

func (s *awaitRenegotiation) resolve(m *Machine, a Answer) (state, error) {
	if a.accept {
		return m.serverRenegotiate(s.prev, s.hello, s.raw)
	}
	m.sink.SendWarning(record.AlertNoRenegotiation)
	return s.prev, nil
}

// finishedEqual compares verify_data in constant time.
func finishedEqual(a, b []byte) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
}

// keylogMaster hands the sink the NSS key log line of a TLS 1.2 master
// secret, formatted only if the sink wants key log lines.
func (m *Machine) keylogMaster(clientRandom, master []byte) {
	if m.sink.KeylogWanted() {
		m.sink.Keylog("CLIENT_RANDOM " + hex.EncodeToString(clientRandom) + " " + hex.EncodeToString(master))
	}
}

// keylogSecret is a TLS 1.3 secret, which formats its own key log line
// (keysched keeps the bytes).
type keylogSecret interface {
	KeylogLine(label string, clientRandom []byte) string
}

// keylog13 hands the sink the key log line of TLS 1.3 secret s under
// label, formatted only if the sink wants key log lines.
func (m *Machine) keylog13(label string, s keylogSecret, clientRandom []byte) {
	if m.sink.KeylogWanted() {
		m.sink.Keylog(s.KeylogLine(label, clientRandom))
	}
}

// pending12 is TLS 1.2's pending -> ChangeCipherSpec -> active sequence
// (RFC 5246, Sections 6.1 and 7.1) on top of the sink's direct key
// installation: the protections derived from the key block wait here until
// each direction's ChangeCipherSpec.
type pending12 struct {
	read, write cipher.Protection
}

// derive derives the key block and the pending protection of both
// directions; etm selects RFC 7366 encrypt-then-MAC for a CBC suite.
func (p *pending12) derive(m *Machine, s *cipher.Suite, version uint16, master, cr, sr []byte, isClient, etm bool) error {
	km := s.KeyBlock(version, master, cr, sr)
	newProtection := s.NewProtection
	if etm {
		newProtection = s.NewProtectionETM
	}
	cw, err := newProtection(version, km.ClientKey, km.ClientMACKey, km.ClientIV, m.cfg.Rand)
	if err != nil {
		return errInternal(err, "tls: client write protection")
	}
	sw, err := newProtection(version, km.ServerKey, km.ServerMACKey, km.ServerIV, m.cfg.Rand)
	if err != nil {
		return errInternal(err, "tls: server write protection")
	}
	if isClient {
		p.read, p.write = sw, cw
	} else {
		p.read, p.write = cw, sw
	}
	return nil
}

// changeWrite sends our ChangeCipherSpec and switches writing to the
// pending protection: the Finished that follows is under the new keys.
func (p *pending12) changeWrite(m *Machine) error {
	if err := m.sink.SendChangeCipherSpec(); err != nil {
		return err
	}
	w := p.write
	p.write = nil
	if w == nil {
		return errInternal(nil, "tls: ChangeCipherSpec sent before keys were agreed")
	}
	return m.sink.InstallWriteKeys(w)
}

// changeRead switches reading to the pending protection when the peer's
// ChangeCipherSpec arrives. Without pending keys the peer's
// ChangeCipherSpec came too early.
func (p *pending12) changeRead(m *Machine) error {
	r := p.read
	p.read = nil
	if r == nil {
		return errUnexpected("tls: ChangeCipherSpec before keys were agreed")
	}
	return m.sink.InstallReadKeys(r)
}
