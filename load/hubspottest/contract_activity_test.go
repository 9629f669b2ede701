package hubspottest

import (
	"fmt"
	"slices"
	"testing"
)

var (
	marketingSpec = &specFile{name: "marketing-events.v3.json"}
	timelineSpec  = &specFile{name: "timeline.v3.json"}
	callsSpec     = &specFile{name: "calls.v3.json"}
)

// TestContract_activity checks every CRM-activity operation (marketing
// events, timeline events, calls) against the official specs: success,
// 207 and error bodies.
func TestContract_activity(t *testing.T) {
	t.Parallel()
	marketingSpec.load(t) // skip early when the specs are absent

	const oauth = "oauth-public-app"
	srv := newTestServer(t, WithTier("unlimited"), WithToken(DefaultToken), WithOAuthToken(oauth))
	ana := srv.SeedContact("ana@example.com", map[string]string{"firstname": "Ana", "lastname": "Silva"})
	bo := srv.SeedContact("bo@example.com", nil)
	srv.SetAdditionalEmails(bo, "bo.alias@example.com")
	gone := srv.SeedContact("gone@example.com", nil)
	srv.ArchiveContact(gone)

	const (
		meBase      = "/marketing/v3/marketing-events"
		meUpsert    = meBase + "/events/upsert"
		meEvent     = meBase + "/events/{externalEventId}"
		meAttend    = meBase + "/attendance/{externalEventId}/{subscriberState}/create"
		meAttendEm  = meBase + "/attendance/{externalEventId}/{subscriberState}/email-create"
		meCounters  = meBase + "/participations/{externalAccountId}/{externalEventId}"
		meBreakdown = meBase + "/participations/{externalAccountId}/{externalEventId}/breakdown"

		tlTemplates = "/integrators/timeline/v3/{appId}/event-templates"
		tlTemplate  = "/integrators/timeline/v3/{appId}/event-templates/{eventTemplateId}"
		tlEvents    = "/integrators/timeline/v3/events"
		tlBatch     = "/integrators/timeline/v3/events/batch/create"
		tlEvent     = "/integrators/timeline/v3/events/{eventTemplateId}/{eventId}"

		callsCreate = "/crm/v3/objects/calls/batch/create"
		callsRead   = "/crm/v3/objects/calls/batch/read"
		callsUpdate = "/crm/v3/objects/calls/batch/update"
		callOne     = "/crm/v3/objects/calls/{callId}"
	)
	event := func(id string) m {
		return m{"externalAccountId": "zoom-acct-1", "externalEventId": id, "eventName": "Roadmap " + id,
			"eventOrganizer": "Acme", "eventType": "WEBINAR", "startDateTime": "2026-05-01T10:00:00Z",
			"endDateTime": "2026-05-01T11:00:00Z", "eventUrl": "https://zoom.us/w/1", "eventCompleted": true,
			"customProperties": []m{}}
	}
	withProp := event("w2")
	withProp["customProperties"] = []m{{"name": "hs_object_id", "value": "1"}} // read-only → 400
	tooMany := make([]m, 101)
	for i := range tooMany {
		tooMany[i] = event(fmt.Sprint("bulk", i))
	}
	attend := func(vids ...string) m {
		var in []m
		for _, v := range vids {
			in = append(in, m{"vid": jsonNumber(v), "interactionDateTime": 1777629600000,
				"properties": m{"joinedAt": "1777629600000", "leftAt": "1777632840000"}})
		}
		return m{"inputs": in}
	}
	app := "/crm/v3/timeline/" + DefaultAppID + "/event-templates?hapikey=" + DefaultDeveloperKey
	template := m{"name": "zoom_webinar_attendance", "objectType": "contacts",
		"headerTemplate": "Attended {{webinarName}}", "detailTemplate": "{{minutesPresent}} min",
		"tokens": []m{{"name": "webinarName", "label": "Webinar", "type": "string"},
			{"name": "minutesPresent", "label": "Minutes", "type": "number"},
			{"name": "joinedAt", "label": "Joined", "type": "date"},
			{"name": "kind", "label": "Kind", "type": "enumeration", "options": []m{{"label": "Live", "value": "live"}}}}}
	// The template id is made by the first case; the simulator numbers from 1001298.
	const tid = "1001298"
	tlEv := func(id, email string, tokens m) m {
		return m{"eventTemplateId": tid, "id": id, "email": email, "tokens": tokens, "timestamp": "2026-05-01T10:00:00Z",
			"extraData": m{"sessions": []m{{"join": "10:00", "leave": "10:54"}}}}
	}
	call := func(trace, timestamp, contact string) m {
		props := m{"hs_call_title": "Webinar recording", "hs_call_body": "Transcript …",
			"hs_call_recording_url": "https://zoom.us/rec/1.mp4", "hs_call_duration": "3600000",
			"hs_call_direction": "OUTBOUND", "hs_call_status": "COMPLETED"}
		if timestamp != "" {
			props["hs_timestamp"] = timestamp
		}
		in := m{"properties": props, "associations": []m{{"to": m{"id": contact},
			"types": []m{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}}}}}
		if trace != "" {
			in["objectWriteTraceId"] = trace
		}
		return in
	}

	cases := []contractCase{
		// Marketing events.
		{"upsert events", marketingSpec, meUpsert, "POST", meUpsert, m{"inputs": []m{event("w1"), event("w0")}}, "", 200},
		{"upsert again", marketingSpec, meUpsert, "POST", meUpsert, m{"inputs": []m{event("w1")}}, "", 200},
		{"upsert missing name", marketingSpec, meUpsert, "POST", meUpsert, m{"inputs": []m{{"externalAccountId": "a", "externalEventId": "x"}}}, "", 400},
		{"upsert bad property", marketingSpec, meUpsert, "POST", meUpsert, m{"inputs": []m{withProp}}, "", 400},
		{"upsert too many", marketingSpec, meUpsert, "POST", meUpsert, m{"inputs": tooMany}, "", 400},
		{"upsert no auth", marketingSpec, meUpsert, "POST", meUpsert, m{"inputs": []m{event("w1")}}, "-", 401},
		{"attend", marketingSpec, meAttend, "POST", meBase + "/attendance/w1/attend/create?externalAccountId=zoom-acct-1", attend(ana, bo), "", 200},
		{"attend unknown vid", marketingSpec, meAttend, "POST", meBase + "/attendance/w1/attend/create?externalAccountId=zoom-acct-1", attend(ana, "999999", gone), "", 200},
		{"register", marketingSpec, meAttend, "POST", meBase + "/attendance/w1/register/create?externalAccountId=zoom-acct-1",
			m{"inputs": []m{{"vid": jsonNumber(ana), "interactionDateTime": 1777600000000, "properties": m{}}}}, "", 200},
		{"attend bad state", marketingSpec, meAttend, "POST", meBase + "/attendance/w1/joined/create?externalAccountId=zoom-acct-1", attend(ana), "", 400},
		{"attend no event", marketingSpec, meAttend, "POST", meBase + "/attendance/nope/attend/create?externalAccountId=zoom-acct-1", attend(ana), "", 404},
		{"email-create", marketingSpec, meAttendEm, "POST", meBase + "/attendance/w0/register/email-create?externalAccountId=zoom-acct-1",
			m{"inputs": []m{{"email": "new@example.com", "interactionDateTime": 1777600000000, "properties": m{}, "contactProperties": m{"firstname": "New"}},
				{"email": "bad@example.con", "interactionDateTime": 1777600000000, "properties": m{}, "contactProperties": m{}}}}, "", 200},
		{"get event", marketingSpec, meEvent, "GET", meBase + "/events/w1?externalAccountId=zoom-acct-1", nil, "", 200},
		{"get event missing", marketingSpec, meEvent, "GET", meBase + "/events/nope?externalAccountId=zoom-acct-1", nil, "", 404},
		{"get event no account", marketingSpec, meEvent, "GET", meBase + "/events/w1", nil, "", 400},
		{"counters", marketingSpec, meCounters, "GET", meBase + "/participations/zoom-acct-1/w1", nil, "", 200},
		{"breakdown", marketingSpec, meBreakdown, "GET", meBase + "/participations/zoom-acct-1/w1/breakdown?limit=2", nil, "", 200},
		{"breakdown attended", marketingSpec, meBreakdown, "GET", meBase + "/participations/zoom-acct-1/w1/breakdown?state=ATTENDED", nil, "", 200},
		{"breakdown missing", marketingSpec, meBreakdown, "GET", meBase + "/participations/zoom-acct-1/nope/breakdown", nil, "", 404},

		// Timeline: templates with the developer key, events with an OAuth token.
		{"template create", timelineSpec, tlTemplates, "POST", app, template, "", 201},
		{"template invalid", timelineSpec, tlTemplates, "POST", app, m{"name": "x", "objectType": "contacts",
			"tokens": []m{{"name": "bad name", "label": "x", "type": "string"}}}, "", 400},
		{"template no key", timelineSpec, tlTemplates, "POST", "/crm/v3/timeline/" + DefaultAppID + "/event-templates", template, "", 401},
		{"templates", timelineSpec, tlTemplates, "GET", app, nil, "", 200},
		{"template", timelineSpec, tlTemplate, "GET", "/integrators/timeline/v3/" + DefaultAppID + "/event-templates/" + tid + "?hapikey=" + DefaultDeveloperKey, nil, "", 200},
		{"template other app", timelineSpec, tlTemplates, "GET", "/crm/v3/timeline/1/event-templates?hapikey=" + DefaultDeveloperKey, nil, "", 404},
		{"event", timelineSpec, tlEvents, "POST", "/crm/v3/timeline/events",
			tlEv("att-1", "ana@example.com", m{"webinarName": "Roadmap", "minutesPresent": "54"}), oauth, 201},
		{"event private token", timelineSpec, tlEvents, "POST", "/crm/v3/timeline/events",
			tlEv("att-1", "ana@example.com", m{"webinarName": "Roadmap"}), "", 403},
		{"event bad token", timelineSpec, tlEvents, "POST", tlEvents, tlEv("att-2", "ana@example.com", m{"nope": "x"}), oauth, 400},
		{"events batch", timelineSpec, tlBatch, "POST", tlBatch, m{"inputs": []m{
			tlEv("att-1", "ana@example.com", m{"minutesPresent": "55", "kind": "live"}),
			tlEv("att-3", "carl@example.com", m{"joinedAt": "1777629600000"})}}, oauth, 201},
		{"events batch partial", timelineSpec, tlBatch, "POST", "/crm/v3/timeline/events/batch/create", m{"inputs": []m{
			tlEv("att-4", "bo.alias@example.com", m{}),
			tlEv("att-5", "ana@example.com", m{"minutesPresent": "many"}),
			{"eventTemplateId": "1", "id": "att-6", "objectId": ana, "tokens": m{}}}}, oauth, 207},
		{"get timeline event", timelineSpec, tlEvent, "GET", "/integrators/timeline/v3/events/" + tid + "/att-1", nil, oauth, 200},
		{"get timeline event missing", timelineSpec, tlEvent, "GET", "/crm/v3/timeline/events/" + tid + "/nope", nil, oauth, 404},

		// Calls.
		{"calls create", callsSpec, callsCreate, "POST", callsCreate, m{"inputs": []m{
			call("rec-1", "2026-05-01T10:00:00Z", ana), call("rec-2", "1777629600000", bo)}}, "", 201},
		{"calls partial", callsSpec, callsCreate, "POST", callsCreate, m{"inputs": []m{
			call("rec-3", "2026-05-01T10:00:00Z", ana), call("rec-4", "", ana), call("rec-5", "2026-05-01T10:00:00Z", "999999")}}, "", 207},
		{"calls invalid untraced", callsSpec, callsCreate, "POST", callsCreate, m{"inputs": []m{call("", "", ana)}}, "", 400},
		{"calls read", callsSpec, callsRead, "POST", callsRead, m{"inputs": []m{{"id": "50001"}},
			"properties": []string{"hs_call_title"}, "propertiesWithHistory": []string{}}, "", 200},
		{"calls read missing", callsSpec, callsRead, "POST", callsRead, m{"inputs": []m{{"id": "50001"}, {"id": "1"}},
			"properties": []string{}, "propertiesWithHistory": []string{}}, "", 207},
		{"call", callsSpec, callOne, "GET", "/crm/v3/objects/calls/50001?associations=contacts&properties=hs_call_title,hs_timestamp", nil, "", 200},
		{"call missing", callsSpec, callOne, "GET", "/crm/v3/objects/calls/1", nil, "", 404},
		{"calls update", callsSpec, callsUpdate, "POST", callsUpdate, m{"inputs": []m{
			{"id": "50001", "objectWriteTraceId": "u-1", "properties": m{"hs_call_body": "Transcript, in full"}},
			{"id": "50002", "properties": m{}}}}, "", 200},
		{"calls update partial", callsSpec, callsUpdate, "POST", callsUpdate, m{"inputs": []m{
			{"id": "50001", "objectWriteTraceId": "u-1", "properties": m{"hs_call_title": "Renamed"}},
			{"id": "50002", "objectWriteTraceId": "u-2", "properties": m{"hs_call_duration": "long"}},
			{"id": "1", "objectWriteTraceId": "u-3", "properties": m{"hs_call_title": "x"}}}}, "", 207},
		{"calls update unknown untraced", callsSpec, callsUpdate, "POST", callsUpdate, m{"inputs": []m{
			{"id": "1", "properties": m{"hs_call_title": "x"}}}}, "", 404},
		{"calls update invalid untraced", callsSpec, callsUpdate, "POST", callsUpdate, m{"inputs": []m{
			{"id": "50001", "properties": m{"nope": "x"}}}}, "", 400},
		{"calls update duplicate", callsSpec, callsUpdate, "POST", callsUpdate, m{"inputs": []m{
			{"id": "50001", "properties": m{}}, {"id": "50001", "properties": m{}}}}, "", 400},
		{"calls update no id", callsSpec, callsUpdate, "POST", callsUpdate, m{"inputs": []m{{"properties": m{}}}}, "", 400},
		{"calls update too many", callsSpec, callsUpdate, "POST", callsUpdate, m{"inputs": slices.Repeat([]m{{"id": "50001", "properties": m{}}}, 101)}, "", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := DefaultToken
			switch tc.token {
			case "-":
				token = ""
			case "":
			default:
				token = tc.token
			}
			r := send(t, srv, token, tc.method, tc.path, tc.body)
			wantStatus(t, r, tc.wantStatus)
			validateResponse(t, tc.spec.load(t), tc.template, tc.method, srv.URL+tc.path, r)
		})
	}
}

// jsonNumber turns a numeric id into a JSON number for bodies typed int64.
type jsonNumber string

func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }
