package session

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// A fleet's ring: the current key seals, every listed key opens, a key
// dropped from the ring no longer opens, and a malformed ring changes
// nothing.
func TestTicketerKeyRing(t *testing.T) {
	tk, _ := NewTicketer(key(1))
	t1, _ := tk.Seal(sample(), rand.Reader)
	if err := tk.SetKeys(key(3), [][]byte{key(1), key(2), key(3)}); err != nil {
		t.Fatal(err)
	}
	other, _ := NewTicketer(key(2))
	t2, _ := other.Seal(sample(), rand.Reader)
	for name, ticket := range map[string][]byte{"key 1": t1, "key 2": t2} {
		if _, old, err := tk.Open(ticket); err != nil || !old {
			t.Fatalf("ticket under %s: %v old=%v", name, err, old)
		}
	}
	t3, _ := tk.Seal(sample(), rand.Reader)
	if !bytes.Equal(t3[:16], key(3)[:16]) {
		t.Fatal("the current key does not seal")
	}
	if _, old, err := tk.Open(t3); err != nil || old {
		t.Fatalf("ticket under the current key: %v old=%v", err, old)
	}
	cur, older := tk.Keys()
	if !bytes.Equal(cur, key(3)) || len(older) != 2 {
		t.Fatalf("Keys: current %x, %d older", cur[:1], len(older))
	}

	if err := tk.SetKeys(key(4), [][]byte{key(3), make([]byte, 47)}); err == nil {
		t.Fatal("a 47-byte key in the ring accepted")
	}
	if !bytes.Equal(tk.Key(), key(3)) {
		t.Fatal("a refused ring changed the current key")
	}
	if err := tk.SetKeys(key(4), make([][]byte, MaxKeys)); err == nil {
		t.Fatalf("a ring of %d keys accepted", MaxKeys+1)
	}

	if err := tk.SetKeys(key(4), [][]byte{key(3)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tk.Open(t1); err == nil {
		t.Fatal("ticket under a key dropped from the ring opened")
	}
	if _, _, err := tk.Open(t3); err != nil {
		t.Fatal(err)
	}
}
