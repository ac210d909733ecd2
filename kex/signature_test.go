package kex

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"slices"
	"testing"
)

var allSchemes = []SignatureScheme{
	PKCS1WithSHA1, PKCS1WithSHA256, PKCS1WithSHA384, PKCS1WithSHA512,
	ECDSAWithSHA1, ECDSAWithP256AndSHA256, ECDSAWithP384AndSHA384, ECDSAWithP521AndSHA512,
	PSSWithSHA256, PSSWithSHA384, PSSWithSHA512, Ed25519,
}

// TestSignCrossVerify checks our signatures with the standard library's
// verifiers directly, and that a signature under one key type never
// verifies as another scheme.
func TestSignCrossVerify(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	edPub, ed, _ := ed25519.GenerateKey(rand.Reader)
	msg := []byte("server params")

	sig, err := Sign(rsaKey, PKCS1WithSHA384, rand.Reader, msg)
	d384 := sha512.Sum384(msg)
	if err != nil || rsa.VerifyPKCS1v15(&rsaKey.PublicKey, crypto.SHA384, d384[:], sig) != nil {
		t.Errorf("PKCS1-SHA384 does not verify with crypto/rsa: %v", err)
	}
	sig, err = Sign(rsaKey, PSSWithSHA512, rand.Reader, msg)
	d512 := sha512.Sum512(msg)
	if err != nil || rsa.VerifyPSS(&rsaKey.PublicKey, crypto.SHA512, d512[:], sig, &rsa.PSSOptions{SaltLength: 64}) != nil {
		t.Errorf("PSS-SHA512 with a 64-byte salt does not verify with crypto/rsa: %v", err)
	}
	// A PSS signature with another salt length is refused (salt = hash
	// length, RFC 8446, Section 4.2.3).
	d256 := digest(crypto.SHA256, msg)
	other, _ := rsa.SignPSS(rand.Reader, rsaKey, crypto.SHA256, d256, &rsa.PSSOptions{SaltLength: 20})
	if Verify(&rsaKey.PublicKey, PSSWithSHA256, msg, other) == nil {
		t.Error("accepted a PSS signature with a 20-byte salt")
	}
	sig, err = Sign(p384, ECDSAWithP384AndSHA384, rand.Reader, msg)
	if err != nil || !ecdsa.VerifyASN1(&p384.PublicKey, d384[:], sig) {
		t.Errorf("P-384 signature does not verify with crypto/ecdsa: %v", err)
	}
	sig, err = Sign(p521, ECDSAWithP521AndSHA512, rand.Reader, msg)
	if err != nil || !ecdsa.VerifyASN1(&p521.PublicKey, d512[:], sig) {
		t.Errorf("P-521 signature does not verify with crypto/ecdsa: %v", err)
	}
	sig, err = Sign(ed, Ed25519, rand.Reader, msg)
	if err != nil || !ed25519.Verify(edPub, msg, sig) {
		t.Errorf("Ed25519 signature does not verify with crypto/ed25519: %v", err)
	}

	for _, key := range []crypto.Signer{rsaKey, p384, ed} {
		fits := SchemesForKey(key.Public())
		for _, s := range allSchemes {
			if slices.Contains(fits, s) {
				continue
			}
			if _, err := Sign(key, s, rand.Reader, msg); err == nil {
				t.Errorf("signed %v with a %T", s, key)
			}
		}
		// Every signature this key makes fails under every scheme that
		// does not fit it, and under every other fitting scheme.
		for _, s := range fits {
			sig, _ := Sign(key, s, rand.Reader, msg)
			for _, other := range allSchemes {
				if other != s && Verify(key.Public(), other, msg, sig) == nil {
					t.Errorf("%T: a %v signature verified as %v", key, s, other)
				}
			}
		}
	}
	if _, err := Sign(rsaKey, SignatureScheme(0x0101), rand.Reader, msg); err == nil {
		t.Error("signed with an unknown scheme")
	}
}

// TestDegenerateKeys: malformed public keys (as a buggy certificate parser
// might produce) are refused without panicking.
func TestDegenerateKeys(t *testing.T) {
	msg, sig := []byte("m"), []byte("s")
	for _, pub := range []crypto.PublicKey{
		nil, &rsa.PublicKey{}, (*rsa.PublicKey)(nil), &ecdsa.PublicKey{}, (*ecdsa.PublicKey)(nil),
		ed25519.PublicKey{1, 2, 3}, ed25519.PublicKey(nil), "a string",
	} {
		if s := SchemesForKey(pub); s != nil {
			t.Errorf("%#v: schemes %v", pub, s)
		}
		for _, s := range allSchemes {
			if Verify(pub, s, msg, sig) == nil {
				t.Errorf("%#v verified under %v", pub, s)
			}
		}
		if VerifyLegacy(pub, msg, sig) == nil {
			t.Errorf("%#v verified a legacy signature", pub)
		}
		if s, ok := SelectScheme(pub, DefaultSchemes(), nil); ok {
			t.Errorf("%#v: selected %v", pub, s)
		}
	}
}

// TestSmallRSAKey: schemes whose encoding does not fit the modulus are not
// offered (PSS-SHA512 needs 2*64+2 bytes; a 1024-bit key has 128).
func TestSmallRSAKey(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	want := []SignatureScheme{PSSWithSHA256, PSSWithSHA384, PKCS1WithSHA256, PKCS1WithSHA384, PKCS1WithSHA512, PKCS1WithSHA1}
	if got := SchemesForKey(&small.PublicKey); !slices.Equal(got, want) {
		t.Fatalf("SchemesForKey(RSA-1024) = %v", got)
	}
	for _, s := range want {
		sig, err := Sign(small, s, rand.Reader, []byte("m"))
		if err != nil || Verify(&small.PublicKey, s, []byte("m"), sig) != nil {
			t.Errorf("%v with RSA-1024: %v", s, err)
		}
	}
	if s, ok := SelectScheme(&small.PublicKey, DefaultSchemes(), []SignatureScheme{PSSWithSHA512, PKCS1WithSHA512}); !ok || s != PKCS1WithSHA512 {
		t.Errorf("SelectScheme(RSA-1024) = %v %v", s, ok)
	}
}

func TestLegacySignatures(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	msg := []byte("client_random server_random params")

	sig, err := SignLegacy(rsaKey, rand.Reader, msg)
	m, s := md5.Sum(msg), sha1.Sum(msg)
	// RFC 2246, 7.4.3: PKCS #1 v1.5 over MD5 || SHA-1 with no DigestInfo.
	if err != nil || rsa.VerifyPKCS1v15(&rsaKey.PublicKey, crypto.MD5SHA1, append(m[:], s[:]...), sig) != nil {
		t.Errorf("legacy RSA signature does not verify with crypto/rsa: %v", err)
	}
	if Verify(&rsaKey.PublicKey, PKCS1WithSHA1, msg, sig) == nil {
		t.Error("a legacy RSA signature verified as rsa_pkcs1_sha1")
	}
	sig, err = SignLegacy(p256, rand.Reader, msg)
	if err != nil || !ecdsa.VerifyASN1(&p256.PublicKey, s[:], sig) {
		t.Errorf("legacy ECDSA signature does not verify with SHA-1: %v", err)
	}
	for _, key := range []crypto.Signer{rsaKey, p256} {
		sig, _ := SignLegacy(key, rand.Reader, msg)
		bad := bytes.Clone(sig)
		bad[len(bad)-1] ^= 1
		if VerifyLegacy(key.Public(), msg, bad) == nil || VerifyLegacy(key.Public(), append(msg, 1), sig) == nil {
			t.Errorf("%T: tampered legacy signature verified", key)
		}
	}
	if _, err := SignLegacy(ed, rand.Reader, msg); err == nil {
		t.Error("Ed25519 signed for TLS 1.0")
	}
}

func TestSelectSchemeMore(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	withSHA1 := append(DefaultSchemes(), ECDSAWithSHA1)
	cases := []struct {
		name string
		pub  crypto.PublicKey
		ours []SignatureScheme
		peer []SignatureScheme
		want SignatureScheme
		ok   bool
	}{
		{"our order wins", &rsaKey.PublicKey, DefaultSchemes(), []SignatureScheme{PKCS1WithSHA512, PSSWithSHA384}, PSSWithSHA384, true},
		{"ECDSA any curve in 1.2", p384.Public(), DefaultSchemes(), []SignatureScheme{ECDSAWithP256AndSHA256}, ECDSAWithP256AndSHA256, true},
		{"ECDSA default SHA-1 when we sign it", p384.Public(), withSHA1, nil, ECDSAWithSHA1, true},
		{"ECDSA nothing in common", p384.Public(), DefaultSchemes(), []SignatureScheme{Ed25519, PKCS1WithSHA256}, 0, false},
		{"Ed25519 offered", edPub, DefaultSchemes(), []SignatureScheme{PKCS1WithSHA256, Ed25519}, Ed25519, true},
		{"Ed25519 no default", edPub, DefaultSchemes(), nil, 0, false},
		{"empty offer is not absent", &rsaKey.PublicKey, DefaultSchemes(), []SignatureScheme{}, 0, false},
		{"peer only unknown", &rsaKey.PublicKey, DefaultSchemes(), []SignatureScheme{0x0101, 0xfefe}, 0, false},
		{"ours empty", &rsaKey.PublicKey, nil, []SignatureScheme{PKCS1WithSHA256}, 0, false},
	}
	for _, tc := range cases {
		got, ok := SelectScheme(tc.pub, tc.ours, tc.peer)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSchemesForKeyOrder(t *testing.T) {
	for _, tc := range []struct {
		curve elliptic.Curve
		first SignatureScheme
	}{{elliptic.P256(), ECDSAWithP256AndSHA256}, {elliptic.P384(), ECDSAWithP384AndSHA384}, {elliptic.P521(), ECDSAWithP521AndSHA512}} {
		k, _ := ecdsa.GenerateKey(tc.curve, rand.Reader)
		got := SchemesForKey(k.Public())
		if len(got) != 4 || got[0] != tc.first || got[3] != ECDSAWithSHA1 {
			t.Errorf("%s: %v", tc.curve.Params().Name, got)
		}
	}
	want := []SignatureScheme{PSSWithSHA256, PSSWithSHA384, PSSWithSHA512, PKCS1WithSHA256, PKCS1WithSHA384, PKCS1WithSHA512, PKCS1WithSHA1}
	if got := SchemesForKey(&rsaKey.PublicKey); !slices.Equal(got, want) {
		t.Errorf("RSA: %v", got)
	}
	// The result is the caller's to modify.
	SchemesForKey(&rsaKey.PublicKey)[0] = 0
	if SchemesForKey(&rsaKey.PublicKey)[0] != PSSWithSHA256 {
		t.Error("SchemesForKey returned shared storage")
	}
}

func TestSchemeNames(t *testing.T) {
	for s, want := range map[SignatureScheme]struct {
		name string
		hash crypto.Hash
	}{
		PKCS1WithSHA1:          {"rsa_pkcs1_sha1", crypto.SHA1},
		PKCS1WithSHA256:        {"rsa_pkcs1_sha256", crypto.SHA256},
		ECDSAWithSHA1:          {"ecdsa_sha1", crypto.SHA1},
		ECDSAWithP256AndSHA256: {"ecdsa_secp256r1_sha256", crypto.SHA256},
		ECDSAWithP521AndSHA512: {"ecdsa_secp521r1_sha512", crypto.SHA512},
		PSSWithSHA384:          {"rsa_pss_rsae_sha384", crypto.SHA384},
		Ed25519:                {"ed25519", 0},
		0x0101:                 {"SignatureScheme(0x0101)", 0},
	} {
		if s.String() != want.name || s.Hash() != want.hash {
			t.Errorf("%04x: %q %v", uint16(s), s.String(), s.Hash())
		}
	}
	d := DefaultSchemes()
	if d[0] != ECDSAWithP256AndSHA256 || d[len(d)-1] != PKCS1WithSHA1 || slices.Contains(d, ECDSAWithSHA1) {
		t.Errorf("DefaultSchemes = %v", d)
	}
}

func TestGroupNames(t *testing.T) {
	for _, tc := range []struct {
		g             Group
		name, openssl string
		bits          int
		ecdhe         bool
	}{
		{X25519, "X25519", "X25519", 253, true},
		{P256, "P-256", "prime256v1", 256, true},
		{P384, "P-384", "secp384r1", 384, true},
		{P521, "P-521", "secp521r1", 521, true},
		{FFDHE2048, "ffdhe2048", "ffdhe2048", 2048, false},
		{FFDHE4096, "ffdhe4096", "ffdhe4096", 4096, false},
		{Group(0x1234), "Group(0x1234)", "Group(0x1234)", 0, false},
	} {
		if tc.g.String() != tc.name || tc.g.OpenSSLName() != tc.openssl || tc.g.Bits() != tc.bits || IsECDHE(tc.g) != tc.ecdhe {
			t.Errorf("%d: %q %q %d %v", uint16(tc.g), tc.g.String(), tc.g.OpenSSLName(), tc.g.Bits(), IsECDHE(tc.g))
		}
		if tc.bits != 0 {
			for _, n := range []string{tc.name, tc.openssl} {
				if g, ok := GroupByName(n); !ok || g != tc.g {
					t.Errorf("GroupByName(%q) = %v %v", n, g, ok)
				}
			}
		}
	}
	for n, want := range map[string]Group{"x25519": X25519, "PRIME256V1": P256, "Secp256r1": P256, "p-384": P384, "P521": P521, "FFDHE3072": FFDHE3072} {
		if g, ok := GroupByName(n); !ok || g != want {
			t.Errorf("GroupByName(%q) = %v %v", n, g, ok)
		}
	}
	for _, n := range []string{"", "X448", "secp224r1", "ffdhe1024"} {
		if _, ok := GroupByName(n); ok {
			t.Errorf("GroupByName(%q) succeeded", n)
		}
	}
}

func TestGenerateShareErrors(t *testing.T) {
	for _, g := range []Group{Group(0x1234), 0} {
		if _, err := GenerateShare(g, rand.Reader); err == nil {
			t.Errorf("GenerateShare(%v) succeeded", g)
		}
	}
	if _, err := GenerateShare(X25519, nil); err == nil {
		t.Error("generated without a randomness source")
	}
	for _, g := range append(DefaultGroups(), FFDHE2048, X25519MLKEM768) {
		if _, err := GenerateShare(g, bytes.NewReader(make([]byte, 8))); err == nil {
			t.Errorf("%v: generated from 8 bytes of randomness", g)
		}
	}
}

// TestNISTKeyFromRand: NIST key shares come from the given reader (Go
// 1.26's GenerateKey would ignore it), so fixed randomness reproduces them.
func TestNISTKeyFromRand(t *testing.T) {
	for _, g := range []Group{P256, P384, P521} {
		seed := make([]byte, 66)
		rand.Read(seed)
		a, err1 := GenerateShare(g, bytes.NewReader(seed))
		b, err2 := GenerateShare(g, bytes.NewReader(seed))
		if err1 != nil || err2 != nil || !bytes.Equal(a.Public(), b.Public()) {
			t.Fatalf("%v: %v %v, same seed gave different keys", g, err1, err2)
		}
		// A reader of only 0xff (always >= n) or only zeros never yields
		// a valid scalar; that is an error, not a loop forever.
		for _, fill := range []byte{0xff, 0} {
			if _, err := GenerateShare(g, bytes.NewReader(bytes.Repeat([]byte{fill}, 66*64))); err == nil {
				t.Errorf("%v: key from a reader of %#x bytes", g, fill)
			}
		}
	}
}
