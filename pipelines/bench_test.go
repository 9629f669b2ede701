//go:build duckdb_arrow

package pipelines

import (
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// BenchmarkSync_demoAccount measures one whole first sync of the demo-sized
// account with the simulators' rate limits off, so it shows zoomsync's own
// cost (HTTP, JSON, Parquet, DuckDB, Arrow) rather than the APIs' quotas.
// With the Pro preset the same sync is bound by Zoom's Heavy label (10/s).
func BenchmarkSync_demoAccount(b *testing.B) {
	acct := zoomtest.DemoAccount(1)
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	var rows int64
	for b.Loop() {
		b.StopTimer()
		hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
		cfg := &Config{
			DataDir: b.TempDir(),
			Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
				AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
			HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
		}
		b.StartTimer()
		res, err := Sync(b.Context(), cfg, SyncOptions{})
		b.StopTimer()
		hs.Close()
		if err != nil {
			b.Fatal(err)
		}
		rows = res.Extract.Registrants + res.Extract.Participants
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "raw_rows/s")
}
