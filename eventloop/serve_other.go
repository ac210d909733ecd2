//go:build !linux

package eventloop

import (
	"context"
	"net"
)

// Serve reports ErrUnsupported: the loops need epoll.
func (s *Server) Serve(ctx context.Context, ln *net.TCPListener) error {
	return ErrUnsupported
}
