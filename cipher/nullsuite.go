package cipher

import (
	"crypto"

	"github.com/tlsengine/tlsengine/internal/testonly"
)

// NullSuiteID is the test-only suite that protects nothing: fragments are
// sent as they are, with no MAC. Its ID is in the private-use range of RFC
// 5246, Section 12 (first byte 0xFF). SuiteByID knows it only while
// testonly.NullCipher is set, which only this module's tests and fuzz
// targets can do; it is in no cipher list.
const NullSuiteID uint16 = 0xfffe

// NullBulk is the test-only suite's bulk cipher: none.
const NullBulk Bulk = 0xff

// nullSuite is an ECDHE-ECDSA suite of TLS 1.2 (so an Ed25519 or ECDSA
// server can run it) whose key block is empty.
var nullSuite = &Suite{ID: NullSuiteID, Name: "TLS_TESTONLY_ECDHE_ECDSA_WITH_NULL", OpenSSLName: "TESTONLY-NULL",
	KX: KXECDHE, Auth: AuthECDSA, Bulk: NullBulk, MAC: MACAEAD, PRFHash: crypto.SHA256,
	MinVersion: VersionTLS12, MaxVersion: VersionTLS12}

// testOnlySuite returns the null suite for its ID while tests enable it.
func testOnlySuite(id uint16) *Suite {
	if id == NullSuiteID && testonly.NullCipher.Load() {
		return nullSuite
	}
	return nil
}

// nullProtection copies fragments through unchanged.
type nullProtection struct{}

func (nullProtection) Overhead() int { return 0 }

func (p nullProtection) Seal(dst []byte, seq uint64, typ uint8, version uint16, plaintext []byte) []byte {
	return seal12(p, dst, seq, typ, version, plaintext)
}

func (p nullProtection) Open(dst []byte, seq uint64, header, fragment []byte) (uint8, []byte, error) {
	return open12(p, dst, seq, header, fragment)
}

func (nullProtection) sealFragment(dst []byte, _ uint64, _ uint8, _ uint16, plaintext []byte) []byte {
	return append(dst, plaintext...)
}

func (nullProtection) openFragment(dst []byte, _ uint64, _ uint8, _ uint16, fragment []byte) ([]byte, error) {
	return append(dst, fragment...), nil
}
