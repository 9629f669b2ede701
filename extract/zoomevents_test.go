package extract

import (
	"errors"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

const (
	routeEvents   = "GET /zoom_events/events"
	routeSessions = "GET /zoom_events/events/{eventId}/sessions"
	routeDetail   = "GET /webinars/{webinarId}"
)

func issuesOf(t *testing.T, lake schema.Lake, run, reason string) map[int64]bool {
	t.Helper()
	out := map[int64]bool{}
	for _, i := range readRows[schema.ExtractIssue](t, lake, schema.StreamExtractIssues) {
		if i.RunID == run && i.Reason == reason {
			out[i.WebinarID] = true
		}
	}
	return out
}

// TestRun_zoomEvents_skippedAndDecidedOnce: the first run looks the listed webinars up in
// the Zoom Events API (the upcoming, past and draft event listings, the sessions of each
// event: 5 calls), fetches
// nothing of the three Zoom Events webinars (no detail, registrants, instances or reports)
// and writes an issue zoom_events_webinar for each; a second run makes no Zoom Events call
// and writes the issues again (the decision is re-stated at every run); a webinar created
// in an event later is looked up when it first appears, and skipped.
func TestRun_zoomEvents_skippedAndDecidedOnce(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(1)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	now := func() time.Time { return acct.Now }
	events := acct.EventWebinarIDs()

	sum, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1", State: st, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	by := srv.Stats().ByRoute
	if by[routeEvents] != 3 || by[routeSessions] != len(acct.Events) {
		t.Errorf("first run: %d event listings and %d sessions calls, want 3 and %d", by[routeEvents], by[routeSessions], len(acct.Events))
	}
	if got := issuesOf(t, lake, "r1", schema.ReasonZoomEventsWebinar); len(got) != len(events) || sum.Skipped[schema.ReasonZoomEventsWebinar] != len(events) {
		t.Errorf("first run: issues for %v (skipped %v), want the Zoom Events webinars %v", got, sum.Skipped, events)
	}
	for _, row := range readRows[schema.Webinar](t, lake, schema.StreamWebinars) {
		if events[row.ID] {
			t.Errorf("the detail of Zoom Events webinar %d was fetched", row.ID)
		}
	}
	for _, row := range readRows[schema.WebinarInstance](t, lake, schema.StreamWebinarInstances) {
		if events[row.WebinarID] {
			t.Errorf("the instances of Zoom Events webinar %d were listed", row.WebinarID)
		}
	}

	srv.ResetStats()
	if _, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r2", State: st, Now: now}); err != nil {
		t.Fatal(err)
	}
	if by := srv.Stats().ByRoute; by[routeEvents]+by[routeSessions] != 0 {
		t.Errorf("second run called the Zoom Events API: %v", by)
	}
	if got := issuesOf(t, lake, "r2", schema.ReasonZoomEventsWebinar); len(got) != len(events) {
		t.Errorf("second run: issues for %v, want %v", got, events)
	}

	host := acct.Users[0]
	late := &zoomtest.Webinar{ID: 88800000001, HostID: host.ID, HostEmail: host.Email, Topic: "Summit: Closing", Type: 5,
		StartTime: acct.Now.Add(72 * time.Hour), Duration: 60, CreatedAt: acct.Now, ApprovalType: 0, JoinURL: "https://zoom.us/j/88800000001"}
	acct.Webinars = append(acct.Webinars, late)
	acct.Events[0].Sessions = append(acct.Events[0].Sessions, zoomtest.EventSession{ID: "late", Name: late.Topic, Type: 2,
		WebinarID: late.ID, StartTime: late.StartTime, EndTime: late.StartTime.Add(time.Hour)})
	srv.ResetStats()
	if _, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r3", State: st, Now: now}); err != nil {
		t.Fatal(err)
	}
	if by := srv.Stats().ByRoute; by[routeEvents] != 3 || by[routeSessions] != len(acct.Events) {
		t.Errorf("run after a new webinar: Zoom Events calls %v", by)
	}
	if !issuesOf(t, lake, "r3", schema.ReasonZoomEventsWebinar)[late.ID] {
		t.Error("the webinar created in an event later was not skipped")
	}
}

// TestRun_zoomEvents_unavailable: an app without the Zoom Events scope gets 400/4711 on the
// first listing (one call); the run goes on, every listed webinar syncs (nothing tells the
// Zoom Events ones apart) and nothing is recorded, so the next run asks again.
func TestRun_zoomEvents_unavailable(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(1)
	acct.NoZoomEventsScope = true
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	sum, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1", State: st, Now: func() time.Time { return acct.Now }})
	if err != nil {
		t.Fatal(err)
	}
	if by := srv.Stats().ByRoute; by[routeEvents] != 1 || by[routeSessions] != 0 {
		t.Errorf("Zoom Events calls %v, want the one refused listing", by)
	}
	if sum.Skipped[schema.ReasonZoomEventsWebinar] != 0 || len(st.Known("webinar", StageZoomEvents)) != 0 {
		t.Errorf("skipped %v, decisions %v; want none", sum.Skipped, st.Known("webinar", StageZoomEvents))
	}
	listed := 0
	for _, w := range acct.Webinars {
		if !w.Expired {
			listed++
		}
	}
	if int(sum.Webinars) != listed {
		t.Errorf("%d webinars fetched, want every one of the %d listed", sum.Webinars, listed)
	}
}

// TestRun_zoomEvents_dailyLimit: when Zoom's daily limit stops the lookup, no undecided
// webinar is fetched (it could be a Zoom Events webinar): they wait for the next run, which
// decides and fetches them.
func TestRun_zoomEvents_dailyLimit(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(1)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"),
		zoomtest.WithFault(zoomtest.Fault{Path: "/zoom_events/", Times: 1, Kind: zoomtest.FaultDaily429}))
	defer srv.Close()
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	now := func() time.Time { return acct.Now }
	sum, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1", State: st, Now: now})
	if !errors.Is(err, ErrStopped) || !errors.Is(err, zoom.ErrDailyLimit) {
		t.Fatalf("err = %v, want ErrStopped wrapping the daily limit", err)
	}
	if sum.Webinars != 0 || srv.Stats().ByRoute[routeDetail] != 0 || sum.Pending[string(zoom.CategoryLight)] == 0 {
		t.Errorf("first run fetched %d webinars (%d details), pending %v; want none, Light pending", sum.Webinars, srv.Stats().ByRoute[routeDetail], sum.Pending)
	}
	sum, err = Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r2", State: st, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Webinars == 0 || sum.Skipped[schema.ReasonZoomEventsWebinar] != len(acct.EventWebinarIDs()) {
		t.Errorf("second run: %d webinars, skipped %v", sum.Webinars, sum.Skipped)
	}
}
