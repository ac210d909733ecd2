package api

// ErrTLSRenegotiationDisabled is what a socket's error listeners get when
// its peer renegotiates after DisableRenegotiation (Node's error).
var ErrTLSRenegotiationDisabled = &Error{Code: "ERR_TLS_RENEGOTIATION_DISABLED",
	Message: "TLS session renegotiation disabled for this socket"}

// DisableRenegotiation is Node's tlsSocket.disableRenegotiation() on a
// server socket: a renegotiation the client starts afterwards fails the
// connection (with the internal_error alert of every refused decision;
// Node closes without an alert) and the socket's error listeners get
// ErrTLSRenegotiationDisabled. HTTPListener calls it on every HTTP/2
// connection, as Node's http2 does: RFC 7540, Section 9.2.1 forbids
// renegotiation under HTTP/2.
func (s *TLSSocket) DisableRenegotiation() {
	s.mu.Lock()
	s.renegDisabled = true
	s.mu.Unlock()
}

// renegotiationDisabled answers a client's renegotiation on a socket that
// disabled it: the error to fail the handshake with, after telling the
// error listeners; nil when renegotiation is allowed.
func (s *TLSSocket) renegotiationDisabled() error {
	s.mu.Lock()
	disabled := s.renegDisabled
	s.mu.Unlock()
	if !disabled {
		return nil
	}
	s.emitError(ErrTLSRenegotiationDisabled)
	return ErrTLSRenegotiationDisabled
}
