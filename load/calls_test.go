package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// upsertProxy stands in front of the simulator, which does not serve
// POST /crm/v3/objects/calls/batch/upsert yet: it serves that route with
// HubSpot's unique-value semantics — an input whose idProperty value no
// call has is created (with that value), else the call holding it is
// updated — by forwarding creates and updates to the simulator, and
// answers in the upsert shape (new per result). Every other request goes
// to the simulator. With loseFirst it carries out the first upsert and
// drops the connection instead of answering, as a connection lost on the
// way back would.
type upsertProxy struct {
	t         *testing.T
	hs        *hubspottest.Server
	loseFirst bool

	mu      sync.Mutex
	upserts int
}

func newUpsertProxy(t *testing.T, hs *hubspottest.Server, loseFirst bool) *httptest.Server {
	p := &upsertProxy{t: t, hs: hs, loseFirst: loseFirst}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv
}

func (p *upsertProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/crm/v3/objects/calls/batch/upsert" {
		u, _ := url.Parse(p.hs.URL)
		httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
		return
	}
	p.mu.Lock() // one upsert at a time, as HubSpot locks the unique values
	defer p.mu.Unlock()
	p.upserts++
	var in struct {
		Inputs []struct {
			ID                 string            `json:"id"`
			IDProperty         string            `json:"idProperty"`
			ObjectWriteTraceID string            `json:"objectWriteTraceId"`
			Properties         map[string]string `json:"properties"`
		} `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	byValue := map[string]string{}
	for _, c := range p.hs.Calls() {
		if v := c.Properties[hubspot.CallIDProperty]; v != "" {
			byValue[v] = c.ID
		}
	}
	var creates, updates []map[string]any
	for _, x := range in.Inputs {
		if id, ok := byValue[x.ID]; ok {
			updates = append(updates, map[string]any{"id": id, "objectWriteTraceId": x.ObjectWriteTraceID, "properties": x.Properties})
			continue
		}
		props := map[string]string{x.IDProperty: x.ID}
		for k, v := range x.Properties {
			props[k] = v
		}
		creates = append(creates, map[string]any{"objectWriteTraceId": x.ObjectWriteTraceID, "properties": props, "associations": []any{}})
	}
	out := map[string][]any{"results": {}, "errors": {}}
	p.forward(r, "create", creates, true, out)
	p.forward(r, "update", updates, false, out)
	if p.loseFirst && p.upserts == 1 {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			p.t.Error(err)
			return
		}
		conn.Close()
		return
	}
	status := http.StatusOK
	if len(out["errors"]) > 0 {
		status = http.StatusMultiStatus
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"status": "COMPLETE", "results": out["results"], "errors": out["errors"],
		"startedAt": "2026-05-01T10:00:00Z", "completedAt": "2026-05-01T10:00:01Z"})
}

// forward sends inputs to the simulator's calls batch route and adds its
// results (marked new or not) and errors to out.
func (p *upsertProxy) forward(r *http.Request, route string, inputs []map[string]any, created bool, out map[string][]any) {
	if len(inputs) == 0 {
		return
	}
	body, _ := json.Marshal(map[string]any{"inputs": inputs})
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, p.hs.URL+"/crm/v3/objects/calls/batch/"+route, bytes.NewReader(body))
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Errorf("forwarding calls batch %s: %v", route, err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res struct {
		Results []map[string]any `json:"results"`
		Errors  []any            `json:"errors"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		p.t.Errorf("calls batch %s answered %d %s", route, resp.StatusCode, b)
		return
	}
	for _, x := range res.Results {
		x["new"] = created
		out["results"] = append(out["results"], x)
	}
	out["errors"] = append(out["errors"], res.Errors...)
}

// oneCallPerRecording fails the test unless HubSpot holds exactly one call
// per recording, each carrying its recording's zoomsync_call_id.
func oneCallPerRecording(t *testing.T, hs *hubspottest.Server, recordings int) {
	t.Helper()
	per := map[string]int{}
	for _, c := range hs.Calls() {
		per[c.Properties[hubspot.CallIDProperty]]++
		if len(c.ContactIDs) != 1 {
			t.Errorf("call %s is associated with %v, want its one attendee", c.ID, c.ContactIDs)
		}
	}
	if len(per) != recordings || per[""] != 0 {
		t.Errorf("%d recordings have calls (%d without a zoomsync_call_id), want %d", len(per), per[""], recordings)
	}
	for id, n := range per {
		if n != 1 {
			t.Errorf("recording %s: %d calls, want 1", id, n)
		}
	}
}

// TestActivity_upsertCalls_lostCatalogNoDuplicate: calls are upserted by
// zoomsync_call_id (created unique by the bootstrap); when load_state is
// lost, the next run finds every call by its key and updates it: no
// recording gets a second call.
func TestActivity_upsertCalls_lostCatalogNoDuplicate(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	proxy := newUpsertProxy(t, hs, false)
	client := hubspot.NewClient(hubspot.WithBaseURL(proxy.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newActivityDB(t)
	const recordings = 150
	manyRecordings(t, db, recordings)
	run := func(id string) *ActivitySummary {
		if _, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: id}); err != nil {
			t.Fatal(err)
		}
		sum, err := Activity(t.Context(), ActivityConfig{Client: client, DB: db, RunID: id, ExternalAccountID: "zoom-acct", UpsertCalls: true})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	sum := run("run-1")
	if sum.Calls != (Counts{Created: recordings}) || len(sum.PropertiesCreated) != 1 {
		t.Errorf("run 1: calls %+v, properties created %v", sum.Calls, sum.PropertiesCreated)
	}
	if p, _, err := client.Properties.Get(t.Context(), "calls", hubspot.CallIDProperty); err != nil || !p.HasUniqueValue || p.GroupName != PropertyGroup().Name {
		t.Errorf("calls property %s = %+v (%v), want it unique, in %s", hubspot.CallIDProperty, p, err, PropertyGroup().Name)
	}
	oneCallPerRecording(t, hs, recordings)

	if _, err := db.ExecContext(t.Context(), `DELETE FROM load_state`); err != nil {
		t.Fatal(err)
	}
	sum = run("run-2")
	if sum.Calls != (Counts{Updated: recordings}) {
		t.Errorf("run 2 after load_state was lost: calls %+v, want all %d updated", sum.Calls, recordings)
	}
	oneCallPerRecording(t, hs, recordings)
}

// TestActivity_upsertCalls_lostAnswerResent: HubSpot carries out the first
// calls upsert and the connection drops before its answer. The client
// sends it again, which finds the calls by their key: every recording has
// one call, and no outcome is left unknown.
func TestActivity_upsertCalls_lostAnswerResent(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	proxy := newUpsertProxy(t, hs, true)
	client := hubspot.NewClient(hubspot.WithBaseURL(proxy.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithRetry(3, 0, 0))
	db := newActivityDB(t)
	const recordings = 150
	manyRecordings(t, db, recordings)
	if _, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "run-1"}); err != nil {
		t.Fatal(err)
	}
	sum, err := Activity(t.Context(), ActivityConfig{Client: client, DB: db, RunID: "run-1", ExternalAccountID: "zoom-acct", UpsertCalls: true})
	if err != nil {
		t.Fatal(err)
	}
	// The first batch's calls were created by the lost attempt: the resend
	// updated them.
	if sum.Calls != (Counts{Created: recordings - hubspot.MaxBatchInputs, Updated: hubspot.MaxBatchInputs}) || len(sum.Unsettled()) != 0 {
		t.Errorf("calls %+v, unsettled %v", sum.Calls, sum.Unsettled())
	}
	oneCallPerRecording(t, hs, recordings)
}

// TestActivity_upsertCalls_afterCreatedCalls: calls created before
// UpsertCalls was on get their zoomsync_call_id by the next run's update
// (by the id in load_state), so a later run without load_state still finds
// them.
func TestActivity_upsertCalls_afterCreatedCalls(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	proxy := newUpsertProxy(t, hs, false)
	client := hubspot.NewClient(hubspot.WithBaseURL(proxy.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newActivityDB(t)
	const recordings = 3
	manyRecordings(t, db, recordings)
	for i, upsert := range []bool{false, true, true} {
		run := fmt.Sprintf("run-%d", i+1)
		if i == 2 {
			if _, err := db.ExecContext(t.Context(), `DELETE FROM load_state`); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: run}); err != nil {
			t.Fatal(err)
		}
		sum, err := Activity(t.Context(), ActivityConfig{Client: client, DB: db, RunID: run, ExternalAccountID: "zoom-acct", UpsertCalls: upsert})
		if err != nil {
			t.Fatal(err)
		}
		want := []Counts{{Created: recordings}, {Updated: recordings}, {Updated: recordings}}[i]
		if sum.Calls != want {
			t.Errorf("%s: calls %+v, want %+v", run, sum.Calls, want)
		}
	}
	oneCallPerRecording(t, hs, recordings)
}
