package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"golang.org/x/net/publicsuffix"
)

// Result counts what a Run wrote.
type Result struct {
	RunID string
	// Contacts is the number of rows of out/contacts.
	Contacts int
	// Persons is the number of distinct valid emails among the staged
	// registrants and participants, whether or not they became contacts.
	Persons int
	// AuditRows is the number of rows of out/audit; AuditByReason splits
	// them by reason.
	AuditRows     int
	AuditByReason map[string]int
	// AuditByCategory splits the audit rows by category.
	AuditByCategory map[string]int
	// Files are the SQL files run, in order.
	Files    []string
	Duration time.Duration
}

// Run recreates the raw views over the lake's current files, fills
// known_tlds and the rule tables (excluded_contact_domains, contact_ledger),
// runs the SQL files in name order, writes out/<table>.parquet for every out_<table> relation the SQL created (contacts, audit), and
// points the out views at the new files. The catalog changes in one
// transaction; each out file is written under a temporary name in out/ and
// renamed after the transaction commits, so a failed Run leaves the previous
// outputs and views in place.
func (e *Engine) Run(ctx context.Context, runID string) (*Result, error) {
	if e.readOnly {
		return nil, errors.New("transform: Run on a read-only engine")
	}
	start := time.Now()
	res := &Result{RunID: runID, AuditByReason: map[string]int{}, AuditByCategory: map[string]int{}}

	files, err := fs.Glob(e.sql, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("transform: listing SQL files: %w", err)
	}
	slices.Sort(files)
	outDir := filepath.Dir(e.lake.Out("x"))
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}

	// Temporary tables and the run_id variable belong to one connection.
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	defer tx.Rollback()

	ddl, err := e.viewDDL(false)
	if err != nil {
		return nil, err
	}
	for _, s := range ddl {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("transform: creating raw views: %w", err)
		}
	}
	tlds, err := fillKnownTLDs(ctx, tx)
	if err != nil {
		return nil, err
	}
	e.log.DebugContext(ctx, "known top-level domains", "tlds", tlds)
	if err := e.fillRuleTables(ctx, tx); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "SET VARIABLE run_id = "+QuoteString(runID)); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}

	// The persisted catalog's name, to read a view past a temp table of
	// the same name (the temp catalog's schema is main too).
	var catalog string
	if err := tx.QueryRowContext(ctx, "SELECT current_database()").Scan(&catalog); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	var materialized []string
	for _, name := range files {
		text, err := fs.ReadFile(e.sql, name)
		if err != nil {
			return nil, fmt.Errorf("transform: %w", err)
		}
		t0 := time.Now()
		if _, err := tx.ExecContext(ctx, string(text)); err != nil {
			return nil, fmt.Errorf("transform: %s: %w", name, err)
		}
		e.log.DebugContext(ctx, "sql file ran", "file", name, "elapsed", time.Since(t0))
		res.Files = append(res.Files, name)
		for _, rel := range materializeDirectives(string(text)) {
			t0 := time.Now()
			q := fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT * FROM %s.main.%s", ident(rel), ident(catalog), ident(rel))
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("transform: %s: materializing %s: %w", name, rel, err)
			}
			e.log.DebugContext(ctx, "relation materialized", "file", name, "relation", rel, "elapsed", time.Since(t0))
			if !slices.Contains(materialized, rel) {
				materialized = append(materialized, rel)
			}
		}
	}

	// Write each out_<table> the SQL created to a temporary file in out/.
	type pending struct{ tmp, final string }
	var written []pending
	defer func() {
		for _, p := range written {
			os.Remove(p.tmp) // a no-op once renamed
		}
	}()
	for _, t := range outTables {
		rel := "out_" + t.Name
		kind, err := relationKind(ctx, tx, rel)
		if err != nil {
			return nil, err
		}
		if kind == "" {
			e.log.WarnContext(ctx, "SQL created no out relation; table not written", "relation", rel, "table", t.Name)
			continue
		}
		final := e.lake.Out(t.Name)
		tmp := filepath.Join(outDir, fmt.Sprintf(".%s-%d.parquet.tmp", t.Name, time.Now().UnixNano()))
		written = append(written, pending{tmp, final})
		// Columns in the order of the row type, rows in a fixed order, so
		// that equal inputs give equal files.
		cols := columnsOf(t.Row)
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = ident(c.Name)
		}
		list := strings.Join(names, ", ")
		q := fmt.Sprintf("COPY (SELECT %s FROM %s ORDER BY %s) TO %s (FORMAT parquet, COMPRESSION zstd)",
			list, ident(rel), list, QuoteString(filepath.ToSlash(tmp)))
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("transform: writing %s: %w", t.Name, err)
		}
	}

	if err := countResult(ctx, tx, res); err != nil {
		return nil, err
	}
	if err := keepAuditHistory(ctx, tx); err != nil {
		return nil, err
	}
	// Drop the materialized copies and the out relations so that a later
	// Run, or any query, on this pooled connection cannot see stale ones.
	for _, rel := range materialized {
		if _, err := tx.ExecContext(ctx, "DROP TABLE temp.main."+ident(rel)); err != nil {
			return nil, fmt.Errorf("transform: %w", err)
		}
	}
	for _, t := range outTables {
		kind, err := relationKind(ctx, tx, "out_"+t.Name)
		if err != nil {
			return nil, err
		}
		if kind == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, "DROP "+kind+" "+ident("out_"+t.Name)); err != nil {
			return nil, fmt.Errorf("transform: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("transform: commit: %w", err)
	}

	for _, p := range written {
		if err := lakefile.SyncFile(p.tmp); err != nil {
			return nil, fmt.Errorf("transform: %w", err)
		}
		if err := os.Rename(p.tmp, p.final); err != nil {
			return nil, fmt.Errorf("transform: %w", err)
		}
	}
	lakefile.SyncFile(outDir) // best effort: not every platform syncs a directory
	// Point the out views at the new files (they were empty views when
	// the files did not exist yet).
	if err := e.refreshViews(ctx); err != nil {
		return nil, err
	}
	res.Duration = time.Since(start)
	e.log.InfoContext(ctx, "transform done", "run_id", runID, "contacts", res.Contacts, "persons", res.Persons,
		"audit_rows", res.AuditRows, "elapsed", res.Duration)
	return res, nil
}

// execQuerier is what a transaction and a connection share.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tldQuery lists the distinct last labels of every email in the raw views.
const tldQuery = `
SELECT DISTINCT lower(regexp_extract(e, '\.([A-Za-z0-9-]+)\s*$', 1)) AS tld
FROM (
    SELECT email AS e FROM raw_registrants
    UNION ALL SELECT user_email FROM raw_participants
    UNION ALL SELECT email FROM raw_users
    UNION ALL SELECT host_email FROM raw_webinars
    UNION ALL SELECT user_email FROM raw_instance_reports
)
WHERE e IS NOT NULL
ORDER BY tld`

// fillKnownTLDs (re)creates the table known_tlds(tld) with the last labels
// of the lake's emails that are ICANN top-level domains, so that the SQL can
// tell example.com (valid) from example.con (a typo) without a network.
func fillKnownTLDs(ctx context.Context, q execQuerier) ([]string, error) {
	rows, err := q.QueryContext(ctx, tldQuery)
	if err != nil {
		return nil, fmt.Errorf("transform: listing top-level domains: %w", err)
	}
	var tlds []string
	for rows.Next() {
		var tld string
		if err := rows.Scan(&tld); err != nil {
			rows.Close()
			return nil, fmt.Errorf("transform: listing top-level domains: %w", err)
		}
		if isICANNTLD(tld) {
			tlds = append(tlds, tld)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transform: listing top-level domains: %w", err)
	}
	if _, err := q.ExecContext(ctx, "CREATE OR REPLACE TABLE known_tlds (tld VARCHAR PRIMARY KEY)"); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	if len(tlds) > 0 {
		vals := make([]string, len(tlds))
		for i, t := range tlds {
			vals[i] = "(" + QuoteString(t) + ")"
		}
		if _, err := q.ExecContext(ctx, "INSERT INTO known_tlds VALUES "+strings.Join(vals, ", ")); err != nil {
			return nil, fmt.Errorf("transform: filling known_tlds: %w", err)
		}
	}
	return tlds, nil
}

// isICANNTLD reports whether a single label is a top-level domain of the
// ICANN section of the Public Suffix List (com, io, uk; not con or cpm).
func isICANNTLD(tld string) bool {
	if tld == "" || strings.Contains(tld, ".") {
		return false
	}
	ps, icann := publicsuffix.PublicSuffix(tld)
	return icann && ps == tld
}

// relationKind is TABLE or VIEW when a relation of that name exists
// (temporary or not), and "" when none does.
func relationKind(ctx context.Context, q execQuerier, name string) (string, error) {
	var kind string
	err := q.QueryRowContext(ctx, `
SELECT kind FROM (
    SELECT 'TABLE' AS kind, temporary FROM duckdb_tables() WHERE table_name = $1
    UNION ALL SELECT 'VIEW', temporary FROM duckdb_views() WHERE view_name = $1
)
ORDER BY temporary DESC
LIMIT 1`, name).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("transform: looking up %s: %w", name, err)
	}
	return kind, nil
}

// countResult fills res from the out relations and the persons view.
func countResult(ctx context.Context, q execQuerier, res *Result) error {
	count := func(rel string) (int, error) {
		kind, err := relationKind(ctx, q, rel)
		if err != nil || kind == "" {
			return 0, err
		}
		var n int
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(rel)).Scan(&n); err != nil {
			return 0, fmt.Errorf("transform: counting %s: %w", rel, err)
		}
		return n, nil
	}
	var err error
	if res.Contacts, err = count("out_contacts"); err != nil {
		return err
	}
	if res.Persons, err = count("persons"); err != nil {
		return err
	}
	if res.AuditRows, err = count("out_audit"); err != nil {
		return err
	}
	if res.AuditRows == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, "SELECT reason, count(*) FROM out_audit GROUP BY reason")
	if err != nil {
		return fmt.Errorf("transform: counting audit reasons: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var reason sql.NullString
		var n int
		if err := rows.Scan(&reason, &n); err != nil {
			return fmt.Errorf("transform: counting audit reasons: %w", err)
		}
		res.AuditByReason[reason.String] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("transform: counting audit reasons: %w", err)
	}
	rows.Close()
	cats, err := q.QueryContext(ctx, "SELECT category, count(*) FROM out_audit GROUP BY category")
	if err != nil {
		return fmt.Errorf("transform: counting audit categories: %w", err)
	}
	defer cats.Close()
	for cats.Next() {
		var category sql.NullString
		var n int
		if err := cats.Scan(&category, &n); err != nil {
			return fmt.Errorf("transform: counting audit categories: %w", err)
		}
		res.AuditByCategory[category.String] = n
	}
	return cats.Err()
}

// materializeDirectives returns the relations named by the "-- Materialize:"
// lines of a SQL file's header (the comment lines before its first
// statement), in order: "-- Materialize: presence_intervals, presence".
//
// After the file runs, Run copies each named relation into a temporary
// table of the same name. DuckDB resolves an unqualified name in the
// temporary schema first, so every later file of the run (and the counts of
// the Result) reads the copy instead of recomputing the view; the persisted
// view stays as the file created it, for queries on the catalog. The
// copies are dropped before the run commits. A later file must not redefine
// a materialized relation (the copy would shadow the new definition).
func materializeDirectives(text string) []string {
	var rels []string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		comment, ok := strings.CutPrefix(line, "--")
		if !ok {
			break // the header ends at the first statement
		}
		list, ok := strings.CutPrefix(strings.TrimSpace(comment), "Materialize:")
		if !ok {
			continue
		}
		for rel := range strings.SplitSeq(list, ",") {
			if rel = strings.TrimSpace(rel); rel != "" {
				rels = append(rels, rel)
			}
		}
	}
	return rels
}

// AuditRunsKept is how many runs' audits the audit_history table keeps.
const AuditRunsKept = 100

// keepAuditHistory appends this run's audit rows to the audit_history
// table of the catalog (out/audit.parquet holds only the last run's), so
// `zoomsync audit --run ID` can show an earlier run, and keeps the last
// AuditRunsKept runs. Re-running a run id replaces its rows.
func keepAuditHistory(ctx context.Context, tx *sql.Tx) error {
	kind, err := relationKind(ctx, tx, "out_audit")
	if err != nil || kind == "" {
		return err
	}
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS main.audit_history AS SELECT * FROM out_audit WHERE false`,
		`DELETE FROM main.audit_history WHERE run_id = getvariable('run_id')`,
		`INSERT INTO main.audit_history BY NAME SELECT * FROM out_audit`,
		fmt.Sprintf(`DELETE FROM main.audit_history WHERE run_id NOT IN (
			SELECT DISTINCT run_id FROM main.audit_history ORDER BY run_id DESC LIMIT %d)`, AuditRunsKept),
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("transform: keeping the audit history: %w", err)
		}
	}
	return nil
}
