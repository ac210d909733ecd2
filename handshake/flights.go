package handshake

import "strings"

// Flights lists every TLS 1.2 message sequence this implementation
// produces, by handshake shape, in the order messages cross the wire
// (RFC 5246, Section 7.3; RFC 5077, Section 3; RFC 6066, Section 8;
// RFC 5746). It is an oracle and a diagram source, not the driver:
// flights_test.go runs an in-memory pair for each row, decrypts both
// directions and checks that the observed sequence, ChangeCipherSpec
// included, equals the row; internal/tlstest's TestOpenSSLTranscripts
// checks each recorded OpenSSL exchange against its row (or Unproduced
// shape) the same way. FlightRow.Diagram draws a row.
//
// The rows are the product of the dimensions a TLS 1.2 handshake's shape
// depends on, built by the functions below that read like RFC 5246's
// Figure 1 and Figure 2:
//
//   - full, or resumed by session id or by ticket;
//   - on a full handshake: key exchange ECDHE, DHE or RSA; an OCSP
//     response stapled or not; a ticket issued or not; client
//     authentication not requested, answered with a chain, or answered
//     with an empty Certificate (a resumed handshake has none of these);
//   - on a resumption by ticket: the ticket renewed or not;
//   - then no renegotiation, or one started by the client or by the
//     server (HelloRequest), or, where the first handshake asked for no
//     client certificate, one the server starts to ask for it.
//
// A renegotiation is always a full handshake (clientRenegotiate offers no
// session) with the connection's configuration, so it repeats the row's
// full shape; after a resumption it is a full ECDHE handshake that gets a
// ticket when the server issues them (the rows resumed by ticket). The
// server that renegotiates to ask for a client certificate (Node's
// renegotiate({requestCert: true}), per-directory client authentication
// in web servers) passes a Config with ClientAuth set, and the
// renegotiation is the same full shape with ClientAuth "cert". Legal
// sequences outside the table are in Unproduced, with the reason.
var Flights = buildFlights()

// Unproduced lists the legal TLS 1.2 shapes outside Flights, each with
// the reason.
var Unproduced = []string{
	"resumed by session id with a NewSessionTicket, Shape{Resumed: \"id\", Ticket: true} (RFC 5077, Section 3.4 allows it; OpenSSL sends it when the client offers the extension): our server issues tickets only on full handshakes and renews them only on ticket resumptions; our client accepts it (transcript s_server-resumed-id-new-ticket)",
	"a renegotiation whose shape differs from the first handshake's in another way than Renegotiation \"server-auth\" (another key exchange, say): two rows' handshakes chained, as Machine.Renegotiate takes a new Config",
	"a HelloRequest the client declines (a no_renegotiation warning alert, no handshake message)",
	"NPN (NextProtocol before Finished): not implemented",
}

// Shape names the features that change a handshake's message sequence.
// The string fields hold the values listed; "" is the first.
type Shape struct {
	Resumed       string // "" (a full handshake), "id" or "ticket": how the client resumes
	KX            string // "ECDHE", "DHE" or "RSA" on a full handshake; "" when resumed
	OCSP          bool   // the server staples an OCSP response (CertificateStatus)
	Ticket        bool   // the server sends NewSessionTicket: a new ticket, or the resumed one renewed
	ClientAuth    string // "" (not requested), "cert" or "empty": the client's answer to CertificateRequest
	Renegotiation string // "", "client", "server" or "server-auth" (to ask for a client certificate): who starts a renegotiation after the handshake
}

// String names the shape compactly, as "full ECDHE ocsp ticket
// auth=cert reneg=client" or "resumed-ticket ticket".
func (s Shape) String() string {
	parts := []string{"full"}
	if s.Resumed != "" {
		parts[0] = "resumed-" + s.Resumed
	}
	if s.KX != "" {
		parts = append(parts, s.KX)
	}
	if s.OCSP {
		parts = append(parts, "ocsp")
	}
	if s.Ticket {
		parts = append(parts, "ticket")
	}
	if s.ClientAuth != "" {
		parts = append(parts, "auth="+s.ClientAuth)
	}
	if s.Renegotiation != "" {
		parts = append(parts, "reneg="+s.Renegotiation)
	}
	return strings.Join(parts, " ")
}

// FlightRow is one legal sequence: each step is "C" or "S" (the sender)
// and a message name.
type FlightRow struct {
	Shape Shape
	Steps []string
}

// Dimension values, in the order the rows enumerate them.
var (
	flightKX            = []string{"ECDHE", "DHE", "RSA"}
	flightClientAuth    = []string{"", "cert", "empty"}
	flightRenegotiation = []string{"", "client", "server", "server-auth"}
)

// buildFlights enumerates the rows: every full shape, then every resumed
// one, each without and with a renegotiation.
func buildFlights() []FlightRow {
	var shapes []Shape
	for _, kx := range flightKX {
		for _, ocsp := range []bool{false, true} {
			for _, ticket := range []bool{false, true} {
				for _, auth := range flightClientAuth {
					shapes = append(shapes, Shape{KX: kx, OCSP: ocsp, Ticket: ticket, ClientAuth: auth})
				}
			}
		}
	}
	shapes = append(shapes,
		Shape{Resumed: "id"},
		Shape{Resumed: "ticket"},
		Shape{Resumed: "ticket", Ticket: true},
	)
	var rows []FlightRow
	for _, s := range shapes {
		for _, reneg := range flightRenegotiation {
			if reneg == "server-auth" && s.ClientAuth != "" {
				continue // already authenticated
			}
			s.Renegotiation = reneg
			rows = append(rows, FlightRow{Shape: s, Steps: s.Steps()})
		}
	}
	return rows
}

// Steps is the whole sequence of a shape, as in FlightRow: its handshake,
// then the renegotiation's. It also draws the shapes of Unproduced, for
// checking peers that send them.
func (s Shape) Steps() []string {
	var steps []string
	if s.Resumed == "" {
		steps = fullHandshake(s)
	} else {
		steps = resumedHandshake(s)
	}
	if s.Renegotiation == "" {
		return steps
	}
	if s.Renegotiation != "client" {
		// RFC 5246, Section 7.4.1.1: the server asks; the client answers
		// with a ClientHello. HelloRequest is outside the transcript.
		steps = append(steps, "S HelloRequest")
	}
	again := s
	if s.Resumed != "" {
		again = Shape{KX: "ECDHE", Ticket: s.Resumed == "ticket"}
	}
	if s.Renegotiation == "server-auth" {
		again.ClientAuth = "cert"
	}
	return append(steps, fullHandshake(again)...)
}

// fullHandshake is RFC 5246, Section 7.3, Figure 1, with RFC 6066's
// CertificateStatus and RFC 5077's NewSessionTicket:
//
//	ClientHello        -------->
//	                                 ServerHello
//	                                 Certificate
//	                                 CertificateStatus*
//	                                 ServerKeyExchange*
//	                                 CertificateRequest*
//	                   <--------     ServerHelloDone
//	Certificate*
//	ClientKeyExchange
//	CertificateVerify*
//	[ChangeCipherSpec]
//	Finished           -------->
//	                                 NewSessionTicket*
//	                                 [ChangeCipherSpec]
//	                   <--------     Finished
func fullHandshake(s Shape) []string {
	steps := []string{"C ClientHello", "S ServerHello", "S Certificate"}
	steps = appendIf(steps, s.OCSP, "S CertificateStatus")
	// RFC 5246, Section 7.4.3: RSA key transport has no ServerKeyExchange.
	steps = appendIf(steps, s.KX != "RSA", "S ServerKeyExchange")
	steps = appendIf(steps, s.ClientAuth != "", "S CertificateRequest")
	steps = append(steps, "S ServerHelloDone")
	// RFC 5246, Section 7.4.6: a client asked for a certificate always
	// answers, with an empty list when it has none; Section 7.4.8: only
	// a certificate that can sign is followed by CertificateVerify.
	steps = appendIf(steps, s.ClientAuth != "", "C Certificate")
	steps = append(steps, "C ClientKeyExchange")
	steps = appendIf(steps, s.ClientAuth == "cert", "C CertificateVerify")
	steps = append(steps, "C ChangeCipherSpec", "C Finished")
	steps = appendIf(steps, s.Ticket, "S NewSessionTicket")
	return append(steps, "S ChangeCipherSpec", "S Finished")
}

// resumedHandshake is RFC 5246, Section 7.3, Figure 2, with RFC 5077,
// Section 3.1's NewSessionTicket when the server renews the ticket:
//
//	ClientHello        -------->
//	                                 ServerHello
//	                                 NewSessionTicket*
//	                                 [ChangeCipherSpec]
//	                   <--------     Finished
//	[ChangeCipherSpec]
//	Finished           -------->
func resumedHandshake(s Shape) []string {
	steps := []string{"C ClientHello", "S ServerHello"}
	steps = appendIf(steps, s.Ticket, "S NewSessionTicket")
	return append(steps, "S ChangeCipherSpec", "S Finished", "C ChangeCipherSpec", "C Finished")
}

func appendIf(steps []string, cond bool, step string) []string {
	if cond {
		return append(steps, step)
	}
	return steps
}

// Diagram draws the row as RFC 5246 does: the client's messages on the
// left, the server's on the right, an arrow closing each flight.
func (r FlightRow) Diagram() string {
	const width = 24
	var b strings.Builder
	b.WriteString(pad("Client", width) + "          Server\n")
	for i, step := range r.Steps {
		who, name, _ := strings.Cut(step, " ")
		last := i == len(r.Steps)-1 || !strings.HasPrefix(r.Steps[i+1], who+" ")
		var line string
		switch {
		case who == "C" && last:
			line = pad(name, width) + "-------->"
		case who == "C":
			line = name
		case last:
			line = pad("", width) + "<-------- " + name
		default:
			line = pad("", width) + "          " + name
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s + " "
	}
	return s + strings.Repeat(" ", n-len(s))
}
