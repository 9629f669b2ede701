package hubspottest

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const meBase = "/marketing/v3/marketing-events"

func TestMarketingEvents_upsertIsKeyedByExternalIDs(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ev := func(name string) m {
		return m{"externalAccountId": "acct", "externalEventId": "w1", "eventName": name, "eventOrganizer": "Acme",
			"startDateTime": "2026-05-01T10:00:00Z", "customProperties": []m{}}
	}
	wantStatus(t, do(t, srv, "POST", meBase+"/events/upsert", m{"inputs": []m{ev("First")}}), http.StatusOK)
	r := do(t, srv, "POST", meBase+"/events/upsert", m{"inputs": []m{ev("Renamed")}})
	wantStatus(t, r, http.StatusOK)
	events := srv.MarketingEvents()
	if len(events) != 1 || events[0].Name != "Renamed" || events[0].Writes != 2 || events[0].Start.IsZero() {
		t.Fatalf("events = %+v, want one renamed event written twice", events)
	}
	if got := results(t, r)[0]["id"]; got != events[0].ObjectID {
		t.Errorf("second upsert id = %v, want %s", got, events[0].ObjectID)
	}
	// Another account may use the same external event id.
	other := ev("Other")
	other["externalAccountId"] = "acct-2"
	wantStatus(t, do(t, srv, "POST", meBase+"/events/upsert", m{"inputs": []m{other}}), http.StatusOK)
	if n := len(srv.MarketingEvents()); n != 2 {
		t.Errorf("%d events, want 2", n)
	}
	// Duplicate keys in one batch fail the batch.
	wantStatus(t, do(t, srv, "POST", meBase+"/events/upsert", m{"inputs": []m{ev("A"), ev("B")}}), http.StatusBadRequest)
}

func TestMarketingEvents_attendanceByID(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ana := srv.SeedContact("ana@example.com", map[string]string{"firstname": "Ana"})
	wantStatus(t, do(t, srv, "POST", meBase+"/events/upsert", m{"inputs": []m{{"externalAccountId": "acct",
		"externalEventId": "w1", "eventName": "W", "eventOrganizer": "Acme", "eventCompleted": true, "customProperties": []m{}}}}), http.StatusOK)
	attend := m{"inputs": []m{
		{"vid": jsonNumber(ana), "interactionDateTime": 1777629600000, "properties": m{"joinedAt": "1777629600000", "leftAt": "1777632840000"}},
		{"vid": 424242, "interactionDateTime": 1777629600000, "properties": m{}},
	}}
	path := meBase + "/attendance/w1/attend/create?externalAccountId=acct"
	for range 2 {
		r := do(t, srv, "POST", path, attend)
		wantStatus(t, r, http.StatusOK)
		var body struct {
			Results   []struct{ Vid int64 }
			NumErrors int
			Errors    []struct {
				Category string
				Context  map[string][]string
			}
		}
		decode(t, r, &body)
		if len(body.Results) != 1 || body.NumErrors != 1 || body.Errors[0].Context["vids"][0] != "424242" {
			t.Fatalf("body = %s", r.body)
		}
	}
	if n := len(srv.Contacts()); n != 1 {
		t.Errorf("%d contacts: attendance by id created a contact", n)
	}
	want := []Participation{{ContactID: ana, Email: "ana@example.com", State: "attend",
		Properties: map[string]string{"joinedAt": "1777629600000", "leftAt": "1777632840000"}, Writes: 2}}
	got := srv.Participations("w1")
	for i := range got {
		got[i].OccurredAt = got[i].OccurredAt.UTC()
	}
	want[0].OccurredAt = got[0].OccurredAt
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("participations (-want +got):\n%s", diff)
	}
	// register is another state of the same contact; a no-show needs a registrant who did not attend.
	wantStatus(t, do(t, srv, "POST", meBase+"/attendance/w1/register/create?externalAccountId=acct",
		m{"inputs": []m{{"vid": jsonNumber(ana), "interactionDateTime": 1777600000000, "properties": m{}}}}), http.StatusOK)
	r := do(t, srv, "GET", meBase+"/events/w1?externalAccountId=acct", nil)
	wantStatus(t, r, http.StatusOK)
	body := r.json(t)
	if body["registrants"] != 1.0 || body["attendees"] != 1.0 || body["noShows"] != 0.0 {
		t.Errorf("counts = %v", body)
	}
	// Properties other than joinedAt/leftAt are refused for attend.
	r = do(t, srv, "POST", path, m{"inputs": []m{{"vid": jsonNumber(ana), "interactionDateTime": 1, "properties": m{"minutes": "3"}}}})
	if r.json(t)["numErrors"] != 1.0 {
		t.Errorf("extra property accepted: %s", r.body)
	}
}

func TestMarketingEvents_emailCreateMakesContacts(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	wantStatus(t, do(t, srv, "POST", meBase+"/events/upsert", m{"inputs": []m{{"externalAccountId": "acct",
		"externalEventId": "w1", "eventName": "W", "eventOrganizer": "Acme", "customProperties": []m{}}}}), http.StatusOK)
	r := do(t, srv, "POST", meBase+"/attendance/w1/register/email-create?externalAccountId=acct", m{"inputs": []m{
		{"email": "Zoe@Example.com", "interactionDateTime": 1, "properties": m{}, "contactProperties": m{"firstname": "Zoe"}}}})
	wantStatus(t, r, http.StatusOK)
	c, ok := srv.Contact("zoe@example.com")
	if !ok || c.Properties["firstname"] != "Zoe" {
		t.Fatalf("email-create made no contact: %+v", c)
	}
}

func TestMarketingEvents_breakdownPages(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	wantStatus(t, do(t, srv, "POST", meBase+"/events/upsert", m{"inputs": []m{{"externalAccountId": "acct",
		"externalEventId": "w1", "eventName": "W", "eventOrganizer": "Acme", "customProperties": []m{}}}}), http.StatusOK)
	var inputs []m
	for range 5 {
		id := srv.SeedContact("", nil)
		inputs = append(inputs, m{"vid": jsonNumber(id), "interactionDateTime": 1, "properties": m{}})
	}
	wantStatus(t, do(t, srv, "POST", meBase+"/attendance/w1/register/create", m{"inputs": inputs}), http.StatusOK)
	seen := 0
	after := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		r := do(t, srv, "GET", meBase+"/participations/acct/w1/breakdown?limit=2&after="+after, nil)
		wantStatus(t, r, http.StatusOK)
		var body struct {
			Total   int
			Results []m
			Paging  *struct{ Next struct{ After string } }
		}
		decode(t, r, &body)
		if body.Total != 5 {
			t.Fatalf("total = %d", body.Total)
		}
		seen += len(body.Results)
		if body.Paging == nil {
			break
		}
		after = body.Paging.Next.After
	}
	if seen != 5 {
		t.Errorf("saw %d rows, want 5", seen)
	}
}

const oauthToken = "oauth-test"

func newTimelineServer(t *testing.T) (*Server, string) {
	t.Helper()
	srv := newTestServer(t, WithToken(DefaultToken), WithOAuthToken(oauthToken), WithDeveloperKey("dev"), WithApp("77"))
	r := send(t, srv, "", "POST", "/crm/v3/timeline/77/event-templates?hapikey=dev", m{"name": "att", "objectType": "contacts",
		"tokens": []m{{"name": "minutes", "label": "Minutes", "type": "number"}}})
	wantStatus(t, r, http.StatusCreated)
	return srv, r.json(t)["id"].(string)
}

func TestTimeline_templatesNeedTheDeveloperKey(t *testing.T) {
	t.Parallel()
	srv, _ := newTimelineServer(t)
	wantStatus(t, do(t, srv, "GET", "/crm/v3/timeline/77/event-templates", nil), http.StatusUnauthorized)
	wantStatus(t, do(t, srv, "GET", "/crm/v3/timeline/77/event-templates?hapikey=wrong", nil), http.StatusUnauthorized)
	wantStatus(t, do(t, srv, "GET", "/integrators/timeline/v3/78/event-templates?hapikey=dev", nil), http.StatusNotFound)
	r := send(t, srv, "", "GET", "/integrators/timeline/v3/77/event-templates?hapikey=dev", nil)
	wantStatus(t, r, http.StatusOK)
	if n := len(results(t, r)); n != 1 {
		t.Errorf("%d templates, want 1", n)
	}
}

func TestTimeline_privateAppTokenRefused(t *testing.T) {
	t.Parallel()
	srv, tid := newTimelineServer(t)
	ev := m{"eventTemplateId": tid, "id": "e1", "email": "ana@example.com", "tokens": m{"minutes": "3"}}
	r := do(t, srv, "POST", "/crm/v3/timeline/events", ev)
	wantStatus(t, r, http.StatusForbidden)
	if len(srv.TimelineEvents()) != 0 || len(srv.Contacts()) != 0 {
		t.Error("a refused send wrote state")
	}
	wantStatus(t, send(t, srv, oauthToken, "POST", "/crm/v3/timeline/events", ev), http.StatusCreated)
}

func TestTimeline_eventIDsDedupe(t *testing.T) {
	t.Parallel()
	srv, tid := newTimelineServer(t)
	ana := srv.SeedContact("ana@example.com", nil)
	srv.SetAdditionalEmails(ana, "ana.alias@example.com")
	for _, minutes := range []string{"10", "20"} {
		r := send(t, srv, oauthToken, "POST", "/integrators/timeline/v3/events/batch/create", m{"inputs": []m{
			{"eventTemplateId": tid, "id": "att-ana", "objectId": ana, "tokens": m{"minutes": minutes}},
			{"eventTemplateId": tid, "id": "att-alias", "email": "ana.alias@example.com", "tokens": m{}},
			{"eventTemplateId": tid, "id": "att-new", "email": "new@example.com", "tokens": m{}},
		}})
		wantStatus(t, r, http.StatusCreated)
	}
	events := srv.TimelineEvents()
	if len(events) != 3 {
		t.Fatalf("%d events, want 3: %+v", len(events), events)
	}
	if e := events[0]; e.ID != "att-ana" || e.Tokens["minutes"] != "20" || e.Writes != 2 || e.ObjectID != ana {
		t.Errorf("reused id: %+v, want last write and 2 writes", e)
	}
	if events[1].ObjectID != ana {
		t.Errorf("secondary email targeted %s, want contact %s", events[1].ObjectID, ana)
	}
	if _, ok := srv.Contact("new@example.com"); !ok {
		t.Error("sending by email did not create the contact")
	}
	// By objectId no contact is made; unknown tokens and templates fail alone (207).
	r := send(t, srv, oauthToken, "POST", "/crm/v3/timeline/events/batch/create", m{"inputs": []m{
		{"eventTemplateId": tid, "id": "x1", "objectId": "999999", "tokens": m{}},
		{"eventTemplateId": tid, "id": "x2", "objectId": ana, "tokens": m{"nope": "1"}},
		{"eventTemplateId": "1", "id": "x3", "objectId": ana, "tokens": m{}},
		{"eventTemplateId": tid, "id": "x4", "objectId": ana, "tokens": m{"minutes": "x"}},
		{"eventTemplateId": tid, "id": "ok-{{uuid}}", "objectId": ana, "tokens": m{"minutes": "1"}},
	}})
	wantStatus(t, r, http.StatusMultiStatus)
	if body := r.json(t); body["numErrors"] != 4.0 || len(results(t, r)) != 1 {
		t.Errorf("body = %s", r.body)
	}
}

func TestCalls_batchCreate(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ana := srv.SeedContact("ana@example.com", nil)
	in := func(trace, ts, contact string) m {
		x := m{"properties": m{"hs_timestamp": ts, "hs_call_title": "Recording"},
			"associations": []m{{"to": m{"id": contact}, "types": []m{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}}}}}
		if trace != "" {
			x["objectWriteTraceId"] = trace
		}
		return x
	}
	// Without trace ids one bad input fails the batch.
	wantStatus(t, do(t, srv, "POST", "/crm/v3/objects/calls/batch/create", m{"inputs": []m{
		in("", "2026-05-01T10:00:00Z", ana), in("", "", ana)}}), http.StatusBadRequest)
	if len(srv.Calls()) != 0 {
		t.Fatal("a 400 batch wrote calls")
	}
	r := do(t, srv, "POST", "/crm/v3/objects/calls/batch/create", m{"inputs": []m{
		in("a", "2026-05-01T10:00:00Z", ana), in("b", "", ana), in("c", "2026-05-01T10:00:00Z", "999999")}})
	wantStatus(t, r, http.StatusMultiStatus)
	var body struct {
		Results []struct{ ID, ObjectWriteTraceID string }
		Errors  []struct{ Context map[string][]string }
	}
	decode(t, r, &body)
	if len(body.Results) != 1 || body.Results[0].ObjectWriteTraceID != "a" || len(body.Errors) != 2 {
		t.Fatalf("body = %s", r.body)
	}
	calls := srv.Calls()
	if len(calls) != 1 || !cmp.Equal(calls[0].ContactIDs, []string{ana}) || calls[0].Properties["hs_timestamp"] != "2026-05-01T10:00:00.000Z" {
		t.Fatalf("calls = %+v", calls)
	}
	r = do(t, srv, "GET", "/crm/v3/objects/calls/"+calls[0].ID+"?associations=contacts", nil)
	wantStatus(t, r, http.StatusOK)
	assoc := r.json(t)["associations"].(map[string]any)["contacts"].(map[string]any)["results"].([]any)
	if len(assoc) != 1 || assoc[0].(map[string]any)["id"] != ana {
		t.Errorf("associations = %v", assoc)
	}
}

func TestCalls_batchUpdate(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ana := srv.SeedContact("ana@example.com", nil)
	r := do(t, srv, "POST", "/crm/v3/objects/calls/batch/create", m{"inputs": []m{
		{"objectWriteTraceId": "a", "properties": m{"hs_timestamp": "2026-05-01T10:00:00Z", "hs_call_title": "Recording", "hs_call_body": "URL"},
			"associations": []m{{"to": m{"id": ana}, "types": []m{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}}}}}}})
	wantStatus(t, r, http.StatusCreated)
	id := srv.Calls()[0].ID

	// Without trace ids an unknown id fails the batch and writes nothing.
	r = do(t, srv, "POST", "/crm/v3/objects/calls/batch/update", m{"inputs": []m{
		{"id": id, "properties": m{"hs_call_body": "changed"}}, {"id": "1", "properties": m{}}}})
	wantStatus(t, r, http.StatusNotFound)
	if got := srv.Calls()[0].Properties["hs_call_body"]; got != "URL" {
		t.Fatalf("a failed batch updated the call: body %q", got)
	}

	r = do(t, srv, "POST", "/crm/v3/objects/calls/batch/update", m{"inputs": []m{
		{"id": id, "objectWriteTraceId": "u1", "properties": m{"hs_call_body": "URL\n\nTranscript: hello"}},
		{"id": "1", "objectWriteTraceId": "u2", "properties": m{"hs_call_title": "x"}},
		{"id": id + "0", "objectWriteTraceId": "u3", "properties": m{"hs_timestamp": ""}}}})
	wantStatus(t, r, http.StatusMultiStatus)
	var body struct {
		Results []struct {
			ID, ObjectWriteTraceID string
			Properties             map[string]string
		}
		Errors []struct {
			Category string
			Context  map[string][]string
		}
	}
	decode(t, r, &body)
	if len(body.Results) != 1 || body.Results[0].ID != id || body.Results[0].ObjectWriteTraceID != "u1" ||
		body.Results[0].Properties["hs_call_body"] != "URL\n\nTranscript: hello" {
		t.Fatalf("results = %+v", body.Results)
	}
	if len(body.Errors) != 2 || body.Errors[0].Category != "OBJECT_NOT_FOUND" {
		t.Fatalf("errors = %+v", body.Errors)
	}
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].ID != id || calls[0].Properties["hs_call_title"] != "Recording" ||
		!strings.Contains(calls[0].Properties["hs_call_body"], "hello") || !cmp.Equal(calls[0].ContactIDs, []string{ana}) {
		t.Errorf("calls = %+v", calls)
	}
	// hs_timestamp may be left out of an update, not cleared.
	r = do(t, srv, "POST", "/crm/v3/objects/calls/batch/update", m{"inputs": []m{{"id": id, "properties": m{"hs_timestamp": ""}}}})
	wantStatus(t, r, http.StatusBadRequest)
}

func TestAssociations_batchCreateCallsToContacts(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ana := srv.SeedContact("ana@example.com", nil)
	bo := srv.SeedContact("bo@example.com", nil)
	gone := srv.SeedContact("gone@example.com", nil)
	srv.ArchiveContact(gone)
	r := do(t, srv, "POST", "/crm/v3/objects/calls/batch/create", m{"inputs": []m{
		{"objectWriteTraceId": "a", "properties": m{"hs_timestamp": "2026-05-01T10:00:00Z"},
			"associations": []m{{"to": m{"id": ana}, "types": []m{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}}}}}}})
	wantStatus(t, r, http.StatusCreated)
	call := srv.Calls()[0].ID
	const path = "/crm/v4/associations/calls/contacts/batch/create"
	pair := func(from, to string, typ int) m {
		return m{"from": m{"id": from}, "to": m{"id": to}, "types": []m{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typ}}}
	}

	// The shape is HubSpot's v4 spec (no OpenAPI file for it in reference/openapi).
	r = do(t, srv, "POST", path, m{"inputs": []m{pair(call, ana, 194), pair(call, bo, 194)}})
	wantStatus(t, r, http.StatusCreated)
	res := results(t, r)
	for _, x := range res {
		for _, k := range []string{"fromObjectTypeId", "fromObjectId", "toObjectTypeId", "toObjectId", "labels"} {
			if _, ok := x[k]; !ok {
				t.Errorf("result %v has no %s", x, k)
			}
		}
	}
	if body := r.json(t); len(res) != 2 || body["status"] != "COMPLETE" || body["startedAt"] == nil || body["completedAt"] == nil {
		t.Errorf("body = %s", r.body)
	}
	if got := srv.Calls()[0].ContactIDs; !cmp.Equal(got, []string{ana, bo}) {
		t.Errorf("contacts = %v, want ana then bo, once each", got)
	}

	r = do(t, srv, "POST", path, m{"inputs": []m{pair(call, "999999", 194), pair("1", ana, 194), pair(call, gone, 194)}})
	wantStatus(t, r, http.StatusMultiStatus)
	var body struct {
		NumErrors int
		Errors    []struct{ Context map[string][]string }
	}
	decode(t, r, &body)
	if body.NumErrors != 3 || body.Errors[0].Context["objectType"][0] != "CONTACT" || body.Errors[1].Context["objectId"][0] != "1" {
		t.Errorf("body = %s", r.body)
	}

	for name, tc := range map[string]struct {
		path string
		body any
	}{
		"other type":    {path, m{"inputs": []m{pair(call, ana, 1)}}},
		"no types":      {path, m{"inputs": []m{{"from": m{"id": call}, "to": m{"id": ana}}}}},
		"no to":         {path, m{"inputs": []m{{"from": m{"id": call}, "types": []m{}}}}},
		"other objects": {"/crm/v4/associations/contacts/companies/batch/create", m{"inputs": []m{pair(ana, "1", 279)}}},
		"too many":      {path, m{"inputs": slices.Repeat([]m{pair(call, ana, 194)}, 101)}},
	} {
		if r := do(t, srv, "POST", tc.path, tc.body); r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400; body %s", name, r.status, r.body)
		}
	}
}
