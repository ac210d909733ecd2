package api

import (
	"errors"
	"net"
	"slices"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
)

// Node's client-initiated renegotiation limits (tls.CLIENT_RENEG_LIMIT and
// tls.CLIENT_RENEG_WINDOW): a server accepts ClientRenegLimit
// renegotiations a client starts within ClientRenegWindow; the next is
// declined (no_renegotiation warning) and the socket's error listeners
// get ERR_TLS_SESSION_ATTACK, while the connection goes on, as in Node
// v20. A Server reads them when it is created.
var (
	ClientRenegLimit  = 3
	ClientRenegWindow = 600 * time.Second
)

// ErrSessionAttack is what a server socket's error listeners get when a
// client renegotiates more than ClientRenegLimit times in the window.
var ErrSessionAttack = &Error{Code: "ERR_TLS_SESSION_ATTACK", Message: "TLS session renegotiation attack detected"}

// OnError registers a listener for Node's 'error' event for the errors
// that do not end the connection (ERR_TLS_SESSION_ATTACK). Errors that do
// are returned by Read, Write and Handshake.
func (s *TLSSocket) OnError(f func(error)) {
	s.mu.Lock()
	s.onError = append(s.onError, f)
	s.mu.Unlock()
}

func (s *TLSSocket) emitError(err error) {
	s.mu.Lock()
	ls := slices.Clone(s.onError)
	s.mu.Unlock()
	for _, f := range ls {
		f(err)
	}
}

// renegLimiter counts the renegotiations a client started.
type renegLimiter struct {
	limit  int
	window time.Duration
	times  []time.Time
}

// allow records one renegotiation at now and says whether it is within
// the limit.
func (l *renegLimiter) allow(now time.Time) bool {
	kept := l.times[:0]
	for _, t := range l.times {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	l.times = kept
	if len(l.times) >= l.limit {
		return false
	}
	l.times = append(l.times, now)
	return true
}

// SetMaxSendFragment sets the largest plaintext put in one record, from
// 512 to 16384 bytes (Node's tlsSocket.setMaxSendFragment; the seeds'
// bounds). It reports whether the size was accepted; records already
// sent are not affected.
func (s *TLSSocket) SetMaxSendFragment(size int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eng.SetMaxSendFragment(size) == nil
}

// NPNProtocol is the protocol chosen by Next Protocol Negotiation. It is
// always "": like Node v20 (which dropped NPN with OpenSSL 1.1.1) we accept
// NPNProtocols options and ignore them, and ALPN is the way to negotiate
// a protocol (design/node-api.md, section 5).
func (s *TLSSocket) NPNProtocol() string { return "" }

// RenegotiateOptions are Node's renegotiate options. On a server,
// RequestCert asks the client for a certificate in the new handshake, and
// RejectUnauthorized (nil: false) fails it without a valid one. On a
// client, RejectUnauthorized (nil: as at connect) checks the server's
// certificate again. Timeout bounds the wait (0: DefaultHandshakeTimeout);
// past it the connection is destroyed, as Node does, with
// ERR_TLS_HANDSHAKE_TIMEOUT. It replaces any read deadline.
type RenegotiateOptions struct {
	RejectUnauthorized *bool
	RequestCert        bool
	Timeout            time.Duration
}

// ErrRenegotiationDeclined is Renegotiate's error when the peer refused
// with a no_renegotiation warning; the connection goes on.
var ErrRenegotiationDeclined = &Error{Code: "ERR_TLS_RENEGOTIATION_DISABLED",
	Message: "tls: the peer declined the renegotiation"}

// Renegotiate is Node's tlsSocket.renegotiate: a new handshake on the
// established connection (RFC 5246 with RFC 5746 secure renegotiation,
// TLS 1.2 and below; on TLS 1.3 it fails with ErrWrongSSLVersion, as in
// Node v20, and the connection goes on). A server sends HelloRequest, a
// client a ClientHello. It blocks until the new handshake completes,
// fails, or the peer declines, and calls cb (if not nil) with the same error. Application
// data keeps flowing meanwhile; Read returns it as usual. On success
// Authorized, PeerCertificate and the other accessors describe the new
// handshake.
func (s *TLSSocket) Renegotiate(opts RenegotiateOptions, cb func(error)) error {
	err := s.renegotiate(opts)
	if cb != nil {
		cb(err)
	}
	return err
}

func (s *TLSSocket) renegotiate(opts RenegotiateOptions) error {
	s.mu.Lock()
	if s.state == nil {
		s.mu.Unlock()
		return &Error{Code: "ERR_TLS_RENEGOTIATION_DISABLED", Message: "tls: renegotiate before the handshake completed"}
	}
	if s.state.Version >= cipher.VersionTLS13 {
		s.mu.Unlock()
		return ErrWrongSSLVersion
	}
	var cfg *engine.Config
	if s.isServer {
		c := *s.eng.Config()
		if opts.RequestCert {
			c.ClientAuth = clientAuth(true, opts.RejectUnauthorized != nil && *opts.RejectUnauthorized)
		}
		cfg = &c
	} else if opts.RejectUnauthorized != nil {
		c := *s.eng.Config()
		c.InsecureSkipVerify = !*opts.RejectUnauthorized
		cfg = &c
	}
	gen := s.handshakes
	s.renegDeclined = false
	if err := s.eng.Renegotiate(cfg); err != nil {
		s.drainAndSend()
		return &Error{Code: "ERR_TLS_RENEGOTIATION_DISABLED", Message: err.Error(), Err: err}
	}
	if err := s.drainAndSend(); err != nil {
		return err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	// As in Node, a renegotiation that does not end in time destroys the
	// connection (the read deadline makes the transport fail).
	s.conn.SetReadDeadline(time.Now().Add(timeout))
	defer s.conn.SetReadDeadline(time.Time{})
	done := func() bool { return s.handshakes > gen || s.renegDeclined }
	for {
		s.mu.Lock()
		finished, declined, err := s.handshakes > gen, s.renegDeclined, s.err
		s.mu.Unlock()
		switch {
		case finished:
			return nil
		case declined:
			return ErrRenegotiationDeclined
		case err != nil:
			return err
		}
		// A read deadline error is not latched in s.err: it must be
		// seen here, or the loop would spin on the expired deadline.
		if err := s.readUntil(done); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				s.Close()
				return handshakeTimeout(err)
			}
			return err
		}
	}
}
