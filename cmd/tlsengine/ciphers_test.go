package main

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/cipher/cipherlist"
)

func TestCiphersCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		spec string // what Parse must agree with
	}{
		{nil, cipherlist.NodeDefault},
		{[]string{"HIGH:!kRSA:@STRENGTH"}, "HIGH:!kRSA:@STRENGTH"},
		{[]string{"ECDHE-RSA-AES128-GCM-SHA256:!RC4"}, "ECDHE-RSA-AES128-GCM-SHA256:!RC4"},
		{[]string{"--", "-kRSA:kRSA+SHA1"}, "-kRSA:kRSA+SHA1"},
	} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), append([]string{"ciphers"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
		if code != 0 {
			t.Errorf("ciphers %q: exit %d, stderr %q", tc.args, code, stderr.String())
			continue
		}
		want, err := cipherlist.Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		// No TLS 1.3 names: the default TLS 1.3 suites come first.
		want = append(cipher.Suites13(), want...)
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		if len(lines) != len(want) {
			t.Errorf("ciphers %q: %d lines, want %d:\n%s", tc.args, len(lines), len(want), stdout.String())
			continue
		}
		for i, line := range lines {
			f := strings.Fields(line)
			s := want[i]
			version, kx, au, mac := "TLSv1", s.KX.String(), s.Auth.String(), s.MAC.String()
			switch s.MinVersion {
			case cipher.VersionTLS12:
				version = "TLSv1.2"
			case cipher.VersionTLS13:
				version, kx, au, mac = "TLSv1.3", "any", "any", "AEAD"
			}
			wantFields := []string{s.OpenSSLName, s.Name, version, "Kx=" + kx, "Au=" + au, "Enc=" + s.Bulk.String(), "Mac=" + mac}
			if strings.Join(f, " ") != strings.Join(wantFields, " ") {
				t.Errorf("ciphers %q line %d: %q, want fields %q", tc.args, i, line, wantFields)
			}
		}
	}
	// The columns line up like `openssl ciphers -v`.
	var stdout strings.Builder
	ciphersMain([]string{"AES128-SHA"}, &stdout, &strings.Builder{})
	want := "AES128-SHA                     TLS_RSA_WITH_AES_128_CBC_SHA                  TLSv1   Kx=RSA      Au=RSA   Enc=AES(128)               Mac=SHA1\n"
	if !strings.HasSuffix(stdout.String(), "\n"+want) {
		t.Errorf("ciphers AES128-SHA:\n%q\nwant\n%q", stdout.String(), want)
	}
}

func TestCiphersCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"FOO"}, 1, "", "tlsengine ciphers: tls: no cipher match"},
		{[]string{"HIGH:@FOO"}, 1, "", "tlsengine ciphers: tls: invalid command in cipher string at offset 5"},
		{[]string{"HIGH", "extra"}, 2, "", "want at most one cipher string"},
		{[]string{"-h"}, 0, "usage: tlsengine ciphers", ""},
	} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), append([]string{"ciphers"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("ciphers %q: exit %d, stdout %q, stderr %q; want exit %d, %q, %q",
				tc.args, code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
		}
	}
}

// TestCiphersCommandTLS13LinesMatchOpenSSL: TLS_ names choose the TLS 1.3
// suites, printed first as `openssl ciphers -v -ciphersuites` prints
// them (every column but our IANA one), and without any the default
// TLS 1.3 suites are listed, in OpenSSL's (and Node v20's) order.
func TestCiphersCommandTLS13LinesMatchOpenSSL(t *testing.T) {
	for _, tc := range []struct{ ours, suites13, list12 string }{
		{"TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
		{"ECDHE-RSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES256-GCM-SHA384"},
	} {
		out, err := exec.Command("openssl", "ciphers", "-v", "-ciphersuites", tc.suites13, tc.list12).Output()
		if err != nil {
			t.Fatalf("openssl ciphers: %v", err)
		}
		var stdout strings.Builder
		if code := ciphersMain([]string{tc.ours}, &stdout, &strings.Builder{}); code != 0 {
			t.Fatalf("ciphers %s: exit %d", tc.ours, code)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			f := strings.Fields(line)
			got = append(got, strings.Join(append(f[:1:1], f[2:]...), " ")) // without the IANA name
		}
		var want []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			want = append(want, strings.Join(strings.Fields(line), " "))
		}
		if !slices.Equal(got, want) {
			t.Errorf("ciphers %s:\n%s\nopenssl:\n%s", tc.ours, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
