package main

import (
	"fmt"
	"io"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/cipher/cipherlist"
	"github.com/tlsengine/tlsengine/record"
)

const ciphersUsage = `usage: tlsengine ciphers [--] [STRING]

Prints the cipher suites an OpenSSL cipher string selects, most preferred
first, one per line: OpenSSL name, IANA name, oldest protocol version, and
the Kx, Au, Enc and Mac columns of "openssl ciphers -v". As in Node v20,
names starting with TLS_ (TLS_AES_128_GCM_SHA256) choose the TLS 1.3
suites, listed first; without any, the default TLS 1.3 suites are listed.
STRING defaults to Node's default cipher list:
  ` + cipherlist.NodeDefault + `
`

// ciphersMain runs `tlsengine ciphers [STRING]`: 0 when the string selects
// suites, 1 when it is rejected, 2 for bad usage.
func ciphersMain(args []string, stdout, stderr io.Writer) int {
	// No flag package: cipher strings may start with '-' ("-kRSA:HIGH" is
	// odd but valid), so only "--" and help are special.
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, ciphersUsage)
			return 0
		case "--":
			args = args[1:]
		}
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "tlsengine ciphers: want at most one cipher string, got %d arguments\n%s", len(args), ciphersUsage)
		return 2
	}
	spec := cipherlist.NodeDefault
	if len(args) == 1 {
		spec = args[0]
	}
	// As Node v20 and `openssl ciphers -v`: the TLS 1.3 suites first
	// (those named, else the default ones), then what the rest selects.
	list12, suites13, err := cipherlist.Split13(spec)
	var suites []*cipher.Suite
	if err == nil && list12 != "" {
		suites, err = cipherlist.Parse(list12)
	}
	if err != nil {
		fmt.Fprintf(stderr, "tlsengine ciphers: %v\n", err)
		return 1
	}
	if suites13 == nil {
		suites13 = cipher.Suites13()
	}
	for _, s := range append(suites13, suites...) {
		fmt.Fprintln(stdout, suiteLine(s))
	}
	return 0
}

// suiteLine formats one suite like a line of `openssl ciphers -v` with the
// IANA name after the OpenSSL one. The version is the oldest we negotiate
// the suite at (OpenSSL prints SSLv3 for the RSA and DHE AES-SHA suites;
// SSL 3.0 is not implemented, so we print TLSv1).
func suiteLine(s *cipher.Suite) string {
	version, kx, au, mac := record.Version(s.MinVersion).String(), s.KX.String(), s.Auth.String(), s.MAC.String()
	if s.MinVersion >= cipher.VersionTLS13 {
		// The TLS 1.3 suites name no key exchange or authentication.
		kx, au, mac = "any", "any", "AEAD"
	}
	return fmt.Sprintf("%-30s %-45s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%s", s.OpenSSLName, s.Name, version, kx, au, s.Bulk, mac)
}
