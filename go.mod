module github.com/tlsengine/tlsengine

go 1.26.8

require (
	filippo.io/edwards25519 v1.2.0
	github.com/google/gofuzz v1.2.0
	golang.org/x/crypto v0.58.0
	software.sslmate.com/src/go-pkcs12 v0.7.4
)

require golang.org/x/sys v0.49.0 // indirect
