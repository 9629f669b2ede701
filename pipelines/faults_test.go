//go:build duckdb_arrow

package pipelines

import (
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/internal/syncdiff"
	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// zoomFaults and hubspotFaults are the storm of TestSync_faultStorm: every
// fault kind of both simulators, each spread over routes so that it fires,
// and each a bounded burst, as a real transient storm.
const (
	zoomFaults = "429:n=2:retry-after=1:route=/webinars/*/registrants*," +
		"429:n=2:route=/report/webinars/*/participants*," +
		"daily-429:n=1:route=/past_webinars/*," +
		"5xx:status=503:n=3:every=7," +
		"5xx:status=500:n=1:route=/users/*/webinars*," +
		"stall:n=1:route=/webinars/*/panelists*," +
		"reset:n=2:every=11," +
		"reset-mid-body:n=2:every=13," +
		"expired-page-token:n=1," +
		"expire-token:n=1:mid-listing=true," +
		"malformed:n=2:every=17"
	hubspotFaults = "429-burst:n=2:every=5," +
		"429-daily:n=1:route=/crm/v3/objects/contacts/batch/*," +
		"423:n=1:every=9," +
		"5xx:status=502:n=2:every=6," +
		"stall:n=1:route=/crm/v3/objects/contacts/batch/upsert," +
		"malformed:n=1:route=*/batch/read," +
		"reset:n=1:every=8," +
		"expired-token:n=1:every=10," +
		"reset-after-commit:n=1:route=/crm/v3/objects/calls/batch/*," +
		"504-after-commit:n=1:method=POST:route=/marketing/v3/marketing-events/*," +
		"truncated-after-commit:n=1:route=/crm/v3/objects/contacts/batch/upsert," +
		"207-partial:n=1:route=*attendance*"
)

// faultStormAccount is a small account, for a storm that ends in seconds;
// its webinars are still the generator's special cases.
func faultStormAccount() *zoomtest.Account {
	return zoomtest.Generate(zoomtest.GenConfig{Seed: 3, People: 150})
}

// faultStormConfig is a sync of the two simulators with short retry waits
// and a per-try timeout short enough for a stall to outlast it.
func faultStormConfig(t *testing.T, zs *zoomtest.Server, hs *hubspottest.Server) *Config {
	t.Helper()
	cfg := &Config{
		DataDir: t.TempDir(),
		Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
	}
	cfg.zoomOpts = []zoom.Option{zoom.WithRetry(6, 10*time.Millisecond, 300*time.Millisecond),
		zoom.WithHTTPClient(&http.Client{Timeout: 3 * time.Second})}
	cfg.hubspotOpts = []hubspot.Option{hubspot.WithRetry(6, 10*time.Millisecond, 300*time.Millisecond),
		hubspot.WithHTTPClient(&http.Client{Timeout: 3 * time.Second})}
	return cfg
}

// syncState runs the end state of a sync into comparable snapshots.
func syncState(t *testing.T, hs *hubspottest.Server, dir string) (crm, out syncdiff.State) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out, err = syncdiff.Out(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	return syncdiff.CRM(hs), out
}

// compareStates fails t for each difference between a reference run's
// state and another's, and returns how many objects it compared.
func compareStates(t *testing.T, wantCRM, wantOut, gotCRM, gotOut syncdiff.State) (compared map[string]int, diffs int) {
	t.Helper()
	compared = wantCRM.Count()
	maps.Copy(compared, wantOut.Count())
	for _, part := range []struct {
		name      string
		want, got syncdiff.State
	}{{"CRM", wantCRM, gotCRM}, {"out tables", wantOut, gotOut}} {
		lines, n := syncdiff.Diff(part.want, part.got, 20)
		diffs += n
		if n > 0 {
			t.Errorf("%s: %d differences from the fault-free run:\n%s", part.name, n, strings.Join(lines, "\n"))
		}
	}
	return compared, diffs
}

// TestSync_faultStorm syncs a small account under a storm of every fault
// kind both simulators inject, re-runs the sync until a run succeeds (at
// most 8 runs: a fault that must end a run, such as a daily limit, an
// expired token or a row the CRM refused, costs one), and compares the CRM state and the out tables with those of
// a fault-free run on fresh simulators: no object missing, none doubled, no
// value different.
func TestSync_faultStorm(t *testing.T) {
	zf, err := zoomtest.ParseFaults(zoomFaults)
	if err != nil {
		t.Fatal(err)
	}
	hf, err := hubspottest.ParseFaults(hubspotFaults)
	if err != nil {
		t.Fatal(err)
	}

	// The reference: a fault-free sync of the same account.
	refZ := zoomtest.NewServer(faultStormAccount(), zoomtest.WithPlan("unlimited"), zoomtest.WithMaxPageSize(50))
	defer refZ.Close()
	refH := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer refH.Close()
	refCfg := faultStormConfig(t, refZ, refH)
	start := time.Now()
	if _, err := Sync(t.Context(), refCfg, SyncOptions{}); err != nil {
		t.Fatalf("fault-free sync: %v", err)
	}
	t.Logf("fault-free sync: %v", time.Since(start).Round(time.Millisecond))
	wantCRM, wantOut := syncState(t, refH, refCfg.DataDir)

	zs := zoomtest.NewServer(faultStormAccount(), zoomtest.WithPlan("unlimited"), zoomtest.WithMaxPageSize(50), zoomtest.WithFaults(zf...))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	for _, f := range hf {
		hs.AddFault(f)
	}
	cfg := faultStormConfig(t, zs, hs)
	runs := 0
	for runs < 8 {
		runs++
		start := time.Now()
		var res *RunResult
		res, err = Sync(t.Context(), cfg, SyncOptions{})
		t.Logf("run %d (%v): %v", runs, time.Since(start).Round(time.Millisecond), err)
		if err == nil {
			// Until partial runs end with an error (issue 8), a run that
			// left rows failed or unknown is partial in all but its error.
			if u := unsettledRows(res); len(u) > 0 {
				t.Logf("run %d returned no error but left rows unsettled: %q", runs, u)
				err = fmt.Errorf("partial: %d rows unsettled", len(u))
				continue
			}
			break
		}
	}
	if err != nil {
		t.Fatalf("%d runs under the storm, the last failed: %v", runs, err)
	}

	zFired, hFired := zs.FaultsFired(), hs.FaultsFired()
	for _, f := range zf {
		if zFired[f.Kind.String()] == 0 {
			t.Errorf("zoom fault %s never fired", f.Kind)
		}
	}
	for _, f := range hf {
		if hFired[f.Kind.String()] == 0 {
			t.Errorf("hubspot fault %s never fired", f.Kind)
		}
	}
	gotCRM, gotOut := syncState(t, hs, cfg.DataDir)
	compared, diffs := compareStates(t, wantCRM, wantOut, gotCRM, gotOut)
	t.Logf("fault matrix:\n  zoom faults fired:    %s\n  hubspot faults fired: %s\n  runs needed: %d\n  objects compared: %s\n  differences: %d",
		fmtCounts(zFired), fmtCounts(hFired), runs, fmtCounts(compared), diffs)
}

func fmtCounts(m map[string]int) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString("=")
		b.WriteString(strconv.Itoa(m[k]))
	}
	return b.String()
}

// unsettledRows names the rows a run left failed or with an unknown outcome.
func unsettledRows(res *RunResult) []string {
	var out []string
	if res.Load != nil {
		out = append(out, res.Load.Unsettled()...)
	}
	if res.Activity != nil {
		out = append(out, res.Activity.Unsettled()...)
	}
	return out
}
