package kex

// Cross-checks of X25519MLKEM768 against Go's crypto/tls, which has its
// own implementation. crypto/tls's QUIC interface is sans-IO: it takes
// and returns bare handshake messages and hands out the traffic secrets,
// so a test can play one side of a TLS 1.3 handshake by hand up to the
// ServerHello and compare the handshake traffic secrets that both sides
// derive from the shared secret (RFC 8446, Section 7.1).

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

const (
	extSupportedGroups   = 10
	extSignatureAlgs     = 13
	extSupportedVersions = 43
	extKeyShare          = 51
	extQUICParams        = 57
)

// TestX25519MLKEM768AgainstGoServer: our client share, Go's server answer,
// our Finish; the handshake secrets must be Go's.
func TestX25519MLKEM768AgainstGoServer(t *testing.T) {
	client, err := GenerateShare(X25519MLKEM768, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ch := clientHello13(t, client.Public())
	q := tls.QUICServer(&tls.QUICConfig{TLSConfig: &tls.Config{
		MinVersion:       tls.VersionTLS13,
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768},
		Certificates:     []tls.Certificate{selfSigned(t)},
	}})
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.HandleData(tls.QUICEncryptionLevelInitial, ch); err != nil {
		t.Fatal(err)
	}
	sh, goClientSecret, goServerSecret := runQUIC(t, q, true)
	share := serverHelloShare(t, sh)
	secret, err := client.Finish(share)
	if err != nil {
		t.Fatal(err)
	}
	c, s := handshakeSecrets(secret, ch, sh)
	if len(goClientSecret) != 32 || !bytes.Equal(c, goClientSecret) || !bytes.Equal(s, goServerSecret) {
		t.Errorf("handshake secrets differ from crypto/tls's:\nours %x %x\nGo's %x %x", c, s, goClientSecret, goServerSecret)
	}
}

// TestX25519MLKEM768AgainstGoClient: Go's client share, our answer, Go's
// decapsulation; the handshake secrets must be ours.
func TestX25519MLKEM768AgainstGoClient(t *testing.T) {
	q := tls.QUICClient(&tls.QUICConfig{TLSConfig: &tls.Config{
		MinVersion:       tls.VersionTLS13,
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768},
		ServerName:       "example.com",
	}})
	q.SetTransportParameters(nil)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	ch, _, _ := runQUIC(t, q, false)
	peerShare := clientHelloShare(t, ch)
	share, secret, err := AnswerShare(X25519MLKEM768, peerShare, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sh := serverHello13(share)
	if err := q.HandleData(tls.QUICEncryptionLevelInitial, sh); err != nil {
		t.Fatal(err)
	}
	_, goClientSecret, goServerSecret := runQUIC(t, q, false)
	c, s := handshakeSecrets(secret, ch, sh)
	if len(goClientSecret) != 32 || !bytes.Equal(c, goClientSecret) || !bytes.Equal(s, goServerSecret) {
		t.Errorf("handshake secrets differ from crypto/tls's:\nours %x %x\nGo's %x %x", c, s, goClientSecret, goServerSecret)
	}
}

// runQUIC drains the events of q, a server if isServer,: the Initial-level bytes it wrote and its
// handshake-level client and server traffic secrets.
func runQUIC(t *testing.T, q *tls.QUICConn, isServer bool) (initial, clientSecret, serverSecret []byte) {
	t.Helper()
	for {
		e := q.NextEvent()
		switch e.Kind {
		case tls.QUICNoEvent:
			return initial, clientSecret, serverSecret
		case tls.QUICTransportParametersRequired:
			q.SetTransportParameters(nil)
		case tls.QUICWriteData:
			if e.Level == tls.QUICEncryptionLevelInitial {
				initial = append(initial, e.Data...)
			}
		case tls.QUICSetReadSecret, tls.QUICSetWriteSecret:
			if e.Level != tls.QUICEncryptionLevelHandshake {
				continue
			}
			if e.Suite != tls.TLS_AES_128_GCM_SHA256 {
				t.Fatalf("crypto/tls chose suite %x", e.Suite)
			}
			// A server writes with the server secret, a client reads
			// with it.
			if (e.Kind == tls.QUICSetWriteSecret) == isServer {
				serverSecret = bytes.Clone(e.Data)
			} else {
				clientSecret = bytes.Clone(e.Data)
			}
		}
	}
}

// handshakeSecrets follows RFC 8446, Section 7.1 with SHA-256 from the
// (EC)DHE input to client_ and server_handshake_traffic_secret.
func handshakeSecrets(shared, ch, sh []byte) (client, server []byte) {
	zeros := make([]byte, 32)
	early, _ := hkdf.Extract(sha256.New, zeros, zeros)
	empty := sha256.Sum256(nil)
	derived := expandLabel(early, "derived", empty[:])
	hs, _ := hkdf.Extract(sha256.New, shared, derived)
	th := sha256.Sum256(append(bytes.Clone(ch), sh...))
	return expandLabel(hs, "c hs traffic", th[:]), expandLabel(hs, "s hs traffic", th[:])
}

// expandLabel is HKDF-Expand-Label (RFC 8446, Section 7.1) for 32 bytes.
func expandLabel(secret []byte, label string, context []byte) []byte {
	var b cryptobyte.Builder
	b.AddUint16(32)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("tls13 " + label)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(context) })
	out, _ := hkdf.Expand(sha256.New, secret, string(b.BytesOrPanic()), 32)
	return out
}

// clientHello13 is a minimal TLS 1.3 ClientHello (RFC 8446, Section
// 4.1.2) offering only X25519MLKEM768 with the given share.
func clientHello13(t *testing.T, share []byte) []byte {
	random := make([]byte, 32)
	rand.Read(random)
	return handshakeMessage(1, func(b *cryptobyte.Builder) {
		b.AddUint16(0x0303)
		b.AddBytes(random)
		b.AddUint8(0)                                                                  // legacy_session_id
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(0x1301) }) // TLS_AES_128_GCM_SHA256
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			addExtension(b, extSupportedVersions, func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(0x0304) })
			})
			addExtension(b, extSupportedGroups, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(uint16(X25519MLKEM768)) })
			})
			addExtension(b, extSignatureAlgs, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(uint16(ECDSAWithP256AndSHA256)) })
			})
			addExtension(b, extKeyShare, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { addKeyShare(b, share) })
			})
			addExtension(b, extQUICParams, func(b *cryptobyte.Builder) {})
		})
	})
}

// serverHello13 is a TLS 1.3 ServerHello (RFC 8446, Section 4.1.3)
// answering clientHello13 or crypto/tls's client with share.
func serverHello13(share []byte) []byte {
	random := make([]byte, 32)
	rand.Read(random)
	return handshakeMessage(2, func(b *cryptobyte.Builder) {
		b.AddUint16(0x0303)
		b.AddBytes(random)
		b.AddUint8(0) // legacy_session_id_echo: QUIC clients send none
		b.AddUint16(0x1301)
		b.AddUint8(0)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			addExtension(b, extSupportedVersions, func(b *cryptobyte.Builder) { b.AddUint16(0x0304) })
			addExtension(b, extKeyShare, func(b *cryptobyte.Builder) { addKeyShare(b, share) })
		})
	})
}

func handshakeMessage(typ uint8, body cryptobyte.BuilderContinuation) []byte {
	var b cryptobyte.Builder
	b.AddUint8(typ)
	b.AddUint24LengthPrefixed(body)
	return b.BytesOrPanic()
}

func addExtension(b *cryptobyte.Builder, typ uint16, body cryptobyte.BuilderContinuation) {
	b.AddUint16(typ)
	b.AddUint16LengthPrefixed(body)
}

func addKeyShare(b *cryptobyte.Builder, share []byte) {
	b.AddUint16(uint16(X25519MLKEM768))
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(share) })
}

// clientHelloShare returns the X25519MLKEM768 share of a ClientHello.
func clientHelloShare(t *testing.T, msg []byte) []byte {
	t.Helper()
	s := helloBody(t, msg, 1)
	var list cryptobyte.String
	if !s.Skip(2+32) || !skipVector8(&s) || !skipVector16(&s) || !skipVector8(&s) {
		t.Fatal("malformed ClientHello")
	}
	exts := extensions(t, s)
	ks := cryptobyte.String(exts[extKeyShare])
	if !ks.ReadUint16LengthPrefixed(&list) {
		t.Fatal("malformed key_share")
	}
	for !list.Empty() {
		var g uint16
		var share []byte
		if !list.ReadUint16(&g) || !list.ReadUint16LengthPrefixed((*cryptobyte.String)(&share)) {
			t.Fatal("malformed key_share entry")
		}
		if Group(g) == X25519MLKEM768 {
			return share
		}
	}
	t.Fatal("crypto/tls sent no X25519MLKEM768 share")
	return nil
}

// serverHelloShare returns the key share of a ServerHello.
func serverHelloShare(t *testing.T, msg []byte) []byte {
	t.Helper()
	s := helloBody(t, msg, 2)
	if !s.Skip(2+32) || !skipVector8(&s) || !s.Skip(3) {
		t.Fatal("malformed ServerHello")
	}
	ks := cryptobyte.String(extensions(t, s)[extKeyShare])
	var g uint16
	var share []byte
	if !ks.ReadUint16(&g) || !ks.ReadUint16LengthPrefixed((*cryptobyte.String)(&share)) || Group(g) != X25519MLKEM768 {
		t.Fatalf("ServerHello key_share for group %x", g)
	}
	return share
}

func helloBody(t *testing.T, msg []byte, typ uint8) cryptobyte.String {
	t.Helper()
	s := cryptobyte.String(msg)
	var mt uint8
	var body cryptobyte.String
	if !s.ReadUint8(&mt) || mt != typ || !s.ReadUint24LengthPrefixed(&body) || !s.Empty() {
		t.Fatalf("want one handshake message of type %d, got %x", typ, msg[:min(len(msg), 8)])
	}
	return body
}

func extensions(t *testing.T, s cryptobyte.String) map[uint16][]byte {
	t.Helper()
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		t.Fatal("malformed extensions")
	}
	out := map[uint16][]byte{}
	for !list.Empty() {
		var typ uint16
		var data []byte
		if !list.ReadUint16(&typ) || !list.ReadUint16LengthPrefixed((*cryptobyte.String)(&data)) {
			t.Fatal("malformed extension")
		}
		out[typ] = data
	}
	return out
}

func skipVector8(s *cryptobyte.String) bool {
	var v cryptobyte.String
	return s.ReadUint8LengthPrefixed(&v)
}

func skipVector16(s *cryptobyte.String) bool {
	var v cryptobyte.String
	return s.ReadUint16LengthPrefixed(&v)
}

// selfSigned is an ECDSA P-256 certificate for the Go server.
func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		DNSNames:     []string{"example.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
