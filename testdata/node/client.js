// Node's tls.connect against a tlsengine server: prints one JSON line with
// what the client saw. Arguments: port ca key cert.
'use strict';
const tls = require('tls'), fs = require('fs'), view = require('./view');
const [port, ca, key, cert] = process.argv.slice(2);
const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'localhost', ca: fs.readFileSync(ca),
  key: fs.readFileSync(key), cert: fs.readFileSync(cert), ALPNProtocols: ['http/1.1', 'h2'], maxVersion: 'TLSv1.2'}, () => {
  console.log(JSON.stringify(view(s)));
  s.end();
});
s.on('error', e => { console.log(JSON.stringify({error: e.code || e.message})); process.exit(1); });
setTimeout(() => { console.log(JSON.stringify({error: 'timeout'})); process.exit(2); }, 15000).unref();
