package cipher

import (
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// Protection protects or unprotects the fragments of one direction of a
// connection for one epoch. seq is the record sequence number; typ and
// version are the record header's fields. A Protection is used by one
// goroutine at a time.
type Protection interface {
	// Seal appends the protected fragment for plaintext to dst.
	Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte
	// Open authenticates and decrypts one fragment, appending the
	// plaintext to dst. Every failure is ErrBadRecordMAC.
	Open(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error)
	// Overhead is the most bytes Seal adds to a plaintext.
	Overhead() int
}

// ErrBadRecordMAC is the one error of Open, whatever the cause, so that
// nothing distinguishes bad padding from a bad MAC (RFC 5246, Section
// 6.2.3.2).
var ErrBadRecordMAC = errors.New("tls: bad record MAC")

// NewProtection builds the protection of one direction from its part of the
// key block. rand supplies explicit CBC IVs.
func (s *Suite) NewProtection(version uint16, key, macKey, iv []byte, rand io.Reader) (Protection, error) {
	switch s.Bulk {
	case AES128GCM, AES256GCM:
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
		a, err := chacha20poly1305.New(key)
		if err != nil {
			return nil, err
		}
		p := &chachaProtection{aead: a}
		copy(p.iv[:], iv)
		return p, nil
	case AES128CBC, AES256CBC:
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		var h func() hash.Hash
		switch s.MAC {
		case MACSHA1:
			h = sha1.New
		case MACSHA256:
			h = sha256.New
		case MACSHA384:
			h = sha512.New384
		default:
			return nil, errors.New("tls: CBC suite without a MAC")
		}
		p := &cbcProtection{block: block, mac: hmac.New(h, macKey), rand: rand, explicitIV: version >= VersionTLS11}
		if !p.explicitIV {
			p.chainIV = append([]byte(nil), iv...)
		}
		p.macLen = p.mac.Size()
		return p, nil
	}
	return nil, errors.New("tls: unsupported bulk cipher")
}

// additionalData builds seq_num || type || version || length (RFC 5246,
// Section 6.2.3.3).
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
	nonce [12]byte
	ad    [13]byte
}

func (p *gcmProtection) Overhead() int { return 8 + p.aead.Overhead() }

func (p *gcmProtection) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	binary.BigEndian.PutUint64(p.nonce[4:], seq)
	dst = append(dst, p.nonce[4:]...)
	return p.aead.Seal(dst, p.nonce[:], plaintext, additionalData(&p.ad, seq, typ, version, len(plaintext)))
}

func (p *gcmProtection) Open(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error) {
	if len(fragment) < 8+p.aead.Overhead() {
		return nil, ErrBadRecordMAC
	}
	copy(p.nonce[4:], fragment[:8])
	n := len(fragment) - 8 - p.aead.Overhead()
	out, err := p.aead.Open(dst, p.nonce[:], fragment[8:], additionalData(&p.ad, seq, typ, version, n))
	if err != nil {
		return nil, ErrBadRecordMAC
	}
	return out, nil
}

// chachaProtection is ChaCha20-Poly1305 with the nonce formed by XORing the
// padded sequence number into the 12-byte IV (RFC 7905, Section 2).
type chachaProtection struct {
	aead  gocipher.AEAD
	iv    [12]byte
	nonce [12]byte
	ad    [13]byte
}

func (p *chachaProtection) Overhead() int { return p.aead.Overhead() }

func (p *chachaProtection) setNonce(seq uint64) {
	p.nonce = p.iv
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seq)
	for i := range 8 {
		p.nonce[4+i] ^= s[i]
	}
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
