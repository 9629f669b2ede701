//go:build duckdb_arrow

package pipelines

import (
	"slices"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// writeCalls counts the write calls of the request log per object type.
func writeCalls(hs *hubspottest.Server) map[string]int {
	out := map[string]int{}
	for _, r := range hs.Requests() {
		if !r.Write {
			continue
		}
		kind := r.Path
		switch {
		case strings.Contains(r.Path, "/attendance/"):
			kind = "attendance"
		case strings.Contains(r.Path, "/marketing-events/events"):
			kind = "marketing events"
		case strings.Contains(r.Path, "/timeline/events"):
			kind = "timeline events"
		case strings.Contains(r.Path, "event-templates"):
			kind = "timeline templates"
		case strings.Contains(r.Path, "/objects/calls"):
			kind = "calls"
		case strings.Contains(r.Path, "/objects/contacts"):
			kind = "contacts"
		case strings.Contains(r.Path, "/properties/"):
			kind = "properties"
		}
		out[kind]++
	}
	return out
}

// TestSync_secondRunWritesNothing syncs the demo account twice with nothing
// new in Zoom: the second sync sends no write call of any object type.
// With a public app configured, timeline events are sent once and not
// doubled by the re-run.
func TestSync_secondRunWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name      string
		publicApp bool
	}{{"privateToken", false}, {"publicApp", true}} {
		t.Run(tc.name, func(t *testing.T) {
			zs := zoomtest.NewServer(zoomtest.DemoAccount(1), zoomtest.WithPlan("unlimited"))
			defer zs.Close()
			hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"),
				hubspottest.WithOAuthToken("demo-app-token"))
			defer hs.Close()
			cfg := &Config{
				DataDir: t.TempDir(),
				Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
					AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
				HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
			}
			if tc.publicApp {
				cfg.CRM = &HubSpotSettings{Timeline: TimelineSettings{AppID: hubspottest.DefaultAppID}}
				cfg.HubSpot.DeveloperKey, cfg.HubSpot.AppToken = hubspottest.DefaultDeveloperKey, "demo-app-token"
			}

			first, err := Sync(t.Context(), cfg, SyncOptions{})
			if err != nil {
				t.Fatal(err)
			}
			w1 := writeCalls(hs)
			t.Logf("first sync writes: %v", w1)
			a := first.Activity
			if a == nil || a.MarketingEvents.Created == 0 || a.Attendance.Created == 0 {
				t.Fatalf("first sync activity = %+v", a)
			}
			if a.Calls.Created == 0 {
				t.Errorf("no call created for the recordings: %+v", a.Calls)
			}
			if n := len(hs.MarketingEvents()); n != a.MarketingEvents.Created {
				t.Errorf("%d marketing events in the CRM, summary says %d created", n, a.MarketingEvents.Created)
			}
			if n := len(hs.Calls()); n != a.Calls.Created {
				t.Errorf("%d calls in the CRM, summary says %d created", n, a.Calls.Created)
			}
			timeline := len(hs.TimelineEvents())
			if tc.publicApp {
				if timeline == 0 || timeline != a.TimelineEvents.Created || len(a.Notices) != 0 {
					t.Errorf("timeline events: %d sent, summary %+v, notices %q", timeline, a.TimelineEvents, a.Notices)
				}
			} else {
				if timeline != 0 || a.TimelineEvents.Skipped == 0 {
					t.Errorf("timeline events: %d sent with a private token, summary %+v", timeline, a.TimelineEvents)
				}
				if len(a.Notices) != 1 || !strings.Contains(a.Notices[0], "public app") {
					t.Errorf("notices = %q, want one about the public app", a.Notices)
				}
			}
			for _, r := range hs.Requests() {
				if strings.Contains(r.Path, "email-create") {
					t.Errorf("%s %s: attendance by email creates contacts", r.Method, r.Path)
				}
			}

			hs.ResetRequests()
			second, err := Sync(t.Context(), cfg, SyncOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if w := writeCalls(hs); len(w) != 0 {
				t.Errorf("second sync with nothing new wrote: %v", w)
			}
			// Nothing new to upsert: no contact is read (the snapshot reads
			// known contacts only before upserting them).
			var reads []string
			for _, r := range hs.Requests() {
				reads = append(reads, r.Method+" "+r.Path)
				if strings.HasPrefix(r.Path, "/crm/v3/objects/contacts") {
					t.Errorf("second sync with nothing new read contacts: %s %s?%s", r.Method, r.Path, r.Query)
				}
			}
			// What is left: the portal binding's check and the CRM users.
			if want := []string{"GET /account-info/v3/details", "GET /settings/v3/users"}; !slices.Equal(reads, want) {
				t.Errorf("second sync with nothing new made requests %q, want %q", reads, want)
			}
			b := second.Activity
			if b.MarketingEvents.Unchanged != a.MarketingEvents.Created || b.Calls.Unchanged != a.Calls.Created ||
				b.Attendance.Unchanged != a.Attendance.Created || b.TimelineEvents.Unchanged != a.TimelineEvents.Created {
				t.Errorf("second sync activity = %+v, first %+v", b, a)
			}
			if n := len(hs.TimelineEvents()); n != timeline {
				t.Errorf("timeline events %d after the re-run, %d before", n, timeline)
			}
			if tc.publicApp && len(hs.EventTemplates()) != 3 {
				t.Errorf("%d event templates, want 3", len(hs.EventTemplates()))
			}
			t.Logf("first: contacts %+v activity %+v", first.Load, a)
			t.Logf("second: contacts %+v activity %+v", second.Load, b)
		})
	}
}
