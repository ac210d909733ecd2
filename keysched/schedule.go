package keysched

import "crypto"

// The labels of RFC 8446, Section 7.1, without the "tls13 " prefix.
const (
	labelDerived         = "derived"
	labelExternalBinder  = "ext binder"
	labelResumeBinder    = "res binder"
	labelClientHandshake = "c hs traffic"
	labelServerHandshake = "s hs traffic"
	labelClientTraffic   = "c ap traffic"
	labelServerTraffic   = "s ap traffic"
	labelExporterMaster  = "exp master"
	labelResumeMaster    = "res master"
	labelTrafficUpdate   = "traffic upd"
	labelResumption      = "resumption"
	labelExporter        = "exporter"
)

// EarlySecret is the first stage of the key schedule, HKDF-Extract(0, PSK)
// (RFC 8446, Section 7.1). The binder keys come from it; Handshake moves on
// to the handshake secret and uses it up.
type EarlySecret struct{ secret }

// NewEarlySecret starts a key schedule with the suite's hash h (SHA-256 or
// SHA-384; anything else panics, as the hash comes from the suite table).
// psk is the pre-shared key of a resumption or an external PSK; nil or empty
// means no PSK, which the RFC replaces with Hash.length zero bytes.
func NewEarlySecret(h crypto.Hash, psk []byte) *EarlySecret {
	checkHash(h)
	var zeros [maxHashSize]byte
	if len(psk) == 0 {
		psk = zeros[:h.Size()]
	}
	var room derivedRoom
	early := newSecret(h, appendExtract(room[:0], h, nil, psk))
	clear(room[:])
	return &EarlySecret{early}
}

// ResumptionBinderKey derives the binder key for a PSK that came from a
// NewSessionTicket: Derive-Secret(early, "res binder", "") (RFC 8446,
// Section 7.1).
func (e *EarlySecret) ResumptionBinderKey() *BinderKey {
	return &BinderKey{e.derive(labelResumeBinder, emptyTranscript(e.hash))}
}

// ExternalBinderKey derives the binder key for an externally provisioned
// PSK: Derive-Secret(early, "ext binder", "") (RFC 8446, Section 7.1).
func (e *EarlySecret) ExternalBinderKey() *BinderKey {
	return &BinderKey{e.derive(labelExternalBinder, emptyTranscript(e.hash))}
}

// Handshake derives the handshake secret, HKDF-Extract(Derive-Secret(early,
// "derived", ""), shared) (RFC 8446, Section 7.1), and uses the early secret
// up. shared is the (EC)DHE or KEM shared secret; nil stands for the zero
// input of a PSK-only (psk_ke) handshake.
func (e *EarlySecret) Handshake(shared []byte) *HandshakeSecret {
	return &HandshakeSecret{e.next("Handshake", shared)}
}

// HandshakeSecret is the second stage of the key schedule. The handshake
// traffic secrets come from it; Master moves on and uses it up.
type HandshakeSecret struct{ secret }

// ClientTrafficSecret derives client_handshake_traffic_secret,
// Derive-Secret(hs, "c hs traffic", ClientHello...ServerHello); th is the
// transcript hash after the ServerHello.
func (s *HandshakeSecret) ClientTrafficSecret(th TranscriptHash) *HandshakeTrafficSecret {
	return &HandshakeTrafficSecret{s.derive(labelClientHandshake, th)}
}

// ServerTrafficSecret derives server_handshake_traffic_secret,
// Derive-Secret(hs, "s hs traffic", ClientHello...ServerHello).
func (s *HandshakeSecret) ServerTrafficSecret(th TranscriptHash) *HandshakeTrafficSecret {
	return &HandshakeTrafficSecret{s.derive(labelServerHandshake, th)}
}

// Master derives the master secret, HKDF-Extract(Derive-Secret(hs,
// "derived", ""), 0) (RFC 8446, Section 7.1), and uses the handshake secret
// up: derive both handshake traffic secrets first.
func (s *HandshakeSecret) Master() *MasterSecret {
	return &MasterSecret{s.next("Master", nil)}
}

// MasterSecret is the last stage of the key schedule: the application
// traffic, exporter and resumption secrets come from it.
type MasterSecret struct{ secret }

// ClientTrafficSecret derives client_application_traffic_secret_0,
// Derive-Secret(ms, "c ap traffic", ClientHello...server Finished).
func (m *MasterSecret) ClientTrafficSecret(th TranscriptHash) *ApplicationTrafficSecret {
	return &ApplicationTrafficSecret{m.derive(labelClientTraffic, th)}
}

// ServerTrafficSecret derives server_application_traffic_secret_0,
// Derive-Secret(ms, "s ap traffic", ClientHello...server Finished).
func (m *MasterSecret) ServerTrafficSecret(th TranscriptHash) *ApplicationTrafficSecret {
	return &ApplicationTrafficSecret{m.derive(labelServerTraffic, th)}
}

// ExporterMasterSecret derives exporter_master_secret, Derive-Secret(ms,
// "exp master", ClientHello...server Finished).
func (m *MasterSecret) ExporterMasterSecret(th TranscriptHash) *ExporterMasterSecret {
	return &ExporterMasterSecret{m.derive(labelExporterMaster, th)}
}

// ResumptionMasterSecret derives resumption_master_secret, Derive-Secret(ms,
// "res master", ClientHello...client Finished).
func (m *MasterSecret) ResumptionMasterSecret(th TranscriptHash) *ResumptionMasterSecret {
	return &ResumptionMasterSecret{m.derive(labelResumeMaster, th)}
}

// next is the step from one stage to the next, which uses s up:
// HKDF-Extract with salt Derive-Secret(s, "derived", "") and input ikm,
// Hash.length zeros if empty.
func (s *secret) next(by string, ikm []byte) secret {
	h := s.hash
	var zeros [maxHashSize]byte
	if len(ikm) == 0 {
		ikm = zeros[:h.Size()]
	}
	var salt, out derivedRoom
	n := newSecret(h, appendExtract(out[:0], h, s.expandLabel(salt[:0], labelDerived, emptyHash(h), h.Size()), ikm))
	s.retire(by)
	clear(salt[:])
	clear(out[:])
	return n
}
