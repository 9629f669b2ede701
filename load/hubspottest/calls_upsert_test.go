package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// callIDProperty is the unique calls property the tests key upserts by.
const callIDProperty = "zoomsync_call_id"

// newCallsServer starts a simulator with the unique call property, a
// non-unique one and a contact.
func newCallsServer(t *testing.T) *Server {
	t.Helper()
	srv := newTestServer(t, WithTier("unlimited"))
	for _, p := range []m{
		{"name": callIDProperty, "label": "zoomsync call id", "type": "string", "fieldType": "text", "groupName": "call", "hasUniqueValue": true},
		{"name": "zoomsync_note", "label": "zoomsync note", "type": "string", "fieldType": "text", "groupName": "call"},
	} {
		wantStatus(t, do(t, srv, "POST", "/crm/v3/properties/calls", p), http.StatusCreated)
	}
	return srv
}

// callUpsertInput keys a call by its zoomsync id.
func callUpsertInput(id, trace string, props m) m {
	in := m{"idProperty": callIDProperty, "id": id, "properties": props}
	if trace != "" {
		in["objectWriteTraceId"] = trace
	}
	return in
}

func recordingProps(title string) m {
	return m{"hs_timestamp": "2026-05-01T10:00:00Z", "hs_call_title": title, "hs_call_duration": "3600000"}
}

// TestCalls_upsert: a call is created when no call holds the key, updated
// when one does, so repeating a write whose answer was lost creates nothing.
func TestCalls_upsert(t *testing.T) {
	t.Parallel()
	srv := newCallsServer(t)
	const upsert = "/crm/v3/objects/calls/batch/upsert"

	r := do(t, srv, "POST", upsert, m{"inputs": []m{
		callUpsertInput("rec-a", "", recordingProps("A")), callUpsertInput("rec-b", "", recordingProps("B"))}})
	wantStatus(t, r, http.StatusOK)
	for _, res := range results(t, r) {
		if res["new"] != true {
			t.Errorf("first upsert: %v, want new", res)
		}
	}
	// The same batch again (an answer was lost): nothing new.
	r = do(t, srv, "POST", upsert, m{"inputs": []m{
		callUpsertInput("rec-a", "", recordingProps("A, renamed")), callUpsertInput("rec-b", "", recordingProps("B"))}})
	wantStatus(t, r, http.StatusOK)
	for _, res := range results(t, r) {
		if res["new"] != false {
			t.Errorf("repeat: %v, want not new", res)
		}
	}
	calls := srv.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	if got := calls[0].Properties; got[callIDProperty] != "rec-a" || got["hs_call_title"] != "A, renamed" {
		t.Errorf("call a = %v", got)
	}

	// An update needs no hs_timestamp; a create does.
	r = do(t, srv, "POST", upsert, m{"inputs": []m{callUpsertInput("rec-a", "", m{"zoomsync_note": "n"})}})
	wantStatus(t, r, http.StatusOK)
	r = do(t, srv, "POST", upsert, m{"inputs": []m{callUpsertInput("rec-c", "", m{"zoomsync_note": "n"})}})
	wantStatus(t, r, http.StatusBadRequest)

	tests := []struct {
		name       string
		inputs     []m
		wantStatus int
	}{
		{"non-unique key", []m{{"idProperty": "zoomsync_note", "id": "n", "properties": m{}}}, 400},
		{"unknown key property", []m{{"idProperty": "nope", "id": "n", "properties": m{}}}, 400},
		{"duplicate keys", []m{callUpsertInput("rec-x", "", recordingProps("X")), callUpsertInput("rec-x", "", recordingProps("X"))}, 400},
		{"record id unknown", []m{{"id": "1", "properties": m{"hs_call_title": "x"}}}, 400},
		{"key and property differ", []m{callUpsertInput("rec-y", "", m{callIDProperty: "rec-z", "hs_timestamp": "1777629600000"})}, 400},
	}
	for _, tt := range tests {
		r := do(t, srv, "POST", upsert, m{"inputs": tt.inputs})
		if r.status != tt.wantStatus {
			t.Errorf("%s: status %d, want %d; %s", tt.name, r.status, tt.wantStatus, r.body)
		}
	}
	if n := len(srv.Calls()); n != 2 {
		t.Errorf("%d calls after refused upserts, want 2", n)
	}
}

// TestCalls_uniqueValues: no two calls hold one value of a unique property,
// whichever operation writes it; non-unique properties may repeat.
func TestCalls_uniqueValues(t *testing.T) {
	t.Parallel()
	srv := newCallsServer(t)
	create := func(props ...m) response {
		var inputs []m
		for _, p := range props {
			inputs = append(inputs, m{"properties": p})
		}
		return do(t, srv, "POST", "/crm/v3/objects/calls/batch/create", m{"inputs": inputs})
	}
	with := func(id string) m {
		p := recordingProps("x")
		p[callIDProperty], p["zoomsync_note"] = id, "same"
		return p
	}
	wantStatus(t, create(with("k1"), with("k2")), http.StatusCreated)
	r := create(with("k1"))
	wantStatus(t, r, http.StatusConflict)
	if msg := r.json(t)["message"].(string); msg != fmt.Sprintf("A record with the value %q for the unique property %s already exists. Existing ID: 50001", "k1", callIDProperty) {
		t.Errorf("message = %q", msg)
	}
	wantStatus(t, create(with("k3"), with("k3")), http.StatusConflict) // within one batch
	r = do(t, srv, "POST", "/crm/v3/objects/calls/batch/update", m{"inputs": []m{{"id": "50002", "properties": m{callIDProperty: "k1"}}}})
	wantStatus(t, r, http.StatusConflict)
	r = do(t, srv, "POST", "/crm/v3/objects/calls/batch/update", m{"inputs": []m{{"id": "50002", "properties": m{callIDProperty: "k2"}}}})
	wantStatus(t, r, http.StatusOK) // its own value
	// Traced: the conflict is one failed row.
	r = do(t, srv, "POST", "/crm/v3/objects/calls/batch/create", m{"inputs": []m{
		{"objectWriteTraceId": "t1", "properties": with("k1")}, {"objectWriteTraceId": "t2", "properties": with("k4")}}})
	wantStatus(t, r, http.StatusMultiStatus)
	var ids []string
	for _, c := range srv.Calls() {
		ids = append(ids, c.Properties[callIDProperty])
	}
	if want := []string{"k1", "k2", "k4"}; !slices.Equal(ids, want) {
		t.Errorf("call ids %v, want %v", ids, want)
	}

	// Update and read by the unique property.
	r = do(t, srv, "POST", "/crm/v3/objects/calls/batch/update", m{"inputs": []m{
		{"idProperty": callIDProperty, "id": "k4", "properties": m{"hs_call_title": "by key"}}}})
	wantStatus(t, r, http.StatusOK)
	r = do(t, srv, "POST", "/crm/v3/objects/calls/batch/read", m{"idProperty": callIDProperty,
		"inputs": []m{{"id": "k4"}, {"id": "k9"}}, "properties": []string{"hs_call_title"}, "propertiesWithHistory": []string{}})
	wantStatus(t, r, http.StatusMultiStatus)
	if res := results(t, r); len(res) != 1 || res[0]["properties"].(map[string]any)["hs_call_title"] != "by key" {
		t.Errorf("read by key = %v", res)
	}
}

// TestContacts_uniqueProperty: a unique contact property is enforced like
// the email.
func TestContacts_uniqueProperty(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	wantStatus(t, do(t, srv, "POST", "/crm/v3/properties/contacts", m{"name": "member_no", "label": "Member",
		"type": "string", "fieldType": "text", "groupName": "contactinformation", "hasUniqueValue": true}), http.StatusCreated)
	const upsert = "/crm/v3/objects/contacts/batch/upsert"
	wantStatus(t, do(t, srv, "POST", upsert, upsertBody(m{"id": "a@example.com", "properties": m{"member_no": "7"}})), http.StatusOK)
	wantStatus(t, do(t, srv, "POST", upsert, upsertBody(m{"id": "b@example.com", "properties": m{"member_no": "7"}})), http.StatusConflict)
	wantStatus(t, do(t, srv, "POST", upsert, upsertBody(m{"id": "a@example.com", "properties": m{"member_no": "7"}})), http.StatusOK)
	// Keyed by the unique property: the contact that holds it is updated.
	r := do(t, srv, "POST", upsert, m{"inputs": []m{{"idProperty": "member_no", "id": "7", "properties": m{"firstname": "Ana"}}}})
	wantStatus(t, r, http.StatusOK)
	if res := results(t, r); len(res) != 1 || res[0]["new"] != false {
		t.Errorf("upsert by member_no = %v", res)
	}
	if n := len(srv.Contacts()); n != 1 {
		t.Errorf("%d contacts, want 1", n)
	}
}

// TestObjects_list: the list route pages every object type the simulator
// holds; walking the pages counts them all once.
func TestObjects_list(t *testing.T) {
	t.Parallel()
	srv := newCallsServer(t)
	var inputs []m
	for i := range 25 {
		inputs = append(inputs, callUpsertInput(fmt.Sprint("rec-", i), "", recordingProps("r")))
	}
	wantStatus(t, do(t, srv, "POST", "/crm/v3/objects/calls/batch/upsert", m{"inputs": inputs}), http.StatusOK)
	for i := range 3 {
		srv.SeedContact(fmt.Sprintf("p%d@example.com", i), nil)
	}
	walk := func(objectType string, limit int) (ids []string, pages int) {
		after := ""
		for {
			path := fmt.Sprintf("/crm/v3/objects/%s?limit=%d&properties=%s", objectType, limit, callIDProperty)
			if after != "" {
				path += "&after=" + after
			}
			r := do(t, srv, "GET", path, nil)
			wantStatus(t, r, http.StatusOK)
			var page struct {
				Results []struct {
					ID string `json:"id"`
				} `json:"results"`
				Paging *struct {
					Next struct {
						After string `json:"after"`
					} `json:"next"`
				} `json:"paging"`
			}
			decode(t, r, &page)
			pages++
			for _, x := range page.Results {
				ids = append(ids, x.ID)
			}
			if page.Paging == nil {
				return ids, pages
			}
			after = page.Paging.Next.After
		}
	}
	ids, pages := walk("calls", 10)
	if len(ids) != 25 || pages != 3 || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 25 {
		t.Errorf("calls: %d ids in %d pages, want 25 distinct in 3", len(ids), pages)
	}
	if ids, _ := walk("0-1", 2); len(ids) != 3 {
		t.Errorf("contacts by type id: %d, want 3", len(ids))
	}
	if ids, _ := walk("deals", 10); len(ids) != 0 {
		t.Errorf("deals: %v, want none", ids)
	}
	wantStatus(t, do(t, srv, "GET", "/crm/v3/objects/widgets", nil), http.StatusBadRequest)
	wantStatus(t, do(t, srv, "GET", "/crm/v3/objects/calls?limit=101", nil), http.StatusBadRequest)
}
