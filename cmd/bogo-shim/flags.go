package main

import (
	"fmt"
	"strconv"
	"strings"
)

// options are the runner's flags that the shim understands.
type options struct {
	port, shimID                 string
	ipv6                         bool
	server                       bool
	certFile, keyFile, trustCert string
	resumeCount                  int
	// resumptionDelay moves the clock of the resumptions this many
	// seconds ahead; onResumeNoTicket is -no-ticket on them only.
	resumptionDelay            int
	onResumeNoTicket           bool
	expectSessionMiss          bool
	shimWritesFirst            bool
	shimShutsDown              bool
	checkCloseNotify           bool
	minVersion, maxVersion     int
	noTLS1, noTLS11, noTLS12   bool
	noTLS13                    bool
	expectVersion              int
	curves                     []int
	expectCurveID              int
	signingPrefs, verifyPrefs  []int
	expectPeerSigAlg           int
	requireAnyClientCert       bool
	verifyPeer                 bool
	hostName                   string
	expectServerName           string
	advertiseALPN              string
	selectALPN                 string
	expectALPN                 string
	declineALPN                bool
	expectEMS                  bool
	expectSecureReneg          bool
	async                      bool
	implicitHandshake          bool
	exportKeyingMaterial       int
	exportLabel, exportContext string
	useExportContext           bool
	expectNoSession            bool
	expectTicketRenewal        bool
	renegotiateFreely          bool
	enableOCSPStapling         bool
	ocspResponse               string // base64
	expectOCSPResponse         string // base64
	useOCSPCallback            bool
	setOCSPInCallback          bool
	declineOCSPCallback        bool
	failOCSPCallback           bool
	expectTotalRenegotiations  int
	ticketKey                  string
	noTicket                   bool
	expectHRR, expectNoHRR     bool
	keyUpdate                  bool // one KeyUpdate after the handshake
	keyUpdateBeforeRead        bool // a KeyUpdate before every read
}

// errUnimplemented makes the shim exit 89: the runner counts the test as
// unimplemented rather than failed.
type errUnimplemented struct{ flag string }

func (e errUnimplemented) Error() string { return "unimplemented flag: " + e.flag }

// unimplementedLog, when set in the environment, names a file that gets
// one line per unimplemented test: the flags (or feature) it needs,
// tab-separated. Counting them gives the table in the README.
const unimplementedLog = "TLSENGINE_BOGO_UNIMPLEMENTED"

// parseFlags reads the runner's single-dash flags. Any flag not listed is
// unimplemented.
func parseFlags(args []string) (*options, error) {
	o := &options{}
	bools := map[string]*bool{
		"-ipv6": &o.ipv6, "-server": &o.server, "-expect-session-miss": &o.expectSessionMiss,
		"-shim-writes-first": &o.shimWritesFirst, "-shim-shuts-down": &o.shimShutsDown,
		"-check-close-notify": &o.checkCloseNotify, "-no-tls1": &o.noTLS1, "-no-tls11": &o.noTLS11,
		"-no-tls12": &o.noTLS12, "-no-tls13": &o.noTLS13, "-require-any-client-certificate": &o.requireAnyClientCert,
		"-verify-peer": &o.verifyPeer, "-decline-alpn": &o.declineALPN,
		"-expect-extended-master-secret": &o.expectEMS, "-expect-secure-renegotiation": &o.expectSecureReneg,
		"-async": &o.async, "-implicit-handshake": &o.implicitHandshake, "-use-export-context": &o.useExportContext,
		"-expect-no-session": &o.expectNoSession, "-expect-ticket-renewal": &o.expectTicketRenewal,
		"-no-ticket": &o.noTicket, "-renegotiate-freely": &o.renegotiateFreely, "-on-resume-no-ticket": &o.onResumeNoTicket,
		"-enable-ocsp-stapling": &o.enableOCSPStapling, "-use-ocsp-callback": &o.useOCSPCallback,
		"-set-ocsp-in-callback": &o.setOCSPInCallback, "-decline-ocsp-callback": &o.declineOCSPCallback,
		"-fail-ocsp-callback": &o.failOCSPCallback, "-expect-hrr": &o.expectHRR, "-expect-no-hrr": &o.expectNoHRR,
		"-key-update": &o.keyUpdate, "-key-update-before-read": &o.keyUpdateBeforeRead,
	}
	strs := map[string]*string{
		"-port": &o.port, "-shim-id": &o.shimID, "-cert-file": &o.certFile, "-key-file": &o.keyFile,
		"-trust-cert": &o.trustCert, "-host-name": &o.hostName, "-expect-server-name": &o.expectServerName,
		"-advertise-alpn": &o.advertiseALPN, "-select-alpn": &o.selectALPN, "-expect-alpn": &o.expectALPN,
		"-export-label": &o.exportLabel, "-export-context": &o.exportContext, "-ticket-key": &o.ticketKey,
		"-ocsp-response": &o.ocspResponse, "-expect-ocsp-response": &o.expectOCSPResponse,
	}
	ints := map[string]*int{
		"-resume-count": &o.resumeCount, "-resumption-delay": &o.resumptionDelay, "-min-version": &o.minVersion, "-max-version": &o.maxVersion,
		"-expect-version": &o.expectVersion, "-expect-curve-id": &o.expectCurveID,
		"-expect-peer-signature-algorithm": &o.expectPeerSigAlg, "-export-keying-material": &o.exportKeyingMaterial,
		"-expect-total-renegotiations": &o.expectTotalRenegotiations,
	}
	lists := map[string]*[]int{
		"-curves": &o.curves, "-signing-prefs": &o.signingPrefs, "-verify-prefs": &o.verifyPrefs,
	}
	var missing []string
	for i := 0; i < len(args); i++ {
		name := args[i]
		// The runner prefixes a flag with -on-initial-, -on-resume- or
		// -on-retry- to scope it; those are not implemented yet.
		if p, ok := bools[name]; ok {
			*p = true
			continue
		}
		if i+1 >= len(args) {
			missing = append(missing, name)
			break
		}
		val := args[i+1]
		switch {
		case strs[name] != nil:
			*strs[name] = val
		case ints[name] != nil:
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, fmt.Errorf("bad value for %s: %q", name, val)
			}
			*ints[name] = n
		case lists[name] != nil:
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, fmt.Errorf("bad value for %s: %q", name, val)
			}
			*lists[name] = append(*lists[name], n)
		default:
			if !strings.HasPrefix(name, "-") {
				return nil, fmt.Errorf("unexpected argument %q", name)
			}
			// We do not know whether an unknown flag takes a value: a
			// following word that is not a flag is taken as its value.
			missing = append(missing, name)
			if _, err := strconv.Atoi(val); strings.HasPrefix(val, "-") && err != nil {
				continue
			}
		}
		i++
	}
	if len(missing) > 0 {
		return nil, errUnimplemented{strings.Join(missing, "\t")}
	}
	return o, nil
}
