package tlstest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/engine"
)

// Transport is what Exchange runs an engine over: a net.Conn when
// recording a real peer, a Replay when playing a recording back.
type Transport interface {
	io.ReadWriter
	SetDeadline(time.Time) error
	SetReadDeadline(time.Time) error
}

// Exchanged is what Exchange saw of the engine.
type Exchanged struct {
	Done   bool                    // the handshake completed
	State  *engine.ConnectionState // the last EventHandshakeDone's
	Err    error                   // the last EventError's
	Keylog []string                // for ObserveSteps
}

// Exchange runs one engine over tr for at most ten seconds: a server
// echoes the client's first data and closes; a client sends a line and
// closes after the first reply (or after a second without one). Given
// the same reads, it makes the same writes: that is what lets Replay
// check an engine against a recording.
func Exchange(tr Transport, c *engine.Conn, isServer bool) Exchanged {
	var x Exchanged
	tr.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1<<16)
	closed := false
	for {
		for e := c.NextEvent(); e.Kind != engine.EventNone; e = c.NextEvent() {
			switch e.Kind {
			case engine.EventSend:
				tr.Write(e.Data)
			case engine.EventHandshakeDone:
				x.Done, x.State = true, e.State
				if !isServer {
					c.Write([]byte("ping from tlsengine\n"))
					tr.SetReadDeadline(time.Now().Add(time.Second))
				}
			case engine.EventPlaintext:
				if isServer {
					c.Write(e.Data)
				}
				if !closed {
					c.Close()
					closed = true
				}
			case engine.EventKeylog:
				x.Keylog = append(x.Keylog, e.Keylog)
			case engine.EventError:
				x.Err = e.Err
				closed = true
			case engine.EventPeerClosed:
				if !closed {
					c.Close()
					closed = true
				}
			}
		}
		n, err := tr.Read(buf)
		if n > 0 {
			c.Feed(buf[:n])
			continue
		}
		if err != nil {
			if !closed && x.Done {
				c.Close() // the peer was silent: end politely
				closed = true
				continue
			}
			return x
		}
	}
}

// Recorder is a Transport over a real connection that keeps every read
// and write in order.
type Recorder struct {
	net.Conn
	// Client says which side we are, for the direction of Chunks.
	Client bool
	// Chunks are the reads (from the peer) and writes (ours); a read
	// that ended with an error and no bytes is a peer chunk without
	// Data.
	Chunks []Chunk
}

func (r *Recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if n > 0 || err != nil {
		r.Chunks = append(r.Chunks, Chunk{FromClient: !r.Client, Data: bytes.Clone(p[:n])})
	}
	return n, err
}

func (r *Recorder) Write(p []byte) (int, error) {
	r.Chunks = append(r.Chunks, Chunk{FromClient: r.Client, Data: bytes.Clone(p)})
	return r.Conn.Write(p)
}

// Sent returns the concatenated bytes the client (or the server) sent.
func Sent(chunks []Chunk, fromClient bool) []byte {
	var out []byte
	for _, c := range chunks {
		if c.FromClient == fromClient {
			out = append(out, c.Data...)
		}
	}
	return out
}

// AcceptPeerClient listens on loopback, starts the client process run
// makes for the port with stdin as its input, and returns the accepted
// connection and a function that waits for the process and returns its
// exit error joined with its stderr. The process is killed at cleanup.
func AcceptPeerClient(t testing.TB, run func(port string) *exec.Cmd, stdin string) (net.Conn, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cmd := run(strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- errors.Join(cmd.Wait(), errors.New(stderr.String())) }()
	t.Cleanup(func() { cmd.Process.Kill() })
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, func() error { return <-errc }
}

// StartPeerServer starts the server process run makes for a free loopback
// port, with a silent open stdin (s_server quits at EOF), and returns the
// port. The process is killed at cleanup.
func StartPeerServer(t testing.TB, run func(port string) *exec.Cmd) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := run(port)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	go cmd.Wait()
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
	})
	return port
}

// DialLoopback connects to a loopback port, retrying for ten seconds
// while a server process starts. The connection is closed at cleanup.
func DialLoopback(t testing.TB, port string) net.Conn {
	t.Helper()
	var conn net.Conn
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if conn, err = net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			t.Cleanup(func() { conn.Close() })
			return conn
		}
	}
	t.Fatalf("dialing 127.0.0.1:%s: %v", port, err)
	return nil
}
