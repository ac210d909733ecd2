module github.com/tlsengine/tlsengine/contrib/redis

go 1.26.8

require (
	github.com/redis/go-redis/v9 v9.23.0
	github.com/tlsengine/tlsengine v0.0.0
)

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	software.sslmate.com/src/go-pkcs12 v0.7.4 // indirect
)

replace github.com/tlsengine/tlsengine => ../..
