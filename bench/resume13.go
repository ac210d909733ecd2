package bench

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	gotls "crypto/tls"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
)

// The TLS 1.3 resumption cases: psk_dhe_ke with a fresh key exchange on
// X25519 or X25519MLKEM768, both libraries issuing one ticket per
// resumption (which each client reads, so the ticket is part of the
// work), every iteration checked to have resumed. Our server, as Node's,
// sends a ticket on a resumption only to renew one sealed under the
// previous key (or past half its life), so its key is rotated between
// iterations, untimed, to make it do crypto/tls's work.

var resume13Groups = []kex.Group{kex.X25519, kex.X25519MLKEM768}

// resume13Cases are the client+server and the server-alone rows.
func resume13Cases() []Case {
	var cs []Case
	for _, g := range resume13Groups {
		cs = append(cs, Case{Name: "resumed TLS 1.3 psk_dhe_ke " + g.String() + " (client+server)",
			Ours: resume13Ours(g), Theirs: resume13Theirs(g), Floor: resume13Floor(g)})
	}
	if !haveThreadCPU {
		return cs
	}
	for _, g := range resume13Groups {
		cs = append(cs, Case{Name: "server CPU, resumed TLS 1.3 psk_dhe_ke " + g.String() + " (thread CPU)",
			Metric: serverCPUMetric, Paired: resume13ServerCPU(g), Floor: resume13ServerFloor(g)})
	}
	return cs
}

// ticketKeys13 is the 48-byte key of our server in these cases.
func ticketKeys13() *session.Ticketer {
	tk, _ := session.NewTicketer(bytes.Repeat([]byte{3}, session.KeyLen))
	return tk
}

// resume13Ours resumes our client with our server in memory.
func resume13Ours(g kex.Group) func(b *testing.B) {
	return func(b *testing.B) {
		pki := tlstest.NewPKI(certgen.ECDSAP256)
		cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
		pin13(g, cc, sc)
		sc.Tickets = ticketKeys13()
		first := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
		if err := first.Handshake(); err != nil || len(first.Client.Sessions) == 0 {
			b.Fatalf("no ticket: %v", err)
		}
		// The ticket is now under the previous key: each resumption
		// renews it.
		sess := first.Client.Sessions[0]
		sc.Tickets.SetKey(bytes.Repeat([]byte{4}, session.KeyLen))
		b.ReportAllocs()
		for b.Loop() {
			p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost", Session: sess})
			if err := p.Handshake(); err != nil || !p.Client.State.Resumed || len(p.Client.Sessions) != 1 {
				b.Fatalf("not resumed: %v", err)
			}
			checkOurs13(b, p, g)
		}
	}
}

// goConfigsResume13 are crypto/tls's TLS 1.3 configurations with tickets
// and a client session cache.
func goConfigsResume13(g kex.Group) (client, server *gotls.Config) {
	client, server = goConfigs13(tlstest.NewPKI(certgen.ECDSAP256), g)
	server.SessionTicketsDisabled = false
	client.ClientSessionCache = gotls.NewLRUClientSessionCache(1)
	return client, server
}

// goResume13 runs one crypto/tls handshake over net.Pipe; the server
// writes one byte after it, which the client reads behind the ticket.
func goResume13(ccfg, scfg *gotls.Config) (gotls.ConnectionState, error) {
	a, z := net.Pipe()
	defer a.Close()
	defer z.Close()
	done := make(chan error, 1)
	go func() {
		srv := gotls.Server(a, scfg)
		err := srv.Handshake()
		if err == nil {
			_, err = srv.Write([]byte{1})
		}
		done <- err
	}()
	st, err := goClient13(z, ccfg)
	if serr := <-done; err == nil {
		err = serr
	}
	return st, err
}

// goClient13 runs a crypto/tls client handshake on c and reads the one
// byte the server writes after it, and so the tickets before it.
func goClient13(c net.Conn, ccfg *gotls.Config) (gotls.ConnectionState, error) {
	cli := gotls.Client(c, ccfg)
	err := cli.Handshake()
	if err == nil {
		_, err = io.ReadFull(cli, make([]byte, 1))
	}
	return cli.ConnectionState(), err
}

// resume13Theirs resumes crypto/tls with itself.
func resume13Theirs(g kex.Group) func(b *testing.B) {
	return func(b *testing.B) {
		ccfg, scfg := goConfigsResume13(g)
		if _, err := goResume13(ccfg, scfg); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			st, err := goResume13(ccfg, scfg)
			if err != nil || !st.DidResume {
				b.Fatalf("not resumed: %v", err)
			}
			checkGo13(b, st, g)
		}
	}
}

// resumeServer is a server end that can also write.
type resumeServer interface {
	handshaker
	Write([]byte) (int, error)
}

// resume13ServerCPU measures the server thread's CPU per resumption of a
// crypto/tls client, our server and crypto/tls's taking turns
// (pairedServerCPU); the byte the server writes after the handshake,
// outside the timing, makes the client read the ticket.
func resume13ServerCPU(g kex.Group) func(b *testing.B) {
	return func(b *testing.B) {
		ours, err := resume13Server(g, true)
		if err != nil {
			b.Fatal(err)
		}
		theirs, err := resume13Server(g, false)
		if err != nil {
			b.Fatal(err)
		}
		pairedServerCPU(b, ours, theirs)
	}
}

// resume13Server sets up one side, our server (ours) or crypto/tls's,
// with a crypto/tls client of its own that has made a full handshake, and
// returns its timed resumption.
func resume13Server(g kex.Group, ours bool) (func() (int64, error), error) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	ccfg, scfg := goConfigsResume13(g)
	sc := pki.ServerConfig(2)
	sc.Rand = rand.Reader
	pin13(g, sc)
	sc.Tickets = ticketKeys13()
	server := func(c net.Conn) handshaker {
		if ours {
			return api.NewServerSocket(c, sc, nil)
		}
		return goServer{gotls.Server(c, scfg)}
	}
	once := func(timed bool) (int64, error) {
		client := func(z net.Conn) error {
			st, err := goClient13(z, ccfg)
			if err == nil && timed && !st.DidResume {
				err = errors.New("crypto/tls client did not resume")
			}
			if err == nil {
				err = check13("crypto/tls client", st.Version, st.CipherSuite, kex.Group(st.CurveID), g)
			}
			return err
		}
		return serverHandshakeCPU(server, client, func(s handshaker) error {
			_, err := s.(resumeServer).Write([]byte{1})
			return err
		})
	}
	if _, err := once(false); err != nil {
		return nil, err
	}
	keys := [][]byte{bytes.Repeat([]byte{4}, session.KeyLen), bytes.Repeat([]byte{3}, session.KeyLen)}
	i := 0
	return func() (int64, error) {
		// The client's newest ticket goes under the previous key, so
		// our server renews it as crypto/tls sends one.
		sc.Tickets.SetKey(keys[i%2])
		i++
		return once(true)
	}, nil
}

// resume13Floor is a resumption's primitive work on both sides: the
// client's key share and the server's answer to it (two X25519 key
// generations and shared secrets, and for the hybrid an ML-KEM-768 key
// generation, encapsulation and decapsulation).
func resume13Floor(g kex.Group) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, _ := ecdh.X25519().GenerateKey(rand.Reader)
			s, _ := ecdh.X25519().GenerateKey(rand.Reader)
			s.ECDH(c.PublicKey())
			c.ECDH(s.PublicKey())
			if g == kex.X25519MLKEM768 {
				mlkemFloor(b)
			}
		}
	}
}

// resume13ServerFloor is a resumed server's primitive work: answering
// the client's share, with no signature.
func resume13ServerFloor(g kex.Group) func(b *testing.B) { return keyShareFloor(g, nil) }
