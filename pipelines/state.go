package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/extract"
	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/internal/lakefile"
)

// syncStateDDL creates the table of the extractor's cursors: one row per
// object and stage (the registrants of a webinar, the report of an
// instance…) with when it was fetched and until when Zoom may change it.
const syncStateDDL = `
CREATE TABLE IF NOT EXISTS sync_state (
	object_type  VARCHAR NOT NULL, -- webinar or instance
	object_id    VARCHAR NOT NULL, -- webinar id or instance uuid
	stage        VARCHAR NOT NULL,
	status       VARCHAR NOT NULL, -- done, missing, unavailable, pending, processing
	fetched_at   TIMESTAMP,
	settle_after TIMESTAMP,        -- fetched again until then
	run_id       VARCHAR,
	detail       VARCHAR,          -- stage facts, JSON
	PRIMARY KEY (object_type, object_id, stage)
)`

// loadState reads the sync state of earlier runs.
func loadState(ctx context.Context, db *sql.DB) (*extract.State, error) {
	for _, ddl := range []string{syncStateDDL, manifestDDL} {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			return nil, fmt.Errorf("creating the catalog's tables: %w", err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT object_type, object_id, stage, status, fetched_at, settle_after, run_id, detail FROM sync_state`)
	if err != nil {
		return nil, fmt.Errorf("reading sync_state: %w", err)
	}
	defer rows.Close()
	m := map[extract.Stage]extract.StageState{}
	for rows.Next() {
		var k extract.Stage
		var v extract.StageState
		var fetched, settle sql.NullTime
		var runID, detail sql.NullString
		if err := rows.Scan(&k.Object, &k.ID, &k.Name, &v.Status, &fetched, &settle, &runID, &detail); err != nil {
			return nil, err
		}
		v.FetchedAt, v.SettleAfter, v.RunID, v.Detail = fetched.Time.UTC(), settle.Time.UTC(), runID.String, detail.String
		m[k] = v
	}
	return extract.NewState(m), rows.Err()
}

// saveState writes the stages a run changed and the raw files it
// committed (the lake manifest), in one transaction.
func saveState(ctx context.Context, db *sql.DB, changes map[extract.Stage]extract.StageState, files []lakefile.File) (err error) {
	if len(changes) == 0 && len(files) == 0 {
		return nil
	}
	keys := make([]extract.Stage, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b extract.Stage) int {
		return strings.Compare(a.Object+a.ID+a.Name, b.Object+b.ID+b.Name)
	})
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	const chunk = 500
	for i := 0; i < len(keys); i += chunk {
		part := keys[i:min(i+chunk, len(keys))]
		args := make([]any, 0, len(part)*8)
		for _, k := range part {
			v := changes[k]
			args = append(args, k.Object, k.ID, k.Name, v.Status, nullTime(v.FetchedAt), nullTime(v.SettleAfter), v.RunID, v.Detail)
		}
		q := "INSERT OR REPLACE INTO sync_state VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", len(part)), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("saving sync_state: %w", err)
		}
	}
	if err := recordFiles(ctx, tx, files); err != nil {
		return err
	}
	failpoint.Hit("extract.before-cursor-commit")
	return tx.Commit()
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}
