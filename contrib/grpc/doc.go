// Package grpc is a gRPC transport credential (credentials.TransportCredentials
// of google.golang.org/grpc) over tlsengine: the client side runs
// api.ConnectContext over gRPC's connection, the server side a socket of an
// api.Server, both negotiating ALPN "h2" as gRPC requires (RFC 7540,
// Section 3.3; grpc-go refuses TLS peers without it). Handlers and
// interceptors find the connection's TLS state (protocol, cipher, peer
// certificate, authorization) in AuthInfo, through FromContext.
//
// It lives in its own module so that the core module does not depend on
// gRPC. It imports api.
package grpc
