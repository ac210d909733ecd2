package keysched_test

import (
	"crypto"

	"github.com/tlsengine/tlsengine/keysched"
)

// Example shows the order in which a TLS 1.3 server without PSK moves
// through the schedule (RFC 8446, Section 7.1). The handshake layer
// supplies the messages, as received or sent with their 4-byte headers,
// and the key-share secret; the record layer takes the keys.
func Example() {
	var (
		clientHello, serverHello                     []byte // wire messages
		encryptedExtensions, certificate, certVerify []byte
		clientFinishedVerifyData                     []byte // from the peer
		shared                                       []byte // (EC)DHE or KEM secret
		suiteHash, keyLen, ivLen                     = crypto.SHA256, 16, 12
		installRead, installWrite                    = func(key, iv []byte) {}, func(key, iv []byte) {}
		send                                         = func(msg []byte) {}
		finishedMessage                              = func(verifyData []byte) []byte { return append([]byte{20, 0, 0, byte(len(verifyData))}, verifyData...) }
		ticketNonce                                  = []byte{0}
	)

	tr := keysched.NewTranscript()
	tr.Add(clientHello)
	tr.SetHash(suiteHash) // the suite is chosen
	tr.Add(serverHello)

	hs := keysched.NewEarlySecret(suiteHash, nil).Handshake(shared)
	clientHS, serverHS := hs.ClientTrafficSecret(tr.Sum()), hs.ServerTrafficSecret(tr.Sum())
	ms := hs.Master() // the handshake secret is used up
	installWrite(serverHS.Keys(keyLen, ivLen))
	installRead(clientHS.Keys(keyLen, ivLen))

	tr.Add(encryptedExtensions)
	tr.Add(certificate)
	tr.Add(certVerify)
	serverFinished := finishedMessage(serverHS.VerifyData(tr.Sum()))
	send(serverFinished)
	tr.Add(serverFinished)

	clientAP, serverAP := ms.ClientTrafficSecret(tr.Sum()), ms.ServerTrafficSecret(tr.Sum())
	exporter := ms.ExporterMasterSecret(tr.Sum())
	installWrite(serverAP.Keys(keyLen, ivLen))

	if !clientHS.CheckFinished(tr.Sum(), clientFinishedVerifyData) {
		return // decrypt_error
	}
	tr.Add(finishedMessage(clientFinishedVerifyData))
	installRead(clientAP.Keys(keyLen, ivLen))
	psk, _ := ms.ResumptionMasterSecret(tr.Sum()).TicketPSK(ticketNonce) // into the session ticket
	_, _ = exporter.Export("EXPORTER-example", nil, 32)

	// A KeyUpdate from the client moves its secret on (Section 7.2).
	clientAP = clientAP.Next()
	installRead(clientAP.Keys(keyLen, ivLen))
	_ = psk
}
