package main

import (
	"errors"
	"regexp"
	"strings"

	"github.com/tlsengine/tlsengine/record"
)

// codeTable maps our error reasons to BoringSSL's error codes, which the
// runner matches in stderr. The first matching pattern wins.
var codeTable = []struct {
	pattern *regexp.Regexp
	code    string
}{
	{regexp.MustCompile(`curve of our ECDSA certificate`), "WRONG_CURVE"},
	// TLS 1.3 (RFC 8446) reasons, before the TLS 1.2 patterns they overlap.
	{regexp.MustCompile(`plaintext exceeds 2\^14\+1 bytes`), "DATA_LENGTH_TOO_LONG"},
	{regexp.MustCompile(`not allowed for its .* key in TLS 1.3`), "WRONG_SIGNATURE_TYPE"},
	{regexp.MustCompile(`TLS 1.3 signature scheme the client accepts|ClientHello without signature_algorithms`), "NO_COMMON_SIGNATURE_ALGORITHMS"},
	{regexp.MustCompile(`EncryptedExtensions carries the .* extension`), "ERROR_PARSING_EXTENSION"},
	{regexp.MustCompile(`invalid peer key share`), "BAD_ECPOINT"},
	{regexp.MustCompile(`Group\(0x0000\), for which we sent no share`), "MISSING_KEY_SHARE"},
	{regexp.MustCompile(`for which we sent no share|HelloRetryRequest asks for group`), "WRONG_CURVE"},
	{regexp.MustCompile(`offers two key shares for group`), "DUPLICATE_KEY_SHARE"},
	{regexp.MustCompile(`TLS 1.3 ClientHello without key_share|second ClientHello carries no key share`), "MISSING_KEY_SHARE"},
	{regexp.MustCompile(`TLS 1.3 ClientHello without supported_groups`), "NO_SHARED_GROUP"},
	{regexp.MustCompile(`second ClientHello does not carry exactly one key share`), "WRONG_CURVE"},
	{regexp.MustCompile(`HelloRetryRequest with legacy_version`), "DECODE_ERROR"},
	{regexp.MustCompile(`ServerHello with legacy_version`), "UNSUPPORTED_PROTOCOL"},
	{regexp.MustCompile(`after a HelloRetryRequest selected version`), "SECOND_SERVERHELLO_VERSION_MISMATCH"},
	{regexp.MustCompile(`through supported_versions|(ServerHello|HelloRetryRequest) carries the .* extension`), "UNEXPECTED_EXTENSION"},
	{regexp.MustCompile(`changed the cipher suite of the HelloRetryRequest|not a TLS 1.3 suite we offered`), "WRONG_CIPHER_RETURNED"},
	{regexp.MustCompile(`HelloRetryRequest that changes nothing`), "EMPTY_HELLO_RETRY_REQUEST"},
	{regexp.MustCompile(`a second HelloRetryRequest`), "UNEXPECTED_MESSAGE"},
	{regexp.MustCompile(`malformed (ClientHello|ServerHello): (cookie|key_share) extension`), "DECODE_ERROR"},
	{regexp.MustCompile(`CertificateRequest with a non-empty context|KeyUpdate request_update of`), "DECODE_ERROR"},
	{regexp.MustCompile(`a second ChangeCipherSpec in a TLS 1.3 handshake`), "TOO_MANY_EMPTY_FRAGMENTS"},
	{regexp.MustCompile(`TLS 1.3 record without a content type`), "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"},
	{regexp.MustCompile(`outer type is not application_data`), "INVALID_OUTER_RECORD_TYPE"},
	{regexp.MustCompile(`TLS 1.3 ClientHello with compression methods`), "INVALID_COMPRESSION_LIST"},
	{regexp.MustCompile(`server sent an empty TLS 1.3 Certificate`), "PEER_DID_NOT_RETURN_A_CERTIFICATE"},
	{regexp.MustCompile(`too many ignored handshake messages`), "TOO_MANY_KEY_UPDATES"},
	{regexp.MustCompile(`no shared cipher suite`), "NO_SHARED_CIPHER"},
	{regexp.MustCompile(`pre_shared_key without psk_key_exchange_modes`), "MISSING_EXTENSION"},
	{regexp.MustCompile(`server selected a PSK we did not offer`), "PSK_IDENTITY_NOT_FOUND"},
	{regexp.MustCompile(`PSK binder does not verify`), "DIGEST_CHECK_FAILED"},
	{regexp.MustCompile(`PSK identities with .* binders`), "PSK_IDENTITY_BINDER_COUNT_MISMATCH"},
	{regexp.MustCompile(`pre_shared_key is not the last extension`), "PRE_SHARED_KEY_MUST_BE_LAST"},
	{regexp.MustCompile(`malformed ClientHello: pre_shared_key extension`), "DECODE_ERROR"},
	{regexp.MustCompile(`whose hash is not our PSK's`), "OLD_SESSION_PRF_HASH_MISMATCH"},
	{regexp.MustCompile(`resumed the session with a different version`), "OLD_SESSION_VERSION_NOT_RETURNED"},
	{regexp.MustCompile(`resumed the session with a different cipher suite`), "OLD_SESSION_CIPHER_NOT_RETURNED"},
	{regexp.MustCompile(`resumed an extended-master-secret session without the extension`), "RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION"},
	{regexp.MustCompile(`resumed a session without extended master secret using the extension`), "RESUMED_NON_EMS_SESSION_WITH_EMS_EXTENSION"},
	{regexp.MustCompile(`downgrade to version`), "TLS13_DOWNGRADE"},
	{regexp.MustCompile(`changed the version`), "WRONG_SSL_VERSION"},
	{regexp.MustCompile(`Ed25519 certificates need TLS 1.2`), "PEER_ERROR_UNSUPPORTED_CERTIFICATE_TYPE"},
	{regexp.MustCompile(`certificate's curve is not one we offered`), "BAD_ECC_CERT"},
	{regexp.MustCompile(`which does not match its`), "WRONG_SIGNATURE_TYPE"},
	{regexp.MustCompile(`ec_point_formats`), "ERROR_PARSING_EXTENSION"},
	{regexp.MustCompile(`malformed ClientHello: (version or random|session_id|cipher_suites|compression_methods|extensions)$`), "CLIENTHELLO_PARSE_FAILED"},
	{regexp.MustCompile(`record authentication failed`), "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"},
	{regexp.MustCompile(`decrypted record of`), "DATA_LENGTH_TOO_LONG"},
	{regexp.MustCompile(`oversized record|exceeds 2\^14`), "ENCRYPTED_LENGTH_TOO_LONG"},
	{regexp.MustCompile(`null compression`), "INVALID_COMPRESSION_LIST"},
	{regexp.MustCompile(`inappropriate fallback`), "INAPPROPRIATE_FALLBACK"},
	{regexp.MustCompile(`Finished does not verify`), "DIGEST_CHECK_FAILED"},
	{regexp.MustCompile(`scheme .* that was not requested|unoffered signature scheme`), "WRONG_SIGNATURE_TYPE"},
	{regexp.MustCompile(`invalid .*signature`), "BAD_SIGNATURE"},
	{regexp.MustCompile(`ECDHE public value`), "BAD_ECPOINT"},
	{regexp.MustCompile(`unoffered group|not an ECDHE curve, in TLS 1.2`), "WRONG_CURVE"},
	{regexp.MustCompile(`echoed a session id we offered no session for`), "SERVER_ECHOED_INVALID_SESSION_ID"},
	{regexp.MustCompile(`CONNECT`), "HTTPS_PROXY_REQUEST"},
	{regexp.MustCompile(`plain HTTP`), "HTTP_REQUEST"},
	{regexp.MustCompile(`renegotiate after our close_notify`), "NO_RENEGOTIATION"},
	{regexp.MustCompile(`after our close_notify`), "APPLICATION_DATA_ON_SHUTDOWN"},
	{regexp.MustCompile(`key usage`), "KEY_USAGE_BIT_INCORRECT"},
	{regexp.MustCompile(`failed to parse peer certificate`), "CANNOT_PARSE_LEAF_CERT"},
	{regexp.MustCompile(`malformed ChangeCipherSpec`), "BAD_CHANGE_CIPHER_SPEC"},
	{regexp.MustCompile(`malformed HelloRequest`), "BAD_HELLO_REQUEST"},
	{regexp.MustCompile(`server certificate changed during renegotiation`), "SERVER_CERT_CHANGED"},
	{regexp.MustCompile(`extended master secret setting changed in a renegotiation`), "RENEGOTIATION_EMS_MISMATCH"},
	{regexp.MustCompile(`OCSP callback failed|OCSP decision failed`), "OCSP_CB_ERROR"},
	{regexp.MustCompile(`expected ChangeCipherSpec|unexpected ChangeCipherSpec`), "UNEXPECTED_RECORD"},
	{regexp.MustCompile(`unknown handshake message type`), "UNEXPECTED_MESSAGE"},
	{regexp.MustCompile(`compression method`), "UNSUPPORTED_COMPRESSION_ALGORITHM"},
	{regexp.MustCompile(`excess handshake data`), "EXCESS_HANDSHAKE_DATA"},
	{regexp.MustCompile(`ChangeCipherSpec inside`), "UNEXPECTED_RECORD"},
	{regexp.MustCompile(`before the handshake completed`), "UNEXPECTED_RECORD"},
	{regexp.MustCompile(`unexpected .* message|unexpected ChangeCipherSpec|before keys were agreed`), "UNEXPECTED_MESSAGE"},
	{regexp.MustCompile(`unknown record type|unexpected .* record`), "UNEXPECTED_RECORD"},
	{regexp.MustCompile(`record version|is not TLS`), "WRONG_VERSION_NUMBER"},
	{regexp.MustCompile(`client offered version|unsupported version`), "UNSUPPORTED_PROTOCOL"},
	{regexp.MustCompile(`exceeds the .*-byte limit`), "EXCESSIVE_MESSAGE_SIZE"},
	{regexp.MustCompile(`did not return a certificate`), "PEER_DID_NOT_RETURN_A_CERTIFICATE"},
	{regexp.MustCompile(`renegotiation_info`), "RENEGOTIATION_MISMATCH"},
	{regexp.MustCompile(`no application protocol`), "NO_APPLICATION_PROTOCOL"},
	{regexp.MustCompile(`unadvertised ALPN`), "INVALID_ALPN_PROTOCOL"},
	{regexp.MustCompile(`unrequested extension`), "UNEXPECTED_EXTENSION"},
	{regexp.MustCompile(`duplicate`), "DUPLICATE_EXTENSION"},
	{regexp.MustCompile(`malformed (ClientHello|ServerHello|EncryptedExtensions): .* extension`), "PARSE_TLSEXT"},
	{regexp.MustCompile(`cipher suite that was not offered|cannot be used with version`), "WRONG_CIPHER_RETURNED"},
	{regexp.MustCompile(`certificate key does not match`), "WRONG_CERTIFICATE_TYPE"},
	{regexp.MustCompile(`verification failed`), "CERTIFICATE_VERIFY_FAILED"},
	{regexp.MustCompile(`too many empty records`), "TOO_MANY_EMPTY_FRAGMENTS"},
	{regexp.MustCompile(`too many warning alerts`), "TOO_MANY_WARNING_ALERTS"},
	{regexp.MustCompile(`alert with unknown level`), "UNKNOWN_ALERT_TYPE"},
	{regexp.MustCompile(`malformed alert`), "BAD_ALERT"},
	{regexp.MustCompile(`malformed|decode|empty handshake record|empty certificate list`), "DECODE_ERROR"},
	{regexp.MustCompile(`without close_notify`), "UNEXPECTED_EOF"},
}

// alertCodes are the codes of alerts received from the peer (BoringSSL
// names them SSLV3_ALERT_* or TLSV1_ALERT_*).
var alertCodes = map[record.AlertDescription]string{
	record.AlertCloseNotify:                  "SSLV3_ALERT_CLOSE_NOTIFY",
	record.AlertUnexpectedMessage:            "SSLV3_ALERT_UNEXPECTED_MESSAGE",
	record.AlertBadRecordMAC:                 "SSLV3_ALERT_BAD_RECORD_MAC",
	record.AlertDecryptionFailed:             "TLSV1_ALERT_DECRYPTION_FAILED",
	record.AlertRecordOverflow:               "TLSV1_ALERT_RECORD_OVERFLOW",
	record.AlertDecompressionFailure:         "SSLV3_ALERT_DECOMPRESSION_FAILURE",
	record.AlertHandshakeFailure:             "SSLV3_ALERT_HANDSHAKE_FAILURE",
	record.AlertNoCertificate:                "SSLV3_ALERT_NO_CERTIFICATE",
	record.AlertBadCertificate:               "SSLV3_ALERT_BAD_CERTIFICATE",
	record.AlertUnsupportedCertificate:       "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
	record.AlertCertificateRevoked:           "SSLV3_ALERT_CERTIFICATE_REVOKED",
	record.AlertCertificateExpired:           "SSLV3_ALERT_CERTIFICATE_EXPIRED",
	record.AlertCertificateUnknown:           "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
	record.AlertIllegalParameter:             "SSLV3_ALERT_ILLEGAL_PARAMETER",
	record.AlertUnknownCA:                    "TLSV1_ALERT_UNKNOWN_CA",
	record.AlertAccessDenied:                 "TLSV1_ALERT_ACCESS_DENIED",
	record.AlertDecodeError:                  "TLSV1_ALERT_DECODE_ERROR",
	record.AlertDecryptError:                 "TLSV1_ALERT_DECRYPT_ERROR",
	record.AlertExportRestriction:            "TLSV1_ALERT_EXPORT_RESTRICTION",
	record.AlertProtocolVersion:              "TLSV1_ALERT_PROTOCOL_VERSION",
	record.AlertInsufficientSecurity:         "TLSV1_ALERT_INSUFFICIENT_SECURITY",
	record.AlertInternalError:                "TLSV1_ALERT_INTERNAL_ERROR",
	record.AlertInappropriateFallback:        "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
	record.AlertUserCanceled:                 "TLSV1_ALERT_USER_CANCELLED",
	record.AlertNoRenegotiation:              "TLSV1_ALERT_NO_RENEGOTIATION",
	record.AlertMissingExtension:             "TLSV1_ALERT_MISSING_EXTENSION",
	record.AlertUnsupportedExtension:         "TLSV1_ALERT_UNSUPPORTED_EXTENSION",
	record.AlertCertificateUnobtainable:      "TLSV1_ALERT_CERTIFICATE_UNOBTAINABLE",
	record.AlertUnrecognizedName:             "TLSV1_ALERT_UNRECOGNIZED_NAME",
	record.AlertBadCertificateStatusResponse: "TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE",
	record.AlertBadCertificateHashValue:      "TLSV1_ALERT_BAD_CERTIFICATE_HASH_VALUE",
	record.AlertUnknownPSKIdentity:           "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY",
	record.AlertCertificateRequired:          "TLSV1_ALERT_CERTIFICATE_REQUIRED",
	record.AlertNoApplicationProtocol:        "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
}

// bogoCode renders err as ":CODE:" for the runner.
func bogoCode(err error) string {
	var ae *record.AlertError
	if errors.As(err, &ae) && ae.InReplyToHello && ae.Alert.Description == record.AlertHandshakeFailure {
		return ":HANDSHAKE_FAILURE_ON_CLIENT_HELLO:"
	}
	if errors.As(err, &ae) {
		if c, ok := alertCodes[ae.Alert.Description]; ok {
			return ":" + c + ":"
		}
	}
	msg := err.Error()
	for _, e := range codeTable {
		if e.pattern.MatchString(msg) {
			return ":" + e.code + ":"
		}
	}
	return ":" + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(msg, "tls: "), " ", "_")) + ":"
}
