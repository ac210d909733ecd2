// Node's tls.createServer for a tlsengine client: prints "listening PORT",
// then one JSON line per secure connection with what the server saw.
// Arguments: key cert ca.
'use strict';
const tls = require('tls'), fs = require('fs'), view = require('./view');
const [key, cert, ca] = process.argv.slice(2);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert), ca: fs.readFileSync(ca),
  requestCert: true, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], maxVersion: 'TLSv1.2'}, s => {
  console.log(JSON.stringify(view(s)));
  s.end();
  s.on('error', () => {});
});
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
setTimeout(() => process.exit(0), 15000).unref();
