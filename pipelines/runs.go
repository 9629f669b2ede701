package pipelines

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
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
	status      VARCHAR NOT NULL, -- succeeded, partial, failed
	error       VARCHAR,
	summary     JSON
)`

// Run statuses.
const (
	StatusSucceeded = "succeeded"
	StatusPartial   = "partial" // stopped early (daily limit) or some webinars failed; what it fetched is kept
	StatusFailed    = "failed"
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
	_, err = db.ExecContext(ctx, `INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.RunID, r.Kind, r.StartedAt, r.FinishedAt, r.Status, errText, string(summary))
	if err != nil {
		return fmt.Errorf("recording run %s: %w", r.RunID, err)
	}
	return nil
}
