package handshake

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

// TestKeyAgreement12EverySuite: every TLS 1.2 suite in the registry has a
// key agreement, and exactly the RSA key transport suites skip
// ServerKeyExchange.
func TestKeyAgreement12EverySuite(t *testing.T) {
	for _, s := range cipher.Suites() {
		if s.MinVersion > cipher.VersionTLS12 {
			continue
		}
		ka := newKeyAgreement12(s.KX)
		if ka == nil {
			t.Errorf("%v: no key agreement for %v", s, s.KX)
			continue
		}
		if ka.signs() != (s.KX != cipher.KXRSA) {
			t.Errorf("%v: signs() = %v", s, ka.signs())
		}
	}
	if newKeyAgreement12(0) != nil {
		t.Error("a key agreement for key exchange 0")
	}
}

// TestTLS12KeepsToECDHEGroups: the FFDHE and X25519MLKEM768 groups that
// kex now knows are neither offered nor picked in TLS 1.2, whatever the
// configuration lists.
func TestTLS12KeepsToECDHEGroups(t *testing.T) {
	all := []kex.Group{kex.X25519MLKEM768, kex.FFDHE2048, kex.FFDHE8192, kex.X25519, kex.P256}
	if got := offeredECDHE(all); !slices.Equal(got, []kex.Group{kex.X25519, kex.P256}) {
		t.Errorf("TLS 1.2 ClientHello offers %v", got)
	}
	if g, ok := selectGroup([]kex.Group{kex.X25519MLKEM768, kex.FFDHE2048, kex.P256}, all); !ok || g != kex.P256 {
		t.Errorf("server picked %v (%v)", g, ok)
	}
	if g, ok := selectGroup(nil, []kex.Group{kex.X25519MLKEM768, kex.FFDHE3072, kex.P384}); !ok || g != kex.P384 {
		t.Errorf("server picked %v (%v) for a client without supported_groups", g, ok)
	}
}

// kx12Pair is one TLS 1.2 key exchange between a server and a client
// context, driven through keyAgreement12 alone.
func kx12Pair(t *testing.T, kx cipher.KeyExchange, scfg *Config) (*serverHS, *clientHS) {
	t.Helper()
	hello := &ClientHello{Version: cipher.VersionTLS12, Random: make([]byte, 32),
		SupportedGroups: []kex.Group{kex.X25519, kex.P256}, Extensions: []ExtensionType{ExtSupportedGroups}}
	s := &serverHS{cfg: scfg, hello: hello, version: cipher.VersionTLS12, ka: newKeyAgreement12(kx)}
	c := &clientHS{cfg: &Config{Rand: rand.Reader}, hello: hello, version: cipher.VersionTLS12, ka: newKeyAgreement12(kx)}
	return s, c
}

// skeBody signs nothing: the tests below hand clientProcessParams a
// verify function of their own.
func skeBody(params []byte) []byte {
	return MarshalSignedParams(params, true, kex.ECDSAWithP256AndSHA256, []byte{1})
}

func acceptSignature([]byte, kex.SignatureScheme, []byte) error { return nil }

// TestKeyAgreement12RoundTrip: for ECDHE, DHE and RSA, the server's
// parameters, the client's answer and the server's last step give both
// sides one premaster, and the connection facts (group, DH size) are set
// on both.
func TestKeyAgreement12RoundTrip(t *testing.T) {
	dh, _ := kex.FFDHEParams(kex.FFDHE2048)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kx   cipher.KeyExchange
		scfg *Config
	}{
		{cipher.KXECDHE, &Config{Rand: rand.Reader, Groups: []kex.Group{kex.P256, kex.X25519}}},
		{cipher.KXDHE, &Config{Rand: rand.Reader, DHParams: dh}},
		{cipher.KXRSA, &Config{Rand: rand.Reader}},
	} {
		s, c := kx12Pair(t, tc.kx, tc.scfg)
		s.cert = &Credential{Key: key, Leaf: &x509lite.Certificate{PublicKey: &key.PublicKey}}
		c.peer = &peerVerification{certs: []*x509lite.Certificate{s.cert.Leaf}}
		if ok, _ := s.ka.serverUsable(s, s.cert); !ok {
			t.Fatalf("%v: server cannot use it", tc.kx)
		}
		if s.ka.signs() {
			params, err := s.ka.serverParams(s)
			if err != nil {
				t.Fatalf("%v: %v", tc.kx, err)
			}
			var signed []byte
			verify := func(p []byte, _ kex.SignatureScheme, _ []byte) error { signed = p; return nil }
			if err := c.ka.clientProcessParams(c, skeBody(params), verify); err != nil {
				t.Fatalf("%v: %v", tc.kx, err)
			}
			if !bytes.Equal(signed, params) {
				t.Errorf("%v: the client verified %x, the server signed %x", tc.kx, signed, params)
			}
		}
		pre, body, err := c.ka.clientKeyExchange(c)
		if err != nil {
			t.Fatalf("%v: %v", tc.kx, err)
		}
		got, err := s.ka.serverPreMaster(s, body)
		if err != nil || !bytes.Equal(got, pre) || len(pre) == 0 {
			t.Errorf("%v: server premaster %x (%v), client %x", tc.kx, got, err, pre)
		}
		wantGroup, wantBits := kex.Group(0), 0
		switch tc.kx {
		case cipher.KXECDHE:
			wantGroup = kex.P256 // the server's preference
		case cipher.KXDHE:
			wantBits = 2048
		}
		if s.group != c.group || c.group != wantGroup || s.dhBits != c.dhBits || c.dhBits != wantBits {
			t.Errorf("%v: group %v/%v, DH bits %d/%d", tc.kx, s.group, c.group, s.dhBits, c.dhBits)
		}
	}
}

// TestServerKeyExchangeChecksOrder: the client checks the group it
// offered, then the signature, and only then touches the server's public
// value: a forged ServerKeyExchange with a bad value is decrypt_error (the
// verify error), never illegal_parameter, and costs no randomness.
func TestServerKeyExchangeChecksOrder(t *testing.T) {
	forged := errors.New("tls: forged")
	reject := func([]byte, kex.SignatureScheme, []byte) error { return forged }
	badPoint := skeBody(MarshalECDHEParams(kex.X25519, make([]byte, 32))) // u = 0, low order
	_, c := kx12Pair(t, cipher.KXECDHE, nil)
	draws := &countingReader{}
	c.cfg.Rand = draws
	if err := c.ka.clientProcessParams(c, badPoint, reject); err != forged || draws.n != 0 {
		t.Errorf("bad point under a bad signature: %v after %d draws", err, draws.n)
	}
	c.cfg.Rand = rand.Reader
	wantAlert(t, c.ka.clientProcessParams(c, badPoint, acceptSignature), record.AlertIllegalParameter, "invalid server ECDHE public value")
	unoffered := skeBody(MarshalECDHEParams(kex.P384, make([]byte, 97)))
	wantAlert(t, c.ka.clientProcessParams(c, unoffered, reject), record.AlertIllegalParameter, "unoffered group P-384")
	wantAlert(t, c.ka.clientProcessParams(c, []byte{3, 0}, reject), record.AlertDecodeError, "ServerKeyExchange")

	_, c = kx12Pair(t, cipher.KXDHE, nil)
	ff, _ := kex.FFDHEParams(kex.FFDHE2048)
	badY := skeBody(MarshalDHEParams(ff.P.Bytes(), []byte{2}, []byte{1}))
	c.cfg.Rand = draws
	if err := c.ka.clientProcessParams(c, badY, reject); err != forged || draws.n != 0 {
		t.Errorf("bad Ys under a bad signature: %v after %d draws", err, draws.n)
	}
	c.cfg.Rand = rand.Reader
	wantAlert(t, c.ka.clientProcessParams(c, badY, acceptSignature), record.AlertIllegalParameter, "invalid server DH parameters")
	weak := new(big.Int).Lsh(big.NewInt(1), 511)
	weak.Add(weak, big.NewInt(1))
	wantAlert(t, c.ka.clientProcessParams(c, skeBody(MarshalDHEParams(weak.Bytes(), []byte{2}, []byte{2})), acceptSignature),
		record.AlertHandshakeFailure, "too small")
}

// TestClientKeyExchangeErrors: the server answers a malformed
// ClientKeyExchange with decode_error and a bad public value with
// illegal_parameter (RFC 8422, Section 5.11; RFC 7919, Section 5.1).
func TestClientKeyExchangeErrors(t *testing.T) {
	s, _ := kx12Pair(t, cipher.KXECDHE, &Config{Rand: rand.Reader})
	if _, err := s.ka.serverParams(s); err != nil {
		t.Fatal(err)
	}
	wantAlert(t, errOnly(s.ka.serverPreMaster(s, []byte{32, 1})), record.AlertDecodeError, "ClientKeyExchange")
	wantAlert(t, errOnly(s.ka.serverPreMaster(s, MarshalECDHEClientPublic(make([]byte, 32)))), record.AlertIllegalParameter, "invalid client ECDHE public value")

	dh, _ := kex.FFDHEParams(kex.FFDHE2048)
	s, _ = kx12Pair(t, cipher.KXDHE, &Config{Rand: rand.Reader, DHParams: dh})
	if _, err := s.ka.serverParams(s); err != nil {
		t.Fatal(err)
	}
	pm1 := new(big.Int).Sub(dh.P, big.NewInt(1))
	wantAlert(t, errOnly(s.ka.serverPreMaster(s, nil)), record.AlertDecodeError, "ClientKeyExchange")
	wantAlert(t, errOnly(s.ka.serverPreMaster(s, MarshalRSAOrDHClientBody(pm1.Bytes()))), record.AlertIllegalParameter, "invalid client DHE public value")
}

func errOnly(_ []byte, err error) error { return err }

// countingReader counts the draws of randomness and fails each.
type countingReader struct{ n int }

func (r *countingReader) Read([]byte) (int, error) {
	r.n++
	return 0, errors.New("no randomness here")
}
