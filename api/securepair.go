package api

import (
	"context"
	"net"
	"sync"
)

// SecurePair is Node's deprecated tls.SecurePair, made natural by the
// sans-IO engine: Cleartext is a TLSSocket whose transport is one end of
// an in-memory pipe, and Encrypted is the other end, carrying the TLS
// records. Write what arrives from the network into Encrypted, send what
// you read from it, and use Cleartext like any socket.
type SecurePair struct {
	Cleartext *TLSSocket
	Encrypted net.Conn

	mu       sync.Mutex
	onSecure []func()
	done     chan struct{}
	err      error
}

// CreateSecurePair is Node's tls.createSecurePair(context, isServer,
// requestCert, rejectUnauthorized[, options]). A nil context means
// default options. The handshake starts at once, in the background; the
// secure event fires when it completes (see OnSecure and Wait).
func CreateSecurePair(ctx *SecureContext, isServer, requestCert, rejectUnauthorized bool, opts *TLSSocketOptions) (*SecurePair, error) {
	o := TLSSocketOptions{}
	if opts != nil {
		o = *opts
	}
	o.IsServer = isServer
	if ctx != nil {
		o.SecureContext = ctx
	}
	o.RequestCert = requestCert
	o.RejectUnauthorized = &rejectUnauthorized
	clear, wire := net.Pipe()
	sock, err := NewTLSSocket(clear, o)
	if err != nil {
		clear.Close()
		wire.Close()
		return nil, err
	}
	p := &SecurePair{Cleartext: sock, Encrypted: wire, done: make(chan struct{})}
	go func() {
		err := sock.Handshake(context.Background())
		p.mu.Lock()
		p.err = err
		listeners := p.onSecure
		close(p.done) // under the lock: OnSecure sees either the list or done
		p.mu.Unlock()
		if err == nil {
			for _, f := range listeners {
				f()
			}
		}
	}()
	return p, nil
}

// OnSecure registers a listener for the secure event: the pair's
// handshake completed (check Cleartext.Authorized). A listener added
// after the event runs at once.
func (p *SecurePair) OnSecure(f func()) {
	p.mu.Lock()
	select {
	case <-p.done:
		err := p.err
		p.mu.Unlock()
		if err == nil {
			f()
		}
		return
	default:
	}
	p.onSecure = append(p.onSecure, f)
	p.mu.Unlock()
}

// Wait blocks until the handshake ends and returns its error.
func (p *SecurePair) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
