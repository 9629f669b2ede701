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

	"github.com/zoomsync/zoomsync/internal/failpoint"
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

// Run recreates the raw views over the lake's current files, fills the
// engine's tables (known_tlds, audit_reasons, the rule tables
// excluded_contact_domains and contact_ledger, and session_settings), runs
// the SQL files in name order, writes out/<table>.parquet for every
// out_<table> relation the SQL created (contacts, audit, the activity
// tables), and points the out views at the new files. The catalog changes
// in one transaction; each out file is written under a temporary name in
// out/ and renamed after the transaction commits, so a failed Run leaves the
// previous outputs and views in place.
func (e *Engine) Run(ctx context.Context, runID string, opts ...RunOption) (*Result, error) {
	if e.readOnly {
		return nil, errors.New("transform: Run on a read-only engine")
	}
	start := time.Now()
	res := &Result{RunID: runID, AuditByReason: map[string]int{}, AuditByCategory: map[string]int{}}
	outDir := filepath.Dir(e.lake.Out("x"))
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	s, err := e.begin(ctx, runID)
	if err != nil {
		return nil, err
	}
	defer s.close()
	for _, o := range opts {
		o(&s.opts)
	}
	if res.Files, err = s.runFiles(ctx, true, nil); err != nil {
		return nil, err
	}
	written, err := s.writeOutTables(ctx, outDir)
	defer removeAll(written) // a no-op once renamed
	if err != nil {
		return nil, err
	}
	if err := countResult(ctx, s.tx, res, written); err != nil {
		return nil, err
	}
	if err := keepAuditHistory(ctx, s.tx); err != nil {
		return nil, err
	}
	if err := s.dropRunRelations(ctx); err != nil {
		return nil, err
	}
	failpoint.Hit("transform.before-catalog-commit")
	if err := s.tx.Commit(); err != nil {
		return nil, fmt.Errorf("transform: commit: %w", err)
	}
	failpoint.Hit("transform.after-catalog-commit")
	if err := commitFiles(written, outDir); err != nil {
		return nil, err
	}
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

// session is one pass over the SQL files: a connection (temporary views
// and tables and the run_id variable belong to one) and a transaction on
// it, with the raw views and the engine's tables in place. Run commits it;
// a Run that fails rolls it back.
type session struct {
	e     *Engine
	conn  *sql.Conn
	tx    *sql.Tx
	files []string // the SQL files, in name order
	// catalog is the persisted catalog's name, to read a view past a temp
	// view of the same name (the temp catalog's schema is main too).
	catalog string
	// materialized are the relations copied into Parquet files so far, and
	// workDir the directory of those files.
	materialized []string
	workDir      string
	opts         runOptions
	// rulesSeen: the BeforeRules snapshot was called.
	rulesSeen bool
}

// A RunOption changes one Run.
type RunOption func(*runOptions)

type runOptions struct {
	beforeRules func(ctx context.Context, candidates func(context.Context) ([]Candidate, error)) error
}

// begin opens a session: it lists the SQL files, recreates the raw views,
// fills known_tlds, audit_reasons, the rule tables and session_settings,
// and sets the variable run_id.
func (e *Engine) begin(ctx context.Context, runID string) (_ *session, err error) {
	files, err := fs.Glob(e.sql, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("transform: listing SQL files: %w", err)
	}
	slices.Sort(files)
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("transform: %w", err)
	}
	s := &session{e: e, conn: conn, tx: tx, files: files, workDir: e.workDir()}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	// A run that crashed left its files; one Run at a time writes here.
	if err := os.RemoveAll(s.workDir); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	if err := os.MkdirAll(s.workDir, 0o755); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	if err := e.prelude(ctx, tx, runID); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT current_database()").Scan(&s.catalog); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	return s, nil
}

// createViews (re)creates on q the raw and out views over the lake's files
// as they are now.
func (e *Engine) createViews(ctx context.Context, q execQuerier) error {
	ddl, err := e.viewDDL(false)
	if err != nil {
		return err
	}
	for _, s := range ddl {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("transform: creating raw views: %w", err)
		}
	}
	return nil
}

// prelude runs on q what the SQL files expect before the first one: it
// recreates the raw views, fills known_tlds, audit_reasons, the rule tables
// and session_settings, and sets the variable run_id. (The bare-DuckDB
// comparison of the benchmarks runs the same prelude: run_bench_test.go.)
func (e *Engine) prelude(ctx context.Context, q execQuerier, runID string) error {
	if err := e.createViews(ctx, q); err != nil {
		return err
	}
	tlds, err := fillKnownTLDs(ctx, q)
	if err != nil {
		return err
	}
	e.log.DebugContext(ctx, "known top-level domains", "tlds", tlds)
	if err := fillAuditReasons(ctx, q); err != nil {
		return err
	}
	if err := e.fillRuleTables(ctx, q); err != nil {
		return err
	}
	if err := e.fillSessionSettings(ctx, q); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, "SET VARIABLE run_id = "+QuoteString(runID)); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	return nil
}

// close rolls back the transaction unless it was committed, and releases
// the connection.
func (s *session) close() {
	s.tx.Rollback()
	s.conn.Close()
	os.RemoveAll(s.workDir)
}

// runFiles runs the SQL files in name order and returns the names of those
// it ran. With materialize, the relations a file's header names on a
// "-- Materialize:" line are copied into Parquet files after it runs
// (see materializeDirectives). When done is not nil, it is called after
// each file, and the pass stops at the first file after which it says true.
func (s *session) runFiles(ctx context.Context, materialize bool, done func() (bool, error)) ([]string, error) {
	var ran []string
	for _, name := range s.files {
		if err := s.runFile(ctx, name, materialize); err != nil {
			return ran, err
		}
		ran = append(ran, name)
		if done == nil {
			continue
		}
		if stop, err := done(); err != nil || stop {
			return ran, err
		}
	}
	return ran, nil
}

// runFile runs one SQL file (and the engine's test hooks around it), then
// materializes the relations its header names when asked to.
func (s *session) runFile(ctx context.Context, name string, materialize bool) error {
	data, err := fs.ReadFile(s.e.sql, name)
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	text := string(data)
	if h := s.e.beforeFile; h != nil {
		if err := h(ctx, s.tx, name, text); err != nil {
			return err
		}
	}
	t0 := time.Now()
	if _, err := s.tx.ExecContext(ctx, text); err != nil {
		return fmt.Errorf("transform: %s: %w", name, err)
	}
	s.e.log.DebugContext(ctx, "sql file ran", "file", name, "elapsed", time.Since(t0))
	if err := s.beforeRules(ctx, text); err != nil {
		return err
	}
	if materialize {
		for _, rel := range materializeDirectives(text) {
			if err := s.materialize(ctx, name, rel); err != nil {
				return err
			}
		}
	}
	if h := s.e.afterFile; h != nil {
		return h(ctx, s.tx, name, text)
	}
	return nil
}

// materialize copies the persisted relation rel into a Parquet file of the
// session's work directory, under a temporary view of the same name, which
// shadows it for the rest of the session.
func (s *session) materialize(ctx context.Context, file, rel string) error {
	t0 := time.Now()
	for _, stmt := range materializeSQL(s.catalog, rel, s.workDir) {
		if _, err := s.tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("transform: %s: materializing %s: %w", file, rel, err)
		}
	}
	s.e.log.DebugContext(ctx, "relation materialized", "file", file, "relation", rel, "elapsed", time.Since(t0))
	if !slices.Contains(s.materialized, rel) {
		s.materialized = append(s.materialized, rel)
	}
	return nil
}

// materializeSQL are the statements that copy the relation rel of the
// persisted catalog into the Parquet file dir/<rel>.parquet and put a
// temporary view of the same name over it.
//
// Why a file and not a temporary table: the engine's tables, written in the
// run's one transaction, are invisible to DuckDB's cardinality estimates
// until it commits (they count 0 rows), so the optimizer built its hash
// tables on the millions of rows of presence instead of the thousands of
// instances; a Parquet file states its row count. And a table is held
// uncompressed in the buffer pool (at 10 M participant rows the copies
// outgrew the 2 GiB memory limit and spilled), where the file is about a
// fifth of the size, on disk, and read as a stream (docs/performance.md,
// target 4).
func materializeSQL(catalog, rel, dir string) []string {
	path := QuoteString(filepath.ToSlash(filepath.Join(dir, rel+".parquet")))
	return []string{
		fmt.Sprintf("COPY (SELECT * FROM %s.main.%s) TO %s (FORMAT parquet)", ident(catalog), ident(rel), path),
		fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS SELECT * FROM read_parquet(%s)", ident(rel), path),
	}
}

// pendingFile is an out table written under a temporary name, to be renamed
// to its final name once the catalog's transaction commits.
type pendingFile struct{ table, tmp, final string }

// writeOutTables writes each out_<table> relation the SQL created to a
// temporary file in outDir. It returns the files written so far even on an
// error, for the caller to remove.
func (s *session) writeOutTables(ctx context.Context, outDir string) ([]pendingFile, error) {
	var written []pendingFile
	for _, t := range outTables {
		rel := "out_" + t.Name
		kind, err := relationKind(ctx, s.tx, rel)
		if err != nil {
			return written, err
		}
		if kind == "" {
			s.e.log.WarnContext(ctx, "SQL created no out relation; table not written", "relation", rel, "table", t.Name)
			continue
		}
		tmp := filepath.Join(outDir, fmt.Sprintf(".%s-%d.parquet.tmp", t.Name, time.Now().UnixNano()))
		written = append(written, pendingFile{t.Name, tmp, s.e.lake.Out(t.Name)})
		t0 := time.Now()
		if _, err := s.tx.ExecContext(ctx, copyOutSQL(t.Name, t.Row, t.Key, tmp)); err != nil {
			return written, fmt.Errorf("transform: writing %s: %w", t.Name, err)
		}
		s.e.log.DebugContext(ctx, "out table written", "table", t.Name, "elapsed", time.Since(t0))
	}
	return written, nil
}

// copyOutSQL is the statement that writes the relation out_<name> to path:
// columns in the order of the row type, rows in the order of the table's
// key, so that equal inputs give equal files.
func copyOutSQL(name string, row any, key []string, path string) string {
	return fmt.Sprintf("COPY (SELECT %s FROM %s ORDER BY %s) TO %s (FORMAT parquet, COMPRESSION zstd)",
		identList(columnNames(row)), ident("out_"+name), identList(key), QuoteString(filepath.ToSlash(path)))
}

// dropRunRelations drops the materialized copies and the out relations so
// that a later Run, or any query, on this pooled connection cannot see
// stale ones.
func (s *session) dropRunRelations(ctx context.Context) error {
	for _, rel := range s.materialized {
		if _, err := s.tx.ExecContext(ctx, "DROP VIEW temp.main."+ident(rel)); err != nil {
			return fmt.Errorf("transform: %w", err)
		}
	}
	for _, t := range outTables {
		kind, err := relationKind(ctx, s.tx, "out_"+t.Name)
		if err != nil {
			return err
		}
		if kind == "" {
			continue
		}
		if _, err := s.tx.ExecContext(ctx, "DROP "+kind+" "+ident("out_"+t.Name)); err != nil {
			return fmt.Errorf("transform: %w", err)
		}
	}
	return nil
}

// commitFiles syncs each written file and renames it to its final name.
func commitFiles(written []pendingFile, outDir string) error {
	for _, p := range written {
		if err := lakefile.SyncFile(p.tmp); err != nil {
			return fmt.Errorf("transform: %w", err)
		}
		failpoint.Hit("transform.before-out-rename")
		if err := os.Rename(p.tmp, p.final); err != nil {
			return fmt.Errorf("transform: %w", err)
		}
		failpoint.Hit("transform.after-out-rename")
	}
	lakefile.SyncFile(outDir) // best effort: not every platform syncs a directory
	return nil
}

// removeAll removes the temporary files left (a no-op for renamed ones).
func removeAll(written []pendingFile) {
	for _, p := range written {
		os.Remove(p.tmp)
	}
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
    UNION ALL SELECT email FROM raw_webinar_questions
    UNION ALL SELECT email FROM raw_poll_answers
    UNION ALL SELECT email FROM raw_survey_answers
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

// countResult fills res from the out files written, the out_audit table
// and the persons view. The contacts are counted in their file (its
// footer), as out_contacts is a view that counting would compute again.
func countResult(ctx context.Context, q execQuerier, res *Result, written []pendingFile) error {
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
	for _, f := range written {
		if f.table != "contacts" {
			continue
		}
		stmt := "SELECT count(*) FROM read_parquet(" + QuoteString(filepath.ToSlash(f.tmp)) + ")"
		if err := q.QueryRowContext(ctx, stmt).Scan(&res.Contacts); err != nil {
			return fmt.Errorf("transform: counting contacts: %w", err)
		}
	}
	var err error
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

// sqlHeader is what the header of a SQL file (the comment lines before its
// first statement) declares, on lines of the form
//
//	-- Reads:  raw_registrants, email_checks,
//	--         webinars_switched_off
//	-- Writes: zs_person(), stg_registrants
//	-- Materialize: stg_registrants
//
// Each key line holds a comma-separated list of names; a line that ends
// with a comma continues on the next comment line. A key may repeat. A name
// is a relation (table or view), or a macro written with "()"; prose goes on
// other comment lines. The engine obeys Materialize; a test checks Reads and
// Writes against the catalog after each file runs (sqlheader_test.go).
type sqlHeader struct {
	Reads, Writes, Materialize []string
}

// parseHeader reads the header of a SQL file's text.
func parseHeader(text string) sqlHeader {
	var h sqlHeader
	var list *[]string // the list a trailing comma continues, if any
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			list = nil
			continue
		}
		comment, ok := strings.CutPrefix(line, "--")
		if !ok {
			break // the header ends at the first statement
		}
		comment = strings.TrimSpace(comment)
		rest, next := comment, list
		list = nil
		for key, dst := range map[string]*[]string{"Reads:": &h.Reads, "Writes:": &h.Writes, "Materialize:": &h.Materialize} {
			if r, ok := strings.CutPrefix(comment, key); ok {
				rest, next = r, dst
			}
		}
		if next == nil {
			continue
		}
		for name := range strings.SplitSeq(rest, ",") {
			if name = strings.TrimSpace(name); name != "" {
				*next = append(*next, name)
			}
		}
		if strings.HasSuffix(rest, ",") {
			list = next
		}
	}
	return h
}

// materializeDirectives returns the relations named by the "-- Materialize:"
// lines of a SQL file's header, in order: "-- Materialize: presence_intervals,
// presence".
//
// After the file runs, Run copies each named relation into a Parquet file
// under a temporary view of the same name (materializeSQL). DuckDB resolves
// an unqualified name in the temporary schema first, so every later file of
// the run (and the counts of the Result) reads the copy instead of
// recomputing the view; the persisted view stays as the file created it,
// for queries on the catalog. The copies are dropped before the run
// commits, and their files when it ends. A later file must not redefine a
// materialized relation (the copy would shadow the new definition).
func materializeDirectives(text string) []string {
	return parseHeader(text).Materialize
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
