package bench

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// TestParseStatTicks reads utime + stime (fields 14 and 15) even when the
// command name holds spaces and parentheses.
func TestParseStatTicks(t *testing.T) {
	stat := "4242 (tls engine (x)) S 1 4242 4242 0 -1 4194560 1305 0 0 0 731 269 0 0 20 0 9 0 123456 1265131520 2861 18446744073709551615\n"
	got, err := parseStatTicks([]byte(stat))
	if err != nil || got != 731+269 {
		t.Fatalf("parseStatTicks = %d, %v; want 1000", got, err)
	}
	for _, bad := range []string{"", "4242 no name S 1", "4242 (x) S 1 2 3", "4242 (x) S 1 4242 4242 0 -1 4194560 1305 0 0 0 -5 269 0"} {
		if _, err := parseStatTicks([]byte(bad)); err == nil {
			t.Errorf("parseStatTicks(%q) accepted", bad)
		}
	}
}

// TestParseStatus takes VmRSS (kB) and Threads from /proc/PID/status.
func TestParseStatus(t *testing.T) {
	status := "Name:\ttlsengine\nVmPeak:\t 1300000 kB\nVmRSS:\t   11444 kB\nRssAnon:\t 4000 kB\nThreads:\t7\nSigQ:\t0/3000\n"
	m, err := parseStatus([]byte(status))
	if err != nil || m.rss != 11444*1024 || m.threads != 7 {
		t.Fatalf("parseStatus = %+v, %v", m, err)
	}
	for _, bad := range []string{"Threads:\t7\n", "VmRSS:\t 12 kB\n", "VmRSS:\t 12 MB\nThreads:\t7\n", "VmRSS:\t 12 kB\nThreads:\tmany\n"} {
		if _, err := parseStatus([]byte(bad)); err == nil {
			t.Errorf("parseStatus(%q) accepted", bad)
		}
	}
}

// TestProcSelf reads this process's own /proc files, as the comparison
// reads the servers'.
func TestProcSelf(t *testing.T) {
	m, err := readProcMem(os.Getpid())
	if err != nil || m.rss <= 0 || m.threads < 1 {
		t.Fatalf("readProcMem(self) = %+v, %v", m, err)
	}
	if cpu, err := procCPU(os.Getpid()); err != nil || cpu < 0 {
		t.Fatalf("procCPU(self) = %v, %v", cpu, err)
	}
}

// TestParseSTime counts s_time's connections and its 'r' marks, not the
// letters of its prose.
func TestParseSTime(t *testing.T) {
	reuse := "Collecting connection statistics for 1 seconds\n\nNow timing with session id reuse.\nstarting\nrrrr*rrrrr\nrrr\n\n" +
		"13 connections in 0.96s; 13.50 connections/user sec, bytes read 0\n13 connections in 2 real seconds, 0 bytes read per connection\n"
	conns, resumed, err := parseSTime([]byte(reuse))
	if err != nil || conns != 13 || resumed != 12 {
		t.Fatalf("parseSTime(reuse) = %d, %d, %v; want 13, 12", conns, resumed, err)
	}
	full := "Collecting connection statistics for 1 seconds\n*****\n\n5 connections in 0.01s; 500.00 connections/user sec, bytes read 0\n"
	if conns, resumed, err = parseSTime([]byte(full)); err != nil || conns != 5 || resumed != 0 {
		t.Fatalf("parseSTime(full) = %d, %d, %v; want 5, 0", conns, resumed, err)
	}
	for _, bad := range []string{"", "ERROR\nconnect:errno=111\n", "0 connections in 0.00s; 0.00 connections/user sec"} {
		if _, _, err := parseSTime([]byte(bad)); err == nil {
			t.Errorf("parseSTime(%q) accepted", bad)
		}
	}
}

func samplesOf(vals ...float64) []sample {
	s := make([]sample, len(vals))
	for i, v := range vals {
		s[i] = sample{value: v}
	}
	return s
}

// TestSummarize: medians per server, the ratios of the medians (tlsengine
// and its event loop to crypto/tls), the ranges of the per-round ratios,
// and NaN where a server does not take part.
func TestSummarize(t *testing.T) {
	var s [numServers][]sample
	s[srvOurs] = samplesOf(300, 330, 310, 900) // one noisy round
	s[srvGo] = samplesOf(200, 300, 310, 600)
	s[srvOpenSSL] = samplesOf(400, 400, 420, 400)
	s[srvLoop] = samplesOf(100, 240, 155, 150)
	r := summarize("case", "µs/conn", false, s)
	want := map[string][2]float64{
		"ours": {r.Median[srvOurs], 320}, "go": {r.Median[srvGo], 305}, "openssl": {r.Median[srvOpenSSL], 400},
		"ratio": {r.Ratio, 320.0 / 305}, "min": {r.RatioMin, 1}, "max": {r.RatioMax, 1.5}, "openssl ratio": {r.OpenSSLRatio, 0.8},
		"loop": {r.Median[srvLoop], 152.5}, "loop ratio": {r.LoopRatio, 152.5 / 305}, "loop min": {r.LoopRatioMin, 0.25},
		"loop max": {r.LoopRatioMax, 0.8},
	}
	for name, gw := range want {
		if math.Abs(gw[0]-gw[1]) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, gw[0], gw[1])
		}
	}
	if r.Rounds != 4 {
		t.Errorf("rounds %d", r.Rounds)
	}

	// Session-id resumption: crypto/tls has no server cache, so no ratio.
	s[srvGo] = nil
	s[srvOurs] = []sample{{value: 40e3, threads: 8}, {value: 42e3, threads: 9}, {value: 41e3, threads: 9}}
	s[srvLoop] = []sample{{value: 5e3, threads: 4}, {value: 6e3, threads: 4}, {value: 5e3, threads: 5}}
	r = summarize("idle", "B/conn", false, s)
	if !math.IsNaN(r.Median[srvGo]) || !math.IsNaN(r.Ratio) || !math.IsNaN(r.RatioMin) || r.Threads[srvOurs] != 9 {
		t.Errorf("without crypto/tls: %+v", r)
	}
	if r.Median[srvLoop] != 5e3 || !math.IsNaN(r.LoopRatio) || !math.IsNaN(r.LoopRatioMin) || !math.IsNaN(r.LoopRatioMax) ||
		r.Threads[srvLoop] != 4 {
		t.Errorf("event loop without crypto/tls: %+v", r)
	}

	// An event loop without samples has no ratio; tlsengine's stands.
	s[srvGo] = samplesOf(30e3, 30e3, 30e3)
	s[srvLoop] = nil
	r = summarize("idle", "B/conn", false, s)
	if !math.IsNaN(r.Median[srvLoop]) || !math.IsNaN(r.LoopRatio) || !math.IsNaN(r.LoopRatioMin) || !math.IsNaN(r.LoopRatioMax) {
		t.Errorf("without the event loop: %+v", r)
	}
	if math.Abs(r.Ratio-41e3/30e3) > 1e-9 {
		t.Errorf("ratio %v without the event loop, want %v", r.Ratio, 41e3/30e3)
	}
}

// TestWriteProcessTable checks the units, ratios, ranges and dashes of the
// process table, and that its JSON says null where a server is absent.
func TestWriteProcessTable(t *testing.T) {
	nan := math.NaN()
	rows := []ProcRow{
		{Case: "full", Unit: "µs/conn", Rounds: 3, Median: [numServers]float64{350, 300, 1400, 270}, Ratio: 350.0 / 300, RatioMin: 1.1, RatioMax: 1.25,
			LoopRatio: 0.9, LoopRatioMin: 0.85, LoopRatioMax: 0.95, OpenSSLRatio: 0.25},
		{Case: "bulk", Unit: "ms/MiB", Rounds: 3, Median: [numServers]float64{1.5, 1.6, nan, nan}, Ratio: 1.5 / 1.6, RatioMin: 0.9, RatioMax: 0.95,
			LoopRatio: nan, LoopRatioMin: nan, LoopRatioMax: nan, OpenSSLRatio: nan},
		{Case: "idle", Unit: "B/conn", Rounds: 3, Median: [numServers]float64{41800, 35600, nan, 7120}, Ratio: 41800.0 / 35600, RatioMin: 1.1, RatioMax: 1.2,
			LoopRatio: 0.2, LoopRatioMin: 0.19, LoopRatioMax: 0.21, OpenSSLRatio: nan, Threads: [numServers]int{8, 10, 0, 3}},
		{Case: "rate", Unit: "hs/s", HigherIsBetter: true, Rounds: 3, Median: [numServers]float64{1200, 1000, nan, 1300}, Ratio: 1.2, RatioMin: 1.1, RatioMax: 1.3,
			LoopRatio: 1.3, LoopRatioMin: 1.25, LoopRatioMax: 1.35, OpenSSLRatio: nan},
	}
	var b bytes.Buffer
	WriteProcessTable(&b, rows)
	out := b.String()
	for _, want := range []string{"350.0 µs", "300.0 µs", "1.17×", "1.10–1.25", "1.40 ms", "0.25×", "1.50 ms", "0.94×",
		"41.8 KB", "35.6 KB", "8 / 10 / 3", "1200/s", "1.20×",
		"event loop", "270.0 µs", "0.90×", "0.85–0.95", "7.1 KB", "0.20×", "0.19–0.21", "1300/s", "1.30×", "1.25–1.35"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 5 {
		t.Errorf("%d lines, want a header and 4 rows", n)
	}
	// The bulk row without an event loop: after tlsengine's range, dashes
	// for the loop's median, ratio and range, openssl's two and threads.
	bulk := strings.Fields(strings.Split(out, "\n")[2])
	if got := strings.Join(bulk[len(bulk)-7:], " "); got != "0.90–0.95 – – – – – –" {
		t.Errorf("bulk row ends %q, want its range and six dashes:\n%s", got, out)
	}
	b.Reset()
	if err := WriteProcessJSON(&b, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &m); err != nil {
		t.Fatal(err)
	}
	if m["openssl"] != nil || m["ratio"] != 1.5/1.6 || m["unit"] != "ms/MiB" {
		t.Errorf("bulk row %v", m)
	}
	if _, ok := m["event_loop"]; !ok || m["event_loop"] != nil || m["loop_ratio"] != nil || m["loop_ratio_min"] != nil {
		t.Errorf("bulk row without an event loop %v", m)
	}
	if err := json.Unmarshal([]byte(lines[2]), &m); err != nil {
		t.Fatal(err)
	}
	if m["event_loop"] != 7120.0 || m["loop_ratio"] != 0.2 || m["loop_ratio_min"] != 0.19 || m["loop_ratio_max"] != 0.21 ||
		m["tlsengine_threads"] != 8.0 || m["event_loop_threads"] != 3.0 {
		t.Errorf("idle row %v", m)
	}
	// The chart draws a throughput gain as a gain, and the event loop's
	// ratios as second bars, none for the bulk row.
	var b2 bytes.Buffer
	WriteSVG(&b2, ProcessChartRows(rows))
	svg := b2.String()
	if strings.Count(svg, `fill="#c44"`) != 2 {
		t.Errorf("want the two rows above 1.0 with lower-is-better in red:\n%s", svg)
	}
	if n := strings.Count(svg, "<rect"); n != 4+3+2 {
		t.Errorf("%d rects, want 4 tlsengine bars, 3 event loop bars and 2 legend swatches:\n%s", n, svg)
	}
}

// TestProcessCasesNames: every case has a distinct name, so that -run
// and the JSON output tell them apart.
func TestProcessCasesNames(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range ProcessCases() {
		if seen[c.Name] {
			t.Errorf("two cases named %q", c.Name)
		}
		seen[c.Name] = true
	}
}
