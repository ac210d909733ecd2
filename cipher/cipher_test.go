package cipher

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"hash"
	"os/exec"
	"strings"
	"testing"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// TestPRF12Vector is the TLS 1.2 P_SHA256 test vector published on the
// IETF TLS working group list.
func TestPRF12Vector(t *testing.T) {
	secret := unhex("9bbe436ba940f017b17652849a71db35")
	seed := unhex("a0ba9f936cda311827a6f796ffd5198c")
	want := unhex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66")
	out := make([]byte, len(want))
	PRF(VersionTLS12, crypto.SHA256, secret, "test label", seed, out)
	if !bytes.Equal(out, want) {
		t.Fatalf("P_SHA256:\n got %x\nwant %x", out, want)
	}
}

// TestPRF10 checks the TLS 1.0 PRF against its definition written out
// independently: P_MD5 over the first half XOR P_SHA1 over the second.
func TestPRF10(t *testing.T) {
	secret := []byte("an odd-length secret!") // 21 bytes: the halves share a byte
	out := make([]byte, 104)
	PRF(VersionTLS10, 0, secret, "label", []byte("seed"), out)
	md5Part := refPHash(md5.New, secret[:11], []byte("labelseed"), 104)
	sha1Part := refPHash(sha1.New, secret[10:], []byte("labelseed"), 104)
	for i := range md5Part {
		md5Part[i] ^= sha1Part[i]
	}
	if !bytes.Equal(out, md5Part) {
		t.Fatal("TLS 1.0 PRF differs from P_MD5 XOR P_SHA1")
	}
}

// refPHash is RFC 2246's P_hash written out plainly for the test.
func refPHash(h func() hash.Hash, secret, seed []byte, n int) []byte {
	var out []byte
	a := seed
	for len(out) < n {
		m := hmac.New(h, secret)
		m.Write(a)
		a = m.Sum(nil)
		m = hmac.New(h, secret)
		m.Write(a)
		m.Write(seed)
		out = m.Sum(out)
	}
	return out[:n]
}

func TestRegistry(t *testing.T) {
	seen := map[uint16]bool{}
	for _, s := range Suites() {
		if seen[s.ID] {
			t.Fatalf("duplicate suite %04x", s.ID)
		}
		seen[s.ID] = true
		if SuiteByID(s.ID) != s || SuiteByName(s.OpenSSLName) != s || SuiteByName(s.Name) != s {
			t.Fatalf("lookup of %s is inconsistent", s)
		}
	}
	// The OpenSSL names and IDs agree with the local openssl.
	out, err := exec.Command("openssl", "ciphers", "-V", "ALL:@SECLEVEL=0").Output()
	if err != nil {
		t.Fatalf("openssl ciphers: %v (run make deps)", err)
	}
	ids := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 3 {
			ids[f[2]] = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(f[0], "0x", ""), ",", ""))
		}
	}
	for _, s := range Suites() {
		if got := ids[s.OpenSSLName]; got != hex.EncodeToString([]byte{byte(s.ID >> 8), byte(s.ID)}) {
			t.Errorf("%s: openssl knows it as id %q", s.OpenSSLName, got)
		}
	}
}

func protections(t *testing.T, s *Suite, v uint16) (Protection, Protection) {
	t.Helper()
	km := s.KeyBlock(v, bytes.Repeat([]byte{7}, 48), bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32))
	w, err := s.NewProtection(v, km.ClientKey, km.ClientMACKey, km.ClientIV, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.NewProtection(v, km.ClientKey, km.ClientMACKey, km.ClientIV, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return w, r
}

// TestSealOpen round-trips records for every suite and version and checks
// that any change is ErrBadRecordMAC.
func TestSealOpen(t *testing.T) {
	for _, s := range Suites() {
		for _, v := range []uint16{VersionTLS10, VersionTLS11, VersionTLS12} {
			if !s.SupportsVersion(v) {
				continue
			}
			w, r := protections(t, s, v)
			for seq, n := range []int{0, 1, 15, 16, 17, 100, 16384} {
				pt := bytes.Repeat([]byte{byte(n)}, n)
				frag := w.Seal(nil, uint64(seq), 23, v, pt)
				if len(frag) > n+w.Overhead() {
					t.Fatalf("%s: %d bytes of overhead, declared %d", s, len(frag)-n, w.Overhead())
				}
				if v == VersionTLS10 && !s.AEAD() {
					// TLS 1.0 CBC chains IVs: each record must open in order.
					got, err := r.Open(nil, uint64(seq), 23, v, frag)
					if err != nil || !bytes.Equal(got, pt) {
						t.Fatalf("%s v%x: %v", s, v, err)
					}
					continue
				}
				got, err := r.Open(nil, uint64(seq), 23, v, frag)
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("%s v%x len %d: %v", s, v, n, err)
				}
				if n > 100 {
					continue
				}
				for i := range frag {
					bad := append([]byte(nil), frag...)
					bad[i] ^= 0x01
					if _, err := r.Open(nil, uint64(seq), 23, v, bad); !errors.Is(err, ErrBadRecordMAC) {
						t.Fatalf("%s: flipping byte %d gave %v", s, i, err)
					}
				}
				for _, wrong := range []func() ([]byte, error){
					func() ([]byte, error) { return r.Open(nil, uint64(seq)+1, 23, v, frag) },
					func() ([]byte, error) { return r.Open(nil, uint64(seq), 22, v, frag) },
					func() ([]byte, error) { return r.Open(nil, uint64(seq), 23, v, frag[:len(frag)-1]) },
					func() ([]byte, error) { return r.Open(nil, uint64(seq), 23, v, nil) },
				} {
					if _, err := wrong(); !errors.Is(err, ErrBadRecordMAC) {
						t.Fatalf("%s: a wrong record gave %v", s, err)
					}
				}
			}
		}
	}
}

// TestCBCBadPadding builds records whose MAC is right but padding wrong,
// and whose padding is right but MAC wrong: both are ErrBadRecordMAC.
func TestCBCBadPadding(t *testing.T) {
	s := SuiteByName("AES128-SHA256")
	w, r := protections(t, s, VersionTLS12)
	cw := w.(*cbcProtection)
	frag := cw.Seal(nil, 0, 23, VersionTLS12, []byte("hello"))
	if _, err := r.Open(nil, 0, 23, VersionTLS12, frag); err != nil {
		t.Fatal(err)
	}
	// Decrypt, corrupt a padding byte or a MAC byte, re-encrypt.
	for _, where := range []string{"padding", "mac"} {
		dec := decryptCBC(t, cw, frag)
		switch where {
		case "padding":
			dec[len(dec)-2] ^= 1
		case "mac":
			dec[5] ^= 1
		}
		bad := encryptCBC(t, cw, frag[:16], dec)
		if _, err := r.Open(nil, 0, 23, VersionTLS12, bad); !errors.Is(err, ErrBadRecordMAC) {
			t.Fatalf("%s: %v", where, err)
		}
	}
}

func decryptCBC(t *testing.T, p *cbcProtection, frag []byte) []byte {
	out := make([]byte, len(frag)-16)
	newCBCDec(p, frag[:16]).CryptBlocks(out, frag[16:])
	return out
}

func encryptCBC(t *testing.T, p *cbcProtection, iv, pt []byte) []byte {
	out := make([]byte, len(pt))
	newCBCEnc(p, iv).CryptBlocks(out, pt)
	return append(append([]byte(nil), iv...), out...)
}

func TestSealDoesNotAllocate(t *testing.T) {
	for _, name := range []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"} {
		w, _ := protections(t, SuiteByName(name), VersionTLS12)
		pt := make([]byte, 1024)
		dst := make([]byte, 0, 2048)
		if n := testing.AllocsPerRun(100, func() { w.Seal(dst, 1, 23, VersionTLS12, pt) }); n != 0 {
			t.Errorf("%s: %v allocations per Seal", name, n)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	for _, name := range []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-SHA"} {
		for _, n := range []int{1024, 16384} {
			b.Run(name+"/"+map[int]string{1024: "1K", 16384: "16K"}[n], func(b *testing.B) {
				s := SuiteByName(name)
				km := s.KeyBlock(VersionTLS12, make([]byte, 48), make([]byte, 32), make([]byte, 32))
				w, _ := s.NewProtection(VersionTLS12, km.ClientKey, km.ClientMACKey, km.ClientIV, rand.Reader)
				pt := make([]byte, n)
				dst := make([]byte, 0, n+64)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					w.Seal(dst, uint64(i), 23, VersionTLS12, pt)
				}
			})
		}
	}
}
