package cipher

import (
	"crypto/aes"
	gocipher "crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// Protection protects or unprotects the fragments of one direction of a
// connection for one epoch. seq is the 64-bit record sequence number; typ
// and version are the record header's fields. A Protection keeps scratch
// state and is used by one goroutine at a time.
type Protection interface {
	// Seal appends the protected fragment for plaintext to dst and returns
	// it. plaintext must not overlap the spare capacity of dst. Seal does
	// not allocate when dst has room for len(plaintext)+Overhead() more
	// bytes.
	Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte
	// Open authenticates and decrypts one fragment, appending the
	// plaintext to dst. Every failure is ErrBadRecordMAC. fragment must not
	// overlap the spare capacity of dst.
	Open(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error)
	// Overhead is the maximum number of bytes Seal adds to a plaintext.
	Overhead() int
}

// ErrBadRecordMAC is the one error of Open, whatever the cause, so that
// nothing tells bad padding from a bad MAC (RFC 5246, Section 6.2.3.2).
var ErrBadRecordMAC = errors.New("tls: bad record MAC")

// NewProtection builds the record protection of one direction from its part
// of the key block (RFC 5246, Section 6.3). For AEAD suites iv is the fixed
// nonce part (4 bytes for AES-GCM, 12 for ChaCha20-Poly1305) and macKey is
// unused. For CBC suites iv is the first IV in TLS 1.0 and ignored later,
// where each record carries an explicit IV read from rand (RFC 4346,
// Section 6.2.3.2). When rand is nil or fails, the explicit IV is the
// block cipher applied to a per-record nonce (NIST SP 800-38A, Appendix C),
// which is still unpredictable to anyone without the key. AEAD explicit
// nonces are the sequence number, as RFC 5288, Section 3 allows.
func (s *Suite) NewProtection(version uint16, key, macKey, iv []byte, rand io.Reader) (Protection, error) {
	return s.newProtection(version, key, macKey, iv, rand, false)
}

// NewProtectionETM is NewProtection for CBC suites with the
// encrypt_then_mac extension negotiated (RFC 7366): the MAC covers the IV
// and ciphertext and is checked before anything is decrypted. AEAD suites
// are an error, since RFC 7366, Section 3 does not apply to them.
func (s *Suite) NewProtectionETM(version uint16, key, macKey, iv []byte, rand io.Reader) (Protection, error) {
	if s.AEAD() {
		return nil, errors.New("tls: encrypt-then-MAC with an AEAD suite")
	}
	return s.newProtection(version, key, macKey, iv, rand, true)
}

// newProtection checks the key sizes and builds the protection.
func (s *Suite) newProtection(version uint16, key, macKey, iv []byte, rand io.Reader, etm bool) (Protection, error) {
	if !s.SupportsVersion(version) {
		return nil, fmt.Errorf("tls: cipher suite %s cannot be used with version %#04x", s.OpenSSLName, version)
	}
	if len(key) != s.KeyLen {
		return nil, fmt.Errorf("tls: %s needs a %d-byte key, got %d", s.OpenSSLName, s.KeyLen, len(key))
	}
	switch s.Bulk {
	case AES128GCM, AES256GCM:
		if len(iv) != 4 {
			return nil, fmt.Errorf("tls: AES-GCM needs a 4-byte fixed nonce, got %d", len(iv))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		g, err := gocipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		p := &gcmProtection{aead: g}
		copy(p.nonce[:4], iv)
		return p, nil
	case ChaCha20Poly1305:
		if len(iv) != chacha20poly1305.NonceSize {
			return nil, fmt.Errorf("tls: ChaCha20-Poly1305 needs a 12-byte IV, got %d", len(iv))
		}
		a, err := chacha20poly1305.New(key)
		if err != nil {
			return nil, err
		}
		p := &chachaProtection{aead: a}
		copy(p.iv[:], iv)
		return p, nil
	case AES128CBC, AES256CBC:
		if len(macKey) != s.MACKeyLen {
			return nil, fmt.Errorf("tls: %s needs a %d-byte MAC key, got %d", s.OpenSSLName, s.MACKeyLen, len(macKey))
		}
		if version == VersionTLS10 && len(iv) != aes.BlockSize {
			return nil, fmt.Errorf("tls: TLS 1.0 CBC needs a %d-byte IV, got %d", aes.BlockSize, len(iv))
		}
		return newCBC(s.MAC, version, key, macKey, iv, rand, etm)
	case NullBulk:
		if s == nullSuite {
			return nullProtection{}, nil
		}
	}
	return nil, fmt.Errorf("tls: unsupported bulk cipher %v", s.Bulk)
}

// additionalData builds seq_num || type || version || length, the MAC
// header of RFC 5246, Section 6.2.3.1 and the AEAD additional data of
// Section 6.2.3.3.
func additionalData(b *[13]byte, seq uint64, typ uint8, version uint16, n int) []byte {
	binary.BigEndian.PutUint64(b[0:8], seq)
	b[8] = typ
	binary.BigEndian.PutUint16(b[9:11], version)
	binary.BigEndian.PutUint16(b[11:13], uint16(n))
	return b[:]
}

// gcmProtection is AES-GCM with a 4-byte implicit salt and the sequence
// number as the 8-byte explicit nonce (RFC 5288, Section 3).
type gcmProtection struct {
	aead  gocipher.AEAD
	nonce [12]byte // salt || explicit part; the tail is rewritten per record
	ad    [13]byte
}

const gcmExplicitNonce = 8

func (p *gcmProtection) Overhead() int { return gcmExplicitNonce + p.aead.Overhead() }

func (p *gcmProtection) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	binary.BigEndian.PutUint64(p.nonce[4:], seq)
	dst = append(dst, p.nonce[4:]...)
	return p.aead.Seal(dst, p.nonce[:], plaintext, additionalData(&p.ad, seq, typ, version, len(plaintext)))
}

func (p *gcmProtection) Open(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error) {
	if len(fragment) < gcmExplicitNonce+p.aead.Overhead() {
		return nil, ErrBadRecordMAC
	}
	copy(p.nonce[4:], fragment[:gcmExplicitNonce])
	n := len(fragment) - gcmExplicitNonce - p.aead.Overhead()
	out, err := p.aead.Open(dst, p.nonce[:], fragment[gcmExplicitNonce:], additionalData(&p.ad, seq, typ, version, n))
	if err != nil {
		return nil, ErrBadRecordMAC
	}
	return out, nil
}

// chachaProtection is ChaCha20-Poly1305 whose nonce is the 12-byte IV XOR
// the sequence number padded on the left with zeros (RFC 7905, Section 2).
// No nonce travels in the record.
type chachaProtection struct {
	aead  gocipher.AEAD
	iv    [12]byte
	nonce [12]byte
	ad    [13]byte
}

func (p *chachaProtection) Overhead() int { return p.aead.Overhead() }

func (p *chachaProtection) setNonce(seq uint64) {
	p.nonce = p.iv
	binary.BigEndian.PutUint64(p.nonce[4:], binary.BigEndian.Uint64(p.iv[4:])^seq)
}

func (p *chachaProtection) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	p.setNonce(seq)
	return p.aead.Seal(dst, p.nonce[:], plaintext, additionalData(&p.ad, seq, typ, version, len(plaintext)))
}

func (p *chachaProtection) Open(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error) {
	if len(fragment) < p.aead.Overhead() {
		return nil, ErrBadRecordMAC
	}
	p.setNonce(seq)
	n := len(fragment) - p.aead.Overhead()
	out, err := p.aead.Open(dst, p.nonce[:], fragment, additionalData(&p.ad, seq, typ, version, n))
	if err != nil {
		return nil, ErrBadRecordMAC
	}
	return out, nil
}
