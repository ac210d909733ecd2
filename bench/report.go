package bench

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Row is one case as measured: the value (ns/op, or the case's metric)
// for tlsengine, crypto/tls and the floor (NaN when absent), and the
// ratios tlsengine ÷ crypto/tls and tlsengine ÷ floor (lower is better).
type Row struct {
	Case       string  `json:"case"`
	Unit       string  `json:"unit"`
	Ours       float64 `json:"tlsengine"`
	Theirs     float64 `json:"crypto_tls"`
	Floor      float64 `json:"floor"`
	Ratio      float64 `json:"ratio"`
	FloorRatio float64 `json:"floor_ratio"`
	OursAllocs int64   `json:"tlsengine_allocs"`
	Allocs     int64   `json:"crypto_tls_allocs"`
	// LoopRatio is tlsengine's event loop ÷ crypto/tls in the process
	// comparison, which the chart draws as a second bar; 0 or NaN: none.
	LoopRatio float64 `json:"-"`
	// HigherIsBetter marks a ratio of rates (handshakes per second), which
	// the chart draws as a loss below 1.0 instead of above.
	HigherIsBetter bool `json:"-"`
}

// SetBenchTime sets how long each benchmark runs (testing's -benchtime),
// for callers outside go test.
func SetBenchTime(d time.Duration) error {
	testing.Init()
	return flag.Set("test.benchtime", d.String())
}

// Run measures the cases whose name matches filter (nil: all).
func Run(filter *regexp.Regexp, progress func(string)) []Row {
	var rows []Row
	for _, c := range Cases() {
		if filter != nil && !filter.MatchString(c.Name) {
			continue
		}
		if progress != nil {
			progress(c.Name)
		}
		rows = append(rows, measure(c))
	}
	return rows
}

func measure(c Case) Row {
	r := Row{Case: c.Name, Unit: "ns/op", Theirs: math.NaN(), Floor: math.NaN(), Ratio: math.NaN(), FloorRatio: math.NaN()}
	if c.Metric != "" {
		r.Unit = c.Metric
	}
	value := func(f func(b *testing.B)) (float64, int64) {
		res := testing.Benchmark(f)
		if c.Metric != "" {
			return res.Extra[c.Metric], res.AllocsPerOp()
		}
		return float64(res.NsPerOp()), res.AllocsPerOp()
	}
	if c.Paired != nil {
		res := testing.Benchmark(c.Paired)
		r.Ours, r.Theirs = res.Extra[serverCPUMetric], res.Extra[theirsServerCPUMetric]
		r.Ratio = r.Ours / r.Theirs
	} else {
		r.Ours, r.OursAllocs = value(c.Ours)
	}
	if c.Theirs != nil {
		r.Theirs, r.Allocs = value(c.Theirs)
		r.Ratio = r.Ours / r.Theirs
	}
	if c.Floor != nil {
		r.Floor, _ = value(c.Floor)
		r.FloorRatio = r.Ours / r.Floor
	}
	return r
}

// WriteTable prints rows as an aligned text table.
func WriteTable(w io.Writer, rows []Row) {
	fmt.Fprintf(w, "%-58s %12s %12s %7s %12s %8s\n", "case", "tlsengine", "crypto/tls", "ratio", "floor", "÷ floor")
	for _, r := range rows {
		fmt.Fprintf(w, "%-58s %12s %12s %7s %12s %8s\n", r.Case, quantity(r.Ours, r.Unit), quantity(r.Theirs, r.Unit),
			ratio(r.Ratio), quantity(r.Floor, r.Unit), ratio(r.FloorRatio))
	}
}

// WriteJSON writes one JSON object per row. NaN (no counterpart) is
// written as null.
func WriteJSON(w io.Writer, rows []Row) error {
	for _, r := range rows {
		m := map[string]any{"case": r.Case, "unit": r.Unit, "tlsengine": r.Ours,
			"crypto_tls": nanNull(r.Theirs), "floor": nanNull(r.Floor),
			"ratio": nanNull(r.Ratio), "floor_ratio": nanNull(r.FloorRatio),
			"tlsengine_allocs": r.OursAllocs, "crypto_tls_allocs": r.Allocs}
		if err := writeJSONLine(w, m); err != nil {
			return err
		}
	}
	return nil
}

// writeJSONLine writes m as one line of JSON.
func writeJSONLine(w io.Writer, m map[string]any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func nanNull(f float64) any {
	if math.IsNaN(f) {
		return nil
	}
	return f
}

func quantity(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case !strings.HasSuffix(unit, "ns/op"):
		return fmt.Sprintf("%.0f %s", v, unit)
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f µs", v/1e3)
	}
	return fmt.Sprintf("%.0f ns", v)
}

func ratio(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", v)
}

// WriteSVG draws a horizontal bar chart of the ratios to crypto/tls, with
// a line at 1.0, by hand (no plotting dependency). When some row has a
// LoopRatio, each row gets a second, paler bar for it, and a legend.
func WriteSVG(w io.Writer, rows []Row) error {
	var shown []Row
	for _, r := range rows {
		if !math.IsNaN(r.Ratio) {
			shown = append(shown, r)
		}
	}
	const barMax, barH = 400, 16
	top, bars := 30, 1
	left := 380
	maxRatio := 2.0
	title := "tlsengine ÷ crypto/tls (lower is better)"
	for _, r := range shown {
		maxRatio = math.Max(maxRatio, r.Ratio)
		if r.LoopRatio > 0 {
			maxRatio = math.Max(maxRatio, r.LoopRatio)
			top, bars = 48, 2
		}
		left = max(left, 7*len([]rune(r.Case))+16)
		if r.HigherIsBetter {
			title = "tlsengine ÷ crypto/tls (lower is better, except rates: higher is better)"
		}
	}
	rowH := 6 + bars*barH
	scale := barMax / maxRatio
	height := top + rowH*len(shown) + 20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", left+barMax+80, height)
	fmt.Fprintf(&b, `<text x="10" y="18" font-weight="bold">%s</text>`+"\n", title)
	if bars == 2 {
		for i, name := range []string{"tlsengine", "tlsengine event loop"} {
			x := 10 + i*160
			fmt.Fprintf(&b, `<rect x="%d" y="27" width="12" height="12" fill="%s"/>`+"\n", x, barColor(i == 1, false))
			fmt.Fprintf(&b, `<text x="%d" y="37">%s</text>`+"\n", x+16, name)
		}
	}
	bar := func(y int, ratio float64, color string) {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", left, y+3, ratio*scale, barH, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%.2f×</text>`+"\n", float64(left)+ratio*scale+4, y+14, ratio)
	}
	for i, r := range shown {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+6+bars*barH/2, escape(r.Case))
		bar(y, r.Ratio, barColor(false, r.Ratio > 1 != r.HigherIsBetter))
		if r.LoopRatio > 0 {
			bar(y+barH, r.LoopRatio, barColor(true, r.LoopRatio > 1 != r.HigherIsBetter))
		}
	}
	x := float64(left) + scale
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="4 3"/>`+"\n", x, top-4, x, height-16)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">1.0</text>`+"\n", x, height-4)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// barColor is a bar's fill: green, or red for a loss against crypto/tls;
// paler for the event loop.
func barColor(loop, loss bool) string {
	switch {
	case loop && loss:
		return "#e99"
	case loop:
		return "#9dc"
	case loss:
		return "#c44"
	}
	return "#2a7"
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
