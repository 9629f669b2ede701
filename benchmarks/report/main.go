// Command report turns the output of `go test -bench` (the files named as
// arguments, or standard input) into BENCHMARKS.md on standard output: each
// figure of issue 9's targets with its target and PASS, FAIL or "not
// measured", and the machine's load while the benchmarks ran. `make bench`
// runs it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// target is one figure of the report: the metric a benchmark reports and
// the bound it must keep.
type target struct {
	issue     int    // the number of the target in issue 9
	figure    string // what is measured
	bench     string // benchmark name, without the -GOMAXPROCS suffix
	metric    string // unit of the metric (ReportMetric's)
	op        string // "<=", ">=", "<", "=="; "" for a figure shown for information
	bound     float64
	boundText string
}

var targets = []target{
	{1, "extraction wall ÷ slowest label's floor, demo account, Pro, 0 ms", "BenchmarkRun_quotaFloor/latency=0s", "floor_ratio", "<=", 1.15, "≤ 1.15"},
	{1, "extraction wall ÷ slowest label's floor, demo account, Pro, 150 ms", "BenchmarkRun_quotaFloor/latency=150ms", "floor_ratio", "<=", 1.15, "≤ 1.15"},
	{1, "extraction calls ÷ minimum, 0 ms", "BenchmarkRun_quotaFloor/latency=0s", "calls_ratio", "<=", 1.0, "1.00"},
	{1, "extraction calls ÷ minimum, 150 ms", "BenchmarkRun_quotaFloor/latency=150ms", "calls_ratio", "<=", 1.0, "1.00"},
	{1, "extraction wall ÷ slowest label's floor, --scale 16, Pro, 0 ms (make bench-xscale)", "BenchmarkRun_quotaFloor/scale=16/latency=0s", "floor_ratio", "<=", 1.15, "≤ 1.15"},
	{1, "extraction wall ÷ slowest label's floor, --scale 16, Pro, 150 ms (make bench-xscale)", "BenchmarkRun_quotaFloor/scale=16/latency=150ms", "floor_ratio", "<=", 1.15, "≤ 1.15"},
	{1, "extraction calls ÷ minimum, --scale 16, 0 ms", "BenchmarkRun_quotaFloor/scale=16/latency=0s", "calls_ratio", "<=", 1.0, "1.00"},
	{1, "extraction calls ÷ minimum, --scale 16, 150 ms", "BenchmarkRun_quotaFloor/scale=16/latency=150ms", "calls_ratio", "<=", 1.0, "1.00"},
	{1, "Zoom calls at page_size 30 (the Airbyte Zoom source's), demo account", "BenchmarkRun_quotaFloor/page_size=30", "calls_at_page30", "", 0, "—"},
	{1, "Zoom calls at page_size 300 (ours), demo account", "BenchmarkRun_quotaFloor/page_size=30", "calls_at_page300", "", 0, "—"},
	{1, "slowest label's floor (s) at page_size 30, demo account, Pro", "BenchmarkRun_quotaFloor/page_size=30", "floor_s_at_page30", "", 0, "—"},
	{1, "slowest label's floor (s) at page_size 300 (ours), demo account, Pro", "BenchmarkRun_quotaFloor/page_size=30", "floor_s_at_page300", "", 0, "—"},
	{1, "Zoom calls at page_size 30, --scale 16", "BenchmarkRun_quotaFloor/scale=16/page_size=30", "calls_at_page30", "", 0, "—"},
	{1, "Zoom calls at page_size 300 (ours), --scale 16", "BenchmarkRun_quotaFloor/scale=16/page_size=30", "calls_at_page300", "", 0, "—"},
	{1, "slowest label's floor (s) at page_size 30, --scale 16, Pro", "BenchmarkRun_quotaFloor/scale=16/page_size=30", "floor_s_at_page30", "", 0, "—"},
	{1, "slowest label's floor (s) at page_size 300 (ours), --scale 16, Pro", "BenchmarkRun_quotaFloor/scale=16/page_size=30", "floor_s_at_page300", "", 0, "—"},
	{2, "contacts load ÷ 1,900/s, 20,000 contacts, Professional, 0 ms", "BenchmarkContacts_quota/latency=0s", "quota_ratio", ">=", 0.9, "≥ 0.9"},
	{2, "contacts load ÷ 1,900/s, 20,000 contacts, Professional, 150 ms", "BenchmarkContacts_quota/latency=150ms", "quota_ratio", ">=", 0.9, "≥ 0.9"},
	{2, "contacts lost to a 429 or any failure, 0 ms", "BenchmarkContacts_quota/latency=0s", "lost_rows", "==", 0, "0"},
	{2, "contacts lost to a 429 or any failure, 150 ms", "BenchmarkContacts_quota/latency=150ms", "lost_rows", "==", 0, "0"},
	{2, "activity load (marketing events, attendance, calls) requests/s ÷ 19/s, Professional, 0 ms", "BenchmarkActivity_quota/latency=0s", "quota_ratio", ">=", 0.9, "≥ 0.9"},
	{2, "activity load (marketing events, attendance, calls) requests/s ÷ 19/s, Professional, 150 ms", "BenchmarkActivity_quota/latency=150ms", "quota_ratio", ">=", 0.9, "≥ 0.9"},
	{2, "activity rows lost to a 429 or any failure, 0 ms", "BenchmarkActivity_quota/latency=0s", "lost_rows", "==", 0, "0"},
	{2, "activity rows lost to a 429 or any failure, 150 ms", "BenchmarkActivity_quota/latency=150ms", "lost_rows", "==", 0, "0"},
	{3, "run with nothing new: HubSpot reads ÷ first run's, --scale 16", "BenchmarkSync_nothingNew/scale=16", "read_ratio", "<=", 0.02, "≤ 0.02"},
	{3, "run with nothing new: HubSpot writes, --scale 16", "BenchmarkSync_nothingNew/scale=16", "second_writes", "==", 0, "0"},
	{3, "run with nothing new: HubSpot reads ÷ first run's, demo account (2 of 30: the portal check and the users)", "BenchmarkSync_nothingNew/scale=1", "read_ratio", "", 0, "—"},
	{4, "transform peak RSS (MiB), 10 M participant rows, 4 M registrations (make bench-scale)", "BenchmarkEngine_Run_scale/10M", "peak_RSS_MB", "<", 3072, "< 3,072 (3 GiB)"},
	{4, "transform time ÷ bare DuckDB program, same SQL, same lake, 10 M rows", "BenchmarkEngine_Run_scale/10M", "bare_ratio", "<=", 1.3, "≤ 1.3"},
	{4, "transform CPU time ÷ bare DuckDB program's, 10 M rows (robust to the load)", "BenchmarkEngine_Run_scale/10M", "bare_cpu_ratio", "<=", 1.3, "≤ 1.3"},
	{4, "transform time per raw row, 10 M ÷ 1 M", "BenchmarkEngine_Run_scale/10M", "per_row_vs_1M", "<=", 1.3, "≤ 1.3"},
	{5, "whole first sync, demo, Pro/Professional, 150 ms ÷ (Zoom + HubSpot floors)", "BenchmarkSync_floor", "floor_ratio", "<=", 1.2, "≤ 1.2"},
}

// benchLine is a result line: name, iterations, then value/unit pairs.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

// parse reads the metrics of every benchmark line of r.
func parse(r io.Reader, into map[string]map[string]float64) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		metrics := into[m[1]]
		if metrics == nil {
			metrics = map[string]float64{}
			into[m[1]] = metrics
		}
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				metrics[f[i+1]] = v
			}
		}
	}
	return sc.Err()
}

func verdict(t target, v float64) string {
	if t.op == "" {
		return "info"
	}
	ok := map[string]bool{"<=": v <= t.bound+1e-9, ">=": v >= t.bound-1e-9, "<": v < t.bound, "==": v == t.bound}[t.op]
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// formatValue prints a count (a whole number of 100 or more) without
// decimals, a small ratio (under 0.1) with four and any other figure with
// two.
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	if v != 0 && math.Abs(v) < 0.1 {
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// loadAvg is /proc/loadavg's first three fields, or "unknown".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func main() {
	results := map[string]map[string]float64{}
	var err error
	if len(os.Args) < 2 {
		err = parse(os.Stdin, results)
	}
	var sources []string // each input file and when it was written
	for _, name := range os.Args[1:] {
		f, ferr := os.Open(name)
		if ferr != nil {
			fmt.Fprintln(os.Stderr, "report:", ferr)
			os.Exit(1)
		}
		if fi, serr := f.Stat(); serr == nil {
			sources = append(sources, fmt.Sprintf("%s (%s)", name, fi.ModTime().UTC().Format("2006-01-02 15:04 UTC")))
		}
		err = parse(f, results)
		f.Close()
		if err != nil {
			break
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "# Benchmarks\n\nWritten by benchmarks/report on %s: %d CPUs, %s, load average %s (1, 5, 15 min) when the report was written.\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), runtime.Version(), loadAvg())
	if len(sources) > 0 {
		fmt.Fprintf(w, "From %s: the output of make bench, bench-xscale and bench-scale, each run when its file was written.\n", strings.Join(sources, ", "))
	}
	fmt.Fprintf(w, "Each figure is a ratio measured in one run against the simulators (see docs/performance.md); the targets are issue 9's.\n")
	fmt.Fprintf(w, "A machine shared with other work gives pessimistic figures: compare the load average with the CPU count.\n\n")
	fmt.Fprintf(w, "| # | figure | target | measured | result |\n|---|---|---|---|---|\n")
	for _, t := range targets {
		v, ok := results[t.bench][t.metric]
		measured, result := "—", "not measured"
		if ok {
			measured, result = formatValue(v), verdict(t, v)
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s |\n", t.issue, t.figure, t.boundText, measured, result)
	}
}
