// Package session owns resumable TLS 1.2 and TLS 1.3 session state: its stable,
// versioned encoding (State), the sealing of that encoding into session
// tickets with Node's 48-byte keys (RFC 5077, Section 4, recommended
// format; Ticketer, with key rotation), and the server's bounded session-id
// cache (Cache).
//
// Nothing here touches the network or the clock: callers pass the time.
// Every decoder treats its input as hostile and bounds what it allocates.
package session
