package interop

import (
	"crypto/rand"
	gotls "crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
)

// Resumption against OpenSSL (issue 7), both ways, by ticket and by
// session id.

func newTicketer(t *testing.T) *session.Ticketer {
	key := make([]byte, session.KeyLen)
	rand.Read(key)
	tk, err := session.NewTicketer(key)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestResumeOpenSSLClient: `openssl s_client -reconnect` makes one full
// handshake and five reconnections offering the session; every
// reconnection must be reported "Reused" by OpenSSL and resumed by us.
func TestResumeOpenSSLClient(t *testing.T) {
	for _, mode := range []string{"ticket", "session-id"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			row(t, "openssl s_client", "client", "resume by "+mode, "-")
			p := pkis[certgen.ECDSAP256]
			cfg := p.serverConfig()
			cfg.SessionCache = session.NewCache(0)
			args := []string{"s_client", "-tls1_2", "-reconnect", "-servername", "localhost", "-CAfile", p.rootPEM}
			if mode == "ticket" {
				cfg.Tickets = newTicketer(t)
			} else {
				args = append(args, "-no_ticket")
			}
			addr, results := startEcho(t, cfg)
			sc := start(t, "openssl", append(args, "-connect", addr)...)
			sc.stdin.Close()
			if err := sc.wait(15 * time.Second); err != nil {
				t.Fatal(err)
			}
			out := sc.output()
			if n := strings.Count(out, "Reused, TLSv1.2"); n != 5 {
				t.Errorf("OpenSSL reports %d reused sessions, want 5", n)
			}
			full, resumed := 0, 0
			for range 6 {
				r := result(t, results)
				if r.err != nil {
					t.Fatalf("our server: %v", r.err)
				}
				if r.state.Resumed {
					resumed++
				} else {
					full++
				}
			}
			if full != 1 || resumed != 5 {
				t.Errorf("our server: %d full, %d resumed handshakes; want 1 and 5", full, resumed)
			}
			if t.Failed() {
				t.Logf("s_client output:\n%s", out)
			}
		})
	}
}

// TestResumeOpenSSLServer: our client resumes against `openssl s_server`,
// with tickets and (with -no_ticket) by session id.
func TestResumeOpenSSLServer(t *testing.T) {
	for _, mode := range []string{"ticket", "session-id"} {
		t.Run(mode, func(t *testing.T) {
			row(t, "openssl s_server", "server", "resume by "+mode, "-")
			p := pkis[certgen.RSA2048]
			extra := p.chainArgs()
			if mode == "session-id" {
				extra = append(extra, "-no_ticket")
			}
			srv, addr := startSServer(t, extra...)
			defer func() {
				if t.Failed() {
					t.Logf("s_server output:\n%s", srv.output())
				}
			}()
			cfg := p.clientConfig()
			cfg.Groups = []kex.Group{kex.X25519}
			cfg.CipherSuites = []uint16{cipher.SuiteByName("ECDHE-RSA-AES128-GCM-SHA256").ID}
			var sess *session.State
			for i := range 3 {
				sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost", Session: sess})
				if err != nil {
					t.Fatalf("connection %d: %v", i, err)
				}
				st := sock.ConnectionState()
				if st.Resumed != (i > 0) {
					t.Fatalf("connection %d: resumed %v", i, st.Resumed)
				}
				if st.Session == nil || (mode == "ticket") != (len(st.Session.Ticket) > 0) {
					t.Fatalf("connection %d: session %+v", i, st.Session)
				}
				if st.VerifyError != nil || len(st.PeerCertificates) == 0 {
					t.Fatalf("connection %d: peer view lost: %v, %d certificates", i, st.VerifyError, len(st.PeerCertificates))
				}
				page := fetch(t, sock)
				reused := strings.Contains(page, "Reused, TLSv1.2")
				if reused != (i > 0) {
					t.Fatalf("connection %d: s_server says reused=%v", i, reused)
				}
				sess = st.Session
				sock.Close() // s_server serves one connection at a time
			}
		})
	}
}

// TestResumeGoClient: Go's crypto/tls client resumes against our server
// by ticket, and our client resumes against a crypto/tls server.
func TestResumeGoClient(t *testing.T) {
	row(t, "go crypto/tls", "client", "resume by ticket", "-")
	p := pkis[certgen.ECDSAP256]
	cfg := p.serverConfig()
	cfg.Tickets = newTicketer(t)
	addr, results := startEcho(t, cfg)
	goCfg := &gotls.Config{
		RootCAs: p.goRoots(t), ServerName: "localhost", MaxVersion: gotls.VersionTLS12,
		ClientSessionCache: gotls.NewLRUClientSessionCache(4),
	}
	for i := range 3 {
		conn, err := gotls.DialWithDialer(&net.Dialer{Timeout: peerTimeout}, "tcp", addr, goCfg)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(peerTimeout))
		echo(t, conn, 100)
		conn.Close()
		res := result(t, results)
		if res.err != nil {
			t.Fatalf("our server: %v", res.err)
		}
		if did := conn.ConnectionState().DidResume; did != (i > 0) || res.state.Resumed != did {
			t.Fatalf("connection %d: crypto/tls resumed %v, our server %v", i, did, res.state.Resumed)
		}
	}
}

func TestResumeGoServer(t *testing.T) {
	row(t, "go crypto/tls", "server", "resume by ticket", "-")
	p := pkis[certgen.ECDSAP256]
	addr, served := goServer(t, &gotls.Config{Certificates: []gotls.Certificate{p.goCert()}, MaxVersion: gotls.VersionTLS12})
	cfg := p.clientConfig()
	var sess *session.State
	for i := range 3 {
		sock, err := dialOurs(t, addr, cfg, engine.ClientOptions{ServerName: "localhost", Session: sess})
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		echo(t, sock, 100)
		st := sock.ConnectionState()
		sock.Close()
		g := goResult(t, served)
		if st.Resumed != (i > 0) || g.state.DidResume != st.Resumed {
			t.Fatalf("connection %d: we resumed %v, crypto/tls %v", i, st.Resumed, g.state.DidResume)
		}
		sess = st.Session
	}
}
