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
		// Holding the reader's lock keeps any Feed, which reuses the
		// engine's plaintext buffer, out until w has the bytes.
		s.reading.Lock()
		s.mu.Lock()
		p, peerClose, err := s.plain, s.peerClose, s.err
		s.plain = nil
		s.mu.Unlock()
		if len(p) > 0 {
			n, werr := w.Write(p)
			s.reading.Unlock()
			total += int64(n)
			if werr == nil && n < len(p) {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return total, werr
			}
			continue
		}
		s.reading.Unlock()
		if peerClose {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		if err := s.readMore(); err != nil {
			return total, err
		}
	}
}
