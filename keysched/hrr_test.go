package keysched

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"testing"
)

// The handshake of RFC 8448, Section 5 (HelloRetryRequest): the client
// offers X25519, the server asks for P-256, the suite is
// TLS_AES_128_GCM_SHA256. Hex as in the trace's "name (N octets):" blocks,
// without the spaces.
var rfc8448Retry = struct {
	clientPriv, serverPub, clientHello1, helloRetry, clientHello2, serverHello string
	// serverFlight is the plaintext of the server's encrypted handshake
	// record: EncryptedExtensions, Certificate, CertificateVerify,
	// Finished; serverRecord is that record as sent (complete record).
	serverFlight, serverRecord string
}{
	// {client} create an ephemeral P-256 key pair: private key;
	// {server} create an ephemeral P-256 key pair: public key.
	clientPriv: "ab5473467e19346ceb0a0414e41da21d4d2445bc3025afe97c4e8dc8d513da39",
	serverPub: `04583e054b7a66672ae020ad9d2686fcc85b5ad41a134a0f03ee72b893052bd8
		5b4c8de6776f5b04ac07d83540eab3e3d9c547bc6528c4317d294686093a6cad7d`,
	clientHello1: `010000b00303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee92
		58a346677b6f000006130113031302010000810000000b000900000673657276
		6572ff01000100000a00080006001d00170018003300260024001d0020e8e8e3
		f3b93a25ed97a14a7dcacb8a272c6288e585c6484d05262fcad062ad1f002b00
		03020304000d0020001e04030503060302030804080508060401050106010201
		0402050206020202002d00020101001c00024001`,
	helloRetry: `020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e
		09e2c8a8339c001301000084003300020017002c0074007271dcd04bb88bc318
		9119398a00000000eefafc76c146b823b096f8aacad365dd0030953f4edf6256
		36e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d
		6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0c
		af571fb2b7cff0f934b0002b00020304`,
	clientHello2: `010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee92
		58a346677b6f000006130113031302010001cd0000000b000900000673657276
		6572ff01000100000a00080006001d001700180033004700450017004104a6da
		7392ec591e17abfd535964b99894d13befb221b3def2ebe3830eac8f01518126
		77c4d6d2237e85cf01d6910cfb83954e76ba7352830534159897e8065780002b
		0003020304000d0020001e040305030603020308040805080604010501060102
		010402050206020202002c0074007271dcd04bb88bc3189119398a00000000ee
		fafc76c146b823b096f8aacad365dd0030953f4edf625636e5f21bb2e23fcc65
		4b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b
		0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934
		b0002d00020101001c00024001001500af000000000000000000000000000000
		0000000000000000000000000000000000000000000000000000000000000000
		0000000000000000000000000000000000000000000000000000000000000000
		0000000000000000000000000000000000000000000000000000000000000000
		0000000000000000000000000000000000000000000000000000000000000000
		0000000000000000000000000000000000000000000000000000000000000000`,
	serverHello: `020000770303bb341d847fd789c47c387172dc0c9bf147fccacb5043d86ca4c5
		98d3ff571b9800130100004f003300450017004104583e054b7a66672ae020ad
		9d2686fcc85b5ad41a134a0f03ee72b893052bd85b4c8de6776f5b04ac07d835
		40eab3e3d9c547bc6528c4317d294686093a6cad7d002b00020304`,
	serverFlight: `080000180016000a0008000600170018001d001c00024001000000000b0001b9
		000001b50001b0308201ac30820115a003020102020102300d06092a864886f7
		0d01010b0500300e310c300a06035504031303727361301e170d313630373330
		3031323335395a170d3236303733303031323335395a300e310c300a06035504
		03130372736130819f300d06092a864886f70d010101050003818d0030818902
		818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a24
		61eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187
		a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0
		461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f
		7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404
		030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b90
		8c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172
		f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608c
		cae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759
		409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de100000f000084080400
		8033ab13d4462707231b5dcae6c8190b63d1dabc74f28c395370da0b07e5b830
		66d0246a31acd95df475bfd799a4a70d33ad93d3a317a9b2c0d237a5685b219e
		774112e391a247607d1aeff1bbd0a39f382ee1a5fe88ae99ec59228e6497e45d
		48ce275a6d5ef40d169fb6f9d33b052ed3dcdd6b5a48baafffbcb290128415bd
		38140000208863e6bfb0420a927fa27f34336a70ae426e968e3eb884945b9685
		6dba3976d1`,
	serverRecord: `170303029699bee20baf5b7fc727bfab6223928a381e6d0cf9c4da653f9d2a7b
		23f7de11cce842d5cf75631763450ffb8b0cc1d238e658af7a12adc86243114a
		b14a1da2fae42621ce483fb6242eabfaad52566b02b31d2eddedefeb80e66a99
		00d5f973b40c4fdf74719ecf1b68d7f9c3b6ceb903ca13dd1bb8f8187ae33417
		e1d152522c5822a1a03ad52c838c55953d610222874cce8e1790b229a2aa0b53
		c8d377ee720182951dc6181dc5d90bd1f0105ed1e84aa5f75957c6661897079e
		5ea5007449e3197bdc7c9beeedddeafdd844afa5c315ecfe65e576afe9098128
		80620ec7048b42d7f5c78d76f299d6d82534bdd8f512febc0ed3814aca470cd8
		000d3e1cb9962b052fbb950df683a52c2ba77ed3713b122937a6e5170964e2ab
		7969dcd980b3db9b458da7603124d6dc005e4d6e04b4d0c4baf3275db827dbba
		0a6db09672171fc057b3851d7e026841e2978fbd2346bbefdd0376bb1108fe9a
		cc92189f5650aa5e85d8e8c7b67ac510dba003d3d7e16350bb66d45013efd44c
		9b607c0d318c4c7d1a1f5cbc57e20611804e3787d7b4a4b5f08ed8fd70bdaead
		e02260b12ab842ef690b4a3ee7911e841b374ecd5ebbbc2a54d047b600336dd7
		d0c88b4bc10e58ee6cb656de7247fa20d8e91deb84628608cf80615b62e96c14
		91c7ac3755eb6901405d3474fe1ac79d106a0cee56c2577fc88480f96cb6b8c6
		81b7b68b53c146093908f350888175bdfb0b1e31ad61e30ba0adfe6d223aa03c
		0783b5001a57587c328a9afcfcfb978d1cd4328f7d9d60530e630befd96c0c81
		6ee20b0100768ae2a6df51fc68f172740a79af11398ee3be1252491fa9c69347
		9e877f94ab7c5f8cad480203e6ab7b87dd71e8a0729113df17f5eee86ce108d1
		d72007ec1cd13c85a6c149621e77b7d78d805a30f0be030c315e54`,
}

// TestRFC8448HelloRetryTranscript replays RFC 8448, Section 5: after the
// HelloRetryRequest the transcript starts with message_hash in place of
// the first ClientHello (RFC 8446, Section 4.4.1), and every secret, key
// and hash the trace prints from there on depends on that substitution.
// The derived server handshake keys must also open the trace's encrypted
// server flight, whose Finished must check.
func TestRFC8448HelloRetryTranscript(t *testing.T) {
	v := rfc8448Retry
	const keyLen, ivLen = 16, 12

	// {server} extract secret "handshake": IKM, the P-256 shared secret.
	shared := agree(t, ecdh.P256(), v.clientPriv, v.serverPub)
	want(t, "P-256 shared secret", shared,
		"c142ce13ca11b5c2233652e63ad3d97844f1621fbfb9de69d547dc8fedeabeb4")

	tr := NewTranscript()
	tr.Add(unhex(v.clientHello1))
	if err := tr.SetHash(crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	if err := tr.ReplaceClientHello1(); err != nil {
		t.Fatal(err)
	}
	tr.Add(unhex(v.helloRetry))
	tr.Add(unhex(v.clientHello2))
	tr.Add(unhex(v.serverHello))
	helloHash := tr.Sum()
	// {server} derive secret "tls13 c hs traffic": hash.
	want(t, "transcript hash message_hash..ServerHello", helloHash.Bytes(),
		"8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8")

	early := NewEarlySecret(crypto.SHA256, nil)
	want(t, "early secret", early.key, "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a")
	hs := early.Handshake(shared)
	want(t, "handshake secret", hs.key, "ce022e5e6e81e50736d773f2d3adfce8220d049bf510f0dbfac927ef4243b148")
	clientHS := hs.ClientTrafficSecret(helloHash)
	want(t, "client handshake traffic secret", clientHS.key,
		"158aa7ab8855073582b41d674b4055cabcc534728f659314861b4e08e2011566")
	serverHS := hs.ServerTrafficSecret(helloHash)
	want(t, "server handshake traffic secret", serverHS.key,
		"3403e781e2af7b6508da28574f6e95a1abf162de83a97927c37672a4a0cef8a1")
	ms := hs.Master()
	want(t, "master secret", ms.key, "1131545d0baf79ddce9b87f06945781a57dd18ef378dcd2060f8f9a569027ed8")

	// {server} derive write traffic keys for handshake data.
	key, iv := serverHS.Keys(keyLen, ivLen)
	want(t, "server handshake key", key, "4646bfac1712c426cd78d8a24a8a6f6b")
	want(t, "server handshake iv", iv, "c7d395c08d62f297d13768ea")
	flight := openFirstRecord(t, key, iv, unhex(v.serverRecord))
	if !bytes.Equal(flight, unhex(v.serverFlight)) {
		t.Fatal("the server handshake keys open the record to other bytes than the trace's flight")
	}

	// The flight's messages, the last being the server Finished.
	msgs := splitHandshake(t, flight)
	if len(msgs) != 4 {
		t.Fatalf("server flight has %d messages, want EE, Certificate, CertificateVerify, Finished", len(msgs))
	}
	for _, m := range msgs[:3] {
		tr.Add(m)
	}
	finished := msgs[3]
	if !serverHS.CheckFinished(tr.Sum(), finished[4:]) {
		t.Error("the trace's server Finished does not check over the message_hash transcript")
	}
	tr.Add(finished)
	finishedHash := tr.Sum()
	// {server} derive secret "tls13 c ap traffic": hash.
	want(t, "transcript hash message_hash..server Finished", finishedHash.Bytes(),
		"50f63cbf36b0dd049e7a0ba27d6455745ea2aaac54bb167f9950b2b7ce9509da")
	want(t, "client application traffic secret", ms.ClientTrafficSecret(finishedHash).key,
		"75ecf4b972525aa0dcd057c9944d4cd5d82671d8843141d7dc2a4ff15a21dc51")
	want(t, "server application traffic secret", ms.ServerTrafficSecret(finishedHash).key,
		"5c74f87df04225db0f8209c9de6429e49435fdefa7cad61864874d12f31cfc8d")
	want(t, "exporter master secret", ms.ExporterMasterSecret(finishedHash).key,
		"7c06d3ae106a3a374ace4837b3985cac67780a6e2c5c04b58319d584df09d223")
}

// TestRFC8448SimpleServerRecord opens the encrypted server flight of RFC
// 8448, Section 3 (complete record, 679 octets) with the server handshake
// keys derived from the trace, so that the keys are checked against the
// ciphertext as well as against the printed values.
func TestRFC8448SimpleServerRecord(t *testing.T) {
	v := rfc8448Simple
	tr := NewTranscript()
	tr.Add(unhex(v.clientHello))
	if err := tr.SetHash(crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	tr.Add(unhex(v.serverHello))
	hs := NewEarlySecret(crypto.SHA256, nil).Handshake(unhex(v.shared))
	key, iv := hs.ServerTrafficSecret(tr.Sum()).Keys(16, 12)
	record := unhex(`17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23
		3f 50 0f 45 e4 89 e7 f3 3a f3 5e df 78 69 fc f4 0a a4 0a a2 b8
		ea 73 f8 48 a7 ca 07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea
		78 b1 11 b4 29 ba 91 91 cd 05 d2 a3 89 28 0f 52 61 34 aa dc 7f
		c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b d9 ae fb 0e 57 f2 71 58 5b
		8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e f3 ab 20 e3 7d 57
		a6 b9 d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c 7d 0e 50
		92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e d6 5b 0e 3c dd 0c ba e8
		bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53 ba a4 fc
		d6 10 92 8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79
		7e 36 a6 a7 3b 70 a2 55 9c 09 ea d6 86 94 5b a2 46 ab 66 e5 ed
		d8 04 4b 4c 6d e3 fc f2 a8 94 41 ac 66 27 2f d8 fb 33 0e f8 19
		05 79 b3 68 45 96 c9 60 bd 59 6e ea 52 0a 56 a8 d6 50 f5 63 aa
		d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f 44 15 cf 95 38 d5
		1a 20 0c 27 03 42 72 96 8a 26 4e d6 54 0c 84 83 8d 89 f7 2c 24
		46 1a ad 6d 26 f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3
		6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 7b 49 ee da 0c
		62 58 f1 00 d7 d9 61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31
		c7 a8 4d c3 bd 7e 1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f
		24 3d 24 3d c7 33 9d 56 84 c8 b0 37 8b f3 02 44 da 8c 87 c8 43
		f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c f9 3b 16 49 9a 66 db 7c ca
		71 e4 59 94 26 f7 d4 61 e6 6f 99 88 2b d8 9f c5 08 00 be cc a6
		2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be 5a 37 66
		89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 a3 96 fa 48 a1 81 d6 b6
		fa 4f 9d 62 d5 13 af bb 99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f
		a3 88 cb 56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 77 b7
		c7 a6 99 9b bf 10 dc 35 ae 69 f5 51 56 14 63 6c 0b 9b 68 c1 9e
		d2 e3 1c 0b 3b 66 76 30 38 eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2
		3f aa 63 97 8c 31 7f c9 fa 66 a7 3f 60 f0 50 4d e9 3b 5b 84 5e
		27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78 40 16 e4 b3 be 7e
		f0 4d da 49 f4 b4 40 a3 0c b5 d2 af 93 98 28 fd 4a e3 79 4e 44
		f9 4d f5 a6 31 ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e
		75 0e dc 53 37 0d 2b`)
	flight := openFirstRecord(t, key, iv, record)
	var wantFlight []byte
	for _, m := range []string{v.encryptedExtensions, v.certificate, v.certVerify, v.serverFinished} {
		wantFlight = append(wantFlight, unhex(m)...)
	}
	if !bytes.Equal(flight, wantFlight) {
		t.Fatalf("the server handshake keys open the record to other bytes than the trace's flight")
	}
}

// openFirstRecord decrypts a TLS 1.3 AES-GCM record with sequence number 0
// (nonce = iv, additional data = the 5-byte header, RFC 8446, Section 5.2)
// and returns its content without the inner type, which must be handshake.
func openFirstRecord(t *testing.T, key, iv, record []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := aead.Open(nil, iv, record[5:], record[:5])
	if err != nil {
		t.Fatalf("record does not open with the derived keys: %v", err)
	}
	if len(inner) == 0 || inner[len(inner)-1] != 22 {
		t.Fatalf("inner content type is not handshake")
	}
	return inner[:len(inner)-1]
}

// splitHandshake cuts a run of handshake messages at their 4-byte headers.
func splitHandshake(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var msgs [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatal("truncated handshake header")
		}
		n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
		if n > len(b) {
			t.Fatal("truncated handshake message")
		}
		msgs = append(msgs, b[:n])
		b = b[n:]
	}
	return msgs
}
