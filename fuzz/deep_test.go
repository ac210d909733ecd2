package fuzz

import (
	"bytes"
	"sync"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/testonly"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/session"
)

// The engine fuzzers get deep by replay. Both ends of a recorded
// handshake are deterministic: fixed randomness, a fixed clock, Ed25519
// certificates (whose signatures are deterministic) and a fixed ticket
// key. A fresh engine made by replayServer or replayClient, fed the
// peer's recorded flights, answers byte for byte as it did when they were
// recorded, so the peer's Finished verifies and the fuzzer starts from a
// seed that reaches application data. The test-only null suite
// (testonly.NullSuite, given to both ends through Config.TestOnlySuites)
// sends protected records as plaintext with no MAC, so a mutation of a
// Finished, an alert or application data after the ChangeCipherSpec is
// still accepted by the record layer and reaches the code behind it.

var ticketKey = bytes.Repeat([]byte{0x5a}, session.KeyLen)

// replayServer is the server every server-side seed was recorded
// against: TLS 1.2 (server13 is the TLS 1.3 one), the null suite first,
// then the real ones, a requested client certificate, ALPN, tickets and a
// session cache.
func replayServer() *engine.Config {
	pki := tlstest.NewPKI(certgen.Ed25519)
	cfg := pki.ServerConfig(2)
	cfg.MaxVersion = cipher.VersionTLS12
	cfg.CipherSuites = append([]uint16{testonly.NullSuiteID}, handshake.DefaultCipherSuites...)
	cfg.TestOnlySuites = []*cipher.Suite{testonly.NullSuite}
	cfg.PreferServerCipherSuites = true
	cfg.ClientAuth = handshake.RequestClientCert
	cfg.ALPNProtocols = []string{"h2", "http/1.1"}
	cfg.Tickets, _ = session.NewTicketer(ticketKey)
	cfg.SessionCache = session.NewCache(16)
	cfg.AskRenegotiation = true // feed accepts every renegotiation
	return cfg
}

// Variants of replayClient, chosen by bits of a client-side seed's
// second argument so one fuzz target covers them all.
const (
	// realSuites leaves the null suite out of the offer.
	realSuites byte = 0x40
	// insecure skips certificate verification, for seeds recorded against
	// real servers whose certificates our roots do not know.
	insecure byte = 0x80
)

// replayClient is the client every client-side seed was recorded with,
// in the variant the bits of v select: TLS 1.2 (client13 is the TLS 1.3
// one).
func replayClient(v byte) (*engine.Config, engine.ClientOptions) {
	pki := tlstest.NewPKI(certgen.Ed25519)
	cfg := pki.ClientConfig(1)
	cfg.MaxVersion = cipher.VersionTLS12
	cfg.CipherSuites = append([]uint16{testonly.NullSuiteID}, handshake.DefaultCipherSuites...)
	cfg.TestOnlySuites = []*cipher.Suite{testonly.NullSuite}
	if v&realSuites != 0 {
		cfg.CipherSuites = handshake.DefaultCipherSuites
	}
	cfg.Certificates = []*handshake.Credential{pki.Cert}
	cfg.ALPNProtocols = []string{"h2"}
	cfg.InsecureSkipVerify = v&insecure != 0
	cfg.RenegotiateOnRequest = true
	return cfg, engine.ClientOptions{ServerName: "localhost"}
}

// deepSeed is one recorded exchange: each side's bytes in order.
type deepSeed struct {
	name           string
	variant        byte // the replayClient variant that recorded it
	client, server []byte
}

var (
	deepOnce  sync.Once
	deepSeeds []deepSeed
)

// recordDeep runs the in-memory exchanges behind the engine seeds: a full
// handshake on the null suite with a client certificate and application
// data both ways, ended by close_notify; the same on AES-128-GCM; and a
// resumption by ticket of the first.
func recordDeep() []deepSeed {
	deepOnce.Do(func() {
		run := func(name string, variant byte, sess *session.State, reneg func(p *tlstest.Pair)) *session.State {
			cc, opts := replayClient(variant)
			opts.Session = sess
			p := tlstest.NewPair(cc, replayServer(), opts)
			p.Resolvers = acceptRenegotiation
			if err := p.Handshake(); err != nil {
				panic(name + ": " + err.Error())
			}
			if reneg != nil {
				reneg(p)
				p.Pump()
				if p.Server.Handshakes != 2 || p.Client.Handshakes != 2 {
					panic(name + ": the renegotiation did not complete")
				}
			}
			p.Client.Conn.Write([]byte("ping from the client"))
			p.Server.Conn.Write([]byte("pong from the server"))
			p.Pump()
			p.Client.Conn.Close()
			p.Pump()
			deepSeeds = append(deepSeeds, deepSeed{name, variant, p.Client.Wire, p.Server.Wire})
			return p.Client.State.Session
		}
		sess := run("null", 0, nil, nil)
		run("aes128gcm", realSuites, nil, nil)
		run("null-resumed", 0, sess, nil)
		run("null-client-renegotiates", 0, nil, func(p *tlstest.Pair) { p.Client.Conn.Renegotiate(nil) })
		run("null-server-renegotiates", 0, nil, func(p *tlstest.Pair) { p.Server.Conn.Renegotiate(nil) })
	})
	return deepSeeds
}

// acceptRenegotiation answers the replay server's renegotiation decisions.
var acceptRenegotiation = engine.Resolvers{Renegotiation: func() (bool, error) { return true, nil }}

// replay feeds one side's recorded bytes to a fresh engine and reports
// what it saw.
func replay(c *engine.Conn, data []byte) (done bool, plain []byte, peerClosed bool, err error) {
	c.Feed(data)
	engine.Drive(c, acceptRenegotiation)
	for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
		switch e.Kind {
		case engine.EventHandshakeDone:
			done = true
		case engine.EventPlaintext:
			plain = append(plain, e.Data...)
		case engine.EventPeerClosed:
			peerClosed = true
		case engine.EventError:
			err = e.Err
		}
	}
	return
}

// TestReplayReachesApplicationData proves the engine seeds go deep: a
// fresh server fed a recorded client (and a fresh client fed a recorded
// server) completes the handshake, decrypts the application data and
// sees the close_notify. If the engines stopped being deterministic, the
// fuzzers would stall at the Finished check and this test says so.
func TestReplayReachesApplicationData(t *testing.T) {
	for _, s := range recordDeep() {
		done, plain, closed, err := replay(engine.NewServer(replayServer()), s.client)
		if err != nil || !done || string(plain) != "ping from the client" || !closed {
			t.Errorf("%s: server replay: done %v, plaintext %q, peer closed %v, err %v", s.name, done, plain, closed, err)
		}
		cc, opts := replayClient(s.variant)
		if s.name == "null-resumed" || s.name == "null-client-renegotiates" {
			continue // the client would need the recorded session, or its application's call
		}
		c := engine.NewClient(cc, opts)
		for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
		}
		done, plain, _, err = replay(c, s.server)
		if err != nil || !done || string(plain) != "pong from the server" {
			t.Errorf("%s: client replay: done %v, plaintext %q, err %v", s.name, done, plain, err)
		}
	}
}

// TestNullSuiteOnlyThroughConfig: the null suite is known only to a
// configuration that lists it in TestOnlySuites. cipher does not know it,
// and a server whose configuration lacks it does not negotiate it even
// when it is first in the server's and the client's lists.
func TestNullSuiteOnlyThroughConfig(t *testing.T) {
	if cipher.SuiteByID(testonly.NullSuiteID) != nil {
		t.Fatal("cipher.SuiteByID knows the null suite")
	}
	for _, s := range cipher.Suites() {
		if s.ID == testonly.NullSuiteID {
			t.Fatal("the null suite is in cipher.Suites")
		}
	}
	cc, opts := replayClient(0)
	sc := replayServer()
	sc.TestOnlySuites = nil
	p := tlstest.NewPair(cc, sc, opts)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if got := p.Server.State.Suite; got.ID == testonly.NullSuiteID {
		t.Fatal("the null suite was negotiated without TestOnlySuites")
	}
	// With it on both ends, the null suite is what they agree on.
	p = tlstest.NewPair(cc, replayServer(), opts)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if got := p.Server.State.Suite; got != testonly.NullSuite {
		t.Fatalf("negotiated %v, want the null suite", got)
	}
}
