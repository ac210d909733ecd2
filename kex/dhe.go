package kex

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// DHParams are finite-field Diffie-Hellman parameters: a prime modulus P
// and a generator G (RFC 5246, Section 7.4.3; RFC 7919).
type DHParams struct {
	P, G *big.Int
}

// ErrWeakDH is returned (wrapped) when DH parameters are below the
// required size. OpenSSL reports this as "dh key too small" and a client
// answers it with handshake_failure rather than illegal_parameter.
var ErrWeakDH = errors.New("tls: dh key too small")

// WeakDHError is the ErrWeakDH failure with its sizes, for callers that
// report them (Node's ERR_TLS_DH_PARAM_SIZE names both).
type WeakDHError struct {
	Bits, Min int
}

func (e *WeakDHError) Error() string {
	return fmt.Sprintf("%v: DH modulus of %d bits, minimum %d", ErrWeakDH, e.Bits, e.Min)
}

// Is makes WeakDHError match ErrWeakDH.
func (e *WeakDHError) Is(target error) bool { return target == ErrWeakDH }

// Size limits for DH moduli.
const (
	// MinDHParamBits is the smallest modulus ParseDHParamsPEM accepts, as
	// Node and OpenSSL refuse smaller dhparam files.
	MinDHParamBits = 1024
	// MaxDHBits caps the modulus we will compute with, whether it comes
	// from a file or a peer, so that a peer cannot make us exponentiate
	// modulo an arbitrarily large number.
	MaxDHBits = 8192
	// minDHBitsFloor is the absolute minimum for any modulus we use.
	minDHBitsFloor = 512
)

// ParseDHParamsPEM parses the first "DH PARAMETERS" PEM block in data, the
// PKCS#3 DHParameter structure that `openssl dhparam` writes:
//
//	DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER,
//	                           privateValueLength INTEGER OPTIONAL }
//
// It refuses moduli under 1024 bits (wrapping ErrWeakDH) or over 8192 bits,
// an even modulus, and a generator outside 1 < g < p-1. The optional
// privateValueLength is checked for form and otherwise ignored: the
// private exponent size is our policy (see GenerateDHE).
func ParseDHParamsPEM(data []byte) (*DHParams, error) {
	rest := data
	var der []byte
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("tls: no DH PARAMETERS PEM block found")
		}
		if block.Type == "DH PARAMETERS" {
			der = block.Bytes
			break
		}
		if block.Type == "X9.42 DH PARAMETERS" {
			return nil, errors.New("tls: X9.42 DH parameters are not supported; use PKCS#3 (openssl dhparam)")
		}
	}
	// 8192-bit p plus g and the DER overhead fit well within this.
	if len(der) > 2*MaxDHBits/8 {
		return nil, errors.New("tls: DH parameters too large")
	}
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("tls: malformed DH parameters: not one DER SEQUENCE")
	}
	p, g := new(big.Int), new(big.Int)
	if !seq.ReadASN1Integer(p) {
		return nil, errors.New("tls: malformed DH parameters: prime")
	}
	if !seq.ReadASN1Integer(g) {
		return nil, errors.New("tls: malformed DH parameters: generator")
	}
	if !seq.Empty() {
		var l int64
		if !seq.ReadASN1Integer(&l) || l <= 0 || !seq.Empty() {
			return nil, errors.New("tls: malformed DH parameters: privateValueLength")
		}
	}
	if err := checkDHParams(p, g, MinDHParamBits); err != nil {
		return nil, err
	}
	return &DHParams{P: p, G: g}, nil
}

// FFDHEParams returns the RFC 7919 group g (ffdhe2048 to ffdhe8192), whose
// generator is 2. The result is a fresh copy.
func FFDHEParams(g Group) (*DHParams, bool) {
	p := ffdhePrime(g)
	if p == nil {
		return nil, false
	}
	return &DHParams{P: new(big.Int).Set(p), G: big.NewInt(2)}, true
}

func ffdhePrime(g Group) *big.Int {
	switch g {
	case FFDHE2048:
		return ffdhe2048
	case FFDHE3072:
		return ffdhe3072
	case FFDHE4096:
		return ffdhe4096
	case FFDHE6144:
		return ffdhe6144
	case FFDHE8192:
		return ffdhe8192
	}
	return nil
}

// Bits is the size of the modulus in bits.
func (p *DHParams) Bits() int {
	if p == nil || p.P == nil {
		return 0
	}
	return p.P.BitLen()
}

// DHEKey is one ephemeral finite-field Diffie-Hellman key, a KeyShare.
// It comes in two forms: TLS 1.2's DHE on caller parameters (GenerateDHE,
// group 0) and TLS 1.3's named RFC 7919 groups (GenerateShare), which
// differ in how the peer's value and the secret are encoded.
type DHEKey struct {
	// group is the named group in the TLS 1.3 form, 0 for TLS 1.2 DHE.
	group Group
	p     *big.Int
	x     *big.Int // the private exponent
	pub   []byte
	pLen  int // the length of p in bytes, the width of Public
}

// GenerateDHE makes an ephemeral key on params. The private exponent has a
// fixed size chosen from the modulus size (at least twice the estimated
// security strength, at least 256 bits, and at least the sizes RFC 7919,
// Appendix A gives for its groups) rather than the size of p, which keeps
// the exponentiation cheap without lowering the strength. The parameters
// are checked as by ParseDHParamsPEM except that moduli down to 512 bits are
// allowed (ParseDHParamsPEM is where the 1024-bit policy applies).
//
// The exponentiation uses math/big, which is not constant time; the key is
// ephemeral and used once.
func GenerateDHE(params *DHParams, rand io.Reader) (*DHEKey, error) {
	if params == nil {
		return nil, errors.New("tls: no DH parameters")
	}
	if err := checkDHParams(params.P, params.G, minDHBitsFloor); err != nil {
		return nil, err
	}
	return newDHEKey(params.P, params.G, rand)
}

// generateFFDHE makes a key on the RFC 7919 group g in the TLS 1.3 form.
func generateFFDHE(g Group, rand io.Reader) (*DHEKey, error) {
	k, err := newDHEKey(ffdhePrime(g), bigTwo, rand)
	if err != nil {
		return nil, err
	}
	k.group = g
	return k, nil
}

// Group is the named group in the TLS 1.3 form, 0 for TLS 1.2 DHE on
// caller parameters.
func (k *DHEKey) Group() Group { return k.group }

// Public returns Ys (or Yc): g^x mod p, big-endian, left-padded with zeros
// to the length of p (RFC 8446, Section 4.2.8.1). The caller must not
// modify it.
func (k *DHEKey) Public() []byte { return k.pub }

// Finish checks the peer's public value and returns Z = y^x mod p. Errors
// wrap ErrInvalidPublic; the caller answers with illegal_parameter.
//
// In TLS 1.2 (group 0) leading zero bytes of the peer's value are ignored
// and Z is returned with its leading zero bytes stripped (RFC 5246,
// Section 8.1.2). On a named group, the TLS 1.3 form, the peer's value
// must be exactly as long as p (RFC 8446, Section 4.2.8.1) and Z is
// left-padded to that length (RFC 8446, Section 7.4.1).
func (k *DHEKey) Finish(peerShare []byte) ([]byte, error) {
	if k.group != 0 && len(peerShare) != k.pLen {
		return nil, fmt.Errorf("%w: %v share of %d bytes, want %d", ErrInvalidPublic, k.group, len(peerShare), k.pLen)
	}
	peerShare = trimZeros(peerShare)
	if len(peerShare) == 0 || len(peerShare) > k.pLen {
		return nil, fmt.Errorf("%w: DH public value of the wrong size", ErrInvalidPublic)
	}
	y := new(big.Int).SetBytes(peerShare)
	// RFC 7919, Section 5.1 (and NIST SP 800-56A, 5.6.2.3.1): peers MUST
	// check 1 < y < p-1, which rules out the subgroups of order 1 and 2.
	if !inOpenRange(y, k.p) {
		return nil, fmt.Errorf("%w: DH public value out of range", ErrInvalidPublic)
	}
	z := new(big.Int).Exp(y, k.x, k.p)
	// z is 1 only if y lies in a subgroup whose order divides x, and 0 only
	// for a composite p; neither is a usable secret.
	if z.BitLen() <= 1 {
		return nil, fmt.Errorf("%w: DH shared secret is degenerate", ErrInvalidPublic)
	}
	if k.group != 0 {
		return z.FillBytes(make([]byte, k.pLen)), nil
	}
	return z.Bytes(), nil
}

// AnswerDHE is the client side of a TLS 1.2 DHE key exchange, the answer
// to the server's share on explicit parameters: given the server's
// dh_p, dh_g and dh_Ys (big-endian, from ServerKeyExchange) it checks them,
// generates our key and returns dh_Yc (padded to the length of p) and the
// premaster secret. A modulus smaller than minBits (1024 if minBits <= 0,
// and never under 512) is refused with an error wrapping ErrWeakDH; one
// larger than 8192 bits, an even one, a generator outside 1 < g < p-1 or
// Ys outside 1 < Ys < p-1 with an error wrapping ErrInvalidPublic.
func AnswerDHE(p, g, ys []byte, minBits int, rand io.Reader) (public, preMaster []byte, err error) {
	if minBits <= 0 {
		minBits = MinDHParamBits
	}
	minBits = max(minBits, minDHBitsFloor)
	p = trimZeros(p)
	g = trimZeros(g)
	// Check the sizes before converting, so a huge value costs nothing.
	if len(p) > MaxDHBits/8 {
		return nil, nil, fmt.Errorf("%w: DH modulus larger than %d bits", ErrInvalidPublic, MaxDHBits)
	}
	if len(g) > MaxDHBits/8 {
		return nil, nil, fmt.Errorf("%w: DH generator out of range", ErrInvalidPublic)
	}
	pp, gg := new(big.Int).SetBytes(p), new(big.Int).SetBytes(g)
	if err := checkDHParams(pp, gg, minBits); err != nil {
		if errors.Is(err, ErrWeakDH) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%w: %s", ErrInvalidPublic, strings.TrimPrefix(err.Error(), "tls: "))
	}
	k, err := newDHEKey(pp, gg, rand)
	if err != nil {
		return nil, nil, err
	}
	z, err := k.Finish(ys)
	if err != nil {
		return nil, nil, err
	}
	return k.pub, z, nil
}

// ffdhe2048 to ffdhe8192 are the primes of RFC 7919, Appendix A. Each is
// 2^b - 2^(b-64) + {[2^(b-130) e] + X} * 2^64 - 1; a test recomputes them
// from that formula.
var (
	ffdhe2048 = mustHex("" +
		"FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9" +
		"7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935" +
		"984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB" +
		"B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61" +
		"9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA" +
		"886B423861285C97FFFFFFFFFFFFFFFF")
	ffdhe3072 = mustHex("" +
		"FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9" +
		"7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935" +
		"984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB" +
		"B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61" +
		"9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA" +
		"886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C" +
		"AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D" +
		"ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B66C62E37FFFFFFFFFFFFFFFF")
	ffdhe4096 = mustHex("" +
		"FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9" +
		"7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935" +
		"984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB" +
		"B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61" +
		"9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA" +
		"886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C" +
		"AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D" +
		"ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B669E1EF16E6F52C3164DF4FB" +
		"7930E9E4E58857B6AC7D5F42D69F6D187763CF1D5503400487F55BA57E31CC7A7135C886EFB4318AED6A1E012D9E6832" +
		"A907600A918130C46DC778F971AD0038092999A333CB8B7A1A1DB93D7140003C2A4ECEA9F98D0ACC0A8291CDCEC97DCF" +
		"8EC9B55A7F88A46B4DB5A851F44182E1C68A007E5E655F6AFFFFFFFFFFFFFFFF")
	ffdhe6144 = mustHex("" +
		"FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9" +
		"7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935" +
		"984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB" +
		"B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61" +
		"9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA" +
		"886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C" +
		"AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D" +
		"ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B669E1EF16E6F52C3164DF4FB" +
		"7930E9E4E58857B6AC7D5F42D69F6D187763CF1D5503400487F55BA57E31CC7A7135C886EFB4318AED6A1E012D9E6832" +
		"A907600A918130C46DC778F971AD0038092999A333CB8B7A1A1DB93D7140003C2A4ECEA9F98D0ACC0A8291CDCEC97DCF" +
		"8EC9B55A7F88A46B4DB5A851F44182E1C68A007E5E0DD9020BFD64B645036C7A4E677D2C38532A3A23BA4442CAF53EA6" +
		"3BB454329B7624C8917BDD64B1C0FD4CB38E8C334C701C3ACDAD0657FCCFEC719B1F5C3E4E46041F388147FB4CFDB477" +
		"A52471F7A9A96910B855322EDB6340D8A00EF092350511E30ABEC1FFF9E3A26E7FB29F8C183023C3587E38DA0077D9B4" +
		"763E4E4B94B2BBC194C6651E77CAF992EEAAC0232A281BF6B3A739C1226116820AE8DB5847A67CBEF9C9091B462D538C" +
		"D72B03746AE77F5E62292C311562A846505DC82DB854338AE49F5235C95B91178CCF2DD5CACEF403EC9D1810C6272B04" +
		"5B3B71F9DC6B80D63FDD4A8E9ADB1E6962A69526D43161C1A41D570D7938DAD4A40E329CD0E40E65FFFFFFFFFFFFFFFF")
	ffdhe8192 = mustHex("" +
		"FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9" +
		"7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935" +
		"984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB" +
		"B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61" +
		"9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA" +
		"886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C" +
		"AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D" +
		"ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B669E1EF16E6F52C3164DF4FB" +
		"7930E9E4E58857B6AC7D5F42D69F6D187763CF1D5503400487F55BA57E31CC7A7135C886EFB4318AED6A1E012D9E6832" +
		"A907600A918130C46DC778F971AD0038092999A333CB8B7A1A1DB93D7140003C2A4ECEA9F98D0ACC0A8291CDCEC97DCF" +
		"8EC9B55A7F88A46B4DB5A851F44182E1C68A007E5E0DD9020BFD64B645036C7A4E677D2C38532A3A23BA4442CAF53EA6" +
		"3BB454329B7624C8917BDD64B1C0FD4CB38E8C334C701C3ACDAD0657FCCFEC719B1F5C3E4E46041F388147FB4CFDB477" +
		"A52471F7A9A96910B855322EDB6340D8A00EF092350511E30ABEC1FFF9E3A26E7FB29F8C183023C3587E38DA0077D9B4" +
		"763E4E4B94B2BBC194C6651E77CAF992EEAAC0232A281BF6B3A739C1226116820AE8DB5847A67CBEF9C9091B462D538C" +
		"D72B03746AE77F5E62292C311562A846505DC82DB854338AE49F5235C95B91178CCF2DD5CACEF403EC9D1810C6272B04" +
		"5B3B71F9DC6B80D63FDD4A8E9ADB1E6962A69526D43161C1A41D570D7938DAD4A40E329CCFF46AAA36AD004CF600C838" +
		"1E425A31D951AE64FDB23FCEC9509D43687FEB69EDD1CC5E0B8CC3BDF64B10EF86B63142A3AB8829555B2F747C932665" +
		"CB2C0F1CC01BD70229388839D2AF05E454504AC78B7582822846C0BA35C35F5C59160CC046FD8251541FC68C9C86B022" +
		"BB7099876A460E7451A8A93109703FEE1C217E6C3826E52C51AA691E0E423CFC99E9E31650C1217B624816CDAD9A95F9" +
		"D5B8019488D9C0A0A1FE3075A577E23183F81D4A3F2FA4571EFC8CE0BA8A4FE8B6855DFE72B0A66EDED2FBABFBE58A30" +
		"FAFABE1C5D71A87E2F741EF8C1FE86FEA6BBFDE530677F0D97D11D49F7A8443D0822E506A9F4614E011E2A94838FF88C" +
		"D68C8BB7C5C6424CFFFFFFFFFFFFFFFF")
)

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("kex: bad FFDHE constant") // the constants above are fixed
	}
	return n
}

// checkDHParams applies the size and range rules shared by the parsers.
// The caller has made sure p and g are not huge.
func checkDHParams(p, g *big.Int, minBits int) error {
	if p == nil || g == nil {
		return errors.New("tls: DH parameters missing p or g")
	}
	if p.Sign() <= 0 {
		return errors.New("tls: DH modulus is not positive")
	}
	if bits := p.BitLen(); bits < minBits {
		return &WeakDHError{Bits: bits, Min: minBits}
	} else if bits > MaxDHBits {
		return fmt.Errorf("tls: DH modulus of %d bits exceeds the maximum of %d", bits, MaxDHBits)
	}
	if p.Bit(0) == 0 {
		return errors.New("tls: DH modulus is even")
	}
	// A generator of 0, 1 or p-1 (or one not reduced mod p) yields a
	// subgroup of order at most 2 or a malformed value.
	if !inOpenRange(g, p) {
		return errors.New("tls: DH generator out of range")
	}
	return nil
}

// inOpenRange reports whether 1 < v < p-1.
func inOpenRange(v, p *big.Int) bool {
	if v.Sign() <= 0 || v.BitLen() <= 1 { // v is 0 or 1
		return false
	}
	var pm1 big.Int
	pm1.Sub(p, bigOne)
	return v.Cmp(&pm1) < 0
}

var bigOne, bigTwo = big.NewInt(1), big.NewInt(2)

// dhExponentBits is the private exponent size for a modulus of pBits: at
// least twice the security strength NIST SP 800-57 assigns to the modulus
// size, at least 256, and at least RFC 7919's recommendation for its
// groups of that size (225, 275, 325, 375, 400 bits for 2048 to 8192).
func dhExponentBits(pBits int) int {
	switch {
	case pBits <= 2048:
		return 256
	case pBits <= 3072:
		return 280
	case pBits <= 4096:
		return 328
	case pBits <= 6144:
		return 376
	default:
		return 400
	}
}

// newDHEKey generates a key on checked parameters.
func newDHEKey(p, g *big.Int, rand io.Reader) (*DHEKey, error) {
	if rand == nil {
		return nil, errors.New("tls: no randomness source for the DH key")
	}
	n := dhExponentBits(p.BitLen())
	buf := make([]byte, n/8)
	if _, err := io.ReadFull(rand, buf); err != nil {
		return nil, fmt.Errorf("tls: reading randomness for the DH key: %w", err)
	}
	// Setting the top bit gives the exponent its full size and makes it
	// at least 2; it stays far below p-1 since p has 512 bits or more.
	buf[0] |= 0x80
	x := new(big.Int).SetBytes(buf)
	pLen := (p.BitLen() + 7) / 8
	y := new(big.Int).Exp(g, x, p)
	return &DHEKey{p: p, x: x, pub: y.FillBytes(make([]byte, pLen)), pLen: pLen}, nil
}

func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}
