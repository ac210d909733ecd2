package handshake

import (
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/session"
)

// Decision is a question the handshake needs the application to answer
// before it can continue. Each concrete decision makes its own Answer,
// so that an answer of the wrong kind does not compile:
//
//	*SessionLookupDecision  Answer(*session.State)  the stored session, nil when unknown
//	*ServerContextDecision  Answer(*Config)         the configuration for this ClientHello, nil keeps it
//	*OCSPDecision           Answer([]byte)          a DER OCSPResponse to staple, nil for none
//	*RenegotiationDecision  Accept()                start the client's renegotiation
//
// Every decision also answers Decline() (the default: no session, the
// current configuration, no staple, no renegotiation) and Fail(err)
// (abort the handshake with an internal_error alert).
type Decision interface {
	// Decline answers with the default.
	Decline() Answer
	// Fail answers with an error that aborts the handshake; Fail(nil)
	// is Decline().
	Fail(err error) Answer
	ask() *question
}

// question is embedded in every decision: its address ties an Answer to
// the decision it answers, and failed names the decision in the error of
// a Fail answer.
type question struct{ failed string }

// Decline answers the decision with its default.
func (q *question) Decline() Answer { return Answer{to: q} }

// Fail answers the decision with an error that aborts the handshake.
func (q *question) Fail(err error) Answer { return Answer{to: q, err: err} }

func (q *question) ask() *question { return q }

// Answer is the application's answer to one Decision, made by that
// decision's methods. The zero Answer answers nothing.
type Answer struct {
	to      *question
	err     error
	cfg     *Config
	session *session.State
	ocsp    []byte
	accept  bool
}

// Answer uses cfg (certificates, CAs, suites) for the rest of this
// handshake; nil keeps the current configuration. The protocol version
// is already chosen from the connection's Config (as OpenSSL keeps it
// when Node's SNICallback switches the context).
func (d *ServerContextDecision) Answer(cfg *Config) Answer {
	return Answer{to: &d.question, cfg: cfg}
}

// Answer resumes st if the resumption checks accept it; nil means the
// session is unknown and a full handshake follows.
func (d *SessionLookupDecision) Answer(st *session.State) Answer {
	return Answer{to: &d.question, session: st}
}

// Answer staples resp, a DER OCSPResponse; nil staples nothing.
func (d *OCSPDecision) Answer(resp []byte) Answer {
	return Answer{to: &d.question, ocsp: resp}
}

// Accept starts the renegotiation the client asked for.
func (d *RenegotiationDecision) Accept() Answer {
	return Answer{to: &d.question, accept: true}
}

// Resolve answers the pending decision with an Answer made by that
// decision (Pending). An answer made for another decision is refused.
func (m *Machine) Resolve(a Answer) error {
	aw, ok := m.state.(awaiting)
	if !ok {
		return errMisuse("tls: Resolve called with no decision pending")
	}
	q := aw.decision().ask()
	if a.to != q {
		return errMisuse("tls: Resolve called with an answer to another decision")
	}
	if a.err != nil {
		return record.Wrap(record.ErrInternal, record.AlertInternalError, a.err, "%s", q.failed)
	}
	next, err := aw.resolve(m, a)
	if err != nil {
		return err
	}
	m.state = next
	return nil
}
