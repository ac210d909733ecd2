package api_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/tlsengine/tlsengine/api"
)

// PeerCertificate marshals to Node's getPeerCertificate(true) JSON: Node's
// key names, DN values as strings, the chain under issuerCertificate, and
// no endless loop at the self-signed root.
func TestPeerCertificateJSON(t *testing.T) {
	pki := newNodePKI(t)
	_, c := tcpPair(t, pki, api.TLSSocketOptions{}, api.TLSSocketOptions{})
	pc := c.PeerCertificate(true)
	b, err := json.Marshal(pc)
	if err != nil {
		t.Fatal(err)
	}
	var leaf map[string]any
	if err := json.Unmarshal(b, &leaf); err != nil {
		t.Fatal(err)
	}
	subject, _ := leaf["subject"].(map[string]any)
	if cn, _ := subject["CN"].(string); cn != pc.Subject["CN"][0] {
		t.Fatalf("subject.CN = %v, want %q", subject["CN"], pc.Subject["CN"][0])
	}
	if leaf["fingerprint256"] != pc.Fingerprint256 || leaf["valid_to"] != pc.ValidTo || leaf["serialNumber"] != pc.SerialNumber {
		t.Fatalf("fields differ: %s", b)
	}
	if raw, _ := leaf["raw"].(string); raw != base64.StdEncoding.EncodeToString(pc.Raw) {
		t.Fatal("raw is not the certificate's DER in base64")
	}
	depth := 0
	for n := leaf; n != nil; depth++ {
		next, _ := n["issuerCertificate"].(map[string]any)
		n = next
	}
	if depth != 3 { // leaf, intermediate, root (whose self-link is left out)
		t.Fatalf("chain depth %d in JSON, want 3", depth)
	}
}
