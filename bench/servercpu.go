package bench

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	gotls "crypto/tls"
	"net"
	"runtime"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
)

// The server-CPU cases compare the server's work alone, ours against
// crypto/tls's, which no replay can isolate (ECDSA signatures and
// crypto/tls's key shares are randomized whatever Rand is given). Each
// handshake runs over net.Pipe with the server in its own goroutine
// locked to an OS thread, and the server's cost is that thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID) from before the handshake to after it: time
// blocked on the pipe costs nothing, so the client's work is not counted.
// Both libraries run the same way, through a net.Conn.

// serverCPUMetric is the unit of these cases.
const serverCPUMetric = "server-cpu-ns/op"

// handshaker is one server end: ours (api) or crypto/tls's.
type handshaker interface{ Handshake(context.Context) error }

type goServer struct{ *gotls.Conn }

func (g goServer) Handshake(ctx context.Context) error { return g.HandshakeContext(ctx) }

// serverThreadCPU runs full handshakes and reports the server thread's
// CPU time per handshake.
func serverThreadCPU(b *testing.B, server func(net.Conn) handshaker, client func(net.Conn) error) {
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		a, z := net.Pipe()
		cerr := make(chan error, 1)
		go func() { cerr <- client(z) }()
		used := make(chan int64, 1)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			t0 := threadCPU()
			err := server(a).Handshake(context.Background())
			t1 := threadCPU()
			if err != nil {
				b.Error(err)
			}
			used <- t1 - t0
		}()
		total += <-used
		if err := <-cerr; err != nil {
			b.Fatal(err)
		}
		a.Close()
		z.Close()
	}
	b.ReportMetric(float64(total)/float64(b.N), serverCPUMetric)
}

// serverCPUCases are the server-alone cases for each handshake kind.
func serverCPUCases() []Case {
	if !haveThreadCPU {
		return nil
	}
	var cs []Case
	for _, h := range []struct {
		name  string
		kt    certgen.KeyType
		suite string // "" for TLS 1.3 (suite13)
		group kex.Group
	}{
		{"ECDHE-ECDSA-P256/X25519", certgen.ECDSAP256, "ECDHE-ECDSA-AES128-GCM-SHA256", kex.X25519},
		{"ECDHE-RSA-2048/X25519", certgen.RSA2048, "ECDHE-RSA-AES128-GCM-SHA256", kex.X25519},
		{"TLS 1.3 ECDSA-P256/X25519", certgen.ECDSAP256, "", kex.X25519},
		{"TLS 1.3 RSA-2048/X25519", certgen.RSA2048, "", kex.X25519},
		{"TLS 1.3 ECDSA-P256/X25519MLKEM768", certgen.ECDSAP256, "", kex.X25519MLKEM768},
	} {
		// configs are the server's engine configuration and the
		// crypto/tls configurations of both ends.
		configs := func(pki *tlstest.PKI) (*engine.Config, *gotls.Config, *gotls.Config) {
			sc := pki.ServerConfig(2)
			sc.Rand, sc.Groups = rand.Reader, []kex.Group{h.group}
			pin12(sc)
			if h.suite == "" {
				pin13(h.group, sc)
				ccfg, scfg := goConfigs13(pki, h.group)
				return sc, ccfg, scfg
			}
			pin12(sc)
			ccfg, scfg := goConfigs(pki)
			ccfg.CipherSuites = []uint16{cipher.SuiteByName(h.suite).ID}
			scfg.CurvePreferences = []gotls.CurveID{gotls.CurveID(h.group)}
			return sc, ccfg, scfg
		}
		// client runs the crypto/tls client; in TLS 1.3 it checks what
		// was negotiated.
		client := func(ccfg *gotls.Config) func(net.Conn) error {
			return func(c net.Conn) error {
				tc := gotls.Client(c, ccfg)
				err := tc.Handshake()
				if err == nil && h.suite == "" {
					st := tc.ConnectionState()
					err = check13("crypto/tls client", st.Version, st.CipherSuite, kex.Group(st.CurveID), h.group)
				}
				return err
			}
		}
		cs = append(cs, Case{
			Name:   "server CPU, full handshake " + h.name + " (thread CPU)",
			Metric: serverCPUMetric,
			Ours: func(b *testing.B) {
				sc, ccfg, _ := configs(tlstest.NewPKI(h.kt))
				serverThreadCPU(b, func(c net.Conn) handshaker { return api.NewServerSocket(c, sc, nil) }, client(ccfg))
			},
			Theirs: func(b *testing.B) {
				_, ccfg, scfg := configs(tlstest.NewPKI(h.kt))
				serverThreadCPU(b, func(c net.Conn) handshaker { return goServer{gotls.Server(c, scfg)} }, client(ccfg))
			},
			Floor: serverFloor(h.kt, h.group),
		})
	}
	return cs
}

// serverFloor is a full ECDHE handshake's primitive work on the server:
// one X25519 key generation, one shared secret and one signature, timed
// the same way (thread CPU); with X25519MLKEM768 also the ML-KEM-768
// encapsulation the server answers with.
func serverFloor(kt certgen.KeyType, group kex.Group) func(b *testing.B) {
	return keyShareFloor(group, func() any { return tlstest.NewPKI(kt).Chain.Leaf.Key })
}

// keyShareFloor times, as thread CPU, answering a client's X25519 share
// (a key generation and a shared secret), plus an ML-KEM-768
// encapsulation for X25519MLKEM768, plus a signature with the key leaf
// returns when leaf is not nil (a resumed handshake signs nothing).
func keyShareFloor(group kex.Group, leaf func() any) func(b *testing.B) {
	return func(b *testing.B) {
		var key any
		if leaf != nil {
			key = leaf()
		}
		digest := sha256.Sum256(make([]byte, 32+32+69))
		peer, _ := ecdh.X25519().GenerateKey(rand.Reader)
		dk, err := mlkem.GenerateKey768()
		if err != nil {
			b.Fatal(err)
		}
		ek := dk.EncapsulationKey()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		b.ReportAllocs()
		t0 := threadCPU()
		for b.Loop() {
			k, _ := ecdh.X25519().GenerateKey(rand.Reader)
			k.ECDH(peer.PublicKey())
			if group == kex.X25519MLKEM768 {
				ek.Encapsulate()
			}
			switch k := key.(type) {
			case *ecdsa.PrivateKey:
				ecdsa.SignASN1(rand.Reader, k, digest[:])
			case *rsa.PrivateKey:
				rsa.SignPSS(rand.Reader, k, 5, digest[:], nil)
			}
		}
		b.ReportMetric(float64(threadCPU()-t0)/float64(b.N), serverCPUMetric)
	}
}
