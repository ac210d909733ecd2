package tlsengine_test

// The import rule of ARCHITECTURE.md ("Layers and the import rule"),
// enforced: each package may import only the project packages listed for
// it, and nothing below api may import net, os, log, call time.Now or start
// goroutines.

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tlsengine/tlsengine"

// allowed lists, for each package, the project packages it may import.
// A package absent from the table may import nothing of the project.
// api reaches the protocol machinery (Config, Credential, decisions)
// through engine, never handshake; record, cipher and kex only for their
// vocabulary (alerts and error categories, suites and versions, groups).
var allowed = map[string][]string{
	"cipher":           {"internal/hmacsum"},
	"kex":              {},
	"keysched":         {"internal/hmacsum"},
	"x509lite":         {},
	"record":           {"cipher"},
	"session":          {"cipher", "internal/hmacsum", "internal/wire"},
	"handshake":        {"record", "cipher", "kex", "keysched", "x509lite", "session", "cipher/cipherlist", "internal/hmacsum", "internal/wire"},
	"engine":           {"handshake", "record", "session", "cipher", "kex", "x509lite", "cipher/cipherlist"},
	"api":              {"engine", "x509lite", "session", "record", "cipher", "kex", "cipher/cipherlist"},
	"eventloop":        {"engine", "api"},
	"cmd/tlsengine":    {"api", "eventloop", "fleet", "engine", "handshake", "record", "x509lite", "session", "cipher", "kex", "internal/certgen", "bench", "cipher/cipherlist"},
	"internal/tlstest": {"engine", "handshake", "record", "session", "cipher", "kex", "x509lite", "internal/certgen"},
	"internal/certgen": {},
	"internal/interop": {"api", "eventloop", "engine", "handshake", "record", "session", "cipher", "kex", "x509lite", "internal/certgen", "internal/tlstest"},
	"bench":            {"api", "engine", "handshake", "record", "session", "cipher", "kex", "x509lite", "internal/tlstest", "internal/certgen"},
	"fuzz":             {"engine", "handshake", "record", "session", "cipher", "kex", "x509lite", "internal/tlstest", "internal/certgen", "internal/testonly"},

	"cipher/cipherlist":    {"cipher"},
	"internal/testonly":    {"cipher"},
	"internal/nodepeer":    {},
	"internal/redistest":   {},
	"internal/testbin":     {},
	"internal/hmacsum":     {},
	"internal/wire":        {},
	"fleet":                {"api", "session"},
	"examples":             {},
	"examples/echo-client": {"api"},
	"examples/echo-server": {"api"},
}

// sansIO are the packages that may not touch the outside world.
var sansIO = []string{"internal/hmacsum", "internal/wire", "cipher", "cipher/cipherlist", "kex", "keysched", "x509lite", "record", "session", "handshake", "engine"}

// outside lists, for the packages whose imports from outside the project
// are restricted, the module path prefixes they may import besides the
// standard library (level 0 of ARCHITECTURE.md: stdlib crypto, x/crypto).
var outside = map[string][]string{
	"keysched": {"golang.org/x/crypto/"},
}

type listedPackage struct {
	ImportPath string
	Dir        string
	Imports    []string
	GoFiles    []string
}

func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestImportRule(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if rel == "" {
			continue
		}
		rule, ok := allowed[rel]
		if !ok {
			// Examples and other commands may use anything public.
			if strings.HasPrefix(rel, "examples/") || strings.HasPrefix(rel, "cmd/") {
				continue
			}
			t.Errorf("package %s has no entry in the import rule table", rel)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			if !contains(rule, dep) {
				t.Errorf("%s imports %s, which the import rule forbids", rel, dep)
			}
		}
	}
}

func TestOutsideImports(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		prefixes, ok := outside[rel]
		if !ok {
			continue
		}
		for _, imp := range p.Imports {
			first, _, _ := strings.Cut(imp, "/")
			if !strings.Contains(first, ".") || strings.HasPrefix(imp, module+"/") {
				continue // standard library, or checked by TestImportRule
			}
			if !slices.ContainsFunc(prefixes, func(pre string) bool { return strings.HasPrefix(imp, pre) }) {
				t.Errorf("%s imports %s, outside the standard library and %v", rel, imp, prefixes)
			}
		}
	}
}

func TestSansIOPackages(t *testing.T) {
	banned := map[string]bool{"net": true, "os": true, "log": true, "log/slog": true, "crypto/tls": true, "crypto/x509": true}
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if !contains(sansIO, rel) {
			continue
		}
		for _, imp := range p.Imports {
			if banned[imp] {
				t.Errorf("%s imports %s", rel, imp)
			}
		}
		fset := token.NewFileSet()
		for _, f := range p.GoFiles {
			file, err := parser.ParseFile(fset, filepath.Join(p.Dir, f), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.GoStmt:
					t.Errorf("%s: go statement in a sans-IO package", fset.Position(n.Pos()))
				case *ast.SelectorExpr:
					if id, ok := n.X.(*ast.Ident); ok && id.Name == "time" && n.Sel.Name == "Now" {
						t.Errorf("%s: time.Now in a sans-IO package", fset.Position(n.Pos()))
					}
				}
				return true
			})
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
