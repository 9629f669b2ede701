package transform

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/schema"
)

func TestParseMemoryLimit(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"2GB": 2e9, "1.5 GiB": 3 << 29, "800mb": 8e8, "1048576": 1 << 20, " 4 TiB ": 4 << 40, "512KiB": 512 << 10,
	} {
		if got, err := ParseMemoryLimit(in); err != nil || got != want {
			t.Errorf("ParseMemoryLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GB", "-1GB", "0", "2 parsecs", "1,5GB"} {
		if got, err := ParseMemoryLimit(in); err == nil {
			t.Errorf("ParseMemoryLimit(%q) = %d, want an error", in, got)
		}
	}
}

func TestDefaultMemoryLimit(t *testing.T) {
	t.Parallel()
	got := DefaultMemoryLimit()
	if got <= 0 || got > MaxDefaultMemoryLimit {
		t.Errorf("DefaultMemoryLimit() = %d, want in (0, %d]", got, MaxDefaultMemoryLimit)
	}
	if total := physicalMemory(); total > 0 && got > total/4 {
		t.Errorf("DefaultMemoryLimit() = %d, more than a quarter of %d", got, total)
	}
}

// TestOpen_memorySettings checks that every connection, read-write and
// read-only, has the memory limit and the temporary directory under the
// data directory.
func TestOpen_memorySettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	e, err := Open(ctx, lake, WithMemoryLimit(768<<20))
	if err != nil {
		t.Fatal(err)
	}
	check := func(e *Engine, wantLimit string) {
		t.Helper()
		var limit, dir string
		if err := e.DB().QueryRowContext(ctx, "SELECT current_setting('memory_limit'), current_setting('temp_directory')").Scan(&limit, &dir); err != nil {
			t.Fatal(err)
		}
		if limit != wantLimit {
			t.Errorf("memory_limit = %q, want %q", limit, wantLimit)
		}
		if want := filepath.Join(lake.Dir, "tmp", "duckdb"); filepath.Clean(filepath.FromSlash(dir)) != want {
			t.Errorf("temp_directory = %q, want %q", dir, want)
		}
	}
	check(e, "768.0 MiB")
	if _, err := e.Run(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	ro, err := OpenReadOnly(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// The read-only engine takes the default, as DuckDB shows it.
	want := fmt.Sprintf("%.1f MiB", float64(DefaultMemoryLimit())/(1<<20))
	if DefaultMemoryLimit() >= 1<<30 {
		want = fmt.Sprintf("%.1f GiB", float64(DefaultMemoryLimit())/(1<<30))
	}
	check(ro, want)
}

// TestEngine_spillsUnderTheLimit fills a temporary table 2.5 times the
// memory limit: DuckDB must spill it to <data>/tmp/duckdb rather than fail
// or grow, and connections opened after the spill must still work (the
// settings belong to the database, not to each connection).
func TestEngine_spillsUnderTheLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	e, err := Open(ctx, lake, WithMemoryLimit(40<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	conn, err := e.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// About 1.5 M x 72 bytes: 108 MB of table in a 40 MiB budget.
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE big AS
SELECT i, md5(CAST(i AS VARCHAR)) || md5(CAST(i + 1 AS VARCHAR)) AS s FROM range(1500000) t(i)`); err != nil {
		t.Fatalf("a 108 MB temporary table under a 40 MiB limit: %v", err)
	}
	var files int
	var dir string
	if err := conn.QueryRowContext(ctx, `SELECT count(*), coalesce(min(path), '') FROM duckdb_temporary_files()`).Scan(&files, &dir); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(lake.Dir, "tmp", "duckdb"); files == 0 || !strings.HasPrefix(filepath.FromSlash(dir), want) {
		t.Errorf("temporary files: %d, first %q; want some under %s", files, dir, want)
	}
	// New connections of the pool, opened while the spill files exist.
	var conns []*sql.Conn
	for range 2 {
		c, err := e.DB().Conn(ctx)
		if err != nil {
			t.Fatalf("a new connection after spilling: %v", err)
		}
		conns = append(conns, c)
		var one int
		if err := c.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			t.Errorf("a query on a new connection after spilling: %v", err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}
