//go:build duckdb_arrow

package main

import (
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// TestSync_otherPortalIsAConfigurationError: a lake bound to one portal
// (by a first load) refuses sync and load against another with exit code
// 2 and a message naming both portals and --rebind; nothing is written to
// the other portal.
func TestSync_otherPortalIsAConfigurationError(t *testing.T) {
	a := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithPortalID(111))
	defer a.Close()
	b := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithPortalID(222))
	defer b.Close()
	dir := t.TempDir()
	// Zoom: only sync's preflight fetches a token; the refusal comes before
	// the extract.
	zs := zoomtest.NewServer(zoomtest.DemoAccount(1), zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	t.Setenv("ZOOM_API_URL", zs.APIURL())
	t.Setenv("ZOOM_OAUTH_URL", zs.OAuthURL())
	t.Setenv("ZOOM_ACCOUNT_ID", "demo-account")
	t.Setenv("ZOOM_CLIENT_ID", "demo-client")
	t.Setenv("ZOOM_CLIENT_SECRET", "demo-secret")
	t.Setenv("HUBSPOT_TOKEN", "demo-token")
	t.Setenv("HUBSPOT_API_URL", a.URL)
	// A load of the empty lake binds it to portal 111.
	if _, err := run(t, "--data-dir", dir, "load", "--hubspot-tier", "unlimited"); err != nil {
		t.Fatalf("load of an empty lake: %v", err)
	}
	t.Setenv("HUBSPOT_API_URL", b.URL)
	for _, args := range [][]string{{"load"}, {"sync"}, {"backfill", "--from", "2026-01-01"}} {
		out, err := run(t, append([]string{"--data-dir", dir}, append(args, "--hubspot-tier", "unlimited")...)...)
		if code := exitCode(err); code != 2 {
			t.Fatalf("%s against portal 222: exit %d, err %v, want 2", args[0], code, err)
		}
		msg := err.Error()
		for _, want := range []string{"HubSpot portal 111", "HubSpot portal 222", "--rebind"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: message %q lacks %q", args[0], msg, want)
			}
		}
		if !strings.Contains(out, ": failed") {
			t.Errorf("%s: output %q does not report the refused run", args[0], out)
		}
	}
	if st := zs.Stats(); st.Total != st.ByRoute["POST /oauth/token"] || st.Total > 1 {
		t.Errorf("Zoom answered %d calls (%v), want at most sync's preflight token", st.Total, st.ByRoute)
	}
	for _, r := range b.Requests() {
		if r.Write {
			t.Errorf("a refused run wrote to portal 222: %s %s", r.Method, r.Path)
		}
	}
}
