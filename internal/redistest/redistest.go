// Package redistest starts a real redis-server for tests: on a free
// loopback port, persistence off, stopped when the test ends. A missing
// redis-server is a test failure (`make deps` installs it), never a skip.
//
// It imports nothing of the project.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a running (or stopped) redis-server.
type Server struct {
	t    testing.TB
	Port int
	cmd  *exec.Cmd
	// exited is closed once cmd has been waited for.
	exited chan struct{}
	// tlsArgs, for StartTLS, make Port a TLS port.
	tlsArgs []string
}

// Start runs redis-server on a free loopback port and waits until it
// answers PING.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, &Server{t: t})
}

// StartTLS is Start for Redis over TLS only, with the certificate chain
// and key files given (PEM); clients are not asked for certificates.
func StartTLS(t testing.TB, certFile, keyFile string) *Server {
	t.Helper()
	return start(t, &Server{t: t, tlsArgs: []string{"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no"}})
}

func start(t testing.TB, s *Server) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed (run `make deps`): %v", err)
	}
	for attempt := 0; ; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.Port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if err := s.start(); err == nil {
			break
		} else if attempt == 4 {
			t.Fatal(err)
		}
	}
	t.Cleanup(s.Stop)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// URL is redis://host:port.
func (s *Server) URL() string { return "redis://" + s.Addr() }

func (s *Server) start() error {
	args := []string{"--port", strconv.Itoa(s.Port)}
	if s.tlsArgs != nil {
		args = append([]string{"--port", "0", "--tls-port", strconv.Itoa(s.Port)}, s.tlsArgs...)
	}
	cmd := exec.Command("redis-server", append(args, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning")...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s.ready() == nil {
			s.cmd, s.exited = cmd, exited
			return nil
		}
		select {
		case <-exited: // the port was taken, say
			return fmt.Errorf("redis-server on port %d exited", s.Port)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	<-exited
	return fmt.Errorf("redis-server on port %d did not answer PING", s.Port)
}

// Restart starts a stopped server again on the same port (empty: no
// persistence).
func (s *Server) Restart() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatal("redistest: Restart of a running server")
	}
	var err error
	for range 50 { // the port may linger briefly
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatal(err)
}

// Stop kills the server and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Do sends one command and returns the first line of the reply; for test
// setup (planting garbage, FLUSHALL). Not for a StartTLS server.
func (s *Server) Do(words ...string) (string, error) {
	c, err := net.DialTimeout("tcp", s.Addr(), 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(words))
	for _, w := range words {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(w), w)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// ready is PING answered, or for TLS a TCP connection accepted.
func (s *Server) ready() error {
	if s.tlsArgs != nil {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.Close()
		}
		return err
	}
	return s.ping()
}

func (s *Server) ping() error {
	line, err := s.Do("PING")
	if err == nil && line != "+PONG" {
		err = fmt.Errorf("PING answered %q", line)
	}
	return err
}
