package kex

import (
	"errors"
	"fmt"
	"io"
)

// KeyShare is the private side of a key agreement in progress: what the
// party that spoke first keeps after sending Public, until the peer's
// answer arrives.
//
// The flow fits Diffie-Hellman and KEMs alike. In TLS 1.3 (RFC 8446,
// Section 4.2.8) the client calls GenerateShare for each group it offers
// and sends the public shares; the server calls AnswerShare on the share it
// picks, which for ECDHE and FFDHE generates its own key pair and agrees,
// and for a KEM encapsulates to the client's key; the client calls Finish
// with the server's share (agreement or decapsulation). TLS 1.2's ECDHE
// runs the same steps with the roles swapped: the server generates
// (ServerKeyExchange), the client answers (ClientKeyExchange) and the
// server finishes.
type KeyShare interface {
	// Group is the named group of the share (0 for DHE on caller
	// parameters).
	Group() Group
	// Public is the share to send. The caller must not modify it.
	Public() []byte
	// Finish takes the peer's answer and returns the shared secret.
	// Errors that come from the peer's bytes wrap ErrInvalidPublic, which
	// TLS answers with illegal_parameter.
	Finish(peerShare []byte) ([]byte, error)
}

// GenerateShare makes a key share on g: an ephemeral ECDHE key (X25519,
// P-256, P-384, P-521), an ephemeral key on an RFC 7919 group in the TLS
// 1.3 form (fixed-width share and secret, see DHEKey.Finish), or an
// X25519MLKEM768 decapsulation key with its X25519 half. Every random byte
// comes from rand, so a fixed reader reproduces the share.
func GenerateShare(g Group, rand io.Reader) (KeyShare, error) {
	if rand == nil {
		return nil, errors.New("tls: no randomness source for the key share")
	}
	switch groupInfo[g].kind {
	case kindECDHE:
		return generateECDHE(g, rand)
	case kindFFDHE:
		return generateFFDHE(g, rand)
	case kindHybrid:
		return generateHybrid(rand)
	}
	return nil, fmt.Errorf("tls: unsupported group %v", g)
}

// AnswerShare is the answering side: given the peer's share on g it
// returns our share to send back and the shared secret. For ECDHE and
// FFDHE it generates a key pair and agrees (GenerateShare, then Finish);
// for X25519MLKEM768 it encapsulates to the peer's ML-KEM key and agrees
// on X25519. Errors that come from the peer's share wrap ErrInvalidPublic
// (illegal_parameter); others, such as a failing rand, do not.
func AnswerShare(g Group, peerShare []byte, rand io.Reader) (share, secret []byte, err error) {
	if rand == nil {
		return nil, nil, errors.New("tls: no randomness source for the key share")
	}
	if groupInfo[g].kind == kindHybrid {
		return answerHybrid(peerShare, rand)
	}
	k, err := GenerateShare(g, rand)
	if err != nil {
		return nil, nil, err
	}
	secret, err = k.Finish(peerShare)
	if err != nil {
		return nil, nil, err
	}
	return k.Public(), secret, nil
}
