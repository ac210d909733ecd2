// Package examples_test runs the echo examples (Node's tls documentation
// examples in Go) against each other and against Node's own, and
// examples/https-server against curl.
package examples_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/internal/nodepeer"
	"github.com/tlsengine/tlsengine/internal/testbin"
)

// files are the certificates of Node's examples, made as its "PKI how-to"
// does: self-signed server and client certificates (openssl req -x509),
// and PFX archives of each with the other side's certificate (openssl
// pkcs12 -export -certfile), so a pfx alone both identifies and trusts.
type files struct {
	dir string
}

func (f files) path(name string) string { return filepath.Join(f.dir, name) }

func makeFiles(t *testing.T) files {
	t.Helper()
	f := files{t.TempDir()}
	openssl := func(args ...string) {
		t.Helper()
		cmd := exec.Command("openssl", args...)
		cmd.Dir = f.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	// RSA for the server, ECDSA for the client.
	openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server-key.pem", "-out", "server-cert.pem",
		"-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
	openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "client-key.pem",
		"-out", "client-cert.pem", "-days", "2", "-subj", "/CN=client")
	openssl("pkcs12", "-export", "-in", "server-cert.pem", "-inkey", "server-key.pem", "-certfile", "client-cert.pem",
		"-passout", "pass:server", "-out", "server.pfx")
	openssl("pkcs12", "-export", "-in", "client-cert.pem", "-inkey", "client-key.pem", "-certfile", "server-cert.pem",
		"-passout", "pass:client", "-out", "client.pfx")
	return f
}

// build compiles the two examples once per test run.
func build(t *testing.T) (server, client string) {
	t.Helper()
	return testbin.Build(t, "./echo-server"), testbin.Build(t, "./echo-client")
}

// server starts a server process and returns its port, read from the
// line it prints once bound ("server bound 127.0.0.1:PORT", or Node's
// script's "server bound PORT"), and a function returning the rest of
// its output once it has been stopped.
func server(t *testing.T, ctx context.Context, name string, args ...string) (port string, output func() string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(stdout)
	line, err := br.ReadString('\n')
	if !strings.HasPrefix(line, "server bound ") {
		cmd.Process.Kill()
		t.Fatalf("%s printed %q, %v", name, line, err)
	}
	addr := strings.TrimSpace(strings.TrimPrefix(line, "server bound "))
	port = addr[strings.LastIndex(addr, ":")+1:]
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(br)
		rest <- string(b)
	}()
	var out string
	stopped := false
	stop := func() string {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
			out = <-rest
		}
		return out
	}
	t.Cleanup(func() { stop() })
	return port, stop
}

// nodeServerJS is Node's echo server example (key/cert or pfx, from
// argv), listening on 127.0.0.1 and a free port.
const nodeServerJS = `
const tls = require('tls'), fs = require('fs');
const [mode, dir] = process.argv.slice(1), file = n => fs.readFileSync(dir + '/' + n);
const options = mode === 'pfx'
  ? {pfx: file('server.pfx'), passphrase: 'server', requestCert: true}
  : {key: file('server-key.pem'), cert: file('server-cert.pem'), requestCert: true, ca: [file('client-cert.pem')]};
const server = tls.createServer(options, (socket) => {
  console.log('server connected', socket.authorized ? 'authorized' : 'unauthorized');
  socket.write('welcome!\n');
  socket.setEncoding('utf8');
  socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => { console.log('server bound', server.address().port); });
`

// nodeClientJS is Node's echo client example: it sends stdin, prints
// "client connected ..." on stderr and the server's data on stdout.
const nodeClientJS = `
const tls = require('tls'), fs = require('fs');
const [mode, dir, port] = process.argv.slice(1), file = n => fs.readFileSync(dir + '/' + n);
const options = mode === 'pfx'
  ? {pfx: file('client.pfx'), passphrase: 'client'}
  : {key: file('client-key.pem'), cert: file('client-cert.pem'), ca: [file('server-cert.pem')]};
options.host = '127.0.0.1';
const socket = tls.connect(+port, options, () => {
  console.error('client connected', socket.authorized ? 'authorized' : 'unauthorized');
  process.stdin.pipe(socket);
  process.stdin.resume();
});
socket.on('data', (data) => { process.stdout.write(data); });
socket.on('error', (e) => { console.error(e); process.exit(1); });
`

// TestEchoExamples runs each client against each server, Go's and
// Node's, with key/cert files and with PFX archives: the client gets the
// greeting and its bytes back, and both sides see the other authorized.
func TestEchoExamples(t *testing.T) {
	node, err := nodepeer.Path()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	goServer, goClient := build(t)
	f := makeFiles(t)
	modes := map[string]struct{ server, client []string }{
		"keycert": {
			[]string{"-key", f.path("server-key.pem"), "-cert", f.path("server-cert.pem"), "-ca", f.path("client-cert.pem")},
			[]string{"-key", f.path("client-key.pem"), "-cert", f.path("client-cert.pem"), "-ca", f.path("server-cert.pem")},
		},
		"pfx": {
			[]string{"-pfx", f.path("server.pfx"), "-passphrase", "server"},
			[]string{"-pfx", f.path("client.pfx"), "-passphrase", "client"},
		},
	}
	input := "hello from the client\n" + strings.Repeat("0123456789", 3000) + "\n"
	for mode, m := range modes {
		for _, srvKind := range []string{"go", "node"} {
			for _, cliKind := range []string{"go", "node"} {
				if srvKind == "node" && cliKind == "node" {
					continue
				}
				t.Run(mode+"/"+srvKind+"-server/"+cliKind+"-client", func(t *testing.T) {
					var port string
					var serverOutput func() string
					if srvKind == "go" {
						port, serverOutput = server(t, ctx, goServer, append([]string{"-host", "127.0.0.1", "-port", "0"}, m.server...)...)
					} else {
						port, serverOutput = server(t, ctx, node, "-e", nodeServerJS, mode, f.dir)
					}
					cctx, ccancel := context.WithTimeout(ctx, 20*time.Second)
					defer ccancel()
					var cmd *exec.Cmd
					if cliKind == "go" {
						cmd = exec.CommandContext(cctx, goClient, append([]string{"-host", "127.0.0.1", "-port", port}, m.client...)...)
					} else {
						cmd = exec.CommandContext(cctx, node, "-e", nodeClientJS, mode, f.dir, port)
					}
					cmd.Stdin = strings.NewReader(input)
					var stdout, stderr strings.Builder
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					if err := cmd.Run(); err != nil {
						t.Fatalf("client: %v\nstderr:\n%s", err, stderr.String())
					}
					if got, want := stdout.String(), "welcome!\n"+input; got != want {
						t.Errorf("client got %d bytes %q..., want %d", len(got), got[:min(len(got), 40)], len(want))
					}
					if !strings.Contains(stderr.String(), "client connected authorized\n") {
						t.Errorf("client stderr:\n%s", stderr.String())
					}
					if out := serverOutput(); !strings.Contains(out, "server connected authorized\n") {
						t.Errorf("server output:\n%s", out)
					}
				})
			}
		}
	}
}
