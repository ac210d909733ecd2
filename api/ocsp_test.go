package api_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
)

// Node: "Event: 'OCSPRequest'" and "Event: 'OCSPResponse'": the server's
// listener staples a response the client reports before secureConnect;
// with no listener the client's event says null; a listener's error
// destroys the connection.
func TestServerEventOCSPRequestSocketEventOCSPResponse(t *testing.T) {
	pki := newNodePKI(t)
	connect := func(port int) (*api.TLSSocket, [][]byte, error) {
		var events [][]byte
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := api.ConnectContext(ctx, api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{pki.ca}},
			Port: port, RequestOCSP: true}, func(s *api.TLSSocket) {
			s.OnOCSPResponse(func(r []byte) { events = append(events, r) })
		})
		return s, events, err
	}

	srv, port := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	s, events, err := connect(port)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if len(events) != 1 || events[0] != nil || s.OCSPResponse() != nil {
		t.Fatalf("without a listener: events %q", events)
	}

	srv.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) {
		if len(cert) == 0 || len(issuer) == 0 {
			return nil, errors.New("no certificate or issuer")
		}
		return []byte("staple"), nil
	})
	s, events, err = connect(port)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if len(events) != 1 || !bytes.Equal(events[0], []byte("staple")) || !bytes.Equal(s.OCSPResponse(), []byte("staple")) {
		t.Fatalf("with a listener: events %q", events)
	}

	srv2, port2 := echoServer(t, api.ServerOptions{SecureContextOptions: pki.serverOptions()})
	clientErrors := make(chan error, 1)
	srv2.OnTLSClientError(func(err error, _ *api.TLSSocket) { clientErrors <- err })
	srv2.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) { return nil, errors.New("responder down") })
	if _, _, err := connect(port2); err == nil {
		t.Fatal("the handshake succeeded although OCSPRequest failed")
	}
	select {
	case err := <-clientErrors:
		if err == nil {
			t.Fatal("nil tlsClientError")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no tlsClientError")
	}
}
