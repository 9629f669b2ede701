//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/pipelines"
)

// roundTripQueries cover every column type of the lake (text, 32- and 64-bit
// integers, doubles, booleans, timestamps with microseconds), NULLs, and an
// empty result.
var roundTripQueries = []string{
	"SELECT * FROM contacts ORDER BY email",
	"SELECT * FROM attendance ORDER BY email, instance_uuid",
	"SELECT * FROM raw_participants ORDER BY instance_uuid, seq LIMIT 2000",
	"SELECT * FROM webinars ORDER BY webinar_id",
	"SELECT * FROM instances ORDER BY instance_uuid",
	"SELECT * FROM audit ORDER BY ALL",
	"SELECT * FROM registrations WHERE false",
}

// TestSegmentQueries_demoLake makes one demo lake (zoomsync demo, seed 1:
// the lake the examples of docs/lake.md name) and runs query and segments on it.
func TestSegmentQueries_demoLake(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	if out, err := run(t, "--data-dir", dir, "demo", "--unthrottled"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	query := func(t *testing.T, args ...string) string {
		t.Helper()
		out, err := run(t, append([]string{"--data-dir", dir, "query"}, args...)...)
		if err != nil {
			t.Fatalf("query %q: %v", args, err)
		}
		return out
	}

	t.Run("docs/lake.md queries run and return rows", func(t *testing.T) {
		blocks := readmeSQL(t)
		if len(blocks) < 8 {
			t.Fatalf("docs/lake.md's Segment queries section has %d sql blocks, want at least 8", len(blocks))
		}
		for i, q := range blocks {
			out := query(t, "--format", "json", q)
			if strings.TrimSpace(out) == "" {
				t.Errorf("docs/lake.md sql block %d returns no rows on the demo lake:\n%s", i+1, q)
			}
		}
	})

	t.Run("formats round-trip", func(t *testing.T) {
		tmp := t.TempDir()
		for qi, q := range roundTripQueries {
			jsonOut := query(t, "--format", "json", q)
			cols, want := parseJSONLines(t, jsonOut)
			if len(cols) == 0 && len(want) > 0 {
				t.Fatalf("%s: no columns", q)
			}

			// table: the header and the row count.
			table := query(t, q)
			lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
			if got := strings.Fields(lines[0]); len(want) > 0 && !slices.Equal(got, cols) {
				t.Errorf("%s: table header %q, want %q", q, got, cols)
			}
			if last := lines[len(lines)-1]; last != fmt.Sprintf("(%d rows)", len(want)) {
				t.Errorf("%s: table ends with %q, want (%d rows)", q, last, len(want))
			}

			// csv: every field is the JSON value as text, NULL empty.
			recs, err := csv.NewReader(strings.NewReader(query(t, "--format", "csv", q))).ReadAll()
			if err != nil {
				t.Fatalf("%s: csv: %v", q, err)
			}
			if len(recs) != len(want)+1 {
				t.Fatalf("%s: csv has %d records, want %d", q, len(recs), len(want)+1)
			}
			for r, row := range want {
				for c, v := range row {
					if got, w := recs[r+1][c], csvText(v); got != w {
						t.Errorf("%s: csv row %d %s = %q, want %q", q, r, recs[0][c], got, w)
					}
				}
			}

			// parquet, to a file and to standard output, read back by
			// DuckDB (zoomsync query reads the lake's files only) and
			// written by zoomsync's JSON writer: the same JSON, byte for
			// byte.
			pq := filepath.Join(tmp, fmt.Sprintf("q%d.parquet", qi))
			query(t, "--format", "parquet", "--out", pq, q)
			pq2 := filepath.Join(tmp, fmt.Sprintf("q%d-stdout.parquet", qi))
			if err := os.WriteFile(pq2, []byte(query(t, "--format", "parquet", q)), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{pq, pq2} {
				back := parquetJSON(t, f)
				if back != jsonOut {
					t.Errorf("%s: parquet %s read back differs from the json output", q, filepath.Base(f))
				}
			}

			// arrow, read back with arrow-go's IPC reader.
			gotCols, got := readArrow(t, strings.NewReader(query(t, "--format", "arrow", q)))
			if len(want) > 0 && !slices.Equal(gotCols, cols) {
				t.Errorf("%s: arrow columns %q, want %q", q, gotCols, cols)
			}
			compareRows(t, q+" (arrow, arrow-go)", canonRows(want), got, false)
		}
		leftovers, _ := filepath.Glob(filepath.Join(tmp, ".*.tmp"))
		if len(leftovers) > 0 {
			t.Errorf("temporary files left behind: %q", leftovers)
		}
	})

	t.Run("read-only", func(t *testing.T) {
		db := filepath.Join(dir, "zoomsync.duckdb")
		before := fileHash(t, db)
		for _, q := range []string{
			"CREATE TABLE x AS SELECT 1",
			"INSERT INTO runs SELECT * FROM runs",
			"DELETE FROM load_state",
			"DROP TABLE load_log",
			"CREATE OR REPLACE VIEW attendance AS SELECT 1",
		} {
			out := filepath.Join(t.TempDir(), "x.parquet")
			for _, args := range [][]string{{q}, {"--format", "arrow", q}, {"--format", "csv", "--out", out, q}} {
				_, err := run(t, append([]string{"--data-dir", dir, "query"}, args...)...)
				if !errors.Is(err, pipelines.ErrReadOnly) || !strings.Contains(err.Error(), "read-only") {
					t.Errorf("query %q: error %v, want ErrReadOnly", args, err)
				}
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("query %q --out: the file exists after a failed query (%v)", q, err)
			}
		}
		if after := fileHash(t, db); after != before {
			t.Error("zoomsync.duckdb changed during read-only queries")
		}
	})

	t.Run("query, segments and register --sql are really read-only", func(t *testing.T) {
		db := filepath.Join(dir, "zoomsync.duckdb")
		before := fileHash(t, db)
		tmp := t.TempDir()
		written := filepath.Join(tmp, "x.csv")
		secret := filepath.Join(tmp, "secret.txt")
		writeFile(t, secret, "s3cr3t-value\n")
		for _, q := range []string{
			"COPY (SELECT 1) TO " + sqlQuote(written),
			"SELECT * FROM read_text('/etc/hostname')",
			"SELECT * FROM read_csv('/etc/passwd')",
			"SELECT * FROM read_text(" + sqlQuote(secret) + ")",
			"INSTALL httpfs",
			"SELECT 1; SELECT 2",
			"SELECT email FROM contacts; COPY (SELECT 1) TO " + sqlQuote(written),
			"ATTACH " + sqlQuote(filepath.Join(tmp, "other.duckdb")),
			"SET enable_external_access=true",
		} {
			out, err := run(t, "--data-dir", dir, "query", q)
			if !errors.Is(err, pipelines.ErrReadOnly) && !errors.Is(err, pipelines.ErrOutsideLake) {
				t.Errorf("query %q: %v, want a refusal", q, err)
			}
			if exitCode(err) != 1 || strings.Contains(out, "s3cr3t") || strings.Contains(out, "root:") {
				t.Errorf("query %q: exit %d, printed %q", q, exitCode(err), out)
			}
			_, err = run(t, "--data-dir", dir, "register", "--webinar", "86212345678", "--sql", q)
			if !errors.Is(err, pipelines.ErrReadOnly) && !errors.Is(err, pipelines.ErrOutsideLake) {
				t.Errorf("register --sql %q: %v, want a refusal", q, err)
			}
			cfg := filepath.Join(tmp, "zoomsync.yaml")
			writeFile(t, cfg, "segments:\n  - name: bad\n    sql: "+strconv.Quote(q)+"\n    out: "+filepath.Join(tmp, "bad.csv")+"\n")
			if _, err := run(t, "--data-dir", dir, "segments", "--config", cfg); err == nil {
				t.Errorf("segment %q ran", q)
			}
		}
		for _, f := range []string{written, filepath.Join(tmp, "other.duckdb"), filepath.Join(tmp, "bad.csv")} {
			if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused statement wrote %s", f)
			}
		}
		if after := fileHash(t, db); after != before {
			t.Error("zoomsync.duckdb changed")
		}
		// The views, which read the lake's files, still answer.
		if out := query(t, "--format", "csv", "SELECT count(*) AS n FROM raw_participants"); !regexp.MustCompile(`^n\n[1-9]\d*\n$`).MatchString(out) {
			t.Errorf("raw_participants: %q", out)
		}
	})

	t.Run("notebook ATTACH READ_ONLY", func(t *testing.T) {
		// What the Python snippet of docs/lake.md does, through DuckDB's Go driver.
		nb, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		defer nb.Close()
		conn, err := nb.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, s := range []string{
			"ATTACH " + sqlQuote(filepath.Join(dir, "zoomsync.duckdb")) + " AS zs (READ_ONLY)",
			"USE zs",
		} {
			if _, err := conn.ExecContext(t.Context(), s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		for _, v := range []string{"contacts", "registrations", "attendance", "webinars", "instances", "audit"} {
			var n int
			if err := conn.QueryRowContext(t.Context(), "SELECT count(*) FROM "+v).Scan(&n); err != nil {
				t.Errorf("%s from an attached catalog: %v", v, err)
				continue
			}
			_, rows := parseJSONLines(t, query(t, "--format", "json", "SELECT * FROM "+v))
			if n != len(rows) {
				t.Errorf("%s: %d rows attached, %d through zoomsync query", v, n, len(rows))
			}
		}
	})

	t.Run("segments writes two files", func(t *testing.T) {
		cfgDir := t.TempDir()
		cfg := filepath.Join(cfgDir, "zoomsync.yaml")
		writeFile(t, cfg, `
segments:
  - name: engaged
    sql: |
      SELECT email, zoom_total_webinars_attended FROM contacts
      WHERE zoom_total_webinars_attended >= 2 ORDER BY email
    format: csv
    out: out/engaged.csv
  - name: pricing
    sql: SELECT email, status FROM registrations WHERE topic = 'Pricing & Packaging Update' ORDER BY email;
    out: out/pricing.parquet
`)
		out, err := run(t, "--data-dir", dir, "segments", "--config", cfg)
		if err != nil {
			t.Fatalf("segments: %v\n%s", err, out)
		}
		line := regexp.MustCompile(`(?m)^segment (\S+): (\d+) rows → (\S+) \((csv|parquet), `)
		m := line.FindAllStringSubmatch(out, -1)
		if len(m) != 2 || m[0][1] != "engaged" || m[1][1] != "pricing" {
			t.Fatalf("segments printed:\n%s\nwant one line for engaged and one for pricing", out)
		}
		recs := readCSV(t, filepath.Join(cfgDir, "out", "engaged.csv"))
		if m[0][2] != strconv.Itoa(len(recs)-1) || m[0][3] != filepath.Join(cfgDir, "out", "engaged.csv") || len(recs) < 2 {
			t.Errorf("engaged: printed %q rows → %s; the file has %d rows", m[0][2], m[0][3], len(recs)-1)
		}
		_, pq := parseJSONLines(t, parquetJSON(t, filepath.Join(cfgDir, "out", "pricing.parquet")))
		_, want := parseJSONLines(t, query(t, "--format", "json",
			"SELECT email, status FROM registrations WHERE topic = 'Pricing & Packaging Update' ORDER BY email"))
		if m[1][2] != strconv.Itoa(len(want)) || len(pq) != len(want) || len(want) == 0 {
			t.Errorf("pricing: printed %s rows, file has %d, the query %d", m[1][2], len(pq), len(want))
		}

		// --only runs one segment.
		os.RemoveAll(filepath.Join(cfgDir, "out"))
		out, err = run(t, "--data-dir", dir, "segments", "--config", cfg, "--only", "pricing")
		if err != nil || strings.Contains(out, "engaged") || !strings.Contains(out, "segment pricing:") {
			t.Errorf("segments --only pricing: %v\n%s", err, out)
		}
		if _, err := os.Stat(filepath.Join(cfgDir, "out", "engaged.csv")); !errors.Is(err, os.ErrNotExist) {
			t.Error("--only pricing wrote engaged.csv")
		}
	})

	t.Run("zoomsync.example.yaml runs", func(t *testing.T) {
		example, err := os.ReadFile(filepath.Join("..", "..", "zoomsync.example.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(t.TempDir(), "zoomsync.yaml")
		writeFile(t, cfg, string(example))
		out, err := run(t, "--data-dir", dir, "segments", "--config", cfg)
		if err != nil {
			t.Fatalf("segments with zoomsync.example.yaml: %v\n%s", err, out)
		}
		if n := strings.Count(out, "\nsegment ") + 1; !strings.HasPrefix(out, "segment ") || n < 2 || strings.Contains(out, ": 0 rows") {
			t.Errorf("segments with zoomsync.example.yaml printed:\n%s\nwant a line per segment, none empty", out)
		}
	})

	t.Run("segments checks every query before running any", func(t *testing.T) {
		cfgDir := t.TempDir()
		cfg := filepath.Join(cfgDir, "zoomsync.yaml")
		writeFile(t, cfg, `
segments:
  - name: good
    sql: SELECT email FROM contacts
    out: good.csv
  - name: typo
    sql: SELECT email FROM contactz
    out: typo.parquet
`)
		_, err := run(t, "--data-dir", dir, "segments", "--config", cfg)
		if err == nil || !strings.Contains(err.Error(), "segment typo") || !strings.Contains(err.Error(), "contactz") {
			t.Errorf("error %v, want it to name segment typo and contactz", err)
		}
		if _, err := os.Stat(filepath.Join(cfgDir, "good.csv")); !errors.Is(err, os.ErrNotExist) {
			t.Error("good.csv was written although another segment is invalid")
		}
	})

	t.Run("independent readers (Node: hyparquet, apache-arrow)", func(t *testing.T) {
		readers := nodeReaders(t)
		tmp := t.TempDir()
		check := func(name, kind, file string, want [][]string) {
			t.Helper()
			cmd := exec.CommandContext(t.Context(), "node", filepath.Join(readers, "read.mjs"), kind, file)
			cmd.Dir = readers
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: node read.mjs %s: %v\n%s", name, kind, err, stderr.String())
			}
			_, got := parseNodeRows(t, out)
			compareRows(t, name, want, got, true)
		}
		_, contacts := parseJSONLines(t, query(t, "--format", "json", "SELECT * FROM contacts"))
		check("out/contacts.parquet", "parquet", filepath.Join(dir, "out", "contacts.parquet"), canonRows(contacts))
		for qi, q := range roundTripQueries {
			_, want := parseJSONLines(t, query(t, "--format", "json", q))
			pq := filepath.Join(tmp, fmt.Sprintf("q%d.parquet", qi))
			query(t, "--format", "parquet", "--out", pq, q)
			check(q+" (parquet, hyparquet)", "parquet", pq, canonRows(want))
			ar := filepath.Join(tmp, fmt.Sprintf("q%d.arrows", qi))
			if err := os.WriteFile(ar, []byte(query(t, "--format", "arrow", q)), 0o644); err != nil {
				t.Fatal(err)
			}
			check(q+" (arrow, apache-arrow)", "arrow", ar, canonRows(want))
		}
	})
}

// readmeSQL returns the ```sql blocks of the "Segment queries" section of
// docs/lake.md (moved there from the README).
func readmeSQL(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "lake.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n## Segment queries\n")
	if start < 0 {
		t.Fatal(`docs/lake.md has no "## Segment queries" section`)
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// parseJSONLines reads `query --format json`: the columns (in order, from
// the first row) and each row's values (json.Number for numbers).
func parseJSONLines(t *testing.T, s string) ([]string, [][]any) {
	t.Helper()
	var cols []string
	var rows [][]any
	for i, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("json line %d: %q", i, line)
		}
		var row []any
		for c := 0; dec.More(); c++ {
			key, err := dec.Token()
			if err != nil {
				t.Fatalf("json line %d: %v", i, err)
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("json line %d: %v", i, err)
			}
			if i == 0 {
				cols = append(cols, key.(string))
			} else if cols[c] != key {
				t.Fatalf("json line %d: key %d is %q, want %q (column order)", i, c, key, cols[c])
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// parseNodeRows reads the output of testdata/readers/read.mjs.
func parseNodeRows(t *testing.T, out []byte) ([]string, [][]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var head struct{ Columns []string }
	if err := json.Unmarshal([]byte(lines[0]), &head); err != nil {
		t.Fatalf("node output: %v: %q", err, lines[0])
	}
	var rows [][]string
	for _, l := range lines[1:] {
		dec := json.NewDecoder(strings.NewReader(l))
		dec.UseNumber()
		var vals []any
		if err := dec.Decode(&vals); err != nil {
			t.Fatalf("node row: %v: %q", err, l)
		}
		rows = append(rows, canonRow(vals))
	}
	return head.Columns, rows
}

// canon is one value in a form every reader can reach: numbers as float64
// text, timestamps (and strings that are RFC 3339 times) in UTC with
// milliseconds (what a JavaScript Date holds), NULL as "null".
func canon(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return "n:" + v.String()
		}
		return "n:" + strconv.FormatFloat(f, 'g', -1, 64)
	case float64:
		return "n:" + strconv.FormatFloat(v, 'g', -1, 64)
	case int64:
		return "n:" + strconv.FormatFloat(float64(v), 'g', -1, 64)
	case bool:
		return "b:" + strconv.FormatBool(v)
	case time.Time:
		return "t:" + v.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	case string:
		if ts, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return canon(ts)
		}
		return "s:" + v
	}
	return fmt.Sprintf("?%T:%v", v, v)
}

func canonRow(vals []any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = canon(v)
	}
	return out
}

func canonRows(rows [][]any) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = canonRow(r)
	}
	return out
}

// compareRows reports the first differences between two row sets, in
// order or, with sorted, as multisets.
func compareRows(t *testing.T, name string, want, got [][]string, sorted bool) {
	t.Helper()
	if sorted {
		key := func(a, b []string) int { return slices.Compare(a, b) }
		want, got = slices.Clone(want), slices.Clone(got)
		slices.SortFunc(want, key)
		slices.SortFunc(got, key)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", name, len(got), len(want))
		return
	}
	bad := 0
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%s: row %d\n got %q\nwant %q", name, i, got[i], want[i])
			if bad++; bad == 3 {
				return
			}
		}
	}
}

func csvText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// readArrow reads an Arrow IPC stream with arrow-go.
func readArrow(t *testing.T, r io.Reader) ([]string, [][]string) {
	t.Helper()
	rdr, err := ipc.NewReader(r)
	if err != nil {
		t.Fatalf("arrow stream: %v", err)
	}
	defer rdr.Release()
	var cols []string
	for _, f := range rdr.Schema().Fields() {
		cols = append(cols, f.Name)
	}
	var rows [][]string
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]string, rec.NumCols())
			for c, col := range rec.Columns() {
				row[c] = canonArrow(col, i)
			}
			rows = append(rows, row)
		}
	}
	if err := rdr.Err(); err != nil {
		t.Fatalf("arrow stream: %v", err)
	}
	return cols, rows
}

func canonArrow(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch a := a.(type) {
	case *array.String:
		return canon(a.Value(i))
	case *array.LargeString:
		return canon(a.Value(i))
	case *array.StringView:
		return canon(a.Value(i))
	case *array.Int8:
		return canon(int64(a.Value(i)))
	case *array.Int16:
		return canon(int64(a.Value(i)))
	case *array.Int32:
		return canon(int64(a.Value(i)))
	case *array.Int64:
		return canon(a.Value(i))
	case *array.Float32:
		return canon(float64(a.Value(i)))
	case *array.Float64:
		if math.IsNaN(a.Value(i)) {
			return "n:NaN"
		}
		return canon(a.Value(i))
	case *array.Boolean:
		return canon(a.Value(i))
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return canon(a.Value(i).ToTime(unit))
	}
	return fmt.Sprintf("?%s:%s", a.DataType(), a.ValueStr(i))
}

// nodeReaders installs testdata/readers (npm ci) into the user's cache,
// once per package-lock.json, and returns that folder. It skips the test
// when node or npm is missing or npm ci fails (no registry).
func nodeReaders(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("independent readers need %s, which is not installed (apt-get install -y nodejs npm)", tool)
		}
	}
	src := filepath.Join("..", "..", "testdata", "readers")
	lock, err := os.ReadFile(filepath.Join(src, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile(filepath.Join(src, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(src, "read.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	sum := sha256.Sum256(append(append([]byte{}, pkg...), lock...))
	dir := filepath.Join(cache, "zoomsync", "readers-"+hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err != nil {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			t.Fatal(err)
		}
		tmp, err := os.MkdirTemp(filepath.Dir(dir), ".readers-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		writeFile(t, filepath.Join(tmp, "package.json"), string(pkg))
		writeFile(t, filepath.Join(tmp, "package-lock.json"), string(lock))
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		defer cancel()
		start := time.Now()
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline")
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("npm ci of testdata/readers failed (offline, or no registry?): %v\n%s", err, out)
		}
		t.Logf("npm ci of testdata/readers: %s", time.Since(start).Round(time.Millisecond))
		if err := os.Rename(tmp, dir); err != nil {
			// Another test process got there first: use its copy.
			if _, serr := os.Stat(filepath.Join(dir, "node_modules")); serr != nil {
				t.Fatal(err)
			}
		}
	}
	writeFile(t, filepath.Join(dir, "read.mjs"), string(script))
	return dir
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// parquetJSON reads a Parquet file with DuckDB (outside zoomsync, whose
// queries read the lake's files only) and writes its rows as JSON lines
// with zoomsync's writer.
func parquetJSON(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), "SELECT * FROM read_parquet("+sqlQuote(path)+")")
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	defer rows.Close()
	var b bytes.Buffer
	if _, err := output.WriteRows(&b, rows, output.FormatJSON); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return b.String()
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
