//go:build duckdb_arrow

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/schema"
)

// TestSync_webinarSettledAndFullRefresh: sync --webinar of a webinar whose
// every stage settled says why it fetched nothing; --full-refresh fetches
// its reports again.
func TestSync_webinarSettledAndFullRefresh(t *testing.T) {
	zs, _ := crashSimEnv(t)
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

// TestBackfill_windowAuditRowsOnlyInItsRun: the audit rows of a one-off
// backfill's windows older than Zoom keeps are in that run's audit, not in
// every later transform's.
func TestBackfill_windowAuditRowsOnlyInItsRun(t *testing.T) {
	crashSimEnv(t)
	dir := t.TempDir()
	now := crashAccount().Now.UTC()
	from := now.AddDate(0, -8, 0).Format(time.DateOnly) // older than Zoom's six months
	if out, err := run(t, "--data-dir", dir, "backfill", "--from", from, "--to", now.Format(time.DateOnly)); err != nil {
		t.Fatalf("backfill: %v\n%s", err, out)
	}
	count := func() string {
		t.Helper()
		out, err := run(t, "--data-dir", dir, "query", "--format", "csv",
			"SELECT count(*) AS n FROM audit WHERE reason = "+sqlQuote(schema.ReasonBackfillWindowTooOld))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(strings.TrimPrefix(out, "n\n"))
	}
	if n := count(); n == "0" {
		t.Fatalf("the backfill's audit has no %s row", schema.ReasonBackfillWindowTooOld)
	}
	if out, err := run(t, "--data-dir", dir, "sync"); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	if n := count(); n != "0" {
		t.Errorf("the sync after the backfill still audits %s windows of the backfill: %s rows", schema.ReasonBackfillWindowTooOld, n)
	}
}
