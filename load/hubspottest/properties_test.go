package hubspottest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestProperties_defaults(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := do(t, srv, "GET", "/crm/v3/properties/contacts", nil)
	wantStatus(t, r, http.StatusOK)
	var names []string
	for _, p := range results(t, r) {
		names = append(names, p["name"].(string))
	}
	for _, want := range []string{"email", "firstname", "lastname", "hs_additional_emails", "hs_object_id", "createdate", "lastmodifieddate"} {
		if !slices.Contains(names, want) {
			t.Errorf("default property %s missing from %v", want, names)
		}
	}
	if !slices.Contains(srv.Groups("contacts"), "contactinformation") {
		t.Errorf("groups = %v", srv.Groups("contacts"))
	}
	r = do(t, srv, "GET", "/crm/v3/properties/contacts/email", nil)
	wantStatus(t, r, http.StatusOK)
	if b := r.json(t); b["type"] != "string" || b["hasUniqueValue"] != true {
		t.Errorf("email property = %v", b)
	}
	r = do(t, srv, "GET", "/crm/v3/properties/contacts/zoom_nope", nil)
	wantStatus(t, r, http.StatusNotFound)
	if r.json(t)["category"] != "OBJECT_NOT_FOUND" {
		t.Errorf("404 body = %s", r.body)
	}
	wantStatus(t, do(t, srv, "GET", "/crm/v3/properties/widgets", nil), http.StatusBadRequest)
}

func TestProperties_create(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	wantStatus(t, do(t, srv, "POST", "/crm/v3/properties/contacts", m{"name": "zoom_x", "label": "X", "type": "number",
		"fieldType": "number", "groupName": "zoom_webinars"}), http.StatusBadRequest) // group missing

	r := do(t, srv, "POST", "/crm/v3/properties/contacts/groups", m{"name": "zoom_webinars", "label": "Zoom webinars", "displayOrder": -1})
	wantStatus(t, r, http.StatusCreated)
	if b := r.json(t); b["name"] != "zoom_webinars" || b["archived"] != false {
		t.Errorf("group = %v", b)
	}
	r = do(t, srv, "POST", "/crm/v3/properties/contacts/groups", m{"name": "zoom_webinars", "label": "Again"})
	wantStatus(t, r, http.StatusConflict)

	create := m{"name": "zoom_total_webinars_attended", "label": "Zoom: webinars attended", "groupName": "zoom_webinars",
		"type": "number", "fieldType": "number", "description": "count", "displayOrder": -1, "formField": false}
	r = do(t, srv, "POST", "/crm/v3/properties/contacts", create)
	wantStatus(t, r, http.StatusCreated)
	if b := r.json(t); b["name"] != create["name"] || b["type"] != "number" || b["groupName"] != "zoom_webinars" {
		t.Errorf("created = %v", b)
	}
	r = do(t, srv, "POST", "/crm/v3/properties/contacts", create)
	wantStatus(t, r, http.StatusConflict)
	if b := r.json(t); b["message"] != "Property named 'zoom_total_webinars_attended' already exists." {
		t.Errorf("409 body = %v", b)
	}
	found := false
	for _, p := range srv.Properties("contacts") {
		if p.Name == "zoom_total_webinars_attended" {
			found = p == PropertyDef{Name: "zoom_total_webinars_attended", Label: "Zoom: webinars attended", Type: "number",
				FieldType: "number", GroupName: "zoom_webinars", Description: "count"}
		}
	}
	if !found {
		t.Errorf("Properties = %v", srv.Properties("contacts"))
	}

	bad := []struct {
		name string
		have m
		want string
	}{
		{"type/fieldType", m{"name": "zoom_a", "label": "A", "type": "number", "fieldType": "text", "groupName": "zoom_webinars"}, "fieldType"},
		{"unknown type", m{"name": "zoom_a", "label": "A", "type": "integer", "fieldType": "number", "groupName": "zoom_webinars"}, "type"},
		{"bad name", m{"name": "Zoom-A", "label": "A", "type": "string", "fieldType": "text", "groupName": "zoom_webinars"}, "name"},
		{"missing label", m{"name": "zoom_a", "type": "string", "fieldType": "text", "groupName": "zoom_webinars"}, "label"},
		{"enum without options", m{"name": "zoom_a", "label": "A", "type": "enumeration", "fieldType": "select", "groupName": "zoom_webinars"}, "options"},
	}
	for _, tt := range bad {
		r := do(t, srv, "POST", "/crm/v3/properties/contacts", tt.have)
		if r.status != http.StatusBadRequest || !strings.Contains(r.json(t)["message"].(string), tt.want) {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
}

func TestProperties_batchCreate(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := do(t, srv, "POST", "/crm/v3/properties/contacts/batch/create", m{"inputs": []m{
		{"name": "zoom_a", "label": "A", "type": "string", "fieldType": "text", "groupName": "contactinformation"},
		{"name": "email", "label": "E", "type": "string", "fieldType": "text", "groupName": "contactinformation"},
	}})
	wantStatus(t, r, http.StatusMultiStatus)
	if len(results(t, r)) != 1 {
		t.Errorf("body = %s", r.body)
	}
}
