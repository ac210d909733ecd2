// Package testbin builds the module's commands for tests that run them as
// processes (the CLI, the examples): each package once per test binary,
// with the go tool that runs the tests, in bounded time.
package testbin
