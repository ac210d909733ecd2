package keysched

import (
	"bytes"
	"crypto"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestSecretsDoNotPrint guards the rule that secrets are never logged:
// whatever verb formats a secret type, by value or by pointer, directly or
// inside another struct, its bytes do not come out.
func TestSecretsDoNotPrint(t *testing.T) {
	early := NewEarlySecret(crypto.SHA256, []byte("a pre-shared key"))
	binder := early.ResumptionBinderKey()
	hs := early.Handshake([]byte("shared"))
	th := emptyTranscript(crypto.SHA256)
	clientHS := hs.ClientTrafficSecret(th)
	ms := hs.Master()
	secrets := map[string]any{
		"BinderKey":                binder,
		"HandshakeSecret":          *NewEarlySecret(crypto.SHA256, nil).Handshake([]byte("other")),
		"HandshakeTrafficSecret":   clientHS,
		"MasterSecret":             ms,
		"ApplicationTrafficSecret": *ms.ClientTrafficSecret(th),
		"ExporterMasterSecret":     ms.ExporterMasterSecret(th),
		"ResumptionMasterSecret":   ms.ResumptionMasterSecret(th),
	}
	for name, s := range secrets {
		raw := rawKey(s)
		if len(raw) == 0 {
			t.Fatalf("%s has no bytes to look for", name)
		}
		var log bytes.Buffer
		slog.New(slog.NewTextHandler(&log, nil)).Info("x", "secret", s)
		slog.New(slog.NewJSONHandler(&log, nil)).Info("x", "secret", s)
		// A secret held in an unexported field is printed by reflection,
		// without its Format method.
		held := struct{ s any }{s}
		out := fmt.Sprintf("%v %+v %#v %s %x %X %q %d %+v %#v", s, s, s, s, s, s, s, s, held, held) + log.String()
		for _, leak := range []string{hex.EncodeToString(raw), strings.ToUpper(hex.EncodeToString(raw)), fmt.Sprint(raw), string(raw)} {
			if strings.Contains(out, leak) {
				t.Errorf("%s prints its bytes: %s", name, out)
			}
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("%s does not print the placeholder: %s", name, out)
		}
	}
}

// rawKey digs the bytes out of any secret type, for the leak search.
func rawKey(s any) []byte {
	switch s := s.(type) {
	case *BinderKey:
		return s.key
	case HandshakeSecret:
		return s.key
	case *HandshakeTrafficSecret:
		return s.key
	case *MasterSecret:
		return s.key
	case ApplicationTrafficSecret:
		return s.key
	case *ExporterMasterSecret:
		return s.key
	case *ResumptionMasterSecret:
		return s.key
	}
	panic(fmt.Sprintf("rawKey: %T", s))
}

// TestStagesAreOneWay guards the one-way stages: moving on zeroes the
// earlier stage, and deriving from it afterwards is refused rather than
// computed from zeroed bytes.
func TestStagesAreOneWay(t *testing.T) {
	th := emptyTranscript(crypto.SHA256)
	early := NewEarlySecret(crypto.SHA256, nil)
	earlyBytes := early.key
	hs := early.Handshake(nil)
	if !bytes.Equal(earlyBytes, make([]byte, 32)) || early.key != nil {
		t.Error("Handshake left the early secret's bytes in place")
	}
	mustPanic(t, "binder key after Handshake", func() { early.ResumptionBinderKey() })
	earlyCopy := *early
	mustPanic(t, "copy of a used-up stage", func() { earlyCopy.Handshake(nil) })
	mustPanic(t, "second Handshake", func() { early.Handshake(nil) })
	ms := hs.Master()
	mustPanic(t, "handshake traffic secret after Master", func() { hs.ServerTrafficSecret(th) })
	app := ms.ServerTrafficSecret(th)
	next := app.Next()
	mustPanic(t, "keys of a secret KeyUpdate replaced", func() { app.Keys(16, 12) })
	mustPanic(t, "second Next of one secret", func() { app.Next() })
	next.Keys(16, 12) // the successor works
}

// TestTranscriptHashMustMatchSuite guards that a transcript snapshot taken
// with one hash cannot feed a schedule running another.
func TestTranscriptHashMustMatchSuite(t *testing.T) {
	tr := NewTranscript()
	tr.Add([]byte{1, 0, 0, 0})
	if err := tr.SetHash(crypto.SHA384); err != nil {
		t.Fatal(err)
	}
	hs := NewEarlySecret(crypto.SHA256, nil).Handshake(nil)
	mustPanic(t, "SHA-384 snapshot into a SHA-256 schedule", func() { hs.ClientTrafficSecret(tr.Sum()) })
	mustPanic(t, "zero TranscriptHash", func() { hs.ClientTrafficSecret(TranscriptHash{}) })
	mustPanic(t, "Sum before SetHash", func() { NewTranscript().Sum() })
	mustPanic(t, "SHA-1 schedule", func() { NewEarlySecret(crypto.SHA1, nil) })
}

// TestTranscriptRetryRules guards the HelloRetryRequest rules of the
// transcript (RFC 8446, Sections 4.1.4 and 4.4.1): message_hash replaces
// exactly one ClientHello, once, under the hash the HelloRetryRequest chose,
// and the ServerHello cannot switch to another hash.
func TestTranscriptRetryRules(t *testing.T) {
	clientHello := []byte{1, 0, 0, 2, 3, 3}

	tr := NewTranscript()
	tr.Add(clientHello)
	if err := tr.ReplaceClientHello1(); err == nil {
		t.Error("message_hash accepted before the hash is chosen")
	}
	if err := tr.SetHash(crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	if err := tr.ReplaceClientHello1(); err != nil {
		t.Fatal(err)
	}
	// Hash(message_hash(Hash(CH1))) by hand.
	ch1 := crypto.SHA256.New()
	ch1.Write(clientHello)
	synthetic := crypto.SHA256.New()
	synthetic.Write(append([]byte{254, 0, 0, 32}, ch1.Sum(nil)...))
	if got := tr.Sum().Bytes(); !bytes.Equal(got, synthetic.Sum(nil)) {
		t.Errorf("message_hash transcript %x, want %x", got, synthetic.Sum(nil))
	}
	tr.Add([]byte{2, 0, 0, 0}) // the HelloRetryRequest
	if err := tr.ReplaceClientHello1(); err == nil {
		t.Error("a second HelloRetryRequest was accepted")
	}
	if err := tr.SetHash(crypto.SHA384); err == nil {
		t.Error("the ServerHello switched the transcript hash")
	}
	if err := tr.SetHash(crypto.SHA256); err != nil {
		t.Errorf("choosing the same hash again: %v", err)
	}

	two := NewTranscript()
	two.Add(clientHello)
	two.Add([]byte{2, 0, 0, 0})
	two.SetHash(crypto.SHA256)
	if err := two.ReplaceClientHello1(); err == nil {
		t.Error("message_hash replaced two messages")
	}
	notHello := NewTranscript()
	notHello.Add([]byte{2, 0, 0, 0})
	notHello.SetHash(crypto.SHA256)
	if err := notHello.ReplaceClientHello1(); err == nil {
		t.Error("message_hash replaced a message that is not a ClientHello")
	}
}

// TestExpandLabelLimits guards the HkdfLabel encoding limits of RFC 8446,
// Section 7.1 and HKDF's output limit (RFC 5869, Section 2.3): values that
// cannot be encoded are errors, not truncations or panics, since the
// exporter label and the ticket nonce come from outside.
func TestExpandLabelLimits(t *testing.T) {
	key := make([]byte, 32)
	cases := []struct {
		name    string
		label   string
		context []byte
		length  int
		ok      bool
	}{
		{"longest label", strings.Repeat("l", 249), nil, 32, true},
		{"label too long", strings.Repeat("l", 250), nil, 32, false},
		{"empty label", "", nil, 32, false},
		{"longest context", "x", make([]byte, 255), 32, true},
		{"context too long", "x", make([]byte, 256), 32, false},
		{"longest output", "x", nil, 255 * 32, true},
		{"output too long", "x", nil, 255*32 + 1, false},
		{"negative length", "x", nil, -1, false},
	}
	for _, c := range cases {
		out, err := ExpandLabel(crypto.SHA256, key, c.label, c.context, c.length)
		if (err == nil) != c.ok || (c.ok && len(out) != c.length) {
			t.Errorf("%s: %d bytes, err %v", c.name, len(out), err)
		}
	}

	ms := NewEarlySecret(crypto.SHA256, nil).Handshake(nil).Master()
	th := emptyTranscript(crypto.SHA256)
	if _, err := ms.ResumptionMasterSecret(th).TicketPSK(make([]byte, 256)); err == nil {
		t.Error("a 256-byte ticket nonce was accepted")
	}
	exp := ms.ExporterMasterSecret(th)
	if _, err := exp.Export("", nil, 32); err == nil {
		t.Error("an empty exporter label was accepted")
	}
	if _, err := exp.Export("EXPORTER-x", nil, 255*32+1); err == nil {
		t.Error("an exporter length beyond HKDF's limit was accepted")
	}
}

// TestExpandLabelEncoding checks the HkdfLabel bytes against RFC 8448,
// Section 3's "info" blocks: derive secret "tls13 c hs traffic" and the
// traffic "key" and "iv" expansions.
func TestExpandLabelEncoding(t *testing.T) {
	hash := unhex("86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8")
	prk := unhex("1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b 01 04 6a a6 b9 9f 69 1e d2 21 a9 f0 ca 04 3f be ac")
	// HKDF-Expand (the standard library's) with the trace's info must
	// equal ExpandLabel.
	for _, c := range []struct {
		label   string
		context []byte
		length  int
		info    string
	}{
		{"c hs traffic", hash, 32, `00 20 12 74 6c 73 31 33 20 63 20 68 73 20 74 72 61 66 66 69 63 20 86 0c 06 ed c0 78 58
			ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8`},
		{"key", nil, 16, "00 10 09 74 6c 73 31 33 20 6b 65 79 00"},
		{"iv", nil, 12, "00 0c 08 74 6c 73 31 33 20 69 76 00"},
		{"finished", nil, 32, "00 20 0e 74 6c 73 31 33 20 66 69 6e 69 73 68 65 64 00"},
	} {
		got, err := ExpandLabel(crypto.SHA256, prk, c.label, c.context, c.length)
		if err != nil {
			t.Fatal(err)
		}
		w, err := hkdf.Expand(sha256.New, prk, string(unhex(c.info)), c.length)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s: ExpandLabel %x, HKDF-Expand with the trace's info %x", c.label, got, w)
		}
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}
