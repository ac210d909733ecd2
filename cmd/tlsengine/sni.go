package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
)

// sniFlag collects -sni NAME=CERT,KEY: the credentials to present when a
// client asks for NAME.
type sniFlag []sniEntry

type sniEntry struct {
	name, cert, key string
}

func (f *sniFlag) String() string {
	var parts []string
	for _, e := range *f {
		parts = append(parts, e.name+"="+e.cert+","+e.key)
	}
	return strings.Join(parts, " ")
}

func (f *sniFlag) Set(v string) error {
	name, files, ok := strings.Cut(v, "=")
	cert, key, ok2 := strings.Cut(files, ",")
	if !ok || !ok2 || name == "" || cert == "" || key == "" {
		return fmt.Errorf("want NAME=CERT,KEY, not %q", v)
	}
	*f = append(*f, sniEntry{name, cert, key})
	return nil
}

// sniContext is one -sni entry, loaded: Node's server.addContext(name,
// {key, cert}).
type sniContext struct {
	pattern *regexp.Regexp
	certs   []*handshake.Credential
}

// loadSNI builds each -sni context through api.CreateSecureContext, so
// the files are read as Node's key and cert options are. The names are
// Node's addContext patterns: "*" stands for one dot-free label, the
// match is case-sensitive, and the last matching entry wins.
func loadSNI(entries sniFlag, passphrase string) ([]sniContext, error) {
	var out []sniContext
	for _, e := range entries {
		cert, err := os.ReadFile(e.cert)
		if err != nil {
			return nil, fmt.Errorf("-sni %s: %v", e.name, err)
		}
		key, err := os.ReadFile(e.key)
		if err != nil {
			return nil, fmt.Errorf("-sni %s: %v", e.name, err)
		}
		sc, err := api.CreateSecureContext(api.SecureContextOptions{
			Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{cert}, Passphrase: passphrase})
		if err != nil {
			return nil, fmt.Errorf("-sni %s: %v", e.name, err)
		}
		re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(e.name), `\*`, `[^.]*`) + "$")
		out = append(out, sniContext{re, sc.EngineConfig().Certificates})
	}
	return out, nil
}

// serverContext answers the engine's ServerContext decision: the
// credentials of the last -sni entry matching the client's server name,
// else the default ones (nil keeps them).
func (s *server) serverContext(d *engine.ServerContextDecision) (*engine.Config, error) {
	for i := len(s.sni) - 1; i >= 0; i-- {
		if d.ServerName != "" && s.sni[i].pattern.MatchString(d.ServerName) {
			cfg := *s.cfg
			cfg.Certificates = s.sni[i].certs
			cfg.AskServerContext = false
			return &cfg, nil
		}
	}
	return nil, nil
}
