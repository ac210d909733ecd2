package handshake

import (
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// HasExtension reports whether the ClientHello carried an extension of type
// t, known to this package or not.
func (m *ClientHello) HasExtension(t ExtensionType) bool {
	return slices.Contains(m.Extensions, t)
}

// HasExtension reports whether the ServerHello carried an extension of type
// t, known to this package or not.
func (m *ServerHello) HasExtension(t ExtensionType) bool {
	return slices.Contains(m.Extensions, t)
}

// smallExtensionBlock is how many extensions readExtensions checks for
// duplicates by searching its list; past it, a bitmap.
const smallExtensionBlock = 32

// readExtensions walks the extensions block of a hello (RFC 5246, Section
// 7.4.1.4) and returns every extension type in wire order. For each
// extension it calls f with the type and the extension_data; f decodes what
// it knows and must consume the body entirely (skipping unknown types). A
// body f leaves unread, or f returning false, is a decode error naming the
// extension. msg names the message in errors.
//
// Duplicates are found by searching the list while it is short, as real
// blocks are, and with a bitmap of every type past smallExtensionBlock, so
// a 64 KiB hello of sixteen thousand empty extensions costs linear time.
// (An 8 KiB bitmap on the stack of every call made the stack grow on each
// handshake: 5% of a TLS 1.3 server's CPU.)
func readExtensions(msg string, block cryptobyte.String, f func(t ExtensionType, body *cryptobyte.String) bool) ([]ExtensionType, error) {
	var seen *[1 << 16 / 64]uint64 // nil while the list is short
	var types []ExtensionType
	if !block.Empty() {
		// One allocation for the usual list (a ClientHello has about 15
		// extensions of at least 4 bytes each) instead of a growing one.
		types = make([]ExtensionType, 0, min(len(block)/4, 24))
	}
	// One body for the whole block: f gets its address, which moves it
	// to the heap, once rather than once per extension.
	var body cryptobyte.String
	for !block.Empty() {
		var typ uint16
		// struct { ExtensionType extension_type; opaque
		// extension_data<0..2^16-1>; } Extension.
		if !block.ReadUint16(&typ) || !block.ReadUint16LengthPrefixed(&body) {
			return nil, malformed(msg, "extension header")
		}
		t := ExtensionType(typ)
		// RFC 5246, Section 7.4.1.4: "There MUST NOT be more than one
		// extension of the same type." RFC 8446, Section 4.2 says the
		// same of every extension block, the TLS 1.3 messages' too.
		switch {
		case seen != nil && seen[typ/64]&(1<<(typ%64)) != 0, seen == nil && slices.Contains(types, t):
			return nil, malformed(msg, "duplicate "+t.String()+" extension")
		case seen == nil && len(types) == smallExtensionBlock:
			seen = new([1 << 16 / 64]uint64)
			for _, x := range types {
				seen[x/64] |= 1 << (x % 64)
			}
		}
		if seen != nil {
			seen[typ/64] |= 1 << (typ % 64)
		}
		types = append(types, t)
		if !f(t, &body) || !body.Empty() {
			return nil, malformed(msg, t.String()+" extension")
		}
	}
	return types, nil
}
