package fuzz

import (
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

// transcript is one real in-memory handshake plus data, made once.
type transcript struct {
	client, server [][]byte // each side's flights, in order
	messages       [][]byte // every plaintext handshake message seen
}

var (
	trOnce sync.Once
	tr     transcript
)

// realTranscript runs a TLS 1.2 handshake with client authentication and
// ALPN so the seeds cover most message types in the clear.
func realTranscript() transcript {
	trOnce.Do(func() {
		pki := tlstest.NewPKI(certgen.ECDSAP256)
		cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
		cc.MaxVersion, sc.MaxVersion = cipher.VersionTLS12, cipher.VersionTLS12
		cc.Certificates = []*handshake.Credential{pki.Cert}
		cc.ALPNProtocols, sc.ALPNProtocols = []string{"h2"}, []string{"h2"}
		sc.ClientAuth = handshake.RequestClientCert
		p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
		if err := p.Handshake(); err != nil {
			panic(err)
		}
		p.Client.Conn.Write([]byte("hello"))
		p.Pump()
		tr.client, tr.server = p.Client.Flights, p.Server.Flights
		for _, f := range append(append([][]byte{}, tr.client...), tr.server...) {
			tr.messages = append(tr.messages, plaintextMessages(f)...)
		}
	})
	return tr
}

// FuzzRecordParse: the record parser never panics, never reads past what
// it is given, and accepts only records within the RFC 5246 limits.
func FuzzRecordParse(f *testing.F) {
	for _, fl := range append(realTranscript().client, realTranscript().server...) {
		f.Add(fl)
	}
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for len(data) > 0 {
			h, frag, n, err := record.Parse(data)
			if err != nil || n == 0 {
				return
			}
			if n > len(data) || len(frag) != h.Length || h.Length > record.MaxCiphertext {
				t.Fatalf("Parse returned n=%d frag=%d for %d bytes", n, len(frag), len(data))
			}
			data = data[n:]
		}
	})
}

// FuzzHandshakeMessage: an accepted message re-marshals to the same bytes
// (for every type whose layout is canonical) and never panics.
func FuzzHandshakeMessage(f *testing.F) {
	for _, m := range realTranscript().messages {
		f.Add(m, uint16(0x0303))
	}
	// TLS 1.3: RFC 8448's trace, parsed as the 1.3 layouts.
	for _, m := range rfc8448Messages(f) {
		f.Add(m, uint16(0x0304))
	}
	// and the 1.3 shapes the trace lacks.
	for _, m := range []handshake.Message{
		&handshake.CertificateRequest13{SignatureSchemes: []kex.SignatureScheme{kex.Ed25519}, CertificateAuthorities: [][]byte{{0x30, 0}}},
		&handshake.KeyUpdate{UpdateRequested: true},
		handshake.NewHelloRetryRequest([]byte{1}, 0x1301, kex.X25519MLKEM768, []byte("cookie")),
		&handshake.Certificate13{Entries: []handshake.CertificateEntry{{Data: []byte{0x30, 0}, OCSPResponse: []byte{0x30, 0}, SCTs: [][]byte{{1}}}}},
	} {
		raw, err := m.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, uint16(0x0304))
	}
	f.Fuzz(func(t *testing.T, data []byte, version uint16) {
		m, err := handshake.ParseMessage(data, version)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("%T parsed but does not marshal: %v", m, err)
		}
		switch m.(type) {
		case *handshake.ClientHello, *handshake.ServerHello, *handshake.NextProtocol, *handshake.CertificateStatus,
			*handshake.EncryptedExtensions, *handshake.Certificate13, *handshake.CertificateRequest13, *handshake.NewSessionTicket13:
			// Unknown extensions, extension order or padding are not
			// kept field by field; Raw is what the transcript hashes.
			return
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("%T: re-marshal differs\n in %x\nout %x", m, data, out)
		}
	})
}

// feed drives a fresh engine with arbitrary bytes, split at seed-chosen
// points, and checks the engine's invariants.
func feed(t *testing.T, c *engine.Conn, data []byte, split byte) {
	step := int(split%17) + 1
	var fatal error
	for len(data) > 0 {
		n := min(step, len(data))
		c.Feed(data[:n])
		data = data[n:]
		for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
			if e.Kind == engine.EventError {
				fatal = e.Err
			}
			if e.Kind == engine.EventDecision {
				engine.Drive(c, acceptRenegotiation)
			}
		}
		if fatal != nil {
			// Latched: later input changes nothing and sends nothing.
			if err := c.Feed([]byte{22, 3, 3, 0, 0}); err != fatal {
				t.Fatalf("fatal error not latched: %v then %v", fatal, err)
			}
			if e := c.NextEvent(); e.Kind != engine.EventNone {
				t.Fatalf("event %v after a fatal error", e.Kind)
			}
			return
		}
	}
}

// FuzzServerEngine feeds arbitrary bytes to replayServer, seeded with
// the recorded clients of recordDeep (which a fresh server answers
// exactly as recorded, through application data and close_notify), the
// first flight of the ECDSA transcript, and the corpus of real clients
// (OpenSSL, GnuTLS, Node, Go) under testdata/fuzz/FuzzServerEngine.
func FuzzServerEngine(f *testing.F) {
	for i, s := range recordDeep() {
		f.Add(s.client, byte(i*5))
	}
	f.Add(realTranscript().client[0], byte(0))
	f.Fuzz(func(t *testing.T, data []byte, split byte) {
		cfg := replayServer()
		cfg.AskServerContext = split&0x80 != 0
		feed(t, engine.NewServer(cfg), data, split)
	})
}

// FuzzClientEngine feeds arbitrary bytes to replayClient after its hello,
// seeded with the recorded servers of recordDeep and the corpus of real
// servers under testdata/fuzz/FuzzClientEngine; the high bits of split
// pick the client's variant.
func FuzzClientEngine(f *testing.F) {
	for i, s := range recordDeep() {
		f.Add(s.server, s.variant|byte(i*3))
	}
	f.Fuzz(func(t *testing.T, data []byte, split byte) {
		cfg, opts := replayClient(split)
		c := engine.NewClient(cfg, opts)
		for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
		}
		feed(t, c, data, split)
	})
}

// FuzzX509 parses certificates, PEM bundles and keys.
func FuzzX509(f *testing.F) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	f.Add(pki.Chain.Leaf.DER)
	f.Add(pki.Chain.Root.CertPEM())
	if k, err := pki.Chain.Leaf.KeyPEM(); err == nil {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := x509lite.ParseCertificate(data); err == nil {
			// A parsed certificate can be verified and named without panics.
			x509lite.Verify([]*x509lite.Certificate{c}, x509lite.VerifyOptions{Roots: pki.Roots, Now: tlstest.Epoch})
			x509lite.VerifyHostname(c, "localhost")
			_ = c.Subject.String()
		}
		x509lite.ParseCertificates(data)
		x509lite.ParsePrivateKey(data, []byte("pass"))
	})
}

// rfc8448Messages reads the handshake messages of RFC 8448, Section 3 from
// testdata/rfc8448/simple-1rtt.hex ("Name hex" lines).
func rfc8448Messages(tb testing.TB) [][]byte {
	data, err := os.ReadFile("../testdata/rfc8448/simple-1rtt.hex")
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for line := range strings.Lines(string(data)) {
		name, h, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		out = append(out, b)
	}
	return out
}
