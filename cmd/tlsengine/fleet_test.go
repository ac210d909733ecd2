package main

import (
	"strings"
	"testing"
)

// The fleet flags refuse what cannot work, saying why, before anything
// listens.
func TestServeRefusesBadFleetFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-session-store", "redis://127.0.0.1:1", "-ticket-keys", strings.Repeat("00", 48)}, "-ticket-keys and -session-store contradict each other"},
		{[]string{"-session-store", "memcached://127.0.0.1:1"}, "only redis://HOST:PORT and rediss://HOST:PORT are supported"},
		{[]string{"-session-store", "redis://127.0.0.1:1/zero"}, `database "zero" is not a number`},
		{[]string{"-session-store", "redis://127.0.0.1:1", "-ticket-rotation", "1s", "-session-timeout", "1h"}, "rotate less often"},
		{[]string{"-session-store", "redis://127.0.0.1:1", "-ticket-rotation", "500ms"}, "is under a second"},
		{[]string{"-session-timeout", "0s"}, "-session-timeout must be at least a second"},
		{[]string{"-session-store", "redis://127.0.0.1:1", "-store-timeout", "0s"}, "-store-timeout must be positive"},
		{[]string{"-session-store", "redis://127.0.0.1:1", "-session-store-ca", "ca.pem"}, "-session-store-ca goes with a rediss:// -session-store"},
	} {
		code, stderr := runServe(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	// An unreachable store is no reason not to serve: full handshakes.
	startServer(t, "-session-store", "redis://127.0.0.1:1", "-store-timeout", "50ms")
}
