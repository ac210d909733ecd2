package api

import (
	"context"
	"io"
)

// WriteTo writes the application data it decrypts to w until the peer's
// close_notify (then it returns a nil error) or an error: TLSSocket is an
// io.WriterTo, so io.Copy from it needs no buffer of its own. Each
// record's plaintext goes to w in one Write straight from the engine's
// buffer, and while no data comes nothing but the socket is held: an
// echo server's idle connection costs no copy buffer (issue 16, item 3).
func (s *TLSSocket) WriteTo(w io.Writer) (int64, error) {
	if err := s.Handshake(context.Background()); err != nil {
		return 0, err
	}
	var total int64
	for {
		n, more, err := s.writeBuffered(w)
		total += int64(n)
		if !more {
			return total, err
		}
		if n > 0 {
			continue
		}
		if err := s.readMore(); err != nil {
			return total, err
		}
	}
}

// writeBuffered writes the plaintext waiting in the socket, if any, to w
// and reports how much went and whether WriteTo goes on (more): false
// after a write error, the peer's close_notify (err nil) or the socket's
// error. It is apart from WriteTo so that the frame an idle reader holds
// while it waits stays small (an idle connection's goroutine then keeps
// a 2 KB stack).
//
//go:noinline
func (s *TLSSocket) writeBuffered(w io.Writer) (n int, more bool, err error) {
	// Holding the reader's lock keeps any Feed, which reuses the
	// engine's plaintext buffer, out until w has the bytes.
	s.reading.Lock()
	s.mu.Lock()
	p, peerClose, serr := s.plain, s.peerClose, s.err
	s.plain = nil
	s.mu.Unlock()
	if len(p) > 0 {
		n, err = w.Write(p)
		s.reading.Unlock()
		if err == nil && n < len(p) {
			err = io.ErrShortWrite
		}
		return n, err == nil, err
	}
	s.reading.Unlock()
	if peerClose {
		return 0, false, nil
	}
	if serr != nil {
		return 0, false, serr
	}
	return 0, true, nil
}
