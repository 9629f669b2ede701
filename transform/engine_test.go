package transform

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/schema"
)

var update = flag.Bool("update", false, "rewrite the want_*.json golden files of testdata/<case>/")

const goldenRunID = "run-golden"

// TestEngine_Run_golden runs the embedded SQL over each testdata/<case>/raw
// lake (with the settings and load state of testdata/<case>/options.json,
// when present) and compares out/contacts and out/audit with
// want_contacts.json and want_audit.json. Each case's derivation.md derives
// every expected row from the raw rows by hand (the want files were written
// by -update; the derivations say why their values are right).
func TestEngine_Run_golden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("testdata", c.Name())
			ctx := context.Background()
			e, lake := openCase(t, c.Name())
			res, err := e.Run(ctx, goldenRunID)
			if err != nil {
				t.Fatal(err)
			}
			haveContacts := readOut[schema.Contact](t, lake.Out(schema.TableContacts))
			haveAudit := readOut[schema.AuditRow](t, lake.Out(schema.TableAudit))
			golden(t, filepath.Join(dir, "want_contacts.json"), haveContacts)
			golden(t, filepath.Join(dir, "want_audit.json"), haveAudit)

			if res.Contacts != len(haveContacts) || res.AuditRows != len(haveAudit) {
				t.Errorf("Result counts contacts %d audit %d, files hold %d and %d",
					res.Contacts, res.AuditRows, len(haveContacts), len(haveAudit))
			}
			wantByReason := map[string]int{}
			for _, a := range haveAudit {
				wantByReason[a.Reason]++
			}
			if diff := cmp.Diff(wantByReason, res.AuditByReason); diff != "" {
				t.Errorf("AuditByReason (-want +got):\n%s", diff)
			}
			// Each out table's key is unique (the audit's aside: see
			// outTables), so the order by key is the order by every column.
			for _, o := range outTables {
				if o.Name == schema.TableAudit {
					continue
				}
				path := lake.Out(o.Name)
				if _, err := os.Stat(path); err != nil {
					continue
				}
				var rows, keys int
				q := fmt.Sprintf("SELECT count(*), count(DISTINCT (%s)) FROM read_parquet(%s)", identList(o.Key), QuoteString(path))
				if err := e.DB().QueryRowContext(ctx, q).Scan(&rows, &keys); err != nil {
					t.Fatal(err)
				}
				if rows != keys {
					t.Errorf("%s: %d rows, %d distinct keys %v", o.Name, rows, keys, o.Key)
				}
			}
			// The contacts view reads the file just written.
			var n int
			if err := e.DB().QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != len(haveContacts) {
				t.Errorf("contacts view has %d rows, file %d", n, len(haveContacts))
			}
		})
	}
}

// golden compares have with the JSON in path, or rewrites path with -update.
func golden[T any](t *testing.T, path string, have []T) {
	t.Helper()
	if *update {
		data, err := json.MarshalIndent(have, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./transform -update to create it)", err)
	}
	var want []T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if want == nil {
		want = []T{}
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestEngine_Run_emptyLake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// The views exist before any Run, empty.
	for _, v := range []string{"raw_participants", "raw_extract_issues", "contacts", "audit"} {
		var n int
		if err := e.DB().QueryRowContext(ctx, "SELECT count(*) FROM "+v).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows, err %v", v, n, err)
		}
	}
	res, err := e.Run(ctx, "run-empty")
	if err != nil {
		t.Fatal(err)
	}
	if res.Contacts != 0 || res.Persons != 0 || res.AuditRows != 0 || len(res.AuditByReason) != 0 {
		t.Errorf("Run on an empty lake = %+v", res)
	}
	if have := readOut[schema.Contact](t, lake.Out(schema.TableContacts)); len(have) != 0 {
		t.Errorf("contacts file holds %d rows", len(have))
	}
	if have := readOut[schema.AuditRow](t, lake.Out(schema.TableAudit)); len(have) != 0 {
		t.Errorf("audit file holds %d rows", len(have))
	}
}

func TestEngine_Run_twiceIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	writeRawFixtures(t, lake, filepath.Join("testdata", "presence-union-and-clipping", "raw"))
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	first, err := e.Run(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	firstContacts := readOut[schema.Contact](t, lake.Out(schema.TableContacts))
	firstAudit := readOut[schema.AuditRow](t, lake.Out(schema.TableAudit))
	second, err := e.Run(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// A third run from a reopened catalog, as the next scheduled run does.
	e, err = Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	third, err := e.Run(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Result{first, second, third} {
		r.Duration = 0
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second Run (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(first, third); diff != "" {
		t.Errorf("Run after reopen (-first +third):\n%s", diff)
	}
	if diff := cmp.Diff(firstContacts, readOut[schema.Contact](t, lake.Out(schema.TableContacts))); diff != "" {
		t.Errorf("contacts changed (-first +third):\n%s", diff)
	}
	if diff := cmp.Diff(firstAudit, readOut[schema.AuditRow](t, lake.Out(schema.TableAudit))); diff != "" {
		t.Errorf("audit changed (-first +third):\n%s", diff)
	}
	leftovers, _ := filepath.Glob(filepath.Join(lake.Dir, "out", ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left in out/: %v", leftovers)
	}
}

func TestOpenReadOnly(t *testing.T) {
	// Not parallel: t.Chdir changes the process's working directory.
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	writeRawFixtures(t, lake, filepath.Join("testdata", "registrations-snapshots-and-emails", "raw"))
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(ctx, "run-ro")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	// From another working directory, by a relative path: the views
	// hold absolute paths, and read-only connections rebuild them.
	t.Chdir(filepath.Dir(lake.Dir))
	ro, err := OpenReadOnly(ctx, schema.Lake{Dir: filepath.Base(lake.Dir)})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var n int
	if err := ro.DB().QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != res.Contacts {
		t.Errorf("contacts: %d rows, Run wrote %d", n, res.Contacts)
	}
	// Staging views of the catalog work on the read-only connection.
	if err := ro.DB().QueryRowContext(ctx, "SELECT count(*) FROM stg_registrants").Scan(&n); err != nil || n == 0 {
		t.Errorf("stg_registrants: %d rows, err %v", n, err)
	}
	for _, stmt := range []string{
		"CREATE TABLE segment (email VARCHAR)",
		"DROP VIEW zoomsync.main.contacts",
		"CREATE OR REPLACE TABLE known_tlds (tld VARCHAR)",
	} {
		if _, err := ro.DB().ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s: succeeded on a read-only catalog", stmt)
		}
	}
	if _, err := ro.Run(ctx, "run-2"); err == nil {
		t.Error("Run on a read-only engine succeeded")
	}
}

func TestOpenReadOnly_noCatalog(t *testing.T) {
	t.Parallel()
	if _, err := OpenReadOnly(context.Background(), schema.Lake{Dir: t.TempDir()}); err == nil {
		t.Error("OpenReadOnly of a data directory without a catalog succeeded")
	}
}

// TestEngine_Run_withSQL runs a custom SQL set: only the out relations it
// creates are written.
func TestEngine_Run_withSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	fsys := fstest.MapFS{
		"010_one.sql": {Data: []byte(`-- writes out_contacts with one row
CREATE TEMP TABLE out_contacts AS
SELECT 'a@example.com' AS email, NULL AS firstname, NULL AS lastname,
       CAST(12.5 AS DOUBLE) AS zoom_average_webinar_attendance_percent,
       NULL AS zoom_last_registered_webinar_url,
       CAST(1 AS BIGINT) AS zoom_total_webinar_registrations,
       CAST(1 AS BIGINT) AS zoom_total_webinars_attended,
       CAST(0 AS BIGINT) AS zoom_webinar_questions_asked,
       CAST(0 AS BIGINT) AS zoom_webinar_polls_answered,
       NULL AS zoom_last_webinar_attended_date;`)},
	}
	e, err := Open(ctx, lake, WithSQL(fsys))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	res, err := e.Run(ctx, "run-custom")
	if err != nil {
		t.Fatal(err)
	}
	if res.Contacts != 1 || len(res.Files) != 1 {
		t.Errorf("Result = %+v", res)
	}
	pct := 12.5
	want := []schema.Contact{{Email: "a@example.com", ZoomAverageWebinarAttendancePercent: &pct,
		ZoomTotalWebinarRegistrations: 1, ZoomTotalWebinarsAttended: 1}}
	if diff := cmp.Diff(want, readOut[schema.Contact](t, lake.Out(schema.TableContacts))); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(lake.Out(schema.TableAudit)); err == nil {
		t.Error("audit written though the SQL created no out_audit")
	}
}

// TestColumnsOf checks that the empty views of streams without files have
// the columns and types that read_parquet gives files parquet-go writes.
func TestColumnsOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	rows := append([]struct {
		Name string
		Row  any
	}{}, schema.RawStreams...)
	for _, s := range rows {
		writeParquet(t, lake.RawPart(s.Name, "1", 0), s.Row, []any{s.Row})
	}
	for _, o := range outTables {
		writeParquet(t, lake.Out(o.Name), o.Row, []any{o.Row})
	}
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	check := func(view string, want []column) {
		t.Helper()
		r, err := e.DB().QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+view+")")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var have []column
		for r.Next() {
			var c column
			if err := r.Scan(&c.Name, &c.Type); err != nil {
				t.Fatal(err)
			}
			have = append(have, c)
		}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("%s columns (-columnsOf +read_parquet):\n%s", view, diff)
		}
	}
	for _, s := range rows {
		check(rawView(s.Name), append(columnsOf(s.Row), column{"run", "VARCHAR"}))
	}
	for _, o := range outTables {
		check(o.Name, columnsOf(o.Row))
	}
}

func TestIsICANNTLD(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tld  string
		want bool
	}{
		{"com", true}, {"io", true}, {"uk", true}, {"net", true},
		{"con", false}, {"cpm", false}, {"", false}, {"co.uk", false}, {"local", false},
	} {
		if have := isICANNTLD(tc.tld); have != tc.want {
			t.Errorf("isICANNTLD(%q) = %v, want %v", tc.tld, have, tc.want)
		}
	}
}

// TestEngine_Run_failedSQLKeepsOutputs checks that a Run whose SQL fails
// leaves the previous out files and catalog in place.
func TestEngine_Run_failedSQLKeepsOutputs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	writeRawFixtures(t, lake, filepath.Join("testdata", "presence-union-and-clipping", "raw"))
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(ctx, "run-good"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	before, err := os.ReadFile(lake.Out(schema.TableContacts))
	if err != nil {
		t.Fatal(err)
	}

	broken := fstest.MapFS{
		"010_drop.sql":   {Data: []byte("-- drops a staging view, then fails\nDROP VIEW stg_participants;")},
		"020_broken.sql": {Data: []byte("SELECT * FROM no_such_table;")},
	}
	e, err = Open(ctx, lake, WithSQL(broken))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Run(ctx, "run-bad"); err == nil {
		t.Fatal("Run with broken SQL succeeded")
	}
	after, err := os.ReadFile(lake.Out(schema.TableContacts))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("out/contacts.parquet changed after a failed Run")
	}
	var n int
	if err := e.DB().QueryRowContext(ctx, "SELECT count(*) FROM stg_participants").Scan(&n); err != nil {
		t.Errorf("stg_participants after a failed Run: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(lake.Dir, "out", ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left in out/: %v", leftovers)
	}
}

func TestMaterializeDirectives(t *testing.T) {
	t.Parallel()
	text := `-- 050_x.sql: a header.
-- Writes: views a, b.
-- Materialize: a, b
--         (a note)

--   Materialize:c
CREATE VIEW a AS SELECT 1;
-- Materialize: not_in_the_header
`
	if diff := cmp.Diff([]string{"a", "b", "c"}, materializeDirectives(text)); diff != "" {
		t.Errorf("materializeDirectives (-want +got):\n%s", diff)
	}
	if got := materializeDirectives("SELECT 1;\n-- Materialize: a\n"); got != nil {
		t.Errorf("materializeDirectives without a header = %v", got)
	}
}

// TestEngine_Run_materialize checks the "-- Materialize:" directive: later
// files read the copy made after the file ran, views created over it keep
// the plain name, and no copy outlives the Run, failed or not.
func TestEngine_Run_materialize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	fsys := fstest.MapFS{
		"010_calls.sql": {Data: []byte(`-- Materialize: calls
CREATE TABLE IF NOT EXISTS hits (n BIGINT);
CREATE OR REPLACE VIEW calls AS SELECT count(*) AS n FROM hits;`)},
		// The view counts the row inserted here; the copy does not.
		"020_out.sql": {Data: []byte(`INSERT INTO hits VALUES (1);
CREATE OR REPLACE VIEW later AS SELECT n FROM calls;
CREATE TEMP TABLE out_contacts AS
SELECT 'a@example.com' AS email, NULL AS firstname, NULL AS lastname,
       CAST(NULL AS DOUBLE) AS zoom_average_webinar_attendance_percent,
       NULL AS zoom_last_registered_webinar_url,
       n AS zoom_total_webinar_registrations,
       n AS zoom_total_webinars_attended,
       0 AS zoom_webinar_questions_asked,
       0 AS zoom_webinar_polls_answered,
       NULL AS zoom_last_webinar_attended_date
FROM later;`)},
	}
	e, err := Open(ctx, lake, WithSQL(fsys))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	db := e.DB()
	for run := range 2 {
		if _, err := e.Run(ctx, "run-materialize"); err != nil {
			t.Fatal(err)
		}
		want := []schema.Contact{{Email: "a@example.com", ZoomTotalWebinarRegistrations: int64(run), ZoomTotalWebinarsAttended: int64(run)}}
		if diff := cmp.Diff(want, readOut[schema.Contact](t, lake.Out(schema.TableContacts))); diff != "" {
			t.Errorf("run %d: contacts (-want +got):\n%s", run, diff)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT n FROM later").Scan(&n); err != nil || n != run+1 {
			t.Errorf("run %d: later = %d, %v; want the view's %d", run, n, err, run+1)
		}
		var text string
		if err := db.QueryRowContext(ctx, "SELECT sql FROM duckdb_views() WHERE view_name = 'later'").Scan(&text); err != nil ||
			!strings.Contains(text, "FROM calls") {
			t.Errorf("run %d: view later is %q, %v", run, text, err)
		}
		checkNoTempTables(t, db)
	}

	broken := fstest.MapFS{
		"010_calls.sql":  fsys["010_calls.sql"],
		"020_broken.sql": {Data: []byte("SELECT * FROM no_such_table;")},
	}
	e2, err := Open(ctx, schema.Lake{Dir: t.TempDir()}, WithSQL(broken))
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if _, err := e2.Run(ctx, "run-bad"); err == nil {
		t.Fatal("Run with broken SQL succeeded")
	}
	checkNoTempTables(t, e2.DB())
}

// checkNoTempTables fails when a pooled connection holds a temporary table.
// Temporary tables belong to one connection: the Run's is one of the two
// idle connections of the pool (the other served refreshViews), so holding
// two at once checks it.
func checkNoTempTables(t *testing.T, db *sql.DB) {
	t.Helper()
	ctx := context.Background()
	for range 2 {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var names string
		if err := c.QueryRowContext(ctx, "SELECT coalesce(string_agg(table_name, ', '), '') FROM duckdb_tables() WHERE temporary").Scan(&names); err != nil {
			t.Fatal(err)
		}
		if names != "" {
			t.Errorf("temporary tables left on a connection: %s", names)
		}
	}
}

// TestGoldenCases_derived checks that every golden case has its hand
// derivation, and that the derivation covers each want file of the case (by
// naming it).
func TestGoldenCases_derived(t *testing.T) {
	t.Parallel()
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		dir := filepath.Join("testdata", c.Name())
		text, err := os.ReadFile(filepath.Join(dir, "derivation.md"))
		if err != nil {
			t.Errorf("%s: %v (write a hand derivation of its want files)", c.Name(), err)
			continue
		}
		wants, err := filepath.Glob(filepath.Join(dir, "want_*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !strings.Contains(string(text), filepath.Base(w)) {
				t.Errorf("%s/derivation.md does not derive %s", c.Name(), filepath.Base(w))
			}
		}
	}
}

// TestOutTables_keyLeadsColumns: each out table's key is its first columns
// (for the audit: every column but run_id, which is constant within a run),
// so that with a unique key the order by key is the order by every column
// and the files stay byte for byte what they were.
func TestOutTables_keyLeadsColumns(t *testing.T) {
	t.Parallel()
	for _, o := range outTables {
		cols := columnNames(o.Row)
		if o.Name == schema.TableAudit {
			cols = cols[1:]
			if got := columnNames(o.Row)[0]; got != "run_id" {
				t.Errorf("audit's first column is %s, want run_id", got)
			}
			if diff := cmp.Diff(cols, o.Key); diff != "" {
				t.Errorf("audit key (-columns but run_id +key):\n%s", diff)
			}
			continue
		}
		if len(o.Key) == 0 || len(o.Key) > len(cols) {
			t.Errorf("%s: key %v", o.Name, o.Key)
			continue
		}
		if diff := cmp.Diff(cols[:len(o.Key)], o.Key); diff != "" {
			t.Errorf("%s: key is not the leading columns (-columns +key):\n%s", o.Name, diff)
		}
	}
}
