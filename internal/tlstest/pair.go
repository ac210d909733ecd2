package tlstest

import (
	"fmt"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// Side collects what one end of a Pair observed.
type Side struct {
	Conn  *engine.Conn
	Plain []byte
	State *engine.ConnectionState
	// Handshakes counts EventHandshakeDone: 1 + the renegotiations.
	Handshakes int
	Err        error
	Alerts     []record.Alert // non-fatal and fatal alerts received
	PeerClose  bool
	Keylog     []string
	Decisions  []engine.Decision
	// Sessions are the TLS 1.3 sessions of EventSession, in order.
	Sessions []*session.State
	// Wire is every byte this side sent, in order.
	Wire []byte
	// Flights holds each EventSend's bytes separately.
	Flights [][]byte

	inbox []byte
}

// Pair is a client and a server connected in memory.
type Pair struct {
	Client, Server *Side
	// Tamper, if set, may rewrite each chunk of bytes in flight.
	Tamper func(fromClient bool, data []byte) []byte
	// ByteAtATime feeds every byte with its own Feed call.
	ByteAtATime bool
	// Resolvers answer the server's decisions; with HoldDecisions set they
	// are left pending for the test to answer.
	Resolvers     engine.Resolvers
	HoldDecisions bool
	// Log is every send of both sides, in the order Pump moved them.
	Log []Chunk
}

// Chunk is one send: its bytes and who sent them.
type Chunk struct {
	FromClient bool
	Data       []byte
}

// NewPair creates both ends; the client's hello is queued.
func NewPair(client, server *engine.Config, opts engine.ClientOptions) *Pair {
	return &Pair{
		Client: &Side{Conn: engine.NewClient(client, opts)},
		Server: &Side{Conn: engine.NewServer(server)},
	}
}

// Pump moves bytes and events until neither side makes progress.
func (p *Pair) Pump() {
	for range 100000 {
		progress := p.drain(p.Client, p.Server, true)
		progress = p.drain(p.Server, p.Client, false) || progress
		progress = p.deliver(p.Server) || progress
		progress = p.deliver(p.Client) || progress
		if !progress {
			return
		}
	}
	panic("tlstest: Pump did not settle")
}

// Handshake pumps and reports the first error either side saw, or an error
// when the handshake did not complete on both sides.
func (p *Pair) Handshake() error {
	p.Pump()
	if p.Client.Err != nil {
		return fmt.Errorf("client: %w", p.Client.Err)
	}
	if p.Server.Err != nil {
		return fmt.Errorf("server: %w", p.Server.Err)
	}
	if p.Client.State == nil || p.Server.State == nil {
		return fmt.Errorf("tlstest: handshake incomplete (client done %v, server done %v)", p.Client.State != nil, p.Server.State != nil)
	}
	return nil
}

// drain consumes one side's events, queueing its sends for the peer.
func (p *Pair) drain(s, peer *Side, isClient bool) bool {
	progress := false
	for {
		if !p.HoldDecisions && s.Conn.Pending() != nil && s.Conn.Err() == nil {
			_ = engine.Drive(s.Conn, p.Resolvers)
			progress = true
		}
		e := s.Conn.NextEvent()
		switch e.Kind {
		case engine.EventNone:
			return progress
		case engine.EventSend:
			data := append([]byte(nil), e.Data...)
			s.Wire = append(s.Wire, data...)
			s.Flights = append(s.Flights, data)
			p.Log = append(p.Log, Chunk{FromClient: isClient, Data: data})
			if p.Tamper != nil {
				data = p.Tamper(isClient, data)
			}
			peer.inbox = append(peer.inbox, data...)
		case engine.EventPlaintext:
			s.Plain = append(s.Plain, e.Data...)
		case engine.EventHandshakeDone:
			s.State = e.State
			s.Handshakes++
		case engine.EventDecision:
			s.Decisions = append(s.Decisions, e.Decision)
		case engine.EventKeylog:
			s.Keylog = append(s.Keylog, e.Keylog)
		case engine.EventPeerClosed:
			s.PeerClose = true
		case engine.EventAlertReceived:
			s.Alerts = append(s.Alerts, e.Alert)
		case engine.EventError:
			s.Err = e.Err
		case engine.EventSession:
			s.Sessions = append(s.Sessions, e.Session)
		}
		progress = true
	}
}

// deliver feeds a side's inbox to its connection.
func (p *Pair) deliver(s *Side) bool {
	if len(s.inbox) == 0 {
		return false
	}
	in := s.inbox
	s.inbox = nil
	if s.Conn.Err() != nil {
		return true // a failed connection reads nothing more
	}
	if p.ByteAtATime {
		for i := range in {
			if s.Conn.Feed(in[i:i+1]) != nil {
				break
			}
		}
	} else {
		_ = s.Conn.Feed(in)
	}
	return true
}

// FatalAlertSent returns the description of the fatal alert a side sent in
// plaintext, if its last flight ends with one; it only works before
// encryption starts or by recognizing an unencrypted alert record.
func FatalAlertSent(wire []byte) (record.AlertDescription, bool) {
	var last record.AlertDescription
	found := false
	for len(wire) >= record.HeaderLen {
		n := int(wire[3])<<8 | int(wire[4])
		if len(wire) < record.HeaderLen+n {
			break
		}
		if record.ContentType(wire[0]) == record.TypeAlert && n == 2 && wire[5] == byte(record.LevelFatal) {
			last, found = record.AlertDescription(wire[6]), true
		}
		wire = wire[record.HeaderLen+n:]
	}
	return last, found
}
