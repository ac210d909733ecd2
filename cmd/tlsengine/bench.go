package main

import (
	"context"
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
// tlsengine ÷ crypto/tls and tlsengine ÷ the primitive floor; with
// -process, the whole-server-process comparison of tlsengine serve, with
// and without -event-loop, against a crypto/tls server and openssl
// s_server instead.
func benchMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tlsengine bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Duration("time", time.Second, "how long each measurement runs (with -process: per server and round; s_time rounds it up to whole seconds)")
	run := fs.String("run", "", "only the cases whose name matches `regexp`")
	asJSON := fs.Bool("json", false, "print one JSON object per case instead of the table")
	svg := fs.String("svg", "", "also write a bar chart of the ratios to `file` (SVG)")
	process := fs.Bool("process", false, "compare whole server processes: tlsengine serve, tlsengine serve -event-loop, a crypto/tls server and openssl s_server (needs openssl; Linux)")
	rounds := fs.Int("rounds", 5, "with -process: interleaved rounds per case (the table gives medians and the range)")
	idle10k := fs.Bool("idle10k", false, "with -process: also the case of 10,000 idle connections")
	loops := fs.Int("loops", 0, "with -process: run the event-loop server with -loops `N` (default: its own, one per processor)")
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
	progress := func(name string) { fmt.Fprintf(stderr, "measuring %s\n", name) }
	var rows []bench.Row
	var write func(io.Writer) error
	if *process {
		if *d <= 0 || *rounds < 1 || *loops < 0 {
			fmt.Fprintln(stderr, "tlsengine: -time must be positive, -rounds at least 1 and -loops not negative")
			return 2
		}
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintf(stderr, "tlsengine: %v\n", err)
			return 1
		}
		prows, err := bench.RunProcess(ctx, bench.ProcessOptions{Self: self, Time: *d, Rounds: *rounds, Filter: filter,
			Large: *idle10k, Loops: *loops, Progress: progress})
		if err != nil {
			fmt.Fprintf(stderr, "tlsengine: bench -process: %v\n", err)
			if ctx.Err() != nil {
				return exitInterrupted
			}
			return exitFailure
		}
		rows = bench.ProcessChartRows(prows)
		write = func(w io.Writer) error { return bench.WriteProcessJSON(w, prows) }
		if !*asJSON {
			write = func(w io.Writer) error { bench.WriteProcessTable(w, prows); return nil }
		}
	} else {
		if err := bench.SetBenchTime(*d); err != nil {
			fmt.Fprintf(stderr, "tlsengine: -time: %v\n", err)
			return 2
		}
		rows = bench.Run(filter, progress)
		write = func(w io.Writer) error { return bench.WriteJSON(w, rows) }
		if !*asJSON {
			write = func(w io.Writer) error { bench.WriteTable(w, rows); return nil }
		}
	}
	if len(rows) == 0 {
		fmt.Fprintln(stderr, "tlsengine: no case matches -run")
		return 2
	}
	if err := write(stdout); err != nil {
		fmt.Fprintf(stderr, "tlsengine: %v\n", err)
		return 1
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
