package handshake

// The TLS 1.2 key exchanges (RFC 5246, Sections 7.4.3 and 7.4.7): one
// implementation of keyAgreement12 per cipher.KeyExchange, so that the
// client and server states never switch on the suite's key exchange.

import (
	"crypto"
	"crypto/rsa"
	"errors"
	"math/big"
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// keyAgreement12 is one TLS 1.2 key exchange, from either side. A value
// serves one handshake and keeps that exchange's private state (our key
// share, or the premaster computed early).
type keyAgreement12 interface {
	// signs reports whether the server signs a ServerKeyExchange with its
	// certificate's key (ECDHE, DHE) rather than receive a premaster
	// encrypted to it (RSA), which then sends no ServerKeyExchange.
	signs() bool

	// serverUsable reports whether the server can use the exchange with
	// cert for hs.hello (suite selection). curveRefused is set when the
	// only obstacle is the curve of an ECDSA certificate.
	serverUsable(hs *serverHS, cert *Credential) (ok, curveRefused bool)
	// serverParams generates our share and returns the ServerKeyExchange
	// parameters that the server signs; called only when signs.
	serverParams(hs *serverHS) ([]byte, error)
	// serverPreMaster recovers the premaster secret from the client's
	// ClientKeyExchange body.
	serverPreMaster(hs *serverHS, body []byte) ([]byte, error)

	// clientProcessParams parses the ServerKeyExchange body, has verify
	// check the signature over the parameters, then answers them: our
	// share and the premaster. Called only when signs.
	clientProcessParams(hs *clientHS, body []byte, verify func(params []byte, scheme kex.SignatureScheme, sig []byte) error) error
	// clientKeyExchange returns the premaster secret and our
	// ClientKeyExchange body.
	clientKeyExchange(hs *clientHS) (preMaster, body []byte, err error)
}

// newKeyAgreement12 returns a fresh key agreement for kx, nil for a key
// exchange we do not implement.
func newKeyAgreement12(kx cipher.KeyExchange) keyAgreement12 {
	switch kx {
	case cipher.KXECDHE:
		return &ecdheKA{}
	case cipher.KXDHE:
		return &dheKA{}
	case cipher.KXRSA:
		return &rsaKA{}
	}
	return nil
}

// clientExchange is the state the signed exchanges keep on the client
// between ServerKeyExchange and the client's flight.
type clientExchange struct {
	preMaster, body []byte
}

func (c *clientExchange) clientKeyExchange(*clientHS) ([]byte, []byte, error) {
	return c.preMaster, c.body, nil
}

// ecdheKA is ECDHE (RFC 8422): the server generates a share on a named
// curve (kex.GenerateShare), the client answers it (kex.AnswerShare), the
// server finishes (KeyShare.Finish).
type ecdheKA struct {
	share kex.KeyShare // the server's
	clientExchange
}

func (*ecdheKA) signs() bool { return true }

func (*ecdheKA) serverUsable(hs *serverHS, cert *Credential) (bool, bool) {
	if _, ok := selectGroup(nilIfAbsent(hs.hello), hs.cfg.groups()); !ok {
		return false, false
	}
	if !curveOffered(cert.Leaf.PublicKey, nilIfAbsent(hs.hello)) {
		return false, true
	}
	return true, false
}

// serverParams encodes ServerECDHParams (RFC 8422, Section 5.4).
func (ka *ecdheKA) serverParams(hs *serverHS) ([]byte, error) {
	// serverUsable made sure that a group is shared.
	hs.group, _ = selectGroup(nilIfAbsent(hs.hello), hs.cfg.groups())
	share, err := kex.GenerateShare(hs.group, hs.cfg.Rand)
	if err != nil {
		return nil, errInternal(err, "tls: generating ECDHE key")
	}
	ka.share = share
	return MarshalECDHEParams(hs.group, share.Public()), nil
}

func (ka *ecdheKA) serverPreMaster(hs *serverHS, body []byte) ([]byte, error) {
	return finishClientShare(ka.share, body, ParseECDHEClientPublic, "ECDHE")
}

func (ka *ecdheKA) clientProcessParams(hs *clientHS, body []byte, verify func([]byte, kex.SignatureScheme, []byte) error) error {
	ec, err := ParseECDHEParams(body, hs.version >= cipher.VersionTLS12)
	if err != nil {
		return decodeFailure(err)
	}
	// RFC 8422, Section 5.4: the curve MUST be one the client offered.
	if !slices.Contains(hs.hello.SupportedGroups, ec.Group) {
		return errIllegal("tls: server selected unoffered group %v", ec.Group)
	}
	// A group offered for TLS 1.3 only (the X25519MLKEM768 hybrid,
	// draft-ietf-tls-ecdhe-mlkem, Section 3) is no ECDHE curve of RFC 8422.
	if !kex.IsECDHE(ec.Group) {
		return errIllegal("tls: server selected group %v, which is not an ECDHE curve, in TLS 1.2", ec.Group)
	}
	if err := verify(ec.Params, ec.Scheme, ec.Signature); err != nil {
		return err
	}
	// RFC 8422, Section 5.11: the server's point is validated; a bad one
	// is illegal_parameter.
	pub, pre, err := kex.AnswerShare(ec.Group, ec.Public, hs.cfg.Rand)
	if errors.Is(err, kex.ErrInvalidPublic) {
		return record.Wrap(record.ErrPeerMisbehaved, record.AlertIllegalParameter, err, "tls: invalid server ECDHE public value")
	}
	if err != nil {
		return errInternal(err, "tls: generating ECDHE key")
	}
	hs.group = ec.Group
	ka.preMaster, ka.body = pre, MarshalECDHEClientPublic(pub)
	return nil
}

// finishClientShare is the server's last step of ECDHE and DHE: the
// client's public value, read from body with parse, against our share.
// A bad value is illegal_parameter (RFC 8422, Section 5.11; RFC 7919,
// Section 5.1).
func finishClientShare(share kex.KeyShare, body []byte, parse func([]byte) ([]byte, error), kx string) ([]byte, error) {
	pub, err := parse(body)
	if err != nil {
		return nil, decodeFailure(err)
	}
	pre, err := share.Finish(pub)
	if err != nil {
		return nil, record.Wrap(record.ErrPeerMisbehaved, record.AlertIllegalParameter, err, "tls: invalid client %s public value", kx)
	}
	return pre, nil
}

// dheKA is finite-field DHE on the server's parameters (RFC 5246, Section
// 7.4.3), with TLS 1.2's encoding of the premaster (leading zeros
// stripped, Section 8.1.2).
type dheKA struct {
	key *kex.DHEKey // the server's
	clientExchange
}

func (*dheKA) signs() bool { return true }

// serverUsable: without dhparam the DHE suites are simply unavailable, as
// in Node before v7.
func (*dheKA) serverUsable(hs *serverHS, _ *Credential) (bool, bool) {
	return hs.cfg.DHParams != nil, false
}

// serverParams encodes ServerDHParams (RFC 5246, Section 7.4.3).
func (ka *dheKA) serverParams(hs *serverHS) ([]byte, error) {
	key, err := kex.GenerateDHE(hs.cfg.DHParams, hs.cfg.Rand)
	if err != nil {
		return nil, errInternal(err, "tls: generating DHE key")
	}
	ka.key = key
	hs.dhBits = hs.cfg.DHParams.Bits()
	return MarshalDHEParams(hs.cfg.DHParams.P.Bytes(), hs.cfg.DHParams.G.Bytes(), key.Public()), nil
}

func (ka *dheKA) serverPreMaster(hs *serverHS, body []byte) ([]byte, error) {
	// RFC 7919, Section 5.1: 1 < Yc < p-1, checked by Finish.
	return finishClientShare(ka.key, body, ParseRSAOrDHClientBody, "DHE")
}

func (ka *dheKA) clientProcessParams(hs *clientHS, body []byte, verify func([]byte, kex.SignatureScheme, []byte) error) error {
	dh, err := ParseDHEParams(body, hs.version >= cipher.VersionTLS12)
	if err != nil {
		return decodeFailure(err)
	}
	if err := verify(dh.Params, dh.Scheme, dh.Signature); err != nil {
		return err
	}
	yc, pre, err := kex.AnswerDHE(dh.P, dh.G, dh.Public, hs.cfg.MinDHBits, hs.cfg.Rand)
	if errors.Is(err, kex.ErrWeakDH) {
		return record.Wrap(record.ErrIncompatible, record.AlertHandshakeFailure, err, "tls: server DH parameters are too small")
	}
	if err != nil {
		return record.Wrap(record.ErrPeerMisbehaved, record.AlertIllegalParameter, err, "tls: invalid server DH parameters")
	}
	hs.dhBits = new(big.Int).SetBytes(dh.P).BitLen()
	ka.preMaster, ka.body = pre, MarshalRSAOrDHClientBody(yc)
	return nil
}

// rsaKA is RSA key transport (RFC 5246, Section 7.4.7.1): the client
// encrypts a premaster to the server's certificate key; nothing is signed.
type rsaKA struct{}

func (rsaKA) signs() bool { return false }

func (rsaKA) serverUsable(_ *serverHS, cert *Credential) (bool, bool) {
	return canDecrypt(cert), false
}

func (rsaKA) serverParams(*serverHS) ([]byte, error) {
	return nil, errInternal(nil, "tls: RSA key transport has no ServerKeyExchange")
}

func (rsaKA) serverPreMaster(hs *serverHS, body []byte) ([]byte, error) {
	ct, err := ParseRSAOrDHClientBody(body)
	if err != nil {
		return nil, decodeFailure(err)
	}
	// RFC 5246, Section 7.4.7.1: a bad ciphertext or version yields a
	// random premaster, in constant time, and the handshake fails at
	// Finished like any other mismatch. The version checked is the one
	// the client offered, not the negotiated one.
	pre, err := kex.DecryptPreMaster(hs.cert.Key.(crypto.Decrypter), hs.cfg.Rand, ct, hs.hello.Version)
	if err != nil {
		return nil, errInternal(err, "tls: RSA key transport")
	}
	return pre, nil
}

func (rsaKA) clientProcessParams(*clientHS, []byte, func([]byte, kex.SignatureScheme, []byte) error) error {
	return errInternal(nil, "tls: RSA key transport has no ServerKeyExchange")
}

func (rsaKA) clientKeyExchange(hs *clientHS) ([]byte, []byte, error) {
	// RFC 5246, Section 7.4.7.1: client_version is the version we
	// offered, which lets the server detect a version rollback.
	rsaPub, ok := hs.peer.certs[0].PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, record.Errorf(record.ErrBadCertificate, record.AlertUnsupportedCertificate,
			"tls: server certificate key does not match the cipher suite")
	}
	pre, ct, err := kex.EncryptPreMaster(rsaPub, hs.cfg.Rand, hs.hello.Version)
	if err != nil {
		return nil, nil, errInternal(err, "tls: RSA key transport")
	}
	return pre, MarshalRSAOrDHClientBody(ct), nil
}
