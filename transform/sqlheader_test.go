package transform

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/schema"
)

// catalogObjects are the relations and macros of the catalog as a session
// sees them, by name, with their definitions (empty for a table).
type catalogObjects map[string]string

// listCatalog lists every relation (tables and views, temporary or not) and
// every macro (as "name()") that is not DuckDB's own, with the definitions
// of the persisted views and the macros.
func listCatalog(ctx context.Context, q execQuerier) (catalogObjects, error) {
	rows, err := q.QueryContext(ctx, `
SELECT table_name, '' FROM duckdb_tables() WHERE NOT internal
UNION ALL SELECT view_name, CASE WHEN temporary THEN '' ELSE sql END FROM duckdb_views() WHERE NOT internal
UNION ALL SELECT function_name || '()', coalesce(macro_definition, '')
          FROM duckdb_functions() WHERE function_type IN ('macro', 'table_macro') AND NOT internal`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	objs := catalogObjects{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		objs[name] += def // a temp copy ("") and its persisted view keep the view's definition
	}
	return objs, rows.Err()
}

var (
	headerName  = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\(\))?$`)
	sqlComment  = regexp.MustCompile(`--[^\n]*`)
	sqlString   = regexp.MustCompile(`'(?:[^']|'')*'`)
	sqlWordChar = regexp.MustCompile(`[a-z0-9_]`)
	sqlCTE      = regexp.MustCompile(`(?:\bwith|,)\s*([a-z_][a-z0-9_]*)\s+as\s*\(`)
)

// sqlBody is a SQL file's text without comments and string literals,
// lower-cased.
func sqlBody(text string) string {
	return strings.ToLower(sqlString.ReplaceAllString(sqlComment.ReplaceAllString(text, ""), "''"))
}

// usesName reports whether body names the relation or macro name as a word.
func usesName(body, name string) bool {
	name = strings.TrimSuffix(name, "()")
	for i := 0; ; {
		j := strings.Index(body[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		before := j == 0 || !sqlWordChar.MatchString(body[j-1:j]) && body[j-1] != '.'
		after := end == len(body) || !sqlWordChar.MatchString(body[end:end+1])
		if before && after {
			return true
		}
		i = end
	}
}

// TestSQLHeaders runs the embedded SQL over a fixture lake and checks each
// file's header against the catalog: before the file, every Reads entry
// exists and the file's statements name it; after it, every Writes entry
// exists, every relation or macro the file created or changed is among its
// Writes, every Materialize entry is among its Writes, and no file redefines
// (in its Writes or in fact) a relation an earlier file materialized.
func TestSQLHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join("testdata", "activity-events")
	lake := schema.Lake{Dir: t.TempDir()}
	writeRawFixtures(t, lake, filepath.Join(dir, "raw"))
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	var before catalogObjects
	materializedBy := map[string]string{} // relation -> the file that materialized it
	definitions := map[string]string{}    // the persisted definition of each materialized relation
	var checked []string
	e.beforeFile = func(ctx context.Context, q execQuerier, name, text string) error {
		h := parseHeader(text)
		if len(h.Writes) == 0 {
			t.Errorf("%s: the header has no Writes line", name)
		}
		for _, n := range slices.Concat(h.Reads, h.Writes, h.Materialize) {
			if !headerName.MatchString(n) {
				t.Errorf("%s: header entry %q is not a relation name or macro()", name, n)
			}
		}
		if before, err = listCatalog(ctx, q); err != nil {
			return err
		}
		body := sqlBody(text)
		for _, r := range h.Reads {
			if _, ok := before[r]; !ok {
				t.Errorf("%s: Reads %s, which does not exist before the file runs", name, r)
			}
			if !usesName(body, r) {
				t.Errorf("%s: Reads %s, which its statements do not name", name, r)
			}
		}
		// A common table expression named like a relation would hide it.
		for _, m := range sqlCTE.FindAllStringSubmatch(body, -1) {
			if _, ok := before[m[1]]; ok {
				t.Errorf("%s: its WITH clause defines %s, which hides the relation of that name", name, m[1])
			}
		}
		// The reverse: every existing relation the statements name is read.
		for obj := range before {
			if usesName(body, obj) && !slices.Contains(h.Reads, obj) && !slices.Contains(h.Writes, obj) {
				t.Errorf("%s: names %s, which the header's Reads does not list", name, obj)
			}
		}
		return nil
	}
	e.afterFile = func(ctx context.Context, q execQuerier, name, text string) error {
		h := parseHeader(text)
		after, err := listCatalog(ctx, q)
		if err != nil {
			return err
		}
		for _, w := range h.Writes {
			if _, ok := after[w]; !ok {
				t.Errorf("%s: Writes %s, which does not exist after the file ran", name, w)
			}
			if by, ok := materializedBy[w]; ok {
				t.Errorf("%s: Writes %s, which %s materialized", name, w, by)
			}
		}
		for obj, def := range after {
			if old, ok := before[obj]; (!ok || old != def) && !slices.Contains(h.Writes, obj) {
				t.Errorf("%s: creates or changes %s, which the header's Writes does not list", name, obj)
			}
		}
		for rel, def := range definitions {
			if after[rel] != def {
				t.Errorf("%s: redefines %s, which %s materialized", name, rel, materializedBy[rel])
			}
		}
		for _, m := range h.Materialize {
			if !slices.Contains(h.Writes, m) {
				t.Errorf("%s: Materialize %s, which is not among its Writes", name, m)
			}
			materializedBy[m], definitions[m] = name, after[m]
		}
		checked = append(checked, name)
		return nil
	}
	res, err := e.Run(ctx, goldenRunID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res.Files, checked); diff != "" {
		t.Errorf("files checked (-ran +checked):\n%s", diff)
	}
}

func TestParseHeader(t *testing.T) {
	t.Parallel()
	text := `-- 050_x.sql: a header.
-- Reads:  a, b,
--         c
--         (prose, not a name)
-- Writes: d, m()
-- Writes: e
-- Materialize: d
SELECT 1;
-- Reads: f
`
	want := sqlHeader{Reads: []string{"a", "b", "c"}, Writes: []string{"d", "m()", "e"}, Materialize: []string{"d"}}
	if diff := cmp.Diff(want, parseHeader(text)); diff != "" {
		t.Errorf("parseHeader (-want +got):\n%s", diff)
	}
}

func TestUsesName(t *testing.T) {
	t.Parallel()
	body := sqlBody("-- presence in a comment\nSELECT x.presence_intervals, 'registrations' FROM main.stg_x JOIN persons p")
	for name, want := range map[string]bool{
		"presence": false, "presence_intervals": false, "registrations": false,
		"stg_x": false, "persons": true, "person": false, "x": true,
	} {
		if got := usesName(body, name); got != want {
			t.Errorf("usesName(%q) = %v, want %v", name, got, want)
		}
	}
}
