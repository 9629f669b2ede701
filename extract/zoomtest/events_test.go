package zoomtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The Zoom Events routes are in neither OpenAPI export of reference/ (they are the
// Webinars Plus & Events API, a spec of its own). Their shapes are declared here from
// Zoom's reference of that API (developers.zoom.us/docs/api/events: "List events", "List
// sessions"), the fields the simulator serves being a subset of what Zoom documents.

const eventsPageSchemaJSON = `{"type": "object", "required": ["events"], "properties": {
  "total_records": {"type": "integer"}, "next_page_token": {"type": "string"},
  "events": {"type": "array", "items": {"type": "object", "required": ["event_id"], "properties": {
    "event_id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
    "timezone": {"type": "string"}, "event_type": {"type": "string", "enum": ["SIMPLE_EVENT", "CONFERENCE", "RECURRING"]},
    "status": {"type": "string", "enum": ["PUBLISHED", "DRAFT", "CANCELLED"]}, "hub_id": {"type": "string"},
    "start_time": {"type": "string", "format": "date-time"}, "end_time": {"type": "string", "format": "date-time"}}}}}}`

const sessionsSchemaJSON = `{"type": "object", "required": ["sessions"], "properties": {
  "total_records": {"type": "integer"},
  "sessions": {"type": "array", "items": {"type": "object", "required": ["session_id", "type"], "properties": {
    "session_id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
    "type": {"type": "integer", "enum": [0, 2, 4]},
    "webinar_id": {"type": "integer", "format": "int64"}, "meeting_id": {"type": "integer", "format": "int64"},
    "start_time": {"type": "string", "format": "date-time"}, "end_time": {"type": "string", "format": "date-time"},
    "timezone": {"type": "string"}}}}}}`

// eventsErrorSchemaJSON is Zoom's error body, with the field list of a validation error.
const eventsErrorSchemaJSON = `{"type": "object", "required": ["code", "message"], "properties": {
  "code": {"type": "integer"}, "message": {"type": "string"},
  "errors": {"type": "array", "items": {"type": "object", "properties": {
    "field": {"type": "string"}, "message": {"type": "string"}}}}}}`

// checkShape validates a JSON answer against a schema, undeclared fields included.
func checkShape(res result, src string) error {
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q", ct)
	}
	var sch openapi3.Schema
	if err := json.Unmarshal([]byte(src), &sch); err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(res.body, &v); err != nil {
		return err
	}
	if err := sch.VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
		return err
	}
	if extra := undeclared(&sch, v, "", nil); len(extra) > 0 {
		return fmt.Errorf("fields not in the shape: %v", extra)
	}
	return nil
}

// TestContract_zoomEvents validates the Zoom Events routes: both listings of the demo
// account's events, page by page, the sessions of each (whose webinar sessions are exactly
// Account.EventWebinarIDs), and the documented errors: an invalid filter (400/300), an
// unknown event (404/2002), a token without the scope (400/4711).
func TestContract_zoomEvents(t *testing.T) {
	t.Parallel()
	acct := DemoAccount(1)
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	check := func(pathQuery string, wantStatus int, shape string) result {
		t.Helper()
		res := get(t, s, tok, pathQuery)
		if res.status != wantStatus {
			t.Fatalf("GET %s: %d, want %d: %s", pathQuery, res.status, wantStatus, res.body)
		}
		if wantStatus != http.StatusOK {
			shape = eventsErrorSchemaJSON
		}
		if err := checkShape(res, shape); err != nil {
			t.Fatalf("GET %s: %v\nbody: %.400s", pathQuery, err, res.body)
		}
		return res
	}
	got := map[int64]bool{}
	listed := 0
	for _, st := range []string{"upcoming", "past"} {
		next := ""
		for {
			q := "/zoom_events/events?role_type=host&page_size=1&event_status_type=" + st
			if next != "" {
				q += "&next_page_token=" + next
			}
			var page eventsPage
			json.Unmarshal(check(q, 200, eventsPageSchemaJSON).body, &page)
			for _, e := range page.Events {
				listed++
				var ss sessionsJSON
				json.Unmarshal(check("/zoom_events/events/"+e.EventID+"/sessions", 200, sessionsSchemaJSON).body, &ss)
				for _, x := range ss.Sessions {
					if x.Type == 2 {
						got[x.WebinarID] = true
					}
				}
			}
			if next = page.NextPageToken; next == "" {
				break
			}
		}
	}
	if want := acct.EventWebinarIDs(); listed != len(acct.Events) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listed %d events with webinars %v; want %d events, webinars %v", listed, got, len(acct.Events), want)
	}
	for _, w := range acct.Webinars {
		if got[w.ID] && !w.Expired && w.Type != 5 {
			t.Errorf("Zoom Events webinar %d has type %d", w.ID, w.Type)
		}
	}
	check("/zoom_events/events?role_type=attendee&event_status_type=past", 200, eventsPageSchemaJSON)
	check("/zoom_events/events?role_type=attendee&event_status_type=draft", 400, "")
	check("/zoom_events/events?event_status_type=finished", 400, "")
	check("/zoom_events/events/nosuchevent/sessions", 404, "")

	noScope := DemoAccount(1)
	noScope.NoZoomEventsScope = true
	s2 := startServer(t, noScope, WithPlan("unlimited"))
	res := get(t, s2, token(t, s2), "/zoom_events/events?role_type=host")
	if res.status != 400 || res.errBody(t).Code != 4711 {
		t.Errorf("without the scope: %d %s, want 400 code 4711", res.status, res.body)
	}
}
