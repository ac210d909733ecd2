package engine

import (
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// Limits on what a peer can make the engine hold or loop over.
const (
	// maxPendingInput bounds the bytes buffered while a decision is
	// pending: nothing legitimate arrives then beyond a record or two.
	maxPendingInput = 4 * record.MaxRecord
	// maxNoProgress bounds the records and messages in a row that make
	// no progress: empty records, warning alerts and handshake messages
	// that are ignored or declined. They share one count, reset only by
	// progress (application data, a handshake step), so that alternating
	// kinds cannot keep a peer going forever. Each still costs a MAC check
	// or a parse, and yields nothing.
	maxNoProgress = 32
	// maxWarningAlerts bounds the warning alerts among them.
	maxWarningAlerts = 4
)

// keyUpdateRecords is how many records a TLS 1.3 write key protects
// before the engine sends a KeyUpdate: 2^24, under RFC 8446, Section
// 5.5's limit of 2^24.5 full records for AES-GCM (ChaCha20-Poly1305 has
// no practical limit and is updated at the same point). A variable so
// that tests can lower it.
var keyUpdateRecords uint64 = 1 << 24

// maxHeldWrite bounds the application data a Write may queue while a
// renegotiation is under way.
const maxHeldWrite = 1 << 20

// Conn is one TLS connection, client or server, without I/O.
type Conn struct {
	cfg      *Config
	isClient bool
	hs       *handshake.Machine
	rd, wr   record.HalfConn
	reasm    handshake.Reassembler

	in  []byte // unprocessed bytes from the peer
	off int    // start of the unprocessed part of in
	// borrowed is set while in is the caller's Feed buffer, which must
	// not be written to.
	borrowed bool

	hsOut []byte // handshake messages waiting to be put in records
	out   []byte // records waiting for the next EventSend
	plain []byte // plaintext waiting for the next EventPlaintext

	// spareOut is a send buffer given back with Recycle; sparePlain is
	// the last plaintext event's buffer, reused from the next Feed on
	// (Event.Data is only valid until the next call).
	spareOut, sparePlain []byte

	events []Event
	// noKeylog turns off EventKeylog (SetKeylog).
	noKeylog bool
	head     int

	// announced is the decision already reported as an event.
	announced Decision
	state     *ConnectionState
	err       error // the latched fatal error
	sentClose bool
	peerClose bool

	maxFragment int
	// held is application data written during a renegotiation, sent
	// once it completes.
	held []byte
	// handshakeEnded is set when a handshake completes, until its
	// buffers have been let go.
	handshakeEnded bool
	// sealedData is set once application data was sealed since the last
	// handshake (Recycle keeps a buffer only then); dropEvents lets the
	// event queue go once drained.
	sealedData, dropEvents bool
	// flightMessages counts handshake messages we have sent; sessions
	// the TLS 1.3 sessions reported (EventSession).
	flightMessages int
	sessions       int
	// noProgress and warningAlerts count what the peer sent since the
	// last progress (see maxNoProgress).
	noProgress    int
	warningAlerts int
	// awaitFinished is set from the peer's ChangeCipherSpec until its
	// Finished: nothing else may come under keys Finished has not yet
	// confirmed.
	awaitFinished bool
	// writeKeysChanged is set when the message being handled installed
	// write keys: the peer's flight must then end with it (RFC 8446,
	// Section 5.1).
	writeKeysChanged bool
	// closing is set by Close; sentClose once the close_notify is
	// queued, which waits for the data held during a renegotiation.
	closing bool
}

// NewServer returns a server connection waiting for a ClientHello.
func NewServer(cfg *Config) *Conn {
	c := newConn(cfg, false)
	c.hs = handshake.NewServer(cfg, (*sink)(c))
	return c
}

// NewClient returns a client connection whose ClientHello is already queued
// as the first event.
func NewClient(cfg *Config, opts ClientOptions) *Conn {
	c := newConn(cfg, true)
	c.hs = handshake.NewClient(cfg, opts, (*sink)(c))
	if err := c.hs.Start(); err != nil {
		c.fail(err)
	}
	c.flush()
	return c
}

func newConn(cfg *Config, isClient bool) *Conn {
	c := &Conn{cfg: cfg, isClient: isClient, maxFragment: record.MaxPlaintext}
	c.rd.Version = cipher.VersionTLS12
	c.wr.Version = cipher.VersionTLS10
	return c
}

// Feed gives the engine bytes received from the peer, in any split. It
// returns the fatal error if the connection has failed (now or before); the
// events queued by this call, including the alert to send, must still be
// drained.
func (c *Conn) Feed(p []byte) error {
	if c.err != nil {
		return c.err
	}
	if c.peerClose {
		// RFC 5246, Section 7.2.1: data after close_notify is ignored.
		return nil
	}
	if c.plain == nil && c.sparePlain != nil {
		// The previous EventPlaintext's Data is no longer valid.
		c.plain, c.sparePlain = c.sparePlain[:0], nil
	}
	if len(c.in) == 0 {
		// Nothing buffered: read the records straight from p and keep
		// only an incomplete tail, saving a copy of every record. p is
		// only read (fragments are decrypted into c.plain).
		own := c.in[:0]
		c.in, c.off, c.borrowed = p, 0, true
		c.process()
		c.borrowed = false
		c.in, c.off = append(own, c.in[c.off:]...), 0
	} else {
		c.in = append(c.in, p...)
		c.process()
	}
	if len(c.in) == 0 && cap(c.in) > record.MaxRecord {
		// Drained after holding more than a record (a tail plus the
		// next read): let it go rather than keep it for an idle
		// connection.
		c.in = nil
	}
	c.flush()
	c.releaseHandshakeBuffers()
	return c.err
}

// releaseHandshakeBuffers lets go of the input, reassembly and handshake
// output buffers after each handshake (the first and every
// renegotiation) once nothing is left in them: an idle established
// connection then holds little more than its keys. A renegotiation or the
// next bulk read allocates again.
func (c *Conn) releaseHandshakeBuffers() {
	if !c.handshakeEnded {
		return
	}
	c.handshakeEnded = false
	c.hsOut = nil
	// The flights' send buffer and event queue go too: the queue, grown
	// by the handshake's events, once drained (NextEvent).
	c.spareOut, c.sealedData, c.dropEvents = nil, false, true
	c.reasm.Release()
	if len(c.in) == 0 {
		c.in, c.off = nil, 0
	}
}

// Write protects application data and queues it for sending. It fails
// before the handshake completes and after Close.
func (c *Conn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.closing {
		return 0, record.Errorf(record.ErrClosed, record.AlertInternalError, "tls: write after close")
	}
	if !c.hs.Established() {
		return 0, record.Errorf(record.ErrMisuse, record.AlertInternalError, "tls: write before the handshake completed")
	}
	if c.hs.InHandshake() {
		// A renegotiation is under way. RFC 5246 does not forbid
		// interleaving, but OpenSSL refuses application data in the
		// middle of a handshake (unexpected record), so it waits for
		// the new keys, up to a bound.
		if len(c.held)+len(p) > maxHeldWrite {
			return 0, record.Errorf(record.ErrMisuse, record.AlertInternalError,
				"tls: more than %d bytes written during a renegotiation", maxHeldWrite)
		}
		c.held = append(c.held, p...)
		return len(p), nil
	}
	// RFC 8446, Section 5.5: a TLS 1.3 key is updated before it
	// protects too many records.
	records := c.wr.Seq() + uint64((len(p)+c.maxFragment-1)/c.maxFragment)
	if err := c.hs.BeforeApplicationData(records, keyUpdateRecords); err != nil {
		c.fail(err)
		c.flush()
		return 0, err
	}
	var err error
	c.sealedData = true
	c.out, err = c.wr.SealAll(c.outBuf(), record.TypeApplicationData, p, c.maxFragment)
	if err != nil {
		c.fail(err)
		c.flush()
		return 0, err
	}
	c.flush()
	return len(p), nil
}

// Close queues a close_notify alert. Further writes fail; reading goes on
// until the peer's close_notify. Data written during a renegotiation and
// still held goes out first: the close_notify follows it once the
// renegotiation ends.
func (c *Conn) Close() error {
	if c.err != nil || c.closing {
		return nil
	}
	c.closing = true
	if len(c.held) == 0 {
		c.sendClose()
	}
	c.flush()
	return nil
}

// Holding reports whether application data written during a renegotiation
// waits for its new keys (and, after Close, the close_notify behind it):
// it goes out when the renegotiation ends, as the peer's input drives it.
func (c *Conn) Holding() bool { return len(c.held) > 0 && c.err == nil }

// sendClose queues the close_notify (RFC 5246, Section 7.2.1).
func (c *Conn) sendClose() {
	c.sendAlert(record.LevelWarning, record.AlertCloseNotify)
	c.sentClose = true
}

// Resolve answers the pending decision with an Answer that decision
// made (d.Answer, d.Accept, d.Decline, d.Fail) and resumes the handshake.
// An answer to another decision is refused with a misuse error that
// leaves the connection as it was.
func (c *Conn) Resolve(a Answer) error {
	if c.err != nil {
		return c.err
	}
	if err := c.hs.Resolve(a); err != nil {
		if !isMisuse(err) {
			c.fail(err)
			c.flush()
		}
		return err
	}
	c.announced = nil
	if !c.hs.InHandshake() {
		// A renegotiation declined with a warning ends there (RFC 5746,
		// Section 4.4: the connection goes on under the current keys):
		// what was written while the application decided goes out now.
		c.sendHeld()
	}
	c.process()
	if len(c.in) == 0 && cap(c.in) > record.MaxRecord {
		// Drained after holding more than a record (a tail plus the
		// next read): let it go rather than keep it for an idle
		// connection.
		c.in = nil
	}
	c.flush()
	c.releaseHandshakeBuffers()
	return c.err
}

// Pending returns the decision waiting for Resolve, or nil.
func (c *Conn) Pending() Decision { return c.hs.Pending() }

// NextEvent returns the next queued event, or an event of kind EventNone.
func (c *Conn) NextEvent() Event {
	if c.head == len(c.events) {
		c.events, c.head = c.events[:0], 0
		if c.dropEvents {
			c.events, c.dropEvents = nil, false
		}
		return Event{}
	}
	e := c.events[c.head]
	c.events[c.head] = Event{}
	c.head++
	return e
}

// ConnectionState returns what the handshake negotiated, or nil before it
// completed.
func (c *Conn) ConnectionState() *ConnectionState { return c.state }

// Err returns the latched fatal error.
func (c *Conn) Err() error { return c.err }

// Config returns the configuration the connection runs with (for a
// server, the one its SNI decision or last renegotiation chose).
func (c *Conn) Config() *Config { return c.hs.Config() }

// Renegotiate starts a renegotiation (see handshake.Machine.Renegotiate):
// a client sends a ClientHello, a server a HelloRequest. cfg, if not nil,
// configures the new handshake. Its end is another EventHandshakeDone.
// Misuse (a handshake in progress, a peer without RFC 5746) is returned
// and does not harm the connection.
func (c *Conn) Renegotiate(cfg *Config) error {
	return c.machineStep("renegotiation", func() error { return c.hs.Renegotiate(cfg) })
}

// UpdateKeys sends a TLS 1.3 KeyUpdate (RFC 8446, Section 4.6.3), asking
// the peer to update its keys too when requestPeer is set. It is misuse,
// harmless to the connection, before the handshake, during one, under TLS
// 1.2, and after Close.
func (c *Conn) UpdateKeys(requestPeer bool) error {
	return c.machineStep("KeyUpdate", func() error { return c.hs.UpdateKeys(requestPeer) })
}

// machineStep runs a step of the handshake machine the application asked
// for (what names it). Misuse is returned and leaves the connection as it
// was; any other error is fatal.
func (c *Conn) machineStep(what string, step func() error) error {
	if c.err != nil {
		return c.err
	}
	if c.closing {
		return record.Errorf(record.ErrMisuse, record.AlertInternalError, "tls: %s after close", what)
	}
	if err := step(); err != nil {
		if !isMisuse(err) {
			c.fail(err)
		}
		c.flush()
		return err
	}
	c.flush()
	return nil
}

// SetMaxSendFragment sets the largest plaintext per record (512 to 16384).
func (c *Conn) SetMaxSendFragment(n int) error {
	if n < 512 || n > record.MaxPlaintext {
		return record.Errorf(record.ErrMisuse, record.AlertInternalError, "tls: max send fragment %d is outside 512..16384", n)
	}
	c.maxFragment = n
	return nil
}

// process handles buffered handshake messages and records until the input
// runs out, a decision is pending, or the connection fails.
func (c *Conn) process() {
	for c.err == nil && c.hs.Pending() == nil {
		// Messages already reassembled come first: a decision may have
		// paused the machine in the middle of a record.
		msg, ok, err := c.reasm.Next()
		if err != nil {
			c.fail(err)
			break
		}
		if ok {
			// After our close_notify nothing more may be sent, so a
			// renegotiation request cannot even be declined.
			if c.sentClose && c.hs.Established() && len(msg) > 0 && (msg[0] == 0 && c.isClient || msg[0] == 1 && !c.isClient) {
				c.failSilently(record.Errorf(record.ErrPeerMisbehaved, record.AlertNoRenegotiation,
					"tls: peer asked to renegotiate after our close_notify"))
				break
			}
			sent, wasEstablished, wasInHandshake := c.flightMessages, c.hs.Established(), c.hs.InHandshake()
			sessions := c.sessions
			c.writeKeysChanged = false
			if err := c.hs.HandleMessage(msg); err != nil {
				c.fail(err)
				continue
			}
			if msg[0] == byte(handshake.TypeFinished) {
				c.awaitFinished = false
			}
			// A HelloRequest a client ignores while it negotiates (RFC
			// 5246, Section 7.4.1.1), or a renegotiation request
			// declined with a warning, leaves the machine where it was.
			// A NewSessionTicket that gave a session is progress.
			ignored := c.isClient && wasInHandshake && msg[0] == byte(handshake.TypeHelloRequest) ||
				!wasInHandshake && !c.hs.InHandshake() && c.flightMessages == sent && c.sessions == sessions
			if ignored {
				c.countNoProgress("ignored handshake messages")
			} else {
				c.progress()
			}
			// A message that made us answer with a flight ends the peer's
			// flight: the peer cannot have sent more handshake data before
			// reading our answer. The Finished that completes a handshake
			// ends it too, and a key change must fall on a record boundary.
			ended := c.flightMessages != sent || !wasEstablished && c.hs.Established() || c.writeKeysChanged
			if ended && !c.reasm.Empty() {
				c.fail(record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage,
					"tls: excess handshake data after the end of the peer's flight"))
			}
			continue
		}
		if c.peerClose {
			break
		}
		// What the records so far made us send is complete (no
		// decision is pending): seal it now, so that a fatal record
		// later in the input cannot take it back. The peer gets it, then
		// the alert.
		c.flushHandshake()
		h, frag, n, err := record.Parse(c.in[c.off:])
		if err != nil {
			c.fail(err)
			break
		}
		if n == 0 {
			break
		}
		c.off += n
		c.handleRecord(h, frag)
	}
	if d := c.hs.Pending(); d != nil && c.err == nil {
		if len(c.in)-c.off > maxPendingInput {
			c.fail(record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage, "tls: peer sent too much data during a pending decision"))
		} else if d != c.announced {
			c.announced = d
			c.push(Event{Kind: EventDecision, Decision: d})
		}
	}
	// Keep only the unprocessed tail, at the front of the buffer.
	if c.off > 0 && !c.borrowed {
		rest := copy(c.in, c.in[c.off:])
		c.in, c.off = c.in[:rest], 0
	}
}

// handleRecord checks the outer header of one record, decrypts it, and
// dispatches on the content type the record protection returns (under
// TLS 1.3 the outer type is always application_data).
func (c *Conn) handleRecord(h record.Header, frag []byte) {
	// The outer record version, by the negotiated version's rule, before
	// anything is decrypted.
	if err := record.CheckVersion(record.Version(c.hs.Version()), h.Version); err != nil {
		c.fail(err)
		return
	}
	// RFC 8446, Section 5: in a TLS 1.3 handshake one unprotected
	// ChangeCipherSpec is dropped, whatever the read keys.
	if h.Type == record.TypeChangeCipherSpec && c.hs.CompatCCS() {
		if err := c.hs.HandleCompatCCS(frag); err != nil {
			c.fail(err)
		}
		return
	}
	typ, data, err := c.rd.Open(h, frag)
	if err != nil {
		if a, _ := record.AlertFor(err); a == record.AlertBadRecordMAC && c.hs.SkipEarlyData(len(frag)) {
			c.rd.Skip()
			return
		}
		c.fail(err)
		return
	}
	switch typ {
	case record.TypeHandshake:
		// RFC 5246, Section 6.2.1 forbids sending empty handshake
		// fragments but not receiving them; like OpenSSL and BoringSSL we
		// skip a bounded number.
		if len(data) == 0 {
			c.countNoProgress("empty records")
			return
		}
		c.reasm.MaxCertificateList = c.hs.Config().MaxCertificateListSize
		if err := c.reasm.Add(data); err != nil {
			c.fail(err)
		}
	case record.TypeChangeCipherSpec:
		// A key change must not split a handshake message.
		if !c.reasm.Empty() {
			c.fail(record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage, "tls: ChangeCipherSpec inside a handshake message"))
			return
		}
		if err := c.hs.HandleChangeCipherSpec(data); err != nil {
			c.fail(err)
			return
		}
		c.awaitFinished = true
		c.progress()
	case record.TypeAlert:
		c.handleAlert(data)
	case record.TypeApplicationData:
		// RFC 5246, Section 7.4.9: application data may only follow a
		// completed handshake.
		if !c.hs.Established() {
			if c.hs.SkipEarlyData(len(data)) {
				return
			}
			c.fail(record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage, "tls: application data before the handshake completed"))
			return
		}
		// RFC 5246, Sections 7.1 and 7.4.9: Finished is the first
		// message under the keys a ChangeCipherSpec switched to; in a
		// renegotiation application data may come before the peer's
		// ChangeCipherSpec, never between it and Finished.
		if c.awaitFinished {
			c.fail(record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage, "tls: application data between ChangeCipherSpec and Finished"))
			return
		}
		if len(data) == 0 {
			c.countNoProgress("empty records")
			return
		}
		c.progress()
		c.plain = append(c.plain, data...)
	default:
		c.fail(record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage, "tls: unexpected %v record", typ))
	}
}

// countNoProgress counts a record or message that made no progress (what
// names its kind) and fails the connection past maxNoProgress.
func (c *Conn) countNoProgress(what string) {
	c.noProgress++
	if c.noProgress > maxNoProgress {
		c.fail(record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage,
			"tls: too many %s (%d records and messages in a row without progress)", what, c.noProgress))
	}
}

// progress resets the counts of countNoProgress.
func (c *Conn) progress() { c.noProgress, c.warningAlerts = 0, 0 }

// handleAlert processes one alert record (RFC 5246, Section 7.2).
func (c *Conn) handleAlert(data []byte) {
	if len(data) != 2 {
		c.fail(record.Errorf(record.ErrDecode, record.AlertDecodeError, "tls: malformed alert record"))
		return
	}
	a := record.Alert{Level: record.AlertLevel(data[0]), Description: record.AlertDescription(data[1])}
	switch {
	case a.Description == record.AlertCloseNotify:
		// RFC 5246, Section 7.2.1: the other party must answer with a
		// close_notify of its own. When is the caller's choice (it may
		// still have data to write, as with TLS 1.3 half-close), so the
		// engine reports the close and Close sends the answer.
		c.flushPlain()
		c.peerClose = true
		c.push(Event{Kind: EventPeerClosed})
	case a.Level == record.LevelWarning && !c.hs.WarningIsFatal(a.Description):
		if a.Description == record.AlertNoRenegotiation && c.hs.DeclineRenegotiation() {
			// The peer refused our renegotiation (RFC 5246, Section
			// 7.2.2), a step that ends it: the connection goes on under
			// the current keys, and what was written meanwhile goes out.
			c.progress()
			c.push(Event{Kind: EventAlertReceived, Alert: a})
			c.sendHeld()
			return
		}
		c.warningAlerts++
		if c.warningAlerts > maxWarningAlerts {
			c.fail(record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage, "tls: too many warning alerts"))
			return
		}
		if c.countNoProgress("warning alerts"); c.err != nil {
			return
		}
		c.push(Event{Kind: EventAlertReceived, Alert: a})
	case a.Level == record.LevelFatal || a.Level == record.LevelWarning:
		// A fatal alert, or in TLS 1.3 any but close_notify and
		// user_canceled (RFC 8446, Section 6).
		c.push(Event{Kind: EventAlertReceived, Alert: a})
		c.failSilently(&record.AlertError{Alert: a, InReplyToHello: c.isClient && c.hs.Version() == 0})
	default:
		c.fail(record.Errorf(record.ErrDecode, record.AlertIllegalParameter, "tls: alert with unknown level %d", data[0]))
	}
}

// fail latches err, sends its alert, and reports it.
func (c *Conn) fail(err error) {
	if c.err != nil {
		return
	}
	c.hsOut = c.hsOut[:0] // a half-built flight is never sent
	if alert, ok := record.AlertFor(err); ok {
		c.sendAlert(record.LevelFatal, alert)
	}
	c.failSilently(err)
}

// failSilently latches err without sending anything.
func (c *Conn) failSilently(err error) {
	if c.err != nil {
		return
	}
	c.err = err
	c.flushSend()
	c.push(Event{Kind: EventError, Err: err})
}

// sendAlert seals one alert record under the current write protection.
func (c *Conn) sendAlert(level record.AlertLevel, d record.AlertDescription) {
	c.flushHandshake()
	out, err := c.wr.Seal(c.outBuf(), record.TypeAlert, []byte{byte(level), byte(d)})
	if err == nil {
		c.out = out
	}
}

// push queues an event. Events whose order relative to sent bytes matters
// first flush the records queued so far.
func (c *Conn) push(e Event) {
	switch e.Kind {
	case EventHandshakeDone, EventPeerClosed, EventDecision, EventError:
		c.flushPlain()
		c.flushSend()
	}
	c.events = append(c.events, e)
}

// flush turns everything pending into events at the end of an input.
func (c *Conn) flush() {
	c.flushPlain()
	c.flushSend()
}

// outBuf makes c.out ready to append to, reusing a recycled buffer.
func (c *Conn) outBuf() []byte {
	if c.out == nil && c.spareOut != nil {
		c.out, c.spareOut = c.spareOut[:0], nil
	}
	return c.out
}

// WriteChunk is the most plaintext a caller should give one Write when it
// has more: the records it seals fit a buffer that Recycle keeps, so a
// long stream is sealed into the same memory over and over.
const WriteChunk = 2 * record.MaxPlaintext

// maxSpareOut bounds the send buffer Recycle keeps: a few records, enough
// for a WriteChunk at any fragment size and cipher. A larger buffer (one
// big Write sealed at once) is left to the garbage collector, so that it
// is not pinned for the life of the connection.
const maxSpareOut = 4 * record.MaxRecord

// Recycle gives back the Data of an EventSend once it has been written,
// so that the next records are sealed into the same memory instead of a
// new buffer. It is optional; a buffer not given back is simply garbage.
// Between the end of a handshake and the next application data it keeps
// nothing: the last flight's buffer is not what a connection that may stay
// idle should hold (issue 16, item 3).
func (c *Conn) Recycle(b []byte) {
	if c.state != nil && !c.sealedData {
		return
	}
	if cap(b) > cap(c.spareOut) && cap(b) <= maxSpareOut {
		c.spareOut = b[:0]
	}
}

func (c *Conn) flushHandshake() {
	if len(c.hsOut) == 0 {
		return
	}
	out, err := c.wr.SealAll(c.outBuf(), record.TypeHandshake, c.hsOut, c.maxFragment)
	c.hsOut = c.hsOut[:0]
	c.out = out
	if err != nil {
		c.fail(err)
	}
}

func (c *Conn) flushSend() {
	c.flushHandshake()
	if len(c.out) == 0 {
		return
	}
	c.events = append(c.events, Event{Kind: EventSend, Data: c.out})
	c.out = nil
}

func (c *Conn) flushPlain() {
	if len(c.plain) == 0 {
		return
	}
	c.events = append(c.events, Event{Kind: EventPlaintext, Data: c.plain})
	c.sparePlain, c.plain = c.plain, nil
}

func isMisuse(err error) bool {
	re, ok := err.(*record.Error)
	return ok && re.Category == record.ErrMisuse
}

// sink is the Conn as the handshake machine sees it.
type sink Conn

func (s *sink) SendMessage(raw []byte) {
	s.hsOut = append(s.hsOut, raw...)
	s.flightMessages++
}

func (s *sink) SendChangeCipherSpec() error {
	c := (*Conn)(s)
	c.flushHandshake()
	out, err := c.wr.Seal(c.outBuf(), record.TypeChangeCipherSpec, []byte{1})
	if err != nil {
		return err
	}
	c.out = out
	return nil
}

func (s *sink) SendWarning(d record.AlertDescription) {
	(*Conn)(s).sendAlert(record.LevelWarning, d)
}

func (s *sink) SetVersion(v uint16) { s.wr.Version = record.Version(v) }

// InstallWriteKeys seals the handshake messages queued so far under the
// old keys, so that none of ours spans the change, then switches. Whether
// the peer's flight ended at the change is checked once the message being
// handled is done (see process): the flight it made us send, Finished
// included, goes out first, as it always has under TLS 1.2.
func (s *sink) InstallWriteKeys(p cipher.Protection) error {
	c := (*Conn)(s)
	c.flushHandshake()
	c.wr.Install(p)
	c.writeKeysChanged = true
	return nil
}

// InstallReadKeys switches reading to p. RFC 8446, Section 5.1: handshake
// messages MUST NOT span key changes, and the records before one must end
// with a whole message; otherwise unexpected_message.
func (s *sink) InstallReadKeys(p cipher.Protection) error {
	c := (*Conn)(s)
	if !c.reasm.Empty() {
		return record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage,
			"tls: excess handshake data before a key change")
	}
	c.rd.Install(p)
	return nil
}

func (s *sink) HandshakeDone(st *ConnectionState) {
	c := (*Conn)(s)
	c.state = st
	c.handshakeEnded = true
	c.push(Event{Kind: EventHandshakeDone, State: st})
	c.sendHeld() // after our Finished, under the new keys
}

// sendHeld seals the application data written during a renegotiation,
// and the close_notify that Close held back behind it.
func (c *Conn) sendHeld() {
	if len(c.held) == 0 {
		return
	}
	c.flushHandshake()
	out, err := c.wr.SealAll(c.outBuf(), record.TypeApplicationData, c.held, c.maxFragment)
	c.out, c.held = out, nil
	if err != nil {
		c.fail(err)
		return
	}
	if c.closing && !c.sentClose {
		c.sendClose()
	}
}

// Session queues a TLS 1.3 session after the records sent so far, so a
// server's ticket is on its way before the application hears of it.
func (s *sink) Session(st *session.State) {
	c := (*Conn)(s)
	c.sessions++
	c.push(Event{Kind: EventSession, Session: st})
}

func (s *sink) Keylog(line string) {
	(*Conn)(s).events = append(s.events, Event{Kind: EventKeylog, Keylog: line})
}

func (s *sink) KeylogWanted() bool { return !s.noKeylog }

// SetKeylog turns EventKeylog on or off for the key material made from
// then on; it is on until turned off. A caller that delivers key log
// lines to nobody turns it off and saves formatting them.
func (c *Conn) SetKeylog(on bool) { c.noKeylog = !on }
