package extract

import (
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

// benchAccount is a larger generated account than the demo's: 10 hosts,
// 120 webinars (the demo's special cases, then single webinars), a pool of
// 6,000 people; each webinar with panelists, registrants of three statuses
// and, for each held instance, a report, participants, absentees and a cloud
// recording with WebVTT transcripts.
func benchAccount() *zoomtest.Account {
	return zoomtest.Generate(zoomtest.GenConfig{Seed: 1, Hosts: 10, Webinars: 120, People: 6000})
}

// BenchmarkRun_firstExtraction measures a full first extraction of
// benchAccount against the simulator with rate limits off (simulator plan
// and client plan "unlimited"), so it shows zoomsync's own cost per call and
// per row: HTTP on loopback, JSON decoding, row conversion, VTT parsing and
// zstd Parquet writing. Against Zoom, the Heavy label (10 requests/s on Pro)
// bounds the same run instead: see the README's Performance section.
func BenchmarkRun_firstExtraction(b *testing.B) {
	acct := benchAccount()
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	now := func() time.Time { return acct.Now }
	var sum *Summary
	var calls, heavy int
	for b.Loop() {
		b.StopTimer()
		lake := schema.Lake{Dir: b.TempDir()}
		srv.ResetStats()
		b.StartTimer()
		var err error
		// A new client per run, as a new process has: the token is fetched again.
		sum, err = Run(b.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1", Now: now})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st := srv.Stats()
		calls, heavy = st.Total, st.ByLabel["Heavy"]
		b.StartTimer()
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds() / float64(b.N)
	rows := float64(sum.Registrants + sum.Participants)
	b.ReportMetric(float64(calls), "calls/op")
	b.ReportMetric(float64(heavy), "heavy_calls/op")
	b.ReportMetric(float64(calls)/secs, "calls/s")
	b.ReportMetric(rows, "raw_rows/op")
	b.ReportMetric(rows/secs, "raw_rows/s")
}

// BenchmarkRun_incremental measures the second run over the same account
// with the state the first left, nothing new in Zoom: only the listings and
// the stages not settled yet (upcoming webinars) are fetched.
func BenchmarkRun_incremental(b *testing.B) {
	acct := benchAccount()
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	now := func() time.Time { return acct.Now }
	lake := schema.Lake{Dir: b.TempDir()}
	state := NewState(nil)
	first, err := Run(b.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r0", Now: now, State: state})
	if err != nil {
		b.Fatal(err)
	}
	firstCalls := srv.Stats().Total
	var calls int
	for b.Loop() {
		b.StopTimer()
		srv.ResetStats()
		runLake := schema.Lake{Dir: b.TempDir()}
		b.StartTimer()
		if _, err := Run(b.Context(), Config{Client: newClient(srv), Lake: runLake, RunID: "r1", Now: now, State: state}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		calls = srv.Stats().Total
		b.StartTimer()
	}
	b.ReportMetric(float64(calls), "calls/op")
	b.ReportMetric(float64(firstCalls), "first_run_calls")
	b.ReportMetric(float64(first.Registrants+first.Participants), "first_run_raw_rows")
}
