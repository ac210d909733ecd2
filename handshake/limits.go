package handshake

import "github.com/tlsengine/tlsengine/record"

// Caps on handshake message bodies, per type. A peer's message header is
// checked against its type's cap before the body is buffered, so what a
// peer can make us hold is bounded by the largest cap plus one record. The
// values follow OpenSSL 3 (ossl_statem_{server,client}_max_message_size in
// ssl/statem), which is what real peers are tested against; where OpenSSL
// allows a whole record or more for a message that is small by
// construction, the cap is one record (BoringSSL's default).
const (
	// MaxClientHelloSize is OpenSSL's CLIENT_HELLO_MAX_LENGTH: 2^17 of
	// extensions plus the fixed fields. Hellos full of extensions (GREASE,
	// padding, large key shares) are real.
	MaxClientHelloSize = 131396
	// DefaultMaxCertificateListSize is the cap on a Certificate or
	// CertificateRequest message when Config.MaxCertificateListSize is
	// zero: OpenSSL's SSL_MAX_CERT_LIST_DEFAULT (100 KiB).
	DefaultMaxCertificateListSize = 100 * 1024
	// maxServerHelloSize is OpenSSL's SERVER_HELLO_MAX_LENGTH.
	maxServerHelloSize = 20000
	// maxClientKeyExchangeSize holds an RSA-encrypted premaster for a
	// 16384-bit key or an 8192-bit DHE share (OpenSSL: 2048).
	maxClientKeyExchangeSize = 4096
	// maxSmallMessageSize is OpenSSL's FINISHED_MAX_LENGTH (Finished
	// uses 12 bytes). HelloRequest and ServerHelloDone, empty by
	// definition, get it too, so that a few stray bytes are reported by
	// the codec as the decode error they are.
	maxSmallMessageSize = 64
	// maxNextProtocolSize is OpenSSL's NEXT_PROTO_MAX_LENGTH: a
	// protocol<1..255> and its padding<0..255> with their lengths.
	maxNextProtocolSize = 514
	// maxRecordSizedMessage caps ServerKeyExchange (8192-bit DHE
	// parameters and a 16384-bit signature fit in a third of it),
	// CertificateVerify, CertificateStatus and NewSessionTicket: one
	// record's worth, as OpenSSL for the last three.
	maxRecordSizedMessage = record.MaxPlaintext
)

// maxUint24 is the largest length a handshake header can state: the
// codecs' cap on the configurable Certificate and CertificateRequest,
// whose configured cap the Reassembler applies before buffering.
const maxUint24 = 1<<24 - 1

// maxBodySize is the cap on a body of message type t. maxCertList is
// Config.MaxCertificateListSize (zero for the default). An unknown type
// has no cap: it is refused before its size matters.
func maxBodySize(t MessageType, maxCertList int) int {
	switch t {
	case TypeClientHello:
		return MaxClientHelloSize
	case TypeServerHello:
		return maxServerHelloSize
	case TypeEncryptedExtensions:
		// OpenSSL's ENCRYPTED_EXTENSIONS_MAX_LENGTH.
		return maxServerHelloSize
	case TypeCertificate, TypeCertificateRequest:
		// OpenSSL applies max_cert_list to both: a CertificateRequest
		// may name many certificate authorities.
		if maxCertList > 0 {
			return maxCertList
		}
		return DefaultMaxCertificateListSize
	case TypeClientKeyExchange:
		return maxClientKeyExchangeSize
	case TypeFinished, TypeHelloRequest, TypeServerHelloDone, TypeKeyUpdate:
		return maxSmallMessageSize
	case TypeNextProtocol:
		return maxNextProtocolSize
	case TypeServerKeyExchange, TypeCertificateVerify, TypeCertificateStatus, TypeNewSessionTicket:
		return maxRecordSizedMessage
	}
	return 0
}

// checkMessageHeader checks a handshake message header (type and uint24
// body length) before the body is buffered.
func checkMessageHeader(hdr []byte, maxCertList int) error {
	t, n := MessageType(hdr[0]), int(hdr[1])<<16|int(hdr[2])<<8|int(hdr[3])
	if !knownMessageType(t) {
		// RFC 5246, Section 7.4: a message of an unknown type is
		// unexpected in every state (OpenSSL: unexpected_message).
		return errUnexpected("tls: unknown handshake message type %d", hdr[0])
	}
	if limit := maxBodySize(t, maxCertList); n > limit {
		// OpenSSL 3 refuses an over-long message with
		// SSL_R_EXCESSIVE_MESSAGE_SIZE and an illegal_parameter alert
		// (read_state_machine in ssl/statem/statem.c), whatever its type.
		return record.Errorf(record.ErrDecode, record.AlertIllegalParameter,
			"tls: %v message of %d bytes exceeds the %d-byte limit", t, n, limit)
	}
	return nil
}
