package cipher

import (
	"crypto"
	"fmt"
	"strings"
)

// Protocol versions as wire values.
const (
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// KeyExchange is a suite's key exchange.
type KeyExchange uint8

// Key exchanges.
const (
	KXRSA KeyExchange = iota + 1
	KXECDHE
	KXDHE
)

// String returns the OpenSSL Kx name of k.
func (k KeyExchange) String() string {
	switch k {
	case KXRSA:
		return "RSA"
	case KXECDHE:
		return "ECDH"
	case KXDHE:
		return "DH"
	}
	return fmt.Sprintf("KeyExchange(%d)", uint8(k))
}

// Auth is a suite's server authentication.
type Auth uint8

// Authentications.
const (
	AuthRSA Auth = iota + 1
	AuthECDSA
)

// String returns the OpenSSL Au name of a.
func (a Auth) String() string {
	switch a {
	case AuthRSA:
		return "RSA"
	case AuthECDSA:
		return "ECDSA"
	}
	return fmt.Sprintf("Auth(%d)", uint8(a))
}

// Bulk is a suite's record cipher.
type Bulk uint8

// Bulk ciphers.
const (
	AES128GCM Bulk = iota + 1
	AES256GCM
	ChaCha20Poly1305
	AES128CBC
	AES256CBC
)

// String returns the OpenSSL Enc name of b.
func (b Bulk) String() string {
	switch b {
	case AES128GCM:
		return "AESGCM(128)"
	case AES256GCM:
		return "AESGCM(256)"
	case ChaCha20Poly1305:
		return "CHACHA20/POLY1305(256)"
	case AES128CBC:
		return "AES(128)"
	case AES256CBC:
		return "AES(256)"
	}
	return fmt.Sprintf("Bulk(%d)", uint8(b))
}

// MAC is a suite's record MAC.
type MAC uint8

// MACs.
const (
	MACAEAD MAC = iota + 1
	MACSHA1
	MACSHA256
	MACSHA384
)

// String returns the OpenSSL Mac name of m.
func (m MAC) String() string {
	switch m {
	case MACAEAD:
		return "AEAD"
	case MACSHA1:
		return "SHA1"
	case MACSHA256:
		return "SHA256"
	case MACSHA384:
		return "SHA384"
	}
	return fmt.Sprintf("MAC(%d)", uint8(m))
}

// Suite describes one TLS cipher suite.
type Suite struct {
	ID          uint16
	Name        string // IANA name, e.g. "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
	OpenSSLName string // e.g. "ECDHE-ECDSA-AES128-GCM-SHA256"
	KX          KeyExchange
	Auth        Auth
	Bulk        Bulk
	MAC         MAC
	PRFHash     crypto.Hash // TLS 1.2 PRF and transcript hash: SHA256 or SHA384
	MinVersion  uint16
	MaxVersion  uint16 // VersionTLS12 for all of these
	KeyLen      int    // bulk key bytes
	MACKeyLen   int    // 0 for AEAD
	FixedIVLen  int    // AEAD implicit nonce: 4 for GCM, 12 for ChaCha20; CBC: the block size (a key-block IV in TLS 1.0 only)
	Bits        int    // symmetric strength (128/256), for OpenSSL-style sorting
}

// AEAD reports whether the suite uses an AEAD cipher.
func (s *Suite) AEAD() bool { return s.MAC == MACAEAD }

// SupportsVersion reports whether the suite may be negotiated at v.
func (s *Suite) SupportsVersion(v uint16) bool { return v >= s.MinVersion && v <= s.MaxVersion }

// String returns the OpenSSL name.
func (s *Suite) String() string { return s.OpenSSLName }

func aead(id uint16, iana, openssl string, kx KeyExchange, auth Auth, bulk Bulk, h crypto.Hash) *Suite {
	s := &Suite{ID: id, Name: iana, OpenSSLName: openssl, KX: kx, Auth: auth, Bulk: bulk, MAC: MACAEAD,
		PRFHash: h, MinVersion: VersionTLS12, MaxVersion: VersionTLS12}
	switch bulk {
	case AES128GCM:
		s.KeyLen, s.FixedIVLen, s.Bits = 16, 4, 128
	case AES256GCM:
		s.KeyLen, s.FixedIVLen, s.Bits = 32, 4, 256
	case ChaCha20Poly1305:
		s.KeyLen, s.FixedIVLen, s.Bits = 32, 12, 256
	}
	return s
}

func cbc(id uint16, iana, openssl string, kx KeyExchange, auth Auth, bulk Bulk, mac MAC) *Suite {
	s := &Suite{ID: id, Name: iana, OpenSSLName: openssl, KX: kx, Auth: auth, Bulk: bulk, MAC: mac,
		PRFHash: crypto.SHA256, MinVersion: VersionTLS10, MaxVersion: VersionTLS12, FixedIVLen: 16}
	switch bulk {
	case AES128CBC:
		s.KeyLen, s.Bits = 16, 128
	case AES256CBC:
		s.KeyLen, s.Bits = 32, 256
	}
	switch mac {
	case MACSHA1:
		s.MACKeyLen = 20
	case MACSHA256:
		s.MACKeyLen = 32
		s.MinVersion = VersionTLS12
	case MACSHA384:
		s.MACKeyLen = 48
		s.MinVersion = VersionTLS12
		s.PRFHash = crypto.SHA384
	}
	return s
}

// registry holds every implemented suite in our default preference order.
var registry = []*Suite{
	aead(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", KXECDHE, AuthECDSA, AES128GCM, crypto.SHA256),
	aead(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", KXECDHE, AuthRSA, AES128GCM, crypto.SHA256),
	aead(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", KXECDHE, AuthECDSA, AES256GCM, crypto.SHA384),
	aead(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", KXECDHE, AuthRSA, AES256GCM, crypto.SHA384),
	aead(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", KXECDHE, AuthECDSA, ChaCha20Poly1305, crypto.SHA256),
	aead(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", KXECDHE, AuthRSA, ChaCha20Poly1305, crypto.SHA256),
	aead(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", KXDHE, AuthRSA, AES128GCM, crypto.SHA256),
	aead(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", KXDHE, AuthRSA, AES256GCM, crypto.SHA384),
	aead(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", KXDHE, AuthRSA, ChaCha20Poly1305, crypto.SHA256),
	cbc(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", KXECDHE, AuthECDSA, AES128CBC, MACSHA256),
	cbc(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", KXECDHE, AuthRSA, AES128CBC, MACSHA256),
	cbc(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", KXECDHE, AuthECDSA, AES256CBC, MACSHA384),
	cbc(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", KXECDHE, AuthRSA, AES256CBC, MACSHA384),
	cbc(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", KXECDHE, AuthECDSA, AES128CBC, MACSHA1),
	cbc(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", KXECDHE, AuthRSA, AES128CBC, MACSHA1),
	cbc(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", KXECDHE, AuthECDSA, AES256CBC, MACSHA1),
	cbc(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", KXECDHE, AuthRSA, AES256CBC, MACSHA1),
	cbc(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", KXDHE, AuthRSA, AES128CBC, MACSHA256),
	cbc(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", KXDHE, AuthRSA, AES256CBC, MACSHA256),
	cbc(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", KXDHE, AuthRSA, AES128CBC, MACSHA1),
	cbc(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", KXDHE, AuthRSA, AES256CBC, MACSHA1),
	aead(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", KXRSA, AuthRSA, AES128GCM, crypto.SHA256),
	aead(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", KXRSA, AuthRSA, AES256GCM, crypto.SHA384),
	cbc(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", KXRSA, AuthRSA, AES128CBC, MACSHA256),
	cbc(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", KXRSA, AuthRSA, AES256CBC, MACSHA256),
	cbc(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", KXRSA, AuthRSA, AES128CBC, MACSHA1),
	cbc(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", KXRSA, AuthRSA, AES256CBC, MACSHA1),
}

var byID = func() map[uint16]*Suite {
	m := make(map[uint16]*Suite, len(registry))
	for _, s := range registry {
		m[s.ID] = s
	}
	return m
}()

// SuiteByID returns the implemented suite with that ID, or nil.
func SuiteByID(id uint16) *Suite {
	if s := byID[id]; s != nil {
		return s
	}
	return testOnlySuite(id)
}

// SuiteByName returns the suite with that OpenSSL or IANA name, or nil.
func SuiteByName(name string) *Suite {
	for _, s := range registry {
		if strings.EqualFold(s.OpenSSLName, name) || strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// Suites returns every implemented suite in default preference order.
func Suites() []*Suite { return append([]*Suite(nil), registry...) }
