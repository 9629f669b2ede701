package pipelines

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// NewRunID names a run: its UTC start time, sortable, plus a random suffix
// so two runs in one second never share a folder.
func NewRunID(now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

const runsDDL = `
CREATE TABLE IF NOT EXISTS runs (
	run_id      VARCHAR PRIMARY KEY,
	kind        VARCHAR NOT NULL,
	started_at  TIMESTAMP NOT NULL,
	finished_at TIMESTAMP NOT NULL,
	status      VARCHAR NOT NULL, -- succeeded, partial, failed, interrupted
	error       VARCHAR,
	summary     JSON
);
-- Added with sync --dry-run's record: catalogs made before it gain the
-- column (false for their runs) the first time a run is recorded.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS dry_run BOOLEAN DEFAULT false`

// Run statuses.
const (
	StatusSucceeded = "succeeded"
	StatusPartial   = "partial" // stopped early (daily limit), some webinars failed, or rows failed or ended unknown; what it did is kept
	StatusFailed    = "failed"
	// StatusInterrupted: stopped by a signal (SIGINT, SIGTERM) at a safe
	// point; what it fetched is kept with its cursors.
	StatusInterrupted = "interrupted"
)

// recordRun writes one row of the runs table.
func recordRun(ctx context.Context, db *sql.DB, r *RunResult) error {
	if _, err := db.ExecContext(ctx, runsDDL); err != nil {
		return fmt.Errorf("creating runs table: %w", err)
	}
	summary, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var errText any
	if r.Err != nil {
		errText = r.Err.Error()
	}
	_, err = db.ExecContext(ctx, `INSERT OR REPLACE INTO runs (run_id, kind, started_at, finished_at, status, error, summary, dry_run)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.RunID, r.Kind, r.StartedAt, r.FinishedAt, r.Status, errText, string(summary), r.DryRun)
	if err != nil {
		return fmt.Errorf("recording run %s: %w", r.RunID, err)
	}
	return nil
}

// RealRuns counts the runs recorded in the lake's catalog that are not the
// demo's (RunResult.Demo): syncs against a real Zoom account or HubSpot
// portal, or any stage run alone. A lake without a catalog or a runs table
// has none.
func RealRuns(ctx context.Context, lake schema.Lake) (int, error) {
	if _, err := os.Stat(lake.DB()); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	e, err := transform.OpenReadOnly(ctx, lake)
	if err != nil {
		return 0, err
	}
	defer e.Close()
	var n int
	err = e.DB().QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'runs' AND schema_name = 'main' AND database_name = current_database()`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	err = e.DB().QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE NOT coalesce(json_extract(summary, '$.demo')::BOOLEAN, false)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("reading the runs of %s: %w", lake.DB(), err)
	}
	return n, nil
}
