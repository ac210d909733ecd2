package handshake

// Reassembler joins handshake-record fragments into whole handshake
// messages (RFC 5246, Section 6.2.1: messages may be split across records
// and several may share one record). A message header is checked against
// its type's cap as soon as its four bytes are in, so of an oversized
// message no more than the record carrying its header is buffered; the
// bytes of messages already returned are dropped on the next Add. When
// the caller takes every whole message with Next before the next Add (as
// the engine does), the buffer's length therefore stays under one partial
// message within its type's cap plus one record, however long the peer
// goes on; its capacity (Cap) can exceed that by what append's growth
// adds, until Release.
type Reassembler struct {
	// MaxCertificateList is the cap on Certificate and
	// CertificateRequest bodies (Config.MaxCertificateListSize; zero
	// means DefaultMaxCertificateListSize).
	MaxCertificateList int

	buf []byte
	off int
}

// Add appends one handshake record's plaintext. Messages returned by Next
// before are no longer valid.
func (r *Reassembler) Add(fragment []byte) error {
	// RFC 5246, Section 6.2.1: zero-length Handshake fragments MUST NOT be
	// sent. The engine skips them before they get here.
	if len(fragment) == 0 {
		return errUnexpected("tls: empty handshake record")
	}
	if r.off > 0 {
		// Compact: move the partial message to the front, so that a
		// stream of messages that each end in the next record does not
		// grow the buffer.
		n := copy(r.buf, r.buf[r.off:])
		r.buf, r.off = r.buf[:n], 0
	}
	r.buf = append(r.buf, fragment...)
	return r.check()
}

// check rejects the next message's header, once it is complete, if its
// type is unknown or its length over the type's cap, before its body
// arrives: a peer cannot make us buffer 16 MiB.
func (r *Reassembler) check() error {
	if b := r.buf[r.off:]; len(b) >= 4 {
		return checkMessageHeader(b, r.MaxCertificateList)
	}
	return nil
}

// Next returns the next whole message (header included), or ok == false when
// more bytes are needed. The slice aliases internal storage and is valid
// until the next Add.
func (r *Reassembler) Next() (msg []byte, ok bool, err error) {
	b := r.buf[r.off:]
	if len(b) < 4 {
		return nil, false, nil
	}
	if err := r.check(); err != nil {
		return nil, false, err
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if len(b) < 4+n {
		return nil, false, nil
	}
	r.off += 4 + n
	return b[:4+n], true, nil
}

// Empty reports whether no partial message is buffered. RFC 5246 requires
// that a ChangeCipherSpec (a key change) not interrupt a handshake message.
func (r *Reassembler) Empty() bool { return r.off == len(r.buf) }

// Release drops the buffer when nothing is waiting in it, so that an
// established connection does not keep its handshake's memory. Messages
// returned earlier stay valid: the memory is let go, not reused.
func (r *Reassembler) Release() {
	if r.Empty() {
		r.buf, r.off = nil, 0
	}
}

// Cap is the capacity of the reassembly buffer: what it holds on to.
func (r *Reassembler) Cap() int { return cap(r.buf) }
