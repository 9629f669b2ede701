package hubspottest

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// allSpecs are the official HubSpot specs the simulator follows.
var allSpecs = []*specFile{contactsSpec, propertiesSpec, usersSpec, marketingSpec, timelineSpec, callsSpec}

// outsideSpecs are the routes served that no file of reference/openapi/hubspot
// declares, each with where its contract comes from instead.
var outsideSpecs = map[string]string{
	// The docs' and SDKs' paths for operations the specs put elsewhere.
	"GET /settings/v3/users":                                         "docs path of GET /settings/users/v3 (settings-users.v3.json)",
	"POST /settings/v3/users":                                        "docs path of POST /settings/users/v3 (settings-users.v3.json)",
	"GET /account-info/v3/details":                                   "account information API (no spec kept: HubSpot's API reference, see account.go)",
	"POST /oauth/v2/private-apps/get/access-token-info":              "private apps' token information (no spec published: HubSpot's private apps guide, see tokeninfo.go)",
	"GET /crm/v3/timeline/{appId}/event-templates":                   "docs path of /integrators/timeline/v3 (timeline.v3.json)",
	"POST /crm/v3/timeline/{appId}/event-templates":                  "docs path of /integrators/timeline/v3 (timeline.v3.json)",
	"GET /crm/v3/timeline/{appId}/event-templates/{eventTemplateId}": "docs path of /integrators/timeline/v3 (timeline.v3.json)",
	"POST /crm/v3/timeline/events":                                   "docs path of /integrators/timeline/v3 (timeline.v3.json)",
	"POST /crm/v3/timeline/events/batch/create":                      "docs path of /integrators/timeline/v3 (timeline.v3.json)",
	"GET /crm/v3/timeline/events/{eventTemplateId}/{eventId}":        "docs path of /integrators/timeline/v3 (timeline.v3.json)",
	// One pattern for the list operation every object spec declares
	// (GET /crm/v3/objects/calls in calls.v3.json, …/contacts in
	// contacts.v3.json, where the literal pattern wins); its calls answers
	// are validated against calls.v3.json in TestContract_calls.
	"GET /crm/v3/objects/{objectType}": "the objects specs' list operation, for every object type",
	// APIs whose spec is not kept in the reference.
	"POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create": "associations v4 (reference §8; HubSpot's published v4 spec, not kept)",
	// Custom events: HubSpot's published specs, not kept (docs/events.md, "HubSpot contract used").
	"GET /events/v3/event-definitions":             "manageEventDefinitions.json (events.go)",
	"POST /events/v3/event-definitions":            "manageEventDefinitions.json (events.go)",
	"GET /events/v3/event-definitions/{eventName}": "manageEventDefinitions.json (events.go)",
	"POST /events/v3/send":                         "sendEventCompletions.json (events.go)",
	"POST /events/v3/send/batch":                   "sendEventCompletions.json (events.go)",
	"GET /events/v3/events":                        "events.json, whose path ends in a slash (events.go)",
}

// wildcard matches a path parameter of a pattern or a spec template.
var wildcard = regexp.MustCompile(`\{[^}]+\}`)

// operationKey is "METHOD /path" with every parameter written {}.
func operationKey(method, path string) string {
	return method + " " + wildcard.ReplaceAllString(path, "{}")
}

// specOperations returns the operations of every spec, by operationKey.
func specOperations(t *testing.T) map[string]string {
	t.Helper()
	ops := map[string]string{}
	for _, f := range allSpecs {
		doc := f.load(t)
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				ops[operationKey(method, path)] = f.name
			}
		}
	}
	return ops
}

// clientOperations reads the operations the client in ../hubspot documents
// ("// HubSpot API: POST /crm/v3/objects/calls/batch/upsert" above each
// method, STYLE §12). The simulator imports nothing from its client: this
// reads the client's source as text.
func clientOperations(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "hubspot", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^\s*//\s*(?:HubSpot API:|meta:operation)\s+(GET|POST|PUT|PATCH|DELETE)\s+(/[^\s?]+)`)
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			out = append(out, m[1]+" "+m[2])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestContract_routes: every route the simulator serves is in a spec or in
// outsideSpecs (and every outsideSpecs entry is served and in no spec), and
// every operation the client documents that a spec declares is served.
func TestContract_routes(t *testing.T) {
	t.Parallel()
	ops := specOperations(t)
	srv := newTestServer(t)
	served := map[string]bool{}
	for _, pattern := range Routes() {
		served[pattern] = true
		method, path, _ := strings.Cut(pattern, " ")
		file, inSpec := ops[operationKey(method, path)]
		why, outside := outsideSpecs[pattern]
		switch {
		case inSpec && outside:
			t.Errorf("%s is in %s: drop it from outsideSpecs (%s)", pattern, file, why)
		case !inSpec && !outside:
			t.Errorf("%s is served but in no spec and not in outsideSpecs", pattern)
		}
	}
	for pattern := range outsideSpecs {
		if !served[pattern] {
			t.Errorf("outsideSpecs lists %s, which is not served", pattern)
		}
	}

	client := clientOperations(t)
	if len(client) == 0 {
		t.Fatal(`no "// HubSpot API: METHOD /path" comment found in ../hubspot: cannot check the client's operations`)
	}
	for _, op := range client {
		method, path, _ := strings.Cut(op, " ")
		req, err := http.NewRequest(method, srv.URL+wildcard.ReplaceAllString(path, "x1"), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, inSpec := ops[operationKey(method, path)]
		switch {
		case srv.routeOf(req) != nil:
		case inSpec:
			t.Errorf("the client uses %s (in %s), which the simulator does not serve", op, ops[operationKey(method, path)])
		default:
			t.Logf("the client uses %s, in no spec and not served", op)
		}
	}
	t.Logf("%d routes served, %d client operations checked", len(served), len(client))
}
