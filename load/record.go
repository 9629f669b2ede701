package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/internal/failpoint"
)

// recorder writes outcomes to load_log and load_state. The batches in
// flight count their outcomes through it one at a time (mu), so the counts
// and the unsettled callback need no lock of their own; their writes are
// committed in groups (commit).
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
	// diff, when set, is told in a dry run about every object that would be
	// sent or skipped (DiffRow).
	diff func(DiffRow)
	// inFlight, when set, is how many batches a sink keeps in flight
	// given the time a batch takes besides its request
	// (hubspot.Client.InFlight); nil: one at a time.
	inFlight func(extra time.Duration) int
	// after is the mean time from a batch's answer to its recorded
	// outcomes (an exponentially weighted mean, in nanoseconds): the part
	// of a batch's cycle the client's round trip does not see. Atomic, so
	// that sizing the next batch never waits behind a recording.
	after atomic.Int64

	// The group commit (commit): writes waiting, and the token of the one
	// writing (a channel of one, so that a waiter can also watch its own
	// write end).
	qmu   sync.Mutex
	queue []*pendingWrite
	token chan struct{}
}

// maxInFlight is how many batches a sink may have in flight now.
func (r *recorder) maxInFlight() int {
	if r.inFlight == nil {
		return 1
	}
	return max(r.inFlight(time.Duration(r.after.Load())), 1)
}

// observe takes in the time d from a batch's answer to its recorded
// outcomes.
func (r *recorder) observe(d time.Duration) {
	for {
		old := r.after.Load()
		next := int64(d)
		if old != 0 {
			next = (7*old + int64(d)) / 8
		}
		if r.after.CompareAndSwap(old, next) {
			return
		}
	}
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
// ones (created, updated) to load_state, in one transaction (commit).
// Nothing is written in a dry run, nor for unchanged rows.
func (r *recorder) record(ctx context.Context, parts ...outcomes) error {
	logRows, stateRows := r.count(parts)
	if len(logRows) == 0 {
		return nil
	}
	return r.commit(ctx, logRows, stateRows)
}

// count counts outcomes (under mu) and returns the rows they add to
// load_log and load_state.
func (r *recorder) count(parts []outcomes) (logRows, stateRows [][]driver.Value) {
	r.mu.Lock()
	defer r.mu.Unlock()
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
			logRows = append(logRows, []driver.Value{r.runID, p.objectType, k.key, nullable(k.crmID), k.outcome, nullable(k.category), nullable(k.message), now})
			if k.outcome == OutcomeCreated || k.outcome == OutcomeUpdated {
				stateRows = append(stateRows, []driver.Value{p.objectType, k.key, nullable(k.crmID), k.hash, r.runID, now})
			}
		}
	}
	return logRows, stateRows
}

// pendingWrite is the rows of one record call waiting for their commit.
type pendingWrite struct {
	logRows, stateRows [][]driver.Value
	done               chan struct{} // closed once written
	err                error
}

// commit writes rows in a transaction shared with the other record calls
// waiting meanwhile, and returns once they are committed. A DuckDB
// transaction costs far more than its rows (100 rows 44 ms, 1,000 rows
// 77 ms on a loaded machine), and the answers of the batches in flight
// come back together: the first caller to hold the token writes every
// row queued; the others find theirs written, or write what queued since.
// Each batch's rows stay in one transaction, with the rows recorded with
// it (also); a later batch of the same key is sent only once the earlier
// one's record returned, so load_state ends with the later.
func (r *recorder) commit(ctx context.Context, logRows, stateRows [][]driver.Value) error {
	w := &pendingWrite{logRows: logRows, stateRows: stateRows, done: make(chan struct{})}
	r.qmu.Lock()
	r.queue = append(r.queue, w)
	if r.token == nil {
		r.token = make(chan struct{}, 1)
	}
	token := r.token
	r.qmu.Unlock()
	select {
	case <-w.done:
		return w.err
	case token <- struct{}{}:
	}
	defer func() { <-token }()
	r.qmu.Lock()
	group := r.queue
	r.queue = nil
	r.qmu.Unlock()
	if len(group) > 0 {
		var logs, states [][]driver.Value
		for _, g := range group {
			logs = append(logs, g.logRows...)
			states = append(states, g.stateRows...)
		}
		err := appendOutcomes(context.WithoutCancel(ctx), r.db, logs, lastPerKey(states))
		for _, g := range group {
			g.err = err
			close(g.done)
		}
	}
	<-w.done // written by this group or an earlier one
	return w.err
}

// lastPerKey keeps, of load_state rows (object type and key first), the
// last of each key: INSERT OR REPLACE takes a key once per statement.
func lastPerKey(rows [][]driver.Value) [][]driver.Value {
	type key struct{ objectType, key driver.Value }
	last := make(map[key]int, len(rows))
	for i, row := range rows {
		last[key{row[0], row[1]}] = i
	}
	if len(last) == len(rows) {
		return rows
	}
	out := rows[:0:0]
	for i, row := range rows {
		if last[key{row[0], row[1]}] == i {
			out = append(out, row)
		}
	}
	return out
}

// stagedState creates the staging table of load_state's rows, a temporary
// table of the connection without load_state's key, so that the appender
// can fill it and one INSERT OR REPLACE … SELECT moves it.
const stagedState = `CREATE TEMP TABLE IF NOT EXISTS load_state_staged AS SELECT * FROM load_state LIMIT 0;
DELETE FROM temp.load_state_staged`

// appendOutcomes writes a batch's outcomes in one transaction on one
// connection: load_log's rows through DuckDB's appender (load_log has no
// key), load_state's through the appender into the staging table and one
// INSERT OR REPLACE … SELECT. Multi-row INSERT … VALUES (8 parameters a
// row, 4,000 a statement) cost DuckDB more than the HTTP call of the
// batch; the appender writes column chunks.
func appendOutcomes(ctx context.Context, db *sql.DB, logRows, stateRows [][]driver.Value) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("recording outcomes: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, stagedState+"; BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("recording outcomes: %w", err)
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	err = conn.Raw(func(dc any) error {
		if err := appendRows(dc, "", "", "load_log", logRows); err != nil {
			return fmt.Errorf("recording outcomes: %w", err)
		}
		if err := appendRows(dc, "temp", "main", "load_state_staged", stateRows); err != nil {
			return fmt.Errorf("recording load state: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(stateRows) > 0 {
		if _, err = conn.ExecContext(ctx, `INSERT OR REPLACE INTO load_state SELECT * FROM temp.load_state_staged;
DELETE FROM temp.load_state_staged`); err != nil {
			return fmt.Errorf("recording load state: %w", err)
		}
	}
	failpoint.Hit("load.before-state-commit")
	if _, err = conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("recording outcomes: %w", err)
	}
	return nil
}

// appendRows appends rows to a table through DuckDB's appender on the
// driver connection dc.
func appendRows(dc any, catalog, schema, table string, rows [][]driver.Value) error {
	if len(rows) == 0 {
		return nil
	}
	c, ok := dc.(driver.Conn)
	if !ok {
		return fmt.Errorf("appending to %s: not a driver connection (%T)", table, dc)
	}
	a, err := duckdb.NewAppender(c, catalog, schema, table)
	if err != nil {
		return fmt.Errorf("appending to %s: %w", table, err)
	}
	for _, row := range rows {
		if err := a.AppendRow(row...); err != nil {
			_ = a.Close()
			return fmt.Errorf("appending to %s: %w", table, err)
		}
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("appending to %s: %w", table, err)
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

func nullable(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}
