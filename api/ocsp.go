package api

import (
	"slices"

	"github.com/tlsengine/tlsengine/engine"
)

// OnOCSPRequest registers a listener for Node's OCSPRequest event: a
// client asked for OCSP stapling. It gets the server's leaf certificate
// and its issuer (nil when the chain has no issuer), both DER, and
// returns the DER OCSP response to staple, nil for none, or an error,
// which aborts the handshake (Node: callback(err) destroys the socket).
// With several listeners the first response or error wins. It may block:
// each connection has its own goroutine. Only connections whose
// ClientHello arrives after the call are affected.
func (s *Server) OnOCSPRequest(f func(certificate, issuer []byte) ([]byte, error)) {
	s.mu.Lock()
	s.onOCSP = append(s.onOCSP, f)
	s.mu.Unlock()
}

// ocspResponse answers the engine's OCSP decision from the listeners.
func (s *Server) ocspResponse(d *engine.OCSPDecision) ([]byte, error) {
	s.mu.Lock()
	ls := slices.Clone(s.onOCSP)
	s.mu.Unlock()
	for _, f := range ls {
		resp, err := f(d.Certificate, d.Issuer)
		if err != nil || resp != nil {
			return resp, err
		}
	}
	return nil, nil
}

// OCSPResponse returns the OCSP response the server stapled, nil when it
// sent none or none was requested (ConnectOptions.RequestOCSP). On a
// server it is the response it sent.
func (s *TLSSocket) OCSPResponse() []byte {
	if st := s.ConnectionState(); st != nil {
		return st.OCSPResponse
	}
	return nil
}

// OnOCSPResponse registers a listener for Node's OCSPResponse event,
// which a client that set RequestOCSP gets once the handshake has
// completed, before secureConnect (nil when the server stapled nothing,
// as Node v20 reports null). Registered after the handshake, it runs at
// once.
func (s *TLSSocket) OnOCSPResponse(f func(response []byte)) {
	s.mu.Lock()
	if !s.requestOCSP {
		s.mu.Unlock()
		return
	}
	if s.state == nil {
		s.onOCSPResponse = append(s.onOCSPResponse, f)
		s.mu.Unlock()
		return
	}
	resp := s.state.OCSPResponse
	s.mu.Unlock()
	f(resp)
}
