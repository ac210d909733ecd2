package tlstest

import (
	"crypto"
	"crypto/aes"
	stdcipher "crypto/cipher"
	"crypto/hmac"
	_ "crypto/sha256" // the PRF hashes of gcmSuites
	_ "crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/record"
)

// Steps returns the handshake messages and ChangeCipherSpecs both sides of
// the pair sent, in the order they were sent, as "C Name" or "S Name"
// (handshake.MessageType names), reading through encryption: see
// ObserveSteps.
func (p *Pair) Steps() ([]string, error) {
	return ObserveSteps(p.Log, append(append([]string(nil), p.Client.Keylog...), p.Server.Keylog...))
}

// ObserveSteps decodes a TLS 1.2 exchange the way a passive observer with
// the keylog would, independently of the engine's record layer: each
// side's records after its ChangeCipherSpec are opened with keys derived
// (RFC 5246, Section 6.3) from the master secret that keylog (NSS
// CLIENT_RANDOM lines) gives for the current handshake's client random and
// from the hellos' randoms, so renegotiations are read too. Only the
// AES-GCM suites of gcmSuites can be read.
func ObserveSteps(log []Chunk, keylog []string) ([]string, error) {
	o := &observer{masters: map[string][]byte{}}
	for _, line := range keylog {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "CLIENT_RANDOM" {
			if m, err := hex.DecodeString(f[2]); err == nil {
				o.masters[f[1]] = m
			}
		}
	}
	client, server := &direction{who: "C", client: true}, &direction{who: "S"}
	for _, c := range log {
		d := server
		if c.FromClient {
			d = client
		}
		if err := o.read(d, c.Data); err != nil {
			return o.steps, fmt.Errorf("tlstest: after %v: %w", o.steps, err)
		}
	}
	return o.steps, nil
}

// gcmSuites are the suites ObserveSteps can decrypt: AES-GCM, by key
// length and PRF hash.
var gcmSuites = map[uint16]struct {
	keyLen int
	prf    crypto.Hash
}{
	0xc02b: {16, crypto.SHA256}, // ECDHE-ECDSA-AES128-GCM-SHA256
	0xc02f: {16, crypto.SHA256}, // ECDHE-RSA-AES128-GCM-SHA256
	0x009e: {16, crypto.SHA256}, // DHE-RSA-AES128-GCM-SHA256
	0x009c: {16, crypto.SHA256}, // AES128-GCM-SHA256
	0xc02c: {32, crypto.SHA384}, // ECDHE-ECDSA-AES256-GCM-SHA384
	0xc030: {32, crypto.SHA384}, // ECDHE-RSA-AES256-GCM-SHA384
	0x009f: {32, crypto.SHA384}, // DHE-RSA-AES256-GCM-SHA384
	0x009d: {32, crypto.SHA384}, // AES256-GCM-SHA384
}

// observer is the state shared by both directions: the current
// handshake's randoms and suite.
type observer struct {
	masters                    map[string][]byte
	clientRandom, serverRandom []byte
	suite                      uint16
	steps                      []string
}

// direction is one side's stream.
type direction struct {
	who    string
	client bool
	wire   []byte // bytes not yet a whole record
	hs     []byte // handshake bytes not yet a whole message
	aead   stdcipher.AEAD
	iv     []byte // the 4-byte implicit nonce (RFC 5288, Section 3)
	seq    uint64
}

func (o *observer) read(d *direction, data []byte) error {
	d.wire = append(d.wire, data...)
	for len(d.wire) >= record.HeaderLen {
		n := int(binary.BigEndian.Uint16(d.wire[3:5]))
		if len(d.wire) < record.HeaderLen+n {
			break
		}
		hdr, frag := d.wire[:record.HeaderLen], d.wire[record.HeaderLen:record.HeaderLen+n]
		d.wire = d.wire[record.HeaderLen+n:]
		plain, err := d.open(hdr, frag)
		if err != nil {
			return err
		}
		switch record.ContentType(hdr[0]) {
		case record.TypeChangeCipherSpec:
			o.steps = append(o.steps, d.who+" ChangeCipherSpec")
			if err := o.newKeys(d); err != nil {
				return err
			}
		case record.TypeHandshake:
			d.hs = append(d.hs, plain...)
			if err := o.messages(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// open decrypts a record of an AES-GCM suite (RFC 5288, Section 3; RFC
// 5246, Section 6.2.3.3), or returns a plaintext one as it is.
func (d *direction) open(hdr, frag []byte) ([]byte, error) {
	if d.aead == nil {
		return frag, nil
	}
	if len(frag) < 8+d.aead.Overhead() {
		return nil, fmt.Errorf("%s record of %d bytes is too short for AES-GCM", d.who, len(frag))
	}
	nonce := append(append([]byte(nil), d.iv...), frag[:8]...)
	ad := binary.BigEndian.AppendUint64(nil, d.seq)
	ad = append(ad, hdr[0], hdr[1], hdr[2])
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(frag)-8-d.aead.Overhead()))
	d.seq++
	plain, err := d.aead.Open(nil, nonce, frag[8:], ad)
	if err != nil {
		return nil, fmt.Errorf("%s record %d does not decrypt: %v", d.who, d.seq-1, err)
	}
	return plain, nil
}

// messages names each whole handshake message and notes the randoms and
// suite of the hellos.
func (o *observer) messages(d *direction) error {
	for len(d.hs) >= 4 {
		n := int(d.hs[1])<<16 | int(d.hs[2])<<8 | int(d.hs[3])
		if len(d.hs) < 4+n {
			return nil
		}
		typ, body := handshake.MessageType(d.hs[0]), d.hs[4:4+n]
		d.hs = d.hs[4+n:]
		o.steps = append(o.steps, d.who+" "+typ.String())
		switch typ {
		case handshake.TypeClientHello, handshake.TypeServerHello:
			// version(2) random(32) session_id<0..32>, then for a
			// ServerHello the cipher suite.
			if len(body) < 35 || len(body) < 35+int(body[34])+2 {
				return fmt.Errorf("%v too short", typ)
			}
			random := append([]byte(nil), body[2:34]...)
			if typ == handshake.TypeClientHello {
				o.clientRandom = random
			} else {
				o.serverRandom = random
				o.suite = binary.BigEndian.Uint16(body[35+int(body[34]):])
			}
		}
	}
	return nil
}

// newKeys switches d to the current handshake's keys (RFC 5246, Section
// 6.3: the key block is client key, server key, client IV, server IV).
func (o *observer) newKeys(d *direction) error {
	suite, ok := gcmSuites[o.suite]
	keyLen := suite.keyLen
	if !ok {
		return fmt.Errorf("suite 0x%04x is not one the observer can decrypt", o.suite)
	}
	master, ok := o.masters[hex.EncodeToString(o.clientRandom)]
	if !ok {
		return fmt.Errorf("no keylog line for client random %x", o.clientRandom)
	}
	kb := prf12(suite.prf, master, "key expansion", append(append([]byte(nil), o.serverRandom...), o.clientRandom...), 2*keyLen+8)
	key, iv := kb[keyLen:2*keyLen], kb[2*keyLen+4:]
	if d.client {
		key, iv = kb[:keyLen], kb[2*keyLen:2*keyLen+4]
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	if d.aead, err = stdcipher.NewGCM(block); err != nil {
		return err
	}
	d.iv, d.seq = iv, 0
	return nil
}

// prf12 is the TLS 1.2 PRF (RFC 5246, Section 5).
func prf12(hash crypto.Hash, secret []byte, label string, seed []byte, n int) []byte {
	seed = append([]byte(label), seed...)
	mac := func(parts ...[]byte) []byte {
		h := hmac.New(hash.New, secret)
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	var out []byte
	for a := mac(seed); len(out) < n; a = mac(a) {
		out = append(out, mac(a, seed)...)
	}
	return out[:n]
}
