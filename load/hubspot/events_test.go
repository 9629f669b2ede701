package hubspot

import (
	"errors"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspottest"
)

func testDefinition() *EventDefinitionInput {
	return &EventDefinitionInput{Name: "zoom_test", Label: "Zoom test", PrimaryObject: "CONTACT",
		PropertyDefinitions: []EventProperty{{Name: "webinar_id", Label: "Webinar id", Type: "string"}}}
}

// TestEventsService_unavailable: a portal without Enterprise and a token
// without the scope give errors that Is ErrCustomEventsUnavailable (the
// second also ErrMissingScopes).
func TestEventsService_unavailable(t *testing.T) {
	t.Parallel()
	_, c := setup(t, []hubspottest.Option{hubspottest.WithHubTier("professional")})
	_, _, err := c.Events.GetDefinition(t.Context(), "zoom_test")
	if !errors.Is(err, ErrCustomEventsUnavailable) || errors.Is(err, ErrMissingScopes) {
		t.Errorf("professional portal: %v", err)
	}
	_, c = setup(t, []hubspottest.Option{hubspottest.WithHubTier("enterprise"), hubspottest.WithMissingScopes(ScopeEventDefinitions)})
	_, _, err = c.Events.ListDefinitions(t.Context(), "", "")
	if !errors.Is(err, ErrCustomEventsUnavailable) || !errors.Is(err, ErrMissingScopes) {
		t.Errorf("missing scope: %v", err)
	}
}

// TestEventsService_definitionsAndSend creates a definition (a second
// create is a conflict), sends an occurrence and reads it back by property.
func TestEventsService_definitionsAndSend(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithHubTier("enterprise")})
	ctx := t.Context()
	d, _, err := c.Events.CreateDefinition(ctx, testDefinition())
	if err != nil || d.FullyQualifiedName == "" || len(d.Properties) != 1 {
		t.Fatalf("create = %+v, %v", d, err)
	}
	if _, _, err := c.Events.CreateDefinition(ctx, testDefinition()); !errors.Is(err, ErrConflict) {
		t.Errorf("second create: %v, want a conflict", err)
	}
	if got, _, err := c.Events.GetDefinition(ctx, "zoom_test"); err != nil || got.FullyQualifiedName != d.FullyQualifiedName {
		t.Errorf("get = %+v, %v", got, err)
	}
	cid := srv.SeedContact("ana@example.com", nil)
	ev := &CustomEvent{EventName: d.FullyQualifiedName, ObjectID: cid, OccurredAt: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC),
		Properties: map[string]string{"webinar_id": "81"}, UUID: "0c8f7a0e-0000-4000-8000-000000000001"}
	if _, err := c.Events.SendBatch(ctx, []*CustomEvent{ev}); err != nil {
		t.Fatal(err)
	}
	occ, _, err := c.Events.ListOccurrences(ctx, OccurrenceFilter{ContactID: cid, EventType: d.FullyQualifiedName,
		Property: map[string]string{"webinar_id": "81"}}, "")
	if err != nil || len(occ) != 1 || occ[0].ObjectID != cid || !occ[0].OccurredAt.Equal(ev.OccurredAt) {
		t.Errorf("occurrences = %+v, %v", occ, err)
	}
}

// TestEventsService_SendBatch_lostAnswerNotResent: a batch whose answer is
// lost after HubSpot stored it is not resent (it would be a duplicate): the
// error Is ErrUnknownOutcome and HubSpot holds one occurrence.
func TestEventsService_SendBatch_lostAnswerNotResent(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithHubTier("enterprise"),
		hubspottest.WithFault(hubspottest.Fault{Path: "/events/v3/send", Kind: hubspottest.Fault504AfterCommit, Times: -1})})
	d, _, err := c.Events.CreateDefinition(t.Context(), testDefinition())
	if err != nil {
		t.Fatal(err)
	}
	cid := srv.SeedContact("ana@example.com", nil)
	_, err = c.Events.SendBatch(t.Context(), []*CustomEvent{{EventName: d.FullyQualifiedName, ObjectID: cid,
		Properties: map[string]string{"webinar_id": "81"}}})
	if !errors.Is(err, ErrUnknownOutcome) {
		t.Errorf("err = %v, want an unknown outcome", err)
	}
	if n := len(srv.CustomEvents()); n != 1 || len(statuses(srv, "/events/v3/send")) != 1 {
		t.Errorf("%d occurrences from %d sends, want 1 from 1", n, len(statuses(srv, "/events/v3/send")))
	}
}

// TestTimelineService_CreateTemplate_newApp: HubSpot refuses templates to
// an app without timeline events: ErrTimelineUnavailable.
func TestTimelineService_CreateTemplate_newApp(t *testing.T) {
	t.Parallel()
	_, c := setupActivity(t)
	_, c2 := setup(t, []hubspottest.Option{hubspottest.WithDeveloperKey(testDevKey), hubspottest.WithApp(testApp), hubspottest.WithNewApp()},
		WithDeveloperKey(testDevKey), WithApp(testApp))
	tmpl := &EventTemplate{Name: "t", Tokens: []TemplateToken{}}
	if _, _, err := c2.Timeline.CreateTemplate(t.Context(), tmpl); !errors.Is(err, ErrTimelineUnavailable) {
		t.Errorf("new app: %v", err)
	}
	if _, _, err := c.Timeline.CreateTemplate(t.Context(), tmpl); err != nil {
		t.Errorf("app with timeline events: %v", err)
	}
}
