package load

import (
	"database/sql"
	"strings"
	"testing"
	"time"

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

// eventsClient is a client of hs with the simulator's public app.
func eventsClient(hs *hubspottest.Server) *hubspot.Client {
	return hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithRetry(0, time.Millisecond, time.Millisecond), hubspot.WithOAuthToken("app-oauth-token"),
		hubspot.WithDeveloperKey(hubspottest.DefaultDeveloperKey), hubspot.WithApp(hubspottest.DefaultAppID))
}

// auditDetails returns the details of the run's load_audit rows.
func auditDetails(t *testing.T, db *sql.DB, run string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT detail FROM load_audit WHERE run_id = ? AND reason = ? AND category = ?`,
		run, schema.ReasonTimelineEventNotCreated, schema.CategoryTimelineNotCreated)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// TestActivity_events_unavailable runs each route on a portal that does
// not allow it: nothing is sent, every event is skipped with one notice
// naming HubSpot's refusal, and each gets an audit row saying why (the 3
// events of a person without a contact say that instead).
func TestActivity_events_unavailable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		route string
		opts  []hubspottest.Option
		want  string
	}{
		{"timelineNewApp", EventsTimeline, []hubspottest.Option{hubspottest.WithNewApp()}, "TIMELINE_TEMPLATES_UNAVAILABLE"},
		{"customNotEnterprise", EventsCustom, []hubspottest.Option{hubspottest.WithHubTier("professional")}, "CUSTOM_EVENTS_REQUIRE_ENTERPRISE"},
		{"customNoDefinitionsScope", EventsCustom, []hubspottest.Option{hubspottest.WithHubTier("enterprise"),
			hubspottest.WithMissingScopes(hubspot.ScopeEventDefinitions)}, "MISSING_SCOPES"},
		{"customNoSendScope", EventsCustom, []hubspottest.Option{hubspottest.WithHubTier("enterprise"),
			hubspottest.WithMissingScopes(hubspot.ScopeEventsSend)}, "MISSING_SCOPES"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := hubspottest.NewServer(append([]hubspottest.Option{hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"),
				hubspottest.WithOAuthToken("app-oauth-token")}, tc.opts...)...)
			defer hs.Close()
			db := newActivityDB(t)
			sum := loadAll(t, eventsClient(hs), db, "run-1", tc.route == EventsTimeline, false, withEvents(tc.route))
			if sum.TimelineEvents.Created != 0 || sum.TimelineEvents.Skipped != 393 || len(hs.TimelineEvents()) != 0 || len(hs.CustomEvents()) != 0 {
				t.Errorf("events %+v; simulator %d timeline, %d custom", sum.TimelineEvents, len(hs.TimelineEvents()), len(hs.CustomEvents()))
			}
			if len(sum.Notices) != 1 || !strings.Contains(sum.Notices[0], tc.want) {
				t.Errorf("notices %q, want one naming %s", sum.Notices, tc.want)
			}
			details := auditDetails(t, db, "run-1")
			var why, noContact int
			for _, d := range details {
				switch {
				case strings.Contains(d, tc.want):
					why++
				case strings.Contains(d, "no CRM id"):
					noContact++
				default:
					t.Errorf("audit detail %q", d)
				}
			}
			if len(details) != 393 || noContact > 3 || why < 390 {
				t.Errorf("%d audit rows: %d naming %s, %d without a contact", len(details), why, tc.want, noContact)
			}
		})
	}
}

// TestActivity_customEvents_lostAnswer loses the answer of one batch
// after HubSpot stored it: its events end unknown (audited), the rest
// are sent; the next run looks each unknown one up, finds it and does not
// send it again: every event is in HubSpot exactly once.
func TestActivity_customEvents_lostAnswer(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"), hubspottest.WithHubTier("enterprise"),
		hubspottest.WithFault(hubspottest.Fault{Path: "/events/v3/send/batch", Kind: hubspottest.FaultResetAfterCommit}))
	defer hs.Close()
	client, db := eventsClient(hs), newActivityDB(t)
	first := loadAll(t, client, db, "run-1", false, false, withEvents(EventsCustom))
	// Batches are in flight together: the answer lost is that of whichever
	// batch reached HubSpot first, one of 100 or the last of 90.
	lost := first.TimelineEvents.Unknown
	if (lost != 100 && lost != 90) || first.TimelineEvents != (Counts{Created: 390 - lost, Unknown: lost, Skipped: 3}) || len(hs.CustomEvents()) != 390 {
		t.Fatalf("run 1: %+v, %d events stored", first.TimelineEvents, len(hs.CustomEvents()))
	}
	if n := len(auditDetails(t, db, "run-1")); n != lost+3 {
		t.Errorf("run 1: %d audit rows, want %d unknown + 3 without a contact", n, lost)
	}
	hs.ResetRequests()
	second := loadAll(t, client, db, "run-2", false, false, withEvents(EventsCustom))
	if second.TimelineEvents != (Counts{Created: lost, Unchanged: 390 - lost, Skipped: 3}) {
		t.Errorf("run 2: %+v", second.TimelineEvents)
	}
	lookups, sends := 0, 0
	for _, r := range hs.Requests() {
		switch {
		case r.Method == "GET" && r.Path == "/events/v3/events":
			lookups++
		case strings.HasPrefix(r.Path, "/events/v3/send"):
			sends++
		}
	}
	seen := map[string]bool{}
	for _, e := range hs.CustomEvents() {
		id := e.Properties[CustomEventIDProperty]
		if seen[id] {
			t.Errorf("event %s sent twice", id)
		}
		seen[id] = true
	}
	if lookups != lost || sends != 0 || len(seen) != 390 {
		t.Errorf("run 2: %d look-ups, %d sends; %d distinct events", lookups, sends, len(seen))
	}
	if n := len(auditDetails(t, db, "run-2")); n != 3 {
		t.Errorf("run 2: %d audit rows, want the 3 without a contact", n)
	}
}
