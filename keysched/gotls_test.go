package keysched

// Cross-checks against Go's crypto/tls, an independent TLS 1.3. The test
// plays a minimal TLS 1.3 client by hand over net.Pipe, with every secret
// and key from this package, against a crypto/tls server: with each of the
// three suites (so SHA-384 too, which RFC 8448 lacks), with and without a
// HelloRetryRequest. The server's Finished must check, the server must
// accept our Finished and data, its data must open with our keys, its
// ExportKeyingMaterial must equal our Export, and a KeyUpdate (RFC 8446,
// Section 7.2) must move both directions to the keys of our Next.

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/cryptobyte"
)

// TestScheduleAgainstCryptoTLS runs full handshakes against crypto/tls and
// checks the exporter with absent, empty and present contexts.
func TestScheduleAgainstCryptoTLS(t *testing.T) {
	for _, suite := range []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256} {
		for _, retry := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/retry=%v", tls.CipherSuiteName(suite), retry), func(t *testing.T) {
				c := handshakeWithGoServer(t, goTLSOptions{suite: suite, retry: retry})
				for _, ctx := range [][]byte{nil, {}, []byte("some context")} {
					want, err := c.serverState.ExportKeyingMaterial("EXPORTER-keysched-test", ctx, 42)
					if err != nil {
						t.Fatal(err)
					}
					got, err := c.exporter.Export("EXPORTER-keysched-test", ctx, 42)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("exporter, context %q:\n got %x\nwant %x", ctx, got, want)
					}
				}
				c.pingPong(t)
			})
		}
	}
}

// TestKeyUpdateAgainstCryptoTLS sends the crypto/tls server a KeyUpdate
// that requests an update (RFC 8446, Section 4.6.3). The server must answer
// with its own KeyUpdate under its old keys, then accept data sealed with
// the keys of our Next of the client secret and send data that opens with
// the keys of our Next of its secret.
func TestKeyUpdateAgainstCryptoTLS(t *testing.T) {
	for _, suite := range []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384} {
		t.Run(tls.CipherSuiteName(suite), func(t *testing.T) {
			c := handshakeWithGoServer(t, goTLSOptions{suite: suite})
			c.write(t, 22, []byte{24, 0, 0, 1, 1}) // update_requested
			if answer := c.read(t, 22); !bytes.Equal(answer, []byte{24, 0, 0, 1, 0}) {
				t.Fatalf("server answered %x, want KeyUpdate(update_not_requested)", answer)
			}
			c.out = c.newHalf(t, c.clientAP.Next())
			c.in = c.newHalf(t, c.serverAP.Next())
			c.pingPong(t)
		})
	}
}

// TestResumptionAgainstCryptoTLS resumes with the PSK of a crypto/tls
// ticket, derived by TicketPSK from our resumption_master_secret, with and
// without a HelloRetryRequest in the resuming handshake. crypto/tls checks
// our binder (a decrypt_error if wrong, RFC 8446, Section 4.2.11) and
// accepts the PSK; the handshake then runs on our PSK early secret.
func TestResumptionAgainstCryptoTLS(t *testing.T) {
	for _, suite := range []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384} {
		for _, retry := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/retry=%v", tls.CipherSuiteName(suite), retry), func(t *testing.T) {
				config := goServerConfig(t, true)
				first := handshakeWithGoServer(t, goTLSOptions{suite: suite, config: config})
				first.pingPong(t)
				second := handshakeWithGoServer(t, goTLSOptions{suite: suite, retry: retry, config: config, resume: first.ticket})
				if !second.serverState.DidResume {
					t.Fatal("crypto/tls did not resume")
				}
				second.pingPong(t)
			})
		}
	}
}

// goTLSClient is our side of a connection to a crypto/tls server.
type goTLSClient struct {
	raw         net.Conn
	suite       uint16
	hash        crypto.Hash
	in, out     *half
	clientAP    *ApplicationTrafficSecret
	serverAP    *ApplicationTrafficSecret
	exporter    *ExporterMasterSecret
	serverState tls.ConnectionState
	serverDone  chan error
	records     chan []byte
	ticket      *ticket
	helloSent   bool
}

// half is one direction of record protection: nonce = iv XOR sequence
// number, additional data = the record header (RFC 8446, Section 5.2, 5.3).
type half struct {
	aead cipher.AEAD
	iv   []byte
	seq  uint64
}

func (h *half) nonce() []byte {
	n := bytes.Clone(h.iv)
	for i := 0; i < 8; i++ {
		n[len(n)-1-i] ^= byte(h.seq >> (8 * i))
	}
	h.seq++
	return n
}

func (c *goTLSClient) newHalf(t *testing.T, s interface {
	Keys(int, int) ([]byte, []byte)
}) *half {
	t.Helper()
	keyLen := 32
	if c.suite == tls.TLS_AES_128_GCM_SHA256 {
		keyLen = 16
	}
	key, iv := s.Keys(keyLen, 12)
	var a cipher.AEAD
	var err error
	if c.suite == tls.TLS_CHACHA20_POLY1305_SHA256 {
		a, err = chacha20poly1305.New(key)
	} else {
		var block cipher.Block
		if block, err = aes.NewCipher(key); err == nil {
			a, err = cipher.NewGCM(block)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return &half{aead: a, iv: iv}
}

// goTLSOptions shape one connection to a crypto/tls server.
type goTLSOptions struct {
	suite uint16
	// retry leaves the key share out of the first ClientHello, so that
	// the server must send a HelloRetryRequest for X25519.
	retry bool
	// config is the server's; a config shared by two connections shares
	// its ticket keys. Nil means a fresh one without tickets.
	config *tls.Config
	// resume offers the PSK of a ticket from an earlier connection.
	resume *ticket
}

// ticket is what a client keeps of a NewSessionTicket (RFC 8446, Section
// 4.6.1): the identity to offer, the age offset and the derived PSK.
type ticket struct {
	identity []byte
	ageAdd   uint32
	psk      []byte
}

// handshakeWithGoServer runs the handshake and leaves the server waiting
// for "ping". With tickets enabled, the ticket the server sends is in
// c.ticket.
func handshakeWithGoServer(t *testing.T, o goTLSOptions) *goTLSClient {
	t.Helper()
	raw, srvRaw := net.Pipe()
	t.Cleanup(func() { raw.Close(); srvRaw.Close() })
	c := &goTLSClient{raw: raw, suite: o.suite, hash: crypto.SHA256, serverDone: make(chan error, 1), records: make(chan []byte, 64)}
	go c.readRecords()
	if o.suite == tls.TLS_AES_256_GCM_SHA384 {
		c.hash = crypto.SHA384
	}
	if o.config == nil {
		o.config = goServerConfig(t, false)
	}
	server := tls.Server(srvRaw, o.config)
	states := make(chan tls.ConnectionState, 1)
	go func() {
		err := server.Handshake()
		if err == nil {
			states <- server.ConnectionState()
			buf := make([]byte, 4)
			if _, err = io.ReadFull(server, buf); err == nil && string(buf) != "ping" {
				err = fmt.Errorf("server read %q", buf)
			}
			if err == nil {
				_, err = server.Write([]byte("pong"))
			}
		}
		c.serverDone <- err
	}()

	share, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 32)
	rand.Read(random)
	tr := NewTranscript()
	var psk []byte
	var offer *pskOffer
	if o.resume != nil {
		psk = o.resume.psk
		offer = &pskOffer{ticket: o.resume, binderKey: NewEarlySecret(c.hash, psk).ResumptionBinderKey()}
	}
	early := NewEarlySecret(c.hash, psk)
	if o.retry {
		// The first binder covers the first ClientHello alone (RFC 8446,
		// Section 4.2.11.2), hashed on its own as the suite is not chosen.
		ch1 := clientHello(random, o.suite, nil, offer, func(partial []byte) TranscriptHash {
			alone := NewTranscript()
			alone.SetHash(c.hash)
			return alone.SumWith(partial)
		})
		c.writePlain(t, ch1)
		tr.Add(ch1)
		hrr := c.readPlain(t)
		if !bytes.Equal(hrr[6:38], helloRetryRandom[:]) {
			t.Fatal("no HelloRetryRequest")
		}
		if err := tr.SetHash(c.hash); err != nil {
			t.Fatal(err)
		}
		if err := tr.ReplaceClientHello1(); err != nil {
			t.Fatal(err)
		}
		tr.Add(hrr)
	} else if err := tr.SetHash(c.hash); err != nil {
		t.Fatal(err)
	}
	// After a HelloRetryRequest the binder covers message_hash, the
	// HelloRetryRequest and the truncated second ClientHello.
	ch := clientHello(random, o.suite, share.PublicKey().Bytes(), offer, tr.SumWith)
	c.writePlain(t, ch)
	tr.Add(ch)
	sh := c.readPlain(t)
	tr.Add(sh)
	peerShare, pskAccepted := serverHelloExtensions(t, sh)
	if (o.resume != nil) != pskAccepted {
		t.Fatalf("PSK offered: %v, accepted by the server: %v", o.resume != nil, pskAccepted)
	}
	peer, err := ecdh.X25519().NewPublicKey(peerShare)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := share.ECDH(peer)
	if err != nil {
		t.Fatal(err)
	}

	hs := early.Handshake(shared)
	clientHS, serverHS := hs.ClientTrafficSecret(tr.Sum()), hs.ServerTrafficSecret(tr.Sum())
	ms := hs.Master()
	c.in, c.out = c.newHalf(t, serverHS), c.newHalf(t, clientHS)

	// EncryptedExtensions, Certificate and CertificateVerify unless
	// resuming, then Finished, whose verify_data must check over the
	// transcript before it.
	var flight []byte
	for {
		flight = append(flight, c.read(t, 22)...)
		msgs, rest := splitComplete(flight)
		for _, m := range msgs {
			if m[0] != 20 {
				tr.Add(m)
				continue
			}
			if !serverHS.CheckFinished(tr.Sum(), m[4:]) {
				t.Fatal("crypto/tls's server Finished does not check")
			}
			tr.Add(m)
			c.clientAP, c.serverAP = ms.ClientTrafficSecret(tr.Sum()), ms.ServerTrafficSecret(tr.Sum())
			c.exporter = ms.ExporterMasterSecret(tr.Sum())
			finished := append([]byte{20, 0, 0, byte(c.hash.Size())}, clientHS.VerifyData(tr.Sum())...)
			c.write(t, 22, finished)
			tr.Add(finished)
			c.in, c.out = c.newHalf(t, c.serverAP), c.newHalf(t, c.clientAP)
			select {
			case c.serverState = <-states:
			case err := <-c.serverDone:
				t.Fatalf("crypto/tls server: %v", err)
			}
			if !o.config.SessionTicketsDisabled {
				c.ticket = readTicket(t, c.read(t, 22), ms.ResumptionMasterSecret(tr.Sum()))
			}
			return c
		}
		flight = rest
	}
}

// goServerConfig is a crypto/tls TLS 1.3 server configuration with a
// throwaway certificate.
func goServerConfig(t *testing.T, tickets bool) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13, SessionTicketsDisabled: !tickets,
		Certificates: []tls.Certificate{selfSigned(t)},
	}
}

// readTicket parses a NewSessionTicket and derives its PSK (RFC 8446,
// Section 4.6.1).
func readTicket(t *testing.T, msg []byte, rms *ResumptionMasterSecret) *ticket {
	t.Helper()
	s := cryptobyte.String(msg)
	var typ uint8
	var body, nonce, identity cryptobyte.String
	var lifetime uint32
	tk := &ticket{}
	if !s.ReadUint8(&typ) || typ != 4 || !s.ReadUint24LengthPrefixed(&body) ||
		!body.ReadUint32(&lifetime) || !body.ReadUint32(&tk.ageAdd) ||
		!body.ReadUint8LengthPrefixed(&nonce) || !body.ReadUint16LengthPrefixed(&identity) {
		t.Fatalf("not a NewSessionTicket: %x", msg)
	}
	tk.identity = identity
	var err error
	if tk.psk, err = rms.TicketPSK(nonce); err != nil {
		t.Fatal(err)
	}
	return tk
}

// pingPong sends "ping" under the current client keys and expects "pong"
// under the current server keys.
func (c *goTLSClient) pingPong(t *testing.T) {
	t.Helper()
	c.write(t, 23, []byte("ping"))
	if pong := c.read(t, 23); string(pong) != "pong" {
		t.Fatalf("server sent %q", pong)
	}
	if err := <-c.serverDone; err != nil {
		t.Fatalf("crypto/tls server: %v", err)
	}
}

// helloRetryRandom is the ServerHello.random of a HelloRetryRequest,
// SHA-256("HelloRetryRequest") (RFC 8446, Section 4.1.3).
var helloRetryRandom = sha256.Sum256([]byte("HelloRetryRequest"))

// pskOffer is a ticket offered in a ClientHello with the binder key of
// its PSK.
type pskOffer struct {
	ticket    *ticket
	binderKey *BinderKey
}

// clientHello builds a ClientHello offering TLS 1.3 with suite, X25519,
// ecdsa_secp256r1_sha256 and psk_dhe_ke, with share as the only key share
// (none if nil). With a PSK offer it ends with pre_shared_key, whose binder is
// computed over the transcript hash that sum gives for the ClientHello
// truncated before its binders (RFC 8446, Section 4.2.11.2).
func clientHello(random []byte, suite uint16, share []byte, offer *pskOffer, sum func(partial []byte) TranscriptHash) []byte {
	var b cryptobyte.Builder
	binderLen := 0
	b.AddUint8(1)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(0x0303)
		b.AddBytes(random)
		b.AddUint8(0) // legacy_session_id
		b.AddUint16(2)
		b.AddUint16(suite)
		b.AddUint8(1)
		b.AddUint8(0)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			ext := func(typ uint16, body ...uint16) {
				b.AddUint16(typ)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					for _, v := range body {
						b.AddUint16(v)
					}
				})
			}
			b.AddUint16(43) // supported_versions: <2> 0x0304
			b.AddUint16(3)
			b.AddBytes([]byte{2, 3, 4})
			ext(10, 2, 29)     // supported_groups: x25519
			ext(13, 2, 0x0403) // signature_algorithms: ecdsa_secp256r1_sha256
			b.AddUint16(51)    // key_share
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					if share != nil {
						b.AddUint16(29)
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(share) })
					}
				})
			})
			b.AddUint16(45) // psk_key_exchange_modes: psk_dhe_ke, without which no ticket comes
			b.AddUint16(2)
			b.AddBytes([]byte{1, 1})
			if offer == nil {
				return
			}
			b.AddUint16(41) // pre_shared_key, last (RFC 8446, Section 4.2.11)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(offer.ticket.identity) })
					b.AddUint32(offer.ticket.ageAdd) // obfuscated_ticket_age of a fresh ticket
				})
				binderLen = offer.binderKey.hash.Size()
				b.AddUint16(uint16(1 + binderLen))
				b.AddUint8(uint8(binderLen))
				b.AddBytes(make([]byte, binderLen)) // filled in below
			})
		})
	})
	msg := b.BytesOrPanic()
	if offer != nil {
		truncated := msg[:len(msg)-3-binderLen]
		copy(msg[len(msg)-binderLen:], offer.binderKey.Binder(sum(truncated)))
	}
	return msg
}

// serverHelloExtensions returns the X25519 key share of a ServerHello and
// whether it accepted the first offered PSK (selected_identity 0).
func serverHelloExtensions(t *testing.T, sh []byte) (share []byte, pskAccepted bool) {
	t.Helper()
	s := cryptobyte.String(sh[4:])
	var sessionID, exts cryptobyte.String
	if !s.Skip(2+32) || !s.ReadUint8LengthPrefixed(&sessionID) || !s.Skip(3) || !s.ReadUint16LengthPrefixed(&exts) {
		t.Fatal("malformed ServerHello")
	}
	for !exts.Empty() {
		var typ, v uint16
		var body, key cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&body) {
			t.Fatal("malformed ServerHello extensions")
		}
		switch {
		case typ == 51 && body.ReadUint16(&v) && v == 29 && body.ReadUint16LengthPrefixed(&key):
			share = key
		case typ == 41 && body.ReadUint16(&v) && v == 0:
			pskAccepted = true
		}
	}
	if share == nil {
		t.Fatal("ServerHello without an X25519 key share")
	}
	return share, pskAccepted
}

// splitComplete cuts the complete handshake messages off b.
func splitComplete(b []byte) (msgs [][]byte, rest []byte) {
	for len(b) >= 4 {
		n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
		if n > len(b) {
			break
		}
		msgs, b = append(msgs, b[:n]), b[n:]
	}
	return msgs, b
}

// writePlain sends an unprotected handshake record; only the first
// ClientHello's record may say 0x0301 (RFC 8446, Section 5.1).
func (c *goTLSClient) writePlain(t *testing.T, msg []byte) {
	t.Helper()
	version := byte(3)
	if !c.helloSent {
		version, c.helloSent = 1, true
	}
	c.writeRecord(t, append([]byte{22, 3, version, byte(len(msg) >> 8), byte(len(msg))}, msg...))
}

// readPlain reads one unprotected handshake record holding one message.
func (c *goTLSClient) readPlain(t *testing.T) []byte {
	t.Helper()
	record := c.readRecord(t)
	if record[0] != 22 {
		t.Fatalf("record %x, want a plaintext handshake record", record)
	}
	return record[5:]
}

// write seals content of inner type typ under the current client keys.
func (c *goTLSClient) write(t *testing.T, typ byte, content []byte) {
	t.Helper()
	inner := append(bytes.Clone(content), typ)
	header := []byte{23, 3, 3, 0, 0}
	binary.BigEndian.PutUint16(header[3:], uint16(len(inner)+c.out.aead.Overhead()))
	c.writeRecord(t, c.out.aead.Seal(header, c.out.nonce(), inner, header))
}

// read opens the next record under the current server keys and checks its
// inner type.
func (c *goTLSClient) read(t *testing.T, typ byte) []byte {
	t.Helper()
	record := c.readRecord(t)
	inner, err := c.in.aead.Open(nil, c.in.nonce(), record[5:], record[:5])
	if err != nil {
		t.Fatalf("record of type %d does not open with our keys: %v", record[0], err)
	}
	if len(inner) == 0 || inner[len(inner)-1] != typ {
		t.Fatalf("inner content %x, want type %d", inner, typ)
	}
	return inner[:len(inner)-1]
}

func (c *goTLSClient) writeRecord(t *testing.T, record []byte) {
	t.Helper()
	if _, err := c.raw.Write(record); err != nil {
		t.Fatal(err)
	}
}

// readRecord returns the server's next record, skipping the compatibility
// change_cipher_spec records crypto/tls sends (RFC 8446, Appendix D.4).
func (c *goTLSClient) readRecord(t *testing.T) []byte {
	t.Helper()
	for record := range c.records {
		if record[0] != 20 {
			return record
		}
	}
	t.Fatal("the server closed the connection")
	return nil
}

// readRecords moves the server's records into c.records, so that the
// server never blocks on the synchronous pipe while we write.
func (c *goTLSClient) readRecords() {
	defer close(c.records)
	for {
		record := make([]byte, 5)
		if _, err := io.ReadFull(c.raw, record); err != nil {
			return
		}
		record = append(record, make([]byte, binary.BigEndian.Uint16(record[3:]))...)
		if _, err := io.ReadFull(c.raw, record[5:]); err != nil {
			return
		}
		c.records <- record
	}
}

// selfSigned is a throwaway ECDSA P-256 certificate for the server.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
