//go:build duckdb_arrow

package main

import (
	"strings"
	"testing"
)

// TestSync_webinarSettledAndFullRefresh: sync --webinar of a webinar whose
// every stage settled says why it fetched nothing; --full-refresh fetches
// its reports again.
func TestSync_webinarSettledAndFullRefresh(t *testing.T) {
	zs, _ := simEnv(t)
	dir := t.TempDir()
	if out, err := run(t, "--data-dir", dir, "sync"); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	ids, err := run(t, "--data-dir", dir, "query", "--format", "csv",
		`SELECT webinar_id FROM instances WHERE span_minutes IS NOT NULL GROUP BY webinar_id ORDER BY max(report_end_time), webinar_id`)
	if err != nil {
		t.Fatal(err)
	}
	var settled string
	for _, id := range strings.Fields(ids)[1:] {
		zs.ResetStats()
		out, err := run(t, "--data-dir", dir, "sync", "--webinar", id)
		if err != nil {
			t.Fatalf("sync --webinar %s: %v\n%s", id, err, out)
		}
		if strings.Contains(out, "notice: webinar "+id+": nothing fetched") {
			if n := zs.Stats().ByRoute["GET /report/webinars/{webinarId}/participants"]; n != 0 {
				t.Errorf("sync --webinar %s says nothing fetched, but fetched participants %d times", id, n)
			}
			if !strings.Contains(out, "--full-refresh") {
				t.Errorf("the notice does not name --full-refresh:\n%s", out)
			}
			settled = id
			break
		}
	}
	if settled == "" {
		t.Fatalf("no webinar of the account settled: every sync --webinar fetched something")
	}
	zs.ResetStats()
	out, err := run(t, "--data-dir", dir, "sync", "--webinar", settled, "--full-refresh")
	if err != nil || strings.Contains(out, "nothing fetched") {
		t.Fatalf("sync --webinar %s --full-refresh: %v\n%s", settled, err, out)
	}
	if n := zs.Stats().ByRoute["GET /report/webinars/{webinarId}/participants"]; n == 0 {
		t.Errorf("--full-refresh fetched no participants report of webinar %s (routes %v)", settled, zs.Stats().ByRoute)
	}
}
