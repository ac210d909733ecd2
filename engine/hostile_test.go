package engine_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tlsengine/tlsengine/cipher"
	"github.com/tlsengine/tlsengine/engine"
	"github.com/tlsengine/tlsengine/handshake"
	"github.com/tlsengine/tlsengine/internal/certgen"
	"github.com/tlsengine/tlsengine/internal/tlstest"
	"github.com/tlsengine/tlsengine/record"
)

// Tests of what hostile peers tried in issue 12: resources a peer controls,
// and the order of what goes out when its input turns fatal.

const (
	typeHelloRequest    = 0
	typeServerHello     = 2
	typeServerHelloDone = 14
)

// splitHelloRequests is the attack: records that each carry the
// rest of one HelloRequest and the first byte of the next, so that a
// reassembler that only compacts when drained is never drained.
func splitHelloRequests(seal func(data []byte) []byte, records int) [][]byte {
	out := [][]byte{seal([]byte{typeHelloRequest})}
	for range records {
		out = append(out, seal([]byte{0, 0, 0, typeHelloRequest}))
	}
	return out
}

// feedUntilError feeds records one Feed at a time until c fails, and
// returns how many it took and the most the reassembler held meanwhile.
func feedUntilError(c *engine.Conn, records [][]byte) (fed, maxHeld int, err error) {
	for _, r := range records {
		fed++
		err = c.Feed(r)
		maxHeld = max(maxHeld, c.ReassemblyCap())
		if err != nil {
			break
		}
	}
	return fed, maxHeld, err
}

// wantNoProgressFailure checks err is the no-progress limit's
// unexpected_message naming what.
func wantNoProgressFailure(t *testing.T, err error, what string) {
	t.Helper()
	var re *record.Error
	if !errors.As(err, &re) || re.Alert != record.AlertUnexpectedMessage || !strings.Contains(err.Error(), "too many "+what) {
		t.Fatalf("error %v, want unexpected_message for too many %s", err, what)
	}
}

// TestSplitHelloRequestsToNegotiatingClient: a client ignores HelloRequest
// while it negotiates (RFC 5246, Section 7.4.1.1), but not forever, and
// the reassembler never holds more than a record while it does (issue 12,
// item 1: 34 MB of such records left a client holding 15 MB).
func TestSplitHelloRequestsToNegotiatingClient(t *testing.T) {
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	c := engine.NewClient(pki.ClientConfig(1), engine.ClientOptions{ServerName: "localhost"})
	c.NextEvent() // the ClientHello
	plain := func(data []byte) []byte { return tlstest.HandshakeRecord(data) }
	fed, held, err := feedUntilError(c, splitHelloRequests(plain, 100000))
	wantNoProgressFailure(t, err, "ignored handshake messages")
	t.Logf("split HelloRequests: failed at record %d, the reassembler held at most %d bytes", fed, held)
	if fed > 40 {
		t.Errorf("the client ignored %d HelloRequests before failing", fed)
	}
	if held > 64 {
		t.Errorf("the reassembler held %d bytes", held)
	}
	// Full records of HelloRequests: the first one is enough.
	c = engine.NewClient(pki.ClientConfig(1), engine.ClientOptions{ServerName: "localhost"})
	c.NextEvent()
	full := tlstest.HandshakeRecord(make([]byte, record.MaxPlaintext))
	fed, held, err = feedUntilError(c, [][]byte{full, full})
	wantNoProgressFailure(t, err, "ignored handshake messages")
	if fed != 1 || held > 2*(record.MaxPlaintext+4) {
		t.Errorf("failed after %d records holding %d bytes", fed, held)
	}
}

// TestSplitClientHellosToDecliningServer: an established server declines
// a client's renegotiations (no_renegotiation warning) and goes on, but a
// stream of ClientHellos, each split to end in the next record, fails
// after a bounded number and never grows the reassembler past one
// ClientHello plus one record.
func TestSplitClientHellosToDecliningServer(t *testing.T) {
	p := pair(t, certgen.ECDSAP256, nil)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	ch := clientHello(t)
	var stream []byte
	for range 1000 {
		stream = append(stream, ch...)
	}
	// Records of the same size as a ClientHello, shifted by one byte:
	// every record ends inside the next ClientHello.
	var records [][]byte
	seal := func(data []byte) []byte { return p.Client.Conn.SealRaw(record.TypeHandshake, data) }
	records = append(records, seal(stream[:1]))
	for off := 1; off < len(stream); off += len(ch) {
		records = append(records, seal(stream[off:min(off+len(ch), len(stream))]))
	}
	fed, held, err := feedUntilError(p.Server.Conn, records)
	wantNoProgressFailure(t, err, "ignored handshake messages")
	t.Logf("split %d-byte ClientHellos: failed at record %d, the reassembler held at most %d bytes", len(ch), fed, held)
	if fed > 40 {
		t.Errorf("the server declined %d ClientHellos before failing", fed)
	}
	if limit := 2 * (2*len(ch) + 4); held > limit {
		t.Errorf("the reassembler held %d bytes, over %d", held, limit)
	}
}

// TestDeclinedRenegotiationsDoNotCountAgainstTheClient: a renegotiation
// the peer declines ends with its warning, a step of our own; only the
// declining side counts the requests it ignores, and application data
// resets that count.
func TestDeclinedRenegotiationsDoNotCountAgainstTheClient(t *testing.T) {
	p, _ := renegPair(t, false)
	for i := range 100 {
		if err := p.Client.Conn.Renegotiate(nil); err != nil {
			t.Fatalf("renegotiation %d: %v", i, err)
		}
		if i%20 == 19 {
			p.Client.Conn.Write([]byte("x"))
		}
		p.Pump()
		if p.Client.Err != nil || p.Server.Err != nil {
			t.Fatalf("renegotiation %d: client %v, server %v", i, p.Client.Err, p.Server.Err)
		}
	}
}

// TestAlternatingWarningsAndEmptyRecords: empty records and warning alerts
// share one no-progress count (issue 12, item 2); before, each kind reset
// the other's and 4 warnings and 32 empty records could alternate forever.
func TestAlternatingWarningsAndEmptyRecords(t *testing.T) {
	warnings := bytes.Repeat([]byte{21, 3, 1, 0, 2, byte(record.LevelWarning), byte(record.AlertUserCanceled)}, 4)
	empties := bytes.Repeat([]byte{22, 3, 1, 0, 0}, 32)
	var in []byte
	for range 4 {
		in = append(append(in, warnings...), empties...)
	}
	a, err := serverAlert(t, in)
	if a != record.AlertUnexpectedMessage {
		t.Errorf("alert %v", a)
	}
	wantNoProgressFailure(t, err, "empty records")
	// Up to the limit, the handshake goes on: 4 warnings and 28 empty
	// records, then a ClientHello.
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	s := engine.NewServer(pki.ServerConfig(9))
	if err := s.Feed(append(append(warnings, empties[:28*5]...), tlstest.HandshakeRecord(clientHello(t))...)); err != nil {
		t.Fatalf("32 records without progress: %v", err)
	}
}

// TestHundredKiBClientHello: a ClientHello of 100 KiB, its extensions block
// full (64 KiB) and a long cipher list, is accepted (issue 12, item 4; the
// old 64 KiB cap for every message refused it, OpenSSL accepts up to
// 131396 bytes).
func TestHundredKiBClientHello(t *testing.T) {
	ch := bigClientHello(t, 100*1024)
	if len(ch) < 100*1024-1 {
		t.Fatalf("ClientHello of %d bytes", len(ch))
	}
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	s := engine.NewServer(pki.ServerConfig(9))
	var plain record.HalfConn
	plain.Version = cipher.VersionTLS12
	in, err := plain.SealAll(nil, record.TypeHandshake, ch, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Feed(in); err != nil {
		t.Fatal(err)
	}
	e := s.NextEvent()
	if e.Kind != engine.EventSend || tlstest.FindMessage(e.Data, typeServerHelloDone) < 0 {
		t.Fatalf("no ServerHello flight: %v", e.Kind)
	}
}

// bigClientHello returns a real ClientHello of size bytes (header
// included): its extensions block filled to 65535 bytes with unknown
// extensions and its cipher list padded with unassigned suites.
func bigClientHello(t *testing.T, size int) []byte {
	t.Helper()
	body := clientHello(t)[4:]
	off := 2 + 32 // version, random
	off += 1 + int(body[off])
	head := body[:off]
	n := int(body[off])<<8 | int(body[off+1])
	suites := append([]byte(nil), body[off+2:off+2+n]...)
	off += 2 + n
	comp := body[off : off+1+int(body[off])]
	exts := append([]byte(nil), body[off+len(comp)+2:]...)
	// Unknown extensions of up to 4000 bytes until the block is full.
	for typ := 0x4000; len(exts) < 0xffff; typ++ {
		n := min(4000, 0xffff-len(exts)-4)
		exts = append(append(exts, byte(typ>>8), byte(typ), byte(n>>8), byte(n)), make([]byte, n)...)
	}
	fixed := 4 + len(head) + 2 + len(suites) + len(comp) + 2 + len(exts)
	pad := (size - fixed) / 2
	if pad < 0 || len(suites)+2*pad > 0xfffe {
		t.Fatalf("cannot make a %d-byte ClientHello", size)
	}
	for i := range pad {
		suites = append(suites, byte((0x6000+i)>>8), byte(0x6000+i))
	}
	msg := append([]byte{typeClientHello, 0, 0, 0}, head...)
	msg = append(msg, byte(len(suites)>>8), byte(len(suites)))
	msg = append(append(msg, suites...), comp...)
	msg = append(append(msg, byte(len(exts)>>8), byte(len(exts))), exts...)
	return withLength(msg)
}

// TestMaxCertificateListSize: the peer's Certificate is capped by
// Config.MaxCertificateListSize (OpenSSL's max_cert_list), on either side,
// and the side that refuses it sends illegal_parameter as OpenSSL 3 does
// for an excessive message size.
func TestMaxCertificateListSize(t *testing.T) {
	for _, serverRefuses := range []bool{true, false} {
		pki := tlstest.NewPKI(certgen.ECDSAP256)
		cc, sc := pki.ClientConfig(1), pki.ServerConfig(2)
		cc.Certificates = []*handshake.Credential{pki.Cert}
		sc.ClientAuth = handshake.RequireAnyClientCert
		refuser := sc
		if !serverRefuses {
			refuser = cc
		}
		refuser.MaxCertificateListSize = 200
		p := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"})
		p.Handshake()
		failed, peer := p.Server, p.Client
		if !serverRefuses {
			failed, peer = p.Client, p.Server
		}
		if failed.Err == nil || !strings.Contains(failed.Err.Error(), "exceeds the 200-byte limit") {
			t.Fatalf("server refuses %v: error %v", serverRefuses, failed.Err)
		}
		if !hasAlert(peer.Alerts, record.AlertIllegalParameter) {
			t.Fatalf("server refuses %v: the peer received %v", serverRefuses, peer.Alerts)
		}
		// The default cap lets the same chain through.
		refuser.MaxCertificateListSize = 0
		if err := tlstest.NewPair(cc, sc, engine.ClientOptions{ServerName: "localhost"}).Handshake(); err != nil {
			t.Fatalf("default cap: %v", err)
		}
	}
}

// TestFlightGoesOutBeforeLaterFatalRecord: when one input holds records
// that complete a step and then a fatal record, the flight the step
// produced goes out first, in order, then the alert (issue 12, item 11;
// the peer used to get only the alert).
func TestFlightGoesOutBeforeLaterFatalRecord(t *testing.T) {
	// A server given a ClientHello and a record that is not TLS.
	pki := tlstest.NewPKI(certgen.ECDSAP256)
	s := engine.NewServer(server12(pki, 9)) // a TLS 1.2 flight ends in ServerHelloDone
	if err := s.Feed(append(tlstest.HandshakeRecord(clientHello(t)), 22, 2, 0, 0, 1, 0)); err == nil {
		t.Fatal("no error")
	}
	var wire []byte
	for e := s.NextEvent(); e.Kind != engine.EventNone; e = s.NextEvent() {
		wire = append(wire, e.Data...)
	}
	recs := tlstest.Records(wire)
	if len(recs) < 2 || tlstest.FindMessage(wire, typeServerHello) < 0 || tlstest.FindMessage(wire, typeServerHelloDone) < 0 {
		t.Fatalf("the server's flight is missing: %d records", len(recs))
	}
	if a, ok := tlstest.FatalAlertSent(wire); !ok || a != record.AlertProtocolVersion || recs[len(recs)-1].Type != record.TypeAlert {
		t.Fatalf("alert %v %v, last record %v", a, ok, recs[len(recs)-1].Type)
	}
	// A client given the server's flight and a garbage record sends its
	// whole flight, Finished included, then the alert.
	p := pair(t, certgen.ECDSAP256, nil)
	p.Tamper = func(fromClient bool, data []byte) []byte {
		if !fromClient && tlstest.FindMessage(data, typeServerHelloDone) >= 0 {
			data = append(data, 22, 2, 0, 0, 1, 0)
		}
		return data
	}
	p.Handshake()
	if p.Client.Err == nil || len(p.Client.Flights) != 2 {
		t.Fatalf("client error %v, %d flights", p.Client.Err, len(p.Client.Flights))
	}
	var types []record.ContentType
	for _, r := range tlstest.Records(p.Client.Flights[1]) {
		types = append(types, r.Type)
	}
	want := []record.ContentType{record.TypeHandshake, record.TypeChangeCipherSpec, record.TypeHandshake, record.TypeAlert}
	if !slices.Equal(types, want) {
		t.Fatalf("client's second flight %v, want %v", types, want)
	}
	if !hasAlert(p.Server.Alerts, record.AlertProtocolVersion) {
		t.Fatalf("server received %v", p.Server.Alerts)
	}
}

// TestApplicationDataBetweenCCSAndFinished: in a renegotiation, a record
// of application data under the new keys before the peer's Finished is
// unexpected_message (RFC 5246, Sections 7.1 and 7.4.9), not data for the
// application (issue 12, item 10).
func TestApplicationDataBetweenCCSAndFinished(t *testing.T) {
	p, _ := renegPair(t, false)
	var forge func(record.ContentType, []byte) []byte
	p.Tamper = func(fromClient bool, data []byte) []byte {
		recs := tlstest.Records(data)
		i := slices.IndexFunc(recs, func(r tlstest.RecordSpan) bool { return r.Type == record.TypeChangeCipherSpec })
		if i < 0 {
			return data
		}
		if fromClient {
			// The server reads the ClientKeyExchange first: it then
			// holds the keys it will switch to, which the forger copies.
			if err := p.Server.Conn.Feed(append([]byte(nil), data[:recs[i].Offset]...)); err != nil {
				t.Fatal(err)
			}
			forge = p.Server.Conn.PendingWriteSealer()
			return data[recs[i].Offset:]
		}
		// The server's ChangeCipherSpec, then data where its Finished
		// belongs, sealed as the server would seal it.
		end := recs[i].Offset + record.HeaderLen + recs[i].Length
		return append(append([]byte(nil), data[:end]...), forge(record.TypeApplicationData, []byte("unconfirmed"))...)
	}
	if err := p.Server.Conn.Renegotiate(nil); err != nil {
		t.Fatal(err)
	}
	p.Pump()
	var re *record.Error
	if !errors.As(p.Client.Err, &re) || re.Alert != record.AlertUnexpectedMessage || !strings.Contains(re.Reason, "between ChangeCipherSpec and Finished") {
		t.Fatalf("client error %v", p.Client.Err)
	}
	if bytes.Contains(p.Client.Plain, []byte("unconfirmed")) {
		t.Fatal("the application got data no Finished confirmed")
	}
	if !hasAlert(p.Server.Alerts, record.AlertUnexpectedMessage) {
		t.Fatalf("server received %v", p.Server.Alerts)
	}
}

// TestCloseWaitsForHeldData: Close during a renegotiation, after a Write
// the engine holds for the new keys, sends the data first and the
// close_notify after it (issue 12, item 10); the close_notify used to go
// out at once, and the peer then ignored the data (RFC 5246, Section
// 7.2.1).
func TestCloseWaitsForHeldData(t *testing.T) {
	p, start := serverRenegotiation(t, func(s *engine.Conn) {
		if _, err := s.Write([]byte("held")); err != nil {
			t.Errorf("Write: %v", err)
		}
		s.Close()
		if _, err := s.Write([]byte("late")); err == nil {
			t.Error("Write after Close succeeded")
		}
	})
	if string(p.Client.Plain) != "held" || !p.Client.PeerClose {
		t.Fatalf("client read %q, peer closed %v", p.Client.Plain, p.Client.PeerClose)
	}
	recs := tlstest.Records(p.Server.Wire[start:])
	if n := len(recs); n < 2 || recs[n-2].Type != record.TypeApplicationData || recs[n-1].Type != record.TypeAlert {
		t.Fatalf("the server's records do not end in data then the close_notify: %v", recs)
	}
}
