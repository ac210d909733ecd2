package testbin

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Build compiles a command once and the executable runs; a package that
// does not build fails the test with go build's output.
func TestBuild(t *testing.T) {
	bin := Build(t, "../../cmd/tlsengine")
	if again := Build(t, "../../cmd/tlsengine"); again != bin {
		t.Fatalf("built twice: %s, %s", bin, again)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "tlsengine ") {
		t.Fatalf("version: %q, %v", out, err)
	}
	dir, _, err := compile("./no-such-package")
	defer os.RemoveAll(dir)
	if err == nil || !strings.Contains(err.Error(), "go build ./no-such-package") {
		t.Fatalf("a missing package: %v", err)
	}
	RemoveAll()
	if _, err := os.Stat(bin); !os.IsNotExist(err) {
		t.Fatalf("after RemoveAll: %v", err)
	}
}
