package x509lite

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"sort"
	"testing"
	"time"
)

// limboFloor is the pass count reached when the harness was last tuned;
// falling below it is a regression.
const limboFloor = 9649

var limboVerbose = flag.Bool("limbo.verbose", false, "list every x509-limbo failure")

type limboCase struct {
	ID                     string   `json:"id"`
	Features               []string `json:"features"`
	ValidationKind         string   `json:"validation_kind"`
	TrustedCerts           []string `json:"trusted_certs"`
	UntrustedIntermediates []string `json:"untrusted_intermediates"`
	PeerCertificate        string   `json:"peer_certificate"`
	ValidationTime         *string  `json:"validation_time"`
	ExtendedKeyUsage       []string `json:"extended_key_usage"`
	ExpectedResult         string   `json:"expected_result"`
	ExpectedPeerName       *struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	} `json:"expected_peer_name"`
	MaxChainDepth *int `json:"max_chain_depth"`
}

// unsupportedFeatures are limbo features x509lite does not implement.
var unsupportedFeatures = map[string]bool{
	"has-crl": true, "has-policy-constraints": true, "name-constraint-dn": true,
	"pedantic-public-suffix-wildcard": true, "pedantic-webpki-subscriber-key": true,
	"pedantic-webpki-eku": true, "pedantic-serial-number": true, "pedantic-rfc5280": true,
	"rfc5280-incompatible-with-webpki": true, "denial-of-service": true,
}

// TestLimbo runs the x509-limbo corpus (shared/testsuites/x509-limbo) and
// reports pass / fail / skip.
func TestLimbo(t *testing.T) {
	f, err := os.Open("../../shared/testsuites/x509-limbo/limbo.json.gz")
	if err != nil {
		t.Fatalf("the x509-limbo corpus must be beside the project: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var corpus struct {
		Testcases []limboCase `json:"testcases"`
	}
	if err := json.NewDecoder(zr).Decode(&corpus); err != nil {
		t.Fatal(err)
	}
	pass, fail, skip := 0, 0, 0
	var failures []string
	for _, tc := range corpus.Testcases {
		if tc.ValidationKind != "SERVER" || hasUnsupported(tc.Features) {
			skip++
			continue
		}
		got := runLimbo(tc)
		if got == nil && tc.ExpectedResult == "SUCCESS" || got != nil && tc.ExpectedResult == "FAILURE" {
			pass++
			continue
		}
		fail++
		failures = append(failures, tc.ID+" (want "+tc.ExpectedResult+", got "+errText(got)+")")
	}
	sort.Strings(failures)
	if *limboVerbose {
		for _, f := range failures {
			t.Log(f)
		}
	}
	t.Logf("x509-limbo: %d pass, %d fail, %d skipped of %d", pass, fail, skip, len(corpus.Testcases))
	if pass < limboFloor {
		t.Fatalf("x509-limbo passes fell to %d, below the floor of %d", pass, limboFloor)
	}
}

func hasUnsupported(features []string) bool {
	for _, f := range features {
		if unsupportedFeatures[f] {
			return true
		}
	}
	return false
}

func errText(err error) string {
	if err == nil {
		return "SUCCESS"
	}
	return err.Error()
}

func runLimbo(tc limboCase) (err error) {
	defer func() {
		if r := recover(); r != nil {
			panic("x509lite panicked on limbo case " + tc.ID)
		}
	}()
	roots := NewPool()
	for _, p := range tc.TrustedCerts {
		certs, err := ParseCertificates([]byte(p))
		if err != nil {
			return err
		}
		for _, c := range certs {
			roots.Add(c)
		}
	}
	leaf, err := ParseCertificates([]byte(tc.PeerCertificate))
	if err != nil {
		return err
	}
	chain := leaf[:1]
	for _, p := range tc.UntrustedIntermediates {
		certs, err := ParseCertificates([]byte(p))
		if err != nil {
			return err
		}
		chain = append(chain, certs...)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if tc.ValidationTime != nil {
		if now, err = time.Parse(time.RFC3339, *tc.ValidationTime); err != nil {
			return err
		}
	}
	opts := VerifyOptions{Roots: roots, Now: now, Purpose: PurposeServerAuth}
	for _, e := range tc.ExtendedKeyUsage {
		if e == "clientAuth" {
			opts.Purpose = PurposeClientAuth
		}
	}
	if tc.MaxChainDepth != nil {
		opts.MaxDepth = *tc.MaxChainDepth
	}
	if n := tc.ExpectedPeerName; n != nil {
		switch n.Kind {
		case "DNS":
			opts.DNSName = n.Value
		case "IP":
			if a, err := netip.ParseAddr(n.Value); err == nil {
				opts.DNSName = a.String()
			}
		}
	}
	_, err = Verify(chain, opts)
	return err
}
