package main

import "github.com/tlsengine/tlsengine/cipher"

func allSuites() []uint16 {
	var ids []uint16
	for _, s := range cipher.Suites() {
		if s.KX == cipher.KXECDHE {
			ids = append(ids, s.ID)
		}
	}
	return ids
}
