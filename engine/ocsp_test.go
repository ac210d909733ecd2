package engine_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
)

// OCSP stapling (RFC 6066, Section 8): a client that sends status_request
// gets the application's response in a CertificateStatus right after the
// Certificate; without a request, or without a response, nothing is
// stapled and ServerHello does not acknowledge the extension.
func TestOCSPStapling(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	staple := []byte("a DER OCSPResponse would be here")
	for _, tc := range []struct {
		name           string
		request, ask   bool
		answer         []byte
		wantStapled    bool
		wantDecisionOK bool
	}{
		{"requested and answered", true, true, staple, true, true},
		{"requested, no response", true, true, nil, false, true},
		{"not requested", false, true, staple, false, false},
		{"server does not staple", true, false, staple, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc, sc := client12(pki, 1), server12(pki, 2)
			sc.AskOCSP = tc.ask
			var asked *engine.OCSPDecision
			p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost", RequestOCSP: tc.request})
			p.Resolvers.OCSP = func(d *engine.OCSPDecision) ([]byte, error) {
				asked = d
				return tc.answer, nil
			}
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			if (asked != nil) != tc.wantDecisionOK {
				t.Fatalf("OCSP decision asked: %v", asked != nil)
			}
			if asked != nil && (!bytes.Equal(asked.Certificate, pki.Chain.Leaf.DER) || !bytes.Equal(asked.Issuer, pki.Chain.Intermediate.DER)) {
				t.Fatal("the decision does not carry the leaf and its issuer")
			}
			stapledOnWire := tlstest.FindMessage(p.Server.Wire, uint8(handshake.TypeCertificateStatus)) >= 0
			if stapledOnWire != tc.wantStapled {
				t.Fatalf("CertificateStatus on the wire: %v", stapledOnWire)
			}
			var want []byte
			if tc.wantStapled {
				want = staple
			}
			if !bytes.Equal(p.Client.State.OCSPResponse, want) || !bytes.Equal(p.Server.State.OCSPResponse, want) {
				t.Fatalf("OCSPResponse client %q server %q", p.Client.State.OCSPResponse, p.Server.State.OCSPResponse)
			}
		})
	}
}

// An error from the OCSP decision aborts the handshake with
// internal_error (Node: OCSPRequest's callback(err) destroys the socket).
func TestOCSPDecisionError(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	cc, sc := client12(pki, 1), server12(pki, 2)
	sc.AskOCSP = true
	p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost", RequestOCSP: true})
	p.Resolvers.OCSP = func(*engine.OCSPDecision) ([]byte, error) { return nil, errors.New("responder down") }
	if err := p.Handshake(); err == nil {
		t.Fatal("the handshake succeeded")
	}
	if a, ok := tlstest.FatalAlertSent(p.Server.Wire); !ok || a != record.AlertInternalError {
		t.Fatalf("server sent alert %v (%v), want internal_error", a, ok)
	}
}
