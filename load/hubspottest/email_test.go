package hubspottest

import (
	"net/http"
	"testing"
)

func TestValidEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		have string
		want bool
	}{
		{"ana@example.com", true},
		{"Ana.Silva+zoom@Example.CO.UK", true},
		{"x@sub.example.io", true},
		{"ana@example.con", false},
		{"ana@example.cpm", false},
		{"ana@example.test", false},
		{" ana@example.com", false},
		{"ana@example.com ", false},
		{"ana@@example.com", false},
		{"ana@example", false},
		{"ana..s@example.com", false},
		{".ana@example.com", false},
		{"ana@-example.com", false},
		{"ana@exa_mple.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := validEmail(tt.have); got != tt.want {
			t.Errorf("validEmail(%q) = %v, want %v", tt.have, got, tt.want)
		}
	}
}

func TestContacts_BatchUpsert_uniquePropertyAndConflict(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	wantStatus(t, do(t, srv, "POST", "/crm/v3/properties/contacts", m{"name": "ext_id", "label": "External id",
		"type": "string", "fieldType": "text", "groupName": "contactinformation", "hasUniqueValue": true}), http.StatusCreated)

	r := do(t, srv, "POST", upsertPath, m{"inputs": []m{{"id": "X-1", "idProperty": "ext_id", "properties": m{"email": "x1@example.com"}}}})
	wantStatus(t, r, http.StatusOK)
	id := results(t, r)[0]["id"]
	r = do(t, srv, "POST", upsertPath, m{"inputs": []m{{"id": "X-1", "idProperty": "ext_id", "properties": m{"firstname": "X"}}}})
	wantStatus(t, r, http.StatusOK)
	if res := results(t, r); res[0]["id"] != id || res[0]["new"] != false {
		t.Errorf("update by unique property = %v", res)
	}
	wantStatus(t, do(t, srv, "POST", upsertPath, m{"inputs": []m{{"id": "Ana", "idProperty": "firstname", "properties": m{}}}}),
		http.StatusBadRequest) // non-unique key property

	// An email held by another contact cannot be assigned.
	srv.SeedContact("taken@example.com", nil)
	r = do(t, srv, "POST", upsertPath, upsertBody(m{"id": "x1@example.com", "properties": m{"email": "taken@example.com"}}))
	wantStatus(t, r, http.StatusConflict)
	if b := r.json(t); b["category"] != "CONFLICT" {
		t.Errorf("409 body = %v", b)
	}
}
