package handshake_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
)

// observed turns one side's flights into "C Name" steps. Plaintext records
// are decoded; after its ChangeCipherSpec a side's only handshake record
// is its Finished.
func observed(flights [][]byte, who string) [][]string {
	var out [][]string
	encrypted := false
	for _, f := range flights {
		var steps []string
		for _, r := range tlstest.Records(f) {
			body := f[r.Offset+record.HeaderLen : r.Offset+record.HeaderLen+r.Length]
			switch r.Type {
			case record.TypeChangeCipherSpec:
				steps = append(steps, who+" ChangeCipherSpec")
				encrypted = true
			case record.TypeHandshake:
				if encrypted {
					steps = append(steps, who+" Finished")
					continue
				}
				for len(body) >= 4 {
					n := int(body[1])<<16 | int(body[2])<<8 | int(body[3])
					steps = append(steps, fmt.Sprintf("%s %v", who, handshake.MessageType(body[0])))
					body = body[4+n:]
				}
			}
		}
		out = append(out, steps)
	}
	return out
}

func TestFlights(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	for _, row := range handshake.Flights {
		t.Run(fmt.Sprintf("%+v", row.Shape), func(t *testing.T) {
			cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
			if row.Shape.ClientAuth {
				sc.ClientAuth = handshake.RequestClientCert
				if !row.Shape.NoClientCert {
					cc.Certificates = []*handshake.Credential{pki.Cert}
				}
			}
			p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			// Flights alternate: client, server, client, server.
			c, s := observed(p.Client.Flights, "C"), observed(p.Server.Flights, "S")
			var got []string
			for i := 0; i < max(len(c), len(s)); i++ {
				if i < len(c) {
					got = append(got, c[i]...)
				}
				if i < len(s) {
					got = append(got, s[i]...)
				}
			}
			if !reflect.DeepEqual(got, row.Steps) {
				t.Fatalf("observed\n%v\nwant\n%v", got, row.Steps)
			}
		})
	}
}
