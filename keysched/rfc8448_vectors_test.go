package keysched

// The RFC 8448 traces the tests replay, copied from their "name (N
// octets):" blocks (spaces kept where the block was copied as printed).
// Both use TLS_AES_128_GCM_SHA256.

import "crypto/ecdh"

// rfc8448Trace is one handshake of RFC 8448 up to the client Finished:
// its inputs and messages, and every value it prints. The transcript
// hashes are not inputs: the tests compute them from the messages.
type rfc8448Trace struct {
	curve                    ecdh.Curve
	clientPriv, serverPub    string
	clientHello1, retry      string // the first ClientHello and HelloRetryRequest, if any
	clientHello, serverHello string
	// serverFlight is the plaintext of the server's encrypted handshake
	// record (EncryptedExtensions, Certificate, CertificateVerify,
	// Finished); serverRecord is that record as sent.
	serverFlight, serverRecord string
	clientFinished             string

	shared, early, handshake, master                 string
	derivedForHandshake, derivedForMaster            string // printed in Section 3 only
	helloHash, finishedHash, clientFinishedHash      string
	clientHS, serverHS, clientAP, serverAP           string
	exporter, resumption                             string
	serverHSKey, serverHSIV, clientHSKey, clientHSIV string
	serverAPKey, serverAPIV, clientAPKey, clientAPIV string
	serverFinishedKey, clientFinishedKey             string
}

// rfc8448Simple is RFC 8448, Section 3: Simple 1-RTT Handshake (X25519).
var rfc8448Simple = rfc8448Trace{
	curve:      ecdh.X25519(),
	clientPriv: "49 af 42 ba 7f 79 94 85 2d 71 3e f2 78 4b cb ca a7 91 1d e2 6a dc 56 42 cb 63 45 40 e7 ea 50 05",
	serverPub:  "c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f",
	clientHello: `01 00 00 c0 03 03 cb 34 ec b1 e7 81 63
		ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83
		02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b
		00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00
		12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23
		00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2
		3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a
		af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03
		02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06
		02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01`,
	serverHello: `02 00 00 56 03 03 a6 af 06 a4 12 18 60
		dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e
		d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88
		76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1
		dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04`,
	serverFlight: `08 00 00 24 00 22 00 0a 00 14 00
		12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c
		00 02 40 01 00 00 00 00` + " " + `0b 00 01 b9 00 00 01 b5 00 01 b0 30 82
		01 ac 30 82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 09 2a 86 48
		86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a 06 03 55 04 03 13 03
		72 73 61 30 1e 17 0d 31 36 30 37 33 30 30 31 32 33 35 39 5a 17
		0d 32 36 30 37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a 06
		03 55 04 03 13 03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7
		0d 01 01 01 05 00 03 81 8d 00 30 81 89 02 81 81 00 b4 bb 49 8f
		82 79 30 3d 98 08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26
		d3 90 1a 24 61 ea fd 2d e4 9a 91 d0 15 ab bc 9a 95 13 7a ce 6c
		1a f1 9e aa 6a f9 8c 7c ed 43 12 09 98 e1 87 a8 0e e0 cc b0 52
		4b 1b 01 8c 3e 0b 63 26 4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74
		80 30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6 d1 d0 3e 2b d1 93
		ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a 8d 88 d7 9f 7f 1e 3f 02 03
		01 00 01 a3 1a 30 18 30 09 06 03 55 1d 13 04 02 30 00 30 0b 06
		03 55 1d 0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 f7 0d 01
		01 0b 05 00 03 81 81 00 85 aa d2 a0 e5 b9 27 6b 90 8c 65 f7 3a
		72 67 17 06 18 a5 4c 5f 8a 7b 33 7d 2d f7 a5 94 36 54 17 f2 ea
		e8 f8 a5 8c 8f 81 72 f9 31 9c f3 6b 7f d6 c5 5b 80 f2 1a 03 01
		51 56 72 60 96 fd 33 5e 5e 67 f2 db f1 02 70 2e 60 8c ca e6 be
		c1 fc 63 a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb 2b d5 20 3b
		1c 3b 84 e0 a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 f8
		96 12 29 ac 91 87 b4 2b 4d e1 00 00` + " " + `0f 00 00 84 08 04 00 80 5a 74 7c
		5d 88 fa 9b d2 e5 5a b0 85 a6 10 15 b7 21 1f 82 4c d4 84 14 5a
		b3 ff 52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3 3a 5c 14 1a 07
		86 53 fa 6b ef 78 0c 5e a2 48 ee aa a7 85 c4 f3 94 ca b6 d3 0b
		be 8d 48 59 ee 51 1f 60 29 57 b1 54 11 ac 02 76 71 45 9e 46 44
		5c 9e a5 8c 18 1e 81 8e 95 b8 c3 fb 0b f3 27 84 09 d3 be 15 2a
		3d a5 04 3e 06 3d da 65 cd f5 ae a2 0d 53 df ac d4 2f 74 f3` + " " + `14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb
		dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54 b7 8f 07
		18`,
	serverRecord: `17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23
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
		75 0e dc 53 37 0d 2b`,
	clientFinished: `14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a
		c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5 ce
		61`,

	shared:              "8b d4 05 4f b5 5b 9d 63 fd fb ac f9 f0 4b 9f 0d 35 e6 d6 3f 53 75 63 ef d4 62 72 90 0f 89 49 2d",
	early:               "33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c e2 10 ad f3 00 aa 1f 26 60 e1 b2 2e 10 f1 70 f9 2a",
	derivedForHandshake: "6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba b6 97 16 c0 76 18 9c 48 25 0c eb ea c3 57 6c 36 11 ba",
	handshake:           "1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b 01 04 6a a6 b9 9f 69 1e d2 21 a9 f0 ca 04 3f be ac",
	derivedForMaster:    "43 de 77 e0 c7 77 13 85 9a 94 4d b9 db 25 90 b5 31 90 a6 5b 3e e2 e4 f1 2d d7 a0 bb 7c e2 54 b4",
	master:              "18 df 06 84 3d 13 a0 8b f2 a4 49 84 4c 5f 8a 47 80 01 bc 4d 4c 62 79 84 d5 a4 1d a8 d0 40 29 19",
	helloHash:           "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8",
	finishedHash:        "96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13",
	clientFinishedHash:  "20 91 45 a9 6e e8 e2 a1 22 ff 81 00 47 cc 95 26 84 65 8d 60 49 e8 64 29 42 6d b8 7c 54 ad 14 3d",
	clientHS:            "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21",
	serverHS:            "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38",
	clientAP:            "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5",
	serverAP:            "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43",
	exporter:            "fe 22 f8 81 17 6e da 18 eb 8f 44 52 9e 67 92 c5 0c 9a 3f 89 45 2f 68 d8 ae 31 1b 43 09 d3 cf 50",
	resumption:          "7d f2 35 f2 03 1d 2a 05 12 87 d0 2b 02 41 b0 bf da f8 6c c8 56 23 1f 2d 5a ba 46 c4 34 ec 19 6c",
	serverHSKey:         "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc",
	serverHSIV:          "5d 31 3e b2 67 12 76 ee 13 00 0b 30",
	clientHSKey:         "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01",
	clientHSIV:          "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f",
	serverAPKey:         "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56",
	serverAPIV:          "cf 78 2b 88 dd 83 54 9a ad f1 e9 84",
	clientAPKey:         "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51",
	clientAPIV:          "5b 78 92 3d ee 08 57 90 33 e5 23 d9",
	serverFinishedKey:   "00 8d 3b 66 f8 16 ea 55 9f 96 b5 37 e8 85 c3 1f c0 68 bf 49 2c 65 2f 01 f2 88 a1 d8 cd c1 9f c8",
	clientFinishedKey:   "b8 0a d0 10 15 fb 2f 0b d6 5f f7 d4 da 5d 6b f8 3f 84 82 1d 1f 87 fd c7 d3 c7 5b 5a 7b 42 d9 c4",
}

// rfc8448Retry is RFC 8448, Section 5: HelloRetryRequest. The client
// offers X25519, the server asks for P-256.
var rfc8448Retry = rfc8448Trace{
	curve:      ecdh.P256(),
	clientPriv: "ab5473467e19346ceb0a0414e41da21d4d2445bc3025afe97c4e8dc8d513da39",
	serverPub: `04583e054b7a66672ae020ad9d2686fcc85b5ad41a134a0f03ee72b893052bd8
		5b4c8de6776f5b04ac07d83540eab3e3d9c547bc6528c4317d294686093a6cad7d`,
	clientHello1: `010000b00303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee92
		58a346677b6f000006130113031302010000810000000b000900000673657276
		6572ff01000100000a00080006001d00170018003300260024001d0020e8e8e3
		f3b93a25ed97a14a7dcacb8a272c6288e585c6484d05262fcad062ad1f002b00
		03020304000d0020001e04030503060302030804080508060401050106010201
		0402050206020202002d00020101001c00024001`,
	retry: `020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e
		09e2c8a8339c001301000084003300020017002c0074007271dcd04bb88bc318
		9119398a00000000eefafc76c146b823b096f8aacad365dd0030953f4edf6256
		36e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d
		6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0c
		af571fb2b7cff0f934b0002b00020304`,
	clientHello: `010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee92
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
	clientFinished: "14000020 23f52fdb0709a55bd7f79b991f25484087bcfd4d4380b12326a52a28b2e368e1",

	shared:             "c142ce13ca11b5c2233652e63ad3d97844f1621fbfb9de69d547dc8fedeabeb4",
	early:              "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a",
	handshake:          "ce022e5e6e81e50736d773f2d3adfce8220d049bf510f0dbfac927ef4243b148",
	master:             "1131545d0baf79ddce9b87f06945781a57dd18ef378dcd2060f8f9a569027ed8",
	helloHash:          "8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8",
	finishedHash:       "50f63cbf36b0dd049e7a0ba27d6455745ea2aaac54bb167f9950b2b7ce9509da",
	clientFinishedHash: "0e8b349158b855fdcd0c11dbbc4e83e43caa6e483c6c65df53151888e50165f4",
	clientHS:           "158aa7ab8855073582b41d674b4055cabcc534728f659314861b4e08e2011566",
	serverHS:           "3403e781e2af7b6508da28574f6e95a1abf162de83a97927c37672a4a0cef8a1",
	clientAP:           "75ecf4b972525aa0dcd057c9944d4cd5d82671d8843141d7dc2a4ff15a21dc51",
	serverAP:           "5c74f87df04225db0f8209c9de6429e49435fdefa7cad61864874d12f31cfc8d",
	exporter:           "7c06d3ae106a3a374ace4837b3985cac67780a6e2c5c04b58319d584df09d223",
	resumption:         "09170c6d472721566f9cf99b08699daff561ec8fb22d5a32c3f94ce009b69975",
	serverHSKey:        "4646bfac1712c426cd78d8a24a8a6f6b",
	serverHSIV:         "c7d395c08d62f297d13768ea",
	clientHSKey:        "2f1f918663d590e7421149a29d94b0b6",
	clientHSIV:         "414d5485235e1a688793bd74",
	serverAPKey:        "f27a5d97bd25550c4823b0f3e5d29388",
	serverAPIV:         "0dd631f7b71cbbc797c35fe7",
	clientAPKey:        "a7eb2a0525eb4331d58fcbf9f7ca2e9c",
	clientAPIV:         "86e8be227c1bd2b3e39cb444",
	serverFinishedKey:  "e7f8bb3ea4b6c30c4710b3d09c3313658117e70b097e850368e2510ca5631f74",
	clientFinishedKey:  "81be4131fbb9b6f4471450846f74fd1e68c5224ba7c2a8677f5c53ad226fdc13",
}
