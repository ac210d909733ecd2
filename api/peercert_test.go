package api_test

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/nodepeer"
)

// nodePeerJS connects to our server and prints the fields of
// getPeerCertificate(true) that PeerCertificate mirrors, for the leaf and
// its issuer.
const nodePeerJS = `
const tls = require('tls');
const pick = c => ({subject: c.subject, issuer: c.issuer, subjectaltname: c.subjectaltname, infoAccess: c.infoAccess,
  ca: c.ca, modulus: c.modulus, bits: c.bits, exponent: c.exponent, asn1Curve: c.asn1Curve, nistCurve: c.nistCurve,
  valid_from: c.valid_from, valid_to: c.valid_to, fingerprint: c.fingerprint, fingerprint256: c.fingerprint256,
  fingerprint512: c.fingerprint512, ext_key_usage: c.ext_key_usage, serialNumber: c.serialNumber,
  pubkey: c.pubkey && c.pubkey.toString('hex'), raw: c.raw.toString('hex')});
const s = tls.connect({host: '127.0.0.1', port: +process.argv[process.argv.length - 1], servername: 'localhost', rejectUnauthorized: false}, () => {
  const c = s.getPeerCertificate(true);
  console.log(JSON.stringify([pick(c), pick(c.issuerCertificate)]));
  s.end();
});
s.on('error', e => { console.log(JSON.stringify({error: e.message})); process.exit(1); });
`

// nodeShape is our PeerCertificate's JSON (MarshalJSON, Node's shape)
// for one certificate, with raw and pubkey in hex as the Node script
// prints them.
func nodeShape(p *api.PeerCertificate) map[string]any {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	delete(m, "issuerCertificate")
	m["raw"], m["pubkey"] = hexOf(p.Raw), hexOf(p.PubKey)
	return m
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}

// TestTLSSocketGetPeerCertificateMatchesNode: the real node binary and our client see
// the same certificate object, field by field.
func TestTLSSocketGetPeerCertificateMatchesNode(t *testing.T) {
	node, err := nodepeer.Path()
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
		t.Run(string(kt), func(t *testing.T) { comparePeerCertificate(t, node, newNodePKIOf(t, kt)) })
	}
}

func comparePeerCertificate(t *testing.T, node string, pki nodePKI) {
	_, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	out, err := exec.Command(node, "-e", nodePeerJS, strconv.Itoa(port)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var theirs []map[string]any
	if err := json.Unmarshal(out, &theirs); err != nil || len(theirs) != 2 {
		t.Fatalf("node said %s: %v", out, err)
	}
	no := false
	sock, err := api.Connect(api.ConnectOptions{Port: port, Host: "127.0.0.1", Servername: "localhost", RejectUnauthorized: &no}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	leaf := sock.PeerCertificate(true)
	ours := []map[string]any{nodeShape(leaf), nodeShape(leaf.IssuerCertificate)}
	for i := range ours {
		for k, v := range theirs[i] {
			if !reflect.DeepEqual(ours[i][k], v) {
				t.Errorf("certificate %d, %s: ours %#v, node %#v", i, k, ours[i][k], v)
			}
		}
		for k := range ours[i] {
			if _, ok := theirs[i][k]; !ok {
				t.Errorf("certificate %d: we have %s, node does not", i, k)
			}
		}
	}
	if sock.PeerCertificate(false).IssuerCertificate != nil {
		t.Error("a plain PeerCertificate links its issuer")
	}
}
