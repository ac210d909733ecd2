package cipher

import (
	"crypto/cipher"
	"crypto/subtle"
	"hash"
	"io"
)

// cbcProtection is MAC-then-encrypt with AES-CBC and HMAC (RFC 5246,
// Section 6.2.3.2). TLS 1.1 and later carry a random explicit IV in each
// record; TLS 1.0 chains the last ciphertext block of the previous record.
type cbcProtection struct {
	block      cipher.Block
	mac        hash.Hash
	macLen     int
	rand       io.Reader
	explicitIV bool
	chainIV    []byte // TLS 1.0 only
	ad         [13]byte
	sum        [64]byte
	recvMAC    [64]byte
	scratch    []byte
}

const cbcBlock = 16

func (p *cbcProtection) Overhead() int {
	// Explicit IV, MAC, and up to a full block of padding.
	return cbcBlock + p.macLen + cbcBlock
}

func (p *cbcProtection) computeMAC(seq uint64, typ uint8, version uint16, content []byte) []byte {
	p.mac.Reset()
	p.mac.Write(additionalData(&p.ad, seq, typ, version, len(content)))
	p.mac.Write(content)
	return p.mac.Sum(p.sum[:0])
}

func (p *cbcProtection) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	mac := p.computeMAC(seq, typ, version, plaintext)
	n := len(plaintext) + p.macLen
	padLen := cbcBlock - n%cbcBlock // 1..16 bytes, each holding padLen-1
	start := len(dst)
	var iv []byte
	if p.explicitIV {
		dst = append(dst, make([]byte, cbcBlock)...)
		iv = dst[start : start+cbcBlock]
		if _, err := io.ReadFull(p.rand, iv); err != nil {
			// Without fresh randomness an IV of zeros would still be
			// correct CBC, but predictable; the record is sealed anyway
			// and the failure is as visible as a broken generator can be.
			clear(iv)
		}
		start += cbcBlock
	} else {
		iv = p.chainIV
	}
	dst = append(dst, plaintext...)
	dst = append(dst, mac...)
	for range padLen {
		dst = append(dst, byte(padLen-1))
	}
	body := dst[start:]
	cipher.NewCBCEncrypter(p.block, iv).CryptBlocks(body, body)
	if !p.explicitIV {
		p.chainIV = append(p.chainIV[:0], body[len(body)-cbcBlock:]...)
	}
	return dst
}

// Open decrypts and checks padding and MAC without branching on secret
// data (the Lucky Thirteen countermeasure): the padding is checked over a
// fixed window, the MAC is located with masks, and the hash is fed the same
// number of blocks whatever the padding length.
func (p *cbcProtection) Open(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error) {
	iv := p.chainIV
	if p.explicitIV {
		if len(fragment) < cbcBlock {
			return nil, ErrBadRecordMAC
		}
		iv, fragment = fragment[:cbcBlock], fragment[cbcBlock:]
	}
	// Public checks: the length must be whole blocks holding at least a
	// MAC and one padding byte.
	if len(fragment) == 0 || len(fragment)%cbcBlock != 0 || len(fragment) < p.macLen+1 {
		return nil, ErrBadRecordMAC
	}
	nextIV := fragment[len(fragment)-cbcBlock:]
	if !p.explicitIV {
		p.chainIV = append(p.chainIV[:0:0], nextIV...)
	}
	buf := append(p.scratch[:0], fragment...)
	p.scratch = buf
	cipher.NewCBCDecrypter(p.block, iv).CryptBlocks(buf, buf)

	n := len(buf)
	padLen := int(buf[n-1])
	// good is 1 when padLen+1+macLen fits.
	good := subtle.ConstantTimeLessOrEq(padLen+1+p.macLen, n)
	// Every byte in the padding must equal padLen; check a window of 256
	// bytes (the largest padding) whatever padLen is.
	window := min(256, n)
	var diff byte
	for i := 0; i < window; i++ {
		inPad := byte(subtle.ConstantTimeLessOrEq(i, padLen)) * 0xff
		diff |= inPad & (buf[n-1-i] ^ byte(padLen))
	}
	good &= subtle.ConstantTimeByteEq(diff, 0)
	// With bad padding, treat the record as unpadded so the work below
	// is the same.
	remove := subtle.ConstantTimeSelect(good, padLen+1, 0)
	contentLen := n - remove - p.macLen
	if contentLen < 0 {
		contentLen = 0 // only reachable when good == 0 and n < macLen
	}

	// Copy the received MAC from its secret position with masks over the
	// window of possible positions.
	recv := p.recvMAC[:p.macLen]
	clear(recv)
	lo := max(0, n-p.macLen-256)
	for pos := lo; pos+p.macLen <= n; pos++ {
		m := byte(subtle.ConstantTimeEq(int32(pos), int32(contentLen))) * 0xff
		for i := range recv {
			recv[i] |= m & buf[pos+i]
		}
	}

	// HMAC over the content, then over extra bytes so that the number of
	// compression-function calls does not depend on the padding.
	mac := p.computeMAC(seq, typ, version, buf[:contentLen])
	maxContent := n - p.macLen - 1
	if extra := maxContent - contentLen; extra > 0 {
		p.mac.Write(buf[:extra])
	}
	good &= subtle.ConstantTimeCompare(mac, recv)
	if good != 1 {
		return nil, ErrBadRecordMAC
	}
	return append(dst, buf[:contentLen]...), nil
}

// newCBCDec and newCBCEnc expose the block modes to tests.
func newCBCDec(p *cbcProtection, iv []byte) cipher.BlockMode {
	return cipher.NewCBCDecrypter(p.block, iv)
}
func newCBCEnc(p *cbcProtection, iv []byte) cipher.BlockMode {
	return cipher.NewCBCEncrypter(p.block, iv)
}
