//go:build duckdb_arrow

package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// TestAudit_cliShowsRejectedRows: a contact HubSpot rejects during `zoomsync
// sync` (207, with its message) is listed by `zoomsync audit` under
// "contact property not updated", reason contact_rejected, with the email
// and HubSpot's message, next to the rows the transform left out; the csv
// format carries the same row.
func TestAudit_cliShowsRejectedRows(t *testing.T) {
	zs := zoomtest.NewServer(zoomtest.Generate(zoomtest.GenConfig{Seed: 1, Webinars: 6, People: 80}), zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"),
		hubspottest.WithFault(hubspottest.Fault{Route: "/crm/v3/objects/contacts/batch/upsert", Kind: hubspottest.Fault207Partial}))
	defer hs.Close()
	t.Setenv("ZOOM_API_URL", zs.APIURL())
	t.Setenv("ZOOM_OAUTH_URL", zs.OAuthURL())
	t.Setenv("ZOOM_ACCOUNT_ID", "demo-account")
	t.Setenv("ZOOM_CLIENT_ID", "demo-client")
	t.Setenv("ZOOM_CLIENT_SECRET", "demo-secret")
	t.Setenv("ZOOM_PLAN", "unlimited")
	t.Setenv("HUBSPOT_TOKEN", "demo-token")
	t.Setenv("HUBSPOT_API_URL", hs.URL)
	dir := t.TempDir()
	if out, err := run(t, "--data-dir", dir, "sync", "--hubspot-tier", "unlimited"); exitCode(err) != 1 {
		t.Fatalf("sync with a rejected contact: exit %d (%v), want 1\n%s", exitCode(err), err, out)
	}
	out, err := run(t, "--data-dir", dir, "audit")
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, out)
	}
	const message = "INTERNAL_ERROR: hubspottest: injected failure of this input; it was not applied"
	line := regexp.MustCompile(`(?m)^  contact property not updated: 1\n    contact_rejected +\S+@\S+  \(` + regexp.QuoteMeta(message) + `\)$`)
	if !line.MatchString(out) {
		t.Errorf("audit lacks the rejected contact with HubSpot's message:\n%s", out)
	}
	if !strings.Contains(out, "some attendees did not sync") && !strings.Contains(out, "emails excluded") {
		t.Errorf("audit lacks the transform's rows:\n%s", out)
	}
	csv, err := run(t, "--data-dir", dir, "audit", "--format", "csv")
	if err != nil || !strings.Contains(csv, ",contact property not updated,contact_rejected,") || !strings.Contains(csv, message) {
		t.Errorf("audit --format csv (%v):\n%s", err, csv)
	}
}
