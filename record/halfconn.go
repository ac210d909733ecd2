package record

import (
	"encoding/binary"

	"github.com/tlsengine/tlsengine/cipher"
)

// HalfConn is the protection state of one direction of a connection: the
// active protection and sequence number, and the pending protection that the
// next ChangeCipherSpec switches to (RFC 5246, Section 6.1).
type HalfConn struct {
	// Version is written in the header of every record sealed here.
	Version Version

	active  cipher.Protection // nil until the first ChangeCipherSpec
	pending cipher.Protection // set when the keys are derived, consumed by the CCS
	seq     uint64
	// scratch is reused for plaintext when opening, so a steady stream of
	// records allocates nothing.
	scratch []byte
}

// SetPending installs the protection the next ChangeCipherSpec activates.
func (h *HalfConn) SetPending(p cipher.Protection) { h.pending = p }

// HasPending reports whether a ChangeCipherSpec would switch protection now.
func (h *HalfConn) HasPending() bool { return h.pending != nil }

// Encrypted reports whether records in this direction are protected.
func (h *HalfConn) Encrypted() bool { return h.active != nil }

// ChangeCipherSpec makes the pending protection active and resets the
// sequence number (RFC 5246, Section 6.1). Without pending keys it is a
// protocol violation by whoever caused it.
func (h *HalfConn) ChangeCipherSpec() error {
	if h.pending == nil {
		return Errorf(ErrPeerMisbehaved, AlertUnexpectedMessage, "tls: ChangeCipherSpec before keys were agreed")
	}
	h.active, h.pending = h.pending, nil
	h.seq = 0
	return nil
}

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

// Open removes the protection from one record's fragment and returns the
// plaintext. The result aliases internal scratch space (or the fragment when
// no protection is active) and is valid until the next call.
func (h *HalfConn) Open(hdr Header, fragment []byte) ([]byte, error) {
	if h.active == nil {
		// RFC 5246, Section 6.2.1: TLSPlaintext.length MUST NOT exceed 2^14.
		if len(fragment) > MaxPlaintext {
			return nil, Errorf(ErrDecode, AlertRecordOverflow, "tls: plaintext record of %d bytes exceeds 2^14", len(fragment))
		}
		return fragment, nil
	}
	seq, err := h.nextSeq()
	if err != nil {
		return nil, err
	}
	out, err := h.active.Open(h.scratch[:0], seq, uint8(hdr.Type), uint16(hdr.Version), fragment)
	if err != nil {
		// RFC 5246, Section 7.2.2: any failure to authenticate, including
		// bad CBC padding, is reported as bad_record_mac.
		return nil, Wrap(ErrPeerMisbehaved, AlertBadRecordMAC, err, "tls: record authentication failed")
	}
	if cap(out) > cap(h.scratch) {
		h.scratch = out[:0]
	}
	// RFC 5246, Section 6.2.3: a decrypted fragment longer than 2^14 is
	// record_overflow.
	if len(out) > MaxPlaintext {
		return nil, Errorf(ErrDecode, AlertRecordOverflow, "tls: decrypted record of %d bytes exceeds 2^14", len(out))
	}
	return out, nil
}

// Seal appends one record carrying fragment (at most MaxPlaintext bytes) to
// dst, protected with the active protection.
func (h *HalfConn) Seal(dst []byte, t ContentType, fragment []byte) ([]byte, error) {
	start := len(dst)
	dst = AppendHeader(dst, t, h.Version, 0)
	if h.active == nil {
		dst = append(dst, fragment...)
	} else {
		seq, err := h.nextSeq()
		if err != nil {
			return dst[:start], err
		}
		dst = h.active.Seal(dst, seq, uint8(t), uint16(h.Version), fragment)
	}
	binary.BigEndian.PutUint16(dst[start+3:], uint16(len(dst)-start-HeaderLen))
	return dst, nil
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
