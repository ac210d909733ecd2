package api

import (
	"bytes"
	"fmt"

	"github.com/tlsengine/tlsengine/cipher"
)

// ErrWrongSSLVersion is what Renegotiate returns on a TLS 1.3 connection,
// as Node v20's renegotiate() callback gets it: renegotiation does not
// exist in TLS 1.3 (RFC 8446, Section 4.1.2); KeyUpdate (UpdateKeys)
// replaces its key-refresh use.
var ErrWrongSSLVersion = &Error{Code: "ERR_SSL_WRONG_SSL_VERSION",
	Message: "error:0A00010A:SSL routines::wrong ssl version", Reason: "wrong ssl version"}

// ExportKeyingMaterial is Node's exportKeyingMaterial(length, label[,
// context]): keying material from the connection's secrets, per RFC 5705
// in TLS 1.2 and RFC 8446, Section 7.5 in TLS 1.3. A nil context means
// none was given (in TLS 1.3 none and an empty one give the same bytes).
// Length must be 1 to 4294967295, as in Node (ERR_OUT_OF_RANGE); before
// the handshake it fails with ERR_TLS_INVALID_STATE.
func (s *TLSSocket) ExportKeyingMaterial(length int, label string, context []byte) ([]byte, error) {
	if length < 1 || int64(length) > 4294967295 {
		return nil, &Error{Code: "ERR_OUT_OF_RANGE",
			Message: fmt.Sprintf(`The value of "length" is out of range. It must be >= 1 && <= 4294967295. Received %d`, length)}
	}
	st := s.ConnectionState()
	if st == nil {
		return nil, &Error{Code: "ERR_TLS_INVALID_STATE", Message: "TLS socket connection must be securely established"}
	}
	out, err := st.ExportKeyingMaterial(label, context, context != nil, length)
	if err != nil {
		return nil, &Error{Code: "ERR_CRYPTO_OPERATION_FAILED", Message: err.Error(), Err: err}
	}
	return out, nil
}

// UpdateKeys sends a TLS 1.3 KeyUpdate (RFC 8446, Section 4.6.3): our
// sending keys change, and with requestPeer the peer is asked to update
// its own (update_requested), as openssl s_client's "K" does ("k" without
// it). It is an extension: Node v20 has no public KeyUpdate API (OpenSSL's
// SSL_key_update is not exposed). It fails with ERR_SSL_WRONG_SSL_VERSION
// on a connection below TLS 1.3 and before the handshake completed.
func (s *TLSSocket) UpdateKeys(requestPeer bool) error {
	s.mu.Lock()
	if s.state == nil || s.state.Version < cipher.VersionTLS13 {
		s.mu.Unlock()
		return ErrWrongSSLVersion
	}
	if err := s.eng.UpdateKeys(requestPeer); err != nil {
		s.drainAndSend()
		return nodeError(err, s.isServer)
	}
	return s.drainAndSend()
}

// Finished is Node's getFinished: the verify_data of the Finished message
// this side sent in the last handshake (12 bytes in TLS 1.2, the hash
// length in TLS 1.3), or nil before the handshake.
func (s *TLSSocket) Finished() []byte { return s.finished(s.isServer) }

// PeerFinished is Node's getPeerFinished: the verify_data of the Finished
// message the peer sent in the last handshake, or nil before it.
func (s *TLSSocket) PeerFinished() []byte { return s.finished(!s.isServer) }

// finished is the server's verify_data if server is set, else the
// client's.
func (s *TLSSocket) finished(server bool) []byte {
	st := s.ConnectionState()
	switch {
	case st == nil:
		return nil
	case server:
		return bytes.Clone(st.ServerFinished)
	}
	return bytes.Clone(st.ClientFinished)
}
