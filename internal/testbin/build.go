package testbin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// buildTimeout bounds one go build.
const buildTimeout = 3 * time.Minute

type build struct {
	once sync.Once
	dir  string // the temporary directory holding the executable
	path string
	err  error
}

var (
	mu     sync.Mutex
	builds = map[string]*build{}
)

// Build compiles the main package pkg, a directory relative to the
// calling test's package as `go build` takes it ("../cmd/tlsengine",
// "./https-server"), once per test binary, and returns the executable's
// path. A failed build fails t.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	mu.Lock()
	b, ok := builds[pkg]
	if !ok {
		b = &build{}
		builds[pkg] = b
	}
	mu.Unlock()
	b.once.Do(func() { b.dir, b.path, b.err = compile(pkg) })
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// Run runs a package's tests and then deletes what Build made, returning
// m.Run's exit code: a TestMain with nothing else to do is
// os.Exit(testbin.Run(m)).
func Run(m *testing.M) int {
	code := m.Run()
	RemoveAll()
	return code
}

// RemoveAll deletes every executable Build made; a package's TestMain
// calls it once its tests are done (Run does).
func RemoveAll() {
	mu.Lock()
	defer mu.Unlock()
	for pkg, b := range builds {
		if b.dir != "" {
			os.RemoveAll(b.dir)
		}
		delete(builds, pkg)
	}
}

func compile(pkg string) (dir, bin string, err error) {
	abs, err := filepath.Abs(pkg)
	if err != nil {
		return "", "", err
	}
	if dir, err = os.MkdirTemp("", "tlsengine-testbin"); err != nil {
		return "", "", err
	}
	bin = filepath.Join(dir, filepath.Base(abs))
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool(), "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		return dir, "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return dir, bin, nil
}

// goTool is the go command on PATH, or else the one beside the running
// toolchain's GOROOT.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}
