package extract

import (
	"fmt"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

// proQuota is the Pro plan's documented quota per label, in requests per
// second (Resource-intensive: 10 a minute).
var proQuota = map[string]float64{"Light": 30, "Medium": 20, "Heavy": 10, "Resource-intensive": 10.0 / 60}

// BenchmarkRun_quotaFloor measures a first extraction of the demo account
// at the Pro plan's limits, simulator and client alike, with 0 and 150 ms
// of latency (± 20 %): floor_ratio is the wall time ÷ the slowest label's
// floor (its calls ÷ its documented quota; issue 9 target 1: ≤ 1.15), and
// calls_ratio the calls ÷ the minimum (zoomtest.MinCalls plus
// EngagementCalls, the token included; target 1.00).
// ZOOMSYNC_BENCH_SCALE is not read: at --scale 16 one run takes minutes.
func BenchmarkRun_quotaFloor(b *testing.B) {
	acct := zoomtest.DemoAccount(1)
	minCalls := zoomtest.MinCalls(acct) + zoomtest.EngagementCalls(acct)
	for _, lat := range []time.Duration{0, 150 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%v", lat), func(b *testing.B) {
			srv := zoomtest.NewServer(acct, zoomtest.WithPlan("pro"), zoomtest.WithLatency(lat, lat/5))
			defer srv.Close()
			now := func() time.Time { return acct.Now }
			var floor, wall float64
			var calls int
			for b.Loop() {
				b.StopTimer()
				lake := schema.Lake{Dir: b.TempDir()}
				srv.ResetStats()
				client := zoom.NewClient(zoom.WithBaseURL(srv.APIURL()), zoom.WithOAuthURL(srv.OAuthURL()),
					zoom.WithCredentials("demo-account", "demo-client", "demo-secret"), zoom.WithPlan("pro"))
				b.StartTimer()
				start := time.Now()
				if _, err := Run(b.Context(), Config{Client: client, Lake: lake, RunID: "r1", Now: now}); err != nil {
					b.Fatal(err)
				}
				wall = time.Since(start).Seconds()
				b.StopTimer()
				st := srv.Stats()
				calls, floor = st.Total, 0
				for label, n := range st.ByLabel {
					if q := proQuota[label]; q > 0 {
						floor = max(floor, float64(n)/q)
					}
				}
				b.StartTimer()
			}
			b.ReportMetric(wall/floor, "floor_ratio")
			b.ReportMetric(floor, "floor_s")
			b.ReportMetric(float64(calls)/float64(minCalls), "calls_ratio")
		})
	}
}
