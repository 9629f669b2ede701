package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// RebuildReport is what RebuildLake found and did.
type RebuildReport struct {
	Adopted  int      // raw files recorded in the manifest
	Known    int      // raw files the manifest already had
	Unread   []string // files that are not readable Parquet, moved aside (*.bad)
	Rows     int64    // rows of the adopted files
	Stateful bool     // the catalog still had sync state (kept)
}

// RebuildLake rebuilds the lake manifest from the raw files on disk, for a
// catalog that was lost or predates the manifest: every part file under
// raw/ that DuckDB reads as Parquet is recorded with its stream, run, rows,
// size and checksum; one it cannot read is moved aside. Sync state is not
// guessed from the rows (a wrong "settled" would skip a fetch and lose
// data): the next sync fetches every stage once more, at the first run's
// cost in Zoom calls, and the CRM side, written by upserts, doubles
// nothing. It runs under the data directory's lock.
func RebuildLake(ctx context.Context, cfg *Config) (*RebuildReport, error) {
	lake := lakeOf(cfg)
	lock, err := AcquireLock(lake)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	if err := os.MkdirAll(lake.Dir, 0o755); err != nil {
		return nil, err
	}
	db, err := sql.Open("duckdb", lake.DB())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", lake.DB(), err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, manifestDDL); err != nil {
		return nil, fmt.Errorf("creating lake_manifest: %w", err)
	}
	rep := &RebuildReport{}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'sync_state'`).Scan(&n); err == nil && n > 0 {
		rep.Stateful = true
	}
	for _, s := range schema.RawStreams {
		if err := adoptStream(ctx, db, lake, s.Name, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// adoptStream records the part files of one raw stream that the manifest
// does not hold yet.
func adoptStream(ctx context.Context, db *sql.DB, lake schema.Lake, stream string, rep *RebuildReport) error {
	paths, err := filepath.Glob(lake.RawGlob(stream))
	if err != nil {
		return err
	}
	for _, p := range paths {
		rel, err := filepath.Rel(lake.Dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		var known int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM lake_manifest WHERE path = ?`, rel).Scan(&known); err != nil {
			return err
		}
		if known > 0 {
			rep.Known++
			continue
		}
		var rows int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+transform.QuoteString(filepath.ToSlash(p))+")").Scan(&rows); err != nil {
			if merr := os.Rename(p, p+".bad"); merr != nil {
				return merr
			}
			rep.Unread = append(rep.Unread, rel)
			continue
		}
		size, sum, err := lakefile.Checksum(p)
		if err != nil {
			return err
		}
		f := lakefile.File{Path: rel, Stream: stream, RunID: runOfPath(rel), Rows: rows, Bytes: size, SHA256: sum}
		if err := saveState(ctx, db, nil, []lakefile.File{f}); err != nil {
			return err
		}
		rep.Adopted++
		rep.Rows += rows
	}
	return nil
}

// runOfPath reads the run id from raw/<stream>/run=<id>/part-<n>.parquet.
func runOfPath(rel string) string {
	for _, seg := range strings.Split(rel, "/") {
		if id, ok := strings.CutPrefix(seg, "run="); ok {
			return id
		}
	}
	return ""
}
