package tlstest_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// The transcripts under testdata/transcripts are connections between our
// engine and the local OpenSSL (s_client against our server, s_server
// against our client) over loopback, recorded by
//
//	go test -run TestOpenSSLTranscripts ./internal/tlstest -update
//
// and replayed offline by every go test. Our side is deterministic (fixed
// randomness and clock, Ed25519 signatures, a fixed ticket key, the
// certificates stored beside the transcripts), so a fresh engine fed the
// peer's recorded bytes must write exactly the recorded bytes and
// complete the handshake. When a change alters what the engine sends on
// purpose, record them again with -update and say so in the commit.
var update = flag.Bool("update", false, "record testdata/transcripts again from the local openssl")

var transcriptDir = filepath.Join("..", "..", "testdata", "transcripts")

// ticketKey is our server's ticket key in every transcript.
var ticketKey = bytes.Repeat([]byte{0x5a}, session.KeyLen)

// opensslClientCase is one connection of s_client to our server.
type opensslClientCase struct {
	name   string
	args   []string // s_client's, after -connect; @file names a fixture or the session file
	server func(fx *fixtures) *engine.Config
	shape  handshake.Shape // the row of handshake.Flights the exchange follows
	check  func(st *engine.ConnectionState) error
}

var opensslClientCases = []opensslClientCase{
	{
		name:   "s_client-full-ecdhe",
		args:   []string{"-sess_out", "@sess.pem"},
		server: func(fx *fixtures) *engine.Config { return fx.server(fx.ed25519) },
		shape:  handshake.Shape{KX: "ECDHE", Ticket: true},
	},
	{
		name:   "s_client-resumed-ticket",
		args:   []string{"-sess_in", "@sess.pem"},
		server: func(fx *fixtures) *engine.Config { return fx.server(fx.ed25519) },
		shape:  handshake.Shape{Resumed: "ticket"},
	},
	{
		name: "s_client-full-rsa",
		args: []string{"-cipher", "AES128-GCM-SHA256"},
		server: func(fx *fixtures) *engine.Config {
			cfg := fx.server(fx.rsa)
			cfg.CipherSuites = []uint16{0x009c}
			return cfg
		},
		shape: handshake.Shape{KX: "RSA", Ticket: true},
	},
	{
		name: "s_client-client-auth",
		args: []string{"-cert", "@ed25519-leaf.pem", "-key", "@ed25519-key.pem", "-cert_chain", "@ed25519-intermediate.pem"},
		server: func(fx *fixtures) *engine.Config {
			cfg := fx.server(fx.ed25519)
			cfg.ClientAuth = handshake.RequireVerifiedClientCert
			return cfg
		},
		shape: handshake.Shape{KX: "ECDHE", Ticket: true, ClientAuth: "cert"},
		check: func(st *engine.ConnectionState) error {
			if len(st.PeerCertificates) != 2 || st.VerifyError != nil {
				return fmt.Errorf("client chain of %d certificates, verification %v", len(st.PeerCertificates), st.VerifyError)
			}
			return nil
		},
	},
}

// opensslServerCase is one s_server process serving our client once per
// connection, each connection resuming the session of the one before.
type opensslServerCase struct {
	args        []string // s_server's, besides -accept, -cert, -key, -cert_chain and -naccept
	connections []string // transcript names; the first is full, the others resume
	shapes      []handshake.Shape
	// firstWithoutTickets makes our client offer no ticket extension on
	// the first connection (so the session has only an id), and the
	// extension on the others.
	firstWithoutTickets bool
}

var opensslServerCases = []opensslServerCase{
	{
		connections: []string{"s_server-full", "s_server-resumed-ticket"},
		shapes:      []handshake.Shape{{KX: "ECDHE", Ticket: true}, {Resumed: "ticket"}},
	},
	{
		args:        []string{"-no_ticket"},
		connections: []string{"s_server-full-no-ticket", "s_server-resumed-id"},
		shapes:      []handshake.Shape{{KX: "ECDHE"}, {Resumed: "id"}},
	},
	{
		// A shape of handshake.Unproduced: OpenSSL resumes by id and
		// issues a ticket because the client offered the extension.
		connections:         []string{"s_server-full-no-ticket-offered", "s_server-resumed-id-new-ticket"},
		shapes:              []handshake.Shape{{KX: "ECDHE"}, {Resumed: "id", Ticket: true}},
		firstWithoutTickets: true,
	},
}

// TestOpenSSLTranscripts replays every recorded OpenSSL connection against
// a fresh engine: it must write the recorded bytes, chunk for chunk, and
// complete the handshake as recorded (key exchange, resumption, client
// certificate).
func TestOpenSSLTranscripts(t *testing.T) {
	fx := loadFixtures(t)
	if *update {
		recordOpenSSL(t, fx)
	}
	for _, c := range opensslClientCases {
		t.Run(c.name, func(t *testing.T) {
			tr := readTranscript(t, c.name, false)
			replayTranscript(t, tr, engine.NewServer(c.server(fx)), c.shape, c.check)
		})
	}
	for _, c := range opensslServerCases {
		var sess *session.State
		for i, name := range c.connections {
			t.Run(name, func(t *testing.T) {
				tr := readTranscript(t, name, true)
				cfg, opts := fx.client(i, sess, c.firstWithoutTickets)
				st := replayTranscript(t, tr, engine.NewClient(cfg, opts), c.shapes[i], nil)
				if st != nil {
					sess = st.Session
				}
			})
		}
	}
}

// replayTranscript runs Exchange over tr with c and checks the replay, the
// handshake's outcome and that the messages both sides sent, decrypted
// with our keylog, are the shape's sequence.
func replayTranscript(t *testing.T, tr *tlstest.Transcript, c *engine.Conn, shape handshake.Shape, check func(*engine.ConnectionState) error) *engine.ConnectionState {
	t.Helper()
	r := tlstest.NewReplay(tr)
	x := tlstest.Exchange(r, c, !tr.OursClient)
	if err := r.Err(); err != nil {
		t.Fatalf("the engine no longer answers as recorded: %v (engine error %v); if the change is meant, record again with -update", err, x.Err)
	}
	if !x.Done || x.Err != nil {
		t.Fatalf("the handshake did not complete: done %v, err %v", x.Done, x.Err)
	}
	if err := checkShape(x.State, shape); err != nil {
		t.Fatal(err)
	}
	steps, err := tlstest.ObserveSteps(tr.Chunks, x.Keylog)
	if err != nil || !slices.Equal(steps, shape.Steps()) {
		t.Fatalf("observed %v (%v), want the sequence of %v:\n%s", steps, err, shape, handshake.FlightRow{Shape: shape, Steps: shape.Steps()}.Diagram())
	}
	if check != nil {
		if err := check(x.State); err != nil {
			t.Fatal(err)
		}
	}
	return x.State
}

// checkShape checks the key exchange and resumption the engine reports.
func checkShape(st *engine.ConnectionState, shape handshake.Shape) error {
	if resumed := shape.Resumed != ""; st.Resumed != resumed {
		return fmt.Errorf("resumed %v, want %v", st.Resumed, resumed)
	}
	if shape.KX != "" && !strings.Contains(st.Suite.Name, "_"+shape.KX+"_") {
		return fmt.Errorf("suite %s, want %s key exchange", st.Suite.Name, shape.KX)
	}
	return nil
}

func readTranscript(t *testing.T, name string, oursClient bool) *tlstest.Transcript {
	t.Helper()
	tr, err := tlstest.ReadTranscript(filepath.Join(transcriptDir, name), oursClient)
	if err != nil {
		t.Fatalf("%v; record with go test -run TestOpenSSLTranscripts ./internal/tlstest -update", err)
	}
	return tr
}

// recordOpenSSL records every case from the local openssl.
func recordOpenSSL(t *testing.T, fx *fixtures) {
	version, err := exec.Command("openssl", "version").Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	tmp := t.TempDir()
	path := func(arg string) string {
		if f, ok := strings.CutPrefix(arg, "@"); ok {
			if f == "sess.pem" {
				return filepath.Join(tmp, f)
			}
			return filepath.Join(transcriptDir, f)
		}
		return arg
	}
	comments := func(name string, cmd []string) []string {
		return []string{name, "peer: " + strings.Join(cmd, " "), "peer version: " + strings.TrimSpace(string(version)),
			"recorded by: go test -run TestOpenSSLTranscripts ./internal/tlstest -update"}
	}
	for _, c := range opensslClientCases {
		args := append([]string{"s_client", "-connect", "127.0.0.1:PORT", "-servername", "localhost"}, c.args...)
		conn, wait := tlstest.AcceptPeerClient(t, func(port string) *exec.Cmd {
			var real []string
			for _, a := range args {
				real = append(real, path(strings.ReplaceAll(a, "PORT", port)))
			}
			return exec.Command("openssl", real...)
		}, "hello from openssl "+c.name+"\n")
		rec := &tlstest.Recorder{Conn: conn}
		x := tlstest.Exchange(rec, engine.NewServer(c.server(fx)), true)
		conn.Close()
		if werr := wait(); !x.Done || x.Err != nil {
			t.Fatalf("%s: the handshake did not complete (%v); s_client: %v", c.name, x.Err, werr)
		}
		tr := &tlstest.Transcript{Comments: comments(c.name, append([]string{"openssl"}, args...)), Chunks: rec.Chunks}
		if err := tr.WriteFile(filepath.Join(transcriptDir, c.name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range opensslServerCases {
		args := append([]string{"s_server", "-accept", "127.0.0.1:PORT", "-cert", "@ed25519-leaf.pem", "-key", "@ed25519-key.pem",
			"-cert_chain", "@ed25519-intermediate.pem", "-naccept", fmt.Sprint(len(c.connections))}, c.args...)
		port := tlstest.StartPeerServer(t, func(port string) *exec.Cmd {
			var real []string
			for _, a := range args {
				real = append(real, path(strings.ReplaceAll(a, "PORT", port)))
			}
			return exec.Command("openssl", real...)
		})
		var sess *session.State
		for i, name := range c.connections {
			conn := tlstest.DialLoopback(t, port)
			rec := &tlstest.Recorder{Conn: conn, Client: true}
			cfg, opts := fx.client(i, sess, c.firstWithoutTickets)
			x := tlstest.Exchange(rec, engine.NewClient(cfg, opts), false)
			conn.Close()
			if !x.Done || x.Err != nil {
				t.Fatalf("%s: the handshake did not complete: %v", name, x.Err)
			}
			if err := checkShape(x.State, c.shapes[i]); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sess = x.State.Session
			tr := &tlstest.Transcript{OursClient: true, Comments: comments(name, append([]string{"openssl"}, args...)), Chunks: rec.Chunks}
			if err := tr.WriteFile(filepath.Join(transcriptDir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fixtures are the certificates of the transcripts: an Ed25519 chain (our
// server, OpenSSL's server and OpenSSL's client certificate) and an RSA
// chain (RSA key transport), each a root, an intermediate and a leaf for
// localhost, valid around tlstest.Epoch.
type fixtures struct {
	ed25519, rsa *handshake.Credential
	roots        *x509lite.Pool
}

// loadFixtures reads the certificates, making them first under -update
// when they are missing (existing ones are kept so that other transcripts
// stay valid).
func loadFixtures(t *testing.T) *fixtures {
	fx := &fixtures{roots: x509lite.NewPool()}
	for _, kt := range []certgen.KeyType{certgen.Ed25519, certgen.RSA2048} {
		name := func(part string) string { return filepath.Join(transcriptDir, string(kt)+"-"+part+".pem") }
		if _, err := os.Stat(name("leaf")); errors.Is(err, os.ErrNotExist) && *update {
			writeChain(t, kt, name)
		}
		var pems [4][]byte
		for i, part := range []string{"leaf", "intermediate", "key", "root"} {
			var err error
			if pems[i], err = os.ReadFile(name(part)); err != nil {
				t.Fatalf("%v; record with go test -run TestOpenSSLTranscripts ./internal/tlstest -update", err)
			}
		}
		certs, err := x509lite.ParseCertificates(append(pems[0], pems[1]...))
		if err != nil {
			t.Fatal(err)
		}
		key, err := x509lite.ParsePrivateKey(pems[2], nil)
		if err != nil {
			t.Fatal(err)
		}
		cred, err := handshake.NewCredential([][]byte{certs[0].Raw, certs[1].Raw}, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.roots.AppendPEM(pems[3]); err != nil {
			t.Fatal(err)
		}
		if kt == certgen.Ed25519 {
			fx.ed25519 = cred
		} else {
			fx.rsa = cred
		}
	}
	return fx
}

func writeChain(t *testing.T, kt certgen.KeyType, name func(string) string) {
	ch, err := certgen.NewChain(kt, tlstest.Epoch, []string{"localhost", "127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ch.Leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(transcriptDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for part, data := range map[string][]byte{"leaf": ch.Leaf.CertPEM(), "intermediate": ch.Intermediate.CertPEM(), "key": key, "root": ch.Root.CertPEM()} {
		if err := os.WriteFile(name(part), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// server is our server in the transcripts: TLS 1.2, fixed randomness,
// clock and ticket key, tickets on, the default suites.
func (fx *fixtures) server(cred *handshake.Credential) *engine.Config {
	tk, err := session.NewTicketer(ticketKey)
	if err != nil {
		panic(err)
	}
	return &engine.Config{
		Rand:         tlstest.NewRand(2),
		Now:          tlstest.FixedNow(tlstest.Epoch),
		Certificates: []*handshake.Credential{cred},
		RootCAs:      fx.roots,
		Tickets:      tk,
		MaxVersion:   cipher.VersionTLS12,
	}
}

// client is our TLS 1.2 client in the transcripts' i-th connection to a server,
// offering sess: fixed randomness and clock, verifying against the
// fixtures' roots; firstWithoutTickets turns tickets off on the first.
func (fx *fixtures) client(i int, sess *session.State, firstWithoutTickets bool) (*engine.Config, engine.ClientOptions) {
	return &engine.Config{
		Rand:           tlstest.NewRand(uint64(10 + i)),
		Now:            tlstest.FixedNow(tlstest.Epoch),
		RootCAs:        fx.roots,
		DisableTickets: firstWithoutTickets && i == 0,
		MaxVersion:     cipher.VersionTLS12,
	}, engine.ClientOptions{ServerName: "localhost", Session: sess}
}
