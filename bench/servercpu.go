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

// theirsServerCPUMetric is crypto/tls's figure in a paired case.
const theirsServerCPUMetric = "crypto-tls-" + serverCPUMetric

// serverHandshakeCPU runs one handshake over net.Pipe and returns the
// server thread's CPU time in it; after, if not nil, then runs on the
// server, untimed.
func serverHandshakeCPU(server func(net.Conn) handshaker, client func(net.Conn) error, after func(handshaker) error) (int64, error) {
	a, z := net.Pipe()
	defer a.Close()
	defer z.Close()
	cerr := make(chan error, 1)
	go func() { cerr <- client(z) }()
	used := make(chan int64, 1)
	serr := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		s := server(a)
		t0 := threadCPU()
		err := s.Handshake(context.Background())
		used <- threadCPU() - t0
		if err == nil && after != nil {
			err = after(s)
		}
		serr <- err
	}()
	n := <-used
	err := <-serr
	if cerr := <-cerr; err == nil {
		err = cerr
	}
	return n, err
}

// pairedServerCPU measures our server and crypto/tls's in turns of
// pairedTurn handshakes each, so that both see the same machine: on these
// shared machines the load drifts between runs by more than the
// difference measured (two runs of the same code differed by 10-30%),
// and turns leave the ratio within a few percent. A turn is long enough
// for each library to run with its own code and data in the caches, as
// in a server of its own (taking turns at every handshake made both
// about 1.5 times as slow). It reports our server's thread CPU per
// handshake as serverCPUMetric and crypto/tls's as theirsServerCPUMetric.
func pairedServerCPU(b *testing.B, ours, theirs func() (int64, error)) {
	b.ReportAllocs()
	var o, t int64
	turn := func(side string, f func() (int64, error), n int, sum *int64) {
		for range n {
			used, err := f()
			if err != nil {
				b.Fatalf("%s: %v", side, err)
			}
			*sum += used
		}
	}
	b.ResetTimer()
	for done := 0; done < b.N; done += pairedTurn {
		n := min(pairedTurn, b.N-done)
		turn("tlsengine", ours, n, &o)
		turn("crypto/tls", theirs, n, &t)
	}
	b.ReportMetric(float64(o)/float64(b.N), serverCPUMetric)
	b.ReportMetric(float64(t)/float64(b.N), theirsServerCPUMetric)
}

// pairedTurn is how many handshakes one side makes before the other's
// turn.
const pairedTurn = 50

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
			Paired: func(b *testing.B) {
				sc, ccfg, scfg := configs(tlstest.NewPKI(h.kt))
				pairedServerCPU(b, func() (int64, error) {
					return serverHandshakeCPU(func(c net.Conn) handshaker { return api.NewServerSocket(c, sc, nil) }, client(ccfg), nil)
				}, func() (int64, error) {
					return serverHandshakeCPU(func(c net.Conn) handshaker { return goServer{gotls.Server(c, scfg)} }, client(ccfg), nil)
				})
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
