package bench

import (
	"bytes"
	gotls "crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/session"
)

// BenchmarkResume runs abbreviated TLS 1.2 handshakes (client and server
// in one process) resuming by ticket and by session id, against the same
// work by crypto/tls (which resumes by ticket only: it has no session-id
// cache). The full-handshake rows of BenchmarkHandshake are the baseline
// for the resumed/full ratio.
func BenchmarkResume(b *testing.B) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	id := cipher.SuiteByName("ECDHE-ECDSA-AES128-GCM-SHA256").ID
	for _, mode := range []string{"ticket", "session-id"} {
		b.Run(mode+"/tlsengine", func(b *testing.B) {
			cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
			cc.CipherSuites = []uint16{id}
			if mode == "ticket" {
				tk, err := session.NewTicketer(bytes.Repeat([]byte{1}, session.KeyLen))
				if err != nil {
					b.Fatal(err)
				}
				sc.Tickets = tk
			} else {
				sc.SessionCache = session.NewCache(0)
				cc.DisableTickets = true
			}
			first := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
			if err := first.Handshake(); err != nil {
				b.Fatal(err)
			}
			sess := first.Client.State.Session
			b.ReportAllocs()
			for b.Loop() {
				p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost", Session: sess})
				if err := p.Handshake(); err != nil {
					b.Fatal(err)
				}
				if !p.Client.State.Resumed {
					b.Fatal("not resumed")
				}
			}
		})
	}
	b.Run("ticket/crypto-tls", func(b *testing.B) {
		root, _ := x509.ParseCertificate(pki.Chain.Root.DER)
		roots := x509.NewCertPool()
		roots.AddCert(root)
		cert := gotls.Certificate{Certificate: [][]byte{pki.Chain.Leaf.DER, pki.Chain.Intermediate.DER}, PrivateKey: pki.Chain.Leaf.Key}
		now := func() time.Time { return tlstest.Epoch }
		ccfg := &gotls.Config{RootCAs: roots, ServerName: "localhost", MaxVersion: gotls.VersionTLS12,
			CipherSuites: []uint16{id}, Time: now, ClientSessionCache: gotls.NewLRUClientSessionCache(1)}
		scfg := &gotls.Config{Certificates: []gotls.Certificate{cert}, MaxVersion: gotls.VersionTLS12, Time: now}
		handshake := func() bool {
			a, z := net.Pipe()
			defer a.Close()
			defer z.Close()
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
			return cli.ConnectionState().DidResume
		}
		handshake()
		b.ReportAllocs()
		for b.Loop() {
			if !handshake() {
				b.Fatal("not resumed")
			}
		}
	})
}
