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

// nodeShape renders our PeerCertificate as Node's JSON would show it.
func nodeShape(p *api.PeerCertificate) map[string]any {
	dn := func(d api.DN) map[string]any {
		out := map[string]any{}
		for k, v := range d {
			if len(v) == 1 {
				out[k] = v[0]
			} else {
				out[k] = v
			}
		}
		return out
	}
	m := map[string]any{
		"subject": dn(p.Subject), "issuer": dn(p.Issuer), "ca": p.CA, "bits": float64(p.Bits),
		"valid_from": p.ValidFrom, "valid_to": p.ValidTo, "fingerprint": p.Fingerprint,
		"fingerprint256": p.Fingerprint256, "fingerprint512": p.Fingerprint512,
		"serialNumber": p.SerialNumber, "raw": hexOf(p.Raw), "pubkey": hexOf(p.PubKey),
	}
	opt := map[string]string{"subjectaltname": p.SubjectAltName, "modulus": p.Modulus, "exponent": p.Exponent,
		"asn1Curve": p.ASN1Curve, "nistCurve": p.NISTCurve}
	for k, v := range opt {
		if v != "" {
			m[k] = v
		}
	}
	if p.InfoAccess != nil {
		ia := map[string]any{}
		for k, v := range p.InfoAccess {
			l := []any{}
			for _, s := range v {
				l = append(l, s)
			}
			ia[k] = l
		}
		m["infoAccess"] = ia
	}
	if p.ExtKeyUsage != nil {
		l := []any{}
		for _, s := range p.ExtKeyUsage {
			l = append(l, s)
		}
		m["ext_key_usage"] = l
	}
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
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found: run `make deps` (interop peers never skip)")
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
