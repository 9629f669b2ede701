package load

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newRecorderDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "r.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := EnsureState(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestRecorder_record writes the outcomes of two object types in one
// call: every sent row gets one load_log row with its CRM id, category and
// message (NULL when empty); created and updated rows replace their
// load_state row (an older acknowledgement of a key included); failed,
// unknown and skipped rows leave load_state alone; unchanged rows are
// counted and written nowhere.
func TestRecorder_record(t *testing.T) {
	db := newRecorderDB(t)
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, `INSERT INTO load_state VALUES ('contact', 'a@x.com', '1', 'old', 'run-0', TIMESTAMP '2026-01-01 00:00:00')`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var failed []string
	r := &recorder{db: db, runID: "run-1", now: func() time.Time { return at },
		unsettled: func(objectType, key, outcome, _ string) { failed = append(failed, objectType+" "+key+" "+outcome) }}
	var contacts, calls Counts
	err := r.record(ctx,
		outcomes{"contact", &contacts, []ack{
			{key: "a@x.com", crmID: "1", hash: "h-a", outcome: OutcomeUpdated},
			{key: "b@x.com", crmID: "2", hash: "h-b", outcome: OutcomeCreated},
			{key: "c@x.com", hash: "h-c", outcome: OutcomeFailed, category: "INVALID_EMAIL", message: "bad"},
			{key: "d@x.com", outcome: OutcomeUnchanged},
			{key: "e@x.com", hash: "h-e", outcome: OutcomeUnknown, category: "UNKNOWN_OUTCOME", message: "lost"},
		}},
		outcomes{"call", &calls, []ack{
			{key: "rec-1", outcome: OutcomeSkipped, category: "NO_CONTACT_ID", message: "later"},
			{key: "rec-2", crmID: "900", hash: "h-r", outcome: OutcomeCreated},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{Created: 1, Updated: 1, Unchanged: 1, Failed: 1, Unknown: 1}); contacts != want {
		t.Errorf("contact counts %+v, want %+v", contacts, want)
	}
	if want := (Counts{Created: 1, Skipped: 1}); calls != want {
		t.Errorf("call counts %+v, want %+v", calls, want)
	}
	if diff := cmp.Diff([]string{"contact c@x.com failed", "contact e@x.com unknown"}, failed); diff != "" {
		t.Errorf("unsettled (-want +got):\n%s", diff)
	}
	wantLog := []string{
		"call|rec-1||skipped|NO_CONTACT_ID|later|2026-06-01 12:00:00",
		"call|rec-2|900|created|||2026-06-01 12:00:00",
		"contact|a@x.com|1|updated|||2026-06-01 12:00:00",
		"contact|b@x.com|2|created|||2026-06-01 12:00:00",
		"contact|c@x.com||failed|INVALID_EMAIL|bad|2026-06-01 12:00:00",
		"contact|e@x.com||unknown|UNKNOWN_OUTCOME|lost|2026-06-01 12:00:00",
	}
	if diff := cmp.Diff(wantLog, queryLines(t, db, `SELECT concat_ws('|', object_type, key, coalesce(crm_id, ''), outcome,
		coalesce(error_category, ''), coalesce(error_message, ''), strftime(logged_at, '%Y-%m-%d %H:%M:%S'))
		FROM load_log WHERE run_id = 'run-1' ORDER BY object_type, key`)); diff != "" {
		t.Errorf("load_log (-want +got):\n%s", diff)
	}
	wantState := []string{
		"call|rec-2|900|h-r|run-1",
		"contact|a@x.com|1|h-a|run-1",
		"contact|b@x.com|2|h-b|run-1",
	}
	if diff := cmp.Diff(wantState, queryLines(t, db, `SELECT concat_ws('|', object_type, key, crm_id, hash, run_id)
		FROM load_state ORDER BY object_type, key`)); diff != "" {
		t.Errorf("load_state (-want +got):\n%s", diff)
	}
}

// TestRecorder_record_oneTransaction: when load_state refuses a row (a
// NULL hash), nothing of the call is kept, load_log included, and the
// next call records normally (the staging table is emptied).
func TestRecorder_record_oneTransaction(t *testing.T) {
	db := newRecorderDB(t)
	ctx := t.Context()
	r := &recorder{db: db, runID: "run-1", now: time.Now}
	db.SetMaxOpenConns(1) // the next call reuses the connection and its staging table
	if _, err := db.ExecContext(ctx, `ALTER TABLE load_state ADD CONSTRAINT IF NOT EXISTS x CHECK (hash <> 'refused')`); err != nil {
		// DuckDB cannot add a constraint to an existing table: recreate it.
		if _, err := db.ExecContext(ctx, `DROP TABLE load_state; CREATE TABLE load_state (object_type VARCHAR NOT NULL, key VARCHAR NOT NULL,
			crm_id VARCHAR, hash VARCHAR NOT NULL CHECK (hash <> 'refused'), run_id VARCHAR NOT NULL, acknowledged_at TIMESTAMP NOT NULL,
			PRIMARY KEY (object_type, key))`); err != nil {
			t.Fatal(err)
		}
	}
	var c Counts
	err := r.record(ctx, outcomes{"contact", &c, []ack{
		{key: "a@x.com", crmID: "1", hash: "h-a", outcome: OutcomeCreated},
		{key: "b@x.com", crmID: "2", hash: "refused", outcome: OutcomeCreated},
	}})
	if err == nil {
		t.Fatal("record succeeded, want load_state's refusal")
	}
	if got := queryLines(t, db, `SELECT (SELECT count(*) FROM load_log) || '/' || (SELECT count(*) FROM load_state)`); got[0] != "0/0" {
		t.Errorf("after the refusal load_log/load_state hold %s rows, want 0/0", got[0])
	}
	if err := r.record(ctx, outcomes{"contact", &c, []ack{{key: "c@x.com", crmID: "3", hash: "h-c", outcome: OutcomeCreated}}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"c@x.com"}, queryLines(t, db, `SELECT key FROM load_state ORDER BY key`)); diff != "" {
		t.Errorf("load_state after the next call (-want +got):\n%s", diff)
	}
}

func queryLines(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRecorder_record_concurrentGroupCommit records 40 batches of 25
// rows from 40 goroutines at once, as the batches in flight of a load do:
// their writes are committed in groups, and every row ends in load_log
// and load_state once, with the counts of every batch. A key recorded by
// two of them (a second acknowledgement) keeps one load_state row.
func TestRecorder_record_concurrentGroupCommit(t *testing.T) {
	db := newRecorderDB(t)
	r := &recorder{db: db, runID: "run-1", now: time.Now}
	var counts Counts
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for b := range 40 {
		wg.Go(func() {
			acks := make([]ack, 25)
			for i := range acks {
				acks[i] = ack{key: fmt.Sprintf("p%02d-%02d@x.com", b, i), crmID: strconv.Itoa(b*100 + i), hash: "h", outcome: OutcomeCreated}
			}
			acks[0].key = "shared@x.com"
			errs[b] = r.record(t.Context(), outcomes{"contact", &counts, acks})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if counts.Created != 1000 {
		t.Errorf("counted %d created, want 1000", counts.Created)
	}
	var logged, states, shared int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM load_log`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(t.Context(), `SELECT count(*), count(*) FILTER (WHERE key = 'shared@x.com') FROM load_state`).Scan(&states, &shared); err != nil {
		t.Fatal(err)
	}
	if logged != 1000 || states != 961 || shared != 1 {
		t.Errorf("load_log %d rows, load_state %d (shared key %d); want 1000, 961 (960 + the shared one), 1", logged, states, shared)
	}
}
