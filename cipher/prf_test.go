package cipher

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"testing"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// TestPRF12Vectors are the TLS 1.2 PRF test vectors published on the IETF
// TLS working group list (label "test label").
func TestPRF12Vectors(t *testing.T) {
	for _, tc := range []struct {
		hash               crypto.Hash
		secret, seed, want string
	}{
		{crypto.SHA256, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c",
			`e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa0
			22f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66`},
		{crypto.SHA384, "b80b733d6ceefcdc71566ea48e5567df", "cd665cf6a8447dd6ff8b27555edb7465",
			`7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534
			cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd
			4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f`},
	} {
		want := unhex(tc.want)
		out := make([]byte, len(want))
		PRF(VersionTLS12, tc.hash, unhex(tc.secret), "test label", unhex(tc.seed), out)
		if !bytes.Equal(out, want) {
			t.Errorf("P_%v:\n got %x\nwant %x", tc.hash, out, want)
		}
		// A shorter output is a prefix of a longer one.
		short := make([]byte, 7)
		PRF(VersionTLS12, tc.hash, unhex(tc.secret), "test label", unhex(tc.seed), short)
		if !bytes.Equal(short, want[:7]) {
			t.Errorf("P_%v: short output is not a prefix", tc.hash)
		}
	}
}

// refPHash is P_hash of RFC 2246, Section 5 written out plainly.
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

// TestPRF10 checks the TLS 1.0/1.1 PRF against its definition written out
// independently: P_MD5 over the first half XOR P_SHA1 over the second, the
// halves sharing the middle byte when the length is odd.
func TestPRF10(t *testing.T) {
	for _, secret := range [][]byte{[]byte("an odd-length secret!"), []byte("even secret!"), {}, {1}} {
		for _, v := range []uint16{VersionTLS10, VersionTLS11} {
			out := make([]byte, 104)
			PRF(v, crypto.SHA384, secret, "label", []byte("seed"), out) // the hash is ignored
			half := (len(secret) + 1) / 2
			want := refPHash(md5.New, secret[:half], []byte("labelseed"), 104)
			s1 := refPHash(sha1.New, secret[len(secret)-half:], []byte("labelseed"), 104)
			for i := range want {
				want[i] ^= s1[i]
			}
			if !bytes.Equal(out, want) {
				t.Errorf("secret %q: TLS 1.0 PRF differs from P_MD5 XOR P_SHA1", secret)
			}
		}
	}
	// TLS 1.2 with SHA-256 equals the plain reference too.
	out := make([]byte, 77)
	PRF(VersionTLS12, crypto.SHA256, []byte("k"), "l", []byte("s"), out)
	if !bytes.Equal(out, refPHash(sha256.New, []byte("k"), []byte("ls"), 77)) {
		t.Error("P_SHA256 differs from the reference")
	}
}

// TestDerivations checks what the derivation helpers feed the PRF:
// labels, seed order and output lengths (RFC 5246, Sections 6.3, 7.4.9 and
// 8.1; RFC 7627, Section 4).
func TestDerivations(t *testing.T) {
	pre := bytes.Repeat([]byte{3}, 48)
	cr, sr := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	ms := bytes.Repeat([]byte{9}, 48)
	prf := func(v uint16, h crypto.Hash, secret []byte, label string, seed []byte, n int) []byte {
		out := make([]byte, n)
		PRF(v, h, secret, label, seed, out)
		return out
	}
	cat := func(a, b []byte) []byte { return append(append([]byte(nil), a...), b...) }
	for _, name := range []string{"AES128-SHA", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"} {
		s := SuiteByName(name)
		for _, v := range []uint16{VersionTLS10, VersionTLS11, VersionTLS12} {
			if !s.SupportsVersion(v) {
				continue
			}
			if got := s.MasterSecret(v, pre, cr, sr); !bytes.Equal(got, prf(v, s.PRFHash, pre, "master secret", cat(cr, sr), 48)) {
				t.Errorf("%s %x: master secret", s, v)
			}
			sh := s.TranscriptHash(v, []byte("messages"))
			if got := s.ExtendedMasterSecret(v, pre, sh); !bytes.Equal(got, prf(v, s.PRFHash, pre, "extended master secret", sh, 48)) {
				t.Errorf("%s %x: extended master secret", s, v)
			}
			if got := s.FinishedVerifyData(v, ms, true, sh); !bytes.Equal(got, prf(v, s.PRFHash, ms, "client finished", sh, 12)) {
				t.Errorf("%s %x: client finished", s, v)
			}
			if got := s.FinishedVerifyData(v, ms, false, sh); !bytes.Equal(got, prf(v, s.PRFHash, ms, "server finished", sh, 12)) {
				t.Errorf("%s %x: server finished", s, v)
			}
		}
	}
}

func TestTranscriptHash(t *testing.T) {
	msgs := []byte("client hello, server hello")
	m, s1 := md5.Sum(msgs), sha1.Sum(msgs)
	s256 := sha256.Sum256(msgs)
	s := SuiteByName("ECDHE-RSA-AES128-SHA")
	if got := s.TranscriptHash(VersionTLS10, msgs); !bytes.Equal(got, append(m[:], s1[:]...)) {
		t.Error("TLS 1.0 transcript hash is not MD5 || SHA-1")
	}
	if got := s.TranscriptHash(VersionTLS11, msgs); len(got) != 36 {
		t.Error("TLS 1.1 transcript hash is not 36 bytes")
	}
	if got := s.TranscriptHash(VersionTLS12, msgs); !bytes.Equal(got, s256[:]) {
		t.Error("TLS 1.2 transcript hash of a SHA-256 suite")
	}
	if got := SuiteByName("AES256-GCM-SHA384").TranscriptHash(VersionTLS12, msgs); len(got) != 48 {
		t.Error("TLS 1.2 transcript hash of a SHA-384 suite")
	}
}

// TestKeyBlockSplit checks the sizes and order of the key block pieces
// (RFC 5246, Section 6.3; RFC 4346 dropped the CBC IVs, RFC 5246 added the
// AEAD fixed IV).
func TestKeyBlockSplit(t *testing.T) {
	ms := bytes.Repeat([]byte{0x5a}, 48)
	cr, sr := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	for _, tc := range []struct {
		name         string
		v            uint16
		mac, key, iv int
	}{
		{"AES128-SHA", VersionTLS10, 20, 16, 16},
		{"AES128-SHA", VersionTLS11, 20, 16, 0},
		{"ECDHE-RSA-AES256-SHA", VersionTLS12, 20, 32, 0},
		{"ECDHE-RSA-AES256-SHA384", VersionTLS12, 48, 32, 0},
		{"DHE-RSA-AES128-SHA256", VersionTLS12, 32, 16, 0},
		{"ECDHE-ECDSA-AES128-GCM-SHA256", VersionTLS12, 0, 16, 4},
		{"AES256-GCM-SHA384", VersionTLS12, 0, 32, 4},
		{"ECDHE-RSA-CHACHA20-POLY1305", VersionTLS12, 0, 32, 12},
	} {
		s := SuiteByName(tc.name)
		k := s.KeyBlock(tc.v, ms, cr, sr)
		n := 2 * (tc.mac + tc.key + tc.iv)
		block := make([]byte, n)
		PRF(tc.v, s.PRFHash, ms, "key expansion", append(append([]byte(nil), sr...), cr...), block)
		var want []byte
		for _, p := range [][]byte{k.ClientMACKey, k.ServerMACKey, k.ClientKey, k.ServerKey, k.ClientIV, k.ServerIV} {
			want = append(want, p...)
		}
		if !bytes.Equal(want, block) || len(k.ClientMACKey) != tc.mac || len(k.ServerKey) != tc.key || len(k.ServerIV) != tc.iv {
			t.Errorf("%s %x: key block split wrong", tc.name, tc.v)
		}
		// The pieces must not share capacity: appending to one must not
		// overwrite the next.
		_ = append(k.ClientMACKey, 0xff)
		if len(k.ServerMACKey) > 0 && k.ServerMACKey[0] != block[tc.mac] {
			t.Errorf("%s: key block pieces share capacity", tc.name)
		}
	}
}

func TestExportKeyingMaterial(t *testing.T) {
	s := SuiteByName("ECDHE-RSA-AES128-GCM-SHA256")
	ms := bytes.Repeat([]byte{7}, 48)
	cr, sr := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	export := func(label string, ctx []byte, has bool, n int) []byte {
		t.Helper()
		out, err := s.ExportKeyingMaterial(VersionTLS12, ms, cr, sr, label, ctx, has, n)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	noCtx := export("EXPORTER-test", nil, false, 32)
	want := make([]byte, 32)
	PRF(VersionTLS12, crypto.SHA256, ms, "EXPORTER-test", append(append([]byte(nil), cr...), sr...), want)
	if !bytes.Equal(noCtx, want) {
		t.Error("exporter without context")
	}
	emptyCtx := export("EXPORTER-test", nil, true, 32)
	PRF(VersionTLS12, crypto.SHA256, ms, "EXPORTER-test", append(append(append([]byte(nil), cr...), sr...), 0, 0), want)
	if !bytes.Equal(emptyCtx, want) || bytes.Equal(emptyCtx, noCtx) {
		t.Error("exporter with an empty context")
	}
	withCtx := export("EXPORTER-test", []byte("ctx"), true, 32)
	PRF(VersionTLS12, crypto.SHA256, ms, "EXPORTER-test", append(append(append([]byte(nil), cr...), sr...), 0, 3, 'c', 't', 'x'), want)
	if !bytes.Equal(withCtx, want) {
		t.Error("exporter with a context")
	}
	if len(export("x", nil, false, 0)) != 0 || len(export("x", nil, false, 1000)) != 1000 {
		t.Error("exporter lengths")
	}
	for _, bad := range []struct {
		label string
		ctx   []byte
		n     int
	}{
		{"client finished", nil, 16}, {"server finished", nil, 16}, {"master secret", nil, 16},
		{"key expansion", nil, 16}, {"extended master secret", nil, 16}, {"key expansionX", nil, 16},
		{"ok", nil, -1}, {"ok", nil, 1<<20 + 1}, {"ok", make([]byte, 1<<16), 16},
	} {
		if _, err := s.ExportKeyingMaterial(VersionTLS12, ms, cr, sr, bad.label, bad.ctx, true, bad.n); err == nil || !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("label %q ctx %d n %d: err %v", bad.label, len(bad.ctx), bad.n, err)
		}
	}
}

// TestPHashMatchesHMAC checks P_hash on our allocation-free HMAC against
// crypto/hmac for keys shorter and longer than the hash's block (a DHE
// premaster is as long as the modulus) and for every PRF hash.
func TestPHashMatchesHMAC(t *testing.T) {
	reference := func(h func() hash.Hash, secret, seed []byte, n int) []byte {
		var out []byte
		mac := hmac.New(h, secret)
		mac.Write(seed)
		a := mac.Sum(nil)
		for len(out) < n {
			mac.Reset()
			mac.Write(a)
			mac.Write(seed)
			out = mac.Sum(out)
			mac.Reset()
			mac.Write(a)
			a = mac.Sum(nil)
		}
		return out[:n]
	}
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA1, crypto.MD5} {
		for _, keyLen := range []int{0, 1, 32, 48, 63, 64, 65, 127, 128, 129, 256, 1024} {
			secret := bytes.Repeat([]byte{byte(keyLen)}, keyLen)
			seed := []byte("label and seed")
			got := make([]byte, 104)
			pHash(h, secret, seed, got)
			if want := reference(h.New, secret, seed, len(got)); !bytes.Equal(got, want) {
				t.Fatalf("key of %d bytes: P_hash differs from crypto/hmac", keyLen)
			}
		}
	}
}
