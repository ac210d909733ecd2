package engine

import "github.com/tlsengine/tlsengine/handshake"

// The decisions a server asks, in this order; see the package doc for the
// answer each takes.
type (
	SessionLookupDecision = handshake.SessionLookupDecision
	ServerContextDecision = handshake.ServerContextDecision
	OCSPDecision          = handshake.OCSPDecision
	RenegotiationDecision = handshake.RenegotiationDecision
)

// Answer is the answer to one Decision, made by that decision's methods
// (Answer, Accept, Decline, Fail); give it to Resolve.
type Answer = handshake.Answer
