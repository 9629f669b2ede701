package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/internal/report/reporttest"
	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
)

// TestReport_demoLake writes the report of a demo lake, checks its figures
// against queries of the documented views, and opens it in headless
// Chromium: every chart drew its data (the screenshot is kept under the
// test's artifact directory: go test -artifacts -outputdir DIR).
func TestReport_demoLake(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	if out, err := run(t, "--data-dir", dir, "demo", "--unthrottled"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	query := func(sql string) string {
		t.Helper()
		out, err := run(t, "--data-dir", dir, "query", "--format", "csv", sql)
		if err != nil {
			t.Fatalf("query %q: %v", sql, err)
		}
		return out
	}
	page := filepath.Join(t.TempDir(), "report.html")
	out, err := run(t, "--data-dir", dir, "report", "--out", page)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	counts := strings.Split(strings.TrimSpace(query(`SELECT (SELECT count(*) FROM webinars) || ' webinars, ' || (SELECT count(*) FROM instances WHERE span_minutes IS NOT NULL) || ' instances' AS x`)), "\n")[1]
	counts = strings.Trim(counts, `"`)
	if !strings.Contains(out, "(all webinars: "+counts+", 6 charts)") {
		t.Errorf("report says %q, want %s", out, counts)
	}
	if st, err := os.Stat(page); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("report file: %v, mode %v, want 0644", err, st.Mode().Perm())
	}
	html, _ := os.ReadFile(page)
	// Each webinar's row of the page's table against the views: people
	// registered (registrations) and attended (attendance).
	want := query(`SELECT w.webinar_id, (SELECT count(DISTINCT email) FROM registrations r WHERE r.webinar_id = w.webinar_id) AS reg,
		(SELECT count(DISTINCT email) FROM attendance a WHERE a.webinar_id = w.webinar_id) AS att FROM webinars w ORDER BY 1`)
	for _, line := range strings.Split(strings.TrimSpace(want), "\n")[1:] {
		f := strings.Split(line, ",")
		row := regexp.MustCompile(`\(` + f[0] + `\)</td><td>` + f[1] + `</td><td>` + f[2] + `</td>`)
		if !row.Match(html) {
			t.Errorf("webinar %s: want %s registered, %s attended in the page's table", f[0], f[1], f[2])
		}
	}

	// One webinar: its instances only.
	one := strings.Split(strings.TrimSpace(query(`SELECT webinar_id || ',' || count(*) FROM instances WHERE span_minutes IS NOT NULL GROUP BY webinar_id ORDER BY count(*) DESC, webinar_id LIMIT 1`)), "\n")[1]
	id, n, _ := strings.Cut(strings.Trim(one, `"`), ",")
	out, err = run(t, "--data-dir", dir, "report", "--webinar", id, "--out", filepath.Join(t.TempDir(), "one.html"))
	if err != nil || !strings.Contains(out, "(webinar "+id+": 1 webinars, "+n+" instances, 6 charts)") {
		t.Errorf("report --webinar %s: %v: %q, want 1 webinar and %s instances", id, err, out, n)
	}
	if _, err := run(t, "--data-dir", dir, "report", "--since", "2999-01-01", "--out", filepath.Join(t.TempDir(), "none.html")); err == nil || !strings.Contains(err.Error(), "no webinar") {
		t.Errorf("report --since 2999-01-01: err = %v, want no webinar matches", err)
	}

	sess, err := pipelines.OpenSQLSession(t.Context(), schema.Lake{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	d, err := pipelines.ReportData(t.Context(), sess, pipelines.ReportFilter{})
	sess.Close()
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.ArtifactDir(), "report.png")
	reporttest.CheckDrawn(t, reporttest.Shapes(t, page, shot), reporttest.MinShapes(d), shot)
}
