package examples_test

import (
	"os"
	"testing"

	"github.com/tlsengine/tlsengine/internal/testbin"
)

// TestMain removes the example programs the tests built.
func TestMain(m *testing.M) { os.Exit(testbin.Run(m)) }
