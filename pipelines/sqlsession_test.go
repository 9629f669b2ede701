//go:build duckdb_arrow

package pipelines

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// newSQLSession opens a session over a fresh lake whose catalog has the
// raw and out views (empty) and one CSV file of its own.
func newSQLSession(t *testing.T) (*SQLSession, string) {
	t.Helper()
	dir := t.TempDir()
	e, err := transform.Open(t.Context(), schema.Lake{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if err := os.WriteFile(filepath.Join(dir, "own.csv"), []byte("x\n7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSQLSession(t.Context(), schema.Lake{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

// TestSQLSession_refusesAllButOneReadOnlyStatement: every statement that
// could write a file, change the catalog or the configuration, reach the
// network or run more than one statement is refused by Check, before it
// runs, with ErrReadOnly; the read-only kinds pass.
func TestSQLSession_refusesAllButOneReadOnlyStatement(t *testing.T) {
	s, _ := newSQLSession(t)
	outside := filepath.Join(t.TempDir(), "x.csv")
	for _, q := range []string{
		"SELECT 1",
		"select 1;",
		"-- a comment\n/* another */ SELECT email FROM contacts -- trailing\n;",
		"WITH x AS (SELECT 1 AS a) SELECT a FROM x",
		"FROM contacts",
		"VALUES (1), (2)",
		"DESCRIBE contacts",
		"SHOW TABLES",
		"SUMMARIZE contacts",
		"EXPLAIN SELECT 1",
		"explain analyze SELECT 1",
		"PIVOT (VALUES ('a', 1), ('b', 2)) t(k, v) ON k USING sum(v)",
		"PIVOT (VALUES ('a;b', 1), ('c''d', 2)) t(k, v) ON k USING sum(v); -- the values come from the data",
		"PIVOT (VALUES ('a', 1)) t(k, v) ON k IN ('a') USING sum(v)",
		"UNPIVOT (VALUES (1, 2)) t(a, b) ON a, b INTO NAME n VALUE v",
		"(SELECT 1) UNION ALL (SELECT 2)",
	} {
		if err := s.Check(t.Context(), q); err != nil {
			t.Errorf("Check(%q) = %v, want nil", q, err)
		}
	}
	for _, q := range []string{
		"COPY (SELECT 1) TO " + sqlString(outside),
		"COPY contacts TO " + sqlString(outside),
		"SELECT 1; SELECT 2",
		"SELECT 1; COPY (SELECT 1) TO " + sqlString(outside),
		"INSTALL httpfs",
		"LOAD httpfs",
		"ATTACH " + sqlString(filepath.Join(t.TempDir(), "x.duckdb")),
		"DETACH zoomsync",
		"USE memory",
		"SET enable_external_access = true",
		"SET lock_configuration = false",
		"RESET enable_external_access",
		"PRAGMA enable_profiling",
		"CALL pragma_version()",
		"CREATE TABLE x AS SELECT 1",
		"CREATE TEMP TABLE x AS SELECT 1",
		"CREATE MACRO m() AS 1",
		"INSERT INTO runs SELECT * FROM runs",
		"DELETE FROM load_state",
		"EXPORT DATABASE " + sqlString(t.TempDir()),
		"CHECKPOINT",
		"BEGIN TRANSACTION",
		"EXPLAIN COPY (SELECT 1) TO " + sqlString(outside),
		"EXPLAIN ANALYZE COPY (SELECT 1) TO " + sqlString(outside),
		"PIVOT (VALUES ('a', 1)) t(k, v) ON k USING sum(v); COPY (SELECT 1) TO " + sqlString(outside),
		"PIVOT (VALUES ('a', 1)) t(k, v) ON k USING sum(v) /* ; */; COPY (SELECT 1) TO " + sqlString(outside),
		"PIVOT (VALUES ('a', 1)) t(k, v) ON k USING sum(v); -- a comment\r COPY (SELECT 1) TO " + sqlString(outside),
		"PIVOT (VALUES ($$';$$, 1)) t(k, v) ON k USING sum(v); COPY (SELECT 1) TO " + sqlString(outside),
		"PIVOT (VALUES (E'\\'', 1)) t(k, v) ON k USING sum(v); COPY (SELECT 1) TO " + sqlString(outside),
		"",
		"  ;  ",
	} {
		err := s.Check(t.Context(), q)
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "one SELECT, WITH") {
			t.Errorf("Check(%q) = %v, want a refusal wrapping ErrReadOnly", q, err)
		}
		if _, err := s.Query(t.Context(), q, output.FormatCSV, &bytes.Buffer{}); !errors.Is(err, ErrReadOnly) {
			t.Errorf("Query(%q) = %v, want a refusal wrapping ErrReadOnly", q, err)
		}
	}
	if _, err := os.Stat(outside); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused COPY wrote %s", outside)
	}
	if err := s.Check(t.Context(), "SELEC 1"); err == nil || errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("Check(SELEC 1) = %v, want DuckDB's syntax error", err)
	}
}

// TestSQLSession_readsTheLakeOnly: a SELECT may read the lake's own files
// (by absolute path), not any other
// file, and the configuration cannot be unlocked.
func TestSQLSession_readsTheLakeOnly(t *testing.T) {
	s, dir := newSQLSession(t)
	for _, q := range []string{
		"SELECT x FROM read_csv(" + sqlString(filepath.Join(dir, "own.csv")) + ")",
	} {
		var b bytes.Buffer
		if _, err := s.Query(t.Context(), q, output.FormatCSV, &b); err != nil || b.String() != "x\n7\n" {
			t.Errorf("%s: %q, %v; want x 7", q, b.String(), err)
		}
	}
	secret := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(secret, []byte("s3cr3t\n"), 0o600)
	for _, q := range []string{
		"SELECT * FROM read_text('/etc/hostname')",
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_text(" + sqlString(secret) + ")",
		"SELECT * FROM read_csv('../" + filepath.Base(filepath.Dir(secret)) + "/secret.txt')",
		"SELECT * FROM glob('/etc/*')",
		"SELECT * FROM read_parquet('https://example.com/x.parquet')",
	} {
		var b bytes.Buffer
		_, err := s.Query(t.Context(), q, output.FormatCSV, &b)
		if !errors.Is(err, ErrOutsideLake) || strings.Contains(b.String(), "s3cr3t") || strings.Contains(b.String(), "root") {
			t.Errorf("%s: %q, %v; want ErrOutsideLake and nothing read", q, b.String(), err)
		}
	}
	var v string
	if err := s.conn.QueryRowContext(t.Context(), "SELECT current_setting('enable_external_access')::VARCHAR || current_setting('lock_configuration')::VARCHAR").Scan(&v); err != nil || v != "falsetrue" {
		t.Errorf("enable_external_access, lock_configuration = %q, %v; want false, true", v, err)
	}
	if _, err := s.conn.ExecContext(t.Context(), "SET enable_external_access = true"); err == nil {
		t.Error("the session's configuration could be changed")
	}
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
