//go:build !unix

package api

import (
	"net"
	"syscall"
)

// rawConnOf returns nil: readTransport holds its buffer during the read.
func rawConnOf(net.Conn) syscall.RawConn { return nil }

// rawRead is never called where rawConnOf returns nil.
func rawRead(net.Conn, syscall.RawConn) (*[]byte, int, error) { panic("unreachable") }
