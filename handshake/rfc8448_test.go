package handshake

import (
	"bufio"
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
)

// rfc8448Simple reads the messages of RFC 8448, Section 3 from
// testdata/rfc8448/simple-1rtt.hex, by name.
func rfc8448Simple(t *testing.T) map[string][]byte {
	t.Helper()
	f, err := os.Open("../testdata/rfc8448/simple-1rtt.hex")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msgs := map[string][]byte{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, h, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		msgs[name] = b
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return msgs
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expandLabel is HKDF-Expand-Label with SHA-256 (RFC 8446, Section 7.1),
// written out here so that the check does not depend on the code under
// test.
func expandLabel(t *testing.T, secret []byte, label string, context []byte, n int) []byte {
	t.Helper()
	info := []byte{byte(n >> 8), byte(n), byte(len("tls13 " + label))}
	info = append(append(info, "tls13 "+label...), byte(len(context)))
	info = append(info, context...)
	out, err := hkdf.Expand(sha256.New, secret, string(info), n)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRFC8448TranscriptBytes pins the fixture to RFC 8448, Section 3: the
// traffic secrets and Finished values the RFC prints are recomputed over
// the fixture's messages, so a wrong byte in any of them fails here.
func TestRFC8448TranscriptBytes(t *testing.T) {
	msgs := rfc8448Simple(t)
	transcript := func(names ...string) []byte {
		h := sha256.New()
		for _, n := range names {
			h.Write(msgs[n])
		}
		return h.Sum(nil)
	}
	hsSecret := unhex(t, "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac")
	cHS := unhex(t, "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21")
	sHS := unhex(t, "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
	if got := expandLabel(t, hsSecret, "c hs traffic", transcript("ClientHello", "ServerHello"), 32); !bytes.Equal(got, cHS) {
		t.Fatalf("client handshake traffic secret %x", got)
	}
	finished := func(secret []byte, names ...string) []byte {
		mac := hmac.New(sha256.New, expandLabel(t, secret, "finished", nil, 32))
		mac.Write(transcript(names...))
		return mac.Sum(nil)
	}
	server := finished(sHS, "ClientHello", "ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify")
	if !bytes.Equal(server, msgs["ServerFinished"][4:]) {
		t.Errorf("server Finished %x", server)
	}
	client := finished(cHS, "ClientHello", "ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify", "ServerFinished")
	if !bytes.Equal(client, msgs["ClientFinished"][4:]) {
		t.Errorf("client Finished %x", client)
	}
}

// TestParseRFC8448Simple parses every message of RFC 8448, Section 3 as a
// TLS 1.3 peer would, checks the fields against the trace's comments, and
// checks that each message except the ClientHello marshals back to the
// same bytes. The ClientHello keeps its bytes in Raw (which the transcript
// hashes); Marshal writes its own extension order and drops what it does
// not model (record_size_limit), so only its fields are compared after a
// second round.
func TestParseRFC8448Simple(t *testing.T) {
	msgs := rfc8448Simple(t)
	parse := func(name string) Message {
		t.Helper()
		m, err := ParseMessage(msgs[name], cipher.VersionTLS13)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(rawOf(m), msgs[name]) {
			t.Fatalf("%s: Raw differs from the input", name)
		}
		if name == "ClientHello" {
			return m
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, msgs[name]) {
			t.Errorf("%s: re-marshal differs (%v)\n got %x\nwant %x", name, err, out, msgs[name])
		}
		return m
	}

	ch := parse("ClientHello").(*ClientHello)
	groups := []kex.Group{kex.X25519, kex.P256, kex.P384, kex.P521, kex.FFDHE2048, kex.FFDHE3072, kex.FFDHE4096, kex.FFDHE6144, kex.FFDHE8192}
	wantExts := []ExtensionType{ExtServerName, ExtRenegotiationInfo, ExtSupportedGroups, ExtSessionTicket, ExtKeyShare,
		ExtSupportedVersions, ExtSignatureAlgorithms, ExtPSKModes, ExtRecordSizeLimit}
	switch {
	case ch.ServerName != "server" || !slices.Equal(ch.CipherSuites, []uint16{0x1301, 0x1303, 0x1302}):
		t.Errorf("ClientHello name %q suites %x", ch.ServerName, ch.CipherSuites)
	case !slices.Equal(ch.SupportedGroups, groups) || !slices.Equal(ch.SupportedVersions, []uint16{0x0304}):
		t.Errorf("ClientHello groups %v versions %x", ch.SupportedGroups, ch.SupportedVersions)
	case !ch.HasKeyShare || len(ch.KeyShares) != 1 || ch.KeyShares[0].Group != kex.X25519 ||
		!bytes.Equal(ch.KeyShares[0].Data, unhex(t, "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c")):
		t.Errorf("ClientHello key shares %+v", ch.KeyShares)
	case !slices.Equal(ch.PSKModes, []uint8{PSKModeDHE}) || !ch.TicketSupported || !ch.SecureRenegotiationSupported:
		t.Errorf("ClientHello psk modes %v ticket %v reneg %v", ch.PSKModes, ch.TicketSupported, ch.SecureRenegotiationSupported)
	case len(ch.SignatureSchemes) != 15 || ch.SignatureSchemes[0] != kex.ECDSAWithP256AndSHA256:
		t.Errorf("ClientHello signature schemes %v", ch.SignatureSchemes)
	case !slices.Equal(ch.Extensions, wantExts):
		t.Errorf("ClientHello extensions %v", ch.Extensions)
	}
	again, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ch2, err := ParseMessage(again, cipher.VersionTLS13)
	if err != nil || !reflect.DeepEqual(canonical(ch2), canonical(ch)) {
		t.Errorf("ClientHello second round: %v\n got %+v\nwant %+v", err, ch2, ch)
	}

	sh := parse("ServerHello").(*ServerHello)
	if sh.IsHelloRetryRequest() || sh.Version != 0x0303 || sh.SupportedVersion != 0x0304 || sh.CipherSuite != 0x1301 ||
		sh.KeyShare.Group != kex.X25519 || !bytes.Equal(sh.KeyShare.Data, unhex(t, "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f")) ||
		sh.HasSelectedIdentity || len(sh.SessionID) != 0 {
		t.Errorf("ServerHello %+v", sh)
	}

	ee := parse("EncryptedExtensions").(*EncryptedExtensions)
	if !ee.ServerNameAck || !slices.Equal(ee.SupportedGroups, groups) || ee.RecordSizeLimit != 0x4001 || ee.ALPNProtocol != "" || ee.EarlyData {
		t.Errorf("EncryptedExtensions %+v", ee)
	}

	cert := parse("Certificate").(*Certificate13)
	if len(cert.RequestContext) != 0 || len(cert.Entries) != 1 || len(cert.Entries[0].Data) != 0x1b0 ||
		cert.Entries[0].OCSPResponse != nil || len(cert.Entries[0].Extensions) != 0 {
		t.Errorf("Certificate %+v", cert)
	}
	if c := cert.Certificates(); len(c) != 1 || !bytes.Equal(c[0], cert.Entries[0].Data) {
		t.Errorf("Certificates() = %d certificates", len(c))
	}

	cv := parse("CertificateVerify").(*CertificateVerify)
	if !cv.HasSignatureScheme || cv.SignatureScheme != kex.PSSWithSHA256 || len(cv.Signature) != 128 {
		t.Errorf("CertificateVerify scheme %v, %d-byte signature", cv.SignatureScheme, len(cv.Signature))
	}
	for _, name := range []string{"ServerFinished", "ClientFinished"} {
		if fin := parse(name).(*Finished); len(fin.VerifyData) != 32 {
			t.Errorf("%s: %d bytes of verify_data", name, len(fin.VerifyData))
		}
	}

	nst := parse("NewSessionTicket").(*NewSessionTicket13)
	if nst.Lifetime != 30 || nst.AgeAdd != 0xfad6aac5 || !bytes.Equal(nst.Nonce, []byte{0, 0}) || len(nst.Ticket) != 0xb2 ||
		!nst.EarlyData || nst.MaxEarlyDataSize != 1024 || !slices.Equal(nst.Extensions, []ExtensionType{ExtEarlyData}) {
		t.Errorf("NewSessionTicket %+v", nst)
	}
}
