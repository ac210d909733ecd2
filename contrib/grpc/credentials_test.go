package grpc_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/peer"

	"github.com/tlsengine/tlsengine/api"
	tlsgrpc "github.com/tlsengine/tlsengine/contrib/grpc"
	"github.com/tlsengine/tlsengine/fleet"
	"github.com/tlsengine/tlsengine/internal/certgen"
)

// pem is one chain as PEM: root, leaf + intermediate, key.
type pem struct{ ca, chain, key []byte }

func newChain(t *testing.T, name string) pem {
	t.Helper()
	ch, err := certgen.NewChain(certgen.ECDSAP256, time.Now(), []string{name}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ch.PEM()
	if err != nil {
		t.Fatal(err)
	}
	return pem{ca: p.Root, chain: p.Chain, key: p.Key}
}

// service answers UnaryCall with the payload and, in Username, what the
// server's credentials say about the connection; FullDuplexCall echoes
// each message; StreamingOutputCall sends the sizes asked for.
type service struct {
	testgrpc.UnimplementedTestServiceServer
}

func describePeer(ctx context.Context) string {
	if ai, ok := tlsgrpc.FromContext(ctx); ok {
		s := ai.Socket
		cn := ""
		if pc := s.PeerCertificate(false); pc != nil {
			cn = strings.Join(pc.Subject["CN"], ",")
		}
		return fmt.Sprintf("tlsengine %s alpn=%s peer=%s authorized=%v", s.Protocol(), s.ALPNProtocol(), cn, s.Authorized())
	}
	p, _ := peer.FromContext(ctx)
	if ti, ok := p.AuthInfo.(credentials.TLSInfo); ok {
		cn := ""
		if len(ti.State.PeerCertificates) > 0 {
			cn = ti.State.PeerCertificates[0].Subject.CommonName
		}
		return fmt.Sprintf("crypto/tls %s alpn=%s peer=%s authorized=%v", tls.VersionName(ti.State.Version), ti.State.NegotiatedProtocol, cn, len(ti.State.VerifiedChains) > 0)
	}
	return "unknown"
}

func (service) UnaryCall(ctx context.Context, in *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	return &testgrpc.SimpleResponse{Payload: in.GetPayload(), Username: describePeer(ctx)}, nil
}

func (service) FullDuplexCall(stream testgrpc.TestService_FullDuplexCallServer) error {
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&testgrpc.StreamingOutputCallResponse{Payload: in.GetPayload()}); err != nil {
			return err
		}
	}
}

func (service) StreamingOutputCall(in *testgrpc.StreamingOutputCallRequest, stream testgrpc.TestService_StreamingOutputCallServer) error {
	for _, p := range in.GetResponseParameters() {
		body := bytes.Repeat([]byte{'g'}, int(p.GetSize()))
		if err := stream.Send(&testgrpc.StreamingOutputCallResponse{Payload: &testgrpc.Payload{Body: body}}); err != nil {
			return err
		}
	}
	return nil
}

// serve runs a gRPC server with creds on a loopback port.
func serve(t *testing.T, creds credentials.TransportCredentials) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.Creds(creds))
	testgrpc.RegisterTestServiceServer(s, service{})
	go s.Serve(ln)
	t.Cleanup(s.Stop)
	return ln.Addr().String()
}

// ourServer and goServer are the two servers; with mutual, each requires
// a client certificate from clientPKI's CA.
func ourServer(t *testing.T, srvPKI, clientPKI pem, mutual bool, version string) credentials.TransportCredentials {
	t.Helper()
	opts := api.ServerOptions{SecureContextOptions: api.SecureContextOptions{
		Key: []api.KeyOption{{PEM: srvPKI.key}}, Cert: [][]byte{srvPKI.chain}, MaxVersion: version,
	}}
	if mutual {
		opts.CA = [][]byte{clientPKI.ca}
		opts.RequestCert, opts.RejectUnauthorized = true, true
	}
	creds, err := tlsgrpc.NewServerCredentials(opts)
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

func goServer(t *testing.T, srvPKI, clientPKI pem, mutual bool) credentials.TransportCredentials {
	t.Helper()
	cert, err := tls.X509KeyPair(srvPKI.chain, srvPKI.key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if mutual {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(clientPKI.ca)
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return credentials.NewTLS(cfg)
}

func ourClient(srvPKI, clientPKI pem, mutual bool, version string) credentials.TransportCredentials {
	opts := api.ConnectOptions{SecureContextOptions: api.SecureContextOptions{CA: [][]byte{srvPKI.ca}, MaxVersion: version}}
	if mutual {
		opts.Key, opts.Cert = []api.KeyOption{{PEM: clientPKI.key}}, [][]byte{clientPKI.chain}
	}
	return tlsgrpc.NewClientCredentials(opts)
}

func goClient(t *testing.T, srvPKI, clientPKI pem, mutual bool, version string) credentials.TransportCredentials {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srvPKI.ca)
	cfg := &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS13}
	if version == "TLSv1.2" {
		cfg.MaxVersion = tls.VersionTLS12
	}
	if mutual {
		cert, err := tls.X509KeyPair(clientPKI.chain, clientPKI.key)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(cfg)
}

// calls runs a unary call, a bidirectional stream of ten messages and a
// server stream of five, and returns the server's description of the
// connection and the client's AuthInfo.
func calls(t *testing.T, addr string, creds credentials.TransportCredentials) (string, credentials.AuthInfo) {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///localhost:"+addr[strings.LastIndex(addr, ":")+1:],
		grpc.WithTransportCredentials(creds),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := testgrpc.NewTestServiceClient(conn)

	body := bytes.Repeat([]byte("unary "), 5000)
	var p peer.Peer
	resp, err := c.UnaryCall(ctx, &testgrpc.SimpleRequest{Payload: &testgrpc.Payload{Body: body}}, grpc.Peer(&p))
	if err != nil {
		t.Fatalf("UnaryCall: %v", err)
	}
	if !bytes.Equal(resp.GetPayload().GetBody(), body) {
		t.Fatal("UnaryCall: payload changed")
	}

	bidi, err := c.FullDuplexCall(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		msg := fmt.Appendf(nil, "message %d", i)
		if err := bidi.Send(&testgrpc.StreamingOutputCallRequest{Payload: &testgrpc.Payload{Body: msg}}); err != nil {
			t.Fatal(err)
		}
		got, err := bidi.Recv()
		if err != nil || !bytes.Equal(got.GetPayload().GetBody(), msg) {
			t.Fatalf("FullDuplexCall message %d: %q %v", i, got.GetPayload().GetBody(), err)
		}
	}
	bidi.CloseSend()
	if _, err := bidi.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("FullDuplexCall end: %v", err)
	}

	sizes := []int32{1, 100, 10000, 70000, 3}
	var params []*testgrpc.ResponseParameters
	for _, n := range sizes {
		params = append(params, &testgrpc.ResponseParameters{Size: n})
	}
	out, err := c.StreamingOutputCall(ctx, &testgrpc.StreamingOutputCallRequest{ResponseParameters: params})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range sizes {
		got, err := out.Recv()
		if err != nil || len(got.GetPayload().GetBody()) != int(n) {
			t.Fatalf("StreamingOutputCall response %d: %v", i, err)
		}
	}
	if _, err := out.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("StreamingOutputCall end: %v", err)
	}
	return resp.GetUsername(), p.AuthInfo
}

// gRPC unary and streaming calls pass between tlsengine credentials and
// grpc-go on crypto/tls credentials, each way, with and without mutual
// TLS; both ends see the peer's certificate and ALPN h2.
func TestGRPCCalls(t *testing.T) {
	srvPKI, clientPKI := newChain(t, "localhost"), newChain(t, "grpc-client")
	for _, tc := range []struct {
		client, server, version string
	}{
		{"tlsengine", "tlsengine", "TLSv1.2"},
		{"tlsengine", "tlsengine", "TLSv1.3"},
		{"tlsengine", "crypto/tls", "TLSv1.2"},
		{"tlsengine", "crypto/tls", "TLSv1.3"},
		{"crypto/tls", "tlsengine", "TLSv1.2"},
		{"crypto/tls", "tlsengine", "TLSv1.3"},
	} {
		for _, mutual := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s client, %s server, %s, mutual=%v", tc.client, tc.server, tc.version, mutual), func(t *testing.T) {
				var sc, cc credentials.TransportCredentials
				if tc.server == "tlsengine" {
					sc = ourServer(t, srvPKI, clientPKI, mutual, tc.version)
				} else {
					sc = goServer(t, srvPKI, clientPKI, mutual)
				}
				if tc.client == "tlsengine" {
					cc = ourClient(srvPKI, clientPKI, mutual, tc.version)
				} else {
					cc = goClient(t, srvPKI, clientPKI, mutual, tc.version)
				}
				desc, ai := calls(t, serve(t, sc), cc)
				wantPeer := "peer="
				if mutual {
					wantPeer = "peer=grpc-client authorized=true"
				}
				if !strings.Contains(desc, tc.version+" alpn=h2 ") && !strings.Contains(desc, strings.Replace(tc.version, "TLSv", "TLS ", 1)+" alpn=h2 ") {
					t.Fatalf("server saw %q, want %s and ALPN h2", desc, tc.version)
				}
				if !strings.Contains(desc, wantPeer) {
					t.Fatalf("server saw %q, want %q", desc, wantPeer)
				}
				if tc.client == "tlsengine" {
					our, ok := ai.(tlsgrpc.AuthInfo)
					if !ok {
						t.Fatalf("client AuthInfo is %T", ai)
					}
					if s := our.Socket; s.ALPNProtocol() != "h2" || s.Protocol() != tc.version || strings.Join(s.PeerCertificate(false).Subject["CN"], ",") != "localhost" || !s.Authorized() {
						t.Fatalf("client sees %s %s %v authorized=%v", s.Protocol(), s.ALPNProtocol(), s.PeerCertificate(false).Subject, s.Authorized())
					}
					if err := credentials.CheckSecurityLevel(our, credentials.PrivacyAndIntegrity); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

// Without a client certificate, a mutual-TLS tlsengine server refuses the
// connection; a client offering no ALPN (not gRPC) is refused too.
func TestGRPCRefusals(t *testing.T) {
	srvPKI, clientPKI := newChain(t, "localhost"), newChain(t, "grpc-client")
	addr := serve(t, ourServer(t, srvPKI, clientPKI, true, ""))
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(ourClient(srvPKI, clientPKI, false, "")),
		grpc.WithAuthority("localhost"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := testgrpc.NewTestServiceClient(conn).UnaryCall(ctx, &testgrpc.SimpleRequest{}); err == nil {
		t.Fatal("a client without a certificate got through mutual TLS")
	}

	addr = serve(t, ourServer(t, srvPKI, clientPKI, false, ""))
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	sock, err := api.ConnectContext(ctx, api.ConnectOptions{
		SecureContextOptions: api.SecureContextOptions{CA: [][]byte{srvPKI.ca}},
		Host:                 "localhost", Port: port,
	}, nil)
	if err == nil {
		sock.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = sock.Read(make([]byte, 1))
		sock.Close()
	}
	if err == nil {
		t.Fatal("a client without ALPN h2 was served")
	}
}

// A second gRPC connection through the same client credentials resumes
// the first one's session, on a tlsengine server and on crypto/tls.
func TestGRPCClientResumes(t *testing.T) {
	srvPKI, clientPKI := newChain(t, "localhost"), newChain(t, "grpc-client")
	for name, sc := range map[string]credentials.TransportCredentials{
		"tlsengine":  ourServer(t, srvPKI, clientPKI, false, ""),
		"crypto/tls": goServer(t, srvPKI, clientPKI, false),
	} {
		t.Run(name, func(t *testing.T) {
			addr := serve(t, sc)
			cc := ourClient(srvPKI, clientPKI, false, "TLSv1.2")
			for i, want := range []bool{false, true, true} {
				_, ai := calls(t, addr, cc)
				if got := ai.(tlsgrpc.AuthInfo).Socket.IsSessionReused(); got != want {
					t.Fatalf("connection %d: resumed=%v, want %v", i, got, want)
				}
			}
		})
	}
}

// gRPC servers attached to one fleet store resume each other's sessions
// by id: the credentials' handshakes emit newSession to the store.
func TestGRPCFleetResumesByID(t *testing.T) {
	srvPKI, clientPKI := newChain(t, "localhost"), newChain(t, "grpc-client")
	store := &fleet.Memory{}
	var addrs []string
	for range 3 {
		creds, err := tlsgrpc.NewServerCredentials(api.ServerOptions{
			SecureContextOptions: api.SecureContextOptions{Key: []api.KeyOption{{PEM: srvPKI.key}}, Cert: [][]byte{srvPKI.chain}},
			NoTickets:            true,
		})
		if err != nil {
			t.Fatal(err)
		}
		f, err := fleet.Attach(creds.Server(), store, fleet.Options{NoTicketKeys: true})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		addrs = append(addrs, serve(t, creds))
	}
	_, ai := calls(t, addrs[0], ourClient(srvPKI, clientPKI, false, "TLSv1.2"))
	sess := ai.(tlsgrpc.AuthInfo).Socket.Session()
	for i, addr := range addrs {
		cc := tlsgrpc.NewClientCredentials(api.ConnectOptions{
			// A TLS 1.2 session: TLS 1.3 would not take it.
			SecureContextOptions: api.SecureContextOptions{CA: [][]byte{srvPKI.ca}, MaxVersion: "TLSv1.2"}, Session: sess,
		})
		if _, ai := calls(t, addr, cc); !ai.(tlsgrpc.AuthInfo).Socket.IsSessionReused() {
			t.Fatalf("gRPC server %d did not resume the session made on server 0", i)
		}
	}
}
