package main

import "github.com/tlsengine/tlsengine/cipher"

// allSuites is BoringSSL's default: every suite we have except DHE, which
// BoringSSL does not implement (so the runner's tests never expect it).
func allSuites() []uint16 {
	var ids []uint16
	for _, s := range cipher.Suites() {
		if s.KX != cipher.KXDHE {
			ids = append(ids, s.ID)
		}
	}
	return ids
}
