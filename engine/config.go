package engine

import (
	"crypto"

	"github.com/tlsengine/tlsengine/handshake"
)

// Credential is a certificate chain with its private key, for a Config.
type Credential = handshake.Credential

// NewCredential pairs a chain (DER, leaf first) with the leaf's private
// key; see handshake.NewCredential.
func NewCredential(chain [][]byte, key crypto.Signer) (*Credential, error) {
	return handshake.NewCredential(chain, key)
}

// ClientAuth is a server's client-certificate policy (Config.ClientAuth).
type ClientAuth = handshake.ClientAuth

// The client-certificate policies; see handshake.ClientAuth.
const (
	NoClientCert              = handshake.NoClientCert
	RequestClientCert         = handshake.RequestClientCert
	RequireVerifiedClientCert = handshake.RequireVerifiedClientCert
	RequireAnyClientCert      = handshake.RequireAnyClientCert
	VerifyClientCertIfGiven   = handshake.VerifyClientCertIfGiven
)
