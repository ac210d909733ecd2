// Node's side of a handshake that may fail, for the api's Node-code
// tests. Options are Node's tls options as JSON; key, cert, ca and
// dhparam name files. Each side prints one JSON line [code, reason,
// message]: err.code, err.reason and err.message of the error Node
// reports (tlsClientError on a server, error on a client), or
// ["", "", "secure"] when the handshake completed.
//   node failure.js pair '{"server": {...}, "client": {...}}'
//       both sides in this process: prints {"server": [...], "client": [...]}
//   node failure.js server '{...}'     prints "listening PORT", then the result
//   node failure.js client PORT '{...}'
'use strict';
const tls = require('tls'), fs = require('fs');
const load = o => {
  o = Object.assign({maxVersion: 'TLSv1.2'}, o);
  for (const k of ['key', 'cert', 'ca', 'dhparam']) if (o[k]) o[k] = fs.readFileSync(o[k]);
  return o;
};
const view = e => [e.code || '', e.reason || '', e.message];
const secure = ['', '', 'secure'];

function server(opts, onListening, done) {
  const srv = tls.createServer(load(opts), s => { s.on('error', () => {}); s.end(); done(secure); });
  srv.on('tlsClientError', e => done(view(e)));
  srv.listen(0, '127.0.0.1', () => onListening(srv.address().port));
  return srv;
}

function client(port, opts, done) {
  const c = tls.connect(Object.assign({host: '127.0.0.1', port, servername: 'localhost'}, load(opts)), () => { c.end(); done(secure); });
  c.on('error', e => done(view(e)));
}

const once = f => { let called = false; return r => { if (!called) { called = true; f(r); } }; };
const [mode, a, b] = process.argv.slice(2);
if (mode === 'pair') {
  const o = JSON.parse(a), res = {};
  const finish = () => { if (res.server && res.client) { console.log(JSON.stringify(res)); process.exit(0); } };
  server(o.server, port => client(port, o.client, once(r => { res.client = r; finish(); })), once(r => { res.server = r; finish(); }));
} else if (mode === 'server') {
  server(JSON.parse(a), port => console.log('listening ' + port), once(r => { console.log(JSON.stringify(r)); process.exit(0); }));
} else {
  client(+a, JSON.parse(b), once(r => { console.log(JSON.stringify(r)); process.exit(0); }));
}
setTimeout(() => { console.log(JSON.stringify(['timeout', '', ''])); process.exit(2); }, 15000).unref();
