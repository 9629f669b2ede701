package load

import (
	"testing"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// TestActivity_marketingEventsNameTheirSession: an instance that is a
// session of its own keeps the plain description; when a host drop split the
// session (a second instance with the same session_id), each instance stays
// its own marketing event and both descriptions name the session: the one
// sent before is updated, the new one created.
func TestActivity_marketingEventsNameTheirSession(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newActivityDB(t)
	loadAll(t, client, db, "run-1", false, false)
	if evs := hs.MarketingEvents(); len(evs) != 1 || evs[0].Description != "Zoom webinar 1" {
		t.Fatalf("marketing events = %+v, want one described %q", evs, "Zoom webinar 1")
	}
	if _, err := db.ExecContext(t.Context(), `INSERT INTO marketing_events
		SELECT 'zoom-' || left(sha256('u/2=='), 32), 'u/2==', 1, 'Roadmap', TIMESTAMPTZ '2026-05-02 11:05:00+00',
		       TIMESTAMPTZ '2026-05-02 11:30:00+00', 'https://zoom.us/j/1', 0, 0, 'u/1=='`); err != nil {
		t.Fatal(err)
	}
	sum := loadAll(t, client, db, "run-2", false, false)
	if sum.MarketingEvents.Created != 1 || sum.MarketingEvents.Updated != 1 {
		t.Errorf("marketing events %+v, want 1 created (the second instance) and 1 updated (the first names its session)", sum.MarketingEvents)
	}
	evs := hs.MarketingEvents()
	if len(evs) != 2 {
		t.Fatalf("%d marketing events, want one per instance (2)", len(evs))
	}
	want := "Zoom webinar 1, one of the 2 instances of session u/1== (the host's connection dropped)"
	for _, e := range evs {
		if e.Description != want {
			t.Errorf("%s: description %q, want %q", e.ExternalEventID, e.Description, want)
		}
	}
}
