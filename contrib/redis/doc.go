// Package redis is a fleet.Store on github.com/redis/go-redis/v9, for Go
// users who already run a go-redis client (a single server, a cluster, a
// ring, a sentinel failover client): the sessions and ticket keys of
// package fleet, in the same format as fleet's own RESP client, so servers
// using either share them.
//
// It lives in its own module so that the core module does not depend on
// go-redis. It imports fleet and api.
package redis
