package cipher

import (
	"bytes"
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"errors"
	"hash"
	"io"
	"testing"
)

var cbcSuites = []string{"AES128-SHA", "AES256-SHA256", "ECDHE-RSA-AES256-SHA384"}

func hashFor(m MAC) func() hash.Hash {
	return map[MAC]func() hash.Hash{MACSHA1: sha1.New, MACSHA256: sha256.New, MACSHA384: sha512.New384}[m]
}

// refMAC is the record MAC of RFC 5246, Section 6.2.3.1 via crypto/hmac.
func refMAC(h func() hash.Hash, key []byte, seq uint64, typ uint8, version uint16, content []byte) []byte {
	var ad [13]byte
	m := hmac.New(h, key)
	m.Write(additionalData(&ad, seq, typ, version, len(content)))
	m.Write(content)
	return m.Sum(nil)
}

func cbcKeys(s *Suite) (key, macKey []byte) {
	key = bytes.Repeat([]byte{0x11}, s.KeyLen)
	macKey = bytes.Repeat([]byte{0x22}, s.MACKeyLen)
	for i := range macKey {
		macKey[i] += byte(i)
	}
	return key, macKey
}

func newTestCBC(t *testing.T, s *Suite, v uint16, etm bool, rnd io.Reader) *cbcProtection {
	t.Helper()
	key, macKey := cbcKeys(s)
	var iv []byte
	if v == VersionTLS10 {
		iv = bytes.Repeat([]byte{0x33}, 16)
	}
	mk := s.NewProtection
	if etm {
		mk = s.NewProtectionETM
	}
	p, err := mk(v, key, macKey, iv, rnd)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*cbcProtection)
}

// TestConstantTimeMAC compares the hand-built HMAC with crypto/hmac for
// every content length a record of each size allows, across hash block
// boundaries.
func TestConstantTimeMAC(t *testing.T) {
	for _, name := range cbcSuites {
		s := SuiteByName(name)
		p := newTestCBC(t, s, VersionTLS12, false, nil)
		_, macKey := cbcKeys(s)
		data := make([]byte, 600)
		for i := range data {
			data[i] = byte(i * 7)
		}
		for n := 16; n <= len(data); n += 16 {
			maxContent := n - p.macLen - 1
			if maxContent < 0 {
				continue
			}
			minContent := max(0, maxContent-255)
			for cl := minContent; cl <= maxContent; cl++ {
				got := p.constantTimeMAC(42, 23, VersionTLS12, data[:n], cl, minContent, maxContent)
				if want := refMAC(hashFor(s.MAC), macKey, 42, 23, VersionTLS12, data[:cl]); !bytes.Equal(got, want) {
					t.Fatalf("%s: record %d content %d: MAC %x, want %x", name, n, cl, got, want)
				}
			}
		}
	}
}

// mteRecord builds a TLS 1.2 MAC-then-encrypt fragment by hand with padLen
// bytes of padding (plus the length byte); edit may corrupt the plaintext
// before encryption.
func mteRecord(s *Suite, seq uint64, content []byte, padLen int, edit func([]byte)) []byte {
	key, macKey := cbcKeys(s)
	plain := append([]byte(nil), content...)
	plain = append(plain, refMAC(hashFor(s.MAC), macKey, seq, 23, VersionTLS12, content)...)
	for range padLen + 1 {
		plain = append(plain, byte(padLen))
	}
	if edit != nil {
		edit(plain)
	}
	iv := bytes.Repeat([]byte{0x44}, 16)
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(plain))
	gocipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plain)
	return append(iv, out...)
}

// TestCBCPadding opens records with every legal padding length, and
// rejects every way the padding or MAC can be wrong, always with
// ErrBadRecordMAC (RFC 5246, Section 6.2.3.2).
func TestCBCPadding(t *testing.T) {
	for _, name := range cbcSuites {
		s := SuiteByName(name)
		p := newTestCBC(t, s, VersionTLS12, false, nil)
		macLen := p.macLen
		for _, contentLen := range []int{0, 1, 13, 200} {
			content := bytes.Repeat([]byte{'c'}, contentLen)
			for padLen := 0; padLen < 256; padLen++ {
				if (contentLen+macLen+padLen+1)%16 != 0 {
					continue
				}
				frag := mteRecord(s, 3, content, padLen, nil)
				got, err := openFrag(p, nil, 3, 23, VersionTLS12, frag)
				if err != nil || !bytes.Equal(got, content) {
					t.Fatalf("%s content %d pad %d: %v", name, contentLen, padLen, err)
				}
				total := contentLen + macLen + padLen + 1
				var bads []func([]byte)
				// Each padding byte wrong in turn, and the length byte
				// off by one either way.
				for i := total - padLen - 1; i < total-1; i++ {
					bads = append(bads, func(b []byte) { b[i] ^= 0x01 })
				}
				bads = append(bads,
					func(b []byte) { b[total-1]++ },
					func(b []byte) { b[total-1]-- },
					func(b []byte) { b[total-1] ^= 0x80 },
					func(b []byte) { b[contentLen] ^= 0x80 }, // first MAC byte
					func(b []byte) { b[contentLen+macLen-1] ^= 0x01 },
				)
				if contentLen > 0 {
					bads = append(bads, func(b []byte) { b[0] ^= 0x01 })
				}
				for i, edit := range bads {
					bad := mteRecord(s, 3, content, padLen, edit)
					if out, err := openFrag(p, nil, 3, 23, VersionTLS12, bad); !errors.Is(err, ErrBadRecordMAC) || out != nil {
						t.Fatalf("%s content %d pad %d: bad record %d gave %v", name, contentLen, padLen, i, err)
					}
				}
			}
		}
	}
}

// countingHash counts the bytes written to a hash and how often its state
// is read.
type countingHash struct {
	hash.Hash
	written, reads int
}

func (c *countingHash) Write(p []byte) (int, error) { c.written += len(p); return c.Hash.Write(p) }
func (c *countingHash) AppendBinary(b []byte) ([]byte, error) {
	c.reads++
	return c.Hash.(encoding.BinaryAppender).AppendBinary(b)
}

// TestCBCConstantWork checks the Lucky Thirteen countermeasure
// structurally: for records of one length, the hash sees the same number
// of bytes and state reads whatever the padding length, and whether the
// padding is good or bad.
func TestCBCConstantWork(t *testing.T) {
	for _, name := range cbcSuites {
		s := SuiteByName(name)
		p := newTestCBC(t, s, VersionTLS12, false, nil)
		ci := &countingHash{Hash: p.inner}
		co := &countingHash{Hash: p.outer}
		p.inner, p.innerState, p.outer = ci, ci, co
		const size = 320 // bytes of content+MAC+padding
		type work struct{ in, reads, out int }
		var first *work
		for padLen := 0; padLen < 256; padLen++ {
			contentLen := size - p.macLen - padLen - 1
			if contentLen < 0 {
				break
			}
			for _, corrupt := range []bool{false, true} {
				var edit func([]byte)
				if corrupt {
					edit = func(b []byte) { b[size-1-padLen] ^= byte(padLen%7 + 1) }
				}
				frag := mteRecord(s, 9, make([]byte, contentLen), padLen, edit)
				*ci, *co = countingHash{Hash: ci.Hash}, countingHash{Hash: co.Hash}
				_, err := openFrag(p, nil, 9, 23, VersionTLS12, frag)
				if (err == nil) == corrupt {
					t.Fatalf("%s pad %d corrupt %v: %v", name, padLen, corrupt, err)
				}
				w := &work{ci.written, ci.reads, co.written}
				if first == nil {
					first = w
				} else if *w != *first {
					t.Fatalf("%s pad %d corrupt %v: hash work %+v, first record %+v", name, padLen, corrupt, *w, *first)
				}
			}
		}
	}
}

// TestCBCLayout checks MAC-then-encrypt and encrypt-then-MAC records
// against a decryption by hand, and the TLS 1.0 IV chain.
func TestCBCLayout(t *testing.T) {
	s := SuiteByName("ECDHE-RSA-AES128-SHA")
	key, macKey := cbcKeys(s)
	block, _ := aes.NewCipher(key)
	content := []byte("seventeen bytes!!")
	for _, v := range []uint16{VersionTLS10, VersionTLS11, VersionTLS12} {
		for _, etm := range []bool{false, true} {
			p := newTestCBC(t, s, v, etm, nil)
			prevIV := bytes.Repeat([]byte{0x33}, 16) // the key-block IV of TLS 1.0
			for seq := uint64(0); seq < 3; seq++ {
				frag := sealFrag(p, seq, 23, v, content)
				var iv, ct, tag []byte
				if etm {
					tag = frag[len(frag)-20:]
					frag = frag[:len(frag)-20]
					if !hmac.Equal(tag, refMAC(sha1.New, macKey, seq, 23, v, frag)) {
						t.Fatalf("v%x ETM seq %d: MAC does not cover IV and ciphertext", v, seq)
					}
				}
				if v == VersionTLS10 {
					iv, ct = prevIV, frag
				} else {
					iv, ct = frag[:16], frag[16:]
				}
				plain := make([]byte, len(ct))
				gocipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ct)
				want := append([]byte(nil), content...)
				if !etm {
					want = append(want, refMAC(sha1.New, macKey, seq, 23, v, content)...)
				}
				want = appendPadding(want, len(want))
				if !bytes.Equal(plain, want) {
					t.Fatalf("v%x etm %v seq %d: plaintext %x, want %x", v, etm, seq, plain, want)
				}
				prevIV = ct[len(ct)-16:]
			}
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

// TestCBCExplicitIV checks where explicit IVs come from: rand when it
// works, otherwise AES of a per-record nonce; either way they differ per
// record and the records open.
func TestCBCExplicitIV(t *testing.T) {
	s := SuiteByName("AES128-SHA")
	key, _ := cbcKeys(s)
	block, _ := aes.NewCipher(key)
	fixed := bytes.NewReader(bytes.Repeat([]byte{0xab}, 16))
	p := newTestCBC(t, s, VersionTLS12, false, fixed)
	if frag := sealFrag(p, 0, 23, VersionTLS12, nil); !bytes.Equal(frag[:16], bytes.Repeat([]byte{0xab}, 16)) {
		t.Fatal("the explicit IV does not come from rand")
	}
	for _, rnd := range []io.Reader{nil, failingReader{}, fixed /* now empty */} {
		p := newTestCBC(t, s, VersionTLS12, false, rnd)
		r := newTestCBC(t, s, VersionTLS12, false, nil)
		seen := map[string]bool{}
		for seq := range uint64(4) {
			frag := sealFrag(p, seq, 23, VersionTLS12, []byte("x"))
			want := make([]byte, 16)
			want[7] = byte(seq)
			copy(want[8:], "tlsIV\x00\x00\x01")
			block.Encrypt(want, want)
			if !bytes.Equal(frag[:16], want) || seen[string(want)] {
				t.Fatalf("rand %T seq %d: IV %x", rnd, seq, frag[:16])
			}
			seen[string(want)] = true
			if got, err := openFrag(r, nil, seq, 23, VersionTLS12, frag); err != nil || string(got) != "x" {
				t.Fatalf("rand %T: %v", rnd, err)
			}
		}
	}
}

// TestETMChecksMACFirst flips ciphertext bits that would otherwise only
// change the padding: encrypt-then-MAC must reject them by the MAC.
func TestETMChecksMACFirst(t *testing.T) {
	s := SuiteByName("ECDHE-RSA-AES256-SHA384")
	w := newTestCBC(t, s, VersionTLS12, true, nil)
	r := newTestCBC(t, s, VersionTLS12, true, nil)
	frag := sealFrag(w, 1, 23, VersionTLS12, []byte("hello"))
	if len(frag) != 16+16+48 {
		t.Fatalf("ETM record of %d bytes", len(frag))
	}
	// A record whose MAC is right but whose padding is wrong is still
	// rejected after decryption.
	key, macKey := cbcKeys(s)
	block, _ := aes.NewCipher(key)
	plain := append([]byte("hello"), bytes.Repeat([]byte{9}, 11)...) // claims 9 but 10 bytes follow the content
	plain[15] = 11
	ct := make([]byte, 16)
	gocipher.NewCBCEncrypter(block, frag[:16]).CryptBlocks(ct, plain)
	bad := append(append([]byte(nil), frag[:16]...), ct...)
	bad = append(bad, refMAC(sha512.New384, macKey, 1, 23, VersionTLS12, bad)...)
	if _, err := openFrag(r, nil, 1, 23, VersionTLS12, bad); !errors.Is(err, ErrBadRecordMAC) {
		t.Fatalf("bad ETM padding gave %v", err)
	}
	if got, err := openFrag(r, nil, 1, 23, VersionTLS12, frag); err != nil || string(got) != "hello" {
		t.Fatalf("ETM open: %v", err)
	}
}
