package handshake

import (
	"bytes"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// wholeBufferHash is the transcript hash as it was computed before the
// transcript ran: every message so far hashed at once, with the PRF hash in
// TLS 1.2 and MD5 || SHA-1 before it (RFC 2246, Section 7.4.9).
func wholeBufferHash(version uint16, h crypto.Hash, msgs []byte) []byte {
	if version >= cipher.VersionTLS12 {
		d := h.New()
		d.Write(msgs)
		return d.Sum(nil)
	}
	m, s := md5.Sum(msgs), sha1.Sum(msgs)
	return append(m[:], s[:]...)
}

// TestTranscriptSumsEqualWholeBufferHashes: the running transcript gives,
// at every point after the hash is chosen, the hash of the whole buffer
// for every version and PRF hash, wherever the hash is chosen, whether or
// not the messages are kept; a sum does not disturb the running hash, and
// the kept messages are exactly what was added.
func TestTranscriptSumsEqualWholeBufferHashes(t *testing.T) {
	suites := []*cipher.Suite{
		cipher.SuiteByName("AES128-SHA"),                    // SHA-256 PRF, TLS 1.0 to 1.2
		cipher.SuiteByName("ECDHE-RSA-AES128-GCM-SHA256"),   // SHA-256
		cipher.SuiteByName("ECDHE-RSA-AES256-GCM-SHA384"),   // SHA-384
		cipher.SuiteByName("ECDHE-ECDSA-AES256-GCM-SHA384"), // SHA-384
	}
	// Messages of assorted sizes, some past a hash block.
	var msgs [][]byte
	for i, n := range []int{4, 517, 90, 1200, 4, 70, 16, 300} {
		msgs = append(msgs, bytes.Repeat([]byte{byte(i + 1)}, n))
	}
	for _, s := range suites {
		for _, v := range []uint16{cipher.VersionTLS10, cipher.VersionTLS11, cipher.VersionTLS12} {
			if !s.SupportsVersion(v) {
				continue
			}
			for at := range len(msgs) + 1 {
				for _, keep := range []bool{false, true} {
					name := fmt.Sprintf("%s/0x%04x/hash-after-%d/keep-%v", s.Name, v, at, keep)
					var tr transcript
					var all []byte
					for i, m := range msgs {
						if i == at {
							tr.setHash(s, v, keep)
						}
						tr.add(m)
						all = append(all, m...)
						if i < at {
							continue
						}
						want := wholeBufferHash(v, s.PRFHash, all)
						if got := tr.sum(); !bytes.Equal(got, want) {
							t.Fatalf("%s: sum after message %d = %x, want %x", name, i, got, want)
						}
						if got := tr.sum(); !bytes.Equal(got, want) {
							t.Fatalf("%s: a second sum after message %d changed to %x", name, i, got)
						}
					}
					if at == len(msgs) {
						tr.setHash(s, v, keep)
						if got, want := tr.sum(), wholeBufferHash(v, s.PRFHash, all); !bytes.Equal(got, want) {
							t.Fatalf("%s: sum = %x, want %x", name, got, want)
						}
					}
					if !keep {
						if tr.msgs != nil {
							t.Fatalf("%s: %d message bytes held though no CertificateVerify needs them", name, len(tr.msgs))
						}
						continue
					}
					if got := tr.takeMessages(); !bytes.Equal(got, all) {
						t.Fatalf("%s: kept messages differ from those added", name)
					}
					tr.add([]byte{20, 0, 0, 12})
					if tr.msgs != nil {
						t.Fatalf("%s: messages still held after takeMessages", name)
					}
				}
			}
		}
	}
}

// TestTranscriptKeepsMessagesOnlyForCertificateVerify: each side holds the
// raw messages only in the states where a CertificateVerify may still be
// signed (client with a certificate, until it sends its flight) or
// verified (server that asked for one, until it arrives), and never in an
// abbreviated handshake.
func TestTranscriptKeepsMessagesOnlyForCertificateVerify(t *testing.T) {
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ch, err := certgen.NewChain(certgen.ECDSAP256, epoch, []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509lite.ParseCertificate(ch.Root.DER)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509lite.NewPool()
	roots.Add(root)
	cred, err := NewCredential([][]byte{ch.Leaf.DER, ch.Intermediate.DER}, ch.Leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return epoch.Add(time.Hour) }
	tickets, err := session.NewTicketer(bytes.Repeat([]byte{5}, 48))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                   string
		version                uint16
		clientCert, askCert    bool
		wantClient, wantServer []string
	}{
		{name: "no client auth", version: cipher.VersionTLS12},
		{name: "client has a certificate, none asked", version: cipher.VersionTLS12, clientCert: true,
			wantClient: []string{"expectServerCertificate", "expectServerKeyExchange", "expectServerHelloDone"}},
		{name: "asked, client has none", version: cipher.VersionTLS12, askCert: true,
			wantServer: []string{"expectClientCertificate"}},
		{name: "client auth TLS 1.2", version: cipher.VersionTLS12, clientCert: true, askCert: true,
			wantClient: []string{"expectServerCertificate", "expectServerKeyExchange", "expectServerHelloDone", "expectServerHelloDone"},
			wantServer: []string{"expectClientCertificate", "expectClientKeyExchange", "expectCertificateVerify"}},
		{name: "client auth TLS 1.0", version: cipher.VersionTLS10, clientCert: true, askCert: true,
			wantClient: []string{"expectServerCertificate", "expectServerKeyExchange", "expectServerHelloDone", "expectServerHelloDone"},
			wantServer: []string{"expectClientCertificate", "expectClientKeyExchange", "expectCertificateVerify"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg := &Config{Rand: rand.Reader, Now: now, RootCAs: roots, MinVersion: tc.version, MaxVersion: tc.version}
			scfg := &Config{Rand: rand.Reader, Now: now, RootCAs: roots, Certificates: []*Credential{cred},
				MinVersion: tc.version, MaxVersion: tc.version}
			if tc.version < cipher.VersionTLS12 {
				suites := []uint16{cipher.SuiteByName("ECDHE-ECDSA-AES128-SHA").ID}
				ccfg.CipherSuites, scfg.CipherSuites = suites, suites
				ccfg.SecurityLevelZero, scfg.SecurityLevelZero = true, true
			}
			if tc.clientCert {
				ccfg.Certificates = []*Credential{cred}
			}
			if tc.askCert {
				scfg.ClientAuth = RequestClientCert
			}
			scfg.Tickets = tickets
			client, server, sess := keptIn(t, ccfg, scfg, nil)
			if !slices.Equal(client, tc.wantClient) || !slices.Equal(server, tc.wantServer) {
				t.Fatalf("messages kept in\nclient %v, want %v\nserver %v, want %v", client, tc.wantClient, server, tc.wantServer)
			}
			if sess == nil {
				t.Fatal("no session to resume")
			}
			if client, server, _ := keptIn(t, ccfg, scfg, sess); client != nil || server != nil {
				t.Fatalf("messages kept in a resumption\nclient %v\nserver %v", client, server)
			}
		})
	}
}

// keptIn runs a handshake between two machines and lists, per side, the
// states after the hash was chosen in which the transcript still held the
// raw messages, and the client's session.
func keptIn(t *testing.T, ccfg, scfg *Config, resume *session.State) (client, server []string, sess *session.State) {
	t.Helper()
	cs, ss := &queueSink{}, &queueSink{}
	c := NewClient(ccfg, ClientOptions{ServerName: "localhost", Session: resume}, cs)
	s := NewServer(scfg, ss)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	sides := []struct {
		from *queueSink
		to   *Machine
		kept *[]string
	}{{cs, s, &server}, {ss, c, &client}}
	for busy := true; busy; {
		busy = false
		for _, d := range sides {
			for ; len(d.from.out) > 0; busy = true {
				raw := d.from.out[0]
				d.from.out = d.from.out[1:]
				if err := deliver(d.to, raw); err != nil {
					t.Fatal(err)
				}
				if tr := transcriptOf(d.to.state); tr != nil && tr.running != nil && tr.msgs != nil {
					*d.kept = append(*d.kept, reflect.TypeOf(d.to.state).Elem().Name())
				}
			}
		}
	}
	if c.InHandshake() || s.InHandshake() || cs.state == nil {
		t.Fatal("handshake not completed")
	}
	if resume != nil && !cs.state.Resumed {
		t.Fatal("the session was not resumed")
	}
	return client, server, cs.state.Session
}

// deliver hands m a message, or a ChangeCipherSpec for nil.
func deliver(m *Machine, raw []byte) error {
	if raw == nil {
		return m.HandleChangeCipherSpec([]byte{1})
	}
	return m.HandleMessage(raw)
}

// transcriptOf is the transcript of the handshake a state belongs to: the
// one in its hs field, if it has one.
func transcriptOf(st state) *transcript {
	v := reflect.ValueOf(st)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("hs")
	if !f.IsValid() || f.IsNil() {
		return nil
	}
	switch hs := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(type) {
	case *clientHS:
		return &hs.t
	case *serverHS:
		return &hs.t
	}
	return nil
}

// queueSink queues what a machine sends for its peer; nil stands for a
// ChangeCipherSpec.
type queueSink struct {
	nopSink
	out   [][]byte
	state *ConnectionState
}

func (s *queueSink) HandshakeDone(st *ConnectionState) { s.state = st }

func (s *queueSink) SendMessage(raw []byte) { s.out = append(s.out, bytes.Clone(raw)) }

func (s *queueSink) SendChangeCipherSpec() error {
	s.out = append(s.out, nil)
	return nil
}
