package engine_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// pair13 is a pair at the default versions, TLS 1.2 to 1.3 on both sides.
func pair13(t *testing.T, kt certgen.KeyType, tweak func(c, s *engine.Config)) *tlstest.Pair {
	t.Helper()
	return pair(t, kt, func(c, s *engine.Config) {
		c.MaxVersion, s.MaxVersion = 0, 0
		if tweak != nil {
			tweak(c, s)
		}
	})
}

// checkAlert asserts that side failed with alert a sent or received.
func wantFailure(t *testing.T, p *tlstest.Pair, a record.AlertDescription) {
	t.Helper()
	if err := p.Handshake(); err == nil {
		t.Fatal("handshake succeeded")
	}
	for _, s := range []*tlstest.Side{p.Client, p.Server} {
		for _, got := range s.Alerts {
			if got.Description == a {
				return
			}
		}
	}
	t.Fatalf("no %v alert received; client err %v, server err %v", a, p.Client.Err, p.Server.Err)
}

// TestTLS13HandshakeMatrix runs every TLS 1.3 suite with every group and
// certificate type in memory, and checks what both sides agreed, the key
// log, the exporter, and data both ways.
func TestTLS13HandshakeMatrix(t *testing.T) {
	groups := []kex.Group{kex.X25519, kex.P256, kex.P384, kex.P521, kex.FFDHE2048, kex.X25519MLKEM768}
	for _, s := range cipher.Suites13() {
		for _, kt := range []certgen.KeyType{certgen.RSA2048, certgen.ECDSAP256, certgen.ECDSAP384, certgen.Ed25519} {
			for _, g := range groups {
				t.Run(fmt.Sprintf("%s/%s/%v", s.Name, kt, g), func(t *testing.T) {
					p := pair13(t, kt, func(c, sc *engine.Config) {
						c.CipherSuites13 = []uint16{s.ID}
						c.Groups, sc.Groups = []kex.Group{g}, []kex.Group{g}
					})
					if err := p.Handshake(); err != nil {
						t.Fatal(err)
					}
					for _, st := range []*engine.ConnectionState{p.Client.State, p.Server.State} {
						if st.Suite != s || st.Group != g || st.Version != cipher.VersionTLS13 {
							t.Fatalf("negotiated %v %v 0x%x", st.Suite, st.Group, st.Version)
						}
					}
					if p.Client.State.VerifyError != nil || len(p.Client.State.PeerCertificates) == 0 {
						t.Fatalf("client verification: %v", p.Client.State.VerifyError)
					}
					if p.Server.State.ServerName != "localhost" {
						t.Fatalf("server saw SNI %q", p.Server.State.ServerName)
					}
					a, _ := p.Client.State.ExportKeyingMaterial("EXPERIMENTAL-x", []byte("ctx"), true, 32)
					b, _ := p.Server.State.ExportKeyingMaterial("EXPERIMENTAL-x", []byte("ctx"), true, 32)
					if len(a) != 32 || !bytes.Equal(a, b) {
						t.Fatalf("exporters differ: %x %x", a, b)
					}
					exchange(t, p)
				})
			}
		}
	}
}

// TestTLS13Keylog checks the five NSS key log lines of a TLS 1.3
// handshake, the same on both sides.
func TestTLS13Keylog(t *testing.T) {
	p := pair13(t, certgen.ECDSAP256, nil)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	want := []string{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}
	if len(p.Client.Keylog) != len(want) || strings.Join(p.Client.Keylog, "\n") != strings.Join(p.Server.Keylog, "\n") {
		t.Fatalf("key logs:\n%s\n--\n%s", strings.Join(p.Client.Keylog, "\n"), strings.Join(p.Server.Keylog, "\n"))
	}
	for i, l := range p.Client.Keylog {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != want[i] || len(f[1]) != 64 || len(f[2]) != 96 { // SHA-384, of the default suite
			t.Errorf("line %d: %q", i, l)
		}
	}
}

// TestTLS13Defaults: with no MinVersion or MaxVersion, both sides speak
// TLS 1.2 to 1.3 as Node v20 does (tls.DEFAULT_MIN_VERSION 'TLSv1.2',
// DEFAULT_MAX_VERSION 'TLSv1.3'), so two defaults negotiate TLS 1.3 with
// Node's first suite, TLS_AES_256_GCM_SHA384. A side kept at TLS 1.2
// meets a default one at TLS 1.2, and the default server marks its random
// with the RFC 8446, Section 4.1.3 sentinel, which a client that offered
// only TLS 1.2 does not check.
func TestTLS13Defaults(t *testing.T) {
	for _, tc := range []struct {
		name         string
		client, serv uint16
		want         uint16
		sentinel     string
	}{
		{"default", 0, 0, cipher.VersionTLS13, ""},
		{"client 1.2", cipher.VersionTLS12, 0, cipher.VersionTLS12, "DOWNGRD\x01"},
		{"server 1.2", 0, cipher.VersionTLS12, cipher.VersionTLS12, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pki := tlstest.NewPKI(certgen.ECDSAP256)
			cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
			cc.MaxVersion, sc.MaxVersion = tc.client, tc.serv
			p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			st := p.Client.State
			if st.Version != tc.want || p.Server.State.Version != tc.want {
				t.Fatalf("version 0x%04x/0x%04x, want 0x%04x", st.Version, p.Server.State.Version, tc.want)
			}
			if tc.want == cipher.VersionTLS13 && st.Suite.Name != "TLS_AES_256_GCM_SHA384" {
				t.Fatalf("suite %s", st.Suite.Name)
			}
			if got := string(st.ServerRandom[24:]); (got == tc.sentinel) != (tc.sentinel != "") {
				t.Fatalf("server random ends %q, want sentinel %q", got, tc.sentinel)
			}
		})
	}
}
