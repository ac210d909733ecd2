package cipher

import (
	"bytes"
	"errors"
	"testing"
)

// RFC 8448, Section 3 (Simple 1-RTT Handshake), TLS_AES_128_GCM_SHA256.
// The keys are hard-coded here (the key schedule that derives them is
// package keysched's, tested against the same trace).
var (
	// {server} derive write traffic keys for handshake data
	rfc8448ServerHSKey = unhex("3fce516009c21727d0f2e4e86ee403bc")
	rfc8448ServerHSIV  = unhex("5d313eb2671276ee13000b30")
	// {server} send handshake record: EncryptedExtensions, Certificate,
	// CertificateVerify and Finished in one record, sequence number 0.
	rfc8448ServerFlight = unhex(`
		17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35e
		df7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78
		b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13b
		d9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9
		d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2e
		d65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd61092
		8d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead68694
		5ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b368
		4596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f
		4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26
		f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531
		7b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e
		1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da
		8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d4
		61e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe
		5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb
		992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c859
		77b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038
		ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b84
		5e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5
		d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e
		750edc53370d2b`)
	// The start of its plaintext (EncryptedExtensions) and its end (the
	// server Finished).
	rfc8448FlightStart = unhex("080000240022000a00140012001d00170018001901000101010201030104001c")
	rfc8448FlightEnd   = unhex("140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718")

	// {server} derive write traffic keys for application data
	rfc8448ServerAppKey = unhex("9f02283b6c9c07efc26bb9f2ac92e356")
	rfc8448ServerAppIV  = unhex("cf782b88dd83549aadf1e984")
	// {server} send application_data record (sequence number 1, after
	// the NewSessionTicket) and the close_notify alert (sequence 2).
	rfc8448ServerData = unhex(`
		17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36
		e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf33254
		0dd032e167c2955d`)
	rfc8448ServerAlert = unhex("1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9")
)

// TestAEAD13RFC8448 opens the RFC 8448 server records with the trace's keys
// and seals their plaintext back into the same bytes: nonce = iv XOR seq,
// additional data = the record header, content type after the content.
func TestAEAD13RFC8448(t *testing.T) {
	hs, err := NewAEAD13(AES128GCM, rfc8448ServerHSKey, rfc8448ServerHSIV)
	if err != nil {
		t.Fatal(err)
	}
	app, err := NewAEAD13(AES128GCM, rfc8448ServerAppKey, rfc8448ServerAppIV)
	if err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 50) // 00 01 ... 31
	for i := range payload {
		payload[i] = byte(i)
	}
	for _, c := range []struct {
		name    string
		p       Protection
		seq     uint64
		record  []byte
		typ     uint8
		checkPT func([]byte) bool
	}{
		{"handshake flight", hs, 0, rfc8448ServerFlight, 22, func(pt []byte) bool {
			return len(pt) == 657 && bytes.HasPrefix(pt, rfc8448FlightStart) && bytes.HasSuffix(pt, rfc8448FlightEnd)
		}},
		{"application data", app, 1, rfc8448ServerData, 23, func(pt []byte) bool { return bytes.Equal(pt, payload) }},
		{"close_notify", app, 2, rfc8448ServerAlert, 21, func(pt []byte) bool { return bytes.Equal(pt, []byte{1, 0}) }},
	} {
		typ, pt, err := c.p.Open([]byte("prefix"), c.seq, c.record[:HeaderLen], c.record[HeaderLen:])
		if err != nil || typ != c.typ || !bytes.HasPrefix(pt, []byte("prefix")) || !c.checkPT(pt[6:]) {
			t.Fatalf("%s: Open gave type %d, %d bytes, %v", c.name, typ, len(pt), err)
		}
		if got := c.p.Seal([]byte("x"), c.seq, c.typ, 0x0303, pt[6:]); !bytes.Equal(got[1:], c.record) || got[0] != 'x' {
			t.Fatalf("%s: Seal gave\n%x\nwant\n%x", c.name, got[1:], c.record)
		}
		// Any other sequence number or header is a bad MAC.
		if _, _, err := c.p.Open(nil, c.seq+1, c.record[:HeaderLen], c.record[HeaderLen:]); !errors.Is(err, ErrBadRecordMAC) {
			t.Fatalf("%s at the next sequence number: %v", c.name, err)
		}
		hdr := bytes.Clone(c.record[:HeaderLen])
		hdr[2] ^= 1
		if _, _, err := c.p.Open(nil, c.seq, hdr, c.record[HeaderLen:]); !errors.Is(err, ErrBadRecordMAC) {
			t.Fatalf("%s under another record version: %v", c.name, err)
		}
	}
}

// TestAEAD13Refuses checks the TLS 1.3 rules Open applies before and after
// decrypting (RFC 8446, Sections 5.2 and 5.4): the outer type, the 2^14+256
// limit, the 2^14+1 limit on the inner plaintext with its padding, and a
// record that is all padding.
func TestAEAD13Refuses(t *testing.T) {
	for _, b := range []Bulk{AES128GCM, AES256GCM, ChaCha20Poly1305} {
		key := bytes.Repeat([]byte{9}, map[Bulk]int{AES128GCM: 16, AES256GCM: 32, ChaCha20Poly1305: 32}[b])
		iv := bytes.Repeat([]byte{3}, 12)
		w, _ := NewAEAD13(b, key, iv)
		r, err := NewAEAD13(b, key, iv)
		if err != nil {
			t.Fatal(err)
		}
		if w.Overhead() != 17 {
			t.Fatalf("%v: overhead %d", b, w.Overhead())
		}
		open := func(rec []byte) (uint8, []byte, error) { return r.Open(nil, 7, rec[:HeaderLen], rec[HeaderLen:]) }

		rec := w.Seal(nil, 7, 22, 0x0303, []byte("hello"))
		if typ, pt, err := open(rec); err != nil || typ != 22 || string(pt) != "hello" {
			t.Fatalf("%v: round trip: %d %q %v", b, typ, pt, err)
		}
		outer := bytes.Clone(rec)
		outer[0] = 22
		if _, _, err := open(outer); !errors.Is(err, ErrOuterType) {
			t.Fatalf("%v: outer type handshake: %v", b, err)
		}
		// The largest record: 2^14 bytes of content and the type.
		big := w.Seal(nil, 7, 23, 0x0303, make([]byte, 1<<14))
		if len(big) != HeaderLen+MaxCiphertext13-239 {
			t.Fatalf("%v: a full record is %d bytes", b, len(big))
		}
		if _, pt, err := open(big); err != nil || len(pt) != 1<<14 {
			t.Fatalf("%v: full record: %v", b, err)
		}
		over := append(bytes.Clone(big), make([]byte, MaxCiphertext13-(len(big)-HeaderLen)+1)...)
		if _, _, err := open(over); !errors.Is(err, ErrRecordOverflow) {
			t.Fatalf("%v: 2^14+257 bytes: %v", b, err)
		}
		// Content and type fill 2^14+1 bytes; one more byte of padding
		// passes the outer limit but not the inner one.
		padded := sealPadded(w, 7, 23, make([]byte, 1<<14), 1)
		if _, _, err := open(padded); !errors.Is(err, ErrRecordOverflow) {
			t.Fatalf("%v: padded past 2^14+1: %v", b, err)
		}
		within := sealPadded(w, 7, 23, []byte("x"), 200)
		if typ, pt, err := open(within); err != nil || typ != 23 || string(pt) != "x" {
			t.Fatalf("%v: padded record: %d %q %v", b, typ, pt, err)
		}
		if _, _, err := open(sealPadded(w, 7, 0, nil, 10)); !errors.Is(err, ErrNoContentType) {
			t.Fatalf("%v: all zeros: %v", b, err)
		}
		for n := range 17 {
			short := rec[:HeaderLen+n]
			short[4] = byte(n)
			if _, _, err := open(short); !errors.Is(err, ErrBadRecordMAC) {
				t.Fatalf("%v: %d-byte record: %v", b, n, err)
			}
		}
	}
	if _, err := NewAEAD13(AES128CBC, make([]byte, 16), make([]byte, 12)); err == nil {
		t.Fatal("CBC accepted as a TLS 1.3 AEAD")
	}
	if _, err := NewAEAD13(AES256GCM, make([]byte, 16), make([]byte, 12)); err == nil {
		t.Fatal("AES-256-GCM accepted a 16-byte key")
	}
	if _, err := NewAEAD13(AES128GCM, make([]byte, 16), make([]byte, 4)); err == nil {
		t.Fatal("a 4-byte IV accepted")
	}
}

// sealPadded seals a record whose inner plaintext is content || typ ||
// pad zero bytes (pad >= 1), as a peer that pads would: Seal itself adds
// no padding, so the type and all but one zero go in as content and the
// last zero as the type byte.
func sealPadded(w Protection, seq uint64, typ uint8, content []byte, pad int) []byte {
	inner := append(append(bytes.Clone(content), typ), make([]byte, pad-1)...)
	return w.Seal(nil, seq, 0, 0x0303, inner)
}

func TestAEAD13DoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not measurable under -race; make test runs this test again without it")
	}
	for _, b := range []Bulk{AES128GCM, ChaCha20Poly1305} {
		key := make([]byte, map[Bulk]int{AES128GCM: 16, ChaCha20Poly1305: 32}[b])
		w, _ := NewAEAD13(b, key, make([]byte, 12))
		r, _ := NewAEAD13(b, key, make([]byte, 12))
		pt := make([]byte, 1024)
		dst := make([]byte, 0, 2048)
		if n := testing.AllocsPerRun(50, func() { w.Seal(dst, 5, 23, 0x0303, pt) }); n != 0 {
			t.Errorf("%v: %v allocations per Seal", b, n)
		}
		rec := w.Seal(nil, 5, 23, 0x0303, pt)
		if n := testing.AllocsPerRun(50, func() {
			if _, _, err := r.Open(dst, 5, rec[:HeaderLen], rec[HeaderLen:]); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations per Open", b, n)
		}
	}
}
