package main

import (
	"encoding/json"
	"io"

	"github.com/tlsengine/tlsengine/api"
)

// writeCertJSON writes p (and its issuers) as indented JSON in Node's
// shape (api.PeerCertificate.MarshalJSON).
func writeCertJSON(w io.Writer, p *api.PeerCertificate) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}
