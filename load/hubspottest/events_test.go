package hubspottest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var testDefinition = m{"name": "zoom_test", "label": "Zoom test", "primaryObject": "CONTACT",
	"propertyDefinitions": []m{{"name": "webinar_id", "label": "Webinar id", "type": "string"}}}

// TestServer_customEvents_tierAndScopes: custom events need an Enterprise
// portal and each route its scope; otherwise 403 with the documented body.
func TestServer_customEvents_tierAndScopes(t *testing.T) {
	t.Parallel()
	pro := newTestServer(t)
	r := do(t, pro, "GET", "/events/v3/event-definitions", nil)
	wantStatus(t, r, http.StatusForbidden)
	if b := r.json(t); b["category"] != "FORBIDDEN" || !strings.Contains(b["message"].(string), "Enterprise") {
		t.Errorf("professional portal: %s", r.body)
	}
	if ent := newTestServer(t, WithTier("enterprise")); do(t, ent, "GET", "/events/v3/event-definitions", nil).status != http.StatusOK {
		t.Error("WithTier(enterprise) does not allow custom events")
	}
	noSend := newTestServer(t, WithHubTier("enterprise"), WithMissingScopes(ScopeEventsSend))
	wantStatus(t, do(t, noSend, "POST", "/events/v3/event-definitions", testDefinition), http.StatusCreated)
	r = do(t, noSend, "POST", "/events/v3/send/batch", m{"inputs": []m{}})
	wantStatus(t, r, http.StatusForbidden)
	var body errorBody
	decode(t, r, &body)
	if body.Category != "MISSING_SCOPES" || len(body.Errors) != 1 ||
		!slices.Equal(body.Errors[0].Context["requiredGranularScopes"], []string{ScopeEventsSend}) {
		t.Errorf("missing send scope: %s", r.body)
	}
}

// TestServer_customEvents_sendStoresEverySend: a definition is unique by
// name (409), sends are 204, a resend is a second occurrence, and
// GET /events/v3/events filters by contact, event type and property.
func TestServer_customEvents_sendStoresEverySend(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithHubTier("enterprise"))
	r := do(t, srv, "POST", "/events/v3/event-definitions", testDefinition)
	wantStatus(t, r, http.StatusCreated)
	fqn := r.json(t)["fullyQualifiedName"].(string)
	if fqn != "pe"+strconv.FormatInt(DefaultPortalID, 10)+"_zoom_test" {
		t.Errorf("fullyQualifiedName = %q", fqn)
	}
	wantStatus(t, do(t, srv, "POST", "/events/v3/event-definitions", testDefinition), http.StatusConflict)
	wantStatus(t, do(t, srv, "GET", "/events/v3/event-definitions/zoom_test", nil), http.StatusOK)
	wantStatus(t, do(t, srv, "GET", "/events/v3/event-definitions/zoom_nope", nil), http.StatusNotFound)

	up := do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", upsertBody(m{"id": "ana@example.com"}))
	wantStatus(t, up, http.StatusOK)
	cid := results(t, up)[0]["id"].(string)
	ev := m{"eventName": fqn, "objectId": cid, "occurredAt": "2026-05-01T10:00:00Z", "properties": m{"webinar_id": "81"}}
	for range 2 {
		r = do(t, srv, "POST", "/events/v3/send/batch", m{"inputs": []m{ev}})
		wantStatus(t, r, http.StatusNoContent)
	}
	if n := len(srv.CustomEvents()); n != 2 {
		t.Errorf("%d occurrences after two sends, want 2 (HubSpot does not deduplicate)", n)
	}
	bad := m{"eventName": fqn, "objectId": cid, "properties": m{"nope": "x"}}
	r = do(t, srv, "POST", "/events/v3/send/batch", m{"inputs": []m{ev, bad}})
	wantStatus(t, r, http.StatusBadRequest)
	if n := len(srv.CustomEvents()); n != 2 {
		t.Errorf("a refused batch stored events: %d", n)
	}
	r = do(t, srv, "GET", "/events/v3/events?objectType=contact&objectId="+cid+"&eventType="+fqn+"&property.webinar_id=81", nil)
	wantStatus(t, r, http.StatusOK)
	if got := results(t, r); len(got) != 2 || got[0]["objectType"] != "contact" {
		t.Errorf("occurrences = %v", got)
	}
	r = do(t, srv, "GET", "/events/v3/events?objectType=contact&objectId="+cid+"&property.webinar_id=82", nil)
	if got := results(t, r); len(got) != 0 {
		t.Errorf("property filter ignored: %v", got)
	}
}

// TestServer_timeline_newAppRefusedTemplates: an app without timeline
// events gets no template (403); the default app does.
func TestServer_timeline_newAppRefusedTemplates(t *testing.T) {
	t.Parallel()
	tmpl := m{"name": "t", "objectType": "contacts", "tokens": []m{}}
	path := "/crm/v3/timeline/" + DefaultAppID + "/event-templates?hapikey=" + DefaultDeveloperKey
	r := do(t, newTestServer(t, WithNewApp()), "POST", path, tmpl)
	wantStatus(t, r, http.StatusForbidden)
	if !strings.Contains(string(r.body), "only available for app partners with existing v1/v3 timeline events") {
		t.Errorf("new app: %s", r.body)
	}
	wantStatus(t, do(t, newTestServer(t), "POST", path, tmpl), http.StatusCreated)
}

// TestContract_timeline_newApp checks the refusal of a template to an app
// without timeline events against the timeline spec (its default Error
// response). The custom events routes have no spec in reference/openapi.
func TestContract_timeline_newApp(t *testing.T) {
	t.Parallel()
	doc := timelineSpec.load(t) // skips when the specs are absent
	srv := newTestServer(t, WithNewApp())
	const template = "/integrators/timeline/v3/{appId}/event-templates"
	path := "/integrators/timeline/v3/" + DefaultAppID + "/event-templates?hapikey=" + DefaultDeveloperKey
	r := do(t, srv, "POST", path, m{"name": "t", "objectType": "contacts", "tokens": []m{}})
	wantStatus(t, r, http.StatusForbidden)
	validateResponse(t, doc, template, "POST", srv.URL+path, r)
}
