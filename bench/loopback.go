package bench

import (
	"context"
	gotls "crypto/tls"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
)

// loopbackCases are the api over real TCP sockets on 127.0.0.1: bulk
// writes and handshakes per second under concurrency.
func loopbackCases() []Case {
	var cs []Case
	for _, size := range []int{1024, 16384} {
		cs = append(cs, Case{Name: "bulk AES-128-GCM " + sizeName(size) + " (api, loopback TCP)",
			Ours: loopbackBulkOurs(size), Theirs: loopbackBulkTheirs(size)})
	}
	for _, n := range []int{1, 64, 1000} {
		cs = append(cs, Case{Name: "handshakes, " + itoa(n) + " concurrent clients (api, loopback TCP)",
			Ours: scaleOurs(n), Theirs: scaleTheirs(n)})
	}
	return cs
}

// acceptLoop hands each connection accepted on ln to handle on its own
// goroutine; stop closes ln and waits for the handlers.
func acceptLoop(ln net.Listener, handle func(net.Conn)) (stop func()) {
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return func() { ln.Close(); wg.Wait() }
}

// ourLoopbackServer serves a PKI's leaf with api.NewServerSocket on
// 127.0.0.1, each connection drained until it closes.
func ourLoopbackServer(b *testing.B, pki *tlstest.PKI) (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return ln.Addr().String(), acceptLoop(ln, func(c net.Conn) {
		sc := pki.ServerConfig(2)
		pin12(sc) // the loopback rows are TLS 1.2's, as goConfigs
		s := api.NewServerSocket(c, sc, nil)
		if s.Handshake(context.Background()) == nil {
			io.Copy(io.Discard, s)
		}
		s.Close()
	})
}

// goLoopbackServer is the same with crypto/tls.
func goLoopbackServer(b *testing.B, scfg *gotls.Config) (addr string, stop func()) {
	ln, err := gotls.Listen("tcp", "127.0.0.1:0", scfg)
	if err != nil {
		b.Fatal(err)
	}
	return ln.Addr().String(), acceptLoop(ln, func(c net.Conn) { io.Copy(io.Discard, c) })
}

func loopbackBulkOurs(size int) func(b *testing.B) {
	return func(b *testing.B) {
		pki := tlstest.NewPKI(certgen.ECDSAP256)
		addr, stop := ourLoopbackServer(b, pki)
		defer stop()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		cc := pki.ClientConfig(1)
		pin12(cc)
		cc.CipherSuites = []uint16{cipher.SuiteByName("ECDHE-ECDSA-AES128-GCM-SHA256").ID}
		s := api.NewClientSocket(conn, cc, engine.ClientOptions{ServerName: "localhost"})
		if err := s.Handshake(context.Background()); err != nil {
			b.Fatal(err)
		}
		msg := make([]byte, size)
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Write(msg); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
}

func loopbackBulkTheirs(size int) func(b *testing.B) {
	return func(b *testing.B) {
		ccfg, scfg := goConfigs(tlstest.NewPKI(certgen.ECDSAP256))
		ccfg.CipherSuites = []uint16{cipher.SuiteByName("ECDHE-ECDSA-AES128-GCM-SHA256").ID}
		addr, stop := goLoopbackServer(b, scfg)
		defer stop()
		c, err := gotls.Dial("tcp", addr, ccfg)
		if err != nil {
			b.Fatal(err)
		}
		msg := make([]byte, size)
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Write(msg); err != nil {
				b.Fatal(err)
			}
		}
		c.Close()
	}
}

// raiseFileLimit sets the soft RLIMIT_NOFILE to the hard limit,
// explicitly, so that child processes inherit it too (os/exec gives
// children the original limit unless the program set one itself): 1,000
// concurrent clients in one process take two descriptors each, and
// 10,000 idle connections (bench -process) 10,000 on each side.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// scaleOurs: n clients handshake in parallel against our server; ns/op
// is wall time per handshake, so 1e9 ÷ ns/op is handshakes per second.
func scaleOurs(n int) func(b *testing.B) {
	return func(b *testing.B) {
		raiseFileLimit()
		pki := tlstest.NewPKI(certgen.ECDSAP256)
		addr, stop := ourLoopbackServer(b, pki)
		defer stop()
		cc := pki.ClientConfig(1)
		pin12(cc)
		b.SetParallelism(max(1, n/2)) // GOMAXPROCS is 2 here
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					b.Error(err)
					return
				}
				s := api.NewClientSocket(conn, cc, engine.ClientOptions{ServerName: "localhost"})
				if err := s.Handshake(context.Background()); err != nil {
					b.Error(err)
				}
				s.Close()
			}
		})
	}
}

func scaleTheirs(n int) func(b *testing.B) {
	return func(b *testing.B) {
		raiseFileLimit()
		ccfg, scfg := goConfigs(tlstest.NewPKI(certgen.ECDSAP256))
		addr, stop := goLoopbackServer(b, scfg)
		defer stop()
		b.SetParallelism(max(1, n/2))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c, err := gotls.Dial("tcp", addr, ccfg)
				if err != nil {
					b.Error(err)
					return
				}
				c.Close()
			}
		})
	}
}
