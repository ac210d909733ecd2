package tlstest

import (
	"fmt"
	"sync"

	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/x509lite"
)

// PKI is a root CA, an intermediate and a leaf for "localhost" and
// 127.0.0.1, valid around Epoch.
type PKI struct {
	Chain *certgen.Chain
	Roots *x509lite.Pool
	// Cert is the leaf with the intermediate, ready for a Config.
	Cert *handshake.Credential
}

var (
	pkiMu    sync.Mutex
	pkiCache = map[certgen.KeyType]*PKI{}
)

// NewPKI returns the (cached) PKI for a key type; RSA key generation is
// slow, so each test binary makes each type once.
func NewPKI(kt certgen.KeyType) *PKI {
	pkiMu.Lock()
	defer pkiMu.Unlock()
	if p, ok := pkiCache[kt]; ok {
		return p
	}
	ch, err := certgen.NewChain(kt, Epoch, []string{"localhost", "127.0.0.1"}, NewRand(uint64(len(kt))))
	if err != nil {
		panic(fmt.Sprintf("tlstest: NewChain(%s): %v", kt, err))
	}
	root, err := x509lite.ParseCertificate(ch.Root.DER)
	if err != nil {
		panic(fmt.Sprintf("tlstest: parsing our root: %v", err))
	}
	pool := x509lite.NewPool()
	pool.Add(root)
	cert, err := handshake.NewCredential([][]byte{ch.Leaf.DER, ch.Intermediate.DER}, ch.Leaf.Key)
	if err != nil {
		panic(fmt.Sprintf("tlstest: NewCertificate: %v", err))
	}
	p := &PKI{Chain: ch, Roots: pool, Cert: cert}
	pkiCache[kt] = p
	return p
}

// ServerConfig returns a server config with this PKI's leaf and fixed
// randomness and time.
func (p *PKI) ServerConfig(seed uint64) *engine.Config {
	return &engine.Config{
		Rand:         NewRand(seed),
		Now:          FixedNow(Epoch),
		Certificates: []*handshake.Credential{p.Cert},
		RootCAs:      p.Roots,
	}
}

// ClientConfig returns a client config trusting this PKI's root.
func (p *PKI) ClientConfig(seed uint64) *engine.Config {
	return &engine.Config{
		Rand:    NewRand(seed),
		Now:     FixedNow(Epoch),
		RootCAs: p.Roots,
	}
}
