// Package testonly holds what only this module's tests and fuzz targets
// may use: the null suite the engine fuzzers run on. It is internal, so
// no program outside the module can import it, and no production package
// imports it (deps_test.go enforces both): a test hands it to a
// handshake through Config.TestOnlySuites, so no user of the library can
// reach it, however it is configured.
//
// Imports: cipher.
package testonly
