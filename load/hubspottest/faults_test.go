package hubspottest

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

// TestServer_faultsAfterCommit: the after-commit kinds apply the write, then
// lose or spoil the answer; the client cannot tell, the state can.
func TestServer_faultsAfterCommit(t *testing.T) {
	t.Parallel()
	const upsert = "/crm/v3/objects/contacts/batch/upsert"
	body := upsertBody(m{"id": "ana@example.com", "properties": m{"firstname": "Ana"}})

	t.Run("reset-after-commit", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: FaultResetAfterCommit}))
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+upsert, bytesReader(raw))
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got status %d, want a transport error", resp.StatusCode)
		}
		if _, ok := srv.Contact("ana@example.com"); !ok {
			t.Error("the write was not applied")
		}
		if got := srv.Requests()[0]; got.Status != 0 || !got.Write || got.Inputs != 1 {
			t.Errorf("logged %+v, want status 0, a write of 1 input", got)
		}
	})

	t.Run("504-after-commit", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: Fault504AfterCommit}))
		r := do(t, srv, "POST", upsert, body)
		wantStatus(t, r, http.StatusGatewayTimeout)
		if _, ok := srv.Contact("ana@example.com"); !ok {
			t.Error("the write was not applied")
		}
		// The retry finds the contact: an upsert is harmless to repeat.
		r = do(t, srv, "POST", upsert, body)
		wantStatus(t, r, http.StatusOK)
		if res := results(t, r); len(res) != 1 || res[0]["new"] != false || len(srv.Contacts()) != 1 {
			t.Errorf("retry: results %v, %d contacts; want one, not new", res, len(srv.Contacts()))
		}
	})

	t.Run("truncated-after-commit", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: FaultTruncatedAfterCommit}))
		r := do(t, srv, "POST", upsert, body)
		wantStatus(t, r, http.StatusOK)
		if json.Valid(r.body) || len(r.body) == 0 {
			t.Errorf("body is not a truncated JSON document: %q", r.body)
		}
		if _, ok := srv.Contact("ana@example.com"); !ok {
			t.Error("the write was not applied")
		}
	})

	t.Run("207-partial", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: Fault207Partial, Rows: 2}))
		r := do(t, srv, "POST", upsert, upsertBody(
			m{"id": "a@example.com", "objectWriteTraceId": "t-a"},
			m{"id": "b@example.com", "objectWriteTraceId": "t-b"},
			m{"id": "c@example.com", "objectWriteTraceId": "t-c"}))
		wantStatus(t, r, http.StatusMultiStatus)
		var got struct {
			Results   []map[string]any `json:"results"`
			NumErrors int              `json:"numErrors"`
			Errors    []standardError  `json:"errors"`
		}
		decode(t, r, &got)
		if len(got.Results) != 1 || got.NumErrors != 2 || len(got.Errors) != 2 {
			t.Fatalf("results %d, numErrors %d, errors %d; want 1, 2, 2", len(got.Results), got.NumErrors, len(got.Errors))
		}
		var traces []string
		for _, e := range got.Errors {
			traces = append(traces, e.Context["objectWriteTraceId"]...)
		}
		slices.Sort(traces)
		if !slices.Equal(traces, []string{"t-a", "t-b"}) {
			t.Errorf("failed rows %v, want t-a and t-b", traces)
		}
		var emails []string
		for _, c := range srv.Contacts() {
			emails = append(emails, c.Email)
		}
		if !slices.Equal(emails, []string{"c@example.com"}) {
			t.Errorf("contacts %v, want only the row that did not fail", emails)
		}
		if got := srv.Requests()[0].Inputs; got != 3 {
			t.Errorf("logged %d inputs, want 3", got)
		}
	})

	t.Run("207-partial leaves reads alone", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: Fault207Partial, Times: -1}))
		srv.SeedContact("a@example.com", nil)
		r := do(t, srv, "POST", "/crm/v3/objects/contacts/batch/read",
			m{"idProperty": "email", "inputs": []m{{"id": "a@example.com"}}, "properties": []string{}, "propertiesWithHistory": []string{}})
		wantStatus(t, r, http.StatusOK)
	})
}

// TestServer_faultMatching: every, after, route and method pick the requests.
func TestServer_faultMatching(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithFault(Fault{Kind: Fault5xx, Status: 503, Route: "/crm/v3/properties/*/groups", Method: "GET",
		After: 1, Every: 2, Times: 2}))
	var statuses []int
	for range 7 {
		statuses = append(statuses, do(t, srv, "GET", "/crm/v3/properties/contacts/groups", nil).status)
	}
	if want := []int{200, 200, 503, 200, 503, 200, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	wantStatus(t, do(t, srv, "GET", "/crm/v3/properties/contacts", nil), 200)
}
