package bench

import (
	"crypto/mlkem"
	gotls "crypto/tls"
	"fmt"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
)

// The TLS 1.3 cases: both sides pinned to TLS 1.3 with one suite and one
// group, and every case checks what was negotiated (version, suite,
// group), failing loudly rather than timing a TLS 1.2 handshake or an
// unintended suite. crypto/tls's TLS 1.3 suites cannot be configured, so
// its side checks that it chose the same one. In the full-handshake cases
// neither server issues tickets (crypto/tls's are disabled); the
// resumption cases (resume13.go) have their own.

// suite13 is the TLS 1.3 suite of the TLS 1.3 cases.
const suite13 = "TLS_AES_128_GCM_SHA256"

var handshake13Cases = []hsCase{
	newHS13Case("ECDSA-P256/X25519", certgen.ECDSAP256, kex.X25519),
	newHS13Case("RSA-2048/X25519", certgen.RSA2048, kex.X25519),
	newHS13Case("ECDSA-P256/X25519MLKEM768", certgen.ECDSAP256, kex.X25519MLKEM768),
}

// is13 reports whether suite (an OpenSSL or IANA name) is a TLS 1.3 suite.
func is13(suite string) bool {
	return cipher.Suite13ByName(suite) != nil
}

// pin13 pins our engine configurations to TLS 1.3, suite13 and group.
func pin13(group kex.Group, cfgs ...*engine.Config) {
	for _, c := range cfgs {
		c.MinVersion, c.MaxVersion = cipher.VersionTLS13, cipher.VersionTLS13
		c.CipherSuites13 = []uint16{cipher.Suite13ByName(suite13).ID}
		c.Groups = []kex.Group{group}
	}
}

// goConfigs13 are goConfigs pinned to TLS 1.3 and group, without tickets.
func goConfigs13(pki *tlstest.PKI, group kex.Group) (client, server *gotls.Config) {
	client, server = goConfigs(pki)
	for _, c := range []*gotls.Config{client, server} {
		c.MinVersion, c.MaxVersion = gotls.VersionTLS13, gotls.VersionTLS13
		c.CurvePreferences = []gotls.CurveID{gotls.CurveID(group)}
	}
	server.SessionTicketsDisabled = true
	return client, server
}

// check13 is an error unless a handshake negotiated TLS 1.3 with suite13
// and group want.
func check13(who string, version, suite uint16, group, want kex.Group) error {
	if version != cipher.VersionTLS13 || suite != cipher.Suite13ByName(suite13).ID || group != want {
		return fmt.Errorf("%s negotiated version %#04x, suite %#04x, group %#04x; want TLS 1.3, %s, %#04x",
			who, version, suite, uint16(group), suite13, uint16(want))
	}
	return nil
}

// checkOurs13 checks both ends of our pair.
func checkOurs13(b *testing.B, p *tlstest.Pair, group kex.Group) {
	for _, side := range []struct {
		who string
		st  *engine.ConnectionState
	}{{"tlsengine client", p.Client.State}, {"tlsengine server", p.Server.State}} {
		if side.st == nil {
			b.Fatalf("%s: no connection state", side.who)
		}
		if err := check13(side.who, side.st.Version, side.st.Suite.ID, side.st.Group, group); err != nil {
			b.Fatal(err)
		}
	}
}

// checkGo13 checks a crypto/tls end.
func checkGo13(b *testing.B, st gotls.ConnectionState, group kex.Group) {
	if err := check13("crypto/tls", st.Version, st.CipherSuite, kex.Group(st.CurveID), group); err != nil {
		b.Fatal(err)
	}
}

// newHS13Case builds a full TLS 1.3 handshake case, as newHSCase.
func newHS13Case(name string, kt certgen.KeyType, group kex.Group) hsCase {
	return hsCase{
		name: name,
		ours: func(b *testing.B) {
			pki := tlstest.NewPKI(kt)
			cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
			pin13(group, cc, sc)
			b.ReportAllocs()
			for b.Loop() {
				p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
				if err := p.Handshake(); err != nil {
					b.Fatal(err)
				}
				checkOurs13(b, p, group)
			}
		},
		theirs: func(b *testing.B) {
			ccfg, scfg := goConfigs13(tlstest.NewPKI(kt), group)
			b.ReportAllocs()
			for b.Loop() {
				checkGo13(b, goHandshake(b, ccfg, scfg), group)
			}
		},
		floor: handshakeFloor(kt, group),
	}
}

// mlkemFloor is the ML-KEM-768 half of an X25519MLKEM768 exchange, both
// sides: one key generation, encapsulation and decapsulation.
func mlkemFloor(b *testing.B) {
	dk, err := mlkem.GenerateKey768()
	if err != nil {
		b.Fatal(err)
	}
	_, ct := dk.EncapsulationKey().Encapsulate()
	if _, err := dk.Decapsulate(ct); err != nil {
		b.Fatal(err)
	}
}
