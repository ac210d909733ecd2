package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"github.com/tlsengine/tlsengine/bench"
)

// benchMain runs the benchmark cases of package bench and prints
// tlsengine ÷ crypto/tls and tlsengine ÷ the primitive floor.
func benchMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tlsengine bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Duration("time", time.Second, "how long each measurement runs")
	run := fs.String("run", "", "only the cases whose name matches `regexp`")
	asJSON := fs.Bool("json", false, "print one JSON object per case instead of the table")
	svg := fs.String("svg", "", "also write a bar chart of the ratios to `file` (SVG)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var filter *regexp.Regexp
	if *run != "" {
		var err error
		if filter, err = regexp.Compile(*run); err != nil {
			fmt.Fprintf(stderr, "tlsengine: -run: %v\n", err)
			return 2
		}
	}
	if err := bench.SetBenchTime(*d); err != nil {
		fmt.Fprintf(stderr, "tlsengine: -time: %v\n", err)
		return 2
	}
	rows := bench.Run(filter, func(name string) { fmt.Fprintf(stderr, "measuring %s\n", name) })
	if len(rows) == 0 {
		fmt.Fprintln(stderr, "tlsengine: no case matches -run")
		return 2
	}
	if *asJSON {
		if err := bench.WriteJSON(stdout, rows); err != nil {
			fmt.Fprintf(stderr, "tlsengine: %v\n", err)
			return 1
		}
	} else {
		bench.WriteTable(stdout, rows)
	}
	if *svg != "" {
		f, err := os.Create(*svg)
		if err == nil {
			err = bench.WriteSVG(f, rows)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "tlsengine: -svg: %v\n", err)
			return 1
		}
	}
	return 0
}
