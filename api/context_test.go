package api

import (
	"crypto/rand"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/nodepeer"
	"github.com/tlsengine/tlsengine/kex"
)

func selfSigned(t *testing.T, kt certgen.KeyType) (certPEM, keyPEM []byte) {
	t.Helper()
	c, err := certgen.SelfSigned(kt, time.Now(), []string{"localhost"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	return c.CertPEM(), k
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestCreateSecureContextKeysAndCerts(t *testing.T) {
	rsaCert, rsaKey := selfSigned(t, certgen.RSA2048)
	ecCert, ecKey := selfSigned(t, certgen.ECDSAP256)
	// Keys of two algorithms, each paired with its certificate whatever
	// the order (Node's key array).
	ctx, err := CreateSecureContext(SecureContextOptions{
		Key:  []KeyOption{{PEM: ecKey}, {PEM: rsaKey}},
		Cert: [][]byte{rsaCert, ecCert},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ctx.cfg.Certificates); n != 2 {
		t.Fatalf("%d credentials", n)
	}
	if _, err := CreateSecureContext(SecureContextOptions{Key: []KeyOption{{PEM: rsaKey}}, Cert: [][]byte{ecCert}}); code(err) != "ERR_OSSL_X509_KEY_VALUES_MISMATCH" {
		t.Fatalf("mismatched key: %v", err)
	}
	// An encrypted PKCS#8 key: right, wrong and missing passphrase.
	dir := t.TempDir()
	plain, enc := filepath.Join(dir, "k.pem"), filepath.Join(dir, "enc.pem")
	os.WriteFile(plain, ecKey, 0o600)
	if out, err := exec.Command("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain, "-out", enc, "-passout", "pass:s3cret").CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	encKey, _ := os.ReadFile(enc)
	if _, err := CreateSecureContext(SecureContextOptions{Key: []KeyOption{{PEM: encKey}}, Passphrase: "s3cret", Cert: [][]byte{ecCert}}); err != nil {
		t.Fatalf("right passphrase: %v", err)
	}
	if _, err := CreateSecureContext(SecureContextOptions{Key: []KeyOption{{PEM: encKey, Passphrase: "nope"}}, Cert: [][]byte{ecCert}}); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	if _, err := CreateSecureContext(SecureContextOptions{Cert: [][]byte{ecCert}}); code(err) != "ERR_INVALID_ARG_VALUE" {
		t.Fatalf("cert without key: %v", err)
	}
}

func TestCreateSecureContextPolicy(t *testing.T) {
	ctx, err := CreateSecureContext(SecureContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Node's default list, server order honoured, TLS 1.2 only.
	if len(ctx.cfg.CipherSuites) != 27 || ctx.cfg.CipherSuites[0] != cipher.SuiteByName("ECDHE-RSA-AES128-GCM-SHA256").ID ||
		!ctx.cfg.PreferServerCipherSuites || ctx.cfg.MinVersion != 0 || ctx.cfg.MaxVersion != 0 {
		t.Fatalf("defaults: %d suites, first %x, honor %v, versions %x-%x", len(ctx.cfg.CipherSuites), ctx.cfg.CipherSuites[0],
			ctx.cfg.PreferServerCipherSuites, ctx.cfg.MinVersion, ctx.cfg.MaxVersion)
	}
	no := false
	ctx, err = CreateSecureContext(SecureContextOptions{Ciphers: "kEDH+AESGCM", HonorCipherOrder: &no, ECDHCurve: "P-521:secp384r1",
		SecureProtocol: "TLSv1_1_method"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ctx.cfg.CipherSuites) != 2 || ctx.cfg.PreferServerCipherSuites || !slices.Equal(ctx.cfg.Groups, []kex.Group{kex.P521, kex.P384}) ||
		ctx.cfg.MinVersion != cipher.VersionTLS11 || ctx.cfg.MaxVersion != cipher.VersionTLS11 {
		t.Fatalf("options not applied: %+v", ctx.cfg)
	}
	if ctx, err := CreateSecureContext(SecureContextOptions{NoECDH: true}); err != nil || ctx.cfg.Groups == nil || len(ctx.cfg.Groups) != 0 {
		t.Fatalf("NoECDH: %v %v", err, ctx.cfg.Groups)
	}
	for _, tc := range []struct {
		o    SecureContextOptions
		code string
	}{
		{SecureContextOptions{Ciphers: "NOPE:!ALL"}, "ERR_SSL_NO_CIPHER_MATCH"},
		{SecureContextOptions{ECDHCurve: "bogus"}, "ERR_CRYPTO_OPERATION_FAILED"},
		{SecureContextOptions{SecureProtocol: "SSLv3_method"}, "ERR_TLS_INVALID_PROTOCOL_METHOD"},
		{SecureContextOptions{SecureProtocol: "TLSv9_method"}, "ERR_TLS_INVALID_PROTOCOL_METHOD"},
		{SecureContextOptions{MinVersion: "TLSv1.2", MaxVersion: "TLSv1"}, "ERR_TLS_PROTOCOL_VERSION_CONFLICT"},
		{SecureContextOptions{MaxVersion: "TLSv2"}, "ERR_TLS_INVALID_PROTOCOL_VERSION"},
		{SecureContextOptions{DHParam: weakDHParams(t)}, "ERR_TLS_DH_PARAM_SIZE"},
		{SecureContextOptions{CRL: [][]byte{[]byte("garbage")}}, "ERR_CRYPTO_OPERATION_FAILED"},
	} {
		if _, err := CreateSecureContext(tc.o); code(err) != tc.code {
			t.Errorf("%+v: error %v, want code %s", tc.o, err, tc.code)
		}
	}
}

// weakDHParams is a PKCS#3 block with a 512-bit modulus.
func weakDHParams(t *testing.T) []byte {
	p, _ := rand.Prime(rand.Reader, 512)
	der, err := asn1.Marshal(struct{ P, G *big.Int }{p, big.NewInt(2)})
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: der})
}

func TestGetCiphers(t *testing.T) {
	names := GetCiphers()
	if len(names) != len(cipher.Suites())+len(cipher.Suites13()) || !slices.IsSorted(names) || !slices.Contains(names, "ecdhe-rsa-aes128-gcm-sha256") {
		t.Fatalf("GetCiphers() = %v", names)
	}
	for _, n := range names {
		if n != strings.ToLower(n) {
			t.Fatalf("%q is not lower case", n)
		}
		// Every name is accepted by the ciphers option.
		if _, err := CreateSecureContext(SecureContextOptions{Ciphers: strings.ToUpper(n)}); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
}

// TestCreateSecureContextOptionSecureProtocolMatchesNode gives Node's
// createSecureContext and ours the same secureProtocol values and wants
// the same verdicts, codes and messages: SSLv23_method, the most common
// value in Node-era code, is accepted (a prefix test on "SSLv2" refused
// it), SSLv2 and SSLv3 methods are not.
func TestCreateSecureContextOptionSecureProtocolMatchesNode(t *testing.T) {
	node, err := nodepeer.Path()
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct{ Code, Message string }
	methods := []string{"SSLv23_method", "SSLv23_server_method", "SSLv23_client_method", "TLS_method", "TLS_client_method",
		"TLSv1_method", "TLSv1_1_server_method", "TLSv1_2_client_method", "SSLv2_method", "SSLv2_client_method",
		"SSLv3_method", "SSLv3_server_method", "SSLv23", "SSLv2", "sslv23_method", "TLSv1_3_method", "SSLv23_method_x", "_method"}
	var probes []SecureContextOptions
	for _, m := range methods {
		probes = append(probes, SecureContextOptions{SecureProtocol: m})
	}
	probes = append(probes, SecureContextOptions{SecureProtocol: "SSLv23_method", MinVersion: "TLSv1"},
		SecureContextOptions{SecureProtocol: "TLSv1_2_method", MaxVersion: "TLSv1.2"})
	in, _ := json.Marshal(probes)
	out, err := exec.Command(node, "-e", `const tls = require('tls');
console.log(JSON.stringify(JSON.parse(process.argv[1]).map(o => {
  try {
    tls.createSecureContext({secureProtocol: o.SecureProtocol, minVersion: o.MinVersion || undefined, maxVersion: o.MaxVersion || undefined});
    return {Code: '', Message: ''};
  } catch (e) { return {Code: e.code, Message: e.message}; }
})));`, string(in)).CombinedOutput()
	var want []verdict
	if err != nil || json.Unmarshal(out, &want) != nil || len(want) != len(probes) {
		t.Fatalf("node: %v\n%s", err, out)
	}
	for i, o := range probes {
		ctx, err := CreateSecureContext(o)
		var got verdict
		if err != nil {
			got = verdict{code(err), err.Error()}
		}
		if got != want[i] {
			t.Errorf("%q min %q max %q: %+v, node %+v", o.SecureProtocol, o.MinVersion, o.MaxVersion, got, want[i])
		}
		// SSLv23 keeps the default minimum and caps at TLS 1.2, as Node.
		if strings.HasPrefix(o.SecureProtocol, "SSLv23_") && err == nil &&
			(ctx.cfg.MinVersion != 0 || ctx.cfg.MaxVersion != cipher.VersionTLS12) {
			t.Errorf("%s: versions %x-%x", o.SecureProtocol, ctx.cfg.MinVersion, ctx.cfg.MaxVersion)
		}
	}
}
