package session

import (
	"crypto"
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/tlsengine/tlsengine/internal/hmacsum"
)

// KeyLen is the size of a ticket key as Node takes it: a 16-byte key
// name, a 16-byte HMAC-SHA256 key and a 16-byte AES-128-CBC key.
const KeyLen = 48

const (
	nameLen = 16
	ivLen   = aes.BlockSize
	macLen  = sha256.Size
	// minTicket is the shortest well-formed ticket: name, IV, one block
	// of ciphertext and the MAC.
	minTicket = nameLen + ivLen + aes.BlockSize + macLen
)

// Ticketer seals session state into tickets and opens them. A ticket is
// key_name (16) ‖ IV (16) ‖ AES-128-CBC(state, PKCS#7 padded) ‖
// HMAC-SHA256 (32) over everything before it: the layout of OpenSSL and
// so Node, which is RFC 5077, Section 4's recommendation without the
// uint16 length in front of encrypted_state. SetKey rotates: tickets sealed
// under the previous key still open, new tickets use the new key; SetKeys
// installs a whole key ring (a fleet's rotation). It is safe for
// concurrent use.
type Ticketer struct {
	mu      sync.RWMutex
	current *ticketKey
	// older are the keys that still open tickets but seal none: the one
	// SetKey replaced, or the ring SetKeys installed.
	older []*ticketKey
}

type ticketKey struct {
	raw   [KeyLen]byte
	block gocipher.Block
	mac   hmacsum.Key // raw[16:32] as an HMAC-SHA256 key
}

// NewTicketer returns a Ticketer using key, which must be KeyLen bytes.
func NewTicketer(key []byte) (*Ticketer, error) {
	t := &Ticketer{}
	if err := t.SetKey(key); err != nil {
		return nil, err
	}
	return t, nil
}

// SetKey makes key the key for new tickets; the key it replaces keeps
// opening the tickets it sealed.
func (t *Ticketer) SetKey(key []byte) error {
	k, err := newTicketKey(key)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.current != nil && t.current.raw != k.raw {
		t.older = []*ticketKey{t.current}
	}
	t.current = k
	return nil
}

// newTicketKey checks a 48-byte key and prepares its cipher.
func newTicketKey(key []byte) (*ticketKey, error) {
	if len(key) != KeyLen {
		return nil, fmt.Errorf("tls: session ticket keys must be %d bytes, got %d", KeyLen, len(key))
	}
	k := &ticketKey{}
	copy(k.raw[:], key)
	block, err := aes.NewCipher(k.raw[32:48])
	if err != nil {
		return nil, err
	}
	k.block = block
	k.mac.Init(crypto.SHA256, k.raw[16:32])
	return k, nil
}

// Key returns the current key (Node's getTicketKeys).
func (t *Ticketer) Key() []byte {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]byte(nil), t.current.raw[:]...)
}

// Seal encrypts and authenticates state under the current key.
func (t *Ticketer) Seal(s *State, rand io.Reader) ([]byte, error) {
	plain, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	k := t.current
	t.mu.RUnlock()
	// PKCS#7 padding to a whole number of blocks.
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	out := make([]byte, nameLen+ivLen+len(plain)+pad+macLen)
	copy(out, k.raw[:nameLen])
	iv := out[nameLen : nameLen+ivLen]
	if _, err := io.ReadFull(rand, iv); err != nil {
		return nil, fmt.Errorf("tls: ticket IV: %w", err)
	}
	body := out[nameLen+ivLen : len(out)-macLen]
	copy(body, plain)
	for i := len(plain); i < len(body); i++ {
		body[i] = byte(pad)
	}
	cbcEncrypt(k.block, iv, body)
	k.mac.Sum(out[:len(out)-macLen], out[:len(out)-macLen])
	return out, nil
}

// cbcEncrypt encrypts buf, whole blocks, in place in CBC mode (NIST SP
// 800-38A, Section 6.2) under block and iv. crypto/cipher's CBC modes
// copy the key schedule into a new object for every use: half a kilobyte
// of garbage per ticket (issue 16).
func cbcEncrypt(block gocipher.Block, iv, buf []byte) {
	prev := iv
	for i := 0; i < len(buf); i += aes.BlockSize {
		b := buf[i : i+aes.BlockSize]
		subtle.XORBytes(b, b, prev)
		block.Encrypt(b, b)
		prev = b
	}
}

// cbcDecrypt decrypts src, whole blocks, into dst (as long, not
// overlapping) in CBC mode under block and iv. Only a ticket whose MAC
// verified is decrypted, so no padding oracle is reachable from it.
func cbcDecrypt(block gocipher.Block, iv, dst, src []byte) {
	prev := iv
	for i := 0; i < len(src); i += aes.BlockSize {
		block.Decrypt(dst[i:i+aes.BlockSize], src[i:i+aes.BlockSize])
		subtle.XORBytes(dst[i:i+aes.BlockSize], dst[i:i+aes.BlockSize], prev)
		prev = src[i : i+aes.BlockSize]
	}
}

// errTicket is the one failure of Open: the caller falls back to a full
// handshake whatever the cause.
var errTicket = errors.New("tls: session ticket not accepted")

// Open authenticates and decrypts a ticket sealed under the current key
// or one of the older ones. The MAC is checked, in constant time, before
// anything is decrypted. It reports whether the ticket was sealed under an
// older key, which callers renew.
func (t *Ticketer) Open(ticket []byte) (s *State, oldKey bool, err error) {
	if len(ticket) < minTicket || (len(ticket)-nameLen-ivLen-macLen)%aes.BlockSize != 0 {
		return nil, false, errTicket
	}
	k, oldKey := t.keyNamed(ticket[:nameLen])
	if k == nil {
		return nil, false, errTicket
	}
	body, tag := ticket[:len(ticket)-macLen], ticket[len(ticket)-macLen:]
	var sum [sha256.Size]byte
	if !hmac.Equal(k.mac.Sum(sum[:0], body), tag) {
		return nil, false, errTicket
	}
	ct := body[nameLen+ivLen:]
	plain := make([]byte, len(ct))
	cbcDecrypt(k.block, body[nameLen:nameLen+ivLen], plain, ct)
	// The MAC held, so the padding is ours; it is checked anyway.
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(plain) {
		return nil, false, errTicket
	}
	st, err := Unmarshal(plain[:len(plain)-pad])
	if err != nil {
		return nil, false, errTicket
	}
	return st, oldKey, nil
}
