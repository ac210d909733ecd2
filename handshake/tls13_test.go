package handshake_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
)

// run13 is a TLS 1.3 handshake between two machines at the message level
// (keySink: no record layer). tamper may rewrite or drop (nil) each
// message in flight; a nil raw in or out is a ChangeCipherSpec.
type run13 struct {
	c, s      *handshake.Machine
	cs, ss    *keySink
	clientErr error
	serverErr error
	// sent lists every message type that crossed, per direction.
	fromClient, fromServer []handshake.MessageType
}

func newRun13(t *testing.T, kt certgen.KeyType, tweak func(c, s *handshake.Config)) *run13 {
	t.Helper()
	pki := tlstest.NewPKI(kt)
	cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
	cc.MaxVersion, sc.MaxVersion = cipher.VersionTLS13, cipher.VersionTLS13
	if tweak != nil {
		tweak(cc, sc)
	}
	r := &run13{cs: &keySink{}, ss: &keySink{}}
	r.c = handshake.NewClient(cc, handshake.ClientOptions{ServerName: "localhost"}, r.cs)
	r.s = handshake.NewServer(sc, r.ss)
	if err := r.c.Start(); err != nil {
		t.Fatal(err)
	}
	return r
}

// deliver hands one message (nil: a ChangeCipherSpec) to m the way the
// engine does: an unprotected ChangeCipherSpec during a TLS 1.3 handshake
// is the compatibility one.
func deliver(m *handshake.Machine, raw []byte) error {
	if raw == nil {
		if m.CompatCCS() {
			return m.HandleCompatCCS([]byte{1})
		}
		return m.HandleChangeCipherSpec([]byte{1})
	}
	return m.HandleMessage(raw)
}

// pump runs the exchange until both sides are quiet or one fails.
func (r *run13) pump(tamper func(fromClient bool, raw []byte) []byte) {
	for len(r.cs.out)+len(r.ss.out) > 0 && r.clientErr == nil && r.serverErr == nil {
		for _, d := range []struct {
			from       *keySink
			to         *handshake.Machine
			err        *error
			fromClient bool
			types      *[]handshake.MessageType
		}{{r.cs, r.s, &r.serverErr, true, &r.fromClient}, {r.ss, r.c, &r.clientErr, false, &r.fromServer}} {
			out := d.from.out
			d.from.out = nil
			for _, raw := range out {
				if tamper != nil && raw != nil {
					if raw = tamper(d.fromClient, raw); raw == nil {
						continue
					}
				}
				if raw != nil {
					*d.types = append(*d.types, handshake.MessageType(raw[0]))
				}
				if *d.err = deliver(d.to, raw); *d.err != nil {
					return
				}
			}
		}
	}
}

// wantAlert13 fails unless err carries alert a.
func wantAlert13(t *testing.T, err error, a record.AlertDescription) {
	t.Helper()
	var re *record.Error
	if !errors.As(err, &re) || re.Alert != a {
		t.Fatalf("error %v, want alert %v", err, a)
	}
}

// parse13 parses a TLS 1.3 message.
func parse13(t *testing.T, raw []byte) handshake.Message {
	t.Helper()
	m, err := handshake.ParseMessage(raw, cipher.VersionTLS13)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func marshal(t *testing.T, m handshake.Message) []byte {
	t.Helper()
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestTLS13FlightOrder checks the messages of a full TLS 1.3 handshake with
// client authentication, and the compatibility ChangeCipherSpec each side
// sends once (RFC 8446, Section 2 and Appendix D.4).
func TestTLS13FlightOrder(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	r := newRun13(t, certgen.ECDSAP256, func(c, s *handshake.Config) {
		s.ClientAuth = handshake.RequireVerifiedClientCert
		c.Certificates = []*handshake.Credential{pki.Cert}
	})
	r.pump(nil)
	if r.clientErr != nil || r.serverErr != nil {
		t.Fatalf("client %v, server %v", r.clientErr, r.serverErr)
	}
	wantS := []handshake.MessageType{handshake.TypeServerHello, handshake.TypeEncryptedExtensions, handshake.TypeCertificateRequest,
		handshake.TypeCertificate, handshake.TypeCertificateVerify, handshake.TypeFinished}
	wantC := []handshake.MessageType{handshake.TypeClientHello, handshake.TypeCertificate, handshake.TypeCertificateVerify, handshake.TypeFinished}
	if !slices.Equal(r.fromServer, wantS) || !slices.Equal(r.fromClient, wantC) {
		t.Fatalf("server sent %v, client sent %v", r.fromServer, r.fromClient)
	}
	for _, steps := range [][]string{r.cs.steps, r.ss.steps} {
		n := 0
		for _, s := range steps {
			if s == "SendChangeCipherSpec" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d compatibility ChangeCipherSpecs in %v", n, steps)
		}
	}
	if !r.c.Established() || !r.s.Established() || r.c.Version() != cipher.VersionTLS13 {
		t.Fatal("not established in TLS 1.3")
	}
}

// TestTLS13WrongFinished: a Finished that does not verify is
// decrypt_error, each way (RFC 8446, Section 4.4.4).
func TestTLS13WrongFinished(t *testing.T) {
	for _, fromClient := range []bool{false, true} {
		r := newRun13(t, certgen.ECDSAP256, nil)
		r.pump(func(c bool, raw []byte) []byte {
			if c == fromClient && handshake.MessageType(raw[0]) == handshake.TypeFinished {
				raw = slices.Clone(raw)
				raw[len(raw)-1] ^= 1
			}
			return raw
		})
		err := r.clientErr
		if fromClient {
			err = r.serverErr
		}
		wantAlert13(t, err, record.AlertDecryptError)
	}
}

// TestTLS13CertificateVerifyPKCS1: a CertificateVerify with an RSA PKCS#1
// v1.5 scheme is illegal_parameter in TLS 1.3 (RFC 8446, Section 4.4.3),
// each way, even though the scheme is in signature_algorithms for
// certificates.
func TestTLS13CertificateVerifyPKCS1(t *testing.T) {
	pki := tlstest.NewPKI(certgen.RSA2048)
	for _, fromClient := range []bool{false, true} {
		r := newRun13(t, certgen.RSA2048, func(c, s *handshake.Config) {
			s.ClientAuth = handshake.RequireVerifiedClientCert
			c.Certificates = []*handshake.Credential{pki.Cert}
		})
		r.pump(func(c bool, raw []byte) []byte {
			if c == fromClient && handshake.MessageType(raw[0]) == handshake.TypeCertificateVerify {
				cv := parse13(t, raw).(*handshake.CertificateVerify)
				cv.SignatureScheme = kex.PKCS1WithSHA256
				raw = marshal(t, cv)
			}
			return raw
		})
		err := r.clientErr
		if fromClient {
			err = r.serverErr
		}
		wantAlert13(t, err, record.AlertIllegalParameter)
	}
}

// hrrRun is a handshake in which the server asks for a P-256 share the
// client did not send.
func hrrRun(t *testing.T) *run13 {
	return newRun13(t, certgen.ECDSAP256, func(c, s *handshake.Config) {
		c.Groups = []kex.Group{kex.X25519, kex.P256}
		s.Groups = []kex.Group{kex.P256}
	})
}

// TestTLS13HelloRetryRequest: the server asks for the missing group, the
// client answers with one share on it and the handshake completes with
// message_hash in both transcripts (their Finished agree).
func TestTLS13HelloRetryRequest(t *testing.T) {
	r := hrrRun(t)
	var hrr *handshake.ServerHello
	r.pump(func(c bool, raw []byte) []byte {
		if sh, ok := parse13(t, raw).(*handshake.ServerHello); ok && sh.IsHelloRetryRequest() {
			hrr = sh
		}
		return raw
	})
	if r.clientErr != nil || r.serverErr != nil {
		t.Fatalf("client %v, server %v", r.clientErr, r.serverErr)
	}
	if hrr == nil || hrr.SelectedGroup != kex.P256 {
		t.Fatalf("HelloRetryRequest %+v", hrr)
	}
	if r.cs.state.Group != kex.P256 || r.ss.state.Group != kex.P256 {
		t.Fatalf("groups %v %v", r.cs.state.Group, r.ss.state.Group)
	}
	if !slices.Equal(r.fromClient[:2], []handshake.MessageType{handshake.TypeClientHello, handshake.TypeClientHello}) {
		t.Fatalf("client sent %v", r.fromClient)
	}
}

// TestTLS13BadHelloRetryRequest: a second HelloRetryRequest is
// unexpected_message (RFC 8446, Section 4.1.4); one naming a group the
// client already sent a share for, or one it never offered, is
// illegal_parameter (Section 4.2.8).
func TestTLS13BadHelloRetryRequest(t *testing.T) {
	t.Run("second", func(t *testing.T) {
		r := hrrRun(t)
		var first []byte
		r.pump(func(c bool, raw []byte) []byte {
			if sh, ok := parse13(t, raw).(*handshake.ServerHello); ok {
				if sh.IsHelloRetryRequest() {
					first = raw
				} else {
					return first
				}
			}
			return raw
		})
		wantAlert13(t, r.clientErr, record.AlertUnexpectedMessage)
	})
	for name, g := range map[string]kex.Group{"already shared": kex.X25519, "not offered": kex.P521} {
		t.Run(name, func(t *testing.T) {
			r := hrrRun(t)
			r.pump(func(c bool, raw []byte) []byte {
				if sh, ok := parse13(t, raw).(*handshake.ServerHello); ok && sh.IsHelloRetryRequest() {
					raw = marshal(t, handshake.NewHelloRetryRequest(sh.SessionID, sh.CipherSuite, g, nil))
				}
				return raw
			})
			wantAlert13(t, r.clientErr, record.AlertIllegalParameter)
		})
	}
}

// TestTLS13ChangedSecondClientHello: after a HelloRetryRequest the client
// may change only key_share, early_data, cookie, pre_shared_key and
// padding (RFC 8446, Section 4.1.2); anything else, or a share on another
// group, is illegal_parameter.
func TestTLS13ChangedSecondClientHello(t *testing.T) {
	changes := map[string]func(ch *handshake.ClientHello){
		"cipher suites": func(ch *handshake.ClientHello) { ch.CipherSuites = ch.CipherSuites[1:] },
		"server name":   func(ch *handshake.ClientHello) { ch.ServerName = "other.example" },
		"random":        func(ch *handshake.ClientHello) { ch.Random = make([]byte, 32) },
		"share group": func(ch *handshake.ClientHello) {
			ch.KeyShares = []handshake.KeyShareEntry{{Group: kex.X25519, Data: make([]byte, 32)}}
		},
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			r := hrrRun(t)
			editSecondClientHello(t, r, change)
			wantAlert13(t, r.serverErr, record.AlertIllegalParameter)
		})
	}
}

// TestTLS13SupportedGroupsInEncryptedExtensions: a server that prefers a
// group the client supports to the one of the client's key share it took
// sends all its groups in EncryptedExtensions (RFC 8446, Section 4.2.7);
// the client accepts them and does not act on them during the handshake
// (the group stays the key share's). A server whose first group is the
// chosen one, or whose preferred groups the client does not support,
// sends none.
func TestTLS13SupportedGroupsInEncryptedExtensions(t *testing.T) {
	for _, tc := range []struct {
		name           string
		client, server []kex.Group
		want           []kex.Group
	}{
		{"server prefers P-384", []kex.Group{kex.X25519, kex.P384}, []kex.Group{kex.P384, kex.X25519, kex.P256}, []kex.Group{kex.P384, kex.X25519, kex.P256}},
		{"server's first is the share's", []kex.Group{kex.X25519, kex.P384}, []kex.Group{kex.X25519, kex.P384}, nil},
		{"client lacks the server's first", []kex.Group{kex.X25519}, []kex.Group{kex.P521, kex.X25519}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun13(t, certgen.ECDSAP256, func(c, s *handshake.Config) { c.Groups, s.Groups = tc.client, tc.server })
			var ee *handshake.EncryptedExtensions
			r.pump(func(c bool, raw []byte) []byte {
				if m, ok := parse13(t, raw).(*handshake.EncryptedExtensions); ok {
					ee = m
				}
				return raw
			})
			if r.clientErr != nil || r.serverErr != nil || ee == nil {
				t.Fatalf("client %v, server %v, EncryptedExtensions %v", r.clientErr, r.serverErr, ee)
			}
			if !slices.Equal(ee.SupportedGroups, tc.want) || slices.Contains(ee.Extensions, handshake.ExtSupportedGroups) != (tc.want != nil) {
				t.Fatalf("EncryptedExtensions supported_groups %v (extensions %v), want %v", ee.SupportedGroups, ee.Extensions, tc.want)
			}
			if r.cs.state.Group != kex.X25519 || r.ss.state.Group != kex.X25519 {
				t.Fatalf("group %v/%v, want the key share's X25519", r.cs.state.Group, r.ss.state.Group)
			}
		})
	}
}

// TestTLS13DefaultGroups: by default a client offers X25519MLKEM768
// first, with a key share on it (1,216 bytes: ML-KEM-768's encapsulation
// key and an X25519 point, draft-ietf-tls-ecdhe-mlkem, Section 4.1) and
// one on X25519 beside it, as Go and Chrome do; a default server picks the
// hybrid from such a client, and X25519 without a HelloRetryRequest from a
// client that offers no hybrid (Node v20, OpenSSL 3.0).
func TestTLS13DefaultGroups(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client []kex.Group
		want   kex.Group
	}{
		{"default client", nil, kex.X25519MLKEM768},
		{"client without the hybrid", []kex.Group{kex.X25519, kex.P256, kex.P384}, kex.X25519},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun13(t, certgen.ECDSAP256, func(c, s *handshake.Config) { c.Groups, s.Groups = tc.client, nil })
			var ch *handshake.ClientHello
			r.pump(func(fromClient bool, raw []byte) []byte {
				if m, ok := parse13(t, raw).(*handshake.ClientHello); ok && ch == nil {
					ch = m
				}
				return raw
			})
			if r.clientErr != nil || r.serverErr != nil || ch == nil {
				t.Fatalf("client %v, server %v", r.clientErr, r.serverErr)
			}
			if tc.client == nil {
				if ch.SupportedGroups[0] != kex.X25519MLKEM768 || len(ch.KeyShares) != 2 ||
					ch.KeyShares[0].Group != kex.X25519MLKEM768 || len(ch.KeyShares[0].Data) != 1216 ||
					ch.KeyShares[1].Group != kex.X25519 || len(ch.KeyShares[1].Data) != 32 {
					t.Fatalf("default ClientHello: supported_groups %v, %d key shares", ch.SupportedGroups, len(ch.KeyShares))
				}
			}
			if r.cs.state.Group != tc.want || r.ss.state.Group != tc.want || r.ss.state.HelloRetryRequest {
				t.Fatalf("group %v/%v, want %v; HelloRetryRequest %v", r.cs.state.Group, r.ss.state.Group, tc.want, r.ss.state.HelloRetryRequest)
			}
		})
	}
}

// editSecondClientHello runs r with change applied to the client's second
// ClientHello (the one after the HelloRetryRequest) in flight.
func editSecondClientHello(t *testing.T, r *run13, change func(*handshake.ClientHello)) {
	t.Helper()
	n := 0
	r.pump(func(c bool, raw []byte) []byte {
		if ch, ok := parse13(t, raw).(*handshake.ClientHello); ok {
			if n++; n == 2 {
				change(ch)
				ch.PaddingLen = 0
				raw = marshal(t, ch)
			}
		}
		return raw
	})
}

// TestTLS13DowngradeSentinel: a TLS 1.3 server that negotiates TLS 1.2
// marks its random with DOWNGRD\x01, and a client that offered TLS 1.3
// refuses it (RFC 8446, Section 4.1.3): here a man in the middle strips
// supported_versions from the ClientHello.
func TestTLS13DowngradeSentinel(t *testing.T) {
	r := newRun13(t, certgen.ECDSAP256, nil)
	var random []byte
	r.pump(func(c bool, raw []byte) []byte {
		switch m := parse13(t, raw).(type) {
		case *handshake.ClientHello:
			m.SupportedVersions, m.KeyShares, m.PaddingLen = nil, nil, 0
			return marshal(t, m)
		case *handshake.ServerHello:
			random = m.Random
		}
		return raw
	})
	if string(random[24:]) != "DOWNGRD\x01" {
		t.Fatalf("server random %x", random)
	}
	wantAlert13(t, r.clientErr, record.AlertIllegalParameter)
}

// TestTLS13SecondCompatCCS: one unprotected ChangeCipherSpec is dropped, a
// second is unexpected_message (RFC 8446, Section 5).
func TestTLS13SecondCompatCCS(t *testing.T) {
	r := newRun13(t, certgen.ECDSAP256, nil)
	r.pump(nil)
	if r.clientErr != nil || r.serverErr != nil {
		t.Fatal(r.clientErr, r.serverErr)
	}
	r = newRun13(t, certgen.ECDSAP256, nil)
	if err := deliver(r.c, nil); err == nil {
		t.Fatal("a ChangeCipherSpec before ServerHello was accepted")
	}
	r = newRun13(t, certgen.ECDSAP256, nil)
	sent := 0
	r.pump(func(c bool, raw []byte) []byte {
		if !c && handshake.MessageType(raw[0]) == handshake.TypeEncryptedExtensions && sent == 0 {
			sent++
			if err := deliver(r.c, nil); err == nil {
				r.clientErr = errors.New("second ChangeCipherSpec accepted")
			} else {
				r.clientErr = err
			}
			return nil
		}
		return raw
	})
	wantAlert13(t, r.clientErr, record.AlertUnexpectedMessage)
}

// TestTLS13NoCompatCCSWithoutSessionID: a server sends the compatibility
// ChangeCipherSpec only to a client in compatibility mode, one that sent a
// legacy_session_id (RFC 8446, Appendix D.4).
func TestTLS13NoCompatCCSWithoutSessionID(t *testing.T) {
	r := newRun13(t, certgen.ECDSAP256, nil)
	r.pump(func(c bool, raw []byte) []byte {
		if ch, ok := parse13(t, raw).(*handshake.ClientHello); ok {
			ch.SessionID, ch.PaddingLen = nil, 0
			return marshal(t, ch)
		}
		return raw
	})
	// The client's transcript differs from the server's: only the
	// server's first flight matters here.
	if slices.Contains(r.ss.steps, "SendChangeCipherSpec") {
		t.Fatalf("server steps %v", r.ss.steps)
	}
}

// TestTLS13HelloRetryRequestCookie: a client echoes a HelloRetryRequest's
// cookie in its second ClientHello (RFC 8446, Section 4.2.2).
func TestTLS13HelloRetryRequestCookie(t *testing.T) {
	r := hrrRun(t)
	cookie := []byte("server state")
	var echoed []byte
	n := 0
	r.pump(func(c bool, raw []byte) []byte {
		switch m := parse13(t, raw).(type) {
		case *handshake.ServerHello:
			if m.IsHelloRetryRequest() {
				return marshal(t, handshake.NewHelloRetryRequest(m.SessionID, m.CipherSuite, m.SelectedGroup, cookie))
			}
		case *handshake.ClientHello:
			if n++; n == 2 {
				echoed = m.Cookie
			}
		}
		return raw
	})
	if string(echoed) != string(cookie) {
		t.Fatalf("second ClientHello cookie %q", echoed)
	}
}

// TestTLS13ServerHelloRetryRequestCookie: our HelloRetryRequest carries a
// cookie (RFC 8446, Section 4.2.2) that starts with Hash(ClientHello1),
// under the suite's hash, followed by a 32-byte MAC; the second
// ClientHello must echo it: none, or a changed one, is illegal_parameter,
// and the echoed one completes the handshake.
func TestTLS13ServerHelloRetryRequestCookie(t *testing.T) {
	{
		r := hrrRun(t)
		var ch1, cookie []byte
		r.pump(func(c bool, raw []byte) []byte {
			switch m := parse13(t, raw).(type) {
			case *handshake.ClientHello:
				if ch1 == nil {
					ch1 = raw
				}
			case *handshake.ServerHello:
				if m.IsHelloRetryRequest() {
					cookie = m.Cookie
				}
			}
			return raw
		})
		if r.clientErr != nil || r.serverErr != nil {
			t.Fatalf("client %v, server %v", r.clientErr, r.serverErr)
		}
		h := cipher.Suite13ByID(r.ss.state.Suite.ID).PRFHash.New()
		h.Write(ch1)
		if sum := h.Sum(nil); len(cookie) != len(sum)+32 || !bytes.Equal(cookie[:len(sum)], sum) {
			t.Fatalf("cookie %x, want Hash(ClientHello1) %x and a 32-byte MAC", cookie, sum)
		}
	}
	for name, change := range map[string]func([]byte) []byte{
		"missing":   func([]byte) []byte { return nil },
		"changed":   func(c []byte) []byte { c = bytes.Clone(c); c[len(c)-1] ^= 1; return c },
		"hash only": func(c []byte) []byte { return c[:len(c)-32] },
	} {
		t.Run(name, func(t *testing.T) {
			r := hrrRun(t)
			editSecondClientHello(t, r, func(ch *handshake.ClientHello) {
				if ch.Cookie = change(ch.Cookie); ch.Cookie == nil {
					ch.Extensions = slices.DeleteFunc(ch.Extensions, func(e handshake.ExtensionType) bool { return e == handshake.ExtCookie })
				}
			})
			wantAlert13(t, r.serverErr, record.AlertIllegalParameter)
			if !strings.Contains(r.serverErr.Error(), "cookie") {
				t.Fatalf("server error %v", r.serverErr)
			}
		})
	}
}

// TestTLS13UnexpectedBeforeParsing: in TLS 1.3 too a message that is not
// expected now is unexpected_message even when its body does not parse,
// and a HelloRequest, which TLS 1.3 does not have, is not ignored.
func TestTLS13UnexpectedBeforeParsing(t *testing.T) {
	for _, typ := range []handshake.MessageType{handshake.TypeCertificateVerify, handshake.TypeHelloRequest, handshake.TypeKeyUpdate} {
		r := newRun13(t, certgen.ECDSAP256, nil)
		r.pump(func(c bool, raw []byte) []byte {
			if !c && handshake.MessageType(raw[0]) == handshake.TypeEncryptedExtensions {
				return []byte{byte(typ), 0, 0, 1, 0xff}
			}
			return raw
		})
		wantAlert13(t, r.clientErr, record.AlertUnexpectedMessage)
	}
}

// TestTLS13ServerHelloForeignExtension: an extension the client sent but
// that belongs in EncryptedExtensions (here ALPN) is illegal_parameter in a
// ServerHello (RFC 8446, Section 4.2), never taken from the clear.
func TestTLS13ServerHelloForeignExtension(t *testing.T) {
	r := newRun13(t, certgen.ECDSAP256, func(c, s *handshake.Config) {
		c.ALPNProtocols, s.ALPNProtocols = []string{"h2"}, []string{"h2"}
	})
	r.pump(func(c bool, raw []byte) []byte {
		if sh, ok := parse13(t, raw).(*handshake.ServerHello); ok {
			sh.ALPNProtocol = "h2"
			raw = marshal(t, sh)
		}
		return raw
	})
	wantAlert13(t, r.clientErr, record.AlertIllegalParameter)
	if !strings.Contains(r.clientErr.Error(), "application_layer_protocol_negotiation") {
		t.Fatalf("error %v", r.clientErr)
	}
}

// TestTLS13HelloRetryRequestReported: ConnectionState says on both sides
// whether the handshake went through a HelloRetryRequest.
func TestTLS13HelloRetryRequestReported(t *testing.T) {
	for _, retry := range []bool{false, true} {
		r := newRun13(t, certgen.ECDSAP256, nil)
		if retry {
			r = hrrRun(t)
		}
		r.pump(nil)
		if r.clientErr != nil || r.serverErr != nil {
			t.Fatalf("client %v, server %v", r.clientErr, r.serverErr)
		}
		if r.cs.state.HelloRetryRequest != retry || r.ss.state.HelloRetryRequest != retry {
			t.Fatalf("retry %v: client reports %v, server %v", retry, r.cs.state.HelloRetryRequest, r.ss.state.HelloRetryRequest)
		}
	}
}

// to12 caps the server of a TLS 1.3-offering client at TLS 1.2.
func to12(c, s *handshake.Config) { s.MaxVersion = cipher.VersionTLS12 }

// TestTLS12ServerEchoesCompatSessionID: a TLS 1.2 ServerHello that echoes
// the client's TLS 1.3 compatibility session id claims to resume a session
// the client never offered (RFC 5246, Section 7.4.1.3): illegal_parameter.
func TestTLS12ServerEchoesCompatSessionID(t *testing.T) {
	r := newRun13(t, certgen.ECDSAP256, to12)
	var id []byte
	r.pump(func(c bool, raw []byte) []byte {
		switch handshake.MessageType(raw[0]) {
		case handshake.TypeClientHello:
			id = parse13(t, raw).(*handshake.ClientHello).SessionID
		case handshake.TypeServerHello:
			sh := parse13(t, raw).(*handshake.ServerHello)
			sh.SessionID = id
			raw = marshal(t, sh)
		}
		return raw
	})
	if len(id) == 0 {
		t.Fatal("no compatibility session id")
	}
	wantAlert13(t, r.clientErr, record.AlertIllegalParameter)
}

// TestTLS12ServerPicksHybridGroup: X25519MLKEM768, offered in
// supported_groups for TLS 1.3, is no ECDHE curve (draft-ietf-tls-ecdhe-mlkem,
// Section 3); a TLS 1.2 ServerKeyExchange naming it is illegal_parameter
// before its signature is even looked at.
func TestTLS12ServerPicksHybridGroup(t *testing.T) {
	r := newRun13(t, certgen.ECDSAP256, func(c, s *handshake.Config) {
		to12(c, s)
		// P-256 for the server's ECDSA certificate (RFC 8422, Section 5.1).
		c.Groups = []kex.Group{kex.X25519MLKEM768, kex.X25519, kex.P256}
	})
	r.pump(func(c bool, raw []byte) []byte {
		if handshake.MessageType(raw[0]) == handshake.TypeServerKeyExchange {
			// RFC 8422, Section 5.4: curve_type, then the NamedCurve.
			raw = slices.Clone(raw)
			raw[5], raw[6] = 0x11, 0xec // X25519MLKEM768
		}
		return raw
	})
	wantAlert13(t, r.clientErr, record.AlertIllegalParameter)
	if !strings.Contains(r.clientErr.Error(), "not an ECDHE curve") {
		t.Fatalf("error %v", r.clientErr)
	}
}
