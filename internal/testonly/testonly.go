package testonly

import "sync/atomic"

// NullCipher makes cipher.SuiteByID know the test-only suite
// cipher.NullSuiteID: records are sent as plaintext with no MAC, so a
// fuzzer can change a protected record's content and still have it
// accepted, and reach what lies behind the record layer.
var NullCipher atomic.Bool
