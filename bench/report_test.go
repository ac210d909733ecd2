package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

var sampleRows = []Row{
	{Case: "handshake A", Unit: "ns/op", Ours: 800e3, Theirs: 1e6, Floor: 400e3, Ratio: 0.8, FloorRatio: 2},
	{Case: "resumed <B>", Unit: "ns/op", Ours: 60e3, Theirs: math.NaN(), Floor: math.NaN(), Ratio: math.NaN(), FloorRatio: math.NaN()},
	{Case: "idle heap", Unit: "B/conn", Ours: 30000, Theirs: 20000, Floor: math.NaN(), Ratio: 1.5, FloorRatio: math.NaN()},
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	WriteTable(&b, sampleRows)
	out := b.String()
	for _, want := range []string{"handshake A", "800.0 µs", "1.00 ms", "0.80×", "2.00×", "resumed <B>", "30000 B/conn", "1.50×"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 4 {
		t.Errorf("%d lines, want a header and 3 rows", n)
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleRows); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	var n int
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if m["case"] != sampleRows[n].Case {
			t.Errorf("line %d case %v", n, m["case"])
		}
		if _, ok := m["ratio"]; !ok {
			t.Errorf("line %d has no ratio", n)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("%d lines", n)
	}
}

func TestWriteSVG(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSVG(&b, sampleRows); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(svg, "</svg>\n") {
		t.Fatal("not an SVG document")
	}
	// One bar per row with a ratio; the row without one is left out.
	if n := strings.Count(svg, "<rect"); n != 2 {
		t.Errorf("%d bars, want 2", n)
	}
	for _, want := range []string{"0.80×", "1.50×", "handshake A", `stroke-dasharray`} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(svg, "resumed") {
		t.Error("a row without a ratio is drawn")
	}
}

// TestWriteSVGLoopBars: rows with a LoopRatio get a second, paler bar
// under the first, green or red as the first, and the chart a legend; a
// row without one keeps its single bar.
func TestWriteSVGLoopBars(t *testing.T) {
	rows := []Row{
		{Case: "full", Ratio: 1.2, LoopRatio: 0.9},
		{Case: "idle", Ratio: 1.1, LoopRatio: 1.4},
		{Case: "rate", Ratio: 1.2, LoopRatio: 1.3, HigherIsBetter: true},
		{Case: "bulk", Ratio: 0.95, LoopRatio: math.NaN()},
	}
	var b bytes.Buffer
	if err := WriteSVG(&b, rows); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	for color, want := range map[string]int{
		"#c44": 2,     // tlsengine's losses: full, idle
		"#2a7": 2 + 1, // its gains: rate, bulk, and the legend
		"#e99": 1,     // the event loop's loss: idle
		"#9dc": 2 + 1, // its gains: full, rate, and the legend
	} {
		if n := strings.Count(svg, `fill="`+color+`"`); n != want {
			t.Errorf("%d bars of %s, want %d:\n%s", n, color, want, svg)
		}
	}
	for _, want := range []string{">tlsengine<", ">tlsengine event loop<", "0.90×", "1.40×", "1.30×", "0.95×"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q:\n%s", want, svg)
		}
	}
}
