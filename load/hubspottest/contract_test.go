// Contract tests: the simulator's responses are validated against HubSpot's
// official OpenAPI specs (reference/openapi/hubspot in the shared folder,
// ../shared beside the repository or $ZOOMSYNC_SHARED_DIR) with
// kin-openapi's openapi3filter, and every route it serves is checked to be in
// those specs or in a documented list of routes outside them. Without the
// specs the tests skip, except under CI=true, where they fail: CI must not
// pass by validating nothing.

package hubspottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// specFile is one official OpenAPI file, loaded once per test binary.
type specFile struct {
	name string
	once sync.Once
	doc  *openapi3.T
	err  error
}

var (
	contactsSpec   = &specFile{name: "contacts.v3.json"}
	propertiesSpec = &specFile{name: "properties.v3.json"}
	usersSpec      = &specFile{name: "settings-users.v3.json"}
)

// specDir finds reference/openapi/hubspot: $ZOOMSYNC_SHARED_DIR, or ../shared
// beside the folder holding go.mod.
func specDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("ZOOMSYNC_SHARED_DIR"); d != "" {
		return filepath.Join(d, "reference", "openapi", "hubspot")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "reference", "openapi", "hubspot")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// specMissing skips the test, or fails it under CI=true: a CI run must not
// pass by validating nothing.
func specMissing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: CI=true, so the contract tests must run, not skip", why)
	}
	t.Skipf("%s: skipping contract test", why)
}

func (f *specFile) load(t *testing.T) *openapi3.T {
	t.Helper()
	dir := specDir(t)
	path := filepath.Join(dir, f.name)
	if _, err := os.Stat(path); dir == "" || err != nil {
		specMissing(t, fmt.Sprintf("HubSpot OpenAPI spec %s not found (looked in %q; set ZOOMSYNC_SHARED_DIR to the folder holding reference/openapi/hubspot)", f.name, dir))
	}
	f.once.Do(func() {
		loader := openapi3.NewLoader()
		f.doc, f.err = loader.LoadFromFile(path)
	})
	if f.err != nil {
		t.Fatalf("loading %s: %v", path, f.err)
	}
	return f.doc
}

// contractCase is one request whose response must match the spec operation
// at template.
type contractCase struct {
	name       string
	spec       *specFile
	template   string // spec path of the operation
	method     string
	path       string // request path and query
	body       any
	token      string // "" = default token; "-" = none
	wantStatus int
}

func TestContract(t *testing.T) {
	t.Parallel()
	contactsSpec.load(t) // skip early when the specs are absent

	srv := newTestServer(t, WithTier("free"))
	live := srv.SeedContact("live@example.com", map[string]string{"firstname": "Live"})
	srv.SetAdditionalEmails(live, "alias@example.com")
	gone := srv.SeedContact("gone@example.com", nil)
	srv.ArchiveContact(gone)
	toDelete := srv.SeedContact("delete@example.com", nil)
	for i := range 3 {
		srv.SeedContact(fmt.Sprintf("p%d@example.com", i), nil)
	}
	user := srv.AddUser("staff@acme.com", "Staff", "Member")
	srv.AddUser("other@acme.com", "Other", "Member")

	var tooMany []m
	for i := range 101 {
		tooMany = append(tooMany, m{"id": fmt.Sprintf("x%d@example.com", i), "idProperty": "email", "properties": m{}})
	}
	readBody := func(ids ...string) m {
		var inputs []m
		for _, id := range ids {
			inputs = append(inputs, m{"id": id})
		}
		return m{"idProperty": "email", "inputs": inputs, "properties": []string{"email", "hs_additional_emails"},
			"propertiesWithHistory": []string{"firstname"}}
	}
	const (
		objects  = "/crm/v3/objects/contacts"
		object   = "/crm/v3/objects/contacts/{contactId}"
		upsert   = "/crm/v3/objects/contacts/batch/upsert"
		read     = "/crm/v3/objects/contacts/batch/read"
		archive  = "/crm/v3/objects/contacts/batch/archive"
		props    = "/crm/v3/properties/{objectType}"
		prop     = "/crm/v3/properties/{objectType}/{propertyName}"
		groups   = "/crm/v3/properties/{objectType}/groups"
		group    = "/crm/v3/properties/{objectType}/groups/{groupName}"
		pcreate  = "/crm/v3/properties/{objectType}/batch/create"
		pread    = "/crm/v3/properties/{objectType}/batch/read"
		gdpr     = "/crm/v3/objects/contacts/gdpr-delete"
		users    = "/settings/users/v3"
		userByID = "/settings/v3/users/{userId}"
	)
	newProp := func(name string) m {
		return m{"name": name, "label": "Zoom " + name, "type": "number", "fieldType": "number",
			"groupName": "zoom_webinars", "description": "d", "displayOrder": -1, "formField": false}
	}
	cases := []contractCase{
		// Contacts.
		{"list", contactsSpec, objects, "GET", objects + "?limit=2&properties=email,firstname", nil, "", 200},
		{"list archived", contactsSpec, objects, "GET", objects + "?archived=true", nil, "", 200},
		{"list bad limit", contactsSpec, objects, "GET", objects + "?limit=500", nil, "", 400},
		{"list no auth", contactsSpec, objects, "GET", objects, nil, "-", 401},
		{"get", contactsSpec, object, "GET", objects + "/" + live + "?properties=email,hs_additional_emails", nil, "", 200},
		{"get by email", contactsSpec, object, "GET", objects + "/alias@example.com?idProperty=email", nil, "", 200},
		{"get archived", contactsSpec, object, "GET", objects + "/" + gone + "?archived=true", nil, "", 200},
		{"get missing", contactsSpec, object, "GET", objects + "/999999", nil, "", 404},
		{"delete", contactsSpec, object, "DELETE", objects + "/" + toDelete, nil, "", 204},
		{"upsert", contactsSpec, upsert, "POST", upsert, upsertBody(
			m{"id": "new@example.com", "properties": m{"firstname": "New"}},
			m{"id": "alias@example.com", "properties": m{"lastname": "Alias"}}), "", 200},
		{"upsert partial", contactsSpec, upsert, "POST", upsert, upsertBody(
			m{"id": "ok@example.com", "objectWriteTraceId": "a"},
			m{"id": "bad@example.con", "objectWriteTraceId": "b"},
			m{"id": "ok2@example.com", "objectWriteTraceId": "c", "properties": m{"nope": "x"}}), "", 207},
		{"upsert invalid", contactsSpec, upsert, "POST", upsert, upsertBody(m{"id": "bad@example.con"}), "", 400},
		{"upsert duplicate", contactsSpec, upsert, "POST", upsert, upsertBody(m{"id": "d@example.com"}, m{"id": "D@example.com"}), "", 400},
		{"upsert too many", contactsSpec, upsert, "POST", upsert, m{"inputs": tooMany}, "", 400},
		{"upsert bad json", contactsSpec, upsert, "POST", upsert, `{"inputs":[`, "", 400},
		{"read", contactsSpec, read, "POST", read, readBody("live@example.com", "alias@example.com"), "", 200},
		{"read missing", contactsSpec, read, "POST", read, readBody("live@example.com", "zoe@example.com"), "", 207},
		{"read archived", contactsSpec, read, "POST", read + "?archived=true", readBody("gone@example.com"), "", 200},
		{"read no properties", contactsSpec, read, "POST", read, m{"inputs": []m{{"id": live}}}, "", 400},
		{"archive", contactsSpec, archive, "POST", archive, m{"inputs": []m{{"id": "999999"}}}, "", 204},
		// Properties and groups.
		{"properties", propertiesSpec, props, "GET", "/crm/v3/properties/contacts", nil, "", 200},
		{"properties bad object", propertiesSpec, props, "GET", "/crm/v3/properties/widgets", nil, "", 400},
		{"property", propertiesSpec, prop, "GET", "/crm/v3/properties/contacts/email", nil, "", 200},
		{"property enum", propertiesSpec, prop, "GET", "/crm/v3/properties/contacts/lifecyclestage", nil, "", 200},
		{"property missing", propertiesSpec, prop, "GET", "/crm/v3/properties/contacts/zoom_nope", nil, "", 404},
		{"groups", propertiesSpec, groups, "GET", "/crm/v3/properties/contacts/groups", nil, "", 200},
		{"group create", propertiesSpec, groups, "POST", "/crm/v3/properties/contacts/groups",
			m{"name": "zoom_webinars", "label": "Zoom webinars", "displayOrder": -1}, "", 201},
		{"group conflict", propertiesSpec, groups, "POST", "/crm/v3/properties/contacts/groups",
			m{"name": "zoom_webinars", "label": "Zoom webinars"}, "", 409},
		{"group", propertiesSpec, group, "GET", "/crm/v3/properties/contacts/groups/zoom_webinars", nil, "", 200},
		{"group missing", propertiesSpec, group, "GET", "/crm/v3/properties/contacts/groups/nope", nil, "", 404},
		{"property create", propertiesSpec, props, "POST", "/crm/v3/properties/contacts", newProp("zoom_total_webinars_attended"), "", 201},
		{"property conflict", propertiesSpec, props, "POST", "/crm/v3/properties/contacts", newProp("zoom_total_webinars_attended"), "", 409},
		{"property invalid", propertiesSpec, props, "POST", "/crm/v3/properties/contacts",
			m{"name": "zoom_x", "label": "X", "type": "number", "fieldType": "text", "groupName": "zoom_webinars"}, "", 400},
		{"properties batch create", propertiesSpec, pcreate, "POST", "/crm/v3/properties/contacts/batch/create",
			m{"inputs": []m{newProp("zoom_a"), newProp("zoom_b")}}, "", 201},
		{"properties batch create partial", propertiesSpec, pcreate, "POST", "/crm/v3/properties/contacts/batch/create",
			m{"inputs": []m{newProp("zoom_c"), newProp("zoom_a")}}, "", 207},
		{"properties batch read", propertiesSpec, pread, "POST", "/crm/v3/properties/contacts/batch/read",
			m{"inputs": []m{{"name": "email"}}, "archived": false}, "", 200},
		{"properties batch read missing", propertiesSpec, pread, "POST", "/crm/v3/properties/contacts/batch/read",
			m{"inputs": []m{{"name": "email"}, {"name": "zoom_nope"}}, "archived": false}, "", 207},
		// Users (the docs' path is validated against the spec's operation).
		{"users", usersSpec, users, "GET", "/settings/users/v3?limit=1", nil, "", 200},
		{"users docs path", usersSpec, users, "GET", "/settings/v3/users", nil, "", 200},
		{"user", usersSpec, userByID, "GET", "/settings/v3/users/" + user, nil, "", 200},
		{"user by email", usersSpec, userByID, "GET", "/settings/v3/users/staff@acme.com?idProperty=EMAIL", nil, "", 200},
		{"user missing", usersSpec, userByID, "GET", "/settings/v3/users/1", nil, "", 404},
		{"user create", usersSpec, users, "POST", users, m{"email": "new.staff@acme.com", "sendWelcomeEmail": false,
			"firstName": "New", "lastName": "Staff", "roleId": "100", "seatNames": []string{}}, "", 201},
		{"user create docs path", usersSpec, users, "POST", "/settings/v3/users", m{"email": "second@acme.com", "sendWelcomeEmail": true}, "", 201},
		{"user create conflict", usersSpec, users, "POST", users, m{"email": "Staff@acme.com", "sendWelcomeEmail": false}, "", 409},
		{"user create invalid", usersSpec, users, "POST", users, m{"email": "staff@acme.con", "sendWelcomeEmail": false}, "", 400},
		{"user create missing", usersSpec, users, "POST", users, m{"email": "third@acme.com"}, "", 400},
		// GDPR deletion.
		{"gdpr delete", contactsSpec, gdpr, "POST", gdpr, m{"objectId": "p0@example.com", "idProperty": "email"}, "", 204},
		{"gdpr delete archived", contactsSpec, gdpr, "POST", gdpr, m{"objectId": gone}, "", 204},
		{"gdpr delete unknown email", contactsSpec, gdpr, "POST", gdpr, m{"objectId": "never@example.com", "idProperty": "email"}, "", 204},
		{"gdpr delete unknown id", contactsSpec, gdpr, "POST", gdpr, m{"objectId": "999999"}, "", 404},
		{"gdpr delete no id", contactsSpec, gdpr, "POST", gdpr, m{"idProperty": "email"}, "", 400},
		{"gdpr delete by non-unique", contactsSpec, gdpr, "POST", gdpr, m{"objectId": "x", "idProperty": "firstname"}, "", 400},
		{"list archived after gdpr", contactsSpec, objects, "GET", objects + "?archived=true", nil, "", 200},
		{"read archived after gdpr", contactsSpec, read, "POST", read + "?archived=true", readBody("gone@example.com"), "", 207},
	}
	// Cases run in order: later ones depend on state made by earlier ones.
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

	// Rate-limit, fault and size errors use the spec's default Error response.
	t.Run("429 and 413 bodies", func(t *testing.T) {
		srv := newTestServer(t, WithMaxBodyBytes(64), WithFault(Fault{Kind: Fault429Daily, Path: "/properties/"}))
		r := do(t, srv, "GET", "/crm/v3/properties/contacts", nil)
		wantStatus(t, r, 429)
		validateResponse(t, propertiesSpec.load(t), props, "GET", srv.URL+"/crm/v3/properties/contacts", r)
		r = do(t, srv, "POST", upsert, upsertBody(m{"id": "a-very-long-address@example.com", "properties": m{"firstname": "x"}}))
		wantStatus(t, r, 413)
		validateResponse(t, contactsSpec.load(t), upsert, "POST", srv.URL+upsert, r)
	})
}

// validateResponse checks r against the operation method template of doc.
func validateResponse(t *testing.T, doc *openapi3.T, template, method, url string, r response) {
	t.Helper()
	if err := checkResponse(t, doc, template, method, url, r); err != nil {
		var pretty bytes.Buffer
		if json.Indent(&pretty, r.body, "", "  ") != nil {
			pretty.Write(r.body)
		}
		t.Errorf("%s %s → %d does not match the spec:\n%v\nbody:\n%s", method, template, r.status,
			strings.ReplaceAll(err.Error(), "\n", "\n  "), pretty.String())
	}
}

func checkResponse(t *testing.T, doc *openapi3.T, template, method, url string, r response) error {
	t.Helper()
	pathItem := doc.Paths.Value(template)
	if pathItem == nil {
		t.Fatalf("spec has no path %s", template)
	}
	op := pathItem.GetOperation(method)
	if op == nil {
		t.Fatalf("spec has no operation %s %s", method, template)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: doc, Path: template, PathItem: pathItem, Method: method, Operation: op},
		},
		Status:  r.status,
		Header:  r.header,
		Body:    io.NopCloser(bytes.NewReader(r.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	return openapi3filter.ValidateResponse(t.Context(), in)
}

// TestContract_catchesDrift proves the validator is not vacuous: bodies that
// break the spec are rejected.
func TestContract_catchesDrift(t *testing.T) {
	t.Parallel()
	doc := contactsSpec.load(t)
	h := http.Header{"Content-Type": {"application/json"}}
	for name, body := range map[string]string{
		"numeric property":   `{"results":[{"id":"1","properties":{"n":3},"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z","archived":false}]}`,
		"missing createdAt":  `{"results":[{"id":"1","properties":{},"updatedAt":"2026-01-01T00:00:00.000Z","archived":false}]}`,
		"error w/o category": `{"status":"error","message":"x","correlationId":"4d6a1f0e-7b1c-4c8e-9f1a-2b3c4d5e6f70"}`,
	} {
		status := 200
		if strings.HasPrefix(name, "error") {
			status = 400
		}
		r := response{status: status, header: h, body: []byte(body)}
		if err := checkResponse(t, doc, "/crm/v3/objects/contacts", "GET", "http://127.0.0.1/crm/v3/objects/contacts", r); err == nil {
			t.Errorf("%s: validator accepted %s", name, body)
		}
	}
}
