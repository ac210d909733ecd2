package bench

import (
	"bytes"
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	gotls "crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"runtime"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/kex"
	"github.com/tlsengine/tlsengine/session"
)

// Case is one measurement: our engine doing some work, crypto/tls doing
// the same work in the same run, and the primitive floor (the public-key
// and AEAD operations the work cannot avoid). Theirs and Floor are nil
// when there is no counterpart.
type Case struct {
	Name   string
	Ours   func(b *testing.B)
	Theirs func(b *testing.B)
	// Paired, in place of Ours and Theirs, measures both in one run,
	// taking turns (pairedServerCPU): the server-CPU cases.
	Paired func(b *testing.B)
	Floor  func(b *testing.B)
	// Metric is the custom metric to compare instead of ns/op (for
	// example "B/conn"), or "" for time.
	Metric string
}

// Cases lists every benchmark case: TLS 1.2, and the TLS 1.3 rows, whose
// names say "TLS 1.3".
func Cases() []Case {
	var cs []Case
	for _, h := range handshakeCases {
		cs = append(cs, Case{Name: "handshake " + h.name + " (client+server)", Ours: h.ours, Theirs: h.theirs, Floor: h.floor})
	}
	for _, h := range handshake13Cases {
		cs = append(cs, Case{Name: "handshake TLS 1.3 " + h.name + " (client+server)", Ours: h.ours, Theirs: h.theirs, Floor: h.floor})
	}
	cs = append(cs,
		Case{Name: "resumed by ticket (client+server)", Ours: resumeOurs("ticket"), Theirs: resumeTheirs},
		Case{Name: "resumed by session id (client+server)", Ours: resumeOurs("session-id")},
	)
	cs = append(cs, resume13Cases()...)
	cs = append(cs, serverCPUCases()...)
	cs = append(cs,
		Case{Name: "server CPU, full handshake, Ed25519/X25519 (replay)", Ours: serverCPU("full"), Floor: ed25519ServerFloor},
		Case{Name: "server CPU, resumed by ticket (replay)", Ours: serverCPU("resumed-ticket")},
		Case{Name: "server CPU, resumed by session id (replay)", Ours: serverCPU("resumed-session-id")},
	)
	for _, suite := range []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"} {
		for _, size := range []int{1024, 16384} {
			cs = append(cs, Case{Name: "bulk " + suite + " " + sizeName(size) + " (engine, in memory)",
				Ours: bulkOurs(suite, size), Theirs: bulkTheirs(suite, size), Floor: aeadFloor(suite, size)})
		}
	}
	cs = append(cs, Case{Name: "bulk TLS 1.3 " + suite13 + " 16 KiB (engine, in memory)",
		Ours: bulkOurs(suite13, 16384), Theirs: bulkTheirs(suite13, 16384), Floor: aeadFloor(suite13, 16384)})
	cs = append(cs, loopbackCases()...)
	cs = append(cs, Case{Name: "idle heap per connection pair", Ours: idleOurs, Theirs: idleTheirs, Metric: "B/conn"})
	return cs
}

func sizeName(n int) string {
	if n >= 1024 {
		return itoa(n/1024) + " KiB"
	}
	return itoa(n) + " B"
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

type hsCase struct {
	name                string
	ours, theirs, floor func(b *testing.B)
}

var handshakeCases = []hsCase{
	newHSCase("ECDHE-ECDSA-P256/X25519", certgen.ECDSAP256, "ECDHE-ECDSA-AES128-GCM-SHA256", kex.X25519),
	newHSCase("ECDHE-ECDSA-P256/P-256", certgen.ECDSAP256, "ECDHE-ECDSA-AES128-GCM-SHA256", kex.P256),
	newHSCase("ECDHE-RSA-2048/X25519", certgen.RSA2048, "ECDHE-RSA-AES128-GCM-SHA256", kex.X25519),
	newHSCase("ECDHE-RSA-2048/P-256", certgen.RSA2048, "ECDHE-RSA-AES128-GCM-SHA256", kex.P256),
}

// newHSCase builds a full handshake case: our engine pair in memory, a
// crypto/tls pair over net.Pipe, both verifying the chain, and the floor.
func newHSCase(name string, kt certgen.KeyType, suite string, group kex.Group) hsCase {
	id := cipher.SuiteByName(suite).ID
	return hsCase{
		name: name,
		ours: func(b *testing.B) {
			pki := tlstest.NewPKI(kt)
			cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
			pin12(cc, sc)
			cc.CipherSuites, sc.Groups = []uint16{id}, []kex.Group{group}
			cc.Groups = []kex.Group{group, kex.P256}
			b.ReportAllocs()
			for b.Loop() {
				p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
				if err := p.Handshake(); err != nil {
					b.Fatal(err)
				}
			}
		},
		theirs: func(b *testing.B) {
			ccfg, scfg := goConfigs(tlstest.NewPKI(kt))
			ccfg.CipherSuites = []uint16{id}
			ccfg.CurvePreferences = []gotls.CurveID{gotls.CurveID(group), gotls.CurveP256}
			scfg.CurvePreferences = []gotls.CurveID{gotls.CurveID(group)}
			b.ReportAllocs()
			for b.Loop() {
				goHandshake(b, ccfg, scfg)
			}
		},
		floor: handshakeFloor(kt, group),
	}
}

// goConfigs are crypto/tls configurations for a PKI, TLS 1.2.
func goConfigs(pki *tlstest.PKI) (client, server *gotls.Config) {
	root, _ := x509.ParseCertificate(pki.Chain.Root.DER)
	roots := x509.NewCertPool()
	roots.AddCert(root)
	cert := gotls.Certificate{Certificate: [][]byte{pki.Chain.Leaf.DER, pki.Chain.Intermediate.DER}, PrivateKey: pki.Chain.Leaf.Key}
	now := tlstest.FixedNow(tlstest.Epoch)
	return &gotls.Config{RootCAs: roots, ServerName: "localhost", MaxVersion: gotls.VersionTLS12, Time: now},
		&gotls.Config{Certificates: []gotls.Certificate{cert}, MaxVersion: gotls.VersionTLS12, Time: now}
}

// goHandshake runs one crypto/tls handshake over net.Pipe and returns the
// client's connection state.
func goHandshake(b *testing.B, ccfg, scfg *gotls.Config) gotls.ConnectionState {
	a, z := net.Pipe()
	defer a.Close()
	defer z.Close()
	srv := gotls.Server(a, scfg)
	done := make(chan error, 1)
	go func() { done <- srv.Handshake() }()
	cli := gotls.Client(z, ccfg)
	if err := cli.Handshake(); err != nil {
		b.Fatal(err)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	return cli.ConnectionState()
}

// handshakeFloor is the primitive work of a full ECDHE handshake with
// chain verification, both sides: two key generations and two shared
// secrets in the group, one signature and its verification, and the
// two chain signatures (leaf and intermediate) the client checks. The
// work is the same in TLS 1.3 (a CertificateVerify instead of a signed
// ServerKeyExchange); X25519MLKEM768 is its X25519 part plus mlkemFloor.
func handshakeFloor(kt certgen.KeyType, group kex.Group) func(b *testing.B) {
	return func(b *testing.B) {
		pki := tlstest.NewPKI(kt)
		msg := make([]byte, 32+32+69) // the signed ServerKeyExchange content
		digest := sha256.Sum256(msg)
		var curve ecdh.Curve = ecdh.X25519()
		if group == kex.P256 {
			curve = ecdh.P256()
		}
		peer, _ := curve.GenerateKey(rand.Reader)
		signer := pki.Chain.Leaf.Key
		var sig []byte
		switch k := signer.(type) {
		case *ecdsa.PrivateKey:
			sig, _ = ecdsa.SignASN1(rand.Reader, k, digest[:])
		case *rsa.PrivateKey:
			sig, _ = rsa.SignPSS(rand.Reader, k, 5, digest[:], nil)
		}
		b.ReportAllocs()
		for b.Loop() {
			for range 2 {
				k, _ := curve.GenerateKey(rand.Reader)
				k.ECDH(peer.PublicKey())
			}
			if group == kex.X25519MLKEM768 {
				mlkemFloor(b)
			}
			switch k := signer.(type) {
			case *ecdsa.PrivateKey:
				ecdsa.SignASN1(rand.Reader, k, digest[:])
				for range 3 { // ServerKeyExchange, leaf, intermediate
					ecdsa.VerifyASN1(&k.PublicKey, digest[:], sig)
				}
			case *rsa.PrivateKey:
				rsa.SignPSS(rand.Reader, k, 5, digest[:], nil)
				for range 3 {
					rsa.VerifyPSS(&k.PublicKey, 5, digest[:], sig, nil)
				}
			}
		}
	}
}

// resumeOurs runs abbreviated handshakes of our pair.
func resumeOurs(mode string) func(b *testing.B) {
	return func(b *testing.B) {
		pki := tlstest.NewPKI(certgen.ECDSAP256)
		cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
		pin12(cc, sc)
		cc.CipherSuites = []uint16{cipher.SuiteByName("ECDHE-ECDSA-AES128-GCM-SHA256").ID}
		if mode == "ticket" {
			sc.Tickets, _ = session.NewTicketer(bytes.Repeat([]byte{1}, session.KeyLen))
		} else {
			sc.SessionCache = session.NewCache(0)
			cc.DisableTickets = true
		}
		first := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
		if err := first.Handshake(); err != nil {
			b.Fatal(err)
		}
		sess := first.Client.State.Session
		b.ReportAllocs()
		for b.Loop() {
			p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost", Session: sess})
			if err := p.Handshake(); err != nil || !p.Client.State.Resumed {
				b.Fatalf("not resumed: %v", err)
			}
		}
	}
}

// resumeTheirs is crypto/tls resuming by ticket (it has no session-id
// cache).
func resumeTheirs(b *testing.B) {
	ccfg, scfg := goConfigs(tlstest.NewPKI(certgen.ECDSAP256))
	ccfg.CipherSuites = []uint16{cipher.SuiteByName("ECDHE-ECDSA-AES128-GCM-SHA256").ID}
	ccfg.ClientSessionCache = gotls.NewLRUClientSessionCache(1)
	goHandshake(b, ccfg, scfg)
	b.ReportAllocs()
	for b.Loop() {
		if !goHandshake(b, ccfg, scfg).DidResume {
			b.Fatal("not resumed")
		}
	}
}

// serverCPU measures the server alone: the client's flights are recorded
// once with fixed randomness on both sides and replayed to fresh servers
// with the same randomness, which answer byte for byte as recorded
// (Ed25519 keeps the full handshake's signature deterministic).
func serverCPU(mode string) func(b *testing.B) {
	return func(b *testing.B) {
		pki := tlstest.NewPKI(certgen.Ed25519)
		ticketer, _ := session.NewTicketer(bytes.Repeat([]byte{9}, session.KeyLen))
		server := func() *engine.Config {
			sc := pki.ServerConfig(2)
			pin12(sc)
			sc.Tickets = ticketer
			return sc
		}
		fc := pki.ClientConfig(1)
		pin12(fc)
		first := tlstest.NewPair(fc, server(), engine.ClientOptions{ServerName: "localhost"})
		if err := first.Handshake(); err != nil {
			b.Fatal(err)
		}
		cc := pki.ClientConfig(3)
		pin12(cc)
		var sess *session.State
		switch mode {
		case "resumed-ticket":
			sess = first.Client.State.Session
		case "resumed-session-id":
			// The replays would overwrite a shared cache under the same
			// (replayed) id, so this case has its own.
			cache := session.NewCache(0)
			byID := *first.Client.State.Session
			byID.Ticket, byID.SessionID = nil, bytes.Repeat([]byte{7}, 32)
			cache.Put(byID.SessionID, &byID)
			sess = &byID
			cc.DisableTickets = true
			server = func() *engine.Config {
				sc := pki.ServerConfig(2)
				pin12(sc)
				sc.SessionCache = cache
				return sc
			}
		}
		p := tlstest.NewPair(cc, server(), engine.ClientOptions{ServerName: "localhost", Session: sess})
		if err := p.Handshake(); err != nil || p.Server.State.Resumed != (sess != nil) {
			b.Fatalf("recording: resumed %v, %v", p.Server.State.Resumed, err)
		}
		flights := p.Client.Flights
		b.ReportAllocs()
		for b.Loop() {
			s := engine.NewServer(server())
			done := false
			for _, f := range flights {
				if err := s.Feed(f); err != nil {
					b.Fatal(err)
				}
				for e := s.NextEvent(); e.Kind != engine.EventNone; e = s.NextEvent() {
					done = done || e.Kind == engine.EventHandshakeDone
				}
			}
			if !done {
				b.Fatal("the replayed handshake did not complete")
			}
		}
	}
}

// ed25519ServerFloor is a server's primitive work in an Ed25519/X25519
// full handshake: one signature, one key generation, one shared secret.
func ed25519ServerFloor(b *testing.B) {
	key := tlstest.NewPKI(certgen.Ed25519).Chain.Leaf.Key.(ed25519.PrivateKey)
	peer, _ := ecdh.X25519().GenerateKey(rand.Reader)
	msg := make([]byte, 133)
	b.ReportAllocs()
	for b.Loop() {
		ed25519.Sign(key, msg)
		k, _ := ecdh.X25519().GenerateKey(rand.Reader)
		k.ECDH(peer.PublicKey())
	}
}

// pin12 pins our engine configurations to TLS 1.2: every row without
// "TLS 1.3" in its name is a TLS 1.2 row, whatever the engine's default.
func pin12(cfgs ...*engine.Config) {
	for _, c := range cfgs {
		c.MinVersion, c.MaxVersion = cipher.VersionTLS12, cipher.VersionTLS12
	}
}

// bulkOurs seals size bytes on one engine and opens them on the other.
func bulkOurs(suite string, size int) func(b *testing.B) {
	return func(b *testing.B) {
		pki := tlstest.NewPKI(certgen.ECDSAP256)
		cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
		if is13(suite) {
			pin13(kex.X25519, cc, sc)
		} else {
			pin12(cc, sc)
			cc.CipherSuites = []uint16{cipher.SuiteByName(suite).ID}
		}
		p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
		if err := p.Handshake(); err != nil {
			b.Fatal(err)
		}
		if is13(suite) {
			checkOurs13(b, p, kex.X25519)
		}
		msg := make([]byte, size)
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			p.Client.Conn.Write(msg)
			for e := p.Client.Conn.NextEvent(); e.Kind != engine.EventNone; e = p.Client.Conn.NextEvent() {
				if e.Kind == engine.EventSend {
					p.Server.Conn.Feed(e.Data)
					p.Client.Conn.Recycle(e.Data) // as api does once written
				}
			}
			for e := p.Server.Conn.NextEvent(); e.Kind != engine.EventNone; e = p.Server.Conn.NextEvent() {
			}
		}
	}
}

// bulkTheirs writes size bytes through crypto/tls over net.Pipe, the
// reader draining on another goroutine (the closest in-memory equivalent;
// it runs on two cores where ours runs on one).
func bulkTheirs(suite string, size int) func(b *testing.B) {
	return func(b *testing.B) {
		ccfg, scfg := goConfigs13(tlstest.NewPKI(certgen.ECDSAP256), kex.X25519)
		if !is13(suite) {
			ccfg, scfg = goConfigs(tlstest.NewPKI(certgen.ECDSAP256))
			ccfg.CipherSuites = []uint16{cipher.SuiteByName(suite).ID}
		}
		a, z := net.Pipe()
		srv := gotls.Server(a, scfg)
		cli := gotls.Client(z, ccfg)
		go func() { srv.Handshake(); io.Copy(io.Discard, srv) }()
		if err := cli.Handshake(); err != nil {
			b.Fatal(err)
		}
		if is13(suite) {
			checkGo13(b, cli.ConnectionState(), kex.X25519)
		}
		msg := make([]byte, size)
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			cli.Write(msg)
		}
		cli.Close()
	}
}

// aeadFloor is the raw AEAD seal and open of size bytes.
func aeadFloor(suite string, size int) func(b *testing.B) {
	return func(b *testing.B) {
		var aead gocipher.AEAD
		switch {
		case bytes.Contains([]byte(suite), []byte("CHACHA20")):
			aead, _ = chacha20poly1305.New(make([]byte, 32))
		case bytes.Contains([]byte(suite), []byte("AES256")):
			block, _ := aes.NewCipher(make([]byte, 32))
			aead, _ = gocipher.NewGCM(block)
		default:
			block, _ := aes.NewCipher(make([]byte, 16))
			aead, _ = gocipher.NewGCM(block)
		}
		nonce, ad := make([]byte, aead.NonceSize()), make([]byte, 13)
		msg := make([]byte, size)
		buf := make([]byte, 0, size+aead.Overhead())
		out := make([]byte, 0, size)
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			ct := aead.Seal(buf[:0], nonce, msg, ad)
			if _, err := aead.Open(out[:0], nonce, ct, ad); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// idleConns is how many established connection pairs the idle-heap
// cases keep.
const idleConns = 2000

// idleOurs reports the heap retained per established, idle pair of our
// engines (client and server together), in B/conn.
func idleOurs(b *testing.B) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
	pin12(cc, sc) // as idleTheirs
	for b.Loop() {
		before := heapInUse()
		// Keep the two engines of each pair, not the test harness around
		// them.
		conns := make([]*engine.Conn, 0, 2*idleConns)
		for range idleConns {
			p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
			if err := p.Handshake(); err != nil {
				b.Fatal(err)
			}
			conns = append(conns, p.Client.Conn, p.Server.Conn)
		}
		b.ReportMetric(float64(heapInUse()-before)/idleConns, "B/conn")
		runtime.KeepAlive(conns)
	}
}

// idleTheirs is the same for crypto/tls pairs over net.Pipe.
func idleTheirs(b *testing.B) {
	ccfg, scfg := goConfigs(tlstest.NewPKI(certgen.ECDSAP256))
	for b.Loop() {
		before := heapInUse()
		conns := make([]*gotls.Conn, 0, 2*idleConns)
		for range idleConns {
			a, z := net.Pipe()
			srv, cli := gotls.Server(a, scfg), gotls.Client(z, ccfg)
			done := make(chan error, 1)
			go func() { done <- srv.Handshake() }()
			if err := cli.Handshake(); err != nil {
				b.Fatal(err)
			}
			<-done
			conns = append(conns, srv, cli)
		}
		b.ReportMetric(float64(heapInUse()-before)/idleConns, "B/conn")
		// Close the pipes, not the TLS conns: a close_notify written to a
		// net.Pipe nobody reads would block.
		for _, c := range conns {
			c.NetConn().Close()
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
