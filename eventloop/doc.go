// Package eventloop serves TLS connections from a few goroutines, each
// waiting on its own epoll set and driving the sans-IO engine directly: a
// connection costs its engine state and its socket, not a goroutine, a
// stack and a read buffer, and a handshake costs no goroutine hand-offs
// through the scheduler. This is the serving model crypto/tls's blocking
// API cannot offer (issue 16: server CPU per connection and memory per
// idle connection of the whole process).
//
// A Server runs Loops loops (GOMAXPROCS by default) on one listener. Each
// loop accepts connections (the listener is in every loop's set with
// EPOLLEXCLUSIVE, so one loop wakes per arrival), reads whatever a ready
// socket holds into the loop's one buffer, feeds it to the connection's
// engine and acts on the events: bytes to send are written at once, and
// what the kernel does not take waits in the connection until the socket
// is writable again, with reading from that connection paused meanwhile
// (memory stays bounded by what the application writes, not by what the
// peer sends). Decisions (a session lookup, a server name's context) are
// answered by the Server's Resolvers on a goroutine per decision, the
// answer handed back to the loop through a pipe in its set, so a resolver
// that waits on the network holds back its own connection only
// (InlineResolvers runs resolvers that never wait on the loop instead).
//
// The Handler sees a connection's established handshake and its
// plaintext, on the loop's goroutine; Conn's methods are only for use from
// those calls, except Post: a handler that has to wait for something (a
// database) waits on a goroutine of its own and hands its answer back to
// the loop with Conn.Post, through the same pipe; Conn.Await also holds
// the connection (no reading, no events) until such a goroutine is done.
//
// Timing: a connection whose handshake is not done within
// HandshakeTimeout is closed (Node's handshakeTimeout); one that sent
// close_notify or was closed by the handler lingers for the peer's close
// up to lingerTimeout after its last bytes are written, so that closing
// with unread input does not reset the connection under the response.
//
// Cost: a loop blocks in epoll_wait, a system call, which spares each
// wake-up the scheduler's hand-offs between threads (per short TLS
// connection the process spends about a third less CPU than with a
// goroutine per connection) but makes the runtime's monitor take the
// loop's processor back at every wait; a few connections streaming bulk
// data therefore cost more CPU per byte here than on api's goroutines.
//
// Linux only (epoll); elsewhere Serve reports ErrUnsupported.
//
// Imports: engine; api for Node's policy defaults.
package eventloop
