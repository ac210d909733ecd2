// Package fleet lets several servers act as one for resumption: a session
// resumed by id or by ticket on any of them, through a shared Store (Redis
// by default).
//
// Sessions: each new session is stored under its id and the server's
// sessionIdContext, with the server's sessionTimeout as TTL; a client
// offering a session id is looked up there, through the engine's session
// decision (the handshake's own goroutine makes one bounded call; a slow or
// dead store means a full handshake, never a failed or hung one). Entries
// that are garbage or of another version are misses.
//
// Ticket keys: time is cut into rotation periods; the key of each period
// is created once, by whichever server asks first (an atomic add), and
// read by the others. A server seals with the key of the current period
// and opens with the keys of every period whose tickets may still be alive
// (the ticket lifetime), plus the next period's key, fetched ahead, so a
// rotation reaches every server at the period boundary even when the store
// is unreachable then. A server that cannot reach the store keeps the keys
// it has.
//
// Redis is a small RESP2 client in this package (bounded replies, a
// deadline on every call, a bounded pool), so that `tlsengine serve
// -session-store redis://HOST:PORT` needs no dependency; the nested module
// contrib/redis offers the same Store over github.com/redis/go-redis/v9.
//
// It imports api and session; it starts goroutines (the key rotation) and
// touches the network (Redis), as api does.
package fleet
