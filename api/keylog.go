package api

import (
	"io"
	"slices"
	"sync"
	"sync/atomic"
)

// serverKeylog holds a server's keylog listeners (Node's server 'keylog'
// event) and whether any socket needs to report to it.
type serverKeylog struct {
	mu     sync.Mutex
	on     []func(line string, socket *TLSSocket)
	wanted atomic.Bool
}

// OnKeylog registers a listener for Node's server 'keylog' event: key
// material of a connection, as an NSS key log line (SSLKEYLOGFILE format,
// without Node's trailing newline), and the socket it belongs to. TLS 1.2
// gives a CLIENT_RANDOM line; TLS 1.3 its handshake and traffic secrets
// and EXPORTER_SECRET, as OpenSSL writes them. It applies to connections
// accepted after it; ServerOptions.KeyLog is the io.Writer form. Key logs
// let anyone with the capture read the traffic: for debugging only.
func (s *Server) OnKeylog(f func(line string, socket *TLSSocket)) {
	s.keylog.mu.Lock()
	s.keylog.on = append(s.keylog.on, f)
	s.keylog.mu.Unlock()
	s.keylog.wanted.Store(true)
}

// attachKeylog makes a new server socket report its key log lines to the
// server's listeners and KeyLog writer, if there are any; it runs before
// the socket is shared.
func (s *Server) attachKeylog(sock *TLSSocket) {
	w := s.opts.KeyLog
	if w == nil && !s.keylog.wanted.Load() {
		return
	}
	sock.setKeylog(func(line string) {
		writeKeylog(w, line)
		s.keylog.mu.Lock()
		ls := slices.Clone(s.keylog.on)
		s.keylog.mu.Unlock()
		for _, f := range ls {
			f(line, sock)
		}
	})
}

// keylogMu keeps the lines of concurrent connections whole in a shared
// KeyLog writer.
var keylogMu sync.Mutex

// writeKeylog appends line and a newline to w (if not nil), the
// SSLKEYLOGFILE format; a write error is dropped, as a key log is only a
// debugging aid.
func writeKeylog(w io.Writer, line string) {
	if w == nil {
		return
	}
	keylogMu.Lock()
	io.WriteString(w, line+"\n")
	keylogMu.Unlock()
}

// clientKeylog is the key log function of Connect's options, or nil.
func clientKeylog(opts ConnectOptions) func(string) {
	w, f := opts.KeyLog, opts.OnKeylog
	if w == nil && f == nil {
		return nil
	}
	return func(line string) {
		writeKeylog(w, line)
		if f != nil {
			f(line)
		}
	}
}
