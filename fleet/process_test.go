package fleet_test

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/fleet"
	"github.com/tlsengine/tlsengine/internal/redistest"
	"github.com/tlsengine/tlsengine/internal/testbin"
	"github.com/tlsengine/tlsengine/session"
)

// tlsengineBinary builds cmd/tlsengine once per test binary.
func tlsengineBinary(t *testing.T) string { return testbin.Build(t, "../cmd/tlsengine") }

// serveProc is one `tlsengine serve` process.
type serveProc struct {
	cmd  *exec.Cmd
	port int
	mu   sync.Mutex
	log  bytes.Buffer
}

func (p *serveProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// startServeProc runs `tlsengine serve` with the test chain and args and
// waits for "listening on".
func startServeProc(t *testing.T, args ...string) *serveProc {
	t.Helper()
	cert, key, _ := testPKI(t).files(t)
	// -store-timeout: see testTimeout.
	cmd := exec.Command(tlsengineBinary(t), append([]string{"serve", "-addr", "127.0.0.1:0", "-cert", cert, "-key", key, "-store-timeout", testTimeout.String()}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd}
	cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.log.Write(b)
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("serve log (port %d):\n%s", p.port, p.output())
		}
	})
	ready := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`listening on 127\.0\.0\.1:(\d+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				port, _ := strconv.Atoi(m[1])
				ready <- port
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p.port = <-ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not start:\n%s", p.output())
	}
	return p
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// Three `tlsengine serve -session-store` processes form a fleet: a
// session made on any resumes on each, by id (-no-ticket) and by ticket;
// with Redis killed every handshake still completes, and resumption by
// id comes back with Redis.
func TestFleetServeProcesses(t *testing.T) {
	r := redistest.Start(t)
	for _, tc := range []struct {
		name string
		args []string
	}{{"by id", []string{"-no-ticket"}}, {"by ticket", nil},
		// The event loop's lookups run on goroutines of their own.
		{"by id, event loops", []string{"-no-ticket", "-event-loop"}}, {"by ticket, event loops", []string{"-event-loop"}}} {
		t.Run(tc.name, func(t *testing.T) {
			var ms []*member
			for range 3 {
				p := startServeProc(t, append([]string{"-session-store", r.URL()}, tc.args...)...)
				ms = append(ms, &member{port: p.port})
			}
			resumed, offered := resumeMatrix(t, ms, true)
			t.Logf("3 serve processes, resumption %s: %d/%d", tc.name, resumed, offered)
			if resumed != offered {
				t.Fatalf("resumed %d of %d", resumed, offered)
			}
		})
	}

	for _, mode := range []string{"", "-event-loop"} {
		t.Run(strings.TrimSpace("redis down "+mode), func(t *testing.T) {
			var ms []*member
			for range 3 {
				p := startServeProc(t, append([]string{"-session-store", r.URL(), "-no-ticket"}, strings.Fields(mode)...)...)
				ms = append(ms, &member{port: p.port})
			}
			_, sess := connect(t, ms[0].port, nil)
			r.Stop()
			for i := range 9 {
				resumed, _, err := tryConnect(ms[i%3].port, sess)
				if err != nil || resumed {
					t.Fatalf("Redis down: resumed=%v err=%v", resumed, err)
				}
			}
			r.Restart()
			deadline := time.Now().Add(5 * time.Second)
			for {
				_, sess := connect(t, ms[1].port, nil)
				if resumed, _ := connect(t, ms[2].port, sess); resumed {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no resumption 5 s after Redis came back")
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// TLS 1.3 across the fleet: a ticket from any of three `tlsengine serve
// -session-store` processes resumes on each, the fleet's shared ticket
// keys sealing TLS 1.3 tickets (RFC 8446, Section 4.6.1) as they seal TLS
// 1.2 ones.
func TestFleetServeProcessesTLS13(t *testing.T) {
	r := redistest.Start(t)
	var ms []*member
	for range 3 {
		p := startServeProc(t, "-session-store", r.URL())
		ms = append(ms, &member{port: p.port})
	}
	resumed, offered := resumeMatrixVersion(t, ms, true, "TLSv1.3")
	t.Logf("3 serve processes, TLS 1.3 resumption by ticket: %d/%d", resumed, offered)
	if resumed != offered {
		t.Fatalf("resumed %d of %d", resumed, offered)
	}
}

// A rotation reaches three serve processes at the period boundary:
// after it, the tickets each issues carry the new key's name, the same
// on all three, and a ticket from before resumes on each.
func TestFleetServeProcessesRotation(t *testing.T) {
	const period = 2 * time.Second
	r := redistest.Start(t)
	var ms []*member
	for range 3 {
		p := startServeProc(t, "-session-store", r.URL(), "-ticket-rotation", period.String(), "-session-timeout", "5s")
		ms = append(ms, &member{port: p.port})
	}
	ticketName := func(sess []byte) string {
		st, err := session.Unmarshal(sess)
		if err != nil || len(st.Ticket) < 16 {
			t.Fatalf("no ticket in the session: %v", err)
		}
		return string(st.Ticket[:16])
	}
	waitBoundary(period)
	_, old := connect(t, ms[0].port, nil)
	oldName := ticketName(old)
	boundary := waitBoundary(period)
	var slowest time.Duration
	names := map[string]bool{}
	for i, m := range ms {
		for {
			_, sess := connect(t, m.port, nil)
			if n := ticketName(sess); n != oldName {
				names[n] = true
				break
			}
			if time.Since(boundary) > period/2 {
				t.Fatalf("serve %d still seals with the old key %v after the boundary", i, period/2)
			}
		}
		slowest = max(slowest, time.Since(boundary))
	}
	t.Logf("rotation: all 3 serve processes issue tickets under the new key %v after the boundary (the handshakes included)", slowest.Round(time.Millisecond))
	if len(names) != 1 {
		t.Fatalf("after the rotation the servers seal with %d different keys", len(names))
	}
	for i, m := range ms {
		if resumed, _ := connect(t, m.port, old); !resumed {
			t.Fatalf("serve %d does not resume a ticket from before the rotation", i)
		}
	}
}

// A `tlsengine serve` process and a Go server attached with fleet.Attach
// form one fleet: sessions and tickets from either resume on the other.
func TestFleetServeProcessAndGoServer(t *testing.T) {
	r := redistest.Start(t)
	for _, tc := range []struct {
		name string
		args []string
		opts api.ServerOptions
	}{{"by id", []string{"-no-ticket"}, api.ServerOptions{NoTickets: true}}, {"by ticket", nil, api.ServerOptions{}}} {
		t.Run(tc.name, func(t *testing.T) {
			p := startServeProc(t, append([]string{"-session-store", r.URL()}, tc.args...)...)
			ms := []*member{{port: p.port}, startMember(t, openRedis(t, r), tc.opts, fleet.Options{})}
			if resumed, offered := resumeMatrix(t, ms, true); resumed != offered {
				t.Fatalf("resumed %d of %d", resumed, offered)
			}
		})
	}
}

// serve -session-store rediss:// -session-store-ca: two processes share
// sessions through Redis over TLS.
func TestFleetServeProcessesOverTLS(t *testing.T) {
	cert, key, ca := testPKI(t).files(t)
	r := redistest.StartTLS(t, cert, key)
	var ms []*member
	for range 2 {
		sp := startServeProc(t, "-session-store", "rediss://localhost:"+strconv.Itoa(r.Port), "-session-store-ca", ca, "-no-ticket")
		ms = append(ms, &member{port: sp.port})
	}
	if resumed, offered := resumeMatrix(t, ms, true); resumed != offered {
		t.Fatalf("resumed %d of %d", resumed, offered)
	}
}
