package api

import (
	"errors"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

// CipherInfo is what Cipher reports, as Node's getCipher: the OpenSSL
// name, the IANA name and the protocol version that first defined the
// suite (not the negotiated one; see Protocol).
type CipherInfo struct {
	Name         string
	StandardName string
	Version      string
}

// EphemeralKeyInfo is Node's getEphemeralKeyInfo: Type "ECDH" with the
// curve Name and Size in bits (X25519 is 253), Type "DH" with the modulus
// Size (TLS 1.2 DHE, or an RFC 7919 group such as ffdhe2048, with no Name,
// as Node prints them), or all empty when the key exchange was not
// ephemeral. For the TLS 1.3 hybrid X25519MLKEM768, which Node v20's
// OpenSSL 3.0 does not have, it is our own shape: Type "KEM", Name
// "X25519MLKEM768", Size 0 (no one size describes ML-KEM-768 + X25519).
type EphemeralKeyInfo struct {
	Type string
	Name string
	Size int
}

// Cipher reports the negotiated suite, or nil before the handshake.
func (s *TLSSocket) Cipher() *CipherInfo {
	st := s.ConnectionState()
	if st == nil {
		return nil
	}
	return &CipherInfo{Name: st.Suite.OpenSSLName, StandardName: st.Suite.Name, Version: definedIn(st.Suite)}
}

// definedIn is the version OpenSSL lists a suite under: TLS 1.3 for the
// TLS 1.3 suites, TLS 1.2 for the GCM, ChaCha20 and SHA-2 suites, TLS 1.0
// for the ECDHE CBC-SHA ones and SSLv3 for the RSA and DHE CBC-SHA ones.
func definedIn(s *cipher.Suite) string {
	switch {
	case s.MinVersion >= cipher.VersionTLS13:
		return "TLSv1.3"
	case s.MinVersion >= cipher.VersionTLS12:
		return "TLSv1.2"
	case s.KX == cipher.KXECDHE:
		return "TLSv1.0"
	}
	return "SSLv3"
}

// Protocol reports the negotiated version as Node names it ("TLSv1",
// "TLSv1.1", "TLSv1.2", "TLSv1.3"), or "" before the handshake.
func (s *TLSSocket) Protocol() string {
	st := s.ConnectionState()
	if st == nil {
		return ""
	}
	return record.Version(st.Version).String()
}

// EphemeralKeyInfo reports the client's view of the key exchange; it is
// nil on a server socket and before the handshake, as in Node.
func (s *TLSSocket) EphemeralKeyInfo() *EphemeralKeyInfo {
	st := s.ConnectionState()
	if st == nil || s.isServer {
		return nil
	}
	switch {
	case st.Group == kex.X25519MLKEM768:
		return &EphemeralKeyInfo{Type: "KEM", Name: st.Group.OpenSSLName()}
	case kex.IsECDHE(st.Group):
		return &EphemeralKeyInfo{Type: "ECDH", Name: st.Group.OpenSSLName(), Size: st.Group.Bits()}
	case st.Group != 0:
		return &EphemeralKeyInfo{Type: "DH", Size: st.Group.Bits()}
	case st.DHBits != 0:
		return &EphemeralKeyInfo{Type: "DH", Size: st.DHBits}
	}
	return &EphemeralKeyInfo{}
}

// ALPNProtocol is the negotiated ALPN protocol, "" when none (Node's
// alpnProtocol false).
func (s *TLSSocket) ALPNProtocol() string {
	if st := s.ConnectionState(); st != nil {
		return st.ALPNProtocol
	}
	return ""
}

// Servername is the SNI name the client sent (server side) or asked for.
func (s *TLSSocket) Servername() string {
	if st := s.ConnectionState(); st != nil {
		return st.ServerName
	}
	return ""
}

// Encrypted is always true: Node's tlsSocket.encrypted.
func (s *TLSSocket) Encrypted() bool { return true }

// Authorized reports whether the peer's certificate verified (Node's
// authorized). A server that did not request a certificate has no
// authorized peer.
func (s *TLSSocket) Authorized() bool {
	st := s.ConnectionState()
	if st == nil || st.VerifyError != nil {
		return false
	}
	return len(st.PeerCertificates) > 0
}

// AuthorizationError is why the peer is not authorized, with Node's code
// (an *Error whose Code is, e.g., DEPTH_ZERO_SELF_SIGNED_CERT), or nil.
func (s *TLSSocket) AuthorizationError() error {
	st := s.ConnectionState()
	if st == nil || st.VerifyError == nil {
		return nil
	}
	var ve *x509lite.VerifyError
	if errors.As(st.VerifyError, &ve) {
		return &Error{Code: nodeVerifyCode(ve.Code), Message: ve.Reason, Err: st.VerifyError}
	}
	return &Error{Code: "ERR_TLS_CERT_ALTNAME_INVALID", Message: st.VerifyError.Error(), Err: st.VerifyError}
}

// Session returns the serialized session to pass as the session option
// of a later Connect (Node's getSession), or nil when there is none.
func (s *TLSSocket) Session() []byte {
	st := s.ConnectionState()
	if last := s.lastSession13(); last != nil {
		st = &engine.ConnectionState{Session: last}
	}
	if st == nil || st.Session == nil {
		return nil
	}
	b, err := st.Session.Marshal()
	if err != nil {
		return nil
	}
	return b
}

// TLSTicket returns the session ticket a client received (Node's
// getTLSTicket), or nil.
func (s *TLSSocket) TLSTicket() []byte {
	st := s.ConnectionState()
	if last := s.lastSession13(); last != nil {
		st = &engine.ConnectionState{Session: last}
	}
	if st == nil || s.isServer || st.Session == nil || len(st.Session.Ticket) == 0 {
		return nil
	}
	return append([]byte(nil), st.Session.Ticket...)
}

// IsSessionReused reports whether the handshake resumed a session.
func (s *TLSSocket) IsSessionReused() bool {
	st := s.ConnectionState()
	return st != nil && st.Resumed
}

// OnSession registers a listener for the session event: f receives the
// serialized session when one becomes available. In TLS 1.2 that is the
// end of the handshake, so a listener added after it is called at once.
// In TLS 1.3 it is each NewSessionTicket, as in Node v20: f is called
// once per ticket, at once for those already received.
func (s *TLSSocket) OnSession(f func(session []byte)) {
	if s.isServer {
		return
	}
	if s.onSession13(f) {
		return
	}
	if b := s.Session(); b != nil {
		f(b)
	}
}
