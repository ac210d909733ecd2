// What a tlsengine test needs to know of one Node TLS socket, as a plain
// object: the shared parameters and the peer certificate's fields.
'use strict';
module.exports = s => {
  const pc = s.getPeerCertificate();
  return {
    protocol: s.getProtocol(), cipher: s.getCipher().name, alpn: s.alpnProtocol, servername: s.servername,
    authorized: s.authorized, authorizationError: s.authorizationError || null,
    peer: {subjectCN: pc.subject.CN, issuerCN: pc.issuer.CN, subjectaltname: pc.subjectaltname,
      fingerprint256: pc.fingerprint256, serialNumber: pc.serialNumber, valid_to: pc.valid_to}};
};
