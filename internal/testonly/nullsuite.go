package testonly

import (
	"crypto"

	"github.com/tlsengine/tlsengine/cipher"
)

// NullSuiteID is the ID of NullSuite, in the private-use range of RFC
// 5246, Section 12 (first byte 0xFF).
const NullSuiteID uint16 = 0xfffe

// NullSuite is a suite that protects nothing: fragments are sent as they
// are, with no MAC, so a fuzzer can change a protected record's content
// and still have it accepted, and reach what lies behind the record
// layer. It is an ECDHE-ECDSA suite of TLS 1.2 (so an Ed25519 or ECDSA
// server can run it) whose key block is empty. cipher.SuiteByID does not
// know it; a test gives it to a handshake through
// handshake.Config.TestOnlySuites.
var NullSuite = &cipher.Suite{ID: NullSuiteID, Name: "TLS_TESTONLY_ECDHE_ECDSA_WITH_NULL", OpenSSLName: "TESTONLY-NULL",
	KX: cipher.KXECDHE, Auth: cipher.AuthECDSA, Bulk: nullBulk, MAC: cipher.MACAEAD, PRFHash: crypto.SHA256,
	MinVersion: cipher.VersionTLS12, MaxVersion: cipher.VersionTLS12,
	Protect: func(_, _, _ []byte) (cipher.Protection, error) { return nullProtection{}, nil }}

// nullBulk is NullSuite's bulk cipher: none, a value no real suite has.
const nullBulk cipher.Bulk = 0xff

// nullProtection copies fragments through unchanged.
type nullProtection struct{}

func (nullProtection) Overhead() int { return 0 }

func (nullProtection) Seal(dst []byte, _ uint64, typ uint8, version uint16, plaintext []byte) []byte {
	dst = append(dst, typ, byte(version>>8), byte(version), byte(len(plaintext)>>8), byte(len(plaintext)))
	return append(dst, plaintext...)
}

func (nullProtection) Open(dst []byte, _ uint64, header, fragment []byte) (uint8, []byte, error) {
	if len(header) != cipher.HeaderLen {
		return 0, nil, cipher.ErrBadRecordMAC
	}
	return header[0], append(dst, fragment...), nil
}
