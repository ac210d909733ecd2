//go:build unix

package api

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// rawConnOf returns the raw connection of a TCP or Unix stream socket,
// nil for any other transport.
func rawConnOf(conn net.Conn) syscall.RawConn {
	var sc syscall.Conn
	switch c := conn.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		sc = c
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// rawRead waits for conn to be readable without holding a buffer, then
// reads into a pooled one (nil with an error from the wait). The runtime
// poller does the waiting, so deadlines and Close end it as they end
// conn.Read, and the errors are the ones conn.Read returns.
func rawRead(conn net.Conn, rc syscall.RawConn) (bp *[]byte, n int, err error) {
	var serr error
	werr := rc.Read(func(fd uintptr) bool {
		b := readBufs.Get().(*[]byte)
		for {
			n, serr = syscall.Read(int(fd), *b)
			if serr != syscall.EINTR {
				break
			}
		}
		if serr == syscall.EAGAIN {
			readBufs.Put(b)
			return false // not readable yet: wait, holding no buffer
		}
		bp = b
		return true
	})
	if werr != nil {
		var oe *net.OpError
		if errors.As(werr, &oe) {
			oe.Op = "read" // what conn.Read says, not "raw-read"
		}
		return nil, 0, werr
	}
	if serr != nil {
		return bp, 0, &net.OpError{Op: "read", Net: conn.LocalAddr().Network(), Source: conn.LocalAddr(),
			Addr: conn.RemoteAddr(), Err: os.NewSyscallError("read", serr)}
	}
	if n == 0 {
		return bp, 0, io.EOF
	}
	return bp, n, nil
}
