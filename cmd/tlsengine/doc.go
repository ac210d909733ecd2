// Command tlsengine serves and connects over TLS with the tlsengine engine.
//
//	tlsengine serve   [-addr 127.0.0.1:8443] [-key F -cert F] [-ca F] [-request-cert]
//	                  [-reject-unauthorized] [-ciphers S] [-ecdh-curve S] [-alpn a,b] [-www] [-keylog F]
//	tlsengine connect HOST:PORT [-servername N] [-ca F] [-insecure] [-key F -cert F]
//	                  [-ciphers S] [-ecdh-curve S] [-alpn a,b] [-keylog F]
//	tlsengine version | help
//
// serve is an echo server (or, with -www, a status page like
// `openssl s_server -www`) that generates a self-signed ECDSA P-256
// certificate for localhost when no -key/-cert is given. connect prints a
// handshake summary to stderr and then copies stdin to the connection and
// the connection to stdout, like `openssl s_client`.
//
// The runners take a context and io.Writers so that the tests drive them in
// process; main only wires up os.Args, the standard streams and signals.
//
// Imports: api, engine, handshake, x509lite, cipher, kex,
// internal/certgen and the standard library (os and net included: this is
// the one place of the project that touches files, sockets and signals).
package main
