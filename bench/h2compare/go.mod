module github.com/tlsengine/tlsengine/bench/h2compare

go 1.26.8

require (
	github.com/tlsengine/tlsengine v0.0.0
	golang.org/x/net v0.63.0
)

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	software.sslmate.com/src/go-pkcs12 v0.7.4 // indirect
)

replace github.com/tlsengine/tlsengine => ../..
