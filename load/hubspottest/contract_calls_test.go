package hubspottest

import "testing"

// TestContract_calls checks the calls upsert, the objects list route and the
// unique-value conflicts against calls.v3.json, and the account details
// shape.
func TestContract_calls(t *testing.T) {
	t.Parallel()
	callsSpec.load(t) // skip early (or fail under CI) when the specs are absent
	srv := newCallsServer(t)
	const (
		upsert = "/crm/v3/objects/calls/batch/upsert"
		create = "/crm/v3/objects/calls/batch/create"
		update = "/crm/v3/objects/calls/batch/update"
		list   = "/crm/v3/objects/calls"
	)
	held := recordingProps("held")
	held[callIDProperty] = "rec-1"
	cases := []contractCase{
		{"upsert create", callsSpec, upsert, "POST", upsert, m{"inputs": []m{
			callUpsertInput("rec-1", "", recordingProps("One")), callUpsertInput("rec-2", "", recordingProps("Two"))}}, "", 200},
		{"upsert update", callsSpec, upsert, "POST", upsert, m{"inputs": []m{callUpsertInput("rec-1", "", m{"hs_call_title": "One again"})}}, "", 200},
		{"upsert partial", callsSpec, upsert, "POST", upsert, m{"inputs": []m{
			callUpsertInput("rec-3", "t-3", recordingProps("Three")), callUpsertInput("rec-4", "t-4", m{"hs_call_title": "no timestamp"})}}, "", 207},
		{"upsert invalid untraced", callsSpec, upsert, "POST", upsert, m{"inputs": []m{callUpsertInput("rec-5", "", m{"hs_call_duration": "long"})}}, "", 400},
		{"upsert non-unique key", callsSpec, upsert, "POST", upsert, m{"inputs": []m{{"idProperty": "zoomsync_note", "id": "x", "properties": m{}}}}, "", 400},
		{"upsert duplicate", callsSpec, upsert, "POST", upsert, m{"inputs": []m{callUpsertInput("rec-1", "", m{}), callUpsertInput("rec-1", "", m{})}}, "", 400},
		{"create held value", callsSpec, create, "POST", create, m{"inputs": []m{{"properties": held}}}, "", 409},
		{"update to held value", callsSpec, update, "POST", update, m{"inputs": []m{{"id": "50002", "properties": m{callIDProperty: "rec-1"}}}}, "", 409},
		{"list", callsSpec, list, "GET", list + "?limit=2&properties=" + callIDProperty + ",hs_call_title", nil, "", 200},
		{"list after", callsSpec, list, "GET", list + "?limit=2&after=50003", nil, "", 200},
		{"list archived", callsSpec, list, "GET", list + "?archived=true", nil, "", 200},
		{"list bad limit", callsSpec, list, "GET", list + "?limit=0", nil, "", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, srv, DefaultToken, tc.method, tc.path, tc.body)
			wantStatus(t, r, tc.wantStatus)
			validateResponse(t, tc.spec.load(t), tc.template, tc.method, srv.URL+tc.path, r)
		})
	}
}
