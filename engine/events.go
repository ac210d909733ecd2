package engine

import (
	"fmt"

	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// Config is the immutable configuration of one side; see handshake.Config.
type Config = handshake.Config

// ClientOptions are a client connection's own settings.
type ClientOptions = handshake.ClientOptions

// ConnectionState is what a completed handshake negotiated.
type ConnectionState = handshake.ConnectionState

// Decision is a question for the application; answer it with Resolve.
type Decision = handshake.Decision

// EventKind says what an Event carries.
type EventKind uint8

// Event kinds.
const (
	// EventNone: the queue is empty.
	EventNone EventKind = iota
	// EventSend: Data holds records to write to the peer.
	EventSend
	// EventPlaintext: Data holds application data from the peer.
	EventPlaintext
	// EventHandshakeDone: State holds the negotiated parameters.
	EventHandshakeDone
	// EventDecision: Decision waits for Resolve.
	EventDecision
	// EventKeylog: Keylog holds an NSS key log line.
	EventKeylog
	// EventPeerClosed: the peer sent close_notify.
	EventPeerClosed
	// EventAlertReceived: Alert holds a non-fatal alert from the peer
	// (a fatal one is followed by EventError).
	EventAlertReceived
	// EventError: Err is the fatal error; any alert it sends was in the
	// preceding EventSend. Later calls return the same error.
	EventError
	// EventSession: Session holds a resumable TLS 1.3 session, one per
	// NewSessionTicket: received, on a client (Node's session event);
	// issued, on a server (Node's newSession event).
	EventSession
)

var kindNames = [...]string{"none", "send", "plaintext", "handshake-done", "decision", "keylog", "peer-closed", "alert", "error", "session"}

func (k EventKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one output of the engine. Data is valid until the next call on
// the Conn.
type Event struct {
	Kind     EventKind
	Data     []byte
	State    *ConnectionState
	Decision Decision
	Alert    record.Alert
	Keylog   string
	Err      error
	Session  *session.State
}
