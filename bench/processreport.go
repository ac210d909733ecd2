package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// ProcRow is one case of the process comparison: each server's median
// over the rounds (NaN when it does not take part), tlsengine ÷ crypto/tls
// of the medians with the lowest and highest per-round ratio, the same
// for the event loop, tlsengine ÷ openssl, and the median thread count in
// the idle cases (0: not measured). HigherIsBetter marks the throughput
// rows, whose ratio is of handshakes per second.
type ProcRow struct {
	Case           string
	Unit           string
	HigherIsBetter bool
	Rounds         int
	Median         [numServers]float64
	Ratio          float64
	RatioMin       float64
	RatioMax       float64
	LoopRatio      float64
	LoopRatioMin   float64
	LoopRatioMax   float64
	OpenSSLRatio   float64
	Threads        [numServers]int
}

// summarize turns the samples of a case into its row.
func summarize(name, unit string, higher bool, samples [numServers][]sample) ProcRow {
	row := ProcRow{Case: name, Unit: unit, HigherIsBetter: higher, OpenSSLRatio: math.NaN()}
	for s, ss := range samples {
		row.Median[s] = math.NaN()
		if len(ss) == 0 {
			continue
		}
		row.Rounds = max(row.Rounds, len(ss))
		vals, threads := make([]float64, len(ss)), make([]float64, len(ss))
		for i, x := range ss {
			vals[i], threads[i] = x.value, float64(x.threads)
		}
		row.Median[s] = median(vals)
		row.Threads[s] = int(math.Round(median(threads)))
	}
	row.Ratio, row.RatioMin, row.RatioMax = ratioToGo(samples, row.Median, srvOurs)
	row.LoopRatio, row.LoopRatioMin, row.LoopRatioMax = ratioToGo(samples, row.Median, srvLoop)
	if len(samples[srvOurs]) > 0 && len(samples[srvOpenSSL]) > 0 {
		row.OpenSSLRatio = row.Median[srvOurs] / row.Median[srvOpenSSL]
	}
	return row
}

// ratioToGo is server s's median ÷ crypto/tls's, with the lowest and
// highest per-round ratio; all NaN unless both have samples from the same
// rounds.
func ratioToGo(samples [numServers][]sample, medians [numServers]float64, s procServer) (ratio, lo, hi float64) {
	mine, gos := samples[s], samples[srvGo]
	if len(mine) == 0 || len(mine) != len(gos) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := range mine {
		q := mine[i].value / gos[i].value
		lo, hi = math.Min(lo, q), math.Max(hi, q)
	}
	return medians[s] / medians[srvGo], lo, hi
}

// median of vals (which it sorts); the mean of the middle two for an even
// count.
func median(vals []float64) float64 {
	slices.Sort(vals)
	n := len(vals)
	if n%2 == 1 {
		return vals[n/2]
	}
	return (vals[n/2-1] + vals[n/2]) / 2
}

// procQuantity formats a value of the process table in its unit.
func procQuantity(v float64, unit string) string {
	if math.IsNaN(v) {
		return "–"
	}
	switch unit {
	case "µs/conn":
		if v >= 1000 {
			return fmt.Sprintf("%.2f ms", v/1000)
		}
		return fmt.Sprintf("%.1f µs", v)
	case "ms/MiB":
		return fmt.Sprintf("%.2f ms", v)
	case "B/conn":
		return fmt.Sprintf("%.1f KB", v/1000)
	case "hs/s":
		return fmt.Sprintf("%.0f/s", v)
	}
	return fmt.Sprintf("%.3g %s", v, unit)
}

// ratioRange formats the lowest and highest per-round ratio.
func ratioRange(lo, hi float64) string {
	if math.IsNaN(lo) {
		return "–"
	}
	return fmt.Sprintf("%.2f–%.2f", lo, hi)
}

// threadsCell is the thread counts of tlsengine, crypto/tls and the event
// loop, in the order of the table's columns: "–" for one not measured,
// and none after the last one measured.
func threadsCell(r ProcRow) string {
	if r.Threads[srvOurs] == 0 {
		return "–"
	}
	cells := []string{fmt.Sprint(r.Threads[srvOurs])}
	for _, s := range []procServer{srvGo, srvLoop} {
		if r.Threads[s] > 0 {
			cells = append(cells, fmt.Sprint(r.Threads[s]))
		} else {
			cells = append(cells, "–")
		}
	}
	for cells[len(cells)-1] == "–" {
		cells = cells[:len(cells)-1]
	}
	return strings.Join(cells, " / ")
}

// WriteProcessTable prints the process comparison as an aligned table.
func WriteProcessTable(w io.Writer, rows []ProcRow) {
	const format = "%-72s %11s %11s %7s %11s %11s %10s %11s %11s %9s %12s\n"
	fmt.Fprintf(w, format, "case", "tlsengine", "crypto/tls", "ratio", "range", "event loop", "loop ratio", "loop range",
		"openssl", "÷ openssl", "threads")
	for _, r := range rows {
		fmt.Fprintf(w, format, r.Case, procQuantity(r.Median[srvOurs], r.Unit), procQuantity(r.Median[srvGo], r.Unit),
			ratio(r.Ratio), ratioRange(r.RatioMin, r.RatioMax),
			procQuantity(r.Median[srvLoop], r.Unit), ratio(r.LoopRatio), ratioRange(r.LoopRatioMin, r.LoopRatioMax),
			procQuantity(r.Median[srvOpenSSL], r.Unit), ratio(r.OpenSSLRatio), threadsCell(r))
	}
}

// WriteProcessJSON writes one JSON object per row; NaN is null.
func WriteProcessJSON(w io.Writer, rows []ProcRow) error {
	for _, r := range rows {
		m := map[string]any{"case": r.Case, "unit": r.Unit, "higher_is_better": r.HigherIsBetter, "rounds": r.Rounds,
			"tlsengine": nanNull(r.Median[srvOurs]), "crypto_tls": nanNull(r.Median[srvGo]), "openssl": nanNull(r.Median[srvOpenSSL]),
			"ratio": nanNull(r.Ratio), "ratio_min": nanNull(r.RatioMin), "ratio_max": nanNull(r.RatioMax),
			"event_loop": nanNull(r.Median[srvLoop]), "loop_ratio": nanNull(r.LoopRatio),
			"loop_ratio_min": nanNull(r.LoopRatioMin), "loop_ratio_max": nanNull(r.LoopRatioMax),
			"openssl_ratio": nanNull(r.OpenSSLRatio)}
		if r.Threads[srvOurs] > 0 {
			m["tlsengine_threads"], m["crypto_tls_threads"] = r.Threads[srvOurs], r.Threads[srvGo]
			m["event_loop_threads"] = r.Threads[srvLoop]
		}
		if err := writeJSONLine(w, m); err != nil {
			return err
		}
	}
	return nil
}

// ProcessChartRows are the rows for WriteSVG: the ratios to crypto/tls of
// tlsengine and of its event loop.
func ProcessChartRows(rows []ProcRow) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{Case: r.Case, Ratio: r.Ratio, LoopRatio: r.LoopRatio, HigherIsBetter: r.HigherIsBetter}
	}
	return out
}
