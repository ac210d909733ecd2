package interop

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// startServe runs `tlsengine serve` with args and returns it and its
// address.
func startServe(t *testing.T, args ...string) (*process, string) {
	t.Helper()
	srv := start(t, tlsengineBinary(t), append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	if !srv.waitFor("listening on ", 10*time.Second) {
		t.Fatalf("serve did not start:\n%s", srv.output())
	}
	return srv, regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(srv.output())[1]
}

// `openssl s_client` sending "R" renegotiates with `tlsengine serve`:
// a second full handshake, data echoed after it, as with Node's server;
// past Node's CLIENT_RENEG_LIMIT the next one is declined and logged.
func TestCLIServeAcceptsClientRenegotiation(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	srv, addr := startServe(t, "-key", p.keyPEM, "-cert", p.chainPEM)
	sc := start(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-servername", "localhost", "-CAfile", p.rootPEM, "-msg")
	fmt.Fprintln(sc.stdin, "first")
	if !sc.waitFor("first\n", peerTimeout) {
		t.Fatalf("no echo:\n%s", sc.output())
	}
	for i := 1; i <= api.ClientRenegLimit; i++ {
		// s_client takes a line starting with "R" as the command only when
		// it reads it alone: wait for the renegotiation before more data.
		fmt.Fprintln(sc.stdin, "R")
		if !waitCount(sc, "RENEGOTIATING", i) || !waitCount(sc, "], Finished\n", 2*(i+1)) {
			t.Fatalf("s_client did not renegotiate:\n%s", sc.output())
		}
		fmt.Fprintf(sc.stdin, "after %d\n", i)
		if !sc.waitFor(fmt.Sprintf("after %d\n", i), peerTimeout) {
			t.Fatalf("renegotiation %d: no echo after it:\n%s\nserver:\n%s", i, sc.output(), srv.output())
		}
	}
	out := sc.output()
	if n := countMessages(out, "ServerHello\n"); n != 1+api.ClientRenegLimit || strings.Contains(out, "no renegotiation") {
		t.Fatalf("%d ServerHellos, want %d:\n%s\nserver:\n%s", n, 1+api.ClientRenegLimit, out, srv.output())
	}
	// One more within the window is declined with a no_renegotiation
	// warning (OpenSSL's client then gives up the connection).
	fmt.Fprintln(sc.stdin, "R")
	if !srv.waitFor("renegotiation declined: ERR_TLS_SESSION_ATTACK", peerTimeout) || !sc.waitFor("no renegotiation", peerTimeout) {
		t.Fatalf("renegotiation past the limit:\n%s\nserver:\n%s", sc.output(), srv.output())
	}
	if n := countMessages(sc.output(), "ServerHello\n"); n != 1+api.ClientRenegLimit {
		t.Fatalf("%d ServerHellos after the declined renegotiation:\n%s", n, sc.output())
	}
}

// waitCount polls p's output until s occurs n times, for up to
// peerTimeout.
func waitCount(p *process, s string, n int) bool {
	deadline := time.Now().Add(peerTimeout)
	for strings.Count(p.output(), s) < n {
		if time.Now().After(deadline) || p.exited() {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// sServerForCLI starts `openssl s_server` (no -www: it prints what it
// receives and sends what its stdin gets, "r" renegotiating).
func sServerForCLI(t *testing.T, p *pki, extra ...string) (*process, string) {
	t.Helper()
	return startListener(t, "openssl", "ACCEPT", func(port int) []string {
		args := append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port), "-tls1_2", "-msg"}, p.chainArgs()...)
		return append(args, extra...)
	})
}

// `tlsengine connect` answers `openssl s_server`'s renegotiation ("r"
// sends HelloRequest) and reads the data sent after it.
func TestCLIConnectAcceptsServerRenegotiation(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	srv, addr := sServerForCLI(t, p)
	cli := start(t, tlsengineBinary(t), "connect", addr, "-servername", "localhost", "-ca", p.rootPEM)
	if !srv.waitFor("CIPHER is", peerTimeout) || !cli.waitFor("Session   : New\n", peerTimeout) {
		t.Fatalf("no handshake:\n%s\nclient:\n%s", srv.output(), cli.output())
	}
	fmt.Fprintln(srv.stdin, "r")
	waitCount(srv, "], ClientHello\n", 2)
	fmt.Fprintln(srv.stdin, "after the renegotiation")
	if !cli.waitFor("after the renegotiation\n", peerTimeout) {
		t.Fatalf("client:\n%s\nserver:\n%s", cli.output(), srv.output())
	}
	if n := countMessages(srv.output(), "ClientHello\n"); n != 2 || strings.Contains(cli.output(), "tlsengine: ") {
		t.Fatalf("s_server saw %d ClientHellos (want 2):\n%s\nclient:\n%s", n, srv.output(), cli.output())
	}
}

// `tlsengine connect -reneg` renegotiates once right after the handshake,
// and its standard input reaches the server byte for byte ("R" lines are
// data, not commands).
func TestCLIConnectReneg(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	srv, addr := sServerForCLI(t, p, "-client_renegotiation") // OpenSSL 3 refuses client renegotiation by default
	cli := start(t, tlsengineBinary(t), "connect", addr, "-servername", "localhost", "-ca", p.rootPEM, "-reneg")
	if !cli.waitFor("Renegotiated: TLSv1.2 ", peerTimeout) {
		t.Fatalf("client:\n%s\nserver:\n%s", cli.output(), srv.output())
	}
	const data = "R\nverbatim R\n"
	fmt.Fprint(cli.stdin, data)
	if !srv.waitFor(data, peerTimeout) {
		t.Fatalf("s_server did not get %q:\n%s", data, srv.output())
	}
	out := srv.output()
	if n := countMessages(out, "ClientHello\n"); n != 2 || !strings.Contains(cli.output(), "RENEGOTIATING\n") {
		t.Fatalf("s_server saw %d ClientHellos (want 2):\n%s\nclient:\n%s", n, out, cli.output())
	}

	// A server that declines (OpenSSL 3's default) is reported, and the
	// connection goes on.
	srv, addr = sServerForCLI(t, p)
	cli = start(t, tlsengineBinary(t), "connect", addr, "-servername", "localhost", "-ca", p.rootPEM, "-reneg")
	if !cli.waitFor("Renegotiation declined by the server (no_renegotiation)\n", peerTimeout) {
		t.Fatalf("client:\n%s\nserver:\n%s", cli.output(), srv.output())
	}
	fmt.Fprint(cli.stdin, data)
	if !srv.waitFor(data, peerTimeout) {
		t.Fatalf("s_server did not get %q after declining:\n%s", data, srv.output())
	}
}
