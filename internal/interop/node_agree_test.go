package interop

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// nodeView is what testdata/node/{client,server}.js print, and what we
// collect from our side in the same shape.
type nodeView struct {
	Protocol           string   `json:"protocol"`
	Cipher             string   `json:"cipher"`
	ALPN               string   `json:"alpn"`
	Servername         string   `json:"servername"`
	Authorized         bool     `json:"authorized"`
	AuthorizationError *string  `json:"authorizationError"`
	Peer               peerView `json:"peer"`
	Error              string   `json:"error"`
}

type peerView struct {
	SubjectCN      string `json:"subjectCN"`
	IssuerCN       string `json:"issuerCN"`
	SubjectAltName string `json:"subjectaltname"`
	Fingerprint256 string `json:"fingerprint256"`
	SerialNumber   string `json:"serialNumber"`
	ValidTo        string `json:"valid_to"`
}

// ourView describes one of our sockets the way the scripts describe Node's.
func ourView(s *api.TLSSocket) nodeView {
	v := nodeView{Protocol: s.Protocol(), Cipher: s.Cipher().Name, ALPN: s.ALPNProtocol(), Servername: s.Servername(),
		Authorized: s.Authorized()}
	if err := s.AuthorizationError(); err != nil {
		msg := err.Error()
		v.AuthorizationError = &msg
	}
	if pc := s.PeerCertificate(false); pc != nil {
		v.Peer = peerView{SubjectCN: first(pc.Subject["CN"]), IssuerCN: first(pc.Issuer["CN"]), SubjectAltName: pc.SubjectAltName,
			Fingerprint256: pc.Fingerprint256, SerialNumber: pc.SerialNumber, ValidTo: pc.ValidTo}
	}
	return v
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// sameView checks that two ends saw the same connection, and the same
// certificate from each other: both sides use the same leaf, so Node's
// description of ours must equal ours of Node's, field for field, and
// carry the leaf's fingerprint.
func sameView(t *testing.T, node, ours nodeView, leafFingerprint string) {
	t.Helper()
	if node.Error != "" {
		t.Fatalf("node: %s", node.Error)
	}
	if node.Protocol != ours.Protocol || node.Cipher != ours.Cipher || node.ALPN != ours.ALPN || node.Servername != ours.Servername {
		t.Errorf("node saw %s %s ALPN %q SNI %q; we saw %s %s ALPN %q SNI %q", node.Protocol, node.Cipher, node.ALPN, node.Servername,
			ours.Protocol, ours.Cipher, ours.ALPN, ours.Servername)
	}
	if !node.Authorized || node.AuthorizationError != nil || !ours.Authorized || ours.AuthorizationError != nil {
		t.Errorf("authorized: node %v (%v), ours %v (%v)", node.Authorized, node.AuthorizationError, ours.Authorized, ours.AuthorizationError)
	}
	if node.Peer != ours.Peer || ours.Peer.Fingerprint256 != leafFingerprint || ours.Peer.SubjectCN == "" {
		t.Errorf("peer certificate: node saw %+v, we saw %+v (leaf %s)", node.Peer, ours.Peer, leafFingerprint)
	}
}

// Node's tls.connect (testdata/node/client.js) against our server, and our
// Connect against Node's tls.createServer (testdata/node/server.js): both
// ends report protocol, cipher, ALPN, servername, authorization and the
// peer certificate's fields, and they agree.
func TestNodeAgreesWithOurAPI(t *testing.T) {
	p := pkis[certgen.ECDSAP256]
	scripts, _ := filepath.Abs("../../testdata/node")
	key, _ := os.ReadFile(p.keyPEM)
	chain, _ := os.ReadFile(p.chainPEM)
	ca, _ := os.ReadFile(p.rootPEM)
	creds := api.SecureContextOptions{Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{chain}, CA: [][]byte{ca}}
	leaf := certgen.Fingerprint256(p.chain.Leaf.DER)

	t.Run("node client, our server", func(t *testing.T) {
		secure := make(chan nodeView, 1)
		srv, err := api.CreateServer(api.ServerOptions{SecureContextOptions: creds, RequestCert: true, RejectUnauthorized: true,
			ALPNProtocols: []string{"h2", "http/1.1"}}, func(s *api.TLSSocket) {
			secure <- ourView(s)
			go func() { io.Copy(io.Discard, s); s.Close() }()
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen(0, "127.0.0.1", nil); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		port := strings.TrimPrefix(srv.Address().String(), "127.0.0.1:")
		node := start(t, "node", filepath.Join(scripts, "client.js"), port, p.rootPEM, p.keyPEM, p.chainPEM)
		if err := node.wait(peerTimeout); err != nil {
			t.Fatal(err)
		}
		var nv nodeView
		if err := json.Unmarshal([]byte(lastLine(node.output())), &nv); err != nil {
			t.Fatalf("%v\n%s", err, node.output())
		}
		var ov nodeView
		select {
		case ov = <-secure:
		case <-time.After(peerTimeout):
			t.Fatal("no secureConnection")
		}
		sameView(t, nv, ov, leaf)
	})

	t.Run("our client, node server", func(t *testing.T) {
		n, port := startNodeServer(t, filepath.Join(scripts, "server.js"), p.keyPEM, p.chainPEM, p.rootPEM)
		ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
		defer cancel()
		s, err := api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: creds, Host: "127.0.0.1", Port: port,
			Servername: "localhost", ALPNProtocols: []string{"http/1.1", "h2"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ov := ourView(s)
		io.Copy(io.Discard, s)
		s.Close()
		if !n.waitFor(`"protocol"`, peerTimeout) {
			t.Fatalf("node server printed nothing:\n%s", n.output())
		}
		var nv nodeView
		if err := json.Unmarshal([]byte(lastLine(n.output())), &nv); err != nil {
			t.Fatalf("%v\n%s", err, n.output())
		}
		sameView(t, nv, ov, leaf)
	})
}
