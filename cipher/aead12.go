package cipher

import (
	gocipher "crypto/cipher"
	"encoding/binary"
)

// The TLS 1.2 AEAD protections: the nonce is built from a fixed part of the
// key block and the sequence number, and the additional data is the 13
// bytes seq_num || type || version || length (RFC 5246, Section 6.2.3.3).

// gcm12 is AES-GCM with a 4-byte implicit salt and the sequence number as
// the 8-byte explicit nonce (RFC 5288, Section 3).
type gcm12 struct {
	aead  gocipher.AEAD
	nonce [12]byte // salt || explicit part; the tail is rewritten per record
	ad    [13]byte
}

const gcmExplicitNonce = 8

func (p *gcm12) Overhead() int { return gcmExplicitNonce + p.aead.Overhead() }

func (p *gcm12) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	return seal12(p, dst, seq, typ, version, plaintext)
}

func (p *gcm12) Open(dst []byte, seq uint64, header, fragment []byte) (uint8, []byte, error) {
	return open12(p, dst, seq, header, fragment)
}

func (p *gcm12) sealFragment(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	binary.BigEndian.PutUint64(p.nonce[4:], seq)
	dst = append(dst, p.nonce[4:]...)
	return p.aead.Seal(dst, p.nonce[:], plaintext, additionalData(&p.ad, seq, typ, version, len(plaintext)))
}

func (p *gcm12) openFragment(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error) {
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

// chacha12 is ChaCha20-Poly1305 whose nonce is the 12-byte IV XOR the
// sequence number (RFC 7905, Section 2). No nonce travels in the record.
type chacha12 struct {
	aead  gocipher.AEAD
	iv    [12]byte
	nonce [12]byte
	ad    [13]byte
}

func (p *chacha12) Overhead() int { return p.aead.Overhead() }

func (p *chacha12) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	return seal12(p, dst, seq, typ, version, plaintext)
}

func (p *chacha12) Open(dst []byte, seq uint64, header, fragment []byte) (uint8, []byte, error) {
	return open12(p, dst, seq, header, fragment)
}

func (p *chacha12) sealFragment(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	xorNonce(&p.nonce, &p.iv, seq)
	return p.aead.Seal(dst, p.nonce[:], plaintext, additionalData(&p.ad, seq, typ, version, len(plaintext)))
}

func (p *chacha12) openFragment(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error) {
	if len(fragment) < p.aead.Overhead() {
		return nil, ErrBadRecordMAC
	}
	xorNonce(&p.nonce, &p.iv, seq)
	n := len(fragment) - p.aead.Overhead()
	out, err := p.aead.Open(dst, p.nonce[:], fragment, additionalData(&p.ad, seq, typ, version, n))
	if err != nil {
		return nil, ErrBadRecordMAC
	}
	return out, nil
}
