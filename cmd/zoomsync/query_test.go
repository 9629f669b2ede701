//go:build duckdb_arrow

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// emptyLake is a lake whose catalog has the views and no rows: a transform
// of nothing.
func emptyLake(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lake")
	if out, err := run(t, "--data-dir", dir, "transform"); err != nil {
		t.Fatalf("transform: %v\n%s", err, out)
	}
	return dir
}

// TestQuery_fileStdinAndFormatFromOut: the SQL comes from the argument,
// --file or standard input (-); without --format the extension of --out
// names the format; every file written has mode 0644.
func TestQuery_fileStdinAndFormatFromOut(t *testing.T) {
	dir := emptyLake(t)
	tmp := t.TempDir()
	sqlFile := filepath.Join(tmp, "q.sql")
	writeFile(t, sqlFile, "-- a comment\nSELECT 1 AS n, 'Q&A' AS s\n")
	outs := map[string]string{}
	for _, c := range []struct {
		name string
		args []string
		want func(b []byte) bool
	}{
		{"x.parquet", []string{"SELECT 1 AS n"}, func(b []byte) bool { return len(b) > 8 && string(b[:4]) == "PAR1" }},
		{"x.csv", []string{"-f", sqlFile}, func(b []byte) bool { return string(b) == "n,s\n1,Q&A\n" }},
		{"x.json", []string{"--file", sqlFile}, func(b []byte) bool { return string(b) == `{"n":1,"s":"Q&A"}`+"\n" }},
		{"x.txt", []string{"SELECT 2 AS n"}, func(b []byte) bool { return strings.HasSuffix(string(b), "(1 rows)\n") }},
		{"forced.csv", []string{"--format", "json", "SELECT 3 AS n"}, func(b []byte) bool { return string(b) == `{"n":3}`+"\n" }},
	} {
		path := filepath.Join(tmp, c.name)
		outs[c.name] = path
		if _, err := run(t, append([]string{"--data-dir", dir, "query", "--out", path}, c.args...)...); err != nil {
			t.Errorf("query --out %s %v: %v", c.name, c.args, err)
			continue
		}
		b, _ := os.ReadFile(path)
		if !c.want(b) {
			t.Errorf("query --out %s %v wrote %q", c.name, c.args, b)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, %v; want 0644", c.name, st.Mode().Perm(), err)
		}
	}

	app := newApp()
	var out strings.Builder
	app.Writer, app.Reader = &out, strings.NewReader("SELECT 41 + 1 AS answer;\n")
	if err := app.RunContext(t.Context(), []string{"zoomsync", "--data-dir", dir, "query", "--format", "csv", "-"}); err != nil || out.String() != "answer\n42\n" {
		t.Errorf("query - (stdin): %q, %v", out.String(), err)
	}
	if _, err := run(t, "--data-dir", dir, "query", "-f", sqlFile, "SELECT 1"); exitCode(err) != 2 {
		t.Errorf("query with --file and an argument: %v, want a usage error", err)
	}
	if _, err := run(t, "--data-dir", dir, "query", "SELECT 1; SELECT 2"); err == nil || !strings.Contains(err.Error(), "got 2 statements") {
		t.Errorf("two statements: %v, want a refusal naming them", err)
	}
}

// TestSegments_globalConfig: zoomsync --config FILE segments reads FILE
// (the segments command's own --config, with the same default, hid it).
func TestSegments_globalConfig(t *testing.T) {
	dir := emptyLake(t)
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "other.yaml")
	writeFile(t, cfg, "segments:\n  - name: one\n    sql: SELECT 1 AS n\n    out: one.csv\n")
	t.Chdir(t.TempDir()) // no zoomsync.yaml here
	if out, err := run(t, "--data-dir", dir, "--config", cfg, "segments"); err != nil || !strings.Contains(out, "segment one: 1 rows") {
		t.Fatalf("zoomsync --config %s segments: %v\n%s", cfg, err, out)
	}
	if b, err := os.ReadFile(filepath.Join(tmp, "one.csv")); err != nil || string(b) != "n\n1\n" {
		t.Errorf("one.csv: %q, %v", b, err)
	}
	// The command's own flag still wins.
	own := filepath.Join(tmp, "own.yaml")
	writeFile(t, own, "segments:\n  - name: two\n    sql: SELECT 2 AS n\n    out: two.csv\n")
	if out, err := run(t, "--data-dir", dir, "--config", cfg, "segments", "--config", own); err != nil || !strings.Contains(out, "segment two:") {
		t.Errorf("segments --config %s: %v\n%s", own, err, out)
	}
}
