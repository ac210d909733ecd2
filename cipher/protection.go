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

// Protection protects or unprotects the records of one direction of a
// connection for one epoch: "header in, content type out". seq is the
// 64-bit record sequence number. A Protection keeps scratch state and is
// used by one goroutine at a time.
//
// The TLS 1.2 forms (NewProtection, NewProtectionETM) authenticate the
// content type and version of the header (RFC 5246, Section 6.2.3); the
// TLS 1.3 form (NewAEAD13) sends every record as application_data and
// carries the content type inside the encryption (RFC 8446, Section 5.2).
type Protection interface {
	// Seal appends to dst one protected record of content type typ
	// carrying plaintext: the 5-byte header, with version as its record
	// version, and the protected fragment. plaintext must not overlap the
	// spare capacity of dst. Seal does not allocate when dst has room for
	// HeaderLen+len(plaintext)+Overhead() more bytes.
	Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte
	// Open authenticates and decrypts one record, given its 5-byte header
	// as received and its fragment, appends the plaintext to dst and
	// returns the record's content type. A failure to authenticate is
	// ErrBadRecordMAC whatever its cause; the TLS 1.3 form also reports
	// ErrRecordOverflow and ErrNoContentType (ErrOuterType). fragment must
	// not overlap the spare capacity of dst.
	Open(dst []byte, seq uint64, header, fragment []byte) (typ uint8, plaintext []byte, err error)
	// Overhead is the maximum number of bytes Seal adds to a plaintext
	// besides the header.
	Overhead() int
}

// HeaderLen is the size of a record header: type, version, length (RFC
// 5246, Section 6.2.1). Protections write and read it; framing is package
// record's.
const HeaderLen = 5

// ErrBadRecordMAC is the error of Open for any record that does not
// authenticate, whatever the cause, so that nothing tells bad padding from
// a bad MAC (RFC 5246, Section 6.2.3.2).
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
	if s.Protect != nil {
		return s.Protect(key, macKey, iv)
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
		p := &gcm12{aead: g}
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
		p := &chacha12{aead: a}
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
	}
	return nil, fmt.Errorf("tls: unsupported bulk cipher %v", s.Bulk)
}

// fragmentProtection is a TLS 1.0-1.2 protection seen from its fragment:
// the record header stays outside, and its type and version are
// authenticated as additional data (AEAD) or under the MAC (CBC).
type fragmentProtection interface {
	sealFragment(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte
	openFragment(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error)
}

// seal12 is Seal of a TLS 1.0-1.2 protection: the plain header, then the
// protected fragment, then the header's length.
func seal12(p fragmentProtection, dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	start := len(dst)
	dst = append(dst, typ, byte(version>>8), byte(version), 0, 0)
	dst = p.sealFragment(dst, seq, typ, version, plaintext)
	binary.BigEndian.PutUint16(dst[start+3:], uint16(len(dst)-start-HeaderLen))
	return dst
}

// open12 is Open of a TLS 1.0-1.2 protection: the content type is the
// header's, and the header's type and version are authenticated.
func open12(p fragmentProtection, dst []byte, seq uint64, header, fragment []byte) (uint8, []byte, error) {
	if len(header) != HeaderLen {
		return 0, nil, ErrBadRecordMAC
	}
	typ := header[0]
	out, err := p.openFragment(dst, seq, typ, binary.BigEndian.Uint16(header[1:3]), fragment)
	if err != nil {
		return 0, nil, err
	}
	return typ, out, nil
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

// xorNonce sets nonce to iv XOR the sequence number padded on the left with
// zeros: the per-record nonce of RFC 7905, Section 2 (ChaCha20-Poly1305 in
// TLS 1.2) and RFC 8446, Section 5.3 (every TLS 1.3 AEAD).
func xorNonce(nonce, iv *[12]byte, seq uint64) {
	*nonce = *iv
	binary.BigEndian.PutUint64(nonce[4:], binary.BigEndian.Uint64(iv[4:])^seq)
}
