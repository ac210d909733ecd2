package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// config builds the engine configuration from the flags.
func config(o *options) (*engine.Config, error) {
	cfg := &engine.Config{Rand: rand.Reader, Now: time.Now}
	// Versions: TLS 1.0 to 1.3, BoringSSL's default range.
	minV, maxV := 0x0301, 0x0304
	if o.minVersion != 0 {
		minV = o.minVersion
	}
	if o.maxVersion != 0 {
		maxV = min(o.maxVersion, 0x0304)
	}
	// -no-tlsN flags trim the range from either end, lowest first then
	// highest first; a disabled version strictly inside it is a hole we
	// cannot express.
	off := map[int]bool{0x0301: o.noTLS1, 0x0302: o.noTLS11, 0x0303: o.noTLS12, 0x0304: o.noTLS13}
	for minV <= maxV && off[minV] {
		minV++
	}
	for maxV >= minV && off[maxV] {
		maxV--
	}
	for v := minV + 1; v < maxV; v++ {
		if off[v] {
			return nil, errUnimplemented{"a hole in the enabled versions"}
		}
	}
	if minV > maxV || minV > 0x0304 {
		return nil, errUnimplemented{"a protocol version other than TLS 1.0-1.3"}
	}
	if o.ticketKey != "" {
		// The runner opens and edits the tickets sealed under this key,
		// whose plaintext is BoringSSL's session encoding, not ours.
		return nil, errUnimplemented{"-ticket-key (BoringSSL's session encoding inside the ticket)"}
	}
	if o.server {
		cfg.SessionCache = session.NewCache(0)
		if !o.noTicket {
			key := make([]byte, session.KeyLen)
			rand.Read(key)
			cfg.Tickets, _ = session.NewTicketer(key)
		}
	}
	cfg.DisableTickets = o.noTicket
	// A client renegotiates when the server asks only with
	// -renegotiate-freely (BoringSSL's default is never).
	cfg.RenegotiateOnRequest = o.renegotiateFreely
	if o.server {
		// A configured response is stapled when the client asks; the
		// OCSP callback flags decide through the same decision.
		cfg.AskOCSP = o.ocspResponse != "" || o.useOCSPCallback
	} else if o.useOCSPCallback {
		// BoringSSL's client callback is another verification hook,
		// which our engine does not have.
		return nil, errUnimplemented{"-use-ocsp-callback on a client"}
	}
	cfg.MinVersion, cfg.MaxVersion = uint16(minV), uint16(maxV)
	if o.certFile != "" {
		cred, err := loadCredential(o.certFile, o.keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []*handshake.Credential{cred}
	}
	if o.trustCert != "" {
		data, err := os.ReadFile(o.trustCert)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509lite.NewPool()
		if _, err := cfg.RootCAs.AppendPEM(data); err != nil {
			return nil, err
		}
	}
	for _, c := range o.curves {
		cfg.Groups = append(cfg.Groups, kex.Group(c))
	}
	if o.curves != nil && len(cfg.Groups) == 0 {
		cfg.Groups = []kex.Group{}
	}
	for _, s := range o.verifyPrefs {
		cfg.SignatureSchemes = append(cfg.SignatureSchemes, kex.SignatureScheme(s))
	}
	// -verify-prefs limits what we accept, not what we sign with
	// (BoringSSL keeps the two lists apart).
	if len(o.verifyPrefs) > 0 && len(o.signingPrefs) == 0 {
		cfg.SigningSchemes = append(kex.DefaultSchemes(), kex.ECDSAWithSHA1)
	}
	for _, s := range o.signingPrefs {
		cfg.SigningSchemes = append(cfg.SigningSchemes, kex.SignatureScheme(s))
	}
	// Every suite we implement, as BoringSSL enables them by default.
	cfg.CipherSuites = allSuites()
	if o.advertiseALPN != "" {
		a := o.advertiseALPN
		for len(a) > 0 {
			n := int(a[0])
			if 1+n > len(a) {
				return nil, fmt.Errorf("bad -advertise-alpn")
			}
			cfg.ALPNProtocols = append(cfg.ALPNProtocols, a[1:1+n])
			a = a[1+n:]
		}
	}
	if o.selectALPN != "" {
		cfg.ALPNProtocols = []string{o.selectALPN}
	}
	if o.server {
		switch {
		case o.requireAnyClientCert:
			cfg.ClientAuth = handshake.RequireAnyClientCert
		case o.verifyPeer:
			cfg.ClientAuth = handshake.VerifyClientCertIfGiven
		}
	} else {
		// bssl_shim verifies only with -verify-peer.
		cfg.InsecureSkipVerify = !o.verifyPeer
	}
	return cfg, nil
}

func loadCredential(certFile, keyFile string) (*handshake.Credential, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	certs, err := x509lite.ParseCertificates(certPEM)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	key, err := x509lite.ParsePrivateKey(keyPEM, nil)
	if err != nil {
		return nil, err
	}
	var chain [][]byte
	for _, c := range certs {
		chain = append(chain, c.Raw)
	}
	return handshake.NewCredential(chain, key)
}

// shimConn drives an engine over the runner's connection synchronously.
type shimConn struct {
	o      *options
	eng    *engine.Conn
	net    net.Conn
	plain  []byte
	state  *engine.ConnectionState
	closed bool // peer close_notify
	err    error
	buf    []byte
	// handshakes counts EventHandshakeDone (1 + renegotiations).
	handshakes int
	// session13 is the newest TLS 1.3 session a client received.
	session13 *session.State
}

// pump sends queued records and collects events.
func (s *shimConn) pump() error {
	for {
		e := s.eng.NextEvent()
		switch e.Kind {
		case engine.EventNone:
			return s.err
		case engine.EventSend:
			if _, err := s.net.Write(e.Data); err != nil && s.err == nil {
				s.err = err
			}
		case engine.EventPlaintext:
			s.plain = append(s.plain, e.Data...)
		case engine.EventHandshakeDone:
			s.state = e.State
			s.handshakes++
		case engine.EventDecision:
			// -async answers after one more round of I/O; plain mode at once.
			if err := engine.Drive(s.eng, engine.Resolvers{OCSP: s.ocsp}); err != nil && s.err == nil {
				s.err = err
			}
		case engine.EventSession:
			if !s.o.server {
				s.session13 = e.Session
			}
		case engine.EventPeerClosed:
			s.closed = true
		case engine.EventError:
			if s.err == nil {
				s.err = e.Err
			}
		}
	}
}

// ocsp answers the server's OCSP decision: the configured response, or
// what the -*-ocsp-callback flags say (BoringSSL's legacy server
// callback: set the response, decline, or fail).
func (s *shimConn) ocsp(*engine.OCSPDecision) ([]byte, error) {
	o := s.o
	switch {
	case o.useOCSPCallback && o.failOCSPCallback:
		return nil, errors.New("tls: OCSP callback failed")
	case o.useOCSPCallback && o.declineOCSPCallback:
		return nil, nil
	}
	resp, err := base64.StdEncoding.DecodeString(o.ocspResponse)
	if err != nil || len(resp) == 0 {
		return nil, err
	}
	return resp, nil
}

// readMore reads from the runner and feeds the engine; -async feeds one
// byte at a time.
func (s *shimConn) readMore() error {
	if s.buf == nil {
		s.buf = make([]byte, 32*1024)
	}
	n, err := s.net.Read(s.buf)
	data := s.buf[:n]
	if s.o.async {
		for i := range data {
			s.eng.Feed(data[i : i+1])
			if perr := s.pump(); perr != nil {
				return perr
			}
		}
	} else if n > 0 {
		s.eng.Feed(data)
	}
	if perr := s.pump(); perr != nil {
		return perr
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errTruncated
		}
		return err
	}
	return nil
}

var errTruncated = errors.New("tls: connection closed without close_notify")

func (s *shimConn) handshake() error {
	if err := s.pump(); err != nil {
		return err
	}
	for s.state == nil {
		if err := s.readMore(); err != nil {
			return err
		}
	}
	return nil
}

func (s *shimConn) write(p []byte) error {
	if _, err := s.eng.Write(p); err != nil {
		return err
	}
	return s.pump()
}

// updateKeys sends a KeyUpdate that does not ask the peer for one.
func (s *shimConn) updateKeys() error {
	if err := s.eng.UpdateKeys(false); err != nil {
		return err
	}
	return s.pump()
}

// read returns the next application data, or io.EOF after close_notify.
func (s *shimConn) read() ([]byte, error) {
	for len(s.plain) == 0 {
		if s.closed {
			return nil, io.EOF
		}
		if err := s.readMore(); err != nil {
			if errors.Is(err, errTruncated) && !s.o.checkCloseNotify && len(s.plain) == 0 {
				return nil, io.EOF
			}
			if len(s.plain) == 0 {
				return nil, err
			}
		}
	}
	p := s.plain
	s.plain = nil
	return p, nil
}

// run makes the initial connection and -resume-count resumptions, each
// offering the latest session the previous ones produced. A server keeps
// one configuration, so its session cache and ticket key carry over.
func run(o *options) error {
	cfg, err := config(o)
	if err != nil {
		return err
	}
	var sess *session.State
	for i := 0; i <= o.resumeCount; i++ {
		c := cfg
		if i > 0 && (o.resumptionDelay != 0 || o.onResumeNoTicket) {
			resumed := *cfg
			if d := time.Duration(o.resumptionDelay) * time.Second; d != 0 {
				resumed.Now = func() time.Time { return time.Now().Add(d) }
			}
			if o.onResumeNoTicket {
				resumed.Tickets, resumed.DisableTickets = nil, true
			}
			c = &resumed
		}
		st, err := runConn(o, c, sess, i > 0)
		if err != nil {
			return err
		}
		if st != nil && st.Session != nil {
			sess = st.Session
		}
	}
	return nil
}

// runConn runs one connection: handshake, checks, then the echo or the
// shutdown the flags ask for.
func runConn(o *options, cfg *engine.Config, sess *session.State, isResume bool) (*engine.ConnectionState, error) {
	conn, err := dial(o)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var eng *engine.Conn
	if o.server {
		eng = engine.NewServer(cfg)
	} else {
		name := o.hostName
		eng = engine.NewClient(cfg, engine.ClientOptions{ServerName: name, VerifyName: name, Session: sess,
			RequestOCSP: o.enableOCSPStapling})
	}
	s := &shimConn{o: o, eng: eng, net: conn}
	if err := s.handshake(); err != nil {
		orderlyShutdown(conn)
		return nil, err
	}
	if err := checkState(o, s.state); err != nil {
		return nil, err
	}
	// A staple comes with a full handshake only: our resumed sessions do
	// not keep it (BoringSSL's do), so the check is on full handshakes.
	if want := o.expectOCSPResponse; want != "" && !s.state.Resumed {
		if got := base64.StdEncoding.EncodeToString(s.state.OCSPResponse); got != want {
			return nil, fmt.Errorf("OCSP response %q, want %q", got, want)
		}
	}
	if err := checkSession(o, s.state, sess, isResume); err != nil {
		return nil, err
	}
	if err := s.exchange(eng, conn); err != nil {
		return s.state, err
	}
	if s.state.Version == 0x0304 {
		// TLS 1.3 tickets come after the handshake, so the session
		// flags are checked once the exchange has read them.
		st := *s.state
		st.Session = s.session13
		if err := checkSession13(o, &st, sess); err != nil {
			return nil, err
		}
		return &st, nil
	}
	if got := s.handshakes - 1; got != o.expectTotalRenegotiations {
		return s.state, fmt.Errorf("expected %d renegotiations, got %d", o.expectTotalRenegotiations, got)
	}
	return s.state, nil
}

// checkSession applies the resumption flags, as BoringSSL's shim does.
func checkSession(o *options, st *engine.ConnectionState, offered *session.State, isResume bool) error {
	renewed := offered != nil && st.Session != nil && !bytes.Equal(st.Session.Ticket, offered.Ticket)
	switch {
	case isResume && !o.expectSessionMiss && !st.Resumed:
		return errors.New("session unexpectedly was not reused")
	case isResume && o.expectSessionMiss && st.Resumed:
		return errors.New("session unexpectedly was reused")
	case !isResume && st.Resumed:
		return errors.New("the initial handshake was a resumption")
	case st.Version == 0x0304:
		// The session flags wait for the tickets (checkSession13).
	case o.expectNoSession && !o.server && st.Session != nil:
		return errors.New("a session was established, -expect-no-session")
	case o.expectTicketRenewal && isResume && !o.server && !renewed:
		return errors.New("the ticket was not renewed")
	}
	return nil
}

// checkSession13 applies the session flags that TLS 1.3's post-handshake
// tickets decide.
func checkSession13(o *options, st *engine.ConnectionState, offered *session.State) error {
	switch {
	case o.expectNoSession && !o.server && st.Session != nil:
		return errors.New("a session was established, -expect-no-session")
	case o.expectTicketRenewal && offered != nil && !o.server && (st.Session == nil || bytes.Equal(st.Session.Ticket, offered.Ticket)):
		return errors.New("the ticket was not renewed")
	}
	return nil
}

// exchange does what the flags ask after the handshake: keying material,
// the shim's first write, shutdown or the echo.
func (s *shimConn) exchange(eng *engine.Conn, conn net.Conn) error {
	o := s.o
	if o.exportKeyingMaterial > 0 {
		ekm, err := s.state.ExportKeyingMaterial(o.exportLabel, []byte(o.exportContext), o.useExportContext, o.exportKeyingMaterial)
		if err != nil {
			return err
		}
		if err := s.write(ekm); err != nil {
			return err
		}
	}
	if o.keyUpdate {
		if err := s.updateKeys(); err != nil {
			return err
		}
	}
	if o.shimWritesFirst {
		if err := s.write([]byte("hello")); err != nil {
			return err
		}
	}
	if o.shimShutsDown {
		eng.Close()
		if err := s.pump(); err != nil {
			return err
		}
		// As BoringSSL's shim: without -check-close-notify one
		// SSL_shutdown sends our close_notify and does not wait.
		if !o.checkCloseNotify {
			return nil
		}
		for {
			p, err := s.read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil && o.checkCloseNotify {
				// The words of BoringSSL's shim, which the runner matches.
				return fmt.Errorf("Unexpected SSL_shutdown result: -1 != 1: %w", err)
			}
			if err != nil {
				return err
			}
			if len(p) > 0 {
				return errors.New("tls: application data after our close_notify")
			}
		}
	}
	for {
		if o.keyUpdateBeforeRead {
			if err := s.updateKeys(); err != nil {
				return err
			}
		}
		p, err := s.read()
		if errors.Is(err, io.EOF) {
			eng.Close()
			s.pump()
			return nil
		}
		if err != nil {
			orderlyShutdown(conn)
			return err
		}
		out := bytes.Clone(p)
		for i := range out {
			out[i] ^= 0xff
		}
		if err := s.write(out); err != nil {
			return err
		}
	}
}

// orderlyShutdown lets the runner read our alert before the socket goes.
func orderlyShutdown(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	tc.CloseWrite()
	tc.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, tc)
}

// checkState applies the -expect-* flags.
func checkState(o *options, st *engine.ConnectionState) error {
	switch {
	case o.expectVersion != 0 && int(st.Version) != o.expectVersion:
		return fmt.Errorf("version %#x, want %#x", st.Version, o.expectVersion)
	case o.expectCurveID != 0 && int(st.Group) != o.expectCurveID:
		return fmt.Errorf("curve %d, want %d", st.Group, o.expectCurveID)
	// BoringSSL reports both as supported in TLS 1.3, which has them
	// built in (RFC 8446, Section 7.1 binds the whole transcript; there
	// is no renegotiation).
	case o.expectEMS && !st.ExtendedMasterSecret && st.Version < 0x0304:
		return errors.New("extended master secret not negotiated")
	case o.expectSecureReneg && !st.SecureRenegotiation && st.Version < 0x0304:
		return errors.New("secure renegotiation not negotiated")
	case o.expectALPN != "" && st.ALPNProtocol != o.expectALPN:
		return fmt.Errorf("ALPN %q, want %q", st.ALPNProtocol, o.expectALPN)
	case o.selectALPN != "" && st.ALPNProtocol != o.selectALPN:
		return fmt.Errorf("ALPN %q, want %q", st.ALPNProtocol, o.selectALPN)
	case o.declineALPN && st.ALPNProtocol != "":
		return fmt.Errorf("ALPN %q negotiated though declined", st.ALPNProtocol)
	case o.expectServerName != "" && st.ServerName != o.expectServerName:
		return fmt.Errorf("server name %q, want %q", st.ServerName, o.expectServerName)
	case o.expectHRR && !st.HelloRetryRequest:
		return errors.New("no HelloRetryRequest, -expect-hrr")
	case o.expectNoHRR && st.HelloRetryRequest:
		return errors.New("a HelloRetryRequest, -expect-no-hrr")
	case o.expectPeerSigAlg != 0 && int(st.PeerSignatureScheme) != o.expectPeerSigAlg:
		return fmt.Errorf("peer signature algorithm %#x, want %#x", uint16(st.PeerSignatureScheme), o.expectPeerSigAlg)
	}
	return nil
}
