package record

import (
	"fmt"

	"github.com/tlsengine/tlsengine/cipher"
)

// ContentType is the record content type (RFC 5246, Section 6.2.1).
type ContentType uint8

// Content types of RFC 5246, Section 6.2.1 and RFC 6520.
const (
	TypeChangeCipherSpec ContentType = 20
	TypeAlert            ContentType = 21
	TypeHandshake        ContentType = 22
	TypeApplicationData  ContentType = 23
	TypeHeartbeat        ContentType = 24
)

func (t ContentType) String() string {
	switch t {
	case TypeChangeCipherSpec:
		return "change_cipher_spec"
	case TypeAlert:
		return "alert"
	case TypeHandshake:
		return "handshake"
	case TypeApplicationData:
		return "application_data"
	case TypeHeartbeat:
		return "heartbeat"
	}
	return fmt.Sprintf("ContentType(%d)", uint8(t))
}

// Version is a protocol version as it appears on the wire; its values are
// cipher's constants (cipher.VersionTLS12).
type Version uint16

// String returns the version the way Node and OpenSSL name it ("TLSv1.2"):
// the project's one table of version names.
func (v Version) String() string {
	switch v {
	case cipher.VersionSSL30:
		return "SSLv3"
	case cipher.VersionTLS10:
		return "TLSv1"
	case cipher.VersionTLS11:
		return "TLSv1.1"
	case cipher.VersionTLS12:
		return "TLSv1.2"
	case cipher.VersionTLS13:
		return "TLSv1.3"
	}
	return fmt.Sprintf("Version(0x%04x)", uint16(v))
}

// AlertLevel is the level byte of an alert (RFC 5246, Section 7.2).
type AlertLevel uint8

// Alert levels.
const (
	LevelWarning AlertLevel = 1
	LevelFatal   AlertLevel = 2
)

func (l AlertLevel) String() string {
	switch l {
	case LevelWarning:
		return "warning"
	case LevelFatal:
		return "fatal"
	}
	return fmt.Sprintf("AlertLevel(%d)", uint8(l))
}

// AlertDescription is the description byte of an alert (RFC 5246, Section
// 7.2, and later registrations).
type AlertDescription uint8

// Alert descriptions.
const (
	AlertCloseNotify                  AlertDescription = 0
	AlertUnexpectedMessage            AlertDescription = 10
	AlertBadRecordMAC                 AlertDescription = 20
	AlertDecryptionFailed             AlertDescription = 21
	AlertRecordOverflow               AlertDescription = 22
	AlertDecompressionFailure         AlertDescription = 30
	AlertHandshakeFailure             AlertDescription = 40
	AlertNoCertificate                AlertDescription = 41
	AlertBadCertificate               AlertDescription = 42
	AlertUnsupportedCertificate       AlertDescription = 43
	AlertCertificateRevoked           AlertDescription = 44
	AlertCertificateExpired           AlertDescription = 45
	AlertCertificateUnknown           AlertDescription = 46
	AlertIllegalParameter             AlertDescription = 47
	AlertUnknownCA                    AlertDescription = 48
	AlertAccessDenied                 AlertDescription = 49
	AlertDecodeError                  AlertDescription = 50
	AlertDecryptError                 AlertDescription = 51
	AlertExportRestriction            AlertDescription = 60
	AlertProtocolVersion              AlertDescription = 70
	AlertInsufficientSecurity         AlertDescription = 71
	AlertInternalError                AlertDescription = 80
	AlertInappropriateFallback        AlertDescription = 86
	AlertUserCanceled                 AlertDescription = 90
	AlertNoRenegotiation              AlertDescription = 100
	AlertMissingExtension             AlertDescription = 109
	AlertUnsupportedExtension         AlertDescription = 110
	AlertCertificateUnobtainable      AlertDescription = 111
	AlertUnrecognizedName             AlertDescription = 112
	AlertBadCertificateStatusResponse AlertDescription = 113
	AlertBadCertificateHashValue      AlertDescription = 114
	AlertUnknownPSKIdentity           AlertDescription = 115
	AlertCertificateRequired          AlertDescription = 116
	AlertNoApplicationProtocol        AlertDescription = 120
)

var alertNames = map[AlertDescription]string{
	AlertCloseNotify:                  "close notify",
	AlertUnexpectedMessage:            "unexpected message",
	AlertBadRecordMAC:                 "bad record MAC",
	AlertDecryptionFailed:             "decryption failed",
	AlertRecordOverflow:               "record overflow",
	AlertDecompressionFailure:         "decompression failure",
	AlertHandshakeFailure:             "handshake failure",
	AlertNoCertificate:                "no certificate",
	AlertBadCertificate:               "bad certificate",
	AlertUnsupportedCertificate:       "unsupported certificate",
	AlertCertificateRevoked:           "revoked certificate",
	AlertCertificateExpired:           "expired certificate",
	AlertCertificateUnknown:           "unknown certificate",
	AlertIllegalParameter:             "illegal parameter",
	AlertUnknownCA:                    "unknown certificate authority",
	AlertAccessDenied:                 "access denied",
	AlertDecodeError:                  "error decoding message",
	AlertDecryptError:                 "error decrypting message",
	AlertExportRestriction:            "export restriction",
	AlertProtocolVersion:              "protocol version not supported",
	AlertInsufficientSecurity:         "insufficient security level",
	AlertInternalError:                "internal error",
	AlertInappropriateFallback:        "inappropriate fallback",
	AlertUserCanceled:                 "user canceled",
	AlertNoRenegotiation:              "no renegotiation",
	AlertMissingExtension:             "missing extension",
	AlertUnsupportedExtension:         "unsupported extension",
	AlertCertificateUnobtainable:      "certificate unobtainable",
	AlertUnrecognizedName:             "unrecognized name",
	AlertBadCertificateStatusResponse: "bad certificate status response",
	AlertBadCertificateHashValue:      "bad certificate hash value",
	AlertUnknownPSKIdentity:           "unknown PSK identity",
	AlertCertificateRequired:          "certificate required",
	AlertNoApplicationProtocol:        "no application protocol",
}

func (d AlertDescription) String() string {
	if s, ok := alertNames[d]; ok {
		return s
	}
	return fmt.Sprintf("alert(%d)", uint8(d))
}

// Alert is one alert message.
type Alert struct {
	Level       AlertLevel
	Description AlertDescription
}

func (a Alert) String() string { return a.Level.String() + " " + a.Description.String() }
