package keysched

import (
	"crypto/hmac"
	"errors"
)

// HandshakeTrafficSecret is client_ or server_handshake_traffic_secret: it
// keys one direction's handshake records and is the base key of that side's
// Finished (RFC 8446, Section 4.4).
type HandshakeTrafficSecret struct{ secret }

// Keys derives the record key and IV, HKDF-Expand-Label(secret, "key" or
// "iv", "", length) (RFC 8446, Section 7.3). keyLen and ivLen come from the
// cipher suite; lengths HKDF cannot produce panic.
func (t *HandshakeTrafficSecret) Keys(keyLen, ivLen int) (key, iv []byte) {
	return t.keys(keyLen, ivLen)
}

// VerifyData computes this side's Finished verify_data over the transcript
// hash th, which ends with the message before the Finished (RFC 8446,
// Section 4.4.4).
func (t *HandshakeTrafficSecret) VerifyData(th TranscriptHash) []byte {
	return t.finishedMAC(th)
}

// CheckFinished reports, in constant time, whether verifyData is the
// peer's correct Finished value for th. A false answer is a decrypt_error
// alert (RFC 8446, Section 4.4.4).
func (t *HandshakeTrafficSecret) CheckFinished(th TranscriptHash, verifyData []byte) bool {
	return hmac.Equal(t.finishedMAC(th), verifyData)
}

// ApplicationTrafficSecret is client_ or server_application_traffic_secret_N:
// it keys one direction's application data records and moves on with each
// KeyUpdate.
type ApplicationTrafficSecret struct{ secret }

// Keys derives the record key and IV (RFC 8446, Section 7.3), like
// HandshakeTrafficSecret.Keys.
func (t *ApplicationTrafficSecret) Keys(keyLen, ivLen int) (key, iv []byte) {
	return t.keys(keyLen, ivLen)
}

// Next derives application_traffic_secret_N+1, HKDF-Expand-Label(secret_N,
// "traffic upd", "", Hash.length), for a KeyUpdate (RFC 8446, Section 7.2),
// and uses secret_N up: derive its keys before moving on.
func (t *ApplicationTrafficSecret) Next() *ApplicationTrafficSecret {
	var room derivedRoom
	next := newSecret(t.hash, t.expandLabel(room[:0], labelTrafficUpdate, nil, t.hash.Size()))
	t.retire("Next")
	clear(room[:])
	return &ApplicationTrafficSecret{next}
}

// BinderKey is binder_key, the base key of a PSK binder (RFC 8446, Section
// 4.2.11.2).
type BinderKey struct{ secret }

// Binder computes the PSK binder over th, the transcript hash that ends
// with the ClientHello truncated before its binders list (after a
// HelloRetryRequest: message_hash, the HelloRetryRequest and the truncated
// second ClientHello). It is computed like a Finished (Section 4.4.4).
func (b *BinderKey) Binder(th TranscriptHash) []byte {
	return b.finishedMAC(th)
}

// CheckBinder reports, in constant time, whether binder is correct for th.
// A false answer is a decrypt_error alert (RFC 8446, Section 4.2.11).
func (b *BinderKey) CheckBinder(th TranscriptHash, binder []byte) bool {
	return hmac.Equal(b.finishedMAC(th), binder)
}

// ExporterMasterSecret is exporter_master_secret, the secret behind the TLS
// 1.3 exporter.
type ExporterMasterSecret struct{ secret }

// Export is TLS-Exporter(label, context, length) = HKDF-Expand-Label(
// Derive-Secret(secret, label, ""), "exporter", Hash(context), length) (RFC
// 8446, Section 7.5). TLS 1.3 makes no difference between an empty and an
// absent context. It fails for a label that is empty or longer than 249
// bytes and for a length HKDF cannot produce.
func (e *ExporterMasterSecret) Export(label string, context []byte, length int) ([]byte, error) {
	perLabel, err := DeriveSecret(e.hash, e.use("Export"), label, emptyHash(e.hash))
	if err != nil {
		return nil, err
	}
	defer clear(perLabel)
	h := newHash(e.hash)
	h.Write(context)
	return ExpandLabel(e.hash, perLabel, labelExporter, h.Sum(nil), length)
}

// ResumptionMasterSecret is resumption_master_secret, from which every
// ticket of the connection gets its PSK.
type ResumptionMasterSecret struct{ secret }

// TicketPSK derives the PSK of the ticket sent with nonce,
// HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce,
// Hash.length) (RFC 8446, Section 4.6.1). The nonce comes from the peer's
// NewSessionTicket; one longer than its 255-byte wire limit is an error.
func (r *ResumptionMasterSecret) TicketPSK(nonce []byte) ([]byte, error) {
	if len(nonce) > 255 {
		return nil, errors.New("keysched: ticket nonce longer than 255 bytes")
	}
	return r.expandLabel(make([]byte, 0, 2*r.hash.Size()), labelResumption, nonce, r.hash.Size()), nil
}
