package api_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
)

// handshakePair connects a client and a server socket over net.Pipe.
func handshakePair(t *testing.T, cc, sc *engine.Config, opts engine.ClientOptions) (client, server *api.TLSSocket) {
	t.Helper()
	a, b := net.Pipe()
	server = api.NewServerSocket(a, sc, nil)
	client = api.NewClientSocket(b, cc, opts)
	t.Cleanup(func() { a.Close(); b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake(ctx) }()
	if err := client.Handshake(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return client, server
}

// TestTLSSocketGetCipherGetProtocolGetEphemeralKeyInfo checks getCipher, getProtocol and
// getEphemeralKeyInfo shapes against what Node v20 reports
// (design/node-api.md, section 3.2).
func TestTLSSocketGetCipherGetProtocolGetEphemeralKeyInfo(t *testing.T) {
	dh, _ := kex.FFDHEParams(kex.FFDHE2048)
	cases := []struct {
		suite   string
		version uint16
		group   kex.Group
		proto   string
		cipher  api.CipherInfo
		eph     api.EphemeralKeyInfo
	}{
		{"ECDHE-RSA-AES128-GCM-SHA256", 0x0303, kex.X25519, "TLSv1.2",
			api.CipherInfo{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2"}, api.EphemeralKeyInfo{"ECDH", "X25519", 253}},
		{"ECDHE-RSA-AES128-SHA", 0x0301, kex.P384, "TLSv1",
			api.CipherInfo{"ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLSv1.0"}, api.EphemeralKeyInfo{"ECDH", "secp384r1", 384}},
		{"AES256-SHA", 0x0302, 0, "TLSv1.1",
			api.CipherInfo{"AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "SSLv3"}, api.EphemeralKeyInfo{}},
		{"DHE-RSA-AES128-GCM-SHA256", 0x0303, 0, "TLSv1.2",
			api.CipherInfo{"DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2"}, api.EphemeralKeyInfo{"DH", "", 2048}},
	}
	pki := tlstest.NewPKI(certgen.RSA2048)
	for _, tc := range cases {
		id := cipher.SuiteByName(tc.suite).ID
		cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
		cc.CipherSuites, sc.CipherSuites = []uint16{id}, []uint16{id}
		cc.MinVersion, cc.MaxVersion, sc.MinVersion = tc.version, tc.version, 0x0301
		sc.DHParams = dh
		if tc.group != 0 {
			sc.Groups = []kex.Group{tc.group}
		}
		client, server := handshakePair(t, cc, sc, engine.ClientOptions{ServerName: "localhost"})
		if got := *client.Cipher(); got != tc.cipher || *server.Cipher() != tc.cipher {
			t.Errorf("%s: Cipher() = %+v, want %+v", tc.suite, got, tc.cipher)
		}
		if client.Protocol() != tc.proto || server.Protocol() != tc.proto {
			t.Errorf("%s: Protocol() = %q/%q, want %q", tc.suite, client.Protocol(), server.Protocol(), tc.proto)
		}
		if got := client.EphemeralKeyInfo(); got == nil || *got != tc.eph || server.EphemeralKeyInfo() != nil {
			t.Errorf("%s: EphemeralKeyInfo() = %+v (server %+v), want %+v", tc.suite, got, server.EphemeralKeyInfo(), tc.eph)
		}
		if !client.Authorized() || client.AuthorizationError() != nil || server.Authorized() || !client.Encrypted() {
			t.Errorf("%s: authorized client %v (%v), server %v", tc.suite, client.Authorized(), client.AuthorizationError(), server.Authorized())
		}
		if client.Servername() != "localhost" || server.Servername() != "localhost" {
			t.Errorf("%s: servername %q/%q", tc.suite, client.Servername(), server.Servername())
		}
	}
}

// TestTLSSocketGetSessionGetTLSTicketIsSessionReused: Session returns bytes that resume, TLSTicket the
// raw ticket on the client only, IsSessionReused the outcome, in TLS 1.2
// (TestTLSSocketEventSessionTLS13 covers TLS 1.3).
func TestTLSSocketGetSessionGetTLSTicketIsSessionReused(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	sc := pki.ServerConfig(2)
	sc.MaxVersion = cipher.VersionTLS12
	key := make([]byte, session.KeyLen)
	sc.Tickets, _ = session.NewTicketer(key)
	client, server := handshakePair(t, pki.ClientConfig(1), sc, engine.ClientOptions{ServerName: "localhost"})
	saved, ticket := client.Session(), client.TLSTicket()
	if saved == nil || len(ticket) == 0 || server.TLSTicket() != nil || client.IsSessionReused() {
		t.Fatalf("session %d bytes, ticket %d bytes, server ticket %v, reused %v", len(saved), len(ticket), server.TLSTicket(), client.IsSessionReused())
	}
	sess, err := session.Unmarshal(saved)
	if err != nil {
		t.Fatal(err)
	}
	client, server = handshakePair(t, pki.ClientConfig(3), sc, engine.ClientOptions{ServerName: "localhost", Session: sess})
	if !client.IsSessionReused() || !server.IsSessionReused() || !client.Authorized() {
		t.Fatalf("resumed: client %v server %v authorized %v", client.IsSessionReused(), server.IsSessionReused(), client.Authorized())
	}
	// A client that did not verify the server: not authorized, with a code.
	cc := pki.ClientConfig(4)
	cc.RootCAs, cc.InsecureSkipVerify = nil, true
	client, _ = handshakePair(t, cc, sc, engine.ClientOptions{ServerName: "localhost"})
	var e *api.Error
	if client.Authorized() || !errors.As(client.AuthorizationError(), &e) || e.Code == "" {
		t.Fatalf("unverified: authorized %v, error %v", client.Authorized(), client.AuthorizationError())
	}
}

func TestTLSSocketEventSession(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	sc := pki.ServerConfig(2)
	sc.MaxVersion = cipher.VersionTLS12 // a TLS 1.2 ticket
	sc.Tickets, _ = session.NewTicketer(make([]byte, session.KeyLen))
	client, server := handshakePair(t, pki.ClientConfig(1), sc, engine.ClientOptions{ServerName: "localhost"})
	var got []byte
	client.OnSession(func(b []byte) { got = b })
	if got == nil || string(got) != string(client.Session()) {
		t.Fatal("session event not delivered")
	}
	server.OnSession(func([]byte) { t.Fatal("session event on a server socket") })
}

// TestTLSSocketSessionTLS12NotOfferedAsTLS13: a TLS 1.2 session offered by a
// default client to a default server is not resumed: the server picks TLS
// 1.3, where a TLS 1.2 session does not apply, and runs a full handshake.
// (TLS 1.3 sessions: TestTLSSocketEventSessionTLS13 in session13_test.go.)
func TestTLSSocketSessionTLS12NotOfferedAsTLS13(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	sc := pki.ServerConfig(2)
	sc.SessionCache = session.NewCache(8)
	cc12 := pki.ClientConfig(3)
	cc12.MaxVersion = cipher.VersionTLS12
	client12, _ := handshakePair(t, cc12, sc, engine.ClientOptions{ServerName: "localhost"})
	sess, err := session.Unmarshal(client12.Session())
	if err != nil {
		t.Fatal(err)
	}
	client, server := handshakePair(t, pki.ClientConfig(4), sc, engine.ClientOptions{ServerName: "localhost", Session: sess})
	if client.Protocol() != "TLSv1.3" || client.IsSessionReused() || server.IsSessionReused() || !client.Authorized() {
		t.Fatalf("TLS 1.2 session offered: %s, reused %v/%v, authorized %v", client.Protocol(), client.IsSessionReused(), server.IsSessionReused(), client.Authorized())
	}
}
