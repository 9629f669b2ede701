//go:build duckdb_arrow

package pipelines

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// BenchmarkSync_nothingNew measures issue 9's target 3: a first sync, then
// a sync with nothing new in Zoom, of the demo account (scale 1) and of the
// account sixteen times its size (scale 16: about 20,000 contacts), with
// the simulators' rate limits off (only requests are counted). read_ratio
// is the second sync's HubSpot reads ÷ the first's (target ≤ 0.02);
// writes its writes (target 0). A run with nothing new reads the portal's
// details (the binding's check) and the CRM users, whatever the account's
// size; the first run's reads grow with its contacts (a live and an
// archived batch read per 100 new contacts). second_s is the second sync's
// wall time, and second_<stage>_s that of each of its stages.
func BenchmarkSync_nothingNew(b *testing.B) {
	for _, scale := range []int{1, 16} {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			acct := zoomtest.Generate(zoomtest.GenConfig{Seed: 1, Scale: scale})
			zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
			defer zs.Close()
			var first, second, writes int
			var secondS float64    // the second sync's wall time
			var stages *stageClock // and its stages'
			for b.Loop() {
				hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
				cfg := simConfig(b.TempDir(), zs, hs)
				if _, err := Sync(b.Context(), cfg, SyncOptions{}); err != nil {
					b.Fatal(err)
				}
				first, _ = countReads(hs)
				hs.ResetRequests()
				t0 := time.Now()
				stages = &stageClock{start: t0}
				if _, err := Sync(b.Context(), cfg, SyncOptions{Hooks: Hooks{Stage: stages.enter}}); err != nil {
					b.Fatal(err)
				}
				stages.enter("")
				secondS = time.Since(t0).Seconds()
				second, writes = countReads(hs)
				hs.Close()
			}
			b.ReportMetric(float64(second)/float64(first), "read_ratio")
			b.ReportMetric(float64(first), "first_reads")
			b.ReportMetric(float64(second), "second_reads")
			b.ReportMetric(float64(writes), "second_writes")
			b.ReportMetric(secondS, "second_s")
			for _, st := range stages.order {
				b.ReportMetric(stages.took[st], "second_"+strings.ReplaceAll(st, " ", "_")+"_s")
			}
		})
	}
}

// countReads counts the simulator's requests that changed nothing, and
// those that did.
func countReads(hs *hubspottest.Server) (reads, writes int) {
	for _, r := range hs.Requests() {
		if r.Write {
			writes++
		} else {
			reads++
		}
	}
	return reads, writes
}
