package eventloop

import (
	"errors"
	"net"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
)

// lingerTimeout bounds the wait for the peer's close once ours is written.
const lingerTimeout = 2 * time.Second

// ErrUnsupported is Serve's error where there is no epoll.
var ErrUnsupported = errors.New("eventloop: needs Linux (epoll)")

// Handler is the application side of the connections. Its methods run on
// a loop's goroutine and must not block: work that waits goes to a
// goroutine of its own, which writes its result through Conn.Post.
type Handler interface {
	// Established is called once a connection's handshake completes.
	Established(c *Conn, st *engine.ConnectionState)
	// Data is called with application data from the peer; p is valid
	// only during the call (it may be passed to c.Write).
	Data(c *Conn, p []byte)
}

// Server serves TLS connections on event loops.
type Server struct {
	// Config is every connection's engine configuration.
	Config *engine.Config
	// Resolvers, if set, returns the resolvers answering a new
	// connection's decisions (nil answers each with its default). Each
	// decision is answered on a goroutine of its own, so that a resolver
	// that waits (a session store on the network, a certificate fetched
	// for a server name) holds back its connection only: that
	// connection reads nothing more until the answer is in, and its
	// handshake timeout still runs. Resolvers itself runs on the loop.
	Resolvers func(peer net.Addr) *engine.Resolvers
	// InlineResolvers runs the resolvers on the loop instead, saving a
	// goroutine and a wake-up per decision: only for resolvers that
	// never wait (a map lookup), since one that does stalls every
	// connection of its loop.
	InlineResolvers bool
	// Handler receives the connections' handshakes and data.
	Handler Handler
	// HandshakeTimeout closes a connection whose handshake takes longer;
	// zero means api.DefaultHandshakeTimeout, Node's.
	HandshakeTimeout time.Duration
	// Loops is the number of event loops; zero means GOMAXPROCS.
	Loops int
	// Keylog, if set, receives each connection's NSS key log lines.
	Keylog func(line string)
	// ErrorLog, if set, receives the error that ended a connection
	// (handshake failures, alerts sent, resets, timeouts), as a
	// *HandshakeError when the handshake had not completed, and accept
	// errors with a nil peer; a peer that closes after the handshake is
	// not an error.
	ErrorLog func(peer net.Addr, err error)
}

// HandshakeError is an error that ended a connection before its handshake
// completed.
type HandshakeError struct{ Err error }

func (e *HandshakeError) Error() string { return "handshake failed: " + e.Err.Error() }
func (e *HandshakeError) Unwrap() error { return e.Err }

// ErrHandshakeTimeout ends a connection whose handshake took longer than
// the Server's HandshakeTimeout (Node's ERR_TLS_HANDSHAKE_TIMEOUT).
var ErrHandshakeTimeout = errors.New("ERR_TLS_HANDSHAKE_TIMEOUT: TLS handshake timeout")

// errClosedInHandshake ends a connection whose peer closed it before the
// handshake completed.
var errClosedInHandshake = errors.New("tls: the client closed the connection during the handshake")

func (s *Server) handshakeTimeout() time.Duration {
	if s.HandshakeTimeout > 0 {
		return s.HandshakeTimeout
	}
	return api.DefaultHandshakeTimeout
}

func (s *Server) logError(peer net.Addr, err error) {
	if s.ErrorLog != nil {
		s.ErrorLog(peer, err)
	}
}
