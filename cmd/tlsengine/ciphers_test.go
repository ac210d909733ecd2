package main

import (
	"context"
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
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		if len(lines) != len(want) {
			t.Errorf("ciphers %q: %d lines, want %d:\n%s", tc.args, len(lines), len(want), stdout.String())
			continue
		}
		for i, line := range lines {
			f := strings.Fields(line)
			s := want[i]
			version := "TLSv1"
			if s.MinVersion == cipher.VersionTLS12 {
				version = "TLSv1.2"
			}
			wantFields := []string{s.OpenSSLName, s.Name, version,
				"Kx=" + s.KX.String(), "Au=" + s.Auth.String(), "Enc=" + s.Bulk.String(), "Mac=" + s.MAC.String()}
			if strings.Join(f, " ") != strings.Join(wantFields, " ") {
				t.Errorf("ciphers %q line %d: %q, want fields %q", tc.args, i, line, wantFields)
			}
		}
	}
	// The columns line up like `openssl ciphers -v`.
	var stdout strings.Builder
	ciphersMain([]string{"AES128-SHA"}, &stdout, &strings.Builder{})
	want := "AES128-SHA                     TLS_RSA_WITH_AES_128_CBC_SHA                  TLSv1   Kx=RSA      Au=RSA   Enc=AES(128)               Mac=SHA1\n"
	if stdout.String() != want {
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
