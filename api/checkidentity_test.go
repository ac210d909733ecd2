package api_test

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/nodepeer"
	"github.com/tlsengine/tlsengine/x509lite"
)

// identityCase is a host and the certificate fields checkServerIdentity
// reads.
type identityCase struct {
	Host string   `json:"host"`
	CN   []string `json:"cn"` // none, one (a string in Node) or several (an array)
	SAN  string   `json:"san"`
}

// nodeIdentityJS runs Node's tls.checkServerIdentity on each case and
// prints what it returned: null, or the error's code, message, reason and
// host, with url.domainToASCII of the host (Node 18 matches that).
const nodeIdentityJS = `
const tls = require('tls'), url = require('url');
const cases = JSON.parse(process.argv[1]);
console.log(JSON.stringify(cases.map(c => {
  const subject = {};
  if (c.cn && c.cn.length === 1) subject.CN = c.cn[0];
  if (c.cn && c.cn.length > 1) subject.CN = c.cn;
  const cert = {subject};
  if (c.san) cert.subjectaltname = c.san;
  const e = tls.checkServerIdentity(c.host, cert);
  return {ascii: url.domainToASCII(c.host), err: e ? {code: e.code, message: e.message, reason: e.reason, host: e.host} : null};
})));
`

// TestCheckServerIdentityMatchesNode asks Node's checkServerIdentity and
// ours the same questions (design/node-api.md, section 3.10, and more)
// and wants the same answers, messages included.
func TestCheckServerIdentityMatchesNode(t *testing.T) {
	node, err := nodepeer.Path()
	if err != nil {
		t.Fatal(err)
	}
	cases := []identityCase{
		{"localhost", []string{"localhost"}, ""},
		{"foo.com", []string{"bar.com"}, ""},
		{"foo.com", nil, ""},
		{"foo.com", []string{""}, ""},
		{"foo.com", []string{"foo.com"}, "DNS:bar.com"},
		{"a.foo.com", nil, "DNS:*.foo.com"},
		{"foo.com", nil, "DNS:*.foo.com"},
		{"a.b.foo.com", nil, "DNS:*.foo.com"},
		{"xa.foo.com", nil, "DNS:x*.foo.com"},
		{"a.com", nil, "DNS:*.com"},
		{"xn--a.foo.com", nil, "DNS:xn--*.foo.com"},
		{"ab.foo.com", nil, "DNS:a*b*.foo.com"},
		{"a..com", nil, "DNS:a..com"},
		{"127.0.0.1", []string{"127.0.0.1"}, ""},
		{"127.0.0.1", nil, "IP Address:127.0.0.1"},
		{"::1", nil, "IP Address:0:0:0:0:0:0:0:1"},
		{"::1", nil, "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:2"},
		{"10.0.0.1", nil, "DNS:10.0.0.1"},
		{"010.0.0.1", nil, "IP Address:10.0.0.1"},
		{"FOO.com", nil, "DNS:foo.com"},
		{"foo.com.", nil, "DNS:foo.com"},
		{"foo.com", nil, "DNS:FOO.COM."},
		{"foo.com", nil, "URI:http://foo.com/"},
		{"foo.com", []string{"foo.com"}, "URI:http://foo.com/, IP Address:1.2.3.4"},
		{"foo.com", []string{"a.com", "foo.com"}, ""},
		{"b.com", []string{"a.com", "foo.com"}, ""},
		{"foo.com", []string{"*.com"}, ""},
		{"a.foo.com", []string{"*.foo.com"}, ""},
		{"a,b.com", nil, `DNS:"a,b.com"`},
		{"b.com", nil, `DNS:"a, b.com", DNS:b.com`},
		{"c.com", nil, `DNS:"a, b.com", email:"x, y", DNS:b.com`},
	}
	in, _ := json.Marshal(cases)
	out, err := exec.Command(node, "-e", nodeIdentityJS, string(in)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var theirs []struct {
		ASCII string
		Err   *struct{ Code, Message, Reason, Host string }
	}
	if err := json.Unmarshal(out, &theirs); err != nil || len(theirs) != len(cases) {
		t.Fatalf("node said %s: %v", out, err)
	}
	for i, c := range cases {
		cert := &api.PeerCertificate{Subject: api.DN{}, SubjectAltName: c.SAN}
		if len(c.CN) > 0 {
			cert.Subject["CN"] = c.CN
		}
		host, rename, err := nodepeer.IdentityHost(c.Host, theirs[i].ASCII)
		if err != nil {
			t.Fatal(err)
		}
		err = api.CheckServerIdentity(host, cert)
		want := theirs[i].Err
		if want == nil {
			if err != nil {
				t.Errorf("%+v: %v; Node accepts", c, err)
			}
			continue
		}
		var e *api.Error
		var ae *api.AltNameError
		if !errors.As(err, &e) || !errors.As(err, &ae) {
			t.Errorf("%+v: %v; Node: %s", c, err, want.Message)
			continue
		}
		if e.Code != want.Code || rename(e.Error()) != want.Message || rename(ae.Reason) != want.Reason || rename(ae.Host) != want.Host || ae.Cert != cert {
			t.Errorf("%+v:\n ours %s %q (reason %q, host %q)\n Node %s %q (reason %q, host %q)",
				c, e.Code, e.Error(), ae.Reason, ae.Host, want.Code, want.Message, want.Reason, want.Host)
		}
	}
}

// TestCheckServerIdentityAgreesWithEngine: on real certificates the
// exported check and the engine's built-in one (x509lite.VerifyHostname)
// give the same verdicts and messages.
func TestCheckServerIdentityAgreesWithEngine(t *testing.T) {
	for _, names := range [][]string{
		{"localhost", "127.0.0.1"},
		{"*.example.com", "::1"},
		{"a.example.com", "b.example.com"},
	} {
		c, err := certgen.SelfSigned(certgen.ECDSAP256, time.Now(), names, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := x509lite.ParseCertificate(c.DER)
		if err != nil {
			t.Fatal(err)
		}
		peer := peerCertificateOf(t, c)
		for _, host := range []string{"localhost", "127.0.0.1", "::1", "x.example.com", "b.example.com", "A.EXAMPLE.COM.", "other.test", "10.1.1.1"} {
			ours, engine := api.CheckServerIdentity(host, peer), x509lite.VerifyHostname(leaf, host)
			if (ours == nil) != (engine == nil) || ours != nil && ours.Error() != engine.Error() {
				t.Errorf("%v vs %s: ours %v, engine %v", names, host, ours, engine)
			}
		}
	}
}

// peerCertificateOf is c as Connect's peer sees it, through a real
// handshake with a server that presents it.
func peerCertificateOf(t *testing.T, c *certgen.Cert) *api.PeerCertificate {
	t.Helper()
	key, err := c.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	_, port := echoServer(t, api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
		Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{c.CertPEM()}}})
	no := false
	sock, err := api.Connect(api.ConnectOptions{Host: "127.0.0.1", Port: port, RejectUnauthorized: &no}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	return sock.PeerCertificate(false)
}

// identityServer serves an echo over a chain for localhost and
// 127.0.0.1 and returns its port and the PEM root.
func identityServer(t *testing.T) (int, []byte) {
	t.Helper()
	pki := newNodePKI(t)
	_, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	return port, pki.ca
}

// TestConnectCheckServerIdentity: Node's checkServerIdentity option
// replaces the host name check; its error fails Connect (or, without
// rejectUnauthorized, becomes the authorization error); it is not called
// when the chain does not verify.
func TestConnectCheckServerIdentity(t *testing.T) {
	port, ca := identityServer(t)
	no := false
	type call struct {
		name string
		cert *api.PeerCertificate
	}
	connect := func(servername string, reject *bool, check func(string, *api.PeerCertificate) error, ca []byte) (*api.TLSSocket, []call, error) {
		var calls []call
		opts := api.ConnectOptions{Host: "127.0.0.1", Port: port, Servername: servername, RejectUnauthorized: reject,
			CheckServerIdentity: func(name string, cert *api.PeerCertificate) error {
				calls = append(calls, call{name, cert})
				return check(name, cert)
			}}
		if ca != nil {
			opts.CA = [][]byte{ca}
		}
		sock, err := api.Connect(opts, nil)
		return sock, calls, err
	}

	t.Run("accepts another name", func(t *testing.T) {
		sock, calls, err := connect("other.example", nil, func(string, *api.PeerCertificate) error { return nil }, ca)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer sock.Close()
		roundTrip(t, sock)
		if len(calls) != 1 || calls[0].name != "other.example" || calls[0].cert.Subject["CN"][0] != "localhost" || calls[0].cert.IssuerCertificate == nil {
			t.Errorf("calls %+v", calls)
		}
		if !sock.Authorized() || sock.AuthorizationError() != nil {
			t.Errorf("authorized %v, %v; want true as in Node", sock.Authorized(), sock.AuthorizationError())
		}
	})
	t.Run("error fails connect", func(t *testing.T) {
		mine := &api.Error{Code: "MY_CODE", Message: "not the server I wanted"}
		sock, calls, err := connect("localhost", nil, func(string, *api.PeerCertificate) error { return mine }, ca)
		if err != mine || sock != nil {
			t.Fatalf("connect: %v, %v; want the callback's error itself", sock, err)
		}
		if len(calls) != 1 || calls[0].name != "localhost" {
			t.Errorf("calls %+v", calls)
		}
	})
	t.Run("error without rejectUnauthorized", func(t *testing.T) {
		sock, _, err := connect("localhost", &no, func(string, *api.PeerCertificate) error {
			return &api.Error{Code: "MY_CODE", Message: "not the server I wanted"}
		}, ca)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer sock.Close()
		roundTrip(t, sock)
		var e *api.Error
		if sock.Authorized() || !errors.As(sock.AuthorizationError(), &e) || e.Code != "MY_CODE" || e.Message != "not the server I wanted" {
			t.Errorf("authorized %v, %v; want MY_CODE", sock.Authorized(), sock.AuthorizationError())
		}
		// A plain error has no code: Node uses its message.
		sock2, _, err := connect("localhost", &no, func(string, *api.PeerCertificate) error { return errors.New("nope") }, ca)
		if err != nil {
			t.Fatal(err)
		}
		defer sock2.Close()
		if !errors.As(sock2.AuthorizationError(), &e) || e.Code != "nope" {
			t.Errorf("plain error: %v", sock2.AuthorizationError())
		}
	})
	t.Run("the default", func(t *testing.T) {
		_, _, err := connect("other.example", nil, api.CheckServerIdentity, ca)
		var e *api.Error
		var ae *api.AltNameError
		want := "Hostname/IP does not match certificate's altnames: Host: other.example. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1"
		if !errors.As(err, &e) || e.Code != "ERR_TLS_CERT_ALTNAME_INVALID" || e.Error() != want || !errors.As(err, &ae) || ae.Host != "other.example" {
			t.Errorf("connect: %v, want %q", err, want)
		}
		// Without the option the engine's check says the same.
		_, err = api.Connect(api.ConnectOptions{Host: "127.0.0.1", Port: port, Servername: "other.example",
			SecureContextOptions: api.SecureContextOptions{CA: [][]byte{ca}}}, nil)
		if !errors.As(err, &e) || e.Code != "ERR_TLS_CERT_ALTNAME_INVALID" || e.Error() != want {
			t.Errorf("built-in check: %v", err)
		}
	})
	t.Run("not called on a chain failure", func(t *testing.T) {
		for _, reject := range []*bool{nil, &no} {
			sock, calls, err := connect("localhost", reject, func(string, *api.PeerCertificate) error { return nil }, nil)
			if len(calls) != 0 {
				t.Errorf("reject %v: called %d times", reject, len(calls))
			}
			if reject == nil {
				var e *api.Error
				if !errors.As(err, &e) || e.Code != "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" {
					t.Errorf("connect: %v, want UNABLE_TO_GET_ISSUER_CERT_LOCALLY", err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			var e *api.Error
			if sock.Authorized() || !errors.As(sock.AuthorizationError(), &e) || e.Code != "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" {
				t.Errorf("authorization error %v", sock.AuthorizationError())
			}
			sock.Close()
		}
	})
}

// TestCheckServerIdentityDestroysSocket: a failed check closes the
// transport without close_notify (Node's destroy), so the server's read
// ends in an error, not a clean EOF.
func TestCheckServerIdentityDestroysSocket(t *testing.T) {
	pki := newNodePKI(t)
	readErr := make(chan error, 1)
	port := listenServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()}, func(s *api.TLSSocket) {
		s.SetDeadline(time.Now().Add(10 * time.Second))
		_, err := s.Read(make([]byte, 1))
		readErr <- err
		s.Close()
	})
	_, err := api.Connect(api.ConnectOptions{Host: "127.0.0.1", Port: port,
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}},
		CheckServerIdentity:  func(string, *api.PeerCertificate) error { return errors.New("no") }}, nil)
	if err == nil || err.Error() != "no" {
		t.Fatalf("connect: %v", err)
	}
	select {
	case err := <-readErr:
		var e *api.Error
		if !errors.As(err, &e) || e.Code != "ECONNRESET" {
			t.Errorf("server read: %v, want ECONNRESET (no close_notify)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server never saw the connection end")
	}
}
