package load

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// lostUpsertProxy stands in front of the simulator and passes every request
// on; the first calls batch upsert is carried out but its answer is
// dropped with the connection, as a connection lost on the way back would.
type lostUpsertProxy struct {
	hs   *hubspottest.Server
	mu   sync.Mutex
	lost bool
}

func newLostUpsertProxy(t *testing.T, hs *hubspottest.Server) *httptest.Server {
	srv := httptest.NewServer(&lostUpsertProxy{hs: hs})
	t.Cleanup(srv.Close)
	return srv
}

func (p *lostUpsertProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, _ := url.Parse(p.hs.URL)
	p.mu.Lock()
	lose := !p.lost && r.Method == http.MethodPost && r.URL.Path == "/crm/v3/objects/calls/batch/upsert"
	p.lost = p.lost || lose
	p.mu.Unlock()
	if !lose {
		httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	httputil.NewSingleHostReverseProxy(u).ServeHTTP(rec, r) // carried out
	if rec.Code != http.StatusOK {
		panic(fmt.Sprintf("the upsert to lose answered %d: %s", rec.Code, rec.Body))
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
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
// zoomsync_call_id (created unique by the bootstrap; the simulator keeps
// HubSpot's unique-value semantics); when load_state is
// lost, the next run finds every call by its key and updates it: no
// recording gets a second call.
func TestActivity_upsertCalls_lostCatalogNoDuplicate(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newActivityDB(t)
	const recordings = 150
	manyRecordings(t, db, recordings)
	run := func(id string) *ActivitySummary {
		if _, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: id}); err != nil {
			t.Fatal(err)
		}
		sum, err := Activity(t.Context(), ActivityConfig{Client: client, DB: db, RunID: id, ExternalAccountID: "zoom-acct"})
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
	proxy := newLostUpsertProxy(t, hs)
	client := hubspot.NewClient(hubspot.WithBaseURL(proxy.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithRetry(3, 0, 0))
	db := newActivityDB(t)
	const recordings = 150
	manyRecordings(t, db, recordings)
	if _, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "run-1"}); err != nil {
		t.Fatal(err)
	}
	sum, err := Activity(t.Context(), ActivityConfig{Client: client, DB: db, RunID: "run-1", ExternalAccountID: "zoom-acct"})
	if err != nil {
		t.Fatal(err)
	}
	// The calls of the batch whose answer was lost (the first to reach the
	// proxy: with batches in flight, the batch of 100 or the one of 50)
	// were created by the lost attempt: the resend updated them.
	lost := sum.Calls.Updated
	if (lost != hubspot.MaxBatchInputs && lost != recordings-hubspot.MaxBatchInputs) ||
		sum.Calls != (Counts{Created: recordings - lost, Updated: lost}) || len(sum.Unsettled()) != 0 {
		t.Errorf("calls %+v, unsettled %v", sum.Calls, sum.Unsettled())
	}
	oneCallPerRecording(t, hs, recordings)
}

// TestActivity_upsertCalls_afterCreatedCalls: calls created with
// CreateCalls get their zoomsync_call_id by the next run's update
// (by the id in load_state), so a later run without load_state still finds
// them.
func TestActivity_upsertCalls_afterCreatedCalls(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
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
		sum, err := Activity(t.Context(), ActivityConfig{Client: client, DB: db, RunID: run, ExternalAccountID: "zoom-acct", CreateCalls: !upsert})
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
