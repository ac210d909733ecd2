//go:build unix

package api

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
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
	r := rawReaders.Get().(*rawReader)
	werr := rc.Read(r.fn)
	return r.result(conn, werr)
}

// result is what a rawRead found, its error shaped as conn.Read's.
//
//go:noinline
func (r *rawReader) result(conn net.Conn, werr error) (bp *[]byte, n int, err error) {
	bp, n, serr := r.bp, r.n, r.err
	r.bp, r.n, r.err = nil, 0, nil
	rawReaders.Put(r)
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

// rawReader is the callback of one rawRead and what it found. They are
// pooled with their callback bound: a closure made per read, and the
// results it captures, were four allocations per read (issue 16).
type rawReader struct {
	bp  *[]byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

var rawReaders = sync.Pool{New: func() any {
	r := &rawReader{}
	r.fn = r.read
	return r
}}

// read tries one read(2): false (wait, holding no buffer) if nothing is
// there yet.
func (r *rawReader) read(fd uintptr) bool {
	b := readBufs.Get().(*[]byte)
	var n int
	var err error
	for {
		n, err = syscall.Read(int(fd), *b)
		if err != syscall.EINTR {
			break
		}
	}
	if err == syscall.EAGAIN {
		readBufs.Put(b)
		return false
	}
	r.bp, r.n, r.err = b, n, err
	return true
}
