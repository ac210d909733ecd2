// Package engine is the sans-IO TLS connection. A Conn takes bytes from the
// peer (Feed), application plaintext (Write), and answers to decisions
// (Resolve), and reports everything it produces through one ordered event
// queue (NextEvent): bytes to send, plaintext, handshake completion,
// decisions, key log lines, alerts and the fatal error.
//
// The engine never blocks, never performs I/O, never starts goroutines,
// never reads a clock or global randomness: time and randomness come from
// the Config, so a test with fixed ones replays byte for byte. A Conn is
// used by one goroutine at a time.
//
// # Decisions
//
// A server pauses on a decision (EventDecision, Pending) when its Config
// asks the application, and goes on when Resolve gets an Answer made by
// that decision, so that an answer of the wrong kind does not compile:
//
//	decision                Config field       answer                      Node
//	*SessionLookupDecision  LookupSessions     d.Answer(*session.State)    resumeSession
//	*ServerContextDecision  AskServerContext   d.Answer(*Config)           SNICallback, addContext
//	*OCSPDecision           AskOCSP            d.Answer(der []byte)        OCSPRequest
//	*RenegotiationDecision  AskRenegotiation   d.Accept()                  client renegotiation limit
//
// Every decision also answers d.Decline() (no session, the current
// configuration, no staple, a no_renegotiation warning) and d.Fail(err)
// (internal_error). An answer made by another decision, or after the
// decision was answered, is refused with a misuse error and changes
// nothing, so an answer computed elsewhere (user code on another
// goroutine) can be dropped or applied late without confusion.
//
// A server asks them in Node's order: the session lookup (a session id
// offered without a ticket), then, for a full handshake only, the server
// context and then OCSP; a resumed session asks neither of the latter, as
// OpenSSL runs Node's SNICallback on full TLS 1.2 handshakes only. A TLS
// 1.3 handshake asks the session lookup with its legacy_session_id when
// LookupSessions is set (Node v20 does, and then resumes by ticket only,
// so the answer is not used), then the server context, before any PSK is
// chosen, and OCSP on a full handshake.
// Resolvers and Drive answer decisions from plain functions.
//
// Imports: handshake, record, session, cipher.
package engine
