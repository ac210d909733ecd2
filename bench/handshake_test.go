package bench

import (
	gotls "crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
)

type hsCase struct {
	name  string
	kt    certgen.KeyType
	suite string
	group kex.Group
}

var hsCases = []hsCase{
	{"ECDHE-ECDSA-P256/X25519", certgen.ECDSAP256, "ECDHE-ECDSA-AES128-GCM-SHA256", kex.X25519},
	{"ECDHE-ECDSA-P256/P-256", certgen.ECDSAP256, "ECDHE-ECDSA-AES128-GCM-SHA256", kex.P256},
	{"ECDHE-RSA-2048/X25519", certgen.RSA2048, "ECDHE-RSA-AES128-GCM-SHA256", kex.X25519},
}

// BenchmarkHandshake runs full TLS 1.2 handshakes, client and server with
// chain verification, in one process: tlsengine as an in-memory engine
// pair, crypto/tls over net.Pipe.
func BenchmarkHandshake(b *testing.B) {
	for _, c := range hsCases {
		pki := tlstest.NewPKI(c.kt)
		id := cipher.SuiteByName(c.suite).ID
		b.Run(c.name+"/tlsengine", func(b *testing.B) {
			cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
			cc.CipherSuites, sc.Groups = []uint16{id}, []kex.Group{c.group}
			cc.Groups = []kex.Group{c.group, kex.P256}
			b.ReportAllocs()
			for b.Loop() {
				p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
				if err := p.Handshake(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/crypto-tls", func(b *testing.B) {
			root, _ := x509.ParseCertificate(pki.Chain.Root.DER)
			roots := x509.NewCertPool()
			roots.AddCert(root)
			cert := gotls.Certificate{Certificate: [][]byte{pki.Chain.Leaf.DER, pki.Chain.Intermediate.DER}, PrivateKey: pki.Chain.Leaf.Key}
			curves := []gotls.CurveID{gotls.CurveID(c.group), gotls.CurveP256}
			ccfg := &gotls.Config{RootCAs: roots, ServerName: "localhost", MaxVersion: gotls.VersionTLS12,
				CipherSuites: []uint16{id}, CurvePreferences: curves, Time: tlstest.FixedNow(tlstest.Epoch)}
			scfg := &gotls.Config{Certificates: []gotls.Certificate{cert}, MaxVersion: gotls.VersionTLS12,
				CurvePreferences: []gotls.CurveID{gotls.CurveID(c.group)}}
			b.ReportAllocs()
			for b.Loop() {
				a, z := net.Pipe()
				srv := gotls.Server(a, scfg)
				done := make(chan error, 1)
				go func() { done <- srv.Handshake() }()
				cli := gotls.Client(z, ccfg)
				if err := cli.Handshake(); err != nil {
					b.Fatal(err)
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				a.Close()
				z.Close()
			}
		})
	}
}

// BenchmarkBulk seals and opens 16 KiB records through a connected pair:
// tlsengine's engine write/feed path against crypto/tls over net.Pipe.
// Not yet like for like: tlsengine seals and opens on one goroutine, while
// crypto/tls's reader runs on the other core (issue 4 replaces this with
// a CPU-time measurement).
func BenchmarkBulk(b *testing.B) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	for _, suite := range []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"} {
		id := cipher.SuiteByName(suite).ID
		msg := make([]byte, 16*1024)
		b.Run(suite+"/16K/tlsengine", func(b *testing.B) {
			cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
			cc.CipherSuites = []uint16{id}
			p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
			if err := p.Handshake(); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				p.Client.Conn.Write(msg)
				for e := p.Client.Conn.NextEvent(); e.Kind != engine.EventNone; e = p.Client.Conn.NextEvent() {
					if e.Kind == engine.EventSend {
						p.Server.Conn.Feed(e.Data)
					}
				}
				for e := p.Server.Conn.NextEvent(); e.Kind != engine.EventNone; e = p.Server.Conn.NextEvent() {
				}
			}
		})
		b.Run(suite+"/16K/crypto-tls", func(b *testing.B) {
			root, _ := x509.ParseCertificate(pki.Chain.Root.DER)
			roots := x509.NewCertPool()
			roots.AddCert(root)
			cert := gotls.Certificate{Certificate: [][]byte{pki.Chain.Leaf.DER, pki.Chain.Intermediate.DER}, PrivateKey: pki.Chain.Leaf.Key}
			a, z := net.Pipe()
			srv := gotls.Server(a, &gotls.Config{Certificates: []gotls.Certificate{cert}, MaxVersion: gotls.VersionTLS12})
			cli := gotls.Client(z, &gotls.Config{RootCAs: roots, ServerName: "localhost", MaxVersion: gotls.VersionTLS12,
				CipherSuites: []uint16{id}, Time: tlstest.FixedNow(tlstest.Epoch)})
			go func() { srv.Handshake(); io.Copy(io.Discard, srv) }()
			if err := cli.Handshake(); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				cli.Write(msg)
			}
			cli.Close()
		})
	}
}
