package cipher

import (
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding"
	"encoding/binary"
	"errors"
	"hash"
	"io"
)

// PredictableIV is implemented by protections whose next IV the peer can
// see in advance (TLS 1.0 CBC, RFC 2246, Section 6.2.3.2, which chains the
// last ciphertext block). Writers split application data 1/n-1 under
// them so that each record's first block mixes in a fresh MAC (the
// BEAST countermeasure).
type PredictableIV interface {
	PredictableIV() bool
}

// cbcProtection is AES-CBC with HMAC. By default it is MAC-then-encrypt
// (RFC 5246, Section 6.2.3.2); with etm set it is encrypt-then-MAC (RFC
// 7366). TLS 1.1 and later carry an explicit IV in each record; TLS 1.0
// chains the last ciphertext block of the previous record (RFC 2246,
// Section 6.2.3.2).
type cbcProtection struct {
	enc, dec     gocipher.BlockMode
	encIV, decIV ivSetter
	block        gocipher.Block // for IVs made without rand
	rand         io.Reader
	explicitIV   bool
	etm          bool
	iv           [aes.BlockSize]byte // TLS 1.0: the IV of the next record
	cur          [aes.BlockSize]byte // the IV of the record being sealed

	// mac is the HMAC for inputs whose length is public: everything Seal
	// does, and the ETM check.
	mac    hash.Hash
	macLen int

	// The MAC-then-encrypt check runs HMAC by hand over the bare hash so
	// that the number of compression-function calls, and which of them is
	// kept, does not depend on the padding length (see constantTimeMAC).
	inner, outer hash.Hash
	innerState   encoding.BinaryAppender
	ipad, opad   []byte
	hashBlock    int  // the hash's block size: 64 or 128
	hashShift    uint // log2(hashBlock)
	lenSize      int  // bytes of the hash's length field: 8 or 16

	// Scratch space, so that records cost no allocations.
	ad       [13]byte
	sum      [64]byte
	recv     [64]byte
	digest   [64]byte
	hblk     [128]byte
	lenField [16]byte
	state    []byte
}

// PredictableIV reports whether the next record's IV is public.
func (p *cbcProtection) PredictableIV() bool { return !p.explicitIV }

// ivSetter is implemented by the standard library's CBC modes; it lets one
// BlockMode serve every record.
type ivSetter interface{ SetIV([]byte) }

// maxCBCFragment bounds the fragments Open looks at, far above the 2^14+2048
// of RFC 5246, Section 6.2.3, so that all length arithmetic stays in int32.
const maxCBCFragment = 1 << 20

func newCBC(mac MAC, version uint16, key, macKey, iv []byte, rand io.Reader, etm bool) (*cbcProtection, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	var h func() hash.Hash
	var magic string
	p := &cbcProtection{block: block, rand: rand, explicitIV: version >= VersionTLS11, etm: etm}
	switch mac {
	case MACSHA1:
		h, magic, p.lenSize = sha1.New, "sha\x01", 8
	case MACSHA256:
		h, magic, p.lenSize = sha256.New, "sha\x03", 8
	case MACSHA384:
		h, magic, p.lenSize = sha512.New384, "sha\x04", 16
	default:
		return nil, errors.New("tls: CBC suite without a MAC")
	}
	var zero [aes.BlockSize]byte
	p.enc = gocipher.NewCBCEncrypter(block, zero[:])
	p.dec = gocipher.NewCBCDecrypter(block, zero[:])
	var ok1, ok2, ok3 bool
	p.encIV, ok1 = p.enc.(ivSetter)
	p.decIV, ok2 = p.dec.(ivSetter)
	p.mac = hmac.New(h, macKey)
	p.macLen = p.mac.Size()
	p.inner, p.outer = h(), h()
	p.innerState, ok3 = p.inner.(encoding.BinaryAppender)
	if !ok1 || !ok2 || !ok3 {
		return nil, errors.New("tls: the standard library's CBC or hash lacks a needed method")
	}
	// constantTimeMAC reads the chaining value out of the marshaled hash
	// state: a 4-byte magic, then the state words big-endian. The
	// standard library keeps that encoding compatible across releases;
	// check it here anyway rather than compute wrong MACs.
	st, err := p.innerState.AppendBinary(nil)
	if err != nil || len(st) < len(magic)+p.macLen || string(st[:len(magic)]) != magic {
		return nil, errors.New("tls: unexpected hash state encoding")
	}
	p.state = make([]byte, 0, len(st))

	// RFC 2104: keys longer than the block are hashed first, shorter ones
	// padded with zeros.
	p.hashBlock = p.inner.BlockSize()
	for 1<<p.hashShift < p.hashBlock {
		p.hashShift++
	}
	k := macKey
	if len(k) > p.hashBlock {
		kh := h()
		kh.Write(k)
		k = kh.Sum(nil)
	}
	p.ipad, p.opad = make([]byte, p.hashBlock), make([]byte, p.hashBlock)
	copy(p.ipad, k)
	copy(p.opad, k)
	for i := range p.ipad {
		p.ipad[i] ^= 0x36
		p.opad[i] ^= 0x5c
	}
	if !p.explicitIV {
		copy(p.iv[:], iv)
	}
	return p, nil
}

func (p *cbcProtection) Overhead() int {
	n := p.macLen + aes.BlockSize // MAC and at most a block of padding
	if p.explicitIV {
		n += aes.BlockSize
	}
	return n
}

func (p *cbcProtection) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	return seal12(p, dst, seq, typ, version, plaintext)
}

func (p *cbcProtection) Open(dst []byte, seq uint64, header, fragment []byte) (uint8, []byte, error) {
	return open12(p, dst, seq, header, fragment)
}

func (p *cbcProtection) sealFragment(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	if p.etm {
		return p.sealETM(dst, seq, typ, version, plaintext)
	}
	// RFC 5246, Section 6.2.3.1: the MAC covers seq_num, the header with
	// the plaintext length, and the plaintext.
	p.mac.Reset()
	p.mac.Write(additionalData(&p.ad, seq, typ, version, len(plaintext)))
	p.mac.Write(plaintext)
	dst = p.appendIV(dst, seq)
	start := len(dst)
	dst = append(dst, plaintext...)
	dst = p.mac.Sum(dst)
	dst = appendPadding(dst, len(dst)-start)
	p.encrypt(dst[start:])
	return dst
}

func (p *cbcProtection) openFragment(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error) {
	if p.etm {
		return p.openETM(dst, seq, typ, version, fragment)
	}
	iv, body, ok := p.splitIV(fragment)
	// RFC 5246, Section 6.2.3.2: the ciphertext is whole blocks holding at
	// least the MAC and the padding_length byte. These lengths are public.
	if !ok || len(body) == 0 || len(body)%aes.BlockSize != 0 || len(body) < p.macLen+1 || len(body) > maxCBCFragment {
		return nil, ErrBadRecordMAC
	}
	out := append(dst, body...)
	buf := out[len(dst):]
	p.decrypt(iv, body, buf)
	n, good := p.checkMACThenEncrypt(seq, typ, version, buf)
	if good != 1 {
		return nil, ErrBadRecordMAC
	}
	return out[:len(dst)+n], nil
}

// splitIV returns the IV of a fragment and the ciphertext after it.
func (p *cbcProtection) splitIV(fragment []byte) (iv, body []byte, ok bool) {
	if !p.explicitIV {
		return p.iv[:], fragment, true
	}
	if len(fragment) < aes.BlockSize {
		return nil, nil, false
	}
	return fragment[:aes.BlockSize], fragment[aes.BlockSize:], true
}

// appendIV picks the IV of the record being sealed into p.cur and appends
// it to dst when it travels in the record.
func (p *cbcProtection) appendIV(dst []byte, seq uint64) []byte {
	if !p.explicitIV {
		p.cur = p.iv
		return dst
	}
	// RFC 5246, Section 6.2.3.2: the IV SHOULD be chosen at random and
	// MUST be unpredictable.
	if p.rand == nil {
		p.nonceIV(seq)
	} else if _, err := io.ReadFull(p.rand, p.cur[:]); err != nil {
		p.nonceIV(seq)
	}
	return append(dst, p.cur[:]...)
}

// nonceIV sets p.cur to the block cipher applied to a nonce built from the
// sequence number, which is unique within the epoch.
func (p *cbcProtection) nonceIV(seq uint64) {
	binary.BigEndian.PutUint64(p.cur[:8], seq)
	copy(p.cur[8:], "tlsIV\x00\x00\x01")
	p.block.Encrypt(p.cur[:], p.cur[:])
}

// encrypt CBC-encrypts body in place with p.cur and remembers the chained
// IV for TLS 1.0.
func (p *cbcProtection) encrypt(body []byte) {
	p.encIV.SetIV(p.cur[:])
	p.enc.CryptBlocks(body, body)
	if !p.explicitIV {
		copy(p.iv[:], body[len(body)-aes.BlockSize:])
	}
}

// decrypt CBC-decrypts ciphertext into out (of the same length) and
// remembers the chained IV for TLS 1.0.
func (p *cbcProtection) decrypt(iv, ciphertext, out []byte) {
	p.decIV.SetIV(iv)
	if !p.explicitIV {
		copy(p.iv[:], ciphertext[len(ciphertext)-aes.BlockSize:])
	}
	p.dec.CryptBlocks(out, ciphertext)
}

// appendPadding appends the CBC padding for n bytes of content and MAC: the
// fewest bytes that fill the last block, each holding padding_length (RFC
// 5246, Section 6.2.3.2).
func appendPadding(dst []byte, n int) []byte {
	padLen := aes.BlockSize - n%aes.BlockSize // 1..16 bytes including the length byte
	for range padLen {
		dst = append(dst, byte(padLen-1))
	}
	return dst
}

// checkMACThenEncrypt checks the padding and MAC of a decrypted
// MAC-then-encrypt record without branching on or indexing by anything
// secret, the Lucky Thirteen countermeasure. It returns the content length
// and 1 when the record is good. buf holds at least macLen+1 bytes.
//
// The padding is checked over a fixed 256-byte window; the MAC is read from
// its secret position by copyMAC; the HMAC is computed by constantTimeMAC.
// The cost of each depends only on len(buf). With bad
// padding the record is treated as having none, so the MAC check still runs
// (and fails) over the same amount of work.
func (p *cbcProtection) checkMACThenEncrypt(seq uint64, typ uint8, version uint16, buf []byte) (int, int) {
	n := len(buf)
	padLen := int(buf[n-1])
	good := subtle.ConstantTimeLessOrEq(padLen+1+p.macLen, n)
	// RFC 5246, Section 6.2.3.2: every padding byte MUST equal
	// padding_length.
	var diff byte
	for i := 1; i < min(256, n); i++ {
		inPad := byte(subtle.ConstantTimeLessOrEq(i, padLen)) * 0xff
		diff |= inPad & (buf[n-1-i] ^ byte(padLen))
	}
	good &= subtle.ConstantTimeByteEq(diff, 0)

	maxContent := n - p.macLen - 1
	minContent := max(0, maxContent-255)
	contentLen := maxContent - subtle.ConstantTimeSelect(good, padLen, 0)

	recv := p.copyMAC(buf, contentLen, minContent, maxContent)
	mac := p.constantTimeMAC(seq, typ, version, buf, contentLen, minContent, maxContent)
	good &= subtle.ConstantTimeCompare(mac, recv)
	return contentLen, good
}

// copyMAC returns the macLen bytes of buf at the secret offset contentLen,
// which lies in [minContent, maxContent], touching the same bytes whatever
// the offset. One pass over the window collects the MAC rotated by a
// secret amount; a barrel shifter of masked rotations by powers of two then
// undoes the rotation.
func (p *cbcProtection) copyMAC(buf []byte, contentLen, minContent, maxContent int) []byte {
	m := p.macLen
	rot := p.recv[:m]
	clear(rot)
	offset, i := 0, 0 // i is the public position modulo m
	for j := minContent; j < maxContent+m; j++ {
		inMAC := subtle.ConstantTimeLessOrEq(contentLen, j) & subtle.ConstantTimeLessOrEq(j+1, contentLen+m)
		rot[i] |= buf[j] & byte(-inMAC)
		offset |= i & -subtle.ConstantTimeEq(int32(j), int32(contentLen))
		if i++; i == m {
			i = 0
		}
	}
	// Now rot[k] holds MAC byte (k - offset) mod m; rotate left by offset.
	tmp := p.digest[:m]
	for b := 0; 1<<b < m; b++ {
		mask := byte(-((offset >> b) & 1))
		for k := range m {
			tmp[k] = rot[k]&^mask | rot[(k+1<<b)%m]&mask
		}
		copy(rot, tmp)
	}
	return rot
}

// constantTimeMAC computes HMAC(seq || header || data[:contentLen]), where
// contentLen is secret but lies in [minContent, maxContent].
//
// The inner hash input is ipad || header || content. Its blocks that lie
// wholly before minContent are hashed as usual. Every later block that
// could hold content, the 0x80 terminator or the length field is built
// with masks, as the hash's own padding would make it for the secret
// length, and fed to the hash; after each block that could be the last,
// the chaining value is read out of the marshaled state and kept with a
// mask when it is the last. So the same blocks are hashed whatever
// contentLen is, and the outer hash has a fixed-length input.
func (p *cbcProtection) constantTimeMAC(seq uint64, typ uint8, version uint16, data []byte, contentLen, minContent, maxContent int) []byte {
	const hdr = 13
	bs := p.hashBlock
	ad := additionalData(&p.ad, seq, typ, version, contentLen)
	msgLen := bs + hdr + contentLen
	minMsg, maxMsg := bs+hdr+minContent, bs+hdr+maxContent
	// The final block is the one holding the last byte of the length field
	// that follows the 0x80 terminator.
	finalBlk := (msgLen + p.lenSize) >> p.hashShift
	firstFinal := (minMsg + p.lenSize) >> p.hashShift
	lastFinal := (maxMsg + p.lenSize) >> p.hashShift
	firstVar := minMsg >> p.hashShift // blocks before it hold only message bytes

	clear(p.lenField[:])
	binary.BigEndian.PutUint64(p.lenField[p.lenSize-8:p.lenSize], uint64(msgLen)*8)
	lenField := p.lenField[:p.lenSize]

	p.inner.Reset()
	p.inner.Write(p.ipad)
	if pre := firstVar<<p.hashShift - bs; pre > 0 {
		p.inner.Write(ad[:min(pre, hdr)])
		if pre > hdr {
			p.inner.Write(data[:pre-hdr])
		}
	}
	size := p.outer.Size()
	clear(p.digest[:])
	for blk := firstVar; blk <= lastFinal; blk++ {
		isFinal := byte(subtle.ConstantTimeEq(int32(blk), int32(finalBlk))) * 0xff
		base := blk << p.hashShift
		for k := range bs {
			pos := base + k
			var b byte
			// These branches depend only on public positions.
			if i := pos - bs; i < hdr {
				b = ad[i]
			} else if i-hdr < len(data) {
				b = data[i-hdr]
			}
			inMsg := byte(subtle.ConstantTimeLessOrEq(pos+1, msgLen)) * 0xff
			atEnd := byte(subtle.ConstantTimeEq(int32(pos), int32(msgLen))) * 0xff
			b = b&inMsg | 0x80&atEnd
			if j := k - (bs - p.lenSize); j >= 0 {
				b = b&^isFinal | lenField[j]&isFinal
			}
			p.hblk[k] = b
		}
		p.inner.Write(p.hblk[:bs])
		if blk >= firstFinal {
			// The error and length were checked in newCBC.
			st, _ := p.innerState.AppendBinary(p.state[:0])
			p.state = st[:0]
			for i, v := range st[4 : 4+size] {
				p.digest[i] |= v & isFinal
			}
		}
	}
	p.outer.Reset()
	p.outer.Write(p.opad)
	p.outer.Write(p.digest[:size])
	return p.outer.Sum(p.sum[:0])
}

// sealETM is sealFragment for encrypt-then-MAC (RFC 7366, Section 3): the MAC is
// computed over the header, whose length is that of IV and ciphertext, then
// the IV and ciphertext, and is appended in the clear.
func (p *cbcProtection) sealETM(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	start := len(dst)
	dst = p.appendIV(dst, seq)
	body := len(dst)
	dst = append(dst, plaintext...)
	dst = appendPadding(dst, len(plaintext))
	p.encrypt(dst[body:])
	p.mac.Reset()
	p.mac.Write(additionalData(&p.ad, seq, typ, version, len(dst)-start))
	p.mac.Write(dst[start:])
	return p.mac.Sum(dst)
}

// openETM is openFragment for encrypt-then-MAC. RFC 7366, Section 3: the MAC MUST
// be checked before decryption, so the padding check that follows can no
// longer be an oracle.
func (p *cbcProtection) openETM(dst []byte, seq uint64, typ uint8, version uint16, fragment []byte) ([]byte, error) {
	ivLen := 0
	if p.explicitIV {
		ivLen = aes.BlockSize
	}
	if len(fragment) < ivLen+aes.BlockSize+p.macLen || (len(fragment)-ivLen-p.macLen)%aes.BlockSize != 0 || len(fragment) > maxCBCFragment {
		return nil, ErrBadRecordMAC
	}
	covered, tag := fragment[:len(fragment)-p.macLen], fragment[len(fragment)-p.macLen:]
	p.mac.Reset()
	p.mac.Write(additionalData(&p.ad, seq, typ, version, len(covered)))
	p.mac.Write(covered)
	if !hmac.Equal(p.mac.Sum(p.sum[:0]), tag) {
		return nil, ErrBadRecordMAC
	}
	iv, body, _ := p.splitIV(covered)
	out := append(dst, body...)
	buf := out[len(dst):]
	p.decrypt(iv, body, buf)
	n := len(buf)
	padLen := int(buf[n-1])
	if padLen+1 > n {
		return nil, ErrBadRecordMAC
	}
	for _, b := range buf[n-1-padLen : n-1] {
		if int(b) != padLen {
			return nil, ErrBadRecordMAC
		}
	}
	return out[:len(dst)+n-padLen-1], nil
}
