package keysched

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"encoding/hex"
	"strings"
	"testing"
)

// TestRFC8448Traces replays RFC 8448, Section 3 (Simple 1-RTT Handshake)
// and Section 5 (HelloRetryRequest) through the key schedule and checks
// every secret, key, IV, finished_key, Finished and transcript hash they
// print. In Section 5 the transcript starts with message_hash in place of
// the first ClientHello (RFC 8446, Section 4.4.1), so everything from the
// handshake traffic secrets on depends on that substitution. The derived
// server handshake keys must also open the trace's encrypted server
// flight, and the Finished values in it and after it must check.
func TestRFC8448Traces(t *testing.T) {
	t.Run("Section3", func(t *testing.T) { walkTrace(t, rfc8448Simple) })
	t.Run("Section5", func(t *testing.T) { walkTrace(t, rfc8448Retry) })
}

// TestRFC8448RetryFromCookie rebuilds Section 5's transcript as a
// stateless server does, from Hash(ClientHello1) alone (RFC 8446, Section
// 4.4.1), and must reach the trace's hash through the ServerHello.
func TestRFC8448RetryFromCookie(t *testing.T) {
	v := rfc8448Retry
	ch1 := NewTranscript()
	ch1.Add(unhex(v.clientHello1))
	if err := ch1.SetHash(crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	cookie := ch1.Sum().Bytes()
	if _, err := NewRetryTranscript(crypto.SHA256, cookie[1:]); err == nil {
		t.Error("a truncated ClientHello1 hash was accepted")
	}
	tr, err := NewRetryTranscript(crypto.SHA256, cookie)
	if err != nil {
		t.Fatal(err)
	}
	tr.Add(unhex(v.retry))
	tr.Add(unhex(v.clientHello))
	tr.Add(unhex(v.serverHello))
	want(t, "transcript hash through ServerHello", tr.Sum().Bytes(), v.helloHash)
	if err := tr.ReplaceClientHello1(); err == nil {
		t.Error("a rebuilt transcript took a second HelloRetryRequest")
	}
}

func walkTrace(t *testing.T, v rfc8448Trace) {
	const keyLen, ivLen = 16, 12 // TLS_AES_128_GCM_SHA256

	// {client}/{server} create an ephemeral key pair; the shared secret is
	// the IKM of extract secret "handshake".
	shared := agree(t, v.curve, v.clientPriv, v.serverPub)
	want(t, "shared secret", shared, v.shared)

	tr := NewTranscript()
	if v.retry != "" {
		tr.Add(unhex(v.clientHello1))
		if err := tr.SetHash(crypto.SHA256); err != nil {
			t.Fatal(err)
		}
		if err := tr.ReplaceClientHello1(); err != nil {
			t.Fatal(err)
		}
		tr.Add(unhex(v.retry))
	}
	tr.Add(unhex(v.clientHello))
	if err := tr.SetHash(crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	tr.Add(unhex(v.serverHello))
	helloHash := tr.Sum()
	want(t, "transcript hash through ServerHello", helloHash.Bytes(), v.helloHash)

	// {server} extract secret "early" (no PSK), derive secret for
	// handshake "tls13 derived", extract secret "handshake".
	early := NewEarlySecret(crypto.SHA256, nil)
	want(t, "early secret", early.key, v.early)
	wantDerived(t, "derived (handshake)", early.secret, v.derivedForHandshake)
	hs := early.Handshake(shared)
	want(t, "handshake secret", hs.key, v.handshake)
	// {server} derive secret "tls13 c hs traffic" / "tls13 s hs traffic".
	clientHS, serverHS := hs.ClientTrafficSecret(helloHash), hs.ServerTrafficSecret(helloHash)
	want(t, "client handshake traffic secret", clientHS.key, v.clientHS)
	want(t, "server handshake traffic secret", serverHS.key, v.serverHS)
	// {server} derive secret for master "tls13 derived", extract secret
	// "master".
	wantDerived(t, "derived (master)", hs.secret, v.derivedForMaster)
	ms := hs.Master()
	want(t, "master secret", ms.key, v.master)

	// {server} derive write traffic keys for handshake data, used here to
	// open the server's flight.
	key, iv := serverHS.Keys(keyLen, ivLen)
	want(t, "server handshake key", key, v.serverHSKey)
	want(t, "server handshake iv", iv, v.serverHSIV)
	flight := openFirstRecord(t, key, iv, unhex(v.serverRecord))
	if !bytes.Equal(flight, unhex(v.serverFlight)) {
		t.Fatal("the server handshake keys open the record to other bytes than the trace's flight")
	}
	msgs := splitHandshake(t, flight)
	if len(msgs) != 4 || msgs[3][0] != 20 {
		t.Fatalf("server flight of %d messages, want EE, Certificate, CertificateVerify, Finished", len(msgs))
	}
	for _, m := range msgs[:3] {
		tr.Add(m)
	}
	// {server} calculate finished "tls13 finished".
	serverFinished := msgs[3][4:]
	want(t, "server finished_key", finishedKey(serverHS), v.serverFinishedKey)
	want(t, "server Finished verify_data", serverHS.VerifyData(tr.Sum()), hex.EncodeToString(serverFinished))
	if !serverHS.CheckFinished(tr.Sum(), serverFinished) {
		t.Error("CheckFinished refuses the trace's server Finished")
	}
	tr.Add(msgs[3])
	finishedHash := tr.Sum()
	want(t, "transcript hash through server Finished", finishedHash.Bytes(), v.finishedHash)

	// {server} derive secret "tls13 c ap traffic", "tls13 s ap traffic",
	// "tls13 exp master", and the application traffic keys.
	clientAP, serverAP := ms.ClientTrafficSecret(finishedHash), ms.ServerTrafficSecret(finishedHash)
	want(t, "client application traffic secret", clientAP.key, v.clientAP)
	want(t, "server application traffic secret", serverAP.key, v.serverAP)
	want(t, "exporter master secret", ms.ExporterMasterSecret(finishedHash).key, v.exporter)
	for _, k := range []struct {
		name string
		s    interface {
			Keys(int, int) ([]byte, []byte)
		}
		key, iv string
	}{
		{"server application", serverAP, v.serverAPKey, v.serverAPIV},
		{"client handshake", clientHS, v.clientHSKey, v.clientHSIV},
		{"client application", clientAP, v.clientAPKey, v.clientAPIV},
	} {
		key, iv := k.s.Keys(keyLen, ivLen)
		want(t, k.name+" key", key, k.key)
		want(t, k.name+" iv", iv, k.iv)
	}

	// {client} calculate finished "tls13 finished".
	clientFinished := unhex(v.clientFinished)
	want(t, "client finished_key", finishedKey(clientHS), v.clientFinishedKey)
	want(t, "client Finished verify_data", clientHS.VerifyData(finishedHash), hex.EncodeToString(clientFinished[4:]))
	if !clientHS.CheckFinished(finishedHash, clientFinished[4:]) {
		t.Error("CheckFinished refuses the trace's client Finished")
	}

	// {client} derive secret "tls13 res master".
	tr.Add(clientFinished)
	clientFinishedHash := tr.Sum()
	want(t, "transcript hash through client Finished", clientFinishedHash.Bytes(), v.clientFinishedHash)
	want(t, "resumption master secret", ms.ResumptionMasterSecret(clientFinishedHash).key, v.resumption)
}

// TestRFC8448TicketPSK checks the PSK of Section 3's NewSessionTicket
// (ticket_nonce 00 00): {server} generate resumption secret "tls13
// resumption" (RFC 8446, Section 4.6.1), which Section 4 resumes with.
func TestRFC8448TicketPSK(t *testing.T) {
	rms := &ResumptionMasterSecret{newSecret(crypto.SHA256, unhex(rfc8448Simple.resumption))}
	psk, err := rms.TicketPSK([]byte{0, 0})
	if err != nil {
		t.Fatal(err)
	}
	want(t, "ticket PSK", psk, rfc8448TicketPSK)
}

// wantDerived checks Derive-Secret(s, "derived", ""), where the trace
// prints it.
func wantDerived(t *testing.T, name string, s secret, trace string) {
	t.Helper()
	if trace == "" {
		return
	}
	derived, err := DeriveSecret(crypto.SHA256, s.key, "derived", emptyHash(crypto.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	want(t, name, derived, trace)
}

// rfc8448TicketPSK is the PSK of Section 3's ticket, the "expanded" value
// of {server} generate resumption secret "tls13 resumption", and the IKM of
// Section 4's {client} extract secret "early".
const rfc8448TicketPSK = "4e cd 0e b6 ec 3b 4d 87 f5 d6 02 8f 92 2c a4 c5 85 1a 27 7f d4 13 11 c9 e6 2d 2c 94 92 e1 c4 f3"

// TestRFC8448ResumptionBinder checks RFC 8448, Section 4 (Resumed 0-RTT
// Handshake) up to the PSK binder: the early secret from the ticket's PSK,
// the resumption binder key, its finished_key, the binder hash over the
// ClientHello truncated before its binders, and the binder itself, which
// must also stand at the end of the ClientHello the trace sends.
func TestRFC8448ResumptionBinder(t *testing.T) {
	// {client} construct a ClientHello handshake message (477 octets, the
	// truncated ClientHello), then {client} send handshake record (512
	// octets, the whole ClientHello with its binders).
	prefix := unhex(`01 00 01 fc 03 03 1b c3 ce b6 bb e3 9c
		ff 93 83 55 b5 a5 0a db 6d b2 1b 7a 6a f6 49 d7 b4 bc 41 9d 78
		76 48 7d 95 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00 00 0b
		00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00
		12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 33
		00 26 00 24 00 1d 00 20 e4 ff b6 8a c0 5f 8d 96 c9 9d a2 66 98
		34 6c 6b e1 64 82 ba dd da fe 05 1a 66 b4 f1 8d 66 8f 0b 00 2a
		00 00 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03
		02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06
		02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01 00 15 00 57 00 00
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		00 00 29 00 dd 00 b8 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e c9
		00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf 1b 00
		70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60 97 a3
		a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f
		d6 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e
		e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f
		a5 90 6c 5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97
		b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41 ef 5f
		7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57 fa d6
		aa cb`)
	binderList := unhex(`00 21 20 3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d
		ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e 5f 9d`)
	bodyLen := int(prefix[1])<<16 | int(prefix[2])<<8 | int(prefix[3])
	if len(prefix) != 477 || len(prefix)+len(binderList) != 4+bodyLen {
		t.Fatalf("ClientHello prefix is %d octets, binders %d: not the trace's 477 + 35", len(prefix), len(binderList))
	}

	// {client} extract secret "early" with the ticket's PSK.
	early := NewEarlySecret(crypto.SHA256, unhex(rfc8448TicketPSK))
	want(t, "early secret (PSK)", early.key,
		"9b 21 88 e9 b2 fc 6d 64 d7 1d c3 29 90 0e 20 bb 41 91 50 00 f6 78 aa 83 9c bb 79 7c b7 d8 33 2c")

	// {client} calculate PSK binder.
	tr := NewTranscript()
	if err := tr.SetHash(crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	binderHash := tr.SumWith(prefix)
	want(t, "binder hash", binderHash.Bytes(),
		"63 22 4b 2e 45 73 f2 d3 45 4c a8 4b 9d 00 9a 04 f6 be 9e 05 71 1a 83 96 47 3a ef a0 1e 92 4a 14")
	bk := early.ResumptionBinderKey()
	want(t, "binder key (res binder)", bk.key,
		"69 fe 13 1a 3b ba d5 d6 3c 64 ee bc c3 0e 39 5b 9d 81 07 72 6a 13 d0 74 e3 89 db c8 a4 e4 72 56")
	want(t, "binder finished_key", finishedKey(bk),
		"55 88 67 3e 72 cb 59 c8 7d 22 0c af fe 94 f2 de a9 a3 b1 60 9f 7d 50 e9 0a 48 22 7d b9 ed 7e aa")
	binder := bk.Binder(binderHash)
	want(t, "binder", binder,
		"3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e 5f 9d")
	if !bytes.Equal(binderList[3:], binder) || !bk.CheckBinder(binderHash, binderList[3:]) {
		t.Error("the binder in the trace's ClientHello does not check")
	}
	// SumWith left the transcript as it was: the whole ClientHello goes in
	// next, as the server hashes it.
	tr.Add(append(prefix, binderList...))
	if bytes.Equal(tr.Sum().Bytes(), binderHash.Bytes()) {
		t.Error("SumWith added the prefix to the running transcript")
	}
}

// agree is the ECDH agreement of a trace's private key with the peer's
// public key, both hex.
func agree(t *testing.T, curve ecdh.Curve, private, peerPublic string) []byte {
	t.Helper()
	priv, err := curve.NewPrivateKey(unhex(private))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := curve.NewPublicKey(unhex(peerPublic))
	if err != nil {
		t.Fatal(err)
	}
	shared, err := priv.ECDH(pub)
	if err != nil {
		t.Fatal(err)
	}
	return shared
}

// finishedKey is the finished_key of a base key, which the RFC 8448 traces
// print as the "expanded" value of calculate finished "tls13 finished".
func finishedKey(base interface{ baseKey() secret }) []byte {
	s := base.baseKey()
	return s.expandLabel(nil, "finished", nil, s.hash.Size())
}

func (t *HandshakeTrafficSecret) baseKey() secret { return t.secret }
func (b *BinderKey) baseKey() secret              { return b.secret }

// unhex decodes the RFC's spaced, line-wrapped hex.
func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// want compares got with the trace's hex value.
func want(t *testing.T, name string, got []byte, trace string) {
	t.Helper()
	if w := unhex(trace); !bytes.Equal(got, w) {
		t.Errorf("%s:\n got %x\nwant %x", name, got, w)
	}
}

// openFirstRecord decrypts a TLS 1.3 AES-GCM record with sequence number 0
// (nonce = iv, additional data = the 5-byte header, RFC 8446, Section 5.2)
// and returns its content without the inner type, which must be handshake.
func openFirstRecord(t *testing.T, key, iv, record []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := aead.Open(nil, iv, record[5:], record[:5])
	if err != nil {
		t.Fatalf("record does not open with the derived keys: %v", err)
	}
	if len(inner) == 0 || inner[len(inner)-1] != 22 {
		t.Fatalf("inner content type is not handshake")
	}
	return inner[:len(inner)-1]
}

// splitHandshake cuts a run of handshake messages at their 4-byte headers.
func splitHandshake(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var msgs [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatal("truncated handshake header")
		}
		n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
		if n > len(b) {
			t.Fatal("truncated handshake message")
		}
		msgs = append(msgs, b[:n])
		b = b[n:]
	}
	return msgs
}
