package engine_test

import (
	"fmt"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
)

// A server asks which configuration to use for the client's server name
// (Node's SNICallback) and answers with the decision's own Answer method:
// an answer of another kind, say a session for this decision, does not
// compile. Here an ECDSA server switches to its RSA certificate for
// "localhost"; a nil *Config would keep the ECDSA one.
func Example_serverContext() {
	ecdsa, rsa := tlstest.NewPKI(certgen.ECDSAP256), tlstest.NewPKI(certgen.RSA2048)
	byName := map[string]*engine.Config{"localhost": rsa.ServerConfig(3)}
	cfg := ecdsa.ServerConfig(1)
	cfg.AskServerContext = true
	server := engine.NewServer(cfg)
	client := engine.NewClient(rsa.ClientConfig(2), engine.ClientOptions{ServerName: "localhost"})

	// Move records between the two until neither has anything to say.
	for moved := true; moved; {
		moved = false
		for _, c := range [][2]*engine.Conn{{client, server}, {server, client}} {
			from, to := c[0], c[1]
			for e := from.NextEvent(); e.Kind != engine.EventNone; e = from.NextEvent() {
				switch e.Kind {
				case engine.EventSend:
					to.Feed(e.Data)
					moved = true
				case engine.EventDecision:
					switch d := e.Decision.(type) {
					case *engine.ServerContextDecision:
						fmt.Printf("server name %q\n", d.ServerName)
						from.Resolve(d.Answer(byName[d.ServerName]))
					default:
						from.Resolve(d.Decline())
					}
				case engine.EventHandshakeDone:
					if from == client {
						fmt.Printf("client negotiated %v %s, server key %T\n", record.Version(e.State.Version), e.State.Suite.Name, e.State.PeerCertificates[0].PublicKey)
					}
				case engine.EventError:
					fmt.Println("error:", e.Err)
				}
			}
		}
	}
	// Output:
	// server name "localhost"
	// client negotiated TLSv1.3 TLS_AES_256_GCM_SHA384, server key *rsa.PublicKey
}
