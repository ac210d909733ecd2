package h2compare

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	bigint "math/big"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/tlsengine/tlsengine/api"
)

var big = make([]byte, 1<<20)

var big1 = new(bigint.Int).SetInt64(1)

func handler(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/big" {
		w.Write(big)
		return
	}
	io.WriteString(w, "ok")
}

func setup(b *testing.B, impl string) (*http.Client, string) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big1, Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	kder, _ := x509.MarshalPKCS8PrivateKey(k)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	var addr net.Addr
	switch impl {
	case "cryptotls": // the baseline: net/http on crypto/tls
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		hs := &http.Server{Handler: http.HandlerFunc(handler), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
		go hs.ServeTLS(ln, "", "")
		b.Cleanup(func() { hs.Close() })
		addr = ln.Addr()
	default:
		opts := api.ServerOptions{SecureContextOptions: api.SecureContextOptions{Key: []api.KeyOption{{PEM: keyPEM}},
			Cert: [][]byte{certPEM}}, ALPNProtocols: []string{"h2"}}
		srv, err := api.CreateServer(opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		if impl == "xnet" {
			h2s := &http2.Server{}
			srv.OnSecureConnection(func(s *api.TLSSocket) {
				go h2s.ServeConn(s, &http2.ServeConnOpts{Handler: http.HandlerFunc(handler)})
			})
			srv.Listen(0, "127.0.0.1", nil)
		} else {
			hs := &http.Server{Handler: http.HandlerFunc(handler)}
			ln := srv.HTTPListener(hs)
			srv.Listen(0, "127.0.0.1", nil)
			go hs.Serve(ln)
		}
		b.Cleanup(func() { srv.Close() })
		addr = srv.Address()
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	var p http.Protocols
	p.SetHTTP2(true)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, Protocols: &p}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, "https://localhost:" + strconv.Itoa(addr.(*net.TCPAddr).Port)
}

func run(b *testing.B, impl string, path string, parallel bool) {
	c, url := setup(b, impl)
	get := func() {
		resp, err := c.Get(url + path)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get()
	if path == "/big" {
		b.SetBytes(int64(len(big)))
	}
	b.ResetTimer()
	if parallel {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				get()
			}
		})
		return
	}
	for b.Loop() {
		get()
	}
}

// BenchmarkH2 runs each case on net/http over tlsengine with net/http's
// HTTP/2 (stdlib) and x/net's (xnet), and on crypto/tls (cryptotls, the
// baseline); the client is Go's HTTP/2 client on crypto/tls.
func BenchmarkH2(b *testing.B) {
	for _, impl := range []string{"stdlib", "xnet", "cryptotls"} {
		b.Run("small/"+impl, func(b *testing.B) { run(b, impl, "/", false) })
		b.Run("small-parallel/"+impl, func(b *testing.B) { run(b, impl, "/", true) })
		b.Run("1MiB/"+impl, func(b *testing.B) { run(b, impl, "/big", false) })
	}
}
