package handshake_test

import (
	"crypto"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/record"
)

// TestNewCredentialRejectsMismatchedKey: a key that is not the
// certificate's is refused when the credential is made (a misuse error
// that says so), for every key type and across types, instead of a server
// that starts and then fails every handshake with a bad signature.
func TestNewCredentialRejectsMismatchedKey(t *testing.T) {
	types := []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048, certgen.Ed25519}
	certs := make([]*certgen.Cert, len(types))
	for i, kt := range types {
		c, err := certgen.SelfSigned(kt, time.Now(), []string{"localhost"}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		certs[i] = c
	}
	for i, c := range certs {
		if _, err := handshake.NewCredential([][]byte{c.DER}, c.Key); err != nil {
			t.Errorf("%s: own key refused: %v", types[i], err)
		}
		other, err := certgen.SelfSigned(types[i], time.Now(), []string{"localhost"}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		for j, key := range []crypto.Signer{other.Key, certs[(i+1)%len(certs)].Key} {
			_, err := handshake.NewCredential([][]byte{c.DER}, key)
			if !errors.Is(err, record.ErrMisuse) || !strings.Contains(err.Error(), "does not match the certificate") {
				t.Errorf("%s, wrong key %d: %v, want a misuse error naming the mismatch", types[i], j, err)
			}
		}
	}
	if _, err := handshake.NewCredential([][]byte{certs[0].DER}, nil); err == nil {
		t.Error("nil key accepted")
	}
}
