package cipher

import (
	"bytes"
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// recordHeader is the 5-byte header of a record of type typ, version v and
// fragment length n.
func recordHeader(typ uint8, v uint16, n int) []byte {
	return []byte{typ, byte(v >> 8), byte(v), byte(n >> 8), byte(n)}
}

// sealFrag seals one record and returns its fragment, the part a TLS 1.2
// protection computes; the header is checked on the way.
func sealFrag(p Protection, seq uint64, typ uint8, v uint16, plaintext []byte) []byte {
	rec := p.Seal(nil, seq, typ, v, plaintext)
	if !bytes.Equal(rec[:HeaderLen], recordHeader(typ, v, len(rec)-HeaderLen)) {
		panic(fmt.Sprintf("Seal wrote the header %x", rec[:HeaderLen]))
	}
	return rec[HeaderLen:]
}

// openFrag opens the fragment of a record of type typ and version v,
// checking that Open reports the header's type.
func openFrag(p Protection, dst []byte, seq uint64, typ uint8, v uint16, fragment []byte) ([]byte, error) {
	got, out, err := p.Open(dst, seq, recordHeader(typ, v, len(fragment)), fragment)
	if err == nil && got != typ {
		return nil, fmt.Errorf("Open returned type %d for a record of type %d", got, typ)
	}
	return out, err
}

// pair returns a writer and a reader for the client direction of a
// connection with fixed keys.
func pair(t testing.TB, s *Suite, v uint16, etm bool) (Protection, Protection) {
	t.Helper()
	km := s.KeyBlock(v, bytes.Repeat([]byte{7}, 48), bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32))
	mk := s.NewProtection
	if etm {
		mk = s.NewProtectionETM
	}
	w, err := mk(v, km.ClientKey, km.ClientMACKey, km.ClientIV, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r, err := mk(v, km.ClientKey, km.ClientMACKey, km.ClientIV, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, r
}

type variant struct {
	s   *Suite
	v   uint16
	etm bool
}

func (c variant) String() string {
	n := c.s.OpenSSLName + map[uint16]string{VersionTLS10: "/1.0", VersionTLS11: "/1.1", VersionTLS12: "/1.2"}[c.v]
	if c.etm {
		n += "/ETM"
	}
	return n
}

func variants() []variant {
	var out []variant
	for _, s := range Suites() {
		for _, v := range []uint16{VersionTLS10, VersionTLS11, VersionTLS12} {
			if s.SupportsVersion(v) {
				out = append(out, variant{s, v, false})
				if !s.AEAD() {
					out = append(out, variant{s, v, true})
				}
			}
		}
	}
	return out
}

// TestSealOpen round-trips records of many sizes for every suite, version
// and MAC mode, checks the declared overhead, and checks that changing any
// byte, the sequence number, the type or the version gives ErrBadRecordMAC.
func TestSealOpen(t *testing.T) {
	for _, c := range variants() {
		w, r := pair(t, c.s, c.v, c.etm)
		// TLS 1.0 CBC chains IVs, so the reader only keeps up with the
		// writer while it opens every record once and in order; bad
		// records are therefore tried on a fresh reader built from the
		// same keys and the writer's state at that point is not needed.
		for seq, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 100, 255, 1000, 16384} {
			pt := bytes.Repeat([]byte{byte(n)}, n)
			frag := sealFrag(w, uint64(seq), 23, c.v, pt)
			if len(frag) > n+w.Overhead() {
				t.Fatalf("%v: %d bytes of overhead, declared %d", c, len(frag)-n, w.Overhead())
			}
			chained := c.v == VersionTLS10 && !c.s.AEAD()
			if chained {
				// Bad copies go to readers that are not in step anyway.
			} else if n <= 33 {
				for i := range frag {
					bad := append([]byte(nil), frag...)
					bad[i] ^= 0x80
					if _, err := openFrag(r, nil, uint64(seq), 23, c.v, bad); !errors.Is(err, ErrBadRecordMAC) {
						t.Fatalf("%v: flipping byte %d of %d gave %v", c, i, len(frag), err)
					}
				}
				for _, wrong := range []func() ([]byte, error){
					func() ([]byte, error) { return openFrag(r, nil, uint64(seq)+1, 23, c.v, frag) },
					func() ([]byte, error) { return openFrag(r, nil, uint64(seq)^1<<63, 23, c.v, frag) },
					func() ([]byte, error) { return openFrag(r, nil, uint64(seq), 22, c.v, frag) },
					func() ([]byte, error) { return openFrag(r, nil, uint64(seq), 23, c.v^1, frag) },
					func() ([]byte, error) { return openFrag(r, nil, uint64(seq), 23, c.v, frag[:len(frag)-1]) },
					func() ([]byte, error) {
						return openFrag(r, nil, uint64(seq), 23, c.v, append(frag[:len(frag):len(frag)], 0))
					},
					func() ([]byte, error) { return openFrag(r, nil, uint64(seq), 23, c.v, frag[1:]) },
					func() ([]byte, error) { return openFrag(r, nil, uint64(seq), 23, c.v, nil) },
				} {
					if out, err := wrong(); !errors.Is(err, ErrBadRecordMAC) || out != nil {
						t.Fatalf("%v: a wrong record gave %v", c, err)
					}
				}
			}
			prefix := []byte("prefix")
			got, err := openFrag(r, prefix, uint64(seq), 23, c.v, frag)
			if err != nil || !bytes.Equal(got, append([]byte("prefix"), pt...)) {
				t.Fatalf("%v len %d: %v", c, n, err)
			}
		}
	}
}

// TestShortFragments gives every protection every fragment length up to
// 200 bytes of random content: none may panic and all are rejected (a
// random fragment authenticates with negligible probability).
func TestShortFragments(t *testing.T) {
	for _, c := range variants() {
		_, r := pair(t, c.s, c.v, c.etm)
		buf := make([]byte, 200)
		rand.Read(buf)
		for n := range len(buf) {
			if _, err := openFrag(r, nil, 0, 23, c.v, buf[:n]); !errors.Is(err, ErrBadRecordMAC) {
				t.Fatalf("%v: %d random bytes gave %v", c, n, err)
			}
		}
	}
}

// TestGCMNonce checks the RFC 5288 record layout against AES-GCM driven
// directly: explicit nonce = big-endian seq, nonce = salt || explicit,
// additional data = seq || type || version || plaintext length.
func TestGCMNonce(t *testing.T) {
	key := unhex("000102030405060708090a0b0c0d0e0f")
	salt := unhex("a0a1a2a3")
	s := SuiteByName("ECDHE-RSA-AES128-GCM-SHA256")
	p, err := s.NewProtection(VersionTLS12, key, nil, salt, nil)
	if err != nil {
		t.Fatal(err)
	}
	seq := uint64(0x0102030405060708)
	pt := []byte("GET / HTTP/1.1\r\n")
	frag := sealFrag(p, seq, 23, 0x0303, pt)

	block, _ := aes.NewCipher(key)
	g, _ := gocipher.NewGCM(block)
	nonce := unhex("a0a1a2a3 0102030405060708")
	ad := unhex("0102030405060708 17 0303 0010")
	want := append(unhex("0102030405060708"), g.Seal(nil, nonce, pt, ad)...)
	if !bytes.Equal(frag, want) {
		t.Fatalf("GCM record\n got %x\nwant %x", frag, want)
	}
	if p.Overhead() != 24 || len(frag) != len(pt)+24 {
		t.Fatalf("GCM overhead %d", p.Overhead())
	}
	// A peer may use any explicit nonce (RFC 5288, Section 3): Open takes
	// it from the record, not from seq.
	nonce2 := unhex("a0a1a2a3 ffeeddccbbaa9988")
	other := append(unhex("ffeeddccbbaa9988"), g.Seal(nil, nonce2, pt, ad)...)
	if got, err := openFrag(p, nil, seq, 23, 0x0303, other); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("GCM record with a foreign explicit nonce: %v", err)
	}
}

// TestGCMKnownAnswer is test case 3 of the GCM specification (McGrew and
// Viega), reached through the record layer: its 96-bit IV split as salt
// and explicit nonce. Our additional data is never empty, so the record
// tag differs from the case's; the ciphertext does not.
func TestGCMKnownAnswer(t *testing.T) {
	key := unhex("feffe9928665731c6d6a8f9467308308")
	iv := unhex("cafebabefacedbaddecaf888")
	pt := unhex(`d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
		1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255`)
	wantCT := unhex(`42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
		21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985`)
	p, err := SuiteByName("AES128-GCM-SHA256").NewProtection(VersionTLS12, key, nil, iv[:4], nil)
	if err != nil {
		t.Fatal(err)
	}
	seq := binary.BigEndian.Uint64(iv[4:])
	frag := sealFrag(p, seq, 23, 0x0303, pt)
	if !bytes.Equal(frag[:8], iv[4:]) || !bytes.Equal(frag[8:8+len(pt)], wantCT) {
		t.Fatalf("GCM ciphertext\n got %x\nwant %x", frag[8:8+len(pt)], wantCT)
	}
}

// TestChaChaNonce checks RFC 7905, Section 2 against ChaCha20-Poly1305
// driven directly: nonce = IV XOR (4 zero bytes || big-endian seq), no
// explicit nonce in the record.
func TestChaChaNonce(t *testing.T) {
	key := bytes.Repeat([]byte{0x42}, 32)
	iv := unhex("070000004041424344454647")
	p, err := SuiteByName("ECDHE-ECDSA-CHACHA20-POLY1305").NewProtection(VersionTLS12, key, nil, iv, nil)
	if err != nil {
		t.Fatal(err)
	}
	pt := []byte("Ladies and Gentlemen of the class of '99")
	seq := uint64(0x0102030405060708)
	frag := sealFrag(p, seq, 23, 0x0303, pt)
	a, _ := chacha20poly1305.New(key)
	nonce := unhex("07000000 41434147 4143414f")
	ad := unhex("0102030405060708 17 0303 0028")
	if want := a.Seal(nil, nonce, pt, ad); !bytes.Equal(frag, want) {
		t.Fatalf("ChaCha record\n got %x\nwant %x", frag, want)
	}
	if p.Overhead() != 16 {
		t.Fatalf("ChaCha overhead %d", p.Overhead())
	}
	// seq 0 uses the IV itself.
	frag0 := sealFrag(p, 0, 23, 0x0303, pt)
	if want := a.Seal(nil, iv, pt, unhex("0000000000000000 17 0303 0028")); !bytes.Equal(frag0, want) {
		t.Fatal("ChaCha record at seq 0")
	}
}

func TestNewProtectionErrors(t *testing.T) {
	k16, k32, iv4, iv12, iv16 := make([]byte, 16), make([]byte, 32), make([]byte, 4), make([]byte, 12), make([]byte, 16)
	for _, tc := range []struct {
		name              string
		v                 uint16
		key, mac, iv      []byte
		etm               bool
		wantErrSubstrings string
	}{
		{"ECDHE-RSA-AES128-GCM-SHA256", VersionTLS12, k32, nil, iv4, false, "key"},
		{"ECDHE-RSA-AES128-GCM-SHA256", VersionTLS12, k16, nil, iv12, false, "nonce"},
		{"ECDHE-RSA-AES128-GCM-SHA256", VersionTLS11, k16, nil, iv4, false, "version"},
		{"ECDHE-RSA-AES128-GCM-SHA256", VersionTLS12, k16, nil, iv4, true, "encrypt-then-MAC"},
		{"ECDHE-RSA-CHACHA20-POLY1305", VersionTLS12, k32, nil, iv4, false, "IV"},
		{"ECDHE-RSA-CHACHA20-POLY1305", VersionTLS12, k16, nil, iv12, false, "key"},
		{"AES128-SHA", VersionTLS12, k16, k16, nil, false, "MAC key"},
		{"AES128-SHA", VersionTLS10, k16, make([]byte, 20), iv4, false, "IV"},
		{"AES256-SHA256", VersionTLS12, k16, k32, nil, false, "key"},
		{"AES256-SHA256", VersionTLS10, k32, k32, iv16, false, "version"},
		{"AES128-SHA", 0x0300, k16, make([]byte, 20), iv16, false, "version"},
	} {
		s := SuiteByName(tc.name)
		mk := s.NewProtection
		if tc.etm {
			mk = s.NewProtectionETM
		}
		p, err := mk(tc.v, tc.key, tc.mac, tc.iv, nil)
		if err == nil || p != nil || !strings.HasPrefix(err.Error(), "tls: ") || !strings.Contains(err.Error(), tc.wantErrSubstrings) {
			t.Errorf("%s %x: got %v, %v", tc.name, tc.v, p, err)
		}
	}
}

func TestSealOpenDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not measurable under -race; make test runs this test again without it")
	}
	for _, c := range variants() {
		if c.v == VersionTLS11 {
			continue
		}
		w, r := pair(t, c.s, c.v, c.etm)
		pt := make([]byte, 1024)
		dst := make([]byte, 0, 2048)
		seq := uint64(0)
		if n := testing.AllocsPerRun(50, func() { w.Seal(dst, seq, 23, c.v, pt); seq++ }); n != 0 {
			t.Errorf("%v: %v allocations per Seal", c, n)
		}
		if c.v == VersionTLS10 && !c.s.AEAD() {
			continue // the reader is out of step with the chained IV
		}
		frag := sealFrag(w, 5, 23, c.v, pt)
		hdr := recordHeader(23, c.v, len(frag))
		if n := testing.AllocsPerRun(50, func() {
			if _, _, err := r.Open(dst, 5, hdr, frag); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations per Open", c, n)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	for _, name := range []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384"} {
		for _, n := range []int{1024, 16384} {
			b.Run(name+"/"+map[int]string{1024: "1K", 16384: "16K"}[n], func(b *testing.B) {
				w, _ := pair(b, SuiteByName(name), VersionTLS12, false)
				pt := make([]byte, n)
				dst := make([]byte, 0, HeaderLen+n+w.Overhead())
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					w.Seal(dst, uint64(i), 23, VersionTLS12, pt)
				}
			})
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, name := range []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384"} {
		for _, n := range []int{1024, 16384} {
			b.Run(name+"/"+map[int]string{1024: "1K", 16384: "16K"}[n], func(b *testing.B) {
				w, r := pair(b, SuiteByName(name), VersionTLS12, false)
				frag := sealFrag(w, 1, 23, VersionTLS12, make([]byte, n))
				hdr := recordHeader(23, VersionTLS12, len(frag))
				dst := make([]byte, 0, len(frag))
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := r.Open(dst, 1, hdr, frag); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
