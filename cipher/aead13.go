package cipher

import (
	"crypto/aes"
	gocipher "crypto/cipher"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"
)

// Limits of a TLS 1.3 protected record (RFC 8446, Section 5.2 and 5.4).
const (
	// maxPlaintext13 is the largest content of a record (2^14).
	maxPlaintext13 = 1 << 14
	// MaxCiphertext13 is the largest TLSCiphertext.encrypted_record a
	// TLS 1.3 peer may send (2^14 + 256).
	MaxCiphertext13 = maxPlaintext13 + 256
)

// recordTypeApplicationData is the outer type of every TLS 1.3 protected
// record (RFC 8446, Section 5.2).
const recordTypeApplicationData = 23

// Errors of a TLS 1.3 Open besides ErrBadRecordMAC. Each depends only on
// lengths and on authenticated plaintext, so they tell an attacker nothing.
var (
	// ErrRecordOverflow: the record is longer than TLS 1.3 allows (RFC
	// 8446, Section 5.2: record_overflow).
	// errCiphertextOverflow and errPlaintextOverflow say which limit.
	ErrRecordOverflow     = errors.New("tls: TLS 1.3 record too long")
	errCiphertextOverflow = fmt.Errorf("%w: ciphertext exceeds 2^14+256 bytes", ErrRecordOverflow)
	errPlaintextOverflow  = fmt.Errorf("%w: plaintext exceeds 2^14+1 bytes", ErrRecordOverflow)
	// ErrOuterType: a protected TLS 1.3 record whose outer type is not
	// application_data (RFC 8446, Section 5.2: unexpected_message).
	ErrOuterType = errors.New("tls: protected TLS 1.3 record whose outer type is not application_data")
	// ErrNoContentType: the decrypted record holds only zeros, no content
	// type (RFC 8446, Section 5.4: unexpected_message).
	ErrNoContentType = errors.New("tls: TLS 1.3 record without a content type (all zeros)")
)

// NewAEAD13 builds the TLS 1.3 record protection of one direction from its
// traffic key and 12-byte IV (RFC 8446, Section 7.3) for bulk cipher b
// (AES128GCM, AES256GCM or ChaCha20Poly1305): the nonce is the IV XOR the
// sequence number, the additional data is the record header, and the
// content type travels encrypted after the content (RFC 8446, Section 5.2).
// Seal adds no padding.
func NewAEAD13(b Bulk, key, iv []byte) (Protection, error) {
	if len(iv) != 12 {
		return nil, fmt.Errorf("tls: a TLS 1.3 AEAD needs a 12-byte IV, got %d", len(iv))
	}
	var a gocipher.AEAD
	switch b {
	case AES128GCM, AES256GCM:
		want := 16
		if b == AES256GCM {
			want = 32
		}
		if len(key) != want {
			return nil, fmt.Errorf("tls: %v needs a %d-byte key, got %d", b, want, len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		if a, err = gocipher.NewGCM(block); err != nil {
			return nil, err
		}
	case ChaCha20Poly1305:
		var err error
		if a, err = chacha20poly1305.New(key); err != nil {
			return nil, fmt.Errorf("tls: %v: %w", b, err)
		}
	default:
		return nil, fmt.Errorf("tls: %v is not a TLS 1.3 AEAD", b)
	}
	p := &aead13{aead: a}
	copy(p.iv[:], iv)
	return p, nil
}

// aead13 is the TLS 1.3 record protection (RFC 8446, Section 5.2).
type aead13 struct {
	aead  gocipher.AEAD
	iv    [12]byte
	nonce [12]byte
}

// Overhead is the inner content type and the tag.
func (p *aead13) Overhead() int { return 1 + p.aead.Overhead() }

// Seal writes the outer header (application_data, version, the length of
// the encrypted record), then encrypts plaintext || type in place with the
// header as additional data.
func (p *aead13) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	n := len(plaintext) + p.Overhead()
	dst = slices.Grow(dst, HeaderLen+n)
	start := len(dst)
	dst = append(dst, recordTypeApplicationData, byte(version>>8), byte(version), byte(n>>8), byte(n))
	body := len(dst)
	dst = append(dst, plaintext...)
	dst = append(dst, typ)
	xorNonce(&p.nonce, &p.iv, seq)
	// Sealing in place: the output starts where the plaintext does, and
	// the capacity reserved above holds the tag.
	out := p.aead.Seal(dst[body:body], p.nonce[:], dst[body:], dst[start:body])
	return dst[:body+len(out)]
}

// Open checks the outer type and length, decrypts with the header as
// additional data, and strips the zero padding to find the content type.
func (p *aead13) Open(dst []byte, seq uint64, header, fragment []byte) (uint8, []byte, error) {
	if len(header) != HeaderLen {
		return 0, nil, ErrBadRecordMAC
	}
	// RFC 8446, Section 5.2: the outer opaque_type is always
	// application_data once records are protected.
	if header[0] != recordTypeApplicationData {
		return 0, nil, ErrOuterType
	}
	// RFC 8446, Section 5.2: the length MUST NOT exceed 2^14 + 256; a
	// longer record is record_overflow.
	if len(fragment) > MaxCiphertext13 {
		return 0, nil, errCiphertextOverflow
	}
	if len(fragment) < p.aead.Overhead() {
		return 0, nil, ErrBadRecordMAC
	}
	xorNonce(&p.nonce, &p.iv, seq)
	out, err := p.aead.Open(dst, p.nonce[:], fragment, header)
	if err != nil {
		return 0, nil, ErrBadRecordMAC
	}
	inner := out[len(dst):]
	// RFC 8446, Section 5.4: the full TLSInnerPlaintext MUST NOT exceed
	// 2^14 + 1 octets, padding included.
	if len(inner) > maxPlaintext13+1 {
		return 0, nil, errPlaintextOverflow
	}
	// RFC 8446, Section 5.4: the content type is the last non-zero byte;
	// a record of zeros only is unexpected_message.
	for i := len(inner) - 1; i >= 0; i-- {
		if inner[i] != 0 {
			return inner[i], out[:len(dst)+i], nil
		}
	}
	return 0, nil, ErrNoContentType
}
