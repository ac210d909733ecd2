package api

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/record"
	"github.com/tlsengine/tlsengine/x509lite"
)

// Error is an error with Node's code: a verification code such as
// CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ERR_TLS_HANDSHAKE_TIMEOUT,
// ECONNRESET, or for a failed handshake ERR_SSL_<REASON> (on the side
// that detected the problem, e.g. ERR_SSL_NO_SHARED_CIPHER) and
// ERR_SSL_TLSV1_ALERT_<NAME> / ERR_SSL_SSLV3_ALERT_<NAME> (on the side
// that received the alert). Use errors.As to get it; the engine's error
// stays reachable through Err.
type Error struct {
	Code    string
	Message string
	// Reason is OpenSSL's reason text behind an ERR_SSL_ code, as Node's
	// err.reason (e.g. "no shared cipher"); empty for other codes.
	Reason string
	Err    error
}

func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// nodeError gives an engine failure the code Node reports for the same
// failure; an *Error, a misuse of the API, a closed connection and
// transport errors pass through unchanged.
func nodeError(err error, isServer bool) error {
	var ae *Error
	if err == nil || errors.As(err, &ae) {
		return err
	}
	var ve *x509lite.VerifyError
	if errors.As(err, &ve) {
		// A Node client's message is OpenSSL's text; a Node server
		// drops a client that fails verification without one, so ours
		// keeps the engine's fuller text.
		msg := ve.Reason
		if isServer {
			msg = err.Error()
		}
		return &Error{Code: nodeVerifyCode(ve.Code), Message: msg, Err: err}
	}
	var dh *kex.WeakDHError
	if errors.As(err, &dh) {
		// Node's minDHSize check (lib/_tls_wrap.js, onConnectSecure).
		return &Error{Code: "ERR_TLS_DH_PARAM_SIZE", Message: fmt.Sprintf("DH parameter size %d is less than %d", dh.Bits, dh.Min), Err: err}
	}
	var alert *record.AlertError
	if errors.As(err, &alert) {
		reason, ok := alertReasons[alert.Alert.Description]
		if !ok {
			// OpenSSL has no reason text for the alert, and Node
			// reports the closed transport instead.
			return &Error{Code: "ECONNRESET", Message: err.Error(), Err: err}
		}
		return sslError(reason, err)
	}
	var re *record.Error
	if errors.As(err, &re) && !errors.Is(err, record.ErrMisuse) && !errors.Is(err, record.ErrClosed) {
		return sslError(sentReason(re, isServer), err)
	}
	return err
}

// sslError is Node's error for an OpenSSL reason: the code is "ERR_SSL_"
// and the reason in upper case with '_' for spaces (Node's
// crypto::ThrowCryptoError decoration).
func sslError(reason string, err error) *Error {
	code := "ERR_SSL_" + strings.ToUpper(strings.ReplaceAll(reason, " ", "_"))
	return &Error{Code: code, Message: err.Error(), Reason: reason, Err: err}
}

// alertReasons are OpenSSL's reason texts for a fatal alert received
// (SSL_R_SSLV3_ALERT_*, SSL_R_TLSV1_ALERT_*, SSL_AD_REASON_OFFSET + the
// alert): the alerts of SSL 3.0 are "sslv3 alert ...", the later ones
// "tlsv1 alert ...", five extension alerts lack the "alert", and the
// TLS 1.3 ones are "tlsv13 alert ...".
var alertReasons = map[record.AlertDescription]string{
	record.AlertUnexpectedMessage:            "sslv3 alert unexpected message",
	record.AlertBadRecordMAC:                 "sslv3 alert bad record mac",
	record.AlertDecryptionFailed:             "tlsv1 alert decryption failed",
	record.AlertRecordOverflow:               "tlsv1 alert record overflow",
	record.AlertDecompressionFailure:         "sslv3 alert decompression failure",
	record.AlertHandshakeFailure:             "sslv3 alert handshake failure",
	record.AlertNoCertificate:                "sslv3 alert no certificate",
	record.AlertBadCertificate:               "sslv3 alert bad certificate",
	record.AlertUnsupportedCertificate:       "sslv3 alert unsupported certificate",
	record.AlertCertificateRevoked:           "sslv3 alert certificate revoked",
	record.AlertCertificateExpired:           "sslv3 alert certificate expired",
	record.AlertCertificateUnknown:           "sslv3 alert certificate unknown",
	record.AlertIllegalParameter:             "sslv3 alert illegal parameter",
	record.AlertUnknownCA:                    "tlsv1 alert unknown ca",
	record.AlertAccessDenied:                 "tlsv1 alert access denied",
	record.AlertDecodeError:                  "tlsv1 alert decode error",
	record.AlertDecryptError:                 "tlsv1 alert decrypt error",
	record.AlertExportRestriction:            "tlsv1 alert export restriction",
	record.AlertProtocolVersion:              "tlsv1 alert protocol version",
	record.AlertInsufficientSecurity:         "tlsv1 alert insufficient security",
	record.AlertInternalError:                "tlsv1 alert internal error",
	record.AlertInappropriateFallback:        "tlsv1 alert inappropriate fallback",
	record.AlertUserCanceled:                 "tlsv1 alert user cancelled",
	record.AlertNoRenegotiation:              "tlsv1 alert no renegotiation",
	record.AlertMissingExtension:             "tlsv13 alert missing extension",
	record.AlertUnsupportedExtension:         "tlsv1 unsupported extension",
	record.AlertCertificateUnobtainable:      "tlsv1 certificate unobtainable",
	record.AlertUnrecognizedName:             "tlsv1 unrecognized name",
	record.AlertBadCertificateStatusResponse: "tlsv1 bad certificate status response",
	record.AlertBadCertificateHashValue:      "tlsv1 bad certificate hash value",
	record.AlertUnknownPSKIdentity:           "tlsv1 alert unknown psk identity",
	record.AlertCertificateRequired:          "tlsv13 alert certificate required",
	record.AlertNoApplicationProtocol:        "tlsv1 alert no application protocol",
}

// sentReasons are the OpenSSL reasons raised with each alert we send,
// for the case OpenSSL meets most (ssl/statem): where OpenSSL has several
// reasons for one alert, sentReason refines by the error's category.
var sentReasons = map[record.AlertDescription]string{
	record.AlertUnexpectedMessage:      "unexpected message",
	record.AlertBadRecordMAC:           "decryption failed or bad record mac",
	record.AlertRecordOverflow:         "packet length too long",
	record.AlertHandshakeFailure:       "ssl handshake failure",
	record.AlertBadCertificate:         "certificate verify failed",
	record.AlertUnsupportedCertificate: "wrong certificate type",
	record.AlertCertificateRevoked:     "certificate verify failed",
	record.AlertCertificateExpired:     "certificate verify failed",
	record.AlertCertificateUnknown:     "certificate verify failed",
	record.AlertUnknownCA:              "certificate verify failed",
	record.AlertIllegalParameter:       "bad value",
	record.AlertDecodeError:            "length mismatch",
	record.AlertDecryptError:           "digest check failed",
	record.AlertProtocolVersion:        "unsupported protocol",
	record.AlertInsufficientSecurity:   "insufficient security",
	record.AlertInappropriateFallback:  "inappropriate fallback",
	record.AlertNoRenegotiation:        "no renegotiation",
	record.AlertUnsupportedExtension:   "unsolicited extension",
	record.AlertUnrecognizedName:       "ssl3 ext invalid servername",
	record.AlertNoApplicationProtocol:  "no application protocol",
	// RFC 8446, Section 4.4.2.4: a TLS 1.3 server that requires a
	// certificate and got none (OpenSSL's tls_process_client_certificate).
	record.AlertCertificateRequired: "peer did not return a certificate",
}

// sentReason is the OpenSSL reason for a failure we detected and answered
// with re.Alert.
func sentReason(re *record.Error, isServer bool) string {
	switch re.Alert {
	case record.AlertHandshakeFailure:
		switch {
		case errors.Is(re, record.ErrBadCertificate):
			// RFC 5246, Section 7.4.6: a server requiring a
			// certificate got an empty Certificate.
			return "peer did not return a certificate"
		case isServer && errors.Is(re, record.ErrIncompatible):
			return "no shared cipher"
		}
	case record.AlertDecryptError:
		if re.Err != nil {
			// A signature (ServerKeyExchange, CertificateVerify) that
			// does not verify, with the verifier's cause.
			return "bad signature"
		}
	case record.AlertUnexpectedMessage:
		// Plain HTTP where a record was expected: OpenSSL's
		// ssl3_get_record names the requests it knows on a server and
		// reports anything else as a wrong version number.
		switch {
		case isServer && errors.Is(re, record.ErrHTTPRequest):
			return "http request"
		case isServer && errors.Is(re, record.ErrHTTPSProxyRequest):
			return "https proxy request"
		case errors.Is(re, record.ErrHTTPRequest), errors.Is(re, record.ErrHTTPSProxyRequest), errors.Is(re, record.ErrPlainHTTP):
			return "wrong version number"
		}
	case record.AlertProtocolVersion:
		if !errors.Is(re, record.ErrIncompatible) {
			// Not a version we refuse but a record that is not TLS, or
			// one whose version differs from the negotiated one
			// (OpenSSL's ssl3_get_record).
			return "wrong version number"
		}
	}
	if r, ok := sentReasons[re.Alert]; ok {
		return r
	}
	return "internal error"
}

// notNamedByNode are the verification codes of x509lite that Node does
// not name (X509ErrorCode in src/crypto/crypto_common.cc lists the ones
// it does): it reports them as UNSPECIFIED, with OpenSSL's text as the
// message.
var notNamedByNode = map[string]bool{
	x509lite.CodeUnhandledCriticalExtension: true, x509lite.CodeUnhandledCriticalCRLExtension: true,
	x509lite.CodePermittedViolation: true, x509lite.CodeExcludedViolation: true,
	x509lite.CodeUnsupportedNameSyntax: true, x509lite.CodeUnsupportedConstraintType: true,
	x509lite.CodeCAMDTooWeak: true, x509lite.CodeCAKeyTooSmall: true, x509lite.CodeEEKeyTooSmall: true,
	x509lite.CodeKeyUsageNoCRLSign: true,
}

// nodeVerifyCode is the code Node reports for a verification code.
func nodeVerifyCode(code string) string {
	if notNamedByNode[code] {
		return x509lite.CodeUnspecified
	}
	return code
}

// transportErrnoCodes are the transport failures Node reports with the
// errno's name as the error's code (libuv's UV_E* names).
var transportErrnoCodes = map[syscall.Errno]string{
	syscall.ECONNRESET:   "ECONNRESET",
	syscall.EPIPE:        "EPIPE",
	syscall.ETIMEDOUT:    "ETIMEDOUT",
	syscall.ECONNABORTED: "ECONNABORTED",
	syscall.EHOSTUNREACH: "EHOSTUNREACH",
	syscall.ENETUNREACH:  "ENETUNREACH",
}

// transportError is Node's error for a failed transport read or write:
// code ECONNRESET, message "read ECONNRESET" (the system call, then the
// code). Err keeps the *net.OpError, so errors.Is(err,
// syscall.ECONNRESET) still holds. Other errors pass unchanged.
func transportError(err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	code, ok := transportErrnoCodes[errno]
	if !ok {
		return err
	}
	msg := code
	var op *net.OpError
	if errors.As(err, &op) {
		msg = op.Op + " " + code
	}
	return &Error{Code: code, Message: msg, Err: err}
}
