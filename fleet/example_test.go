package fleet_test

import (
	"log"
	"time"

	"github.com/tlsengine/tlsengine/api"
	"github.com/tlsengine/tlsengine/fleet"
)

// Every server of a fleet runs this: sessions by id and tickets then
// resume on any of them. (Compiled, not run: it needs a Redis.)
func ExampleAttach() {
	key, cert := []byte("-----BEGIN PRIVATE KEY-----..."), []byte("-----BEGIN CERTIFICATE-----...")
	srv, err := api.CreateServer(api.ServerOptions{
		SecureContextOptions: api.SecureContextOptions{Key: []api.KeyOption{{PEM: key}}, Cert: [][]byte{cert}},
		SessionTimeout:       10 * time.Minute, // the TTL of stored sessions and the ticket lifetime
		SessionIDContext:     "shop",
	}, func(s *api.TLSSocket) { /* serve s */ })
	if err != nil {
		log.Fatal(err)
	}
	store, err := fleet.OpenRedis("redis://10.0.0.5:6379", fleet.RedisOptions{})
	if err != nil {
		log.Fatal(err)
	}
	f, err := fleet.Attach(srv, store, fleet.Options{Rotation: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := srv.Listen(443, "", nil); err != nil {
		log.Fatal(err)
	}
}
