package handshake

import (
	"crypto"
	"io"
	"time"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
	"github.com/tlsengine/tlsengine/x509lite"
)

// Credential is a certificate chain with its private key.
type Credential struct {
	// Chain holds the DER certificates, leaf first, as sent on the wire.
	Chain [][]byte
	// Leaf is the parsed Chain[0]; it tells which suites and signature
	// schemes the key can serve.
	Leaf *x509lite.Certificate
	// Key signs ServerKeyExchange or CertificateVerify.
	Key crypto.Signer
}

// NewCredential parses a chain and pairs it with its key, which must be
// the private half of the leaf's public key: the peer checks our
// ServerKeyExchange or CertificateVerify signature with the key in the
// certificate (RFC 5246, Sections 7.4.3 and 7.4.8), so with any other key
// every handshake would fail with a bad signature. A signer whose public
// key cannot be compared (no Equal method) is taken as it is.
func NewCredential(chain [][]byte, key crypto.Signer) (*Credential, error) {
	if len(chain) == 0 {
		return nil, errMisuse("tls: empty certificate chain")
	}
	if key == nil {
		return nil, errMisuse("tls: no private key for the certificate")
	}
	leaf, err := x509lite.ParseCertificate(chain[0])
	if err != nil {
		return nil, err
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); ok && !pub.Equal(leaf.PublicKey) {
		return nil, errMisuse("tls: the private key does not match the certificate's public key (key values mismatch)")
	}
	return &Credential{Chain: chain, Leaf: leaf, Key: key}, nil
}

// ClientAuth is the server's policy for client certificates.
type ClientAuth uint8

const (
	// NoClientCert sends no CertificateRequest.
	NoClientCert ClientAuth = iota
	// RequestClientCert asks for a certificate; none or an invalid one is
	// reported, not fatal (Node: requestCert without rejectUnauthorized).
	RequestClientCert
	// RequireVerifiedClientCert asks for a certificate and fails the
	// handshake when none is sent or it does not verify (Node: requestCert
	// with rejectUnauthorized).
	RequireVerifiedClientCert
	// RequireAnyClientCert fails the handshake without a certificate but
	// only reports a certificate that does not verify.
	RequireAnyClientCert
	// VerifyClientCertIfGiven accepts a client without a certificate but
	// fails one whose certificate does not verify.
	VerifyClientCertIfGiven
)

// requiresCert and verifiesCert say what each policy makes fatal.
func (a ClientAuth) requiresCert() bool {
	return a == RequireVerifiedClientCert || a == RequireAnyClientCert
}

func (a ClientAuth) verifiesCert() bool {
	return a == RequireVerifiedClientCert || a == VerifyClientCertIfGiven
}

// Config is the immutable, shareable configuration of one side. The zero
// value of every field except Rand and Now has a safe default.
type Config struct {
	// Rand is the source of every random byte; required.
	Rand io.Reader
	// Now is the clock for certificate validity; required.
	Now func() time.Time

	// Certificates are the server's chains (one per key type), or the
	// client's chain for client authentication.
	Certificates []*Credential
	// RootCAs verify the peer's chain.
	RootCAs *x509lite.Pool
	// CRLs (PEM or DER) turn on revocation checking of the peer's chain
	// (Node's crl option).
	CRLs [][]byte

	// CipherSuites lists suite IDs in preference order; nil means
	// DefaultCipherSuites.
	CipherSuites []uint16
	// TestOnlySuites are suites outside cipher's registry that
	// CipherSuites may name: only this module's tests set it, with the
	// null suite of internal/testonly that the fuzzers run on. It is nil
	// in every real configuration.
	TestOnlySuites []*cipher.Suite
	// CipherSuites13 lists the TLS 1.3 suite IDs in preference order,
	// apart from the TLS 1.2 list as OpenSSL's -ciphersuites; nil means
	// cipher.DefaultSuites13 (Node v20's order).
	CipherSuites13 []uint16
	// PreferServerCipherSuites makes the server pick by its own order
	// (Node's honorCipherOrder).
	PreferServerCipherSuites bool
	// Groups lists named groups in preference order; nil means
	// kex.DefaultGroups. An empty non-nil list disables ECDHE.
	Groups []kex.Group
	// SignatureSchemes lists the schemes we accept and use; nil means
	// kex.DefaultSchemes.
	SignatureSchemes []kex.SignatureScheme
	// SigningSchemes, if set, orders the schemes we sign with; the peer's
	// offer still limits the choice. SignatureSchemes stays what we
	// advertise and accept.
	SigningSchemes []kex.SignatureScheme
	// DHParams, on a server, enables the DHE suites with these parameters
	// (Node's dhparam); nil leaves them unavailable.
	DHParams *kex.DHParams
	// MinDHBits is the smallest DHE modulus a client accepts (Node's
	// minDHSize); zero means 1024.
	MinDHBits int
	// MaxCertificateListSize caps the peer's Certificate and
	// CertificateRequest messages, in bytes (OpenSSL's max_cert_list,
	// SSL_CTX_set_max_cert_list); zero means
	// DefaultMaxCertificateListSize, 100 KiB. A longer one fails the
	// handshake with illegal_parameter, as in OpenSSL.
	MaxCertificateListSize int
	// SecurityLevelZero verifies the peer's chain at OpenSSL's security
	// level 0 (Node's "@SECLEVEL=0" in ciphers): SHA-1 certificate
	// signatures are accepted. By default, level 1 (Node's), they fail
	// verification with CA_MD_TOO_WEAK. RSA keys under 1024 bits stay
	// refused at level 0 (crypto/rsa does not verify with them), and the
	// level's other effects in OpenSSL (suites, groups, DH sizes) are not
	// modelled.
	SecurityLevelZero bool

	// ALPNProtocols is the client's offer or the server's preference.
	ALPNProtocols []string

	// MinVersion and MaxVersion bound the negotiated version; zero means
	// TLS 1.2 for MinVersion and TLS 1.3 for MaxVersion, Node v20's
	// defaults (tls.DEFAULT_MIN_VERSION, tls.DEFAULT_MAX_VERSION).
	MinVersion, MaxVersion uint16

	// ClientAuth is the server's client-certificate policy.
	ClientAuth ClientAuth
	// InsecureSkipVerify lets a client finish the handshake with a server
	// whose certificate fails verification; the failure is still reported
	// in ConnectionState.VerifyError.
	InsecureSkipVerify bool
	// DisableExtendedMasterSecret stops offering or accepting RFC 7627.
	DisableExtendedMasterSecret bool
	// DisableEncryptThenMAC stops offering or accepting RFC 7366
	// encrypt-then-MAC for CBC suites.
	DisableEncryptThenMAC bool

	// SessionCache, on a server, enables session-id resumption: new
	// sessions get a 32-byte id and are stored here (OpenSSL's internal
	// cache). Nil disables it.
	SessionCache *session.Cache
	// Tickets, on a server, enables RFC 5077 session tickets sealed with
	// its 48-byte key. Nil disables them.
	Tickets *session.Ticketer
	// SessionTimeout is how long a session may be resumed; zero means 300
	// seconds, as OpenSSL and Node.
	SessionTimeout time.Duration
	// SessionIDContext scopes resumption on a server (Node's
	// sessionIdContext): a session never resumes under another context.
	SessionIDContext []byte
	// LookupSessions makes the server ask the application, with a
	// SessionLookupDecision, for the session under a client's session id
	// (Node's resumeSession event) instead of using SessionCache.
	LookupSessions bool
	// SessionIDs gives a server's new TLS 1.2 sessions a 32-byte id in
	// ServerHello even without SessionCache or LookupSessions, which
	// nothing can then resume: what OpenSSL does under Node v20, whose
	// server keeps no session cache of its own.
	SessionIDs bool
	// DisableTickets stops a client from offering the session_ticket
	// extension.
	DisableTickets bool
	// NumTickets13 is how many NewSessionTickets a TLS 1.3 server sends
	// after a full handshake (OpenSSL's SSL_CTX_set_num_tickets); zero
	// means DefaultNumTickets13, negative none. A resumed handshake gets
	// one only to renew its ticket (tickets13.go). Tickets need Tickets
	// set.
	NumTickets13 int
	// AllowPSKWithoutDHE lets a TLS 1.3 server resume with psk_ke, a PSK
	// without (EC)DHE, when the client offers only that mode: cheaper,
	// but the resumed connection loses forward secrecy (RFC 8446, Section
	// 4.2.9). Off, as in Node.
	AllowPSKWithoutDHE bool

	// AskRenegotiation makes a server pause on a RenegotiationDecision
	// when a client starts a renegotiation it did not ask for; without it
	// such a renegotiation is declined (no_renegotiation warning).
	AskRenegotiation bool
	// RenegotiateOnRequest makes a client answer a server's HelloRequest
	// with a renegotiation (RFC 5746 secure renegotiation only); without
	// it the request is declined with a no_renegotiation warning.
	RenegotiateOnRequest bool
	// AskOCSP makes a server pause on an OCSPDecision when a client asks
	// for OCSP stapling (RFC 6066, Section 8); without it nothing is
	// stapled.
	AskOCSP bool
	// AskServerContext makes the server pause on a ServerContext decision
	// after every ClientHello (Node's SNICallback and addContext).
	AskServerContext bool
}

// DefaultCipherSuites is the default offer: the AEAD ECDHE suites.
var DefaultCipherSuites = []uint16{
	0xc02b, 0xc02f, // AES128-GCM
	0xc02c, 0xc030, // AES256-GCM
	0xcca9, 0xcca8, // CHACHA20-POLY1305
}

func (c *Config) suites() []uint16 {
	if c.CipherSuites != nil {
		return c.CipherSuites
	}
	return DefaultCipherSuites
}

// suiteByID is the suite with that ID: cipher's, or one of
// TestOnlySuites; nil when neither knows it.
func (c *Config) suiteByID(id uint16) *cipher.Suite {
	if s := cipher.SuiteByID(id); s != nil {
		return s
	}
	for _, s := range c.TestOnlySuites {
		if s.ID == id {
			return s
		}
	}
	return nil
}

func (c *Config) groups() []kex.Group {
	if c.Groups != nil {
		return c.Groups
	}
	return kex.DefaultGroups()
}

// schemes is what we advertise and accept: the configured list without
// schemes we cannot verify (a code point from another TLS version, say),
// which would only confuse the peer.
func (c *Config) schemes() []kex.SignatureScheme {
	if c.SignatureSchemes == nil {
		return kex.DefaultSchemes()
	}
	out := make([]kex.SignatureScheme, 0, len(c.SignatureSchemes))
	for _, s := range c.SignatureSchemes {
		if kex.Supported(s) {
			out = append(out, s)
		}
	}
	return out
}

// signingSchemes is the order we sign in. By default it is what we accept
// plus ECDSA with SHA-1: signing with it harms no one when it is all a peer
// can verify, while accepting it is off by default (as in BoringSSL).
func (c *Config) signingSchemes() []kex.SignatureScheme {
	if c.SigningSchemes != nil {
		return c.SigningSchemes
	}
	if c.SignatureSchemes != nil {
		return c.SignatureSchemes
	}
	return append(kex.DefaultSchemes(), kex.ECDSAWithSHA1)
}

// minVersion defaults to TLS 1.2, or to MaxVersion when that is lower
// (asking for at most TLS 1.1 means allowing it).
func (c *Config) minVersion() uint16 {
	if c.MinVersion != 0 {
		return c.MinVersion
	}
	return min(cipher.VersionTLS12, c.maxVersion())
}

// maxVersion defaults to TLS 1.3, as Node v20's tls.DEFAULT_MAX_VERSION.
func (c *Config) maxVersion() uint16 {
	if c.MaxVersion != 0 {
		return min(c.MaxVersion, cipher.VersionTLS13)
	}
	return cipher.VersionTLS13
}

// sessionLifetime is SessionTimeout in seconds.
func (c *Config) sessionLifetime() int64 {
	if c.SessionTimeout > 0 {
		return int64(c.SessionTimeout / time.Second)
	}
	return int64(session.DefaultTimeout / time.Second)
}

// ClientOptions are the per-connection settings of a client.
type ClientOptions struct {
	// Session, if set, is offered for resumption: by ticket when it has
	// one, else by session id.
	Session *session.State
	// ServerName is sent in server_name (unless it is an IP literal).
	ServerName string
	// VerifyName is checked against the server certificate; empty means
	// ServerName. Node checks servername || host.
	VerifyName string
	// RequestOCSP asks the server to staple an OCSP response (RFC 6066,
	// Section 8: status_request); ConnectionState.OCSPResponse has it.
	RequestOCSP bool
}
