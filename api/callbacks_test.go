package api_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
)

// hangCap bounds the waits of these tests: reaching it means a hang.
const hangCap = 10 * time.Second

// wait receives from c, failing the test as hung after hangCap.
func wait[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(hangCap):
		t.Fatalf("hung: %s", what)
		panic("unreachable")
	}
}

// goroutinesDownTo waits until at most n goroutines run and returns how
// many do (more than n after hangCap).
func goroutinesDownTo(n int) int {
	deadline := time.Now().Add(hangCap)
	for {
		got := runtime.NumGoroutine()
		if got <= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHandshakeTimeoutWhileListenerIsOut: a server listener that never
// answers (SNICallback, OCSPRequest, resumeSession, newSession) does not
// hold the socket's lock, so handshakeTimeout still fires: tlsClientError
// gets ERR_TLS_HANDSHAKE_TIMEOUT, the connection is closed, Close returns,
// secureConnection is never emitted, the late answer is dropped, and no
// goroutine is left once the listener returns (issue 12, item 6).
func TestHandshakeTimeoutWhileListenerIsOut(t *testing.T) {
	pki := newNodePKI(t)
	clientOpts := api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}}, Host: "127.0.0.1"}
	for _, tc := range []struct {
		name string
		// options and server install a listener that blocks (h.blocked
		// says it was called) until h.release is closed, or calls back
		// only then.
		options func(o *api.ServerOptions, h hook)
		server  func(srv *api.Server, h hook)
		// client adjusts the client's options for the listener to run.
		client func(t *testing.T, o *api.ConnectOptions, port int)
		// handshakeOK: the handshake completes on the wire first.
		handshakeOK bool
	}{
		{name: "SNICallback", options: func(o *api.ServerOptions, h hook) {
			o.SNICallback = func(string) (*api.SecureContext, error) { h.block(); return nil, nil }
		}},
		{name: "OCSPRequest", server: func(srv *api.Server, h hook) {
			srv.OnOCSPRequest(func(_, _ []byte) ([]byte, error) { h.block(); return nil, nil })
		}, client: func(_ *testing.T, o *api.ConnectOptions, _ int) { o.RequestOCSP = true }},
		{name: "resumeSession", options: func(o *api.ServerOptions, _ hook) { o.NoTickets = true }, server: func(srv *api.Server, h hook) {
			srv.OnNewSession(func(_, _ []byte, done func()) { done() })
			srv.OnResumeSession(func(_ []byte, cb func([]byte, error)) {
				h.blocked <- struct{}{}
				go func() { <-h.release; cb(nil, nil) }()
			})
		}, client: func(t *testing.T, o *api.ConnectOptions, port int) {
			// A first connection gets a session id to offer (TLS 1.2
			// session ids: TLS 1.3 has no resumeSession).
			o.MaxVersion = "TLSv1.2"
			first := *o
			first.Port = port
			sock, err := api.Connect(first, nil)
			if err != nil {
				t.Fatal(err)
			}
			o.Session = sock.Session()
			sock.Close()
		}},
		{name: "newSession", options: func(o *api.ServerOptions, _ hook) { o.NoTickets = true }, server: func(srv *api.Server, h hook) {
			srv.OnNewSession(func(_, _ []byte, done func()) {
				h.blocked <- struct{}{}
				go func() { <-h.release; done() }()
			})
		}, client: func(_ *testing.T, o *api.ConnectOptions, _ int) {
			o.MaxVersion = "TLSv1.2" // a TLS 1.2 session id
		}, handshakeOK: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			h := hook{blocked: make(chan struct{}, 1), release: make(chan struct{})}
			opts := api.ServerOptions{SecureContextOptions: pki.serverOptions(), HandshakeTimeout: 200 * time.Millisecond}
			if tc.options != nil {
				tc.options(&opts, h)
			}
			secure := make(chan *api.TLSSocket, 2)
			srv, err := api.CreateServer(opts, func(s *api.TLSSocket) { secure <- s })
			if err != nil {
				t.Fatal(err)
			}
			clientErrs := make(chan error, 2)
			srv.OnTLSClientError(func(err error, s *api.TLSSocket) {
				closed := make(chan struct{})
				go func() { s.Close(); close(closed) }()
				wait(t, closed, "Close on the timed-out socket")
				clientErrs <- err
			})
			if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
				t.Fatal(err)
			}
			port := srv.Address().(*net.TCPAddr).Port
			co := clientOpts
			if tc.client != nil {
				tc.client(t, &co, port)
			}
			if co.Session != nil {
				<-secure // the connection that made the session
			}
			if tc.server != nil {
				tc.server(srv, h)
			}
			co.Port = port
			connected := make(chan error, 1)
			go func() {
				sock, err := api.Connect(co, nil)
				if err == nil {
					// The server drops the connection at the timeout.
					sock.SetReadDeadline(time.Now().Add(hangCap))
					_, err = sock.Read(make([]byte, 1))
					sock.Close()
					if err == nil {
						err = errors.New("read data")
					}
					err = &handshakeDone{err}
				}
				connected <- err
			}()
			wait(t, h.blocked, "the listener was not called")
			err = wait(t, clientErrs, "no tlsClientError while the listener is out")
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Code != "ERR_TLS_HANDSHAKE_TIMEOUT" {
				t.Fatalf("tlsClientError %v, want ERR_TLS_HANDSHAKE_TIMEOUT", err)
			}
			err = wait(t, connected, "the client was not disconnected")
			var hd *handshakeDone
			if errors.As(err, &hd) != tc.handshakeOK || err == nil {
				t.Fatalf("client: %v", err)
			}
			// Still there: the server's accept loop, and the
			// listener's goroutine or the test's late caller.
			blocked := goroutinesDownTo(before + 2)
			close(h.release) // the late answer
			srv.Close()
			after := goroutinesDownTo(before)
			t.Logf("goroutines: %d before, %d with the listener still out after the timeout, %d after it returned",
				before, blocked, after)
			if blocked > before+2 || after > before {
				t.Errorf("goroutines: %d before, %d while blocked, %d after", before, blocked, after)
			}
			select {
			case <-secure:
				t.Fatal("secureConnection after the timeout")
			default:
			}
		})
	}
}

// hook is how a listener under test blocks.
type hook struct {
	blocked chan struct{}
	release chan struct{}
}

// block says the listener was called and waits for release.
func (h hook) block() {
	h.blocked <- struct{}{}
	<-h.release
}

// handshakeDone marks a client error that came after its handshake.
type handshakeDone struct{ err error }

func (h *handshakeDone) Error() string { return "after the handshake: " + h.err.Error() }

// TestCloseWhileResolverIsOut: Close returns at once while a decision's
// resolver has not answered; the handshake ends, and the late answer is
// dropped without touching the closed socket.
func TestCloseWhileResolverIsOut(t *testing.T) {
	before := runtime.NumGoroutine()
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	entered, release := make(chan struct{}), make(chan struct{})
	cfg := pki.ServerConfig(1)
	cfg.AskServerContext = true
	a, b := net.Pipe()
	var server *api.TLSSocket
	server = api.NewServerSocket(a, cfg, &engine.Resolvers{ServerContext: func(*engine.ServerContextDecision) (*engine.Config, error) {
		close(entered)
		<-release
		// Under the socket's lock this would never return.
		server.ConnectionState()
		return nil, nil
	}})
	client := api.NewClientSocket(b, pki.ClientConfig(2), engine.ClientOptions{ServerName: "localhost"})
	handshakes := make(chan error, 2)
	go func() { handshakes <- server.Handshake(context.Background()) }()
	go func() { handshakes <- client.Handshake(context.Background()) }()
	wait(t, entered, "the resolver was not called")
	closed := make(chan error, 1)
	go func() { closed <- server.Close() }()
	wait(t, closed, "Close while the resolver is out")
	for range 2 {
		if err := wait(t, handshakes, "a handshake after Close"); err == nil {
			t.Fatal("a handshake completed on a closed socket")
		}
	}
	close(release)
	client.Close()
	if after := goroutinesDownTo(before); after > before {
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
}

// TestKeylogListenerRunsWithoutLock: a keylog listener runs without the
// socket's lock, so it may call the socket's methods.
func TestKeylogListenerRunsWithoutLock(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	a, b := net.Pipe()
	server := api.NewServerSocket(a, pki.ServerConfig(1), nil)
	client := api.NewClientSocket(b, pki.ClientConfig(2), engine.ClientOptions{ServerName: "localhost"})
	defer b.Close()
	defer a.Close()
	lines := 0
	client.OnKeylog(func(string) {
		client.ConnectionState() // takes the lock
		lines++
	})
	handshakes := make(chan error, 2)
	go func() { handshakes <- server.Handshake(context.Background()) }()
	go func() { handshakes <- client.Handshake(context.Background()) }()
	for range 2 {
		if err := wait(t, handshakes, "a handshake with a keylog listener"); err != nil {
			t.Fatal(err)
		}
	}
	if lines == 0 {
		t.Fatal("no keylog line")
	}
}
