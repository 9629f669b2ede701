//go:build duckdb_arrow

package pipelines

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// TestRebuildLake_adoptsTheRawFilesOfALostCatalog syncs a small account,
// deletes the catalog, and rebuilds the manifest: every raw part file on
// disk is adopted (none twice on a second rebuild), verification then
// passes, and a file damaged afterwards is caught by it.
func TestRebuildLake_adoptsTheRawFilesOfALostCatalog(t *testing.T) {
	zs := zoomtest.NewServer(smallAccount(), zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"))
	defer hs.Close()
	cfg := &Config{
		DataDir: t.TempDir(),
		Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
	}
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	parts, err := filepath.Glob(filepath.Join(cfg.DataDir, "raw", "*", "run=*", "*.parquet"))
	if err != nil || len(parts) == 0 {
		t.Fatalf("no raw part files after a sync (%v)", err)
	}
	if err := os.Remove(filepath.Join(cfg.DataDir, "zoomsync.duckdb")); err != nil {
		t.Fatal(err)
	}
	rep, err := RebuildLake(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Adopted != len(parts) || rep.Known != 0 || len(rep.Unread) != 0 || rep.Rows == 0 || rep.Stateful {
		t.Fatalf("rebuild = %+v, want all %d part files adopted, with rows, no sync state", rep, len(parts))
	}
	again, err := RebuildLake(t.Context(), cfg)
	if err != nil || again.Adopted != 0 || again.Known != len(parts) {
		t.Fatalf("second rebuild = %+v (%v), want every file already known", again, err)
	}
	ver, err := VerifyLake(t.Context(), cfg, false)
	if err != nil || ver.Files != len(parts) || len(ver.Bad) != 0 {
		t.Fatalf("verify after rebuild = %+v (%v), want %d files and none bad", ver, err, len(parts))
	}
	if err := os.Truncate(parts[0], 10); err != nil {
		t.Fatal(err)
	}
	ver, err = VerifyLake(t.Context(), cfg, false)
	if err != nil || len(ver.Bad) != 1 {
		t.Fatalf("verify after truncating %s = %+v (%v), want it named bad", parts[0], ver, err)
	}
}
