package record

import (
	"errors"
	"fmt"
)

// Error categories. Every error the engine reports wraps exactly one of them,
// so callers can branch with errors.Is without parsing strings.
var (
	// ErrDecode: the peer sent bytes that do not parse.
	ErrDecode = errors.New("tls: decode error")
	// ErrPeerMisbehaved: the peer's messages parse but break the protocol.
	ErrPeerMisbehaved = errors.New("tls: peer misbehaved")
	// ErrIncompatible: the peer and we share no version, suite, group or
	// other parameter the handshake needs.
	ErrIncompatible = errors.New("tls: peer incompatible")
	// ErrBadCertificate: the peer's certificate failed verification.
	ErrBadCertificate = errors.New("tls: bad certificate")
	// ErrAlertReceived: the peer sent a fatal alert.
	ErrAlertReceived = errors.New("tls: alert received")
	// ErrInternal: a local failure (randomness, a signing key).
	ErrInternal = errors.New("tls: internal error")
	// ErrMisuse: the caller used the API out of order or with bad arguments.
	ErrMisuse = errors.New("tls: API misuse")
	// ErrClosed: the connection is closed.
	ErrClosed = errors.New("tls: use of closed connection")
)

// Causes of the error for plain HTTP where a TLS record was expected,
// for errors.Is. OpenSSL (and so Node) names the first two on a server
// (SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST, for the methods it
// recognizes) and reports any other as a wrong version number.
var (
	// ErrHTTPRequest: a GET, POST, HEAD or PUT request.
	ErrHTTPRequest = errors.New("tls: the peer sent plain HTTP, not TLS")
	// ErrHTTPSProxyRequest: a CONNECT request, as sent to an HTTPS proxy.
	ErrHTTPSProxyRequest = errors.New("tls: the peer sent plain HTTP, not TLS (a CONNECT request, as to an HTTPS proxy)")
	// ErrPlainHTTP: another request, a response or an HTML page.
	ErrPlainHTTP = errors.New("tls: the peer sent plain HTTP, not TLS")
)

// Error is a concrete protocol error: a category, the alert it sends, and a
// reason that names the problem.
type Error struct {
	Category error            // one of the Err* categories above
	Alert    AlertDescription // the fatal alert this error sends to the peer
	Reason   string           // "tls: ..." text naming the problem
	Err      error            // an underlying cause, if any
}

// Errorf builds an Error whose reason is formatted; the reason must start
// with "tls: ".
func Errorf(category error, alert AlertDescription, format string, args ...any) *Error {
	return &Error{Category: category, Alert: alert, Reason: fmt.Sprintf(format, args...)}
}

// Wrap builds an Error around a cause.
func Wrap(category error, alert AlertDescription, cause error, format string, args ...any) *Error {
	return &Error{Category: category, Alert: alert, Reason: fmt.Sprintf(format, args...), Err: cause}
}

func (e *Error) Error() string {
	if e.Err != nil && e.Err.Error() != e.Reason {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

// Unwrap exposes both the category and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Category, e.Err}
	}
	return []error{e.Category}
}

// AlertError is a fatal alert received from the peer.
type AlertError struct {
	Alert Alert
	// InReplyToHello is set on a client when the alert answered its
	// ClientHello: the server refused the offer outright.
	InReplyToHello bool
}

func (e *AlertError) Error() string {
	msg := "tls: peer sent fatal alert: " + e.Alert.Description.String()
	if e.InReplyToHello {
		msg += " (in reply to our ClientHello)"
	}
	return msg
}

// Is makes AlertError match ErrAlertReceived.
func (e *AlertError) Is(target error) bool { return target == ErrAlertReceived }

// AlertFor is the one mapping from an error to the alert it sends. Errors
// that are not *Error send internal_error; received alerts and API misuse
// send nothing (ok is false).
func AlertFor(err error) (AlertDescription, bool) {
	var ae *AlertError
	if errors.As(err, &ae) || errors.Is(err, ErrMisuse) || errors.Is(err, ErrClosed) {
		return 0, false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Alert, true
	}
	return AlertInternalError, true
}
