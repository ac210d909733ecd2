package kex

import (
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	cryptorand "crypto/rand"
	"fmt"
	"io"
)

// X25519MLKEM768's key shares (draft-ietf-tls-ecdhe-mlkem): every part is
// fixed-length, ML-KEM first.
//
//	client share:  ML-KEM-768 encapsulation key (1184) || X25519 public (32)
//	server share:  ML-KEM-768 ciphertext (1088)        || X25519 public (32)
//	shared secret: ML-KEM-768 shared key (32)          || X25519 secret (32)
const (
	x25519Len            = 32
	hybridClientShareLen = mlkem.EncapsulationKeySize768 + x25519Len
	hybridServerShareLen = mlkem.CiphertextSize768 + x25519Len
)

// hybridShare is the client's X25519MLKEM768 key share.
type hybridShare struct {
	dk  *mlkem.DecapsulationKey768
	x   *ecdheShare
	pub []byte
}

// generateHybrid draws the 64-byte ML-KEM seed (FIPS 203, Section 7.1: d
// || z) and then the X25519 key from rand.
func generateHybrid(rand io.Reader) (*hybridShare, error) {
	seed := make([]byte, mlkem.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return nil, fmt.Errorf("tls: reading randomness for the key share: %w", err)
	}
	dk, err := mlkem.NewDecapsulationKey768(seed)
	if err != nil {
		panic("kex: a 64-byte ML-KEM seed was refused") // the length is fixed
	}
	x, err := generateECDHE(X25519, rand)
	if err != nil {
		return nil, err
	}
	pub := make([]byte, 0, hybridClientShareLen)
	pub = append(append(pub, dk.EncapsulationKey().Bytes()...), x.pub...)
	return &hybridShare{dk: dk, x: x, pub: pub}, nil
}

func (k *hybridShare) Group() Group   { return X25519MLKEM768 }
func (k *hybridShare) Public() []byte { return k.pub }

// Finish decapsulates the server's ciphertext and agrees on X25519.
func (k *hybridShare) Finish(peerShare []byte) ([]byte, error) {
	// draft-ietf-tls-ecdhe-mlkem, as draft-ietf-tls-mlkem, Section 4.2:
	// the client MUST abort with illegal_parameter if the ciphertext
	// length is wrong; the whole share is exactly 1120 bytes.
	if len(peerShare) != hybridServerShareLen {
		return nil, fmt.Errorf("%w: X25519MLKEM768 server share of %d bytes, want %d", ErrInvalidPublic, len(peerShare), hybridServerShareLen)
	}
	ct, xPub := peerShare[:mlkem.CiphertextSize768], peerShare[mlkem.CiphertextSize768:]
	// ML-KEM decapsulation fails only on length (FIPS 203, Section 7.3);
	// a tampered ciphertext yields a different, pseudorandom key.
	mk, err := k.dk.Decapsulate(ct)
	if err != nil {
		return nil, fmt.Errorf("%w: X25519MLKEM768 ciphertext: %v", ErrInvalidPublic, err)
	}
	z, err := k.x.Finish(xPub)
	if err != nil {
		return nil, err
	}
	return append(mk, z...), nil
}

// answerHybrid is the server side: it checks the client's share,
// encapsulates to its ML-KEM key and agrees on X25519.
//
// Encapsulation takes its 32 random bytes from rand through
// mlkemtest.Encapsulate768 (FIPS 203 ML-KEM.Encaps_internal), not from
// EncapsulationKey768.Encapsulate, which draws from the system: as with
// the NIST scalars (see nistPrivateKey), the engine's Rand must reproduce
// a connection byte for byte. The randomness is used exactly as Encapsulate
// uses its own, so the output has the same distribution for a good rand.
// Under GODEBUG=fips140=only mlkemtest refuses, and the server answers
// this group with an internal error. mlkemtest parses the key again (the
// matrix expansion, a fifth of the server's handshake), so when rand is
// crypto/rand.Reader, the source Encapsulate draws from anyway, the
// encapsulation is EncapsulationKey768.Encapsulate's, with one parse.
func answerHybrid(peerShare []byte, rand io.Reader) (share, secret []byte, err error) {
	// draft-ietf-tls-ecdhe-mlkem, as draft-ietf-tls-mlkem, Section 4.2:
	// the server MUST abort with illegal_parameter if the encapsulation
	// key fails FIPS 203's check (Section 7.2); the whole share is
	// exactly 1216 bytes.
	if len(peerShare) != hybridClientShareLen {
		return nil, nil, fmt.Errorf("%w: X25519MLKEM768 client share of %d bytes, want %d", ErrInvalidPublic, len(peerShare), hybridClientShareLen)
	}
	ekBytes, xPub := peerShare[:mlkem.EncapsulationKeySize768], peerShare[mlkem.EncapsulationKeySize768:]
	ek, err := mlkem.NewEncapsulationKey768(ekBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: X25519MLKEM768 encapsulation key: %v", ErrInvalidPublic, err)
	}
	x, err := generateECDHE(X25519, rand)
	if err != nil {
		return nil, nil, err
	}
	z, err := x.Finish(xPub)
	if err != nil {
		return nil, nil, err
	}
	mk, ct, err := encapsulate(ek, rand)
	if err != nil {
		return nil, nil, err
	}
	share = make([]byte, 0, hybridServerShareLen)
	share = append(append(share, ct...), x.pub...)
	return share, append(mk, z...), nil
}

// encapsulate is ML-KEM-768 encapsulation to ek with randomness from rand
// (see answerHybrid).
func encapsulate(ek *mlkem.EncapsulationKey768, rand io.Reader) (sharedKey, ciphertext []byte, err error) {
	if rand == cryptorand.Reader {
		sharedKey, ciphertext = ek.Encapsulate()
		return sharedKey, ciphertext, nil
	}
	var m [32]byte
	if _, err := io.ReadFull(rand, m[:]); err != nil {
		return nil, nil, fmt.Errorf("tls: reading randomness for the key share: %w", err)
	}
	if sharedKey, ciphertext, err = mlkemtest.Encapsulate768(ek, m[:]); err != nil {
		return nil, nil, fmt.Errorf("tls: ML-KEM-768 encapsulation: %w", err)
	}
	return sharedKey, ciphertext, nil
}
