package load

import (
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/schema"
)

func withEvents(route string) func(*ActivityConfig) {
	return func(c *ActivityConfig) { c.Events = route }
}

// TestActivity_customEvents_dryRunThenSwitchRoutes: a dry run of the
// custom route sends and records nothing; after the timeline route sent
// every event, switching to custom events sends none of them again, and
// each route's audit names only what neither created.
func TestActivity_customEvents_dryRunThenSwitchRoutes(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithHubTier("enterprise"),
		hubspottest.WithToken("demo-token"), hubspottest.WithOAuthToken("app-oauth-token"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithOAuthToken("app-oauth-token"), hubspot.WithDeveloperKey(hubspottest.DefaultDeveloperKey), hubspot.WithApp(hubspottest.DefaultAppID))
	db := newActivityDB(t)
	audit := func(run string) (n int) {
		t.Helper()
		if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM load_audit WHERE run_id = ? AND reason = ? AND category = ?`,
			run, schema.ReasonTimelineEventNotCreated, schema.CategoryTimelineNotCreated).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	dry := loadAll(t, client, db, "run-0", false, true, withEvents(EventsCustom))
	if dry.TimelineEvents.Created != 390 || len(hs.CustomEvents()) != 0 || len(hs.EventDefinitions()) != 0 {
		t.Errorf("dry run: %+v; simulator %d events, %d definitions", dry.TimelineEvents, len(hs.CustomEvents()), len(hs.EventDefinitions()))
	}

	tl := loadAll(t, client, db, "run-1", true, false, withEvents(EventsTimeline))
	if tl.TimelineEvents != (Counts{Created: 390, Skipped: 3}) || audit("run-1") != 3 {
		t.Errorf("timeline route: %+v, %d audit rows (want the 3 of excluded@example.com)", tl.TimelineEvents, audit("run-1"))
	}
	var detail string
	if err := db.QueryRowContext(t.Context(), `SELECT any_value(detail) FROM load_audit WHERE run_id = 'run-1'`).Scan(&detail); err != nil ||
		!strings.Contains(detail, "no CRM id") {
		t.Errorf("audit detail %q, %v", detail, err)
	}

	custom := loadAll(t, client, db, "run-2", false, false, withEvents(EventsCustom))
	if custom.TimelineEvents != (Counts{Unchanged: 390, Skipped: 3}) || len(hs.CustomEvents()) != 0 {
		t.Errorf("custom route after the timeline route: %+v, %d custom events sent", custom.TimelineEvents, len(hs.CustomEvents()))
	}
	if len(custom.DefinitionsCreated) != 3 || audit("run-2") != 3 {
		t.Errorf("definitions %q, %d audit rows", custom.DefinitionsCreated, audit("run-2"))
	}

	off := loadAll(t, client, db, "run-3", false, false, withEvents(EventsOff))
	if off.TimelineEvents.Skipped != 393 || len(off.Notices) != 0 || audit("run-3") != 3 {
		t.Errorf("off: %+v, notices %q, %d audit rows (the created ones are not audited)", off.TimelineEvents, off.Notices, audit("run-3"))
	}
}
