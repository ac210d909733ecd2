package cipherlist

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/tlsengine/tlsengine/cipher"
)

// bits is a set of values of one suite attribute (key exchange,
// authentication, encryption, MAC, strength class). In a pattern, 0 means
// any value; a suite has exactly one bit per attribute except strength.
type bits uint32

// Key exchanges. Our suites use kRSA, kDHE and kECDHE; the others exist so
// that the aliases OpenSSL knows for them combine with '+' as in OpenSSL
// ("kPSK+kRSA" is empty, "kPSK+aRSA" selects nothing but is a valid rule).
const (
	kRSA bits = 1 << iota
	kDHE
	kECDHE
	kPSK
	kRSAPSK
	kECDHEPSK
	kDHEPSK
	kSRP
)

// Authentications.
const (
	aRSA bits = 1 << iota
	aDSS
	aNULL
	aECDSA
	aPSK
	aSRP
	aAll = 1<<iota - 1
)

// Encryptions.
const (
	e3DES bits = 1 << iota
	eNULL
	eAES128
	eAES256
	eAES128GCM
	eAES256GCM
	eAES128CCM
	eAES256CCM
	eAES128CCM8
	eAES256CCM8
	eCAMELLIA128
	eCAMELLIA256
	eCHACHA20
	eARIA128GCM
	eARIA256GCM
	eAll = 1<<iota - 1

	eAESGCM   = eAES128GCM | eAES256GCM
	eAESCCM8  = eAES128CCM8 | eAES256CCM8
	eAESCCM   = eAES128CCM | eAES256CCM | eAESCCM8
	eAES      = eAES128 | eAES256 | eAESGCM | eAESCCM
	eCAMELLIA = eCAMELLIA128 | eCAMELLIA256
	eARIA     = eARIA128GCM | eARIA256GCM
	eCBC      = e3DES | eAES128 | eAES256 | eCAMELLIA
)

// MACs.
const (
	mMD5 bits = 1 << iota
	mSHA1
	mSHA256
	mSHA384
	mAEAD
)

// Strength classes, one attribute: "HIGH+FIPS" is empty in OpenSSL even
// though AES suites are both, because it ANDs the two masks.
const (
	sLOW bits = 1 << iota
	sMEDIUM
	sHIGH
	sFIPS
)

// fNotDefault marks the suites DEFAULT leaves out (COMPLEMENTOFDEFAULT);
// none of ours.
const fNotDefault bits = 1

// protocol is the oldest protocol OpenSSL lists a suite for, the version
// column of `openssl ciphers -v`. As an alias it must match exactly:
// "TLSv1" does not select the suites OpenSSL lists as SSLv3.
type protocol uint8

// Protocols; 0 in a pattern means any.
const (
	protoSSL3 protocol = iota + 1
	protoTLS1
	protoTLS12
)

// String returns the name `openssl ciphers -v` prints.
func (p protocol) String() string {
	switch p {
	case protoSSL3:
		return "SSLv3"
	case protoTLS1:
		return "TLSv1"
	case protoTLS12:
		return "TLSv1.2"
	}
	return fmt.Sprintf("protocol(%d)", uint8(p))
}

// pattern selects suites: a suite matches when it has one of the values of
// every non-zero attribute set, the protocol if one is set, and the ID if
// one is set. A suite's own attributes are a pattern too.
type pattern struct {
	id                                  uint16
	kx, auth, enc, mac, strength, flags bits
	proto                               protocol
}

// and returns the pattern of "p+q". It fails, as OpenSSL's parser does,
// when an attribute set by both has no common value or both set different
// protocols; a failed element is skipped. A suite name sets the ID and its
// attributes but not its protocol: "AES128-SHA+TLSv1.2" is valid and
// empty, while "AES128-SHA+AES256" fails.
func (p pattern) and(q pattern) (pattern, bool) {
	ok := true
	join := func(a *bits, b bits) {
		switch {
		case b == 0:
		case *a == 0:
			*a = b
		default:
			*a &= b
			if *a == 0 {
				ok = false
			}
		}
	}
	join(&p.kx, q.kx)
	join(&p.auth, q.auth)
	join(&p.enc, q.enc)
	join(&p.mac, q.mac)
	join(&p.strength, q.strength)
	join(&p.flags, q.flags)
	if q.proto != 0 {
		if p.proto != 0 && p.proto != q.proto {
			ok = false
		}
		p.proto = q.proto
	}
	if q.id != 0 {
		p.id = q.id
	}
	return p, ok
}

// matches reports whether a suite with attributes a matches p.
func (p pattern) matches(a pattern) bool {
	has := func(want, got bits) bool { return want == 0 || want&got != 0 }
	return (p.id == 0 || p.id == a.id) &&
		has(p.kx, a.kx) && has(p.auth, a.auth) && has(p.enc, a.enc) &&
		has(p.mac, a.mac) && has(p.strength, a.strength) && has(p.flags, a.flags) &&
		(p.proto == 0 || p.proto == a.proto)
}

// aliases are the names OpenSSL 3.0 accepts besides suite names, from
// ciphers(1) "CIPHER STRINGS", as the OpenSSL build of the reference
// machine (3.0, default provider) recognises them: names it lists there but
// disables (DES, RC4, IDEA, SEED, GOST…) are unknown words to it and to us.
var aliases = map[string]pattern{
	"ALL":                 {enc: eAll &^ eNULL},
	"COMPLEMENTOFALL":     {enc: eNULL},
	"COMPLEMENTOFDEFAULT": {flags: fNotDefault},

	"kRSA":      {kx: kRSA},
	"RSA":       {kx: kRSA},
	"kEDH":      {kx: kDHE},
	"kDHE":      {kx: kDHE},
	"DH":        {kx: kDHE},
	"EDH":       {kx: kDHE, auth: aAll &^ aNULL},
	"DHE":       {kx: kDHE, auth: aAll &^ aNULL},
	"ADH":       {kx: kDHE, auth: aNULL},
	"kEECDH":    {kx: kECDHE},
	"kECDHE":    {kx: kECDHE},
	"ECDH":      {kx: kECDHE},
	"EECDH":     {kx: kECDHE, auth: aAll &^ aNULL},
	"ECDHE":     {kx: kECDHE, auth: aAll &^ aNULL},
	"AECDH":     {kx: kECDHE, auth: aNULL},
	"kPSK":      {kx: kPSK},
	"kRSAPSK":   {kx: kRSAPSK},
	"kECDHEPSK": {kx: kECDHEPSK},
	"kDHEPSK":   {kx: kDHEPSK},
	"PSK":       {kx: kPSK | kRSAPSK | kECDHEPSK | kDHEPSK},
	"kSRP":      {kx: kSRP},
	"SRP":       {kx: kSRP},

	"aRSA":   {auth: aRSA},
	"aDSS":   {auth: aDSS},
	"DSS":    {auth: aDSS},
	"aNULL":  {auth: aNULL},
	"aECDSA": {auth: aECDSA},
	"ECDSA":  {auth: aECDSA},
	"aPSK":   {auth: aPSK},
	"aSRP":   {auth: aSRP},

	"3DES":        {enc: e3DES},
	"eNULL":       {enc: eNULL},
	"NULL":        {enc: eNULL},
	"AES128":      {enc: eAES128 | eAES128GCM | eAES128CCM | eAES128CCM8},
	"AES256":      {enc: eAES256 | eAES256GCM | eAES256CCM | eAES256CCM8},
	"AES":         {enc: eAES},
	"AESGCM":      {enc: eAESGCM},
	"AESCCM":      {enc: eAESCCM},
	"AESCCM8":     {enc: eAESCCM8},
	"CAMELLIA128": {enc: eCAMELLIA128},
	"CAMELLIA256": {enc: eCAMELLIA256},
	"CAMELLIA":    {enc: eCAMELLIA},
	"CHACHA20":    {enc: eCHACHA20},
	"ARIA":        {enc: eARIA},
	"ARIAGCM":     {enc: eARIA},
	"ARIA128":     {enc: eARIA128GCM},
	"ARIA256":     {enc: eARIA256GCM},
	"CBC":         {enc: eCBC},

	"MD5":    {mac: mMD5},
	"SHA1":   {mac: mSHA1},
	"SHA":    {mac: mSHA1},
	"SHA256": {mac: mSHA256},
	"SHA384": {mac: mSHA384},

	"SSLv3":   {proto: protoSSL3},
	"TLSv1":   {proto: protoTLS1},
	"TLSv1.0": {proto: protoTLS1},
	"TLSv1.2": {proto: protoTLS12},

	"LOW":    {strength: sLOW},
	"MEDIUM": {strength: sMEDIUM},
	"HIGH":   {strength: sHIGH},
	"FIPS":   {strength: sFIPS},
}

// entry is one implemented suite with its attributes.
type entry struct {
	suite *cipher.Suite
	attr  pattern
}

// universe holds every implemented suite we can describe, in OpenSSL's
// default order; byName finds them by OpenSSL name (case-sensitive, as in
// OpenSSL).
var universe, byName = func() ([]*entry, map[string]*entry) {
	var all []*entry
	names := make(map[string]*entry)
	for _, s := range cipher.Suites() {
		a, ok := describe(s)
		if !ok {
			// A suite added to the registry that this package does not
			// know how to describe is never selected (TestRegistryDescribed
			// names it) rather than matched by every alias.
			continue
		}
		e := &entry{suite: s, attr: a}
		all = append(all, e)
		names[s.OpenSSLName] = e
	}
	slices.SortFunc(all, compareDefault)
	return all, names
}()

// describe returns the attributes OpenSSL gives s, and false when s uses
// an algorithm this package does not map.
func describe(s *cipher.Suite) (pattern, bool) {
	a := pattern{id: s.ID}
	switch s.KX {
	case cipher.KXRSA:
		a.kx = kRSA
	case cipher.KXDHE:
		a.kx = kDHE
	case cipher.KXECDHE:
		a.kx = kECDHE
	}
	switch s.Auth {
	case cipher.AuthRSA:
		a.auth = aRSA
	case cipher.AuthECDSA:
		a.auth = aECDSA
	}
	// Every bulk cipher we have is HIGH (at least 128-bit keys); the AES
	// ones are also FIPS-approved, ChaCha20 is not.
	a.strength = sHIGH | sFIPS
	switch s.Bulk {
	case cipher.AES128CBC:
		a.enc = eAES128
	case cipher.AES256CBC:
		a.enc = eAES256
	case cipher.AES128GCM:
		a.enc = eAES128GCM
	case cipher.AES256GCM:
		a.enc = eAES256GCM
	case cipher.ChaCha20Poly1305:
		a.enc = eCHACHA20
		a.strength = sHIGH
	}
	switch s.MAC {
	case cipher.MACSHA1:
		a.mac = mSHA1
	case cipher.MACSHA256:
		a.mac = mSHA256
	case cipher.MACSHA384:
		a.mac = mSHA384
	case cipher.MACAEAD:
		a.mac = mAEAD
	}
	switch {
	case s.MinVersion >= cipher.VersionTLS12:
		a.proto = protoTLS12
	case s.KX == cipher.KXECDHE:
		// The ECC suites (RFC 4492) were defined for TLS, not SSL 3.0.
		a.proto = protoTLS1
	default:
		// The RSA and DHE AES-CBC-SHA suites (RFC 3268) OpenSSL also
		// offers on SSL 3.0.
		a.proto = protoSSL3
	}
	ok := a.kx != 0 && a.auth != 0 && a.enc != 0 && a.mac != 0 && s.Bits > 0
	return a, ok
}

// compareDefault orders suites as OpenSSL 3.0 does before it reads a
// cipher string (measured with `openssl ciphers -v ALL`): see defaultKey.
func compareDefault(a, b *entry) int {
	ka, kb := defaultKey(a), defaultKey(b)
	return slices.Compare(ka[:], kb[:])
}

// defaultKey is the sort key of OpenSSL's default order, most significant
// first:
//  1. forward-secret AEAD, other forward-secret, other AEAD, the rest;
//  2. suites for TLS 1.2 only before those for older versions too;
//  3. the stronger symmetric cipher first;
//  4. AES-GCM, then ChaCha20-Poly1305, then AES-CBC;
//  5. ECDHE before the other key exchanges;
//  6. ECDSA before RSA authentication;
//  7. the higher suite ID first (OpenSSL's tie-break is the reverse of
//     its internal table; no two of our suites get this far).
func defaultKey(e *entry) [7]int {
	var k [7]int
	fs := e.attr.kx&(kDHE|kECDHE) != 0
	aead := e.attr.mac == mAEAD
	switch {
	case fs && aead:
		k[0] = 0
	case fs:
		k[0] = 1
	case aead:
		k[0] = 2
	default:
		k[0] = 3
	}
	if e.attr.proto != protoTLS12 {
		k[1] = 1
	}
	k[2] = -e.suite.Bits
	switch {
	case e.attr.enc&eAESGCM != 0:
		k[3] = 0
	case e.attr.enc&eCHACHA20 != 0:
		k[3] = 1
	default:
		k[3] = 2
	}
	if e.attr.kx != kECDHE {
		k[4] = 1
	}
	if e.attr.auth != aECDSA {
		k[5] = 1
	}
	k[6] = -int(e.suite.ID)
	return k
}

// op is what an element does to the selected suites.
type op uint8

const (
	opAdd  op = iota // no prefix: append those not in the list, keeping their order
	opDel            // '-': take them out of the list; re-added later, they come first
	opOrd            // '+': move those in the list to its end
	opKill           // '!': take them out for good
)

// node is a suite's place in the working list.
type node struct {
	e      *entry
	active bool // in the list the string has built so far
}

// list is the working list: every suite not yet killed, in order. The
// inactive ones keep a position too, because it decides their order when
// one element adds several of them back.
type list []node

// initialList returns every suite inactive, in the default order.
func initialList() list {
	l := make(list, len(universe))
	for i, e := range universe {
		l[i] = node{e: e}
	}
	return l
}

// apply performs o on the suites p matches.
func (l list) apply(p pattern, o op) list {
	var moved, kept list
	for _, n := range l {
		if !p.matches(n.e.attr) {
			kept = append(kept, n)
			continue
		}
		switch {
		case o == opAdd && !n.active:
			n.active = true
			moved = append(moved, n)
		case o == opOrd && n.active:
			moved = append(moved, n)
		case o == opDel && n.active:
			// OpenSSL puts a deleted suite at the head of its list, so a
			// later addition brings back the most recently deleted first.
			n.active = false
			moved = append(moved, n)
		case o == opKill:
		default:
			kept = append(kept, n)
		}
	}
	if o == opDel {
		return append(moved, kept...)
	}
	return append(kept, moved...)
}

// strengthSort moves the active suites to the end, strongest symmetric
// cipher first, keeping the order of equals (@STRENGTH).
func (l list) strengthSort() list {
	var inactive, active list
	for _, n := range l {
		if n.active {
			active = append(active, n)
		} else {
			inactive = append(inactive, n)
		}
	}
	slices.SortStableFunc(active, func(a, b node) int { return cmp.Compare(b.e.suite.Bits, a.e.suite.Bits) })
	return append(inactive, active...)
}

// selected returns the active suites in order.
func (l list) selected() []*cipher.Suite {
	var out []*cipher.Suite
	for _, n := range l {
		if n.active {
			out = append(out, n.e.suite)
		}
	}
	return out
}

// parser reads one cipher string into its list.
type parser struct {
	list  list
	level int // the last @SECLEVEL=n, or -1
	s     string
	pos   int
	off   int // position of s in the string the caller gave, for errors
}

// run applies the elements of s, which starts at offset off of the
// caller's string.
func (p *parser) run(s string, off int) error {
	p.s, p.pos, p.off = s, 0, off
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if isSep(c) {
			p.pos++
			continue
		}
		o := opAdd
		switch c {
		case '-':
			o = opDel
		case '+':
			o = opOrd
		case '!':
			o = opKill
		case '@':
			p.pos++
			if err := p.command(); err != nil {
				return err
			}
			p.skipElement()
			continue
		}
		if o != opAdd {
			p.pos++
		}
		pat, ok, err := p.element()
		if err != nil {
			return err
		}
		if ok {
			p.list = p.list.apply(pat, o)
		} else {
			p.skipElement()
		}
	}
	return nil
}

// element reads names joined by '+' and returns their pattern, or false
// when one is unknown or they contradict each other. Reading stops after
// the last name: like OpenSSL, what follows a name without a separator
// ("AES128-SHA!kRSA") starts the next element.
func (p *parser) element() (pattern, bool, error) {
	var acc pattern
	for {
		start := p.pos
		word := p.word()
		if word == "" {
			return pattern{}, false, p.invalid(start)
		}
		multi := p.pos < len(p.s) && p.s[p.pos] == '+'
		if multi {
			p.pos++
		}
		q, known := lookup(word)
		if !known {
			return pattern{}, false, nil
		}
		var ok bool
		if acc, ok = acc.and(q); !ok {
			return pattern{}, false, nil
		}
		if !multi {
			return acc, true, nil
		}
	}
}

// command runs the '@' command at p.pos: STRENGTH or SECLEVEL=n.
func (p *parser) command() error {
	start := p.pos - 1 // the '@'
	switch word := p.word(); {
	case word == "STRENGTH":
		p.list = p.list.strengthSort()
	case len(word) == len("SECLEVEL=0") && word[:9] == "SECLEVEL=" && word[9] >= '0' && word[9] <= '5':
		// The level does not change the list (see the package
		// documentation); ParseLevel reports it.
		p.level = int(word[9] - '0')
	default:
		return p.invalid(start)
	}
	return nil
}

// word reads a run of name characters.
func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.s) && isNameByte(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// skipElement skips to the next separator.
func (p *parser) skipElement() {
	for p.pos < len(p.s) && !isSep(p.s[p.pos]) {
		p.pos++
	}
}

// invalid returns ErrInvalidCommand for the text at pos.
func (p *parser) invalid(pos int) error {
	rest := p.s[pos:]
	if len(rest) > 20 {
		rest = rest[:20] + "..."
	}
	return fmt.Errorf("%w at offset %d (%q)", ErrInvalidCommand, p.off+pos, rest)
}

// lookup returns the pattern of a suite name or alias.
func lookup(word string) (pattern, bool) {
	if e, ok := byName[word]; ok {
		a := e.attr
		a.proto = 0 // a suite name does not constrain the protocol
		return a, true
	}
	a, ok := aliases[word]
	return a, ok
}

// isSep reports whether c separates elements.
func isSep(c byte) bool { return c == ':' || c == ',' || c == ';' || c == ' ' }

// isNameByte reports whether c may appear in a name or command.
func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '='
}
