package transform

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MaxDefaultMemoryLimit caps DefaultMemoryLimit.
const MaxDefaultMemoryLimit = 2 << 30 // 2 GiB

// DefaultMemoryLimit is the DuckDB memory limit of an engine opened without
// WithMemoryLimit: 2 GiB or a quarter of the machine's memory (its cgroup
// limit in a container), whichever is lower; 2 GiB when the memory is
// unknown.
//
// Why: DuckDB's own default is 80 % of RAM, and it takes it: the transform
// of 10 M participant rows peaked at 16.7 GB. The transform is a batch job
// that shares the machine with the rest of the sync (and a laptop with its
// user); past its limit DuckDB spills sorts, joins and aggregates to
// temp_directory instead of growing, at a cost in time well below what the
// OOM killer costs. 2 GiB holds the working set of an account's year (500k
// participant rows) in memory, so typical runs never spill; the process's
// peak (DuckDB's buffers, plus what the limit does not govern and the Go
// heap) was 474 MiB at 1 M participant rows and 2,376 MiB at 10 M, in 74 s
// (docs/performance.md, target 4). A quarter of a small machine (1 GiB of
// a 4 GiB CI runner) leaves room for everything else.
func DefaultMemoryLimit() int64 {
	total := physicalMemory()
	if total <= 0 {
		return MaxDefaultMemoryLimit
	}
	return min(MaxDefaultMemoryLimit, total/4)
}

// WithMemoryLimit sets DuckDB's memory_limit in bytes (default
// DefaultMemoryLimit; n <= 0 keeps the default). Past it DuckDB spills to
// the temporary directory <data dir>/tmp/duckdb instead of growing.
// ParseMemoryLimit reads a flag value such as "4GB".
func WithMemoryLimit(n int64) Option {
	return func(e *Engine) {
		if n > 0 {
			e.memoryLimit = n
		}
	}
}

// ParseMemoryLimit reads a memory size as a --memory-limit flag gives it:
// a number of bytes, or a number with a unit KB, MB, GB, TB (powers of
// 1000) or KiB, MiB, GiB, TiB (powers of 1024), case-insensitive, with or
// without a space: "2GB", "1.5 GiB", "800mb".
func ParseMemoryLimit(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}[unit]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || v <= 0 {
		return 0, fmt.Errorf("transform: memory limit %q: want a positive size such as 2GB or 1536MiB", s)
	}
	return int64(v * mult), nil
}

// tempDir is DuckDB's temporary directory for spilling: under the data
// directory, so that it sits on the lake's disk and goes with it.
func (e *Engine) tempDir() string { return filepath.Join(e.dir, "tmp", "duckdb") }

// workDir holds a Run's materialized relations (materializeSQL), removed
// when the Run ends; under the data directory for the same reason.
func (e *Engine) workDir() string { return filepath.Join(e.dir, "tmp", "materialized") }

// effectiveMemoryLimit is the engine's memory limit in bytes: the one
// WithMemoryLimit set, or DefaultMemoryLimit.
func (e *Engine) effectiveMemoryLimit() int64 {
	if e.memoryLimit > 0 {
		return e.memoryLimit
	}
	return DefaultMemoryLimit()
}

// dsn is the DuckDB data source name of the catalog: its path with the
// database's settings (access_mode, memory_limit, temp_directory).
// memory_limit and temp_directory are settings of the database instance,
// so they are given once, when it is created, rather than by every
// connection (DuckDB refuses to switch the temporary directory once used).
func (e *Engine) dsn(readOnly bool) string {
	limit := e.effectiveMemoryLimit()
	v := url.Values{}
	if readOnly {
		v.Set("access_mode", "READ_ONLY")
	}
	// In KiB, which DuckDB reads exactly ("2097152KiB").
	v.Set("memory_limit", fmt.Sprintf("%dKiB", max(limit>>10, 1)))
	v.Set("temp_directory", filepath.ToSlash(e.tempDir()))
	return filepath.Join(e.dir, "zoomsync.duckdb") + "?" + v.Encode()
}

// physicalMemory is the memory this process may use in bytes: the
// machine's (Linux /proc/meminfo MemTotal), or its cgroup's limit when that
// is lower; 0 when unknown.
func physicalMemory() int64 {
	var total int64
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if err == nil {
					total = kb << 10
				}
			}
		}
	}
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}
