package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/internal/report"
	"github.com/zoomsync/zoomsync/internal/report/reporttest"
)

// sample is a small report: two webinars (one topic tries to end the
// script element it sits in), two instances, every kind of chart.
func sample() *report.Data {
	start := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	d := &report.Data{Generated: start.Add(48 * time.Hour), Scope: "all webinars",
		Funnel: []report.FunnelRow{
			{WebinarID: 111, Topic: "Launch </script><script>document.title='pwned'</script>", Registered: 40, Attended: 30, HalfOrMore: 20},
			{WebinarID: 222, Topic: "Pricing & Packaging", Registered: 10, Attended: 0, HalfOrMore: 0},
		},
		Presence: []report.InstancePresence{
			{WebinarID: 111, Topic: "Launch", InstanceUUID: "a==", Start: start, PerMinute: []int64{2, 10, 25, 30, 28, 12}},
			{WebinarID: 111, Topic: "Launch", InstanceUUID: "b==", Start: start.Add(24 * time.Hour), PerMinute: []int64{1, 3, 3}},
		},
		Exclusions: []report.ReasonCount{{Reason: "guest_no_email", Category: "attendees not synced", Rows: 7}, {Reason: "invalid_email", Category: "emails excluded", Rows: 2}},
		Engagement: []report.EngagementRow{{WebinarID: 111, Topic: "Launch", Instances: 2, Recordings: 1, Transcripts: 1, Questions: 5, PollAnswers: 9, SurveyAnswers: 0}},
	}
	for b := range report.PercentBuckets {
		d.Percent = append(d.Percent, report.PercentBucket{From: b * 10, To: b*10 + 10, Attendances: int64(b % 3)})
	}
	return d
}

// TestRender_selfContained: the page carries ECharts itself (no script or
// stylesheet from the network) and escapes what the data holds.
func TestRender_selfContained(t *testing.T) {
	var b strings.Builder
	if err := report.Render(&b, sample()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	lib := strings.Index(page, "<script>")
	end := strings.Index(page, "</script>")
	if lib < 0 || end < lib || end-lib < 500_000 {
		t.Fatal("page lacks the inlined ECharts library in its first script element")
	}
	rest := page[:lib] + page[end:] // the page without the library's text
	for _, bad := range []string{"<script src", "<link", "http://", "https://", "//cdn"} {
		if strings.Contains(rest, bad) {
			t.Errorf("page contains %q: it would not open offline", bad)
		}
	}
	if n := strings.Count(page, "</script>"); n != 1+len(report.ChartIDs) {
		t.Errorf("page has %d </script> tags, want %d (the library and one per chart): data ended a script early", n, 1+len(report.ChartIDs))
	}
	if !strings.Contains(page, "Pricing &amp; Packaging") {
		t.Error("a topic in the HTML table is not escaped")
	}
}

// TestRender_chromiumDrawsEveryChart opens the page in headless Chromium
// and checks that every chart drew its data as SVG; the screenshot is kept
// under the test's artifact directory (go test -artifacts -outputdir DIR).
func TestRender_chromiumDrawsEveryChart(t *testing.T) {
	reporttest.Chromium(t)
	d := sample()
	page := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Render(f, d); err != nil {
		t.Fatal(err)
	}
	f.Close()
	shot := filepath.Join(t.ArtifactDir(), "report.png")
	got := reporttest.Shapes(t, page, shot)
	reporttest.CheckDrawn(t, got, reporttest.MinShapes(d), shot)
}
