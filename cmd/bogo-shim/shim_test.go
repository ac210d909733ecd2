package main

import (
	"errors"
	"testing"

	"github.com/tlsengine/tlsengine/record"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-port", "1234", "-server", "-curves", "29", "-curves", "23", "-max-version", "771"})
	if err != nil {
		t.Fatal(err)
	}
	if o.port != "1234" || !o.server || len(o.curves) != 2 || o.curves[1] != 23 || o.maxVersion != 771 {
		t.Fatalf("parsed %+v", o)
	}
	// Every unknown flag is reported, with or without a value.
	_, err = parseFlags([]string{"-port", "1", "-on-resume-foo", "x", "-bar", "-server", "-baz", "-1"})
	var u errUnimplemented
	if !errors.As(err, &u) || u.flag != "-on-resume-foo\t-bar\t-baz" {
		t.Fatalf("got %v, want both unknown flags", err)
	}
}

func TestBogoCode(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{record.Errorf(record.ErrIncompatible, record.AlertHandshakeFailure, "tls: no shared cipher suite"), ":NO_SHARED_CIPHER:"},
		{record.Errorf(record.ErrIncompatible, record.AlertHandshakeFailure, "tls: no shared cipher suite: the client does not accept the curve of our ECDSA certificate"), ":WRONG_CURVE:"},
		{record.Errorf(record.ErrDecode, record.AlertRecordOverflow, "tls: decrypted record of 16385 bytes exceeds 2^14"), ":DATA_LENGTH_TOO_LONG:"},
		{record.Errorf(record.ErrPeerMisbehaved, record.AlertIllegalParameter, "tls: client does not offer the null compression method"), ":INVALID_COMPRESSION_LIST:"},
		{&record.AlertError{Alert: record.Alert{Level: record.LevelFatal, Description: record.AlertHandshakeFailure}, InReplyToHello: true}, ":HANDSHAKE_FAILURE_ON_CLIENT_HELLO:"},
		{&record.AlertError{Alert: record.Alert{Level: record.LevelFatal, Description: record.AlertDecompressionFailure}}, ":SSLV3_ALERT_DECOMPRESSION_FAILURE:"},
		{errors.New("tls: decode error: malformed ClientHello: session_id"), ":CLIENTHELLO_PARSE_FAILED:"},
		{errors.New("tls: decode error: malformed ClientHello: server_name extension"), ":PARSE_TLSEXT:"},
		// TLS 1.3 reasons that overlap TLS 1.2 patterns.
		{errors.New("tls: decode error: malformed ServerHello: cookie extension"), ":DECODE_ERROR:"},
		{errors.New("tls: EncryptedExtensions carries the renegotiation_info extension, which TLS 1.3 does not allow there"), ":ERROR_PARSING_EXTENSION:"},
		{errors.New("tls: server key share on group Group(0x0000), for which we sent no share"), ":MISSING_KEY_SHARE:"},
		{errors.New("tls: server key share on group P-256, for which we sent no share"), ":WRONG_CURVE:"},
		{errors.New("tls: record too long: tls: TLS 1.3 record too long: plaintext exceeds 2^14+1 bytes"), ":DATA_LENGTH_TOO_LONG:"},
		{errors.New("tls: record too long: tls: TLS 1.3 record too long: ciphertext exceeds 2^14+256 bytes"), ":ENCRYPTED_LENGTH_TOO_LONG:"},
	}
	for _, tc := range cases {
		if got := bogoCode(tc.err); got != tc.want {
			t.Errorf("bogoCode(%q) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

func TestVersionRange(t *testing.T) {
	cases := []struct {
		o        options
		min, max uint16
		unimpl   bool
	}{
		{options{}, 0x0301, 0x0304, false},
		{options{noTLS1: true, noTLS11: true}, 0x0303, 0x0304, false},
		{options{noTLS12: true, noTLS13: true}, 0x0301, 0x0302, false},
		{options{noTLS13: true}, 0x0301, 0x0303, false},
		{options{noTLS11: true}, 0, 0, true},
		{options{noTLS12: true}, 0, 0, true},
		{options{maxVersion: 0x0304, minVersion: 0x0302}, 0x0302, 0x0304, false},
		{options{minVersion: 0x0304}, 0x0304, 0x0304, false},
		{options{minVersion: 0x0305}, 0, 0, true},
	}
	for _, tc := range cases {
		for range 20 { // no dependence on map order
			cfg, err := config(&tc.o)
			var u errUnimplemented
			if tc.unimpl != errors.As(err, &u) {
				t.Fatalf("%+v: error %v", tc.o, err)
			}
			if !tc.unimpl && (cfg.MinVersion != tc.min || cfg.MaxVersion != tc.max) {
				t.Fatalf("%+v: versions %x..%x, want %x..%x", tc.o, cfg.MinVersion, cfg.MaxVersion, tc.min, tc.max)
			}
		}
	}
}
