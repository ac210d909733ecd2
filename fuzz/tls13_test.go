package fuzz

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/session"
)

// server13 and client13 are the TLS 1.3 configurations the TLS 1.3 engine
// seeds were recorded with: fixed randomness, so a fresh engine answers
// the recorded peer exactly as recorded, through the encrypted part
// (Ed25519 signatures are deterministic; ECDSA ones are not).
func server13() *engine.Config {
	cfg := tlstest.NewPKI(certgen.Ed25519).ServerConfig(2)
	cfg.MaxVersion, cfg.ClientAuth = cipher.VersionTLS13, handshake.RequestClientCert
	cfg.ALPNProtocols = []string{"h2"}
	cfg.Tickets = tickets13
	return cfg
}

// tickets13 is server13's fixed ticket key, so that a recorded
// resumption replays.
var tickets13, _ = session.NewTicketer(bytes.Repeat([]byte{0x13}, session.KeyLen))

func client13() *engine.Config {
	pki := tlstest.NewPKI(certgen.Ed25519)
	cfg := pki.ClientConfig(1)
	cfg.MaxVersion, cfg.Certificates = cipher.VersionTLS13, []*handshake.Credential{pki.Cert}
	cfg.ALPNProtocols = []string{"h2"}
	return cfg
}

var (
	seeds13Once sync.Once
	seeds13     []deepSeed
	// resumed13 is the client of a resumption with the first
	// connection's ticket (PSK, binder, no certificates), for the server
	// target only: a fresh client has no session to offer.
	resumed13 []byte
)

// record13 runs the TLS 1.3 exchanges behind the seeds: a full handshake
// with a client certificate, data both ways, a KeyUpdate each way and
// close_notify.
func record13() []deepSeed {
	seeds13Once.Do(func() {
		p := tlstest.NewPair(client13(), server13(), engine.ClientOptions{ServerName: "localhost"})
		if err := p.Handshake(); err != nil {
			panic(err)
		}
		p.Client.Conn.Write([]byte("hello over TLS 1.3"))
		p.Pump()
		p.Client.Conn.UpdateKeys(true)
		p.Pump()
		p.Server.Conn.Write([]byte("answer"))
		p.Server.Conn.UpdateKeys(false)
		p.Pump()
		p.Client.Conn.Close()
		p.Pump()
		seeds13 = append(seeds13, deepSeed{name: "tls13", client: p.Client.Wire, server: p.Server.Wire})
		r := tlstest.NewPair(client13(), server13(), engine.ClientOptions{ServerName: "localhost", Session: p.Client.Sessions[0]})
		if err := r.Handshake(); err != nil || !r.Server.State.Resumed {
			panic(fmt.Sprintf("recording the resumption: %v", err))
		}
		r.Client.Conn.Write([]byte("resumed"))
		r.Pump()
		resumed13 = r.Client.Wire
	})
	return seeds13
}

// TestSeeds13GoDeep guards the seeds: a fresh server fed the recorded
// client, and a fresh client fed the recorded server, finish the
// handshake and read the data without an error.
func TestSeeds13GoDeep(t *testing.T) {
	record13()
	srv := engine.NewServer(server13())
	srv.Feed(resumed13)
	var resumed, plain bool
	for e := srv.NextEvent(); e.Kind != engine.EventNone; e = srv.NextEvent() {
		resumed = resumed || e.Kind == engine.EventHandshakeDone && e.State.Resumed
		plain = plain || e.Kind == engine.EventPlaintext
	}
	if srv.Err() != nil || !resumed || !plain {
		t.Fatalf("resumption seed: resumed %v, data %v, error %v", resumed, plain, srv.Err())
	}
	for _, s := range record13() {
		srv := engine.NewServer(server13())
		srv.Feed(s.client)
		cli := engine.NewClient(client13(), engine.ClientOptions{ServerName: "localhost"})
		cli.Feed(s.server)
		for _, c := range []*engine.Conn{srv, cli} {
			var done, plain, closed bool
			for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
				done = done || e.Kind == engine.EventHandshakeDone
				plain = plain || e.Kind == engine.EventPlaintext
				closed = closed || e.Kind == engine.EventPeerClosed
			}
			if c.Err() != nil || !done || !plain {
				t.Fatalf("%s: done %v, data %v, error %v", s.name, done, plain, c.Err())
			}
		}
	}
}

// FuzzServerEngine13 feeds arbitrary bytes to a TLS 1.3 server, seeded
// with the recorded TLS 1.3 client, its resumption, and the real TLS 1.3 clients under
// testdata/fuzz/FuzzServerEngine13 (TestRealPeerCorpus13).
func FuzzServerEngine13(f *testing.F) {
	for i, s := range record13() {
		f.Add(s.client, byte(i*7))
	}
	f.Add(resumed13, byte(5))
	f.Fuzz(func(t *testing.T, data []byte, split byte) {
		feed(t, engine.NewServer(server13()), data, split)
	})
}

// FuzzClientEngine13 feeds arbitrary bytes to a TLS 1.3 client after its
// hello, seeded with the recorded TLS 1.3 server and the real TLS 1.3
// servers under testdata/fuzz/FuzzClientEngine13 (TestRealPeerCorpus13).
func FuzzClientEngine13(f *testing.F) {
	for i, s := range record13() {
		f.Add(s.server, byte(i*3))
	}
	f.Fuzz(func(t *testing.T, data []byte, split byte) {
		c := engine.NewClient(client13(), engine.ClientOptions{ServerName: "localhost"})
		for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
		}
		feed(t, c, data, split)
	})
}
