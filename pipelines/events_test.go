//go:build duckdb_arrow

package pipelines

import (
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// eventsEnv is a demo Zoom account and a HubSpot simulator with opts, and
// a configuration whose hubspot.events is route. With publicApp the
// configuration has the simulator's public app (id, developer key, OAuth
// token).
func eventsEnv(t *testing.T, route string, publicApp bool, opts ...hubspottest.Option) (*Config, *hubspottest.Server) {
	t.Helper()
	zs := zoomtest.NewServer(zoomtest.DemoAccount(1), zoomtest.WithPlan("unlimited"))
	t.Cleanup(zs.Close)
	hs := hubspottest.NewServer(append([]hubspottest.Option{hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"),
		hubspottest.WithOAuthToken("demo-app-token")}, opts...)...)
	t.Cleanup(hs.Close)
	cfg := &Config{
		DataDir: t.TempDir(),
		Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
		CRM:     &HubSpotSettings{Events: route},
	}
	if publicApp {
		cfg.CRM.Timeline.AppID = hubspottest.DefaultAppID
		cfg.HubSpot.DeveloperKey, cfg.HubSpot.AppToken = hubspottest.DefaultDeveloperKey, "demo-app-token"
	}
	return cfg, hs
}

// eventAudit returns the audit rows of reason timeline_event_not_created
// of the last run: their count and their details by template.
func eventAudit(t *testing.T, cfg *Config) (int, []string) {
	t.Helper()
	e, err := transform.OpenReadOnly(t.Context(), lakeOf(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rows, err := Audit(t.Context(), e, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	var details []string
	for rows.Next() {
		var runID, category, reason string
		var webinar, count int64
		var topic, email, detail *string
		if err := rows.Scan(&runID, &webinar, &topic, &category, &reason, &email, &detail, &count); err != nil {
			t.Fatal(err)
		}
		if reason != schema.ReasonTimelineEventNotCreated {
			continue
		}
		if category != schema.CategoryTimelineNotCreated || webinar == 0 || email == nil || detail == nil {
			t.Errorf("audit row %s/%s webinar %d email %v detail %v", category, reason, webinar, email, detail)
			continue
		}
		n += int(count)
		details = append(details, *detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n, details
}

// duplicateCustomEvents counts the occurrences beyond the first of each
// zoomsync event id, and checks every occurrence has one.
func duplicateCustomEvents(t *testing.T, hs *hubspottest.Server) (events, dups int) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range hs.CustomEvents() {
		id := e.Properties[load.CustomEventIDProperty]
		if id == "" {
			t.Errorf("custom event %s of contact %s has no %s", e.EventName, e.ObjectID, load.CustomEventIDProperty)
		}
		if seen[id] {
			dups++
		}
		seen[id] = true
	}
	return len(seen), dups
}

// TestSync_customEvents_endToEnd syncs the demo account with hubspot.events:
// custom on an Enterprise portal: the three definitions are created, every
// event the timeline route would send becomes one occurrence on its
// contact, a second sync sends nothing, and no event is sent twice.
func TestSync_customEvents_endToEnd(t *testing.T) {
	cfg, hs := eventsEnv(t, load.EventsCustom, false, hubspottest.WithHubTier("enterprise"))
	checks := cfg.CheckEvents(t.Context())
	if checks[0].Status != CheckOK || checks[2].Name != CheckNameCustomEvents || checks[2].Status != CheckOK {
		t.Errorf("CheckEvents before the sync = %+v", checks)
	}
	first, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := first.Activity
	if len(a.DefinitionsCreated) != 3 || len(hs.EventDefinitions()) != 3 || len(a.Notices) != 0 {
		t.Errorf("definitions created %q (simulator %d), notices %q", a.DefinitionsCreated, len(hs.EventDefinitions()), a.Notices)
	}
	events, dups := duplicateCustomEvents(t, hs)
	if events == 0 || events != a.TimelineEvents.Created || dups != 0 {
		t.Errorf("custom events: %d distinct, %d duplicates; summary %+v", events, dups, a.TimelineEvents)
	}
	for _, r := range hs.Requests() {
		if strings.Contains(r.Path, "/timeline/") {
			t.Errorf("%s %s: the custom route called the timeline API", r.Method, r.Path)
		}
	}
	// The skipped events (contacts without a CRM id) and nothing else are
	// audited, each with the sink's reason.
	n, details := eventAudit(t, cfg)
	if n != a.TimelineEvents.Skipped {
		t.Errorf("%d audit rows, %d events skipped", n, a.TimelineEvents.Skipped)
	}
	for _, d := range details {
		if !strings.Contains(d, "no CRM id") {
			t.Errorf("audit detail %q, want the missing contact id", d)
		}
	}
	t.Logf("first sync: %+v", a.TimelineEvents)

	hs.ResetRequests()
	second, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := second.Activity
	if b.TimelineEvents.Unchanged != a.TimelineEvents.Created || b.TimelineEvents.Created != 0 || len(b.DefinitionsCreated) != 0 {
		t.Errorf("second sync events = %+v, first %+v", b.TimelineEvents, a.TimelineEvents)
	}
	if w := writeCalls(hs); len(w) != 0 {
		t.Errorf("second sync with nothing new wrote: %v", w)
	}
	if again, dups := duplicateCustomEvents(t, hs); again != events || dups != 0 {
		t.Errorf("after the second sync: %d events (%d before), %d duplicates", again, events, dups)
	}
	if checks := cfg.CheckEvents(t.Context()); !strings.Contains(checks[2].Detail, "3 of zoomsync's 3") {
		t.Errorf("CheckEvents after the sync: %+v", checks[2])
	}
}

// TestCheckEvents_routes: CheckEvents says which route each portal
// allows, without a sync: the configured route fails (naming HubSpot's
// refusal) where the portal does not allow it, and passes for off.
func TestCheckEvents_routes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		route     string
		publicApp bool
		opts      []hubspottest.Option
		want      CheckStatus
		detail    string // in the route check's Detail and Fix
	}{
		{"timelinePartnerApp", load.EventsTimeline, true, nil, CheckWarn, "lists no event templates"},
		{"timelineNoApp", load.EventsTimeline, false, []hubspottest.Option{hubspottest.WithHubTier("enterprise")}, CheckWarn,
			"set hubspot.events: custom"},
		{"customNotEnterprise", load.EventsCustom, false, []hubspottest.Option{hubspottest.WithHubTier("professional")}, CheckFail,
			"CUSTOM_EVENTS_REQUIRE_ENTERPRISE"},
		{"customNoDefinitionsScope", load.EventsCustom, false, []hubspottest.Option{hubspottest.WithHubTier("enterprise"),
			hubspottest.WithMissingScopes(hubspottest.ScopeEventDefinitions)}, CheckFail, hubspottest.ScopeEventDefinitions},
		{"customEnterprise", load.EventsCustom, false, []hubspottest.Option{hubspottest.WithHubTier("enterprise")}, CheckOK, "allows it"},
		{"off", load.EventsOff, false, nil, CheckOK, "off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := hubspottest.NewServer(append([]hubspottest.Option{hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"),
				hubspottest.WithOAuthToken("demo-app-token")}, tc.opts...)...)
			defer hs.Close()
			cfg := &Config{HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
				CRM: &HubSpotSettings{Events: tc.route}}
			if tc.publicApp {
				cfg.CRM.Timeline.AppID = hubspottest.DefaultAppID
				cfg.HubSpot.DeveloperKey, cfg.HubSpot.AppToken = hubspottest.DefaultDeveloperKey, "demo-app-token"
			}
			checks := cfg.CheckEvents(t.Context())
			if len(checks) != 3 || checks[0].Name != CheckNameEventsRoute || checks[1].Name != CheckNameTimelineEvents ||
				checks[2].Name != CheckNameCustomEvents {
				t.Fatalf("checks = %+v", checks)
			}
			if checks[0].Status != tc.want || !strings.Contains(checks[0].Detail+" "+checks[0].Fix, tc.detail) {
				t.Errorf("route check = %+v, want status %d naming %q", checks[0], tc.want, tc.detail)
			}
		})
	}
}

// TestSync_events_refusedSendScope syncs with custom events on a portal
// whose token lacks the send scope, which no read can show beforehand: the
// sync succeeds, sends no event, says why in one notice, and `zoomsync
// audit` lists every event under "timeline event not created".
func TestSync_events_refusedSendScope(t *testing.T) {
	cfg, hs := eventsEnv(t, load.EventsCustom, false, hubspottest.WithHubTier("enterprise"),
		hubspottest.WithMissingScopes(hubspottest.ScopeEventsSend))
	if checks := cfg.CheckEvents(t.Context()); checks[0].Status != CheckOK || !strings.Contains(checks[2].Detail, hubspottest.ScopeEventsSend) {
		t.Errorf("checks = %+v: want custom events allowed, the send scope left to the first send", checks)
	}
	res, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	a := res.Activity
	if a.TimelineEvents.Created != 0 || a.TimelineEvents.Skipped == 0 || len(hs.CustomEvents()) != 0 {
		t.Errorf("events %+v; simulator holds %d", a.TimelineEvents, len(hs.CustomEvents()))
	}
	if len(a.Notices) != 1 || !strings.Contains(a.Notices[0], "MISSING_SCOPES") || !strings.Contains(a.Notices[0], hubspottest.ScopeEventsSend) {
		t.Errorf("notices %q, want one naming the refusal and the scope", a.Notices)
	}
	n, details := eventAudit(t, cfg)
	if n != a.TimelineEvents.Skipped {
		t.Errorf("%d audit rows for %d events skipped", n, a.TimelineEvents.Skipped)
	}
	for _, d := range details {
		if !strings.Contains(d, "MISSING_SCOPES") {
			t.Errorf("audit detail %q, want HubSpot's refusal", d)
			break
		}
	}
}
