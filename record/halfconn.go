package record

import (
	"errors"

	"github.com/tlsengine/tlsengine/cipher"
)

// HalfConn is the protection state of one direction of a connection: the
// protection in force and its sequence number. Keys are installed directly
// (Install); TLS 1.2's pending -> ChangeCipherSpec -> active sequence
// (RFC 5246, Section 6.1) is driven on top of it by the handshake, which
// installs each direction's keys when its ChangeCipherSpec goes out or
// comes in.
type HalfConn struct {
	// Version is written in the header of every record sealed here.
	Version Version

	active cipher.Protection // nil until the first keys are installed
	seq    uint64
	// scratch is reused for plaintext when opening, so a steady stream of
	// records allocates nothing.
	scratch []byte
}

// Install makes p the protection of the records that follow and resets the
// sequence number to 0 (RFC 5246, Section 6.1; RFC 8446, Section 5.3).
func (h *HalfConn) Install(p cipher.Protection) {
	h.active = p
	h.seq = 0
}

// Protection returns the protection in force, or nil while records are
// plaintext.
func (h *HalfConn) Protection() cipher.Protection { return h.active }

// Seq is the sequence number of the next record: how many records the
// current protection has sealed or opened.
func (h *HalfConn) Seq() uint64 { return h.seq }

// Skip takes back the sequence number of the record that just failed to
// open, for a record that is dropped instead of failing the connection
// (TLS 1.3 early data a server refused, RFC 8446, Section 4.2.10).
func (h *HalfConn) Skip() {
	if h.seq > 0 {
		h.seq--
	}
}

// Encrypted reports whether records in this direction are protected.
func (h *HalfConn) Encrypted() bool { return h.active != nil }

// nextSeq returns the sequence number to use and advances it. RFC 5246,
// Section 6.1: sequence numbers MUST NOT wrap; the connection must be
// renegotiated first, so reaching the end is fatal.
func (h *HalfConn) nextSeq() (uint64, error) {
	if h.seq == ^uint64(0) {
		return 0, Errorf(ErrInternal, AlertInternalError, "tls: record sequence number exhausted")
	}
	s := h.seq
	h.seq++
	return s, nil
}

// Open removes the protection from one record and returns its content
// type and plaintext: the header's type while records are plaintext, and
// what the protection reports once keys are installed (TLS 1.3 carries the
// type inside the encryption). The plaintext aliases internal scratch
// space (or the fragment when no protection is active) and is valid until
// the next call. hdr.Raw, the header as received, is what the protection
// authenticates.
func (h *HalfConn) Open(hdr Header, fragment []byte) (ContentType, []byte, error) {
	if h.active == nil {
		// RFC 5246, Section 6.2.1: TLSPlaintext.length MUST NOT exceed 2^14.
		if len(fragment) > MaxPlaintext {
			return 0, nil, Errorf(ErrDecode, AlertRecordOverflow, "tls: plaintext record of %d bytes exceeds 2^14", len(fragment))
		}
		return hdr.Type, fragment, nil
	}
	seq, err := h.nextSeq()
	if err != nil {
		return 0, nil, err
	}
	typ, out, err := h.active.Open(h.scratch[:0], seq, hdr.Raw, fragment)
	if err != nil {
		return 0, nil, openError(err)
	}
	if cap(out) > cap(h.scratch) {
		h.scratch = out[:0]
	}
	// RFC 5246, Section 6.2.3: a decrypted fragment longer than 2^14 is
	// record_overflow.
	if len(out) > MaxPlaintext {
		return 0, nil, Errorf(ErrDecode, AlertRecordOverflow, "tls: decrypted record of %d bytes exceeds 2^14", len(out))
	}
	return ContentType(typ), out, nil
}

// openError maps an error of cipher.Protection.Open to its alert.
func openError(err error) error {
	switch {
	case errors.Is(err, cipher.ErrRecordOverflow):
		// RFC 8446, Sections 5.2 and 5.4.
		return Wrap(ErrDecode, AlertRecordOverflow, err, "tls: record too long")
	case errors.Is(err, cipher.ErrOuterType), errors.Is(err, cipher.ErrNoContentType):
		// RFC 8446, Sections 5.2 and 5.4.
		return Wrap(ErrPeerMisbehaved, AlertUnexpectedMessage, err, "%s", err.Error())
	}
	// RFC 5246, Section 7.2.2: any failure to authenticate, including
	// bad CBC padding, is reported as bad_record_mac.
	return Wrap(ErrPeerMisbehaved, AlertBadRecordMAC, err, "tls: record authentication failed")
}

// Seal appends one record carrying fragment (at most MaxPlaintext bytes) to
// dst, protected with the active protection.
func (h *HalfConn) Seal(dst []byte, t ContentType, fragment []byte) ([]byte, error) {
	if h.active == nil {
		dst = AppendHeader(dst, t, h.Version, len(fragment))
		return append(dst, fragment...), nil
	}
	seq, err := h.nextSeq()
	if err != nil {
		return dst, err
	}
	return h.active.Seal(dst, seq, uint8(t), uint16(h.Version), fragment), nil
}

// SealAll appends data as a sequence of records of at most maxFragment
// bytes each.
func (h *HalfConn) SealAll(dst []byte, t ContentType, data []byte, maxFragment int) ([]byte, error) {
	if maxFragment <= 0 || maxFragment > MaxPlaintext {
		maxFragment = MaxPlaintext
	}
	if h.active != nil {
		// Reserve room for all records up front.
		n := (len(data)+maxFragment-1)/maxFragment + 1 // +1 for the 1/n-1 split
		need := len(data) + n*(HeaderLen+h.active.Overhead())
		if cap(dst)-len(dst) < need {
			nd := make([]byte, len(dst), len(dst)+need)
			copy(nd, dst)
			dst = nd
		}
	}
	var err error
	// The 1/n-1 split: under a predictable IV, the first byte of
	// application data goes alone, so the next record's IV is a MAC the
	// attacker could not choose plaintext against.
	if pi, ok := h.active.(cipher.PredictableIV); ok && pi.PredictableIV() && t == TypeApplicationData && len(data) > 1 {
		if dst, err = h.Seal(dst, t, data[:1]); err != nil {
			return dst, err
		}
		data = data[1:]
	}
	for len(data) > 0 {
		n := min(len(data), maxFragment)
		if dst, err = h.Seal(dst, t, data[:n]); err != nil {
			return dst, err
		}
		data = data[n:]
	}
	return dst, nil
}
