package kex

import "filippo.io/edwards25519/field"

// x25519 is the X25519 function of RFC 7748, Section 5: the Montgomery
// ladder over the u-coordinate, with a constant-time conditional swap.
// The scalar is clamped here; the most significant bit of u is ignored by
// field.Element.SetBytes, as Section 5 requires, and non-canonical values
// are accepted and reduced.
func x25519(scalar *[32]byte, u []byte) []byte {
	k := *scalar
	k[0] &= 248
	k[31] &= 127
	k[31] |= 64

	var x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb field.Element
	if _, err := x1.SetBytes(u); err != nil {
		panic("kex: x25519 called with a u of the wrong length") // callers check the length
	}
	x2.One()
	z2.Zero()
	x3.Set(&x1)
	z3.One()

	swap := 0
	for t := 254; t >= 0; t-- {
		kt := int(k[t/8]>>(t%8)) & 1
		swap ^= kt
		x2.Swap(&x3, swap)
		z2.Swap(&z3, swap)
		swap = kt

		a.Add(&x2, &z2)
		aa.Square(&a)
		b.Subtract(&x2, &z2)
		bb.Square(&b)
		e.Subtract(&aa, &bb)
		c.Add(&x3, &z3)
		d.Subtract(&x3, &z3)
		da.Multiply(&d, &a)
		cb.Multiply(&c, &b)

		x3.Add(&da, &cb)
		x3.Square(&x3)
		z3.Subtract(&da, &cb)
		z3.Square(&z3)
		z3.Multiply(&z3, &x1)
		x2.Multiply(&aa, &bb)
		z2.Mult32(&e, 121665) // a24 = (486662 - 2) / 4
		z2.Add(&z2, &aa)
		z2.Multiply(&z2, &e)
	}
	x2.Swap(&x3, swap)
	z2.Swap(&z3, swap)

	// Invert computes z^(p-2); for z = 0 it yields 0, so a low-order input
	// gives the all-zero output that the caller rejects.
	z2.Invert(&z2)
	x2.Multiply(&x2, &z2)
	return x2.Bytes()
}
