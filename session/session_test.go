package session

import (
	"bytes"
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"reflect"
	"testing"
)

func sample() *State {
	return &State{
		Version: 0x0303, CipherSuite: 0xc02f, MasterSecret: bytes.Repeat([]byte{7}, 48),
		ExtendedMasterSecret: true, Group: 29, PeerSignatureScheme: 0x0804, CreatedAt: 1_700_000_000, ServerName: "example.com",
		Context: []byte("ctx"), ClientAuth: 2, PeerCertificates: [][]byte{{1, 2, 3}, {4}},
		VerifyCode: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", VerifyReason: "unable to verify the first certificate", SessionID: bytes.Repeat([]byte{9}, 32),
		Ticket: []byte("ticket"), TicketLifetime: 300,
	}
}

func TestStateRoundTrip(t *testing.T) {
	s := sample()
	enc, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, s)
	}
	// Every truncation and a trailing byte are refused.
	for i := range enc {
		if _, err := Unmarshal(enc[:i]); err == nil {
			t.Fatalf("truncation to %d bytes accepted", i)
		}
	}
	if _, err := Unmarshal(append(enc, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	enc[0] = 2
	if _, err := Unmarshal(enc); err == nil {
		t.Fatal("unknown encoding version accepted")
	}
}

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeyLen) }

func TestTicketSealOpen(t *testing.T) {
	tk, err := NewTicketer(key(1))
	if err != nil {
		t.Fatal(err)
	}
	ticket, err := tk.Seal(sample(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ticket[:16], key(1)[:16]) {
		t.Fatal("ticket does not start with the key name")
	}
	got, old, err := tk.Open(ticket)
	if err != nil || old || !reflect.DeepEqual(got, sample()) {
		t.Fatalf("open: %v old=%v", err, old)
	}
	// RFC 5077, Section 4: any change is detected; every byte is tried.
	for i := range ticket {
		bad := bytes.Clone(ticket)
		bad[i] ^= 0x40
		if _, _, err := tk.Open(bad); err == nil {
			t.Fatalf("ticket with byte %d flipped opened", i)
		}
	}
	for _, n := range []int{0, 1, minTicket - 1, len(ticket) - 1} {
		if _, _, err := tk.Open(ticket[:n]); err == nil {
			t.Fatalf("ticket truncated to %d bytes opened", n)
		}
	}
}

func TestTicketKeyRotation(t *testing.T) {
	tk, _ := NewTicketer(key(1))
	oldTicket, _ := tk.Seal(sample(), rand.Reader)
	if err := tk.SetKey(key(2)); err != nil {
		t.Fatal(err)
	}
	if _, old, err := tk.Open(oldTicket); err != nil || !old {
		t.Fatalf("ticket under the previous key: %v old=%v", err, old)
	}
	newTicket, _ := tk.Seal(sample(), rand.Reader)
	if !bytes.Equal(newTicket[:16], key(2)[:16]) || !bytes.Equal(tk.Key(), key(2)) {
		t.Fatal("new tickets do not use the new key")
	}
	// Two rotations later the first key is gone.
	tk.SetKey(key(3))
	if _, _, err := tk.Open(oldTicket); err == nil {
		t.Fatal("ticket two keys old still opens")
	}
	// Another server with the same keys opens the tickets (the fleet case).
	other, _ := NewTicketer(key(3))
	t3, _ := tk.Seal(sample(), rand.Reader)
	if _, _, err := other.Open(t3); err != nil {
		t.Fatal(err)
	}
	if _, err := NewTicketer(make([]byte, 47)); err == nil {
		t.Fatal("47-byte key accepted")
	}
}

func TestCacheLRU(t *testing.T) {
	c := NewCache(2)
	for i := byte(1); i <= 3; i++ {
		s := sample()
		s.CipherSuite = uint16(i)
		if err := c.Put([]byte{i}, s); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			c.Get([]byte{1}) // 1 is now more recent than 2
		}
	}
	if _, ok := c.Get([]byte{2}); ok {
		t.Fatal("least recently used entry not evicted")
	}
	if s, ok := c.Get([]byte{1}); !ok || s.CipherSuite != 1 {
		t.Fatal("recently used entry evicted")
	}
	if c.Len() != 2 {
		t.Fatalf("len %d", c.Len())
	}
	c.Delete([]byte{1})
	if _, ok := c.Get([]byte{1}); ok {
		t.Fatal("deleted entry found")
	}
}

func TestExpired(t *testing.T) {
	s := sample()
	if s.Expired(s.CreatedAt+299, 300) || !s.Expired(s.CreatedAt+300, 300) || !s.Expired(s.CreatedAt-1, 300) {
		t.Fatal("expiry boundaries wrong")
	}
}

func FuzzUnmarshal(f *testing.F) {
	enc, _ := sample().Marshal()
	f.Add(enc)
	enc13, _ := sample13().Marshal()
	f.Add(enc13)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Unmarshal(data)
		if err != nil {
			return
		}
		again, err := s.Marshal()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted state does not re-marshal to the same bytes: %v", err)
		}
	})
}

func FuzzTicketOpen(f *testing.F) {
	tk, _ := NewTicketer(key(5))
	ticket, _ := tk.Seal(sample(), rand.Reader)
	f.Add(ticket)
	ticket13, _ := tk.Seal(sample13(), rand.Reader)
	f.Add(ticket13)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Must not panic; what opens is a state that encodes again.
		if s, _, err := tk.Open(data); err == nil {
			if _, err := s.Marshal(); err != nil {
				t.Fatalf("opened state does not encode: %v", err)
			}
		}
	})
}

// TestTicketLayout decodes a ticket with crypto/cipher and crypto/hmac
// alone: key name, IV, AES-128-CBC of the encoded state with PKCS#7
// padding under the key's last 16 bytes, HMAC-SHA256 under its middle 16
// (the layout of Node's 48-byte keys). Every state length across two
// blocks checks the CBC chaining and the padding; the other way round, a
// ticket sealed with crypto/cipher opens.
func TestTicketLayout(t *testing.T) {
	k := make([]byte, KeyLen)
	rand.Read(k)
	tk, err := NewTicketer(k)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(k[32:48])
	for extra := range 2*aes.BlockSize + 1 {
		st := sample()
		st.Context = bytes.Repeat([]byte{5}, 1+extra)
		plain, _ := st.Marshal()
		ticket, err := tk.Seal(st, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		name, iv := ticket[:16], ticket[16:32]
		ct, tag := ticket[32:len(ticket)-32], ticket[len(ticket)-32:]
		mac := hmac.New(sha256.New, k[16:32])
		mac.Write(ticket[:len(ticket)-32])
		if !bytes.Equal(name, k[:16]) || !hmac.Equal(mac.Sum(nil), tag) || len(ct)%aes.BlockSize != 0 {
			t.Fatalf("state of %d bytes: name, MAC or length wrong", len(plain))
		}
		got := make([]byte, len(ct))
		gocipher.NewCBCDecrypter(block, iv).CryptBlocks(got, ct)
		pad := aes.BlockSize - len(plain)%aes.BlockSize
		want := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
		if !bytes.Equal(got, want) {
			t.Fatalf("state of %d bytes: decrypts to %x, want %x", len(plain), got, want)
		}

		theirs := append(bytes.Clone(ticket[:32]), make([]byte, len(ct))...)
		gocipher.NewCBCEncrypter(block, iv).CryptBlocks(theirs[32:], want)
		mac.Reset()
		mac.Write(theirs)
		theirs = mac.Sum(theirs)
		if opened, _, err := tk.Open(theirs); err != nil || !reflect.DeepEqual(opened, st) {
			t.Fatalf("state of %d bytes: a crypto/cipher ticket does not open: %v", len(plain), err)
		}
	}
}
