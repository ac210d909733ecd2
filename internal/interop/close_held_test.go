package interop

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// An api server socket closed in the middle of a renegotiation `openssl
// s_client` started ("R"), after writing data the engine holds for the
// new keys, lets the renegotiation finish and sends the data and then
// close_notify: s_client prints the data after the renegotiation's
// Finished and gets a close_notify, no other alert (issue 12, item 10).
// Close used to close the TCP connection at once, and s_client reported
// the truncated handshake with a decode_error alert.
func TestCloseDuringRenegotiationOpenSSLClient(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	sc, conn := acceptSClient(t, p)
	cfg := p.serverConfig()
	cfg.AskRenegotiation = true
	deciding, release := make(chan struct{}), make(chan struct{})
	sock := api.NewServerSocket(conn, cfg, &engine.Resolvers{Renegotiation: func() (bool, error) {
		close(deciding)
		<-release
		return true, nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	if err := sock.Handshake(ctx); err != nil {
		t.Fatalf("handshake: %v\ns_client:\n%s", err, sc.output())
	}
	// The application reads all along, as a Node server does.
	lines := make(chan string, 4)
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := sock.Read(buf)
			if err != nil {
				close(lines)
				return
			}
			lines <- string(buf[:n])
		}
	}()
	// s_client takes "R" as a command only when it reads it alone: once
	// the server has the line before, s_client is past it.
	fmt.Fprintln(sc.stdin, "first")
	if got := waitChan(t, lines, "the first line"); got != "first\n" {
		t.Fatalf("server read %q", got)
	}
	fmt.Fprintln(sc.stdin, "R")
	waitChan(t, deciding, "the renegotiation decision")
	const held = "written during the renegotiation\n"
	if _, err := sock.Write([]byte(held)); err != nil {
		t.Fatalf("Write during the renegotiation: %v", err)
	}
	closed := make(chan error, 1)
	go func() { closed <- sock.Close() }()
	// Once a Write fails, Close is under way; only then does the
	// renegotiation go on.
	for {
		if _, err := sock.Write(nil); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := waitChan(t, closed, "Close"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !sc.waitFor("close_notify", peerTimeout) {
		t.Fatalf("s_client got no close_notify:\n%s", sc.output())
	}
	out := sc.output()
	finished := strings.LastIndex(out, "], Finished\n")
	data := strings.Index(out, held)
	notify := strings.Index(out, "<<< TLS 1.2, Alert [length 0002], warning close_notify")
	if countMessages(out, "ServerHello\n") != 2 || finished < 0 || data < finished || notify < data ||
		strings.Contains(out, "fatal") || strings.Count(out, "Alert") != strings.Count(out, "warning close_notify") {
		t.Fatalf("s_client did not get the data after the renegotiation, then close_notify alone:\n%s", out)
	}
}

// waitChan receives from c within peerTimeout.
func waitChan[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(peerTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
