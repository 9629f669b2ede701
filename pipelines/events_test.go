//go:build duckdb_arrow

package pipelines

import (
	"errors"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/load/hubspot"
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

// TestSync_customEvents_lostAnswer loses the answer of the first batch of
// custom events after HubSpot stored it: the run ends partial with those
// events unknown, and the next run finds them in HubSpot by their zoomsync
// id instead of sending them again: every event exists exactly once.
func TestSync_customEvents_lostAnswer(t *testing.T) {
	cfg, hs := eventsEnv(t, load.EventsCustom, false, hubspottest.WithHubTier("enterprise"),
		hubspottest.WithFault(hubspottest.Fault{Path: "/events/v3/send/batch", Kind: hubspottest.FaultResetAfterCommit}))
	first, err := Sync(t.Context(), cfg, SyncOptions{})
	if !errors.Is(err, ErrUnsettled) || first == nil || first.Activity == nil {
		t.Fatalf("first sync: %v; want a partial run with unknown rows", err)
	}
	a := first.Activity
	if a.TimelineEvents.Unknown != hubspot.MaxEventBatch {
		t.Fatalf("first sync: events %+v; want the first batch unknown", a.TimelineEvents)
	}
	if n, _ := eventAudit(t, cfg); n != a.TimelineEvents.Unknown {
		t.Errorf("%d audit rows after the lost answer, want one per unknown event (%d)", n, a.TimelineEvents.Unknown)
	}
	sent, dups := duplicateCustomEvents(t, hs)
	second, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	events, dups := duplicateCustomEvents(t, hs)
	want := a.TimelineEvents.Created + a.TimelineEvents.Unknown
	if dups != 0 || events != want {
		t.Errorf("after the second sync: %d events (want %d), %d duplicates", events, want, dups)
	}
	b := second.Activity
	if b.TimelineEvents.Created != a.TimelineEvents.Unknown || events != sent {
		t.Errorf("second sync events %+v; %d were stored by the first, %d unknown", b.TimelineEvents, sent, a.TimelineEvents.Unknown)
	}
	var verified int
	for _, r := range hs.Requests() {
		if r.Method == "GET" && r.Path == "/events/v3/events" {
			verified++
		}
	}
	if verified != a.TimelineEvents.Unknown {
		t.Errorf("%d look-ups of occurrences, want one per unknown event (%d)", verified, a.TimelineEvents.Unknown)
	}
}

// TestSync_events_unavailable runs each route on a portal that does not
// allow it: the sync succeeds, sends no event, counts every event skipped
// with one notice, writes one audit row per event saying why, and
// CheckEvents fails the configured route with the same cause.
func TestSync_events_unavailable(t *testing.T) {
	for _, tc := range []struct {
		name      string
		route     string
		publicApp bool
		opts      []hubspottest.Option
		want      string // in the notice, the audit details and the check (HubSpot's refusal)
	}{
		{"timelineNewApp", load.EventsTimeline, true, []hubspottest.Option{hubspottest.WithNewApp()}, "v1/v3 timeline events"},
		{"customNotEnterprise", load.EventsCustom, false, []hubspottest.Option{hubspottest.WithHubTier("professional")}, "CUSTOM_EVENTS_REQUIRE_ENTERPRISE"},
		{"customNoDefinitionsScope", load.EventsCustom, false, []hubspottest.Option{hubspottest.WithHubTier("enterprise"),
			hubspottest.WithMissingScopes(hubspottest.ScopeEventDefinitions)}, "MISSING_SCOPES"},
		{"customNoSendScope", load.EventsCustom, false, []hubspottest.Option{hubspottest.WithHubTier("enterprise"),
			hubspottest.WithMissingScopes(hubspottest.ScopeEventsSend)}, "MISSING_SCOPES"},
		{"off", load.EventsOff, false, nil, "hubspot.events is off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, hs := eventsEnv(t, tc.route, tc.publicApp, tc.opts...)
			res, err := Sync(t.Context(), cfg, SyncOptions{})
			if err != nil {
				t.Fatalf("sync: %v", err)
			}
			a := res.Activity
			if a.TimelineEvents.Created != 0 || a.TimelineEvents.Skipped == 0 || len(hs.TimelineEvents()) != 0 || len(hs.CustomEvents()) != 0 {
				t.Errorf("events %+v; simulator holds %d timeline, %d custom", a.TimelineEvents, len(hs.TimelineEvents()), len(hs.CustomEvents()))
			}
			if tc.route == load.EventsOff {
				if len(a.Notices) != 0 {
					t.Errorf("notices %q with hubspot.events off", a.Notices)
				}
			} else if len(a.Notices) != 1 || !strings.Contains(a.Notices[0], tc.want) {
				t.Errorf("notices %q, want one naming %q", a.Notices, tc.want)
			}
			n, details := eventAudit(t, cfg)
			if n != a.TimelineEvents.Skipped {
				t.Errorf("%d audit rows for %d events skipped", n, a.TimelineEvents.Skipped)
			}
			for _, d := range details {
				if !strings.Contains(d, tc.want) && !strings.Contains(d, "no CRM id") {
					t.Errorf("audit detail %q, want %q", d, tc.want)
					break
				}
			}
			checks := cfg.CheckEvents(t.Context())
			t.Logf("checks: %+v", checks)
			switch {
			case tc.route == load.EventsOff:
				if checks[0].Status != CheckOK {
					t.Errorf("route check %+v, want OK for off", checks[0])
				}
			case tc.name == "customNoSendScope":
				// Listing definitions works without the send scope: the
				// check cannot see it, and says the first send checks it.
				if !strings.Contains(checks[2].Detail, hubspottest.ScopeEventsSend) {
					t.Errorf("custom events check %+v, want it to name the send scope", checks[2])
				}
			default:
				if checks[0].Status == CheckOK || !strings.Contains(checks[0].Detail+checks[0].Fix, tc.want) && tc.route == load.EventsCustom {
					t.Errorf("route check %+v, want a failure naming %q", checks[0], tc.want)
				}
			}
		})
	}
}
