package api

// handshakeStack is a little less than the stack a handshake's calls
// reach on the goroutine that runs it: between 8 and 16 KB for TLS 1.3
// and 1.2, full or resumed (pre-growing to 8 KB bought part of the gain
// below, to 16 KB all of it, to 32 KB nothing more).
const handshakeStack = 12 << 10

// growStack makes the calling goroutine's stack big enough for a
// handshake in one step, by calling a function whose frame is that big,
// while the stack is still shallow. A goroutine starts with a small stack
// that the runtime doubles, copying it, each time a call does not fit:
// during a handshake that is three copies of an ever deeper stack, each
// walking every frame, where this is one copy of a few frames. A TLS 1.3
// resumption's server thread CPU went from 0.88-0.90x crypto/tls's to
// 0.82-0.83x, a full handshake's from 0.88x to 0.85x (paired server-CPU
// benchmarks, issue 16). The collector shrinks the stack again once the
// connection no longer needs it, as it would the stack the handshake grew.
//
//go:noinline
func growStack(n int) byte {
	var frame [handshakeStack]byte
	frame[n%len(frame)] = byte(n)
	return frame[(n+1)%len(frame)]
}
