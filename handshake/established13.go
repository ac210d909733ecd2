package handshake

import (
	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/keysched"
	"github.com/tlsengine/tlsengine/record"
)

// established13 is a TLS 1.3 connection after its handshake. It carries
// traffic and takes the post-handshake messages (RFC 8446, Section 4.6):
// KeyUpdate, and on a client NewSessionTicket (tickets13.go). There is no renegotiation (Section
// 4.1.2): a ClientHello or HelloRequest is unexpected_message.
type established13 struct {
	suite *cipher.Suite
	// read and write are the current application traffic secrets of
	// each direction, which KeyUpdate advances (Section 7.2).
	read, write *keysched.ApplicationTrafficSecret
	isClient    bool
	// tickets turns a client's NewSessionTickets into sessions.
	tickets *clientTickets
	// updateOwed is set once we sent a KeyUpdate that answers the peer's
	// update_requested and have written no application data since: a
	// further request before then is already answered (RFC 8446, Section
	// 4.6.3 asks for one KeyUpdate before our next application data), so
	// a flood of requests costs one answer, and engine's no-progress
	// bound ends it.
	updateOwed bool
	// readGen and writeGen count each direction's KeyUpdates: the N of
	// its key log label (keylogTrafficLabel).
	readGen, writeGen int
}

// newEstablished13 is the connection a completed TLS 1.3 handshake
// leaves, with both sides' first application traffic secrets.
func newEstablished13(s *cipher.Suite, clientApp, serverApp *keysched.ApplicationTrafficSecret, isClient bool) *established13 {
	e := &established13{suite: s, isClient: isClient, read: clientApp, write: serverApp}
	if isClient {
		e.read, e.write = serverApp, clientApp
	}
	return e
}

func (s *established13) handle(m *Machine, in input) (state, error) {
	switch msg := in.msg.(type) {
	case *KeyUpdate:
		// RFC 8446, Section 4.6.3: the peer's next records are under
		// its next traffic secret; the message must end its record
		// (Section 5.1, checked by InstallReadKeys).
		s.read = s.read.Next()
		s.readGen++
		m.keylog13(keylogTrafficLabel(!s.isClient, s.readGen), s.read, m.keylogRandom)
		if err := installRead(m, s.suite, s.read); err != nil {
			return nil, err
		}
		if msg.UpdateRequested && !s.updateOwed {
			if err := s.updateWrite(m, false); err != nil {
				return nil, err
			}
			s.updateOwed = true
		}
		return s, nil
	case *NewSessionTicket13:
		if s.isClient {
			if s.tickets != nil {
				if err := s.tickets.receive(m, msg); err != nil {
					return nil, err
				}
			}
			return s, nil
		}
	}
	return nil, unexpected(in, "KeyUpdate or application data")
}

// updateWrite sends a KeyUpdate and moves our writing to the next
// traffic secret (RFC 8446, Section 4.6.3).
func (s *established13) updateWrite(m *Machine, requestPeer bool) error {
	raw, err := (&KeyUpdate{UpdateRequested: requestPeer}).Marshal()
	if err != nil {
		return errInternal(err, "tls: marshaling KeyUpdate")
	}
	m.sink.SendMessage(raw)
	s.write = s.write.Next()
	s.writeGen++
	m.keylog13(keylogTrafficLabel(s.isClient, s.writeGen), s.write, m.keylogRandom)
	return installWrite(m, s.suite, s.write)
}

// UpdateKeys sends a KeyUpdate on a TLS 1.3 connection, asking the peer to
// update its keys too when requestPeer is set (RFC 8446, Section 4.6.3).
func (m *Machine) UpdateKeys(requestPeer bool) error {
	s, ok := m.state.(*established13)
	if !ok {
		return errMisuse("tls: KeyUpdate needs an established TLS 1.3 connection")
	}
	return s.updateWrite(m, requestPeer)
}

// BeforeApplicationData is called before application data is sealed;
// records is how many records the current write key has protected. Under
// TLS 1.3 it sends a KeyUpdate when records has reached limit (RFC 8446,
// Section 5.5: the AEAD limits), and clears the answered-request mark;
// under TLS 1.2 it does nothing.
func (m *Machine) BeforeApplicationData(records, limit uint64) error {
	s, ok := m.state.(*established13)
	if !ok {
		return nil
	}
	s.updateOwed = false
	if records < limit {
		return nil
	}
	return s.updateWrite(m, false)
}

// WarningIsFatal reports whether a warning alert with description d ends
// the connection: in TLS 1.3 every alert but close_notify and
// user_canceled is fatal whatever its level (RFC 8446, Section 6).
func (m *Machine) WarningIsFatal(d record.AlertDescription) bool {
	return m.version == cipher.VersionTLS13 && d != record.AlertCloseNotify && d != record.AlertUserCanceled
}
