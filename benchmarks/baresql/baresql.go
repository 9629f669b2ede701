// Package baresql runs the transform's SQL in a bare DuckDB program: a
// plain in-memory DuckDB database (database/sql and duckdb-go), the SQL
// files run in name order on one connection, the relations of their
// "-- Materialize:" headers copied into Parquet files under temporary
// views, as the engine copies them, and the
// load-ready out tables written to Parquet. Issue 9's target 4 compares
// the transform engine's time with this one's, on the same lake in the
// same process (BenchmarkEngine_Run_scale in transform/run_bench_test.go).
//
// It takes every statement it runs from the transform package (the Script
// the benchmark builds): the SQL files themselves (transform.SQL()), the
// engine's prelude (raw views over the lake, the tables known_tlds,
// audit_reasons, excluded_contact_domains, contact_ledger and
// session_settings, the variable run_id), the statement that materializes
// a relation and those that write the out files, with their ORDER BY. It
// leaves out what the engine does besides the SQL:
//
//   - the catalog file: the database is in memory, so no WAL is written
//     and nothing is checkpointed on commit (the engine persists its views
//     and tables in zoomsync.duckdb);
//   - the transaction around the run (each statement commits on its own),
//     and the lookups of which out relations exist;
//   - the Result's counts (contacts, persons, audit rows by reason and by
//     category) and the audit_history table;
//   - dropping the run's relations, syncing and renaming the out files,
//     and refreshing the views over the lake and the out files after the
//     commit.
//
// For a fair comparison the database has the engine's settings: the same
// memory_limit (the caller passes the engine's), a temp_directory to spill
// to, the connection settings of the engine (Script.Settings: the time zone
// UTC, preserve_insertion_order), and DuckDB's default number of threads
// (one per core), which the engine does not change either.
package baresql

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Script is what a bare run executes; the transform package's benchmark
// fills it from the engine's own code.
type Script struct {
	// Settings are the statements that set up the connection (the time
	// zone, preserve_insertion_order).
	Settings []string
	// Files are the SQL files, run in name order (*.sql at the root).
	Files fs.FS
	// Prelude runs the statements the files expect before the first one.
	Prelude func(ctx context.Context, conn *sql.Conn) error
	// Materialize returns the statements to run after a file of the given
	// text: those that copy the relations its header names, as the engine
	// does, into files of dir. catalog is the database's name.
	Materialize func(catalog, dir, text string) []string
	// CopyOut returns the statements that write the out tables into dir.
	CopyOut func(dir string) []string
}

// Run runs the script in a new in-memory DuckDB database with the given
// memory_limit in bytes, spilling to dir/tmp, materializing into
// dir/materialized and writing the out tables to dir/out, and returns its
// wall time (opening the database included).
func Run(ctx context.Context, s Script, dir string, memoryLimit int64) (time.Duration, error) {
	start := time.Now()
	tmp, work, out := filepath.Join(dir, "tmp"), filepath.Join(dir, "materialized"), filepath.Join(dir, "out")
	for _, d := range []string{tmp, work, out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return 0, fmt.Errorf("baresql: %w", err)
		}
	}
	v := url.Values{}
	v.Set("memory_limit", fmt.Sprintf("%dKiB", max(memoryLimit>>10, 1)))
	v.Set("temp_directory", filepath.ToSlash(tmp))
	connector, err := duckdb.NewConnector("?"+v.Encode(), nil)
	if err != nil {
		return 0, fmt.Errorf("baresql: opening DuckDB: %w", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("baresql: %w", err)
	}
	defer conn.Close()
	if err := run(ctx, conn, s, work, out); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

func run(ctx context.Context, conn *sql.Conn, s Script, work, out string) error {
	for _, q := range s.Settings {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("baresql: %w", err)
		}
	}
	if err := s.Prelude(ctx, conn); err != nil {
		return fmt.Errorf("baresql: prelude: %w", err)
	}
	var catalog string
	if err := conn.QueryRowContext(ctx, "SELECT current_database()").Scan(&catalog); err != nil {
		return fmt.Errorf("baresql: %w", err)
	}
	files, err := fs.Glob(s.Files, "*.sql")
	if err != nil {
		return fmt.Errorf("baresql: %w", err)
	}
	slices.Sort(files)
	for _, name := range files {
		text, err := fs.ReadFile(s.Files, name)
		if err != nil {
			return fmt.Errorf("baresql: %w", err)
		}
		stmts := append([]string{string(text)}, s.Materialize(catalog, work, string(text))...)
		for _, q := range stmts {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("baresql: %s: %w", name, err)
			}
		}
	}
	for _, q := range s.CopyOut(out) {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("baresql: writing the out tables: %w", err)
		}
	}
	return nil
}
