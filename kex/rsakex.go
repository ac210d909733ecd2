package kex

import (
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// preMasterLen is the size of an RSA-transported premaster secret
// (RFC 5246, Section 7.4.7.1).
const preMasterLen = 48

// DecryptPreMaster decrypts an RSA-encrypted premaster secret with the
// server's key. It always returns 48 bytes and returns an error only when
// priv is not an RSA key or randomness fails.
//
// RFC 5246, Section 7.4.7.1 requires that a bad message be indistinguishable
// from a good one, or the server becomes a Bleichenbacher padding oracle:
//
//  1. a random 48-byte R is generated before decrypting;
//  2. the ciphertext is decrypted to M in constant time
//     (rsa.DecryptPKCS1v15SessionKey copies M over a copy of R only if the
//     padding is valid and M is exactly 48 bytes, without branching);
//  3. if M[0..1] differs from ClientHello.client_version the result is R
//     as well, chosen with a constant-time comparison and select.
//
// The caller must carry on with the returned value and let the handshake
// fail at Finished, never alerting earlier. The only public-information
// failure, a ciphertext of the wrong length, also yields R.
//
// A crypto.Decrypter that is not an *rsa.PrivateKey (a hardware key) is
// asked with rsa.PKCS1v15DecryptOptions{SessionKeyLen: 48}; whether it
// answers in constant time is up to it.
func DecryptPreMaster(priv crypto.Decrypter, rand io.Reader, ciphertext []byte, clientVersion uint16) ([]byte, error) {
	if priv == nil {
		return nil, errors.New("tls: no RSA key for key transport")
	}
	pub, ok := priv.Public().(*rsa.PublicKey)
	if !ok || pub == nil {
		return nil, fmt.Errorf("tls: RSA key transport needs an RSA key, not %T", priv.Public())
	}
	if rand == nil {
		return nil, errors.New("tls: no randomness source for the premaster")
	}
	// out starts as R and m as a copy of R that decryption overwrites.
	var buf [2 * preMasterLen]byte
	out, m := buf[:preMasterLen:preMasterLen], buf[preMasterLen:]
	if _, err := io.ReadFull(rand, out); err != nil {
		return nil, fmt.Errorf("tls: reading randomness for the premaster: %w", err)
	}
	copy(m, out)
	switch k, isRSA := priv.(*rsa.PrivateKey); {
	case len(ciphertext) != pub.Size():
		// RFC 8017, Section 7.2.2, step 1: a ciphertext of another length
		// than the modulus is a decryption error, whatever its value
		// (one with a leading zero byte dropped is the same number, which
		// crypto/rsa would decrypt). The length is public: m stays R.
	case isRSA:
		// An error here means only that the ciphertext length or value
		// is out of range for the modulus, which is public; m is then
		// untouched and still R.
		_ = rsa.DecryptPKCS1v15SessionKey(nil, k, ciphertext, m)
	default:
		pt, err := priv.Decrypt(rand, ciphertext, &rsa.PKCS1v15DecryptOptions{SessionKeyLen: preMasterLen})
		if err == nil && len(pt) == preMasterLen {
			copy(m, pt)
		}
	}
	// RFC 5246, Section 7.4.7.1: the version in the premaster must match
	// ClientHello.client_version; otherwise the server uses R. We make no
	// TLS 1.0 exception.
	good := subtle.ConstantTimeByteEq(m[0], byte(clientVersion>>8)) &
		subtle.ConstantTimeByteEq(m[1], byte(clientVersion))
	subtle.ConstantTimeCopy(good, out, m)
	return out, nil
}

// EncryptPreMaster is the client side of RSA key transport: it builds the
// premaster secret, client_version followed by 46 random bytes (RFC 5246,
// Section 7.4.7.1), and encrypts it with PKCS #1 v1.5 under the server's
// key.
//
// Since Go 1.26 crypto/rsa draws its padding from a system source whatever
// rand is given, so the ciphertext is not reproducible from rand; the
// premaster is.
func EncryptPreMaster(pub *rsa.PublicKey, rand io.Reader, clientVersion uint16) (preMaster, ciphertext []byte, err error) {
	if pub == nil || pub.N == nil {
		return nil, nil, errors.New("tls: RSA key transport needs the server's RSA key")
	}
	if rand == nil {
		return nil, nil, errors.New("tls: no randomness source for the premaster")
	}
	preMaster = make([]byte, preMasterLen)
	preMaster[0], preMaster[1] = byte(clientVersion>>8), byte(clientVersion)
	if _, err := io.ReadFull(rand, preMaster[2:]); err != nil {
		return nil, nil, fmt.Errorf("tls: reading randomness for the premaster: %w", err)
	}
	ciphertext, err = rsa.EncryptPKCS1v15(rand, pub, preMaster)
	if err != nil {
		return nil, nil, fmt.Errorf("tls: encrypting the premaster: %w", err)
	}
	return preMaster, ciphertext, nil
}
