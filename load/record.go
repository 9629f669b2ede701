package load

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/zoomsync/zoomsync/internal/failpoint"
)

// recorder writes outcomes to load_log and load_state. The batches in
// flight record through it one at a time (mu), so the counts and the
// unsettled callback need no lock of their own.
type recorder struct {
	mu     sync.Mutex
	db     *sql.DB
	runID  string
	now    func() time.Time
	dryRun bool // count, record nothing
	// unsettled is told about every row that failed or whose outcome is
	// unknown (object type, key, outcome, reason), to name them in the
	// summary.
	unsettled func(objectType, key, outcome, message string)
	// inFlight, when set, is how many batches a sink keeps in flight
	// (hubspot.Client.InFlight); nil: one at a time.
	inFlight func() int
}

// maxInFlight is how many batches a sink may have in flight now.
func (r *recorder) maxInFlight() int {
	if r.inFlight == nil {
		return 1
	}
	return max(r.inFlight(), 1)
}

// locked runs f under the recorder's lock: what it reads of the counts,
// and of what unsettled writes, is settled.
func (r *recorder) locked(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
}

// ack is one outcome to record.
type ack struct {
	key, crmID, hash  string
	outcome           string
	category, message string
}

// outcomes are acks of one object type, counted in counts.
type outcomes struct {
	objectType string
	counts     *Counts
	acks       []ack
}

// record counts outcomes and writes them to load_log, and the acknowledged
// ones (created, updated) to load_state, in one transaction of multi-row
// statements (a statement per row costs DuckDB more than the HTTP call of
// the batch). Nothing is written in a dry run, nor for unchanged rows.
func (r *recorder) record(ctx context.Context, parts ...outcomes) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var logArgs, stateArgs []any
	now := r.now().UTC()
	for _, p := range parts {
		for _, k := range p.acks {
			p.counts.add(k.outcome)
			if (k.outcome == OutcomeFailed || k.outcome == OutcomeUnknown) && r.unsettled != nil {
				r.unsettled(p.objectType, k.key, k.outcome, k.message)
			}
			if r.dryRun || k.outcome == OutcomeUnchanged {
				continue
			}
			logArgs = append(logArgs, r.runID, p.objectType, k.key, nullable(k.crmID), k.outcome, nullable(k.category), nullable(k.message), now)
			if k.outcome == OutcomeCreated || k.outcome == OutcomeUpdated {
				stateArgs = append(stateArgs, p.objectType, k.key, nullable(k.crmID), k.hash, r.runID, now)
			}
		}
	}
	if len(logArgs) == 0 {
		return nil
	}
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertRows(ctx, tx, "INSERT INTO load_log VALUES ", 8, logArgs); err != nil {
		return fmt.Errorf("recording outcomes: %w", err)
	}
	if err := insertRows(ctx, tx, "INSERT OR REPLACE INTO load_state VALUES ", 6, stateArgs); err != nil {
		return fmt.Errorf("recording load state: %w", err)
	}
	failpoint.Hit("load.before-state-commit")
	return tx.Commit()
}

// insertRows inserts args, width values a row, in statements of at most
// 500 rows: a statement's parameters are bounded.
func insertRows(ctx context.Context, tx *sql.Tx, insert string, width int, args []any) error {
	const rows = 500
	row := "(?" + strings.Repeat(", ?", width-1) + ")"
	for i := 0; i < len(args); i += rows * width {
		part := args[i:min(len(args), i+rows*width)]
		if _, err := tx.ExecContext(ctx, insert+placeholders(len(part)/width, row), part...); err != nil {
			return err
		}
	}
	return nil
}

// stopped records acks after the context ended, then returns err:
// rewriting them is harmless, but the next run need not.
func (r *recorder) stopped(ctx context.Context, objectType string, counts *Counts, acks []ack, err error) error {
	if rerr := r.record(context.WithoutCancel(ctx), outcomes{objectType, counts, acks}); rerr != nil {
		return rerr
	}
	return err
}

// stateOf reads the acknowledged hash and CRM id of every object of a type.
func (r *recorder) stateOf(ctx context.Context, objectType string) (map[string]acked, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT key, coalesce(crm_id, ''), hash FROM load_state WHERE object_type = ?`, objectType)
	if err != nil {
		return nil, fmt.Errorf("reading load state: %w", err)
	}
	defer rows.Close()
	out := map[string]acked{}
	for rows.Next() {
		var k string
		var a acked
		if err := rows.Scan(&k, &a.crmID, &a.hash); err != nil {
			return nil, err
		}
		out[k] = a
	}
	return out, rows.Err()
}

// placeholders repeats one row's VALUES tuple n times.
func placeholders(n int, row string) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
