package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const upsertPath = "/crm/v3/objects/contacts/batch/upsert"

func TestContacts_BatchUpsert_createThenUpdate(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := do(t, srv, "POST", upsertPath, upsertBody(
		m{"id": "Ana@Example.com", "properties": m{"firstname": "Ana", "num_associated_deals": "3"}},
		m{"id": "bo@example.org", "properties": m{"firstname": "Bo", "lastname": "Lee"}},
	))
	// num_associated_deals is read-only: the whole batch fails.
	wantStatus(t, r, http.StatusBadRequest)
	if len(srv.Contacts()) != 0 {
		t.Fatal("a 400 batch wrote contacts")
	}

	r = do(t, srv, "POST", upsertPath, upsertBody(
		m{"id": "Ana@Example.com", "properties": m{"firstname": "Ana"}},
		m{"id": "bo@example.org", "properties": m{"firstname": "Bo", "lastname": "Lee"}},
	))
	wantStatus(t, r, http.StatusOK)
	res := results(t, r)
	if len(res) != 2 {
		t.Fatalf("results = %v", res)
	}
	byEmail := map[string]map[string]any{}
	for _, x := range res {
		props := x["properties"].(map[string]any)
		byEmail[props["email"].(string)] = x
		if x["new"] != true || x["archived"] != false || x["createdAt"] == nil || x["updatedAt"] == nil || props["hs_object_id"] != x["id"] {
			t.Errorf("created result = %v", x)
		}
	}
	ana, ok := byEmail["ana@example.com"]
	if !ok {
		t.Fatalf("email not lower-cased: %v", res)
	}
	if ana["properties"].(map[string]any)["firstname"] != "Ana" {
		t.Errorf("ana = %v", ana)
	}

	// Update by a differently cased key: same contact, new=false.
	r = do(t, srv, "POST", upsertPath, upsertBody(m{"id": "ANA@example.com", "properties": m{"lastname": "Silva", "phone": 12345}}))
	wantStatus(t, r, http.StatusOK)
	res = results(t, r)
	if len(res) != 1 || res[0]["new"] != false || res[0]["id"] != ana["id"] {
		t.Fatalf("update results = %v", res)
	}
	c, ok := srv.Contact("ana@example.com")
	if !ok {
		t.Fatal("contact not found")
	}
	want := map[string]string{"firstname": "Ana", "lastname": "Silva", "phone": "12345", "email": "ana@example.com"}
	for k, v := range want {
		if c.Properties[k] != v {
			t.Errorf("property %s = %q, want %q", k, c.Properties[k], v)
		}
	}
	if len(srv.Contacts()) != 2 {
		t.Errorf("contacts = %d, want 2", len(srv.Contacts()))
	}
}

func TestContacts_BatchUpsert_duplicateIDs(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := do(t, srv, "POST", upsertPath, upsertBody(
		m{"id": "ana@example.com", "objectWriteTraceId": "1"},
		m{"id": "bo@example.com", "objectWriteTraceId": "2"},
		m{"id": "ANA@example.com", "objectWriteTraceId": "3"},
	))
	wantStatus(t, r, http.StatusBadRequest)
	b := r.json(t)
	if b["message"] != "Duplicate IDs found in batch input: [ana@example.com]. IDs must be unique" || b["category"] != "VALIDATION_ERROR" {
		t.Errorf("body = %v", b)
	}
	if diff := cmp.Diff(map[string]any{"ids": []any{"ana@example.com"}}, b["context"]); diff != "" {
		t.Errorf("context (-want +got):\n%s", diff)
	}
	if len(srv.Contacts()) != 0 {
		t.Error("duplicate batch wrote contacts")
	}
}

func TestContacts_BatchUpsert_tooMany(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	var inputs []m
	for i := range 101 {
		inputs = append(inputs, m{"id": fmt.Sprintf("p%d@example.com", i)})
	}
	wantStatus(t, do(t, srv, "POST", upsertPath, upsertBody(inputs...)), http.StatusBadRequest)
	if len(srv.Contacts()) != 0 {
		t.Error("101-input batch wrote contacts")
	}
	wantStatus(t, do(t, srv, "POST", upsertPath, upsertBody(inputs[:100]...)), http.StatusOK)
	if len(srv.Contacts()) != 100 {
		t.Errorf("contacts = %d, want 100", len(srv.Contacts()))
	}
}

func TestContacts_BatchUpsert_invalidInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		haveInput m
		wantMsg   string
	}{
		{"tld typo", m{"id": "ana@example.con"},
			`Property values were not valid: [{"isValid":false,"message":"Email address ana@example.con is invalid","error":"INVALID_EMAIL","name":"email"}]`},
		{"cpm", m{"id": "ana@example.cpm"}, `Email address ana@example.cpm is invalid`},
		{"whitespace", m{"id": " ana@example.com"}, `"error":"INVALID_EMAIL"`},
		{"no at", m{"id": "ana.example.com"}, `"error":"INVALID_EMAIL"`},
		{"unknown property", m{"id": "ana@example.com", "properties": m{"nope": "1"}},
			`Property values were not valid: [{"isValid":false,"message":"Property \"nope\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"nope"}]`},
		{"bad email property", m{"id": "ana@example.com", "properties": m{"email": "x@y.cpm"}}, `"error":"INVALID_EMAIL"`},
		{"bad option", m{"id": "ana@example.com", "properties": m{"lifecyclestage": "boss"}}, `"error":"INVALID_OPTION"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			// Without trace ids: the whole batch fails, nothing is written.
			good := m{"id": "good@example.com", "properties": m{"firstname": "G"}}
			in := clone(tt.haveInput)
			r := do(t, srv, "POST", upsertPath, upsertBody(clone(good), in))
			wantStatus(t, r, http.StatusBadRequest)
			if b := r.json(t); !strings.Contains(b["message"].(string), tt.wantMsg) || b["category"] != "VALIDATION_ERROR" {
				t.Errorf("400 body = %s", r.body)
			}
			if len(srv.Contacts()) != 0 {
				t.Fatal("a 400 batch wrote contacts")
			}

			// With a unique trace id on every input: 207, the valid row is written.
			g, bad := clone(good), clone(tt.haveInput)
			g["objectWriteTraceId"], bad["objectWriteTraceId"] = "t-good", "t-bad"
			r = do(t, srv, "POST", upsertPath, upsertBody(g, bad))
			wantStatus(t, r, http.StatusMultiStatus)
			var body struct {
				Results []struct {
					ID                 string `json:"id"`
					ObjectWriteTraceID string `json:"objectWriteTraceId"`
				} `json:"results"`
				NumErrors int `json:"numErrors"`
				Errors    []struct {
					Status   string              `json:"status"`
					Category string              `json:"category"`
					Message  string              `json:"message"`
					Context  map[string][]string `json:"context"`
				} `json:"errors"`
			}
			decode(t, r, &body)
			if len(body.Results) != 1 || body.Results[0].ObjectWriteTraceID != "t-good" {
				t.Errorf("results = %+v", body.Results)
			}
			if body.NumErrors != 1 || len(body.Errors) != 1 || body.Errors[0].Status != "error" ||
				!slices.Equal(body.Errors[0].Context["objectWriteTraceId"], []string{"t-bad"}) ||
				!strings.Contains(body.Errors[0].Message, tt.wantMsg) {
				t.Errorf("errors = %+v", body.Errors)
			}
			if _, ok := srv.Contact("good@example.com"); !ok || len(srv.Contacts()) != 1 {
				t.Errorf("contacts = %v", srv.Contacts())
			}
		})
	}

	t.Run("repeated trace ids are not partial success", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t)
		r := do(t, srv, "POST", upsertPath, upsertBody(
			m{"id": "good@example.com", "objectWriteTraceId": "same"},
			m{"id": "bad@example.con", "objectWriteTraceId": "same"}))
		wantStatus(t, r, http.StatusBadRequest)
	})
}

func TestContacts_BatchUpsert_numberValidation(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := do(t, srv, "POST", "/crm/v3/properties/contacts", m{"name": "zoom_total_webinars_attended",
		"label": "Attended", "type": "number", "fieldType": "number", "groupName": "contactinformation"})
	wantStatus(t, r, http.StatusCreated)
	r = do(t, srv, "POST", upsertPath, upsertBody(m{"id": "a@example.com", "properties": m{"zoom_total_webinars_attended": "three"}}))
	wantStatus(t, r, http.StatusBadRequest)
	if msg := r.json(t)["message"].(string); !strings.Contains(msg, `"error":"INVALID_INTEGER"`) || !strings.Contains(msg, "three was not a valid number.") {
		t.Errorf("message = %s", msg)
	}
	r = do(t, srv, "POST", upsertPath, upsertBody(m{"id": "a@example.com", "properties": m{"zoom_total_webinars_attended": "12.5"}}))
	wantStatus(t, r, http.StatusOK)
	if c, _ := srv.Contact("a@example.com"); c.Properties["zoom_total_webinars_attended"] != "12.5" {
		t.Errorf("stored = %q", c.Properties["zoom_total_webinars_attended"])
	}
}

func TestContacts_BatchUpsert_secondaryEmail(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	id := srv.SeedContact("Primary@Example.com", map[string]string{"firstname": "P"})
	srv.SetAdditionalEmails(id, "Alias@Example.com")
	r := do(t, srv, "POST", upsertPath, upsertBody(m{"id": "alias@example.com", "properties": m{"lastname": "Updated"}}))
	wantStatus(t, r, http.StatusOK)
	res := results(t, r)
	if len(res) != 1 || res[0]["id"] != id || res[0]["new"] != false {
		t.Fatalf("results = %v", res)
	}
	if got := res[0]["properties"].(map[string]any)["email"]; got != "primary@example.com" {
		t.Errorf("returned email = %v", got)
	}
	c, ok := srv.Contact("alias@example.com")
	if !ok || c.ID != id || c.Properties["lastname"] != "Updated" || c.Email != "primary@example.com" {
		t.Errorf("contact = %+v", c)
	}
	if len(srv.Contacts()) != 1 {
		t.Errorf("alias created a contact: %v", srv.Contacts())
	}
}

func TestContacts_BatchUpsert_shuffled(t *testing.T) {
	t.Parallel()
	var inputs []m
	for i := range 20 {
		inputs = append(inputs, m{"id": fmt.Sprintf("p%02d@example.com", i)})
	}
	order := func(seed int64) []string {
		srv := newTestServer(t, WithShuffleSeed(seed))
		r := do(t, srv, "POST", upsertPath, upsertBody(clones(inputs)...))
		wantStatus(t, r, http.StatusOK)
		var out []string
		for _, x := range results(t, r) {
			out = append(out, x["properties"].(map[string]any)["email"].(string))
		}
		return out
	}
	a, b := order(7), order(7)
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different order:\n%v\n%v", a, b)
	}
	if slices.IsSorted(a) {
		t.Errorf("results kept input order: %v", a)
	}
}

func TestContacts_BatchRead(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ana := srv.SeedContact("ana@example.com", map[string]string{"firstname": "Ana"})
	srv.SetAdditionalEmails(ana, "ana.old@example.com")
	bo := srv.SeedContact("bo@example.com", nil)
	gone := srv.SeedContact("gone@example.com", nil)
	srv.ArchiveContact(gone)

	read := func(query string, body m) response {
		return do(t, srv, "POST", "/crm/v3/objects/contacts/batch/read"+query, body)
	}
	r := read("", m{"idProperty": "email", "inputs": []m{{"id": "ANA@example.com"}, {"id": "bo@example.com"}},
		"properties": []string{"email", "hs_additional_emails", "firstname"}, "propertiesWithHistory": []string{}})
	wantStatus(t, r, http.StatusOK)
	if got := len(results(t, r)); got != 2 {
		t.Errorf("results = %d", got)
	}

	r = read("?archived=false", m{"idProperty": "email",
		"inputs":     []m{{"id": "ana.old@example.com"}, {"id": "zoe@example.com"}, {"id": "gone@example.com"}},
		"properties": []string{"email", "hs_additional_emails"}, "propertiesWithHistory": []string{}})
	wantStatus(t, r, http.StatusMultiStatus)
	var body struct {
		Results []struct {
			ID         string            `json:"id"`
			Properties map[string]string `json:"properties"`
		} `json:"results"`
		Errors []struct {
			Category string              `json:"category"`
			Message  string              `json:"message"`
			Context  map[string][]string `json:"context"`
		} `json:"errors"`
	}
	decode(t, r, &body)
	if len(body.Results) != 1 || body.Results[0].ID != ana ||
		body.Results[0].Properties["hs_additional_emails"] != "ana.old@example.com" || body.Results[0].Properties["email"] != "ana@example.com" {
		t.Errorf("results = %+v", body.Results)
	}
	if len(body.Errors) != 1 || body.Errors[0].Category != "OBJECT_NOT_FOUND" ||
		body.Errors[0].Message != "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid." ||
		!slices.Equal(body.Errors[0].Context["ids"], []string{"zoe@example.com", "gone@example.com"}) {
		t.Errorf("errors = %+v", body.Errors)
	}

	// archived=true returns only archived records, by email or by id.
	r = read("?archived=true", m{"idProperty": "email", "inputs": []m{{"id": "gone@example.com"}, {"id": "bo@example.com"}},
		"properties": []string{}, "propertiesWithHistory": []string{}})
	wantStatus(t, r, http.StatusMultiStatus)
	res := results(t, r)
	if len(res) != 1 || res[0]["id"] != gone || res[0]["archived"] != true || res[0]["archivedAt"] == nil {
		t.Errorf("archived results = %v", res)
	}
	r = read("?archived=true", m{"inputs": []m{{"id": gone}}, "properties": []string{}, "propertiesWithHistory": []string{}})
	wantStatus(t, r, http.StatusOK)

	// By record id; default properties when none are named.
	r = read("", m{"inputs": []m{{"id": bo}}, "properties": []string{}, "propertiesWithHistory": []string{}})
	wantStatus(t, r, http.StatusOK)
	props := results(t, r)[0]["properties"].(map[string]any)
	if props["email"] != "bo@example.com" || props["hs_object_id"] != bo || props["createdate"] == nil {
		t.Errorf("default properties = %v", props)
	}

	// properties is a required array.
	r = read("", m{"idProperty": "email", "inputs": []m{{"id": "ana@example.com"}}})
	wantStatus(t, r, http.StatusBadRequest)
}

func TestContacts_ListPaging(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	var want []string
	for i := range 23 {
		want = append(want, srv.SeedContact(fmt.Sprintf("p%02d@example.com", i), map[string]string{"firstname": "P"}))
	}
	srv.ArchiveContact(want[5])
	live := slices.Delete(slices.Clone(want), 5, 6)

	var got []string
	after, pages := "", 0
	for {
		path := "/crm/v3/objects/contacts?limit=10&properties=email,firstname"
		if after != "" {
			path += "&after=" + after
		}
		r := do(t, srv, "GET", path, nil)
		wantStatus(t, r, http.StatusOK)
		var body struct {
			Results []struct {
				ID         string            `json:"id"`
				Properties map[string]string `json:"properties"`
			} `json:"results"`
			Paging *struct {
				Next struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		decode(t, r, &body)
		pages++
		for _, x := range body.Results {
			got = append(got, x.ID)
			if x.Properties["firstname"] != "P" || x.Properties["email"] == "" {
				t.Errorf("properties = %v", x.Properties)
			}
		}
		if body.Paging == nil {
			break
		}
		after = body.Paging.Next.After
	}
	if diff := cmp.Diff(live, got); diff != "" || pages != 3 {
		t.Errorf("pages = %d; ids (-want +got):\n%s", pages, diff)
	}

	r := do(t, srv, "GET", "/crm/v3/objects/contacts?archived=true", nil)
	if res := results(t, r); len(res) != 1 || res[0]["id"] != want[5] {
		t.Errorf("archived list = %v", res)
	}
	wantStatus(t, do(t, srv, "GET", "/crm/v3/objects/contacts?limit=101", nil), http.StatusBadRequest)
}

func TestContacts_GetDeleteArchive(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	a := srv.SeedContact("a@example.com", map[string]string{"firstname": "A"})
	b := srv.SeedContact("b@example.com", nil)
	c := srv.SeedContact("c@example.com", nil)

	r := do(t, srv, "GET", "/crm/v3/objects/contacts/"+a+"?properties=firstname", nil)
	wantStatus(t, r, http.StatusOK)
	if r.json(t)["properties"].(map[string]any)["firstname"] != "A" {
		t.Errorf("get = %s", r.body)
	}
	wantStatus(t, do(t, srv, "GET", "/crm/v3/objects/contacts/a%40example.com?idProperty=email", nil), http.StatusOK)
	r = do(t, srv, "GET", "/crm/v3/objects/contacts/424242", nil)
	wantStatus(t, r, http.StatusNotFound)
	if r.json(t)["category"] != "OBJECT_NOT_FOUND" {
		t.Errorf("404 body = %s", r.body)
	}

	wantStatus(t, do(t, srv, "DELETE", "/crm/v3/objects/contacts/"+a, nil), http.StatusNoContent)
	wantStatus(t, do(t, srv, "GET", "/crm/v3/objects/contacts/"+a, nil), http.StatusNotFound)
	wantStatus(t, do(t, srv, "GET", "/crm/v3/objects/contacts/"+a+"?archived=true", nil), http.StatusOK)

	wantStatus(t, do(t, srv, "POST", "/crm/v3/objects/contacts/batch/archive", m{"inputs": []m{{"id": b}, {"id": c}}}), http.StatusNoContent)
	if got := srv.Contacts(); len(got) != 0 {
		t.Errorf("live contacts after archive = %v", got)
	}
	if x, ok := srv.ContactByID(b); !ok || !x.Archived {
		t.Errorf("archived contact = %+v", x)
	}

	// An upsert of an archived contact's email creates a new contact.
	r = do(t, srv, "POST", upsertPath, upsertBody(m{"id": "a@example.com"}))
	wantStatus(t, r, http.StatusOK)
	if res := results(t, r); res[0]["new"] != true || res[0]["id"] == a {
		t.Errorf("upsert after archive = %v", res)
	}
}

func clone(x m) m {
	out := m{}
	for k, v := range x {
		if inner, ok := v.(m); ok {
			v = clone(inner)
		}
		out[k] = v
	}
	return out
}

func clones(xs []m) []m {
	out := make([]m, len(xs))
	for i, x := range xs {
		out[i] = clone(x)
	}
	return out
}
