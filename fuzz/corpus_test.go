package fuzz

import (
	"bytes"
	gotls "crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
)

// The committed corpus under testdata/fuzz/<Target>/ holds transcripts of
// real peers: OpenSSL, GnuTLS, Node and Go's crypto/tls, as clients of
// replayServer and as servers to replayClient, recorded over loopback by
//
//	go test -run TestRealPeerCorpus ./fuzz -write-corpus
//
// Because our side of each recording is deterministic, a replay reaches
// as deep as the recording did: TestRealPeerCorpus checks, on every go
// test, that each engine seed still completes its handshake. When a
// change to the engine alters what it sends, that test fails and the
// corpus is recorded again with the flag.
var writeCorpus = flag.Bool("write-corpus", false, "record the real-peer seed corpus under testdata/fuzz (needs openssl, gnutls-cli, gnutls-serv, node)")

// corpusPrefix marks the files written by -write-corpus; any other file
// in a target's directory is an input the fuzzer found, kept for replay.
const corpusPrefix = "peer-"

// peerRecording is one connection recorded with a real peer.
type peerRecording struct {
	name           string
	client, server []byte // the bytes each side sent
	ourSideClient  bool   // replayClient was ours; else replayServer
}

func TestRealPeerCorpus(t *testing.T) {
	if *writeCorpus {
		recs := recordRealPeers(t)
		writeSeedFiles(t, recs, targets12, insecure|realSuites, 0x0303)
	}
	checkCorpusReplays(t, targets12)
}

// engineTarget is an engine fuzz target whose seeds TestRealPeerCorpus
// records: the engine each seed is replayed into, made from the seed's
// second argument.
type engineTarget struct {
	name   string
	engine func(split byte) *engine.Conn
}

// targets12 are the TLS 1.2 engine targets, seeded against replayServer
// and replayClient.
var targets12 = []engineTarget{
	{"FuzzServerEngine", func(byte) *engine.Conn { return engine.NewServer(replayServer()) }},
	{"FuzzClientEngine", func(split byte) *engine.Conn { return engine.NewClient(replayClient(split)) }},
}

// checkCorpusReplays replays each recorded engine seed of the targets and
// asserts it still completes the handshake, and that every peer is
// represented.
func checkCorpusReplays(t *testing.T, targets []engineTarget) {
	peers := map[string]bool{}
	for _, target := range targets {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target.name, corpusPrefix+"*"))
		if len(files) == 0 {
			t.Fatalf("%s: no recorded seeds; run go test -run TestRealPeerCorpus ./fuzz -write-corpus", target.name)
		}
		for _, f := range files {
			data, split, err := readSeedFile(f)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			peers[strings.SplitN(strings.TrimPrefix(filepath.Base(f), corpusPrefix), "-", 2)[0]] = true
			c := target.engine(split)
			for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
			}
			done, _, _, err := replay(c, data)
			if !done || err != nil {
				t.Errorf("%s: the replay no longer completes the handshake (err %v): record the corpus again", f, err)
			}
		}
	}
	for _, p := range []string{"openssl", "gnutls", "node", "gotls"} {
		if !peers[p] {
			t.Errorf("no engine seed recorded with %s", p)
		}
	}
}

// recordRealPeers runs every real peer against our deterministic ends.
func recordRealPeers(t *testing.T) []peerRecording {
	dir := t.TempDir()
	cert, err := certgen.SelfSigned(certgen.ECDSAP256, time.Now(), []string{"localhost", "127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, _ := cert.KeyPEM()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, cert.CertPEM(), 0o600)
	os.WriteFile(keyFile, keyPEM, 0o600)
	var recs []peerRecording

	// Real clients against replayServer.
	sessFile := filepath.Join(dir, "sess.pem")
	clients := []struct {
		name string
		run  func(port string) *exec.Cmd
	}{
		{"openssl-s_client", func(p string) *exec.Cmd {
			return exec.Command("openssl", "s_client", "-connect", "127.0.0.1:"+p, "-servername", "localhost", "-alpn", "h2", "-sess_out", sessFile)
		}},
		{"openssl-s_client-resumed", func(p string) *exec.Cmd {
			return exec.Command("openssl", "s_client", "-connect", "127.0.0.1:"+p, "-servername", "localhost", "-sess_in", sessFile)
		}},
		{"openssl-s_client-chacha", func(p string) *exec.Cmd {
			return exec.Command("openssl", "s_client", "-connect", "127.0.0.1:"+p, "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305", "-no_ticket")
		}},
		{"gnutls-cli", func(p string) *exec.Cmd {
			return exec.Command("gnutls-cli", "--insecure", "--sni-hostname", "localhost", "--alpn", "http/1.1", "-p", p, "127.0.0.1")
		}},
		{"node-connect", func(p string) *exec.Cmd {
			return exec.Command("node", "-e", `const tls=require('tls');
const s=tls.connect({port:`+p+`,host:'127.0.0.1',servername:'localhost',rejectUnauthorized:false,ALPNProtocols:['h2','http/1.1']},()=>s.write('hello\n'));
s.on('data',()=>s.end());s.on('error',e=>{console.error(e);process.exit(1)});`)
		}},
	}
	for _, c := range clients {
		recs = append(recs, recordClient(t, c.name, c.run, nil, replayServer()))
	}
	recs = append(recs, recordClient(t, "gotls-client", nil,
		&gotls.Config{InsecureSkipVerify: true, ServerName: "localhost", NextProtos: []string{"h2"}}, replayServer()))

	// Real servers against replayClient.
	servers := []struct {
		name string
		run  func(port string) *exec.Cmd
	}{
		{"openssl-s_server", func(p string) *exec.Cmd {
			return exec.Command("openssl", "s_server", "-accept", "127.0.0.1:"+p, "-cert", certFile, "-key", keyFile, "-naccept", "1", "-alpn", "h2")
		}},
		{"gnutls-serv", func(p string) *exec.Cmd {
			return exec.Command("gnutls-serv", "--echo", "-p", p, "--x509certfile", certFile, "--x509keyfile", keyFile)
		}},
		{"node-createServer", func(p string) *exec.Cmd {
			return exec.Command("node", "-e", `const tls=require('tls'),fs=require('fs');
const srv=tls.createServer({key:fs.readFileSync('`+keyFile+`'),cert:fs.readFileSync('`+certFile+`'),ALPNProtocols:['h2']},s=>{s.on('data',d=>s.write(d));s.on('end',()=>{s.end();srv.close()})});
srv.listen(`+p+`,'127.0.0.1');`)
		}},
	}
	for _, s := range servers {
		cfg, opts := replayClient(insecure | realSuites)
		recs = append(recs, recordServer(t, s.name, s.run, nil, cfg, opts))
	}
	gocert, err := gotls.X509KeyPair(cert.CertPEM(), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cfg, opts := replayClient(insecure | realSuites)
	recs = append(recs, recordServer(t, "gotls-server", nil,
		&gotls.Config{Certificates: []gotls.Certificate{gocert}, NextProtos: []string{"h2"}}, cfg, opts))
	return recs
}

// recordClient serves one connection of a real client with a server
// engine of srv, echoing what it sends, and records both directions. A
// nil run means Go's crypto/tls in this process, configured by goCfg.
func recordClient(t *testing.T, name string, run func(port string) *exec.Cmd, goCfg *gotls.Config, srv *engine.Config) peerRecording {
	var conn net.Conn
	var wait func() error
	if run != nil {
		conn, wait = tlstest.AcceptPeerClient(t, run, "hello from "+name+"\n")
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		errc := make(chan error, 1)
		go func() {
			c, err := gotls.Dial("tcp", ln.Addr().String(), goCfg)
			if err == nil {
				c.Write([]byte("hello from crypto/tls\n"))
				c.Read(make([]byte, 64))
				err = c.Close()
			}
			errc <- err
		}()
		wait = func() error { return <-errc }
		if conn, err = ln.Accept(); err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
	}
	in, out, done, err := pumpEngine(conn, engine.NewServer(srv), true)
	if !done {
		t.Fatalf("%s: the handshake did not complete (%v); client said: %v", name, err, wait())
	}
	return peerRecording{name: name, client: in, server: out}
}

// recordServer runs a client engine of cfg against one real server
// (crypto/tls in this process, configured by goCfg, when run is nil) and
// records both directions.
func recordServer(t *testing.T, name string, run func(port string) *exec.Cmd, goCfg *gotls.Config, cfg *engine.Config, opts engine.ClientOptions) peerRecording {
	var port string
	if run != nil {
		port = tlstest.StartPeerServer(t, run)
	} else {
		ln, err := gotls.Listen("tcp", "127.0.0.1:0", goCfg)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				io.Copy(c, c)
				c.Close()
			}
		}()
	}
	in, out, done, err := pumpEngine(tlstest.DialLoopback(t, port), engine.NewClient(cfg, opts), false)
	if !done {
		t.Fatalf("%s: the handshake did not complete: %v", name, err)
	}
	return peerRecording{name: name, client: out, server: in, ourSideClient: true}
}

// pumpEngine runs one engine over conn with tlstest.Exchange and returns
// what it read and what it wrote.
func pumpEngine(conn net.Conn, c *engine.Conn, isServer bool) (in, out []byte, done bool, lastErr error) {
	rec := &tlstest.Recorder{Conn: conn, Client: !isServer}
	x := tlstest.Exchange(rec, c, isServer)
	return tlstest.Sent(rec.Chunks, isServer), tlstest.Sent(rec.Chunks, !isServer), x.Done, x.Err
}

// writeSeedFiles writes each recording into the corpora it seeds: the
// engine target that was ours (targets[0] the server, targets[1] the
// client, recorded with the client variant clientSplit), the record
// parser (both directions), the handshake message decoder (each plaintext
// message, parsed as version) and x509lite (each certificate a peer sent
// in the clear).
func writeSeedFiles(t *testing.T, recs []peerRecording, targets []engineTarget, clientSplit byte, version uint16) {
	for _, r := range recs {
		if r.ourSideClient {
			writeSeed(t, targets[1].name, r.name, []byte(fmt.Sprintf("[]byte(%q)", r.server)), []byte(fmt.Sprintf("byte(%q)", clientSplit)))
		} else {
			writeSeed(t, targets[0].name, r.name, []byte(fmt.Sprintf("[]byte(%q)", r.client)), []byte("byte('\\x00')"))
		}
		peer := r.client
		if r.ourSideClient {
			peer = r.server
		}
		writeSeed(t, "FuzzRecordParse", r.name, []byte(fmt.Sprintf("[]byte(%q)", peer)))
		for i, m := range plaintextMessages(peer) {
			writeSeed(t, "FuzzHandshakeMessage", fmt.Sprintf("%s-%d", r.name, i), []byte(fmt.Sprintf("[]byte(%q)", m)), []byte(fmt.Sprintf("uint16(%d)", version)))
			if m[0] == 11 { // Certificate: each certificate for FuzzX509
				for j, der := range certificatesIn(m) {
					writeSeed(t, "FuzzX509", fmt.Sprintf("%s-%d", r.name, j), []byte(fmt.Sprintf("[]byte(%q)", der)))
				}
			}
		}
	}
}

func writeSeed(t *testing.T, target, name string, values ...[]byte) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := append([]byte("go test fuzz v1\n"), bytes.Join(values, []byte("\n"))...)
	if err := os.WriteFile(filepath.Join(dir, corpusPrefix+name), append(body, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readSeedFile decodes a corpus file of the engine targets: a []byte and
// a byte.
func readSeedFile(path string) ([]byte, byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 3 || lines[0] != "go test fuzz v1" ||
		!strings.HasPrefix(lines[1], "[]byte(") || !strings.HasPrefix(lines[2], "byte(") {
		return nil, 0, errors.New("not a corpus file of ([]byte, byte)")
	}
	data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		return nil, 0, err
	}
	b, _, _, err := strconv.UnquoteChar(strings.Trim(strings.TrimSuffix(strings.TrimPrefix(lines[2], "byte("), ")"), "'"), '\'')
	return []byte(data), byte(b), err
}

// plaintextMessages returns the handshake messages of a byte stream's
// records before its ChangeCipherSpec.
func plaintextMessages(wire []byte) [][]byte {
	var body []byte
	for _, r := range tlstest.Records(wire) {
		if r.Type == record.TypeChangeCipherSpec {
			break
		}
		if r.Type == record.TypeHandshake {
			body = append(body, wire[r.Offset+record.HeaderLen:r.Offset+record.HeaderLen+r.Length]...)
		}
	}
	var msgs [][]byte
	for len(body) >= 4 {
		n := int(body[1])<<16 | int(body[2])<<8 | int(body[3])
		if 4+n > len(body) {
			break
		}
		msgs = append(msgs, body[:4+n])
		body = body[4+n:]
	}
	return msgs
}

// certificatesIn returns the DER certificates of a Certificate message
// (RFC 5246, Section 7.4.2).
func certificatesIn(m []byte) [][]byte {
	var out [][]byte
	if len(m) < 7 {
		return nil
	}
	list := m[7:]
	for len(list) >= 3 {
		n := int(list[0])<<16 | int(list[1])<<8 | int(list[2])
		if 3+n > len(list) {
			break
		}
		out = append(out, list[3:3+n])
		list = list[3+n:]
	}
	return out
}
