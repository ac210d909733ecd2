package fleet_test

import (
	"os"
	"testing"

	"github.com/tlsengine/tlsengine/internal/testbin"
)

// TestMain removes the tlsengine binary the process tests built.
func TestMain(m *testing.M) { os.Exit(testbin.Run(m)) }
