package handshake

// Flights lists every TLS 1.2 message sequence this implementation can
// produce, by handshake shape, in the order messages cross the wire. It is
// an oracle and a diagram source: flights_test.go runs an in-memory pair for
// each row and checks that the observed sequence equals it. Rows are added
// as features land (RSA and DHE key exchange, resumption, tickets, OCSP,
// NPN, renegotiation).
var Flights = []FlightRow{
	{
		Shape: Shape{KX: "ECDHE"},
		Steps: []string{
			"C ClientHello",
			"S ServerHello", "S Certificate", "S ServerKeyExchange", "S ServerHelloDone",
			"C ClientKeyExchange", "C ChangeCipherSpec", "C Finished",
			"S ChangeCipherSpec", "S Finished",
		},
	},
	{
		Shape: Shape{KX: "ECDHE", ClientAuth: true},
		Steps: []string{
			"C ClientHello",
			"S ServerHello", "S Certificate", "S ServerKeyExchange", "S CertificateRequest", "S ServerHelloDone",
			"C Certificate", "C ClientKeyExchange", "C CertificateVerify", "C ChangeCipherSpec", "C Finished",
			"S ChangeCipherSpec", "S Finished",
		},
	},
	{
		Shape: Shape{KX: "ECDHE", ClientAuth: true, NoClientCert: true},
		Steps: []string{
			"C ClientHello",
			"S ServerHello", "S Certificate", "S ServerKeyExchange", "S CertificateRequest", "S ServerHelloDone",
			"C Certificate", "C ClientKeyExchange", "C ChangeCipherSpec", "C Finished",
			"S ChangeCipherSpec", "S Finished",
		},
	},
}

// Shape names the features that change a handshake's message sequence.
type Shape struct {
	KX           string // "ECDHE", later "DHE", "RSA"
	ClientAuth   bool   // the server sends CertificateRequest
	NoClientCert bool   // the client answers with an empty Certificate
}

// FlightRow is one legal sequence: each step is "C" or "S" (the sender)
// and a message name.
type FlightRow struct {
	Shape Shape
	Steps []string
}
