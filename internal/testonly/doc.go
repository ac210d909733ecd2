// Package testonly holds switches that only this module's tests and fuzz
// targets may turn on. It is internal, so no program outside the module
// can import it: what it enables can never be reached by a user of the
// library, however it is configured.
//
// Imports: the standard library only. cipher imports it.
package testonly
