package kex

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// dh2048PEM and dh1024PEM were made once with `openssl dhparam 2048` and
// `openssl dhparam 1024`; dh512PEM with `openssl dhparam 512`.
const (
	dh2048PEM = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEAhg2k/iRJuXOZ5nrZEU4xdh6+zwuBGaqG0ZP0bVWU3YcaP9xMLyuH
ry2i1J+m0ZM6DY2zKn5PXDHmraZzoRRDJS7iz+r2KNnMXXs15BmgcbljQGs7Zn/Q
PlSiW4UZheR0THF5AIa9Dy1bC8mPHrGyKnWfC2KJ6nnPqryce484/STKpa/ocz8C
1mVTeR/ztRER3/9aZ6BGTpq6AyeIMx3I7nDjh/5UC8/sojjQqt5bS1LKi1+BPaxb
Lp4sEDc3YGEWzA027m0//f1FT6WmOiH+Z1FOoK+HmPZNtt1EzQ43jbSgEdPtydvc
yV1FWq9U1Pc50yh2leP00bhDaZllVMLXjwIBAg==
-----END DH PARAMETERS-----
`
	dh1024PEM = `-----BEGIN DH PARAMETERS-----
MIGHAoGBAPi32RE2OXy9lO+KIFcvJ7J0skQjnTEcFyi2kVmJaEEs3JKzo6kL99XB
rZzgnjUXDYon4jZtVMuu50+qGDGoOMP6WnNnnH+NXKTXzdBtQB2Uxu4IMzWYVhIG
YcTqCQym+dfDjr3ggiYv8xEfOVVbTfUm63EmwL6giFaJuTV0okGvAgEC
-----END DH PARAMETERS-----
`
	dh512PEM = `-----BEGIN DH PARAMETERS-----
MEYCQQDJ4HKRZGTdIYTZ8Fg5mdvaGWWBf3xkpiJpbUkKHo+7gD5o6IgoogUOAhem
tMoITVFN1FhF1X5t7KQSEJ/HyZ5vAgEC
-----END DH PARAMETERS-----
`
)

func mustParseDH(t testing.TB, s string) *DHParams {
	t.Helper()
	p, err := ParseDHParamsPEM([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// dhPEM encodes a DHParameter for the negative tests.
func dhPEM(t testing.TB, typ string, fields ...any) []byte {
	t.Helper()
	der, err := asn1.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParseDHParamsPEM(t *testing.T) {
	p := mustParseDH(t, dh2048PEM)
	if p.Bits() != 2048 || p.G.Int64() != 2 {
		t.Fatalf("bits %d, g %v", p.Bits(), p.G)
	}
	if p := mustParseDH(t, "junk before\n"+dh1024PEM); p.Bits() != 1024 {
		t.Fatalf("1024-bit params: %d bits", p.Bits())
	}
	// The optional privateValueLength is accepted.
	if _, err := ParseDHParamsPEM(dhPEM(t, "DH PARAMETERS", p.P, p.G, 256)); err != nil {
		t.Fatalf("with privateValueLength: %v", err)
	}
	// Another PEM block first is skipped.
	other := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}})
	if _, err := ParseDHParamsPEM(append(other, dh2048PEM...)); err != nil {
		t.Fatalf("after another block: %v", err)
	}
}

func TestParseDHParamsPEMRejects(t *testing.T) {
	p := mustParseDH(t, dh2048PEM).P
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	even := new(big.Int).Add(p, big.NewInt(1))
	huge := new(big.Int).Lsh(big.NewInt(1), 8200)
	huge.Add(huge, big.NewInt(1))
	der, _ := asn1.Marshal([]any{p, big.NewInt(2)})
	trailing := pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: append(der, 0)})
	for _, tc := range []struct {
		name string
		in   []byte
		weak bool
	}{
		{"512-bit", []byte(dh512PEM), true},
		{"even p", dhPEM(t, "DH PARAMETERS", even, big.NewInt(2)), false},
		{"g = 0", dhPEM(t, "DH PARAMETERS", p, big.NewInt(0)), false},
		{"g = 1", dhPEM(t, "DH PARAMETERS", p, big.NewInt(1)), false},
		{"g = p-1", dhPEM(t, "DH PARAMETERS", p, pm1), false},
		{"g = p", dhPEM(t, "DH PARAMETERS", p, p), false},
		{"g < 0", dhPEM(t, "DH PARAMETERS", p, big.NewInt(-2)), false},
		{"p < 0", dhPEM(t, "DH PARAMETERS", new(big.Int).Neg(p), big.NewInt(2)), false},
		{"p > 8192 bits", dhPEM(t, "DH PARAMETERS", huge, big.NewInt(2)), false},
		{"privateValueLength 0", dhPEM(t, "DH PARAMETERS", p, big.NewInt(2), 0), false},
		{"extra field", dhPEM(t, "DH PARAMETERS", p, big.NewInt(2), 256, 1), false},
		{"missing g", dhPEM(t, "DH PARAMETERS", p), false},
		{"trailing bytes", trailing, false},
		{"X9.42", dhPEM(t, "X9.42 DH PARAMETERS", p, big.NewInt(2), big.NewInt(3)), false},
		{"no PEM", []byte("not a PEM file"), false},
		{"empty", nil, false},
		{"garbage DER", pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: []byte{0x30, 0x80, 1}}), false},
	} {
		_, err := ParseDHParamsPEM(tc.in)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "tls: ") {
			t.Errorf("%s: error %q lacks the tls: prefix", tc.name, err)
		}
		if errors.Is(err, ErrWeakDH) != tc.weak {
			t.Errorf("%s: errors.Is(ErrWeakDH) = %v: %v", tc.name, !tc.weak, err)
		}
	}
}

// TestFFDHEConstants recomputes the RFC 7919 primes from their definition,
// p = 2^b - 2^(b-64) + {[2^(b-130) e] + X} * 2^64 - 1, with e summed as a
// series in integers.
func TestFFDHEConstants(t *testing.T) {
	for _, tc := range []struct {
		g    Group
		b    uint
		x    int64
		expB int
	}{
		{FFDHE2048, 2048, 560316, 225},
		{FFDHE3072, 3072, 2625351, 275},
		{FFDHE4096, 4096, 5736041, 325},
		{FFDHE6144, 6144, 15705020, 375},
		{FFDHE8192, 8192, 10965728, 400},
	} {
		// floor(2^n * e) with 64 guard bits: sum over k of 2^(n+64)/k!.
		n := tc.b - 130
		one := new(big.Int).Lsh(big.NewInt(1), n+64)
		sum, term := new(big.Int), new(big.Int).Set(one)
		for k := int64(1); term.Sign() > 0; k++ {
			sum.Add(sum, term)
			term.Quo(term, big.NewInt(k))
		}
		sum.Rsh(sum, 64)
		p := new(big.Int).Lsh(big.NewInt(1), tc.b)
		p.Sub(p, new(big.Int).Lsh(big.NewInt(1), tc.b-64))
		sum.Add(sum, big.NewInt(tc.x))
		p.Add(p, sum.Lsh(sum, 64))
		p.Sub(p, big.NewInt(1))

		params, ok := FFDHEParams(tc.g)
		if !ok || params.P.Cmp(p) != 0 || params.G.Int64() != 2 || params.Bits() != int(tc.b) {
			t.Errorf("%v does not match RFC 7919", tc.g)
		}
		if dhExponentBits(params.Bits()) < tc.expB {
			t.Errorf("%v: exponent of %d bits, RFC 7919 asks for %d", tc.g, dhExponentBits(params.Bits()), tc.expB)
		}
		// Callers get a copy they may modify.
		params.P.SetInt64(5)
		if again, _ := FFDHEParams(tc.g); again.P.Cmp(p) != 0 {
			t.Errorf("%v: the shared constant was modified", tc.g)
		}
	}
	if _, ok := FFDHEParams(X25519); ok {
		t.Error("FFDHEParams(X25519) succeeded")
	}
	if (*DHParams)(nil).Bits() != 0 {
		t.Error("nil params have bits")
	}
}

func TestDHEAgree(t *testing.T) {
	ff2048, _ := FFDHEParams(FFDHE2048)
	for _, params := range []*DHParams{mustParseDH(t, dh2048PEM), mustParseDH(t, dh1024PEM), ff2048} {
		a, err := GenerateDHE(params, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		b, err := GenerateDHE(params, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pLen := (params.Bits() + 7) / 8
		if len(a.Public()) != pLen {
			t.Fatalf("public of %d bytes for a %d-byte p", len(a.Public()), pLen)
		}
		if a.x.BitLen() != dhExponentBits(params.Bits()) {
			t.Fatalf("exponent of %d bits", a.x.BitLen())
		}
		za, err1 := a.Finish(b.Public())
		zb, err2 := b.Finish(a.Public())
		if err1 != nil || err2 != nil || !bytes.Equal(za, zb) || za[0] == 0 {
			t.Fatalf("%d bits: %x %v / %x %v", params.Bits(), za, err1, zb, err2)
		}
		// The client side agrees with a server key.
		yc, pm, err := AnswerDHE(params.P.Bytes(), params.G.Bytes(), a.Public(), 1024, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if z, err := a.Finish(yc); err != nil || !bytes.Equal(z, pm) {
			t.Fatalf("AnswerDHE premaster %x, server %x %v", pm, z, err)
		}
	}
}

// TestDHEStripsLeadingZeros: RFC 5246, Section 8.1.2 strips leading zero
// bytes of Z; about one exchange in 256 has one.
func TestDHEStripsLeadingZeros(t *testing.T) {
	params := mustParseDH(t, dh1024PEM)
	server, _ := GenerateDHE(params, rand.Reader)
	for range 5000 {
		yc, pm, err := AnswerDHE(params.P.Bytes(), params.G.Bytes(), server.Public(), 1024, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		z, _ := server.Finish(yc)
		if !bytes.Equal(z, pm) || pm[0] == 0 {
			t.Fatalf("premaster %x, server %x", pm, z)
		}
		if len(pm) < 128 {
			return
		}
	}
	t.Fatal("no short premaster in 5000 exchanges")
}

func TestDHEPeerRange(t *testing.T) {
	params := mustParseDH(t, dh2048PEM)
	k, _ := GenerateDHE(params, rand.Reader)
	p := params.P
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	pad := func(n *big.Int) []byte { return n.FillBytes(make([]byte, 256)) }
	for name, y := range map[string][]byte{
		"empty":       nil,
		"0":           pad(big.NewInt(0)),
		"1":           {1},
		"p-1":         pad(pm1),
		"p":           pad(p),
		"p+1":         pad(new(big.Int).Add(p, big.NewInt(1))),
		"2^2048-1":    bytes.Repeat([]byte{0xff}, 256),
		"longer":      append([]byte{1}, pad(big.NewInt(2))...),
		"much longer": bytes.Repeat([]byte{7}, 100000),
	} {
		if _, err := k.Finish(y); !errors.Is(err, ErrInvalidPublic) {
			t.Errorf("y = %s: %v", name, err)
		}
	}
	// Leading zeros on a good value are fine.
	other, _ := GenerateDHE(params, rand.Reader)
	want, _ := k.Finish(other.Public())
	if got, err := k.Finish(append([]byte{0, 0}, other.Public()...)); err != nil || !bytes.Equal(got, want) {
		t.Errorf("zero-padded y: %v", err)
	}
}

func TestAnswerDHERejects(t *testing.T) {
	p2048 := mustParseDH(t, dh2048PEM).P
	p1024 := mustParseDH(t, dh1024PEM).P
	block, _ := pem.Decode([]byte(dh512PEM))
	var raw struct{ P, G *big.Int }
	if _, err := asn1.Unmarshal(block.Bytes, &raw); err != nil {
		t.Fatal(err)
	}
	p512 := raw.P
	p400 := new(big.Int).Rsh(p512, 112)
	p400.SetBit(p400, 0, 1)
	server, _ := GenerateDHE(&DHParams{P: p2048, G: big.NewInt(2)}, rand.Reader)
	ys := server.Public()
	g := []byte{2}
	huge := append([]byte{1}, make([]byte, 8192/8)...)
	for _, tc := range []struct {
		name    string
		p, g, y []byte
		min     int
		weak    bool
	}{
		{"1024 < min 2048", p1024.Bytes(), g, ys, 2048, true},
		{"512 < default 1024", p512.Bytes(), g, []byte{3}, 0, true},
		{"512 allowed by min 512, bad Ys", p512.Bytes(), g, []byte{1}, 512, false},
		{"400 under the 512 floor", p400.Bytes(), g, []byte{3}, 256, true},
		{"p > 8192 bits", huge, g, ys, 1024, false},
		{"even p", new(big.Int).Add(p2048, big.NewInt(1)).Bytes(), g, ys, 1024, false},
		{"g = 1", p2048.Bytes(), []byte{1}, ys, 1024, false},
		{"g = 0", p2048.Bytes(), nil, ys, 1024, false},
		{"g = p-1", p2048.Bytes(), new(big.Int).Sub(p2048, big.NewInt(1)).Bytes(), ys, 1024, false},
		{"g longer than p", p2048.Bytes(), append([]byte{1}, p2048.Bytes()...), ys, 1024, false},
		{"Ys = 1", p2048.Bytes(), g, []byte{1}, 1024, false},
		{"Ys = p-1", p2048.Bytes(), g, new(big.Int).Sub(p2048, big.NewInt(1)).Bytes(), 1024, false},
		{"Ys = p", p2048.Bytes(), g, p2048.Bytes(), 1024, false},
		{"Ys empty", p2048.Bytes(), g, nil, 1024, false},
		{"p empty", nil, g, ys, 1024, false},
	} {
		pub, pm, err := AnswerDHE(tc.p, tc.g, tc.y, tc.min, rand.Reader)
		if err == nil || pub != nil || pm != nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if errors.Is(err, ErrWeakDH) != tc.weak || (!tc.weak && !errors.Is(err, ErrInvalidPublic)) || strings.Count(err.Error(), "tls: ") != 1 {
			t.Errorf("%s: wrong error class: %v", tc.name, err)
		}
	}
	// A 1024-bit group passes when the minimum allows it, and leading
	// zeros on p are ignored.
	if _, _, err := AnswerDHE(append([]byte{0}, p1024.Bytes()...), g, []byte{5}, 1024, rand.Reader); err != nil {
		t.Errorf("1024-bit group with min 1024: %v", err)
	}
}

func TestGenerateDHERejects(t *testing.T) {
	p := mustParseDH(t, dh2048PEM).P
	for name, params := range map[string]*DHParams{
		"nil":    nil,
		"nil P":  {G: big.NewInt(2)},
		"nil G":  {P: p},
		"even":   {P: new(big.Int).Add(p, big.NewInt(1)), G: big.NewInt(2)},
		"tiny":   {P: big.NewInt(23), G: big.NewInt(5)},
		"g is 1": {P: p, G: big.NewInt(1)},
	} {
		if _, err := GenerateDHE(params, rand.Reader); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := GenerateDHE(&DHParams{P: p, G: big.NewInt(2)}, bytes.NewReader(nil)); err == nil {
		t.Error("generated with an empty randomness source")
	}
}

func BenchmarkDHE2048(b *testing.B) {
	params, _ := FFDHEParams(FFDHE2048)
	peer, _ := GenerateDHE(params, rand.Reader)
	b.ReportAllocs()
	for b.Loop() {
		k, _ := GenerateDHE(params, rand.Reader)
		k.Finish(peer.Public())
	}
}
