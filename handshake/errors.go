package handshake

import (
	"errors"

	"github.com/tlsengine/tlsengine/record"
)

// The constructors below keep the failure sites short: each names its
// category and alert, and the reason says what went wrong.

func errDecode(format string, args ...any) error {
	return record.Errorf(record.ErrDecode, record.AlertDecodeError, format, args...)
}

func errUnexpected(format string, args ...any) error {
	return record.Errorf(record.ErrPeerMisbehaved, record.AlertUnexpectedMessage, format, args...)
}

func errIllegal(format string, args ...any) error {
	return record.Errorf(record.ErrPeerMisbehaved, record.AlertIllegalParameter, format, args...)
}

func errHandshakeFailure(format string, args ...any) error {
	return record.Errorf(record.ErrIncompatible, record.AlertHandshakeFailure, format, args...)
}

func errMisuse(format string, args ...any) error {
	return record.Errorf(record.ErrMisuse, record.AlertInternalError, format, args...)
}

func errInternal(cause error, format string, args ...any) error {
	return record.Wrap(record.ErrInternal, record.AlertInternalError, cause, format, args...)
}

// decodeFailure turns a codec error into a decode_error protocol error.
func decodeFailure(err error) error {
	var re *record.Error
	if errors.As(err, &re) {
		return err
	}
	return record.Wrap(record.ErrDecode, record.AlertDecodeError, err, "%s", err.Error())
}
