package zoom

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

// TestEventsService_ListIter_andSessions walks both event listings a page at a time and
// reads each event's sessions: the webinar sessions are the account's Zoom Events webinars,
// and each call went under the Light label.
func TestEventsService_ListIter_andSessions(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	var ids []string
	got := map[int64]bool{}
	for _, st := range []string{EventStatusUpcoming, EventStatusPast} {
		opts := &EventListOptions{RoleType: "host", Status: st, ListOptions: ListOptions{PageSize: 1}}
		for e, err := range f.client.Events.ListIter(t.Context(), opts) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.EventID)
			ss, resp, err := f.client.Events.ListSessions(t.Context(), e.EventID)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || len(ss) == 0 {
				t.Errorf("event %s: %d, %d sessions", e.EventID, resp.StatusCode, len(ss))
			}
			for _, s := range ss {
				if s.Type == SessionTypeWebinar {
					got[s.WebinarID] = true
				}
			}
		}
		if opts.NextPageToken != "" {
			t.Error("ListIter changed the caller's options")
		}
	}
	var want []string
	for _, e := range f.acct.Events {
		want = append(want, e.ID)
	}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("events %v, want %v", ids, want)
	}
	if fmt.Sprint(got) != fmt.Sprint(f.acct.EventWebinarIDs()) {
		t.Errorf("webinar sessions %v, want %v", got, f.acct.EventWebinarIDs())
	}
	for _, p := range []string{"zoom_events/events", "zoom_events/events/abc/sessions"} {
		if c := categoryOf("GET", p); c != CategoryLight {
			t.Errorf("GET %s is %s, want Light", p, c)
		}
	}
}

// TestEventsService_List_missingScope: an app without the Zoom Events scope gets
// ErrMissingScope, which the extractor tolerates.
func TestEventsService_List_missingScope(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(7)
	acct.NoZoomEventsScope = true
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	t.Cleanup(srv.Close)
	f := setup(t, nil, WithBaseURL(srv.APIURL()), WithOAuthURL(srv.OAuthURL()))
	_, _, err := f.client.Events.List(t.Context(), &EventListOptions{RoleType: "host"})
	var apiErr *APIError
	if !errors.Is(err, ErrMissingScope) || !errors.As(err, &apiErr) || apiErr.Code != 4711 {
		t.Fatalf("err = %v, want ErrMissingScope (4711)", err)
	}
}
