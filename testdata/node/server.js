// Node's tls.createServer for a tlsengine client: prints "listening PORT",
// then one JSON line per secure connection with what the server saw.
// Arguments: key cert ca.
'use strict';
const tls = require('tls'), fs = require('fs');
const [key, cert, ca] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), ca: fs.readFileSync(ca),
  requestCert: true, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], maxVersion: 'TLSv1.2'}, s => {
  const pc = s.getPeerCertificate();
  console.log(JSON.stringify({
    protocol: s.getProtocol(), cipher: s.getCipher().name, alpn: s.alpnProtocol, servername: s.servername,
    authorized: s.authorized, authorizationError: s.authorizationError || null,
    peer: {subjectCN: pc.subject.CN, issuerCN: pc.issuer.CN, subjectaltname: pc.subjectaltname,
      fingerprint256: pc.fingerprint256, serialNumber: pc.serialNumber, valid_to: pc.valid_to}}));
  s.end();
  s.on('error', () => {});
});
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 15000).unref();
