// Package nodepeer finds the Node.js binary that tests compare tlsengine
// with. It is $TLSENGINE_NODE when set (a Node 18 beside the system's Node
// 20, say), else "node" on $PATH. Tests hold for Node 18 (Debian 12's
// nodejs) and Node 20; where the two word something differently, a test
// asks Major and expects that version's words.
//
// Imports: the standard library only.
package nodepeer

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// Env names the variable that overrides the node binary.
const Env = "TLSENGINE_NODE"

// Path is the node binary to run, or an error that says how to get one.
func Path() (string, error) {
	if p := os.Getenv(Env); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("$%s=%s: %v", Env, p, err)
		}
		return path, nil
	}
	path, err := exec.LookPath("node")
	if err != nil {
		return "", errors.New("node not found: run `make deps` (or set $" + Env + "); interop peers never skip")
	}
	return path, nil
}

var major struct {
	once sync.Once
	n    int
	err  error
}

// Major is the major version of the node that Path finds (18, 20, ...).
func Major() (int, error) {
	major.once.Do(func() {
		path, err := Path()
		if err != nil {
			major.err = err
			return
		}
		out, err := exec.Command(path, "--version").Output()
		if err != nil {
			major.err = fmt.Errorf("%s --version: %v", path, err)
			return
		}
		v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
		n, _, _ := strings.Cut(v, ".")
		if major.n, err = strconv.Atoi(n); err != nil {
			major.err = fmt.Errorf("%s --version: unexpected output %q", path, out)
		}
	})
	return major.n, major.err
}

// IdentityHost adapts a comparison with Node's tls.checkServerIdentity to
// the node in use. Node 20 classifies (IP literal or name) and matches
// the host as given. Node 18 does both on url.domainToASCII(host), which
// the node script reports as ascii: "::1" becomes "" (a name that matches
// nothing), "010.0.0.1" becomes the IP address 8.0.0.1, "FOO.com"
// becomes "foo.com"; its messages still name the host as given. So a
// check under Node 20's rules (ours) run on match gives Node 18's
// verdict, and rename turns its message, reason or host into Node 18's.
// On Node 20 and later match is host and rename changes nothing.
func IdentityHost(host, ascii string) (match string, rename func(string) string, err error) {
	n, err := Major()
	if err != nil || n >= 20 || ascii == host {
		return host, func(s string) string { return s }, err
	}
	from, to := strings.TrimSuffix(ascii, "."), strings.TrimSuffix(host, ".")
	r := strings.NewReplacer("Host: "+from+". ", "Host: "+to+". ", "IP: "+from+" is ", "IP: "+to+" is ")
	return ascii, func(s string) string {
		if s == from {
			return to
		}
		return r.Replace(s)
	}, nil
}
