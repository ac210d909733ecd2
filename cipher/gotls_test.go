package cipher

// Cross-checks against Go's crypto/tls: a real handshake over net.Pipe
// whose bytes are recorded, then our key schedule and record protection
// applied to those bytes.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordingConn keeps every byte the client sends and receives.
type recordingConn struct {
	net.Conn
	mu         sync.Mutex
	sent, recv bytes.Buffer
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.sent.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.recv.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

type rawRecord struct {
	typ     uint8
	version uint16
	body    []byte
}

func parseRecords(t *testing.T, b []byte) []rawRecord {
	t.Helper()
	var out []rawRecord
	for len(b) > 0 {
		if len(b) < 5 || len(b) < 5+int(binary.BigEndian.Uint16(b[3:])) {
			t.Fatalf("truncated record stream")
		}
		n := int(binary.BigEndian.Uint16(b[3:]))
		out = append(out, rawRecord{b[0], binary.BigEndian.Uint16(b[1:]), b[5 : 5+n]})
		b = b[5+n:]
	}
	return out
}

// direction is one side's record stream split at its ChangeCipherSpec.
type direction struct {
	handshake []byte      // plaintext handshake messages before CCS
	protected []rawRecord // records after CCS
}

func splitDirection(t *testing.T, recs []rawRecord) direction {
	t.Helper()
	var d direction
	for i, r := range recs {
		switch r.typ {
		case 22:
			d.handshake = append(d.handshake, r.body...)
		case 20:
			d.protected = recs[i+1:]
			return d
		}
	}
	t.Fatal("no ChangeCipherSpec")
	return d
}

// handshakeMessages splits a handshake stream into whole messages.
func handshakeMessages(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 4 {
		n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
		if n > len(b) {
			break
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

func testCertificates(t *testing.T) ([]tls.Certificate, *rsa.PrivateKey) {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var certs []tls.Certificate
	for _, key := range []crypto.Signer{rsaKey, ecKey} {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cipher test"},
			NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0), DNSNames: []string{"example.test"},
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key})
	}
	return certs, rsaKey
}

// TestAgainstCryptoTLS runs crypto/tls handshakes and checks, from the
// recorded bytes and the key log: the key block split and record
// protection (we open every protected record of both sides, and crypto/tls
// opens one we seal), Finished verify_data over our transcript hash, the
// RFC 5705 exporter, and for RSA key transport the extended master secret
// from the premaster secret.
func TestAgainstCryptoTLS(t *testing.T) {
	certs, rsaKey := testCertificates(t)
	cases := []struct {
		name string
		v    uint16
	}{
		{"ECDHE-ECDSA-AES128-GCM-SHA256", VersionTLS12},
		{"ECDHE-RSA-AES128-GCM-SHA256", VersionTLS12},
		{"ECDHE-ECDSA-AES256-GCM-SHA384", VersionTLS12},
		{"ECDHE-RSA-AES256-GCM-SHA384", VersionTLS12},
		{"ECDHE-ECDSA-CHACHA20-POLY1305", VersionTLS12},
		{"ECDHE-RSA-CHACHA20-POLY1305", VersionTLS12},
		{"AES128-GCM-SHA256", VersionTLS12},
		{"AES256-GCM-SHA384", VersionTLS12},
		{"ECDHE-ECDSA-AES128-SHA256", VersionTLS12},
		{"ECDHE-RSA-AES128-SHA256", VersionTLS12},
		{"AES128-SHA256", VersionTLS12},
		{"ECDHE-ECDSA-AES256-SHA", VersionTLS12},
		{"ECDHE-RSA-AES128-SHA", VersionTLS12},
		{"AES256-SHA", VersionTLS12},
		{"ECDHE-RSA-AES256-SHA", VersionTLS11},
		{"AES128-SHA", VersionTLS11},
		{"ECDHE-ECDSA-AES128-SHA", VersionTLS10},
		{"AES256-SHA", VersionTLS10},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%x", tc.name, tc.v), func(t *testing.T) {
			crossCheck(t, SuiteByName(tc.name), tc.v, certs, rsaKey)
		})
	}
}

func crossCheck(t *testing.T, s *Suite, v uint16, certs []tls.Certificate, rsaKey *rsa.PrivateKey) {
	var keyLog bytes.Buffer
	cliRaw, srvRaw := net.Pipe()
	defer cliRaw.Close()
	defer srvRaw.Close()
	rec := &recordingConn{Conn: cliRaw}
	base := tls.Config{
		MinVersion: v, MaxVersion: v, CipherSuites: []uint16{s.ID},
		SessionTicketsDisabled: true,
	}
	scfg := base.Clone()
	scfg.Certificates = certs
	ccfg := base.Clone()
	ccfg.InsecureSkipVerify = true
	ccfg.KeyLogWriter = &keyLog
	ccfg.ServerName = "example.test"

	injected := []byte("sealed by our cipher package")
	srvErr := make(chan error, 1)
	srvGot := make(chan []byte, 1)
	go func() {
		srv := tls.Server(srvRaw, scfg)
		buf := make([]byte, 4)
		if _, err := io.ReadFull(srv, buf); err != nil {
			srvErr <- err
			return
		}
		if _, err := srv.Write([]byte("pong")); err != nil {
			srvErr <- err
			return
		}
		got := make([]byte, len(injected))
		if _, err := io.ReadFull(srv, got); err != nil {
			srvErr <- err
			return
		}
		srvGot <- got
	}()

	cli := tls.Client(rec, ccfg)
	if _, err := cli.Write([]byte("ping")); err != nil {
		t.Fatalf("crypto/tls handshake: %v (server: %v)", err, drain(srvErr))
	}
	pong := make([]byte, 4)
	if _, err := io.ReadFull(cli, pong); err != nil {
		t.Fatal(err)
	}
	st := cli.ConnectionState()
	if st.Version != v || st.CipherSuite != s.ID {
		t.Fatalf("negotiated %x/%04x", st.Version, st.CipherSuite)
	}

	// The key log gives the client random and master secret.
	f := strings.Fields(keyLog.String())
	if len(f) != 3 || f[0] != "CLIENT_RANDOM" {
		t.Fatalf("key log %q", keyLog.String())
	}
	clientRandom, _ := hex.DecodeString(f[1])
	master, _ := hex.DecodeString(f[2])

	rec.mu.Lock()
	toServer := splitDirection(t, parseRecords(t, rec.sent.Bytes()))
	toClient := splitDirection(t, parseRecords(t, rec.recv.Bytes()))
	rec.mu.Unlock()
	cMsgs, sMsgs := handshakeMessages(toServer.handshake), handshakeMessages(toClient.handshake)
	if len(cMsgs) != 2 || cMsgs[0][0] != 1 || cMsgs[1][0] != 16 || sMsgs[0][0] != 2 {
		t.Fatalf("unexpected handshake shape")
	}
	serverRandom := sMsgs[0][6:38]
	if !bytes.Equal(cMsgs[0][6:38], clientRandom) {
		t.Fatal("key log and ClientHello disagree on the client random")
	}
	// Client Finished covers ClientHello, the server's first flight and
	// ClientKeyExchange.
	transcript := append(append(append([]byte(nil), cMsgs[0]...), toClient.handshake...), cMsgs[1]...)

	// RSA key transport: recover the premaster secret and derive the
	// (extended, since crypto/tls always negotiates it) master secret.
	if s.KX == KXRSA {
		cke := cMsgs[1][4:]
		pre, err := rsa.DecryptPKCS1v15(nil, rsaKey, cke[2:])
		if err != nil || int(binary.BigEndian.Uint16(cke)) != len(cke)-2 {
			t.Fatalf("premaster: %v", err)
		}
		ems := s.ExtendedMasterSecret(v, pre, s.TranscriptHash(v, transcript))
		if !bytes.Equal(ems, master) {
			t.Fatalf("extended master secret\n got %x\nwant %x", ems, master)
		}
	}

	km := s.KeyBlock(v, master, clientRandom, serverRandom)
	cp, err := s.NewProtection(v, km.ClientKey, km.ClientMACKey, km.ClientIV, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := s.NewProtection(v, km.ServerKey, km.ServerMACKey, km.ServerIV, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	open := func(p Protection, recs []rawRecord) (finished, app []byte) {
		t.Helper()
		for seq, r := range recs {
			out, err := openFrag(p, nil, uint64(seq), r.typ, r.version, r.body)
			if err != nil {
				t.Fatalf("opening crypto/tls record %d (type %d): %v", seq, r.typ, err)
			}
			if seq == 0 {
				finished = out
			} else if r.typ == 23 {
				app = append(app, out...)
			}
		}
		return finished, app
	}
	cFin, cApp := open(cp, toServer.protected)
	sFin, sApp := open(sp, toClient.protected)
	if string(cApp) != "ping" || string(sApp) != "pong" {
		t.Fatalf("application data %q %q", cApp, sApp)
	}
	if want := s.FinishedVerifyData(v, master, true, s.TranscriptHash(v, transcript)); len(cFin) != 16 || !bytes.Equal(cFin[4:], want) {
		t.Fatalf("client Finished %x, we compute %x", cFin, want)
	}
	transcript = append(transcript, cFin...)
	if want := s.FinishedVerifyData(v, master, false, s.TranscriptHash(v, transcript)); len(sFin) != 16 || !bytes.Equal(sFin[4:], want) {
		t.Fatalf("server Finished %x, we compute %x", sFin, want)
	}

	// Exporter, with no, empty and some context.
	for _, ctx := range [][]byte{nil, {}, []byte("context")} {
		want, err := st.ExportKeyingMaterial("EXPORTER-cipher-test", ctx, 40)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ExportKeyingMaterial(v, master, clientRandom, serverRandom, "EXPORTER-cipher-test", ctx, ctx != nil, 40)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("exporter (context %q): %x, want %x", ctx, got, want)
		}
	}

	// Seal the client's next record ourselves (for TLS 1.0 CBC cp has
	// followed the IV chain while opening) and let crypto/tls open it.
	seq := uint64(len(toServer.protected))
	frag := sealFrag(cp, seq, 23, toServer.protected[0].version, injected)
	record := append([]byte{23, byte(toServer.protected[0].version >> 8), byte(toServer.protected[0].version), byte(len(frag) >> 8), byte(len(frag))}, frag...)
	if _, err := cliRaw.Write(record); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-srvGot:
		if !bytes.Equal(got, injected) {
			t.Fatalf("crypto/tls read %q", got)
		}
	case err := <-srvErr:
		t.Fatalf("crypto/tls rejected our record: %v", err)
	}
}

func drain(c chan error) error {
	select {
	case err := <-c:
		return err
	case <-time.After(time.Second):
		return errors.New("no server error")
	}
}
