package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// HTTPTransport is an http.RoundTripper whose https connections are
// Connect's: it offers h2 and http/1.1 by ALPN and speaks HTTP/2 to a
// server that chose h2, HTTP/1.1 to one that did not (or chose
// http/1.1). Use it as an http.Client's Transport:
//
//	client := &http.Client{Transport: tls.NewHTTPTransport(tls.ConnectOptions{
//		SecureContextOptions: tls.SecureContextOptions{CA: [][]byte{caPEM}},
//	})}
//
// The first request to a host dials to learn its choice; later ones go
// straight to the transport that speaks it, which keeps connections
// alive (HTTP/2 multiplexes one per host), and a new connection resumes
// the host's latest TLS session. Plain http:// requests go to HTTP1
// unchanged. Proxies are not supported.
type HTTPTransport struct {
	// HTTP1 and HTTP2 carry the requests; their timeouts and pool limits
	// may be tuned before the first request. Their DialTLSContext (and
	// HTTP2's Protocols) are what makes them ours: leave them.
	HTTP1, HTTP2 *http.Transport

	opts ConnectOptions

	mu     sync.Mutex
	probes map[string]*alpnProbe     // host:port -> the host's choice
	spare  map[spareKey][]*TLSSocket // dialed, unused
	// sessions hold each host's latest session, which the next
	// connection to it resumes.
	sessions map[string][]byte
}

// spareKey says which transport a spare connection is for.
type spareKey struct {
	addr string
	h2   bool
}

// alpnProbe is the first dial to a host: its ALPN choice, once done is
// closed.
type alpnProbe struct {
	done  chan struct{}
	proto string
	err   error
}

// NewHTTPTransport builds an HTTPTransport whose connections use opts:
// Host and Port come from each request's URL; Servername defaults to the
// URL's host (unless it is an address) and ALPNProtocols to
// HTTPProtocols.
func NewHTTPTransport(opts ConnectOptions) *HTTPTransport {
	if opts.ALPNProtocols == nil {
		opts.ALPNProtocols = HTTPProtocols()
	}
	t := &HTTPTransport{opts: opts, probes: map[string]*alpnProbe{}, spare: map[spareKey][]*TLSSocket{},
		sessions: map[string][]byte{}}
	var p1, p2 http.Protocols
	p1.SetHTTP1(true)
	p2.SetUnencryptedHTTP2(true) // on the connection our TLS decrypted
	// No Proxy: net/http would hand our dial the proxy's address.
	t.HTTP1 = &http.Transport{Protocols: &p1,
		DialTLSContext: func(ctx context.Context, _, addr string) (net.Conn, error) { return t.dialFor(ctx, addr, false) }}
	// One HTTP/2 connection per host carries every request, as in
	// browsers: concurrent first requests wait for it rather than dial
	// their own.
	t.HTTP2 = &http.Transport{Protocols: &p2, MaxConnsPerHost: 1,
		DialTLSContext: func(ctx context.Context, _, addr string) (net.Conn, error) { return t.dialFor(ctx, addr, true) }}
	return t
}

// errALPNChanged is a dial's error when the host no longer chose what it
// chose before; RoundTrip then tries the other transport once.
var errALPNChanged = errors.New("tls: the server's ALPN choice changed")

// RoundTrip sends req over HTTP/2 or HTTP/1.1, as the host chose.
func (t *HTTPTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		return t.HTTP1.RoundTrip(req)
	}
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "443")
	}
	for try := 0; ; try++ {
		proto, err := t.choice(req.Context(), addr)
		if err != nil {
			return nil, err
		}
		rt := t.HTTP1
		if proto == "h2" {
			rt = t.HTTP2
		}
		resp, err := rt.RoundTrip(req)
		if try == 0 && errors.Is(err, errALPNChanged) && (req.Body == nil || req.GetBody != nil) {
			if req.Body != nil {
				if req.Body, err = req.GetBody(); err != nil {
					return nil, err
				}
			}
			continue
		}
		return resp, err
	}
}

// choice is the host's ALPN choice, dialing once to learn it; the
// connection of that dial waits in spare for the transport that speaks
// it. Concurrent first requests wait for the one dial.
func (t *HTTPTransport) choice(ctx context.Context, addr string) (string, error) {
	t.mu.Lock()
	p, ok := t.probes[addr]
	if !ok {
		p = &alpnProbe{done: make(chan struct{})}
		t.probes[addr] = p
	}
	t.mu.Unlock()
	if !ok {
		sock, err := t.dial(ctx, addr)
		if err == nil {
			p.proto = sock.ALPNProtocol()
			t.keep(addr, sock)
		} else {
			p.err = err
			t.mu.Lock()
			delete(t.probes, addr) // the next request tries again
			t.mu.Unlock()
		}
		close(p.done)
	}
	select {
	case <-p.done:
		return p.proto, p.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// dialFor is a transport's dial: a spare connection of its protocol, or a
// new one. A new one that chose otherwise is kept for the other transport
// and the host's choice updated.
func (t *HTTPTransport) dialFor(ctx context.Context, addr string, h2 bool) (net.Conn, error) {
	key := spareKey{addr, h2}
	t.mu.Lock()
	if socks := t.spare[key]; len(socks) > 0 {
		if t.spare[key] = socks[1:]; len(socks) == 1 {
			delete(t.spare, key)
		}
		t.mu.Unlock()
		return socks[0], nil
	}
	t.mu.Unlock()
	sock, err := t.dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	if proto := sock.ALPNProtocol(); (proto == "h2") != h2 {
		p := &alpnProbe{done: make(chan struct{}), proto: proto}
		close(p.done)
		t.mu.Lock()
		t.probes[addr] = p
		t.mu.Unlock()
		t.keep(addr, sock)
		return nil, errALPNChanged
	}
	return sock, nil
}

// keep holds sock for the transport that speaks its protocol.
func (t *HTTPTransport) keep(addr string, sock *TLSSocket) {
	key := spareKey{addr, sock.ALPNProtocol() == "h2"}
	t.mu.Lock()
	t.spare[key] = append(t.spare[key], sock)
	t.mu.Unlock()
}

// dial connects to addr with the transport's options, resuming the
// host's latest session (unless the options carry their own).
func (t *HTTPTransport) dial(ctx context.Context, addr string) (*TLSSocket, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	opts := t.opts
	opts.Host = host
	if opts.Port, err = strconv.Atoi(port); err != nil {
		return nil, err
	}
	if opts.Session == nil {
		t.mu.Lock()
		opts.Session = t.sessions[addr]
		t.mu.Unlock()
	}
	sock, err := ConnectContext(ctx, opts, nil)
	if err != nil {
		return nil, err
	}
	sock.OnSession(func(session []byte) {
		t.mu.Lock()
		t.sessions[addr] = session
		t.mu.Unlock()
	})
	return sock, nil
}

// CloseIdleConnections closes the idle connections of both transports
// and the spare ones.
func (t *HTTPTransport) CloseIdleConnections() {
	t.mu.Lock()
	spare := t.spare
	t.spare = map[spareKey][]*TLSSocket{}
	t.mu.Unlock()
	for _, socks := range spare {
		for _, s := range socks {
			s.Close()
		}
	}
	t.HTTP1.CloseIdleConnections()
	t.HTTP2.CloseIdleConnections()
}
