package interop

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// TestGnuTLSClient: gnutls-cli against our server.
func TestGnuTLSClient(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		t.Run(string(kt), func(t *testing.T) {
			p := pkis[kt]
			addr, results := startEcho(t, p.serverConfig())
			port := addr[strings.LastIndex(addr, ":")+1:]
			cli := start(t, "gnutls-cli", "--x509cafile", p.rootPEM, "-p", port, "--sni-hostname", "localhost",
				"--verify-hostname", "localhost", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2", "127.0.0.1")
			fmt.Fprintln(cli.stdin, "gnutls-ping")
			if !cli.waitFor("gnutls-ping\n", 10*time.Second) {
				t.Fatalf("no echo:\n%s", cli.output())
			}
			cli.stdin.Close()
			res := <-results
			if res.err != nil || !strings.Contains(cli.output(), "TLS1.2") || !strings.Contains(cli.output(), "Status: The certificate is trusted") {
				t.Fatalf("server %+v; gnutls-cli:\n%s", res, cli.output())
			}
			record(fmt.Sprintf("gnutls-cli -> tlsengine        %-30s %-6v ok", res.state.Suite, res.state.Group))
		})
	}
}

// TestGnuTLSServer: our client against gnutls-serv --echo.
func TestGnuTLSServer(t *testing.T) {
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		t.Run(string(kt), func(t *testing.T) {
			p := pkis[kt]
			port := freePort(t)
			srv := start(t, "gnutls-serv", "--x509certfile", p.chainPEM, "--x509keyfile", p.keyPEM,
				"-p", strconv.Itoa(port), "--echo", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2")
			if !srv.waitFor("Echo Server listening", 10*time.Second) && !srv.waitFor("listening", time.Second) {
				t.Fatalf("gnutls-serv did not start:\n%s", srv.output())
			}
			sock, err := dialOurs(t, fmt.Sprintf("127.0.0.1:%d", port), p.clientConfig(), engine.ClientOptions{ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			echo(t, sock)
			st := sock.ConnectionState()
			record(fmt.Sprintf("tlsengine -> gnutls-serv       %-30s %-6v ok", st.Suite, st.Group))
		})
	}
}
