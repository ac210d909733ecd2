// Command bogo-shim lets BoringSSL's TLS test runner (ssl/test/runner)
// drive the tlsengine engine. It implements the runner's shim contract: it
// dials the runner, writes its shim id, runs the handshake the flags
// describe, echoes application data XORed with 0xff, and exits 0 on
// success, 1 with a BoringSSL-style error code on stderr on failure, and 89
// for a flag it does not implement.
//
// It drives package engine directly, not api, so that failures are the
// engine's. See README.md for pointing a runner at it.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
)

func main() {
	args := os.Args[1:]
	for _, a := range args {
		if a == "-is-handshaker-supported" {
			fmt.Println("No")
			return
		}
	}
	o, err := parseFlags(args)
	var unimpl errUnimplemented
	if errors.As(err, &unimpl) {
		exitUnimplemented(unimpl)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := run(o); err != nil {
		if errors.As(err, &unimpl) {
			exitUnimplemented(unimpl)
		}
		fmt.Fprintf(os.Stderr, "%s\n%s\n", bogoCode(err), err)
		os.Exit(1)
	}
}

// exitUnimplemented reports an unimplemented test to the runner (exit 89)
// and, if asked, to the log named by TLSENGINE_BOGO_UNIMPLEMENTED.
func exitUnimplemented(e errUnimplemented) {
	fmt.Fprintln(os.Stderr, e)
	if path := os.Getenv(unimplementedLog); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, e.flag)
			f.Close()
		}
	}
	os.Exit(89)
}

// dial connects to the runner and announces the shim id.
func dial(o *options) (net.Conn, error) {
	host := "127.0.0.1"
	if o.ipv6 {
		host = "::1"
	}
	conn, err := net.Dial("tcp", net.JoinHostPort(host, o.port))
	if err != nil {
		return nil, err
	}
	var id uint64
	fmt.Sscan(o.shimID, &id)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], id)
	if _, err := conn.Write(b[:]); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
