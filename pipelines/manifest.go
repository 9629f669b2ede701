package pipelines

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/extract"
	"github.com/zoomsync/zoomsync/internal/httpretry"
	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/schema"
)

// manifestDDL creates the lake manifest: one row per raw file a run
// committed, written in the same transaction as the cursors that rely on
// it (saveState), so the catalog never holds a cursor whose file it does
// not know.
const manifestDDL = `
CREATE TABLE IF NOT EXISTS lake_manifest (
	path         VARCHAR PRIMARY KEY, -- relative to the data directory, slash-separated
	stream       VARCHAR,
	run_id       VARCHAR,
	rows         BIGINT,
	bytes        BIGINT,
	sha256       VARCHAR,             -- lower-case hex
	committed_at TIMESTAMP
)`

// recordFiles adds the files a run committed to the manifest, in tx.
func recordFiles(ctx context.Context, tx *sql.Tx, files []lakefile.File) error {
	now := time.Now().UTC()
	for _, f := range files {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO lake_manifest VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.Path, f.Stream, f.RunID, f.Rows, f.Bytes, f.SHA256, now); err != nil {
			return fmt.Errorf("recording %s in the lake manifest: %w", f.Path, err)
		}
	}
	return nil
}

// BadFile is a raw file whose bytes no longer match the manifest.
type BadFile struct {
	lakefile.File
	Problem string // missing, truncated (size differs) or corrupt (checksum differs)
}

func (b BadFile) String() string { return b.Path + " (" + b.Problem + ")" }

// verifyManifest checks every file of the manifest against the lake: that
// it exists, has its size and its checksum.
func verifyManifest(ctx context.Context, db *sql.DB, lake schema.Lake) ([]BadFile, error) {
	if _, err := db.ExecContext(ctx, manifestDDL); err != nil {
		return nil, fmt.Errorf("creating lake_manifest: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT path, stream, run_id, rows, bytes, sha256 FROM lake_manifest ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("reading lake_manifest: %w", err)
	}
	defer rows.Close()
	var bad []BadFile
	for rows.Next() {
		var f lakefile.File
		if err := rows.Scan(&f.Path, &f.Stream, &f.RunID, &f.Rows, &f.Bytes, &f.SHA256); err != nil {
			return nil, fmt.Errorf("reading lake_manifest: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, sum, err := lakefile.Checksum(filepath.Join(lake.Dir, filepath.FromSlash(f.Path)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			bad = append(bad, BadFile{f, "missing"})
		case err != nil:
			return nil, err
		case n != f.Bytes:
			bad = append(bad, BadFile{f, fmt.Sprintf("truncated: %d bytes, the manifest says %d", n, f.Bytes)})
		case sum != f.SHA256:
			bad = append(bad, BadFile{f, "corrupt: checksum differs"})
		}
	}
	return bad, rows.Err()
}

// markLost moves each bad file aside (beside it, named .bad, out of the
// raw views), sets the stages its rows back (extract.StagesOf its stream,
// fetched by its run) to extract.StatusLost, so the next extraction
// fetches them again, and removes its manifest row, in one transaction.
func markLost(ctx context.Context, db *sql.DB, lake schema.Lake, bad []BadFile) (err error) {
	for _, b := range bad {
		p := filepath.Join(lake.Dir, filepath.FromSlash(b.Path))
		if err := os.Rename(p, p+".bad"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("moving %s aside: %w", b.Path, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for _, b := range bad {
		stages := extract.StagesOf(b.Stream)
		if len(stages) > 0 {
			q := `UPDATE sync_state SET status = ? WHERE run_id = ? AND stage IN (` +
				strings.TrimSuffix(strings.Repeat("?, ", len(stages)), ", ") + `)`
			args := []any{extract.StatusLost, b.RunID}
			for _, s := range stages {
				args = append(args, s)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("marking the stages of %s lost: %w", b.Path, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM lake_manifest WHERE path = ?`, b.Path); err != nil {
			return fmt.Errorf("removing %s from the lake manifest: %w", b.Path, err)
		}
	}
	return tx.Commit()
}

// lostStages lists the stages marked lost, as "object id stage".
func lostStages(ctx context.Context, db *sql.DB) ([]string, error) {
	if _, err := db.ExecContext(ctx, syncStateDDL); err != nil {
		return nil, fmt.Errorf("creating sync_state: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT object_type || ' ' || object_id || ' ' || stage FROM sync_state WHERE status = ? ORDER BY ALL`, extract.StatusLost)
	if err != nil {
		return nil, fmt.Errorf("reading sync_state: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ErrLakeIncomplete is wrapped by the error of a transform that refuses to
// run over a lake with lost data: its out tables would hold lower numbers.
var ErrLakeIncomplete = errors.New("the lake is incomplete")

// openCatalogFile opens the lake's catalog without the transform's views:
// a view over a damaged Parquet file fails already when the engine opens
// (DuckDB reads each file's footer), so the manifest is checked first, with
// the catalog alone. It returns nil when the lake has no catalog yet.
func openCatalogFile(lake schema.Lake) (*sql.DB, error) {
	if _, err := os.Stat(lake.DB()); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	db, err := sql.Open("duckdb", lake.DB())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", lake.DB(), err)
	}
	return db, nil
}

// repairLake runs at the start of every run, under the lock: it verifies
// the manifest, moves the bad files aside and marks their stages lost, so
// that the catalog opens, the extraction fetches them again, and the
// transform refuses until it has (checkLost).
func repairLake(ctx context.Context, lake schema.Lake) ([]BadFile, error) {
	// A reader (zoomsync query) may hold the file for a moment: wait for
	// it, up to a minute, as catalog.Engine does.
	deadline := time.Now().Add(time.Minute)
	for {
		bad, err := repairLakeOnce(ctx, lake)
		if err == nil || !catalogBusy(err) || time.Now().After(deadline) {
			return bad, err
		}
		if err := httpretry.Sleep(ctx, 200*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// catalogBusy reports whether DuckDB refused the catalog file because
// another process holds it.
func catalogBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Conflicting lock") || strings.Contains(msg, "Could not set lock")
}

func repairLakeOnce(ctx context.Context, lake schema.Lake) ([]BadFile, error) {
	db, err := openCatalogFile(lake)
	if db == nil || err != nil {
		return nil, err
	}
	defer db.Close()
	bad, err := verifyManifest(ctx, db, lake)
	if err != nil || len(bad) == 0 {
		return nil, err
	}
	return bad, markLost(ctx, db, lake, bad)
}

// checkLost runs before a transform: it refuses while any stage is lost,
// naming the files found bad (by this run, else those moved aside before)
// and the stages.
func checkLost(ctx context.Context, db *sql.DB, lake schema.Lake, bad []BadFile) error {
	lost, err := lostStages(ctx, db)
	if err != nil || len(lost) == 0 {
		return err
	}
	var files []string
	for _, b := range bad {
		files = append(files, b.String())
	}
	if len(files) == 0 {
		moved, _ := filepath.Glob(filepath.Join(lake.Dir, "raw", "*", "*", "*.bad"))
		for _, m := range moved {
			if r, err := filepath.Rel(lake.Dir, m); err == nil {
				files = append(files, filepath.ToSlash(r)+" (moved aside)")
			}
		}
	}
	shown := lost[:min(len(lost), 5)]
	more := ""
	if len(lost) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(lost)-len(shown))
	}
	return fmt.Errorf("%w: raw files %s; %d stages lost (%s%s): run zoomsync sync (or extract) to fetch them again",
		ErrLakeIncomplete, cmp.Or(strings.Join(files, ", "), "(none left)"), len(lost), strings.Join(shown, "; "), more)
}

// LakeReport is what VerifyLake found and did.
type LakeReport struct {
	Files    int       // files in the manifest
	Bad      []BadFile // files missing, truncated or corrupt
	Repaired bool      // the bad files were moved aside and their stages marked lost
	Lost     []string  // stages marked lost, as "object id stage"
}

// VerifyLake checks every raw file of the manifest under the data
// directory's lock; with repair, it moves the bad ones aside and marks
// their stages lost, so the next sync fetches them again (every run does
// this repair when it starts).
func VerifyLake(ctx context.Context, cfg *Config, repair bool) (*LakeReport, error) {
	lake := lakeOf(cfg)
	lock, err := AcquireLock(lake)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	rep := &LakeReport{}
	db, err := openCatalogFile(lake)
	if db == nil || err != nil {
		return rep, err
	}
	defer db.Close()
	if rep.Bad, err = verifyManifest(ctx, db, lake); err != nil {
		return nil, err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM lake_manifest`).Scan(&rep.Files); err != nil {
		return nil, err
	}
	if repair && len(rep.Bad) > 0 {
		if err := markLost(ctx, db, lake, rep.Bad); err != nil {
			return rep, err
		}
		rep.Repaired = true
	}
	rep.Lost, err = lostStages(ctx, db)
	return rep, err
}
