package api

import (
	"time"
)

// Node's client-initiated renegotiation limits (tls.CLIENT_RENEG_LIMIT and
// tls.CLIENT_RENEG_WINDOW). Our servers refuse every renegotiation (the
// engine answers a ClientHello after the handshake with a no_renegotiation
// warning, RFC 5746, Section 4.4), so no client ever reaches the limit;
// the values are kept for code that reads them.
var (
	ClientRenegLimit  = 3
	ClientRenegWindow = 600 * time.Second
)

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

// RenegotiateOptions are Node's renegotiate options.
type RenegotiateOptions struct {
	RejectUnauthorized *bool
	RequestCert        bool
}

// ErrRenegotiationUnsupported is what Renegotiate returns: the engine
// does not renegotiate yet, in either direction.
var ErrRenegotiationUnsupported = &Error{Code: "ERR_TLS_RENEGOTIATION_DISABLED",
	Message: "tls: renegotiation is not supported yet"}

// Renegotiate is Node's tlsSocket.renegotiate. Renegotiation is not
// implemented yet, so it returns ErrRenegotiationUnsupported (and calls
// cb with it, as Node reports errors through the callback) and the
// connection goes on unchanged.
func (s *TLSSocket) Renegotiate(opts RenegotiateOptions, cb func(error)) error {
	if cb != nil {
		cb(ErrRenegotiationUnsupported)
	}
	return ErrRenegotiationUnsupported
}
