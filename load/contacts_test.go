package load

import (
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// newTestDB opens a DuckDB file with a contacts table of n rows; the row
// numbered bad (if any) has an email HubSpot refuses.
func newTestDB(t *testing.T, n int, bad map[int]bool) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = db.ExecContext(t.Context(), `CREATE TABLE contacts (email VARCHAR, firstname VARCHAR, lastname VARCHAR,
		zoom_average_webinar_attendance_percent DOUBLE, zoom_last_registered_webinar_url VARCHAR,
		zoom_total_webinar_registrations BIGINT, zoom_total_webinars_attended BIGINT,
		zoom_webinar_questions_asked BIGINT, zoom_webinar_polls_answered BIGINT, zoom_last_webinar_attended_date VARCHAR)`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		email := fmt.Sprintf("person%03d@example.com", i)
		if bad[i] {
			email = fmt.Sprintf("person%03d@example.con", i)
		}
		var avg, last any
		if i%3 != 0 {
			avg = float64(i%100) + 0.25
			last = fmt.Sprintf("2024-06-%02d", 1+i%28)
		}
		if _, err := db.ExecContext(t.Context(), `INSERT INTO contacts VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
			email, fmt.Sprintf("First%d", i), avg, "https://zoom.us/w/1", 1+i%4, i%3, i%2, i%5, last); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestContacts_batchesOutcomesAndOnlyChanged(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithRetry(2, time.Millisecond, 10*time.Millisecond))
	db := newTestDB(t, 250, map[int]bool{7: true, 130: true})
	cfg := Config{Client: client, DB: db, RunID: "run-1"}

	sum, err := Contacts(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 248 || sum.Failed != 2 || sum.Batches != 3 {
		t.Fatalf("first load: %+v; want 248 created, 2 failed, 3 batches", sum)
	}
	if got := len(hs.Contacts()); got != 248 {
		t.Fatalf("HubSpot holds %d contacts, want 248", got)
	}
	c, ok := hs.Contact("person004@example.com")
	if !ok || c.Properties["zoom_average_webinar_attendance_percent"] != "4.25" || c.Properties["zoom_total_webinars_attended"] != "1" ||
		c.Properties["firstname"] != "First4" {
		t.Fatalf("person004 = %+v, %v", c.Properties, ok)
	}
	// Every row sent has a load_log row; failed rows are not acknowledged.
	var logged, failed, state int
	db.QueryRow(`SELECT count(*), count(*) FILTER (outcome = 'failed') FROM load_log WHERE run_id = 'run-1'`).Scan(&logged, &failed)
	db.QueryRow(`SELECT count(*) FROM load_state`).Scan(&state)
	if logged != 250 || failed != 2 || state != 248 {
		t.Fatalf("load_log %d rows (%d failed), load_state %d; want 250 (2), 248", logged, failed, state)
	}

	// Second load: only the failed rows and one changed row are sent.
	db.Exec(`UPDATE contacts SET zoom_total_webinars_attended = 9 WHERE email = 'person010@example.com'`)
	hs.ResetRequests()
	cfg.RunID = "run-2"
	sum, err = Contacts(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Updated != 1 || sum.Failed != 2 || sum.Unchanged != 247 || sum.Batches != 1 {
		t.Fatalf("second load: %+v; want 1 updated, 2 failed, 247 unchanged in 1 batch", sum)
	}
	c, _ = hs.Contact("person010@example.com")
	if c.Properties["zoom_total_webinars_attended"] != "9" {
		t.Fatalf("person010 attended = %q, want 9", c.Properties["zoom_total_webinars_attended"])
	}
	writes := 0
	for _, r := range hs.Requests() {
		if r.Write {
			writes++
			if r.Inputs != 3 {
				t.Errorf("second load sent %d inputs in %s, want 3", r.Inputs, r.Path)
			}
		}
	}
	if writes != 1 {
		t.Fatalf("second load made %d write calls, want 1", writes)
	}
}

func TestContacts_dryRunSendsNothing(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newTestDB(t, 120, nil)
	sum, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "dry", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 120 || sum.Batches != 2 {
		t.Fatalf("dry run: %+v; want 120 to create in 2 batches", sum)
	}
	if n := len(hs.Requests()); n != 0 {
		t.Fatalf("dry run made %d requests, want 0", n)
	}
}

// TestContacts_malformedAnswerIsUnknownThenSettled: a batch upsert answered
// 200 with a body cut off has an unknown outcome, not a load failure: its
// rows are counted and named as unknown, not acknowledged, and the next run
// upserts them (by email: harmless whether or not the first write landed).
func TestContacts_malformedAnswerIsUnknownThenSettled(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.FaultMalformed, Path: "/crm/v3/objects/contacts/batch/upsert", Times: 1}))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithRetry(2, time.Millisecond, 10*time.Millisecond))
	db := newTestDB(t, 250, nil)

	sum, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "run-1"})
	if err != nil {
		t.Fatalf("a malformed answer failed the load: %v", err)
	}
	// Batches are in flight together: the fault hits whichever reaches the
	// server first: one of 100, or the last of 50.
	lost, first := sum.Unknown, -1
	if u := sum.Unsettled(); len(u) > 0 {
		fmt.Sscanf(u[0], "contact person%03d@example.com", &first)
	}
	if first != 0 && first != 100 && first != 200 || lost != min(100, 250-first) {
		t.Fatalf("first load: %d unknown from person%03d, want one whole batch unknown: %+v", lost, first, sum)
	}
	if sum.Created != 250-lost || sum.Unknown != lost || sum.Failed != 0 || sum.Batches != 3 {
		t.Fatalf("first load: %+v; want %d created, %d unknown in 3 batches", sum, 250-lost, lost)
	}
	var want []string
	for i := first; i < first+5; i++ {
		want = append(want, fmt.Sprintf("contact person%03d@example.com: unknown", i))
	}
	if got := sum.Unsettled(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Unsettled = %q, want %q", got, want)
	}
	var unknown, state int
	db.QueryRow(`SELECT count(*) FROM load_log WHERE run_id = 'run-1' AND outcome = 'unknown'`).Scan(&unknown)
	db.QueryRow(`SELECT count(*) FROM load_state`).Scan(&state)
	if unknown != lost || state != 250-lost {
		t.Errorf("load_log holds %d unknown rows, load_state %d; want %d, %d", unknown, state, lost, 250-lost)
	}

	sum, err = Contacts(t.Context(), Config{Client: client, DB: db, RunID: "run-2"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != lost || sum.Unchanged != 250-lost || sum.Unknown != 0 || len(sum.Unsettled()) != 0 {
		t.Errorf("second load: %+v; want the %d unknown settled (created), %d unchanged", sum, lost, 250-lost)
	}
	if n := len(hs.Contacts()); n != 250 {
		t.Errorf("HubSpot holds %d contacts, want 250", n)
	}
}

// TestContacts_engagementProperties: the three properties of issue 11 are
// created in the zoom_webinars group with their types, their values reach
// HubSpot (a date as the day, an empty date leaves the property unset, zero
// counts as "0"), and a second load with nothing changed sends nothing.
func TestContacts_engagementProperties(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newTestDB(t, 6, nil)
	cfg := Config{Client: client, DB: db, RunID: "run-1"}
	sum, err := Contacts(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 6 || sum.Failed != 0 {
		t.Fatalf("first load: %+v; want 6 created", sum)
	}
	wantDefs := map[string]hubspottest.PropertyDef{
		"zoom_webinar_questions_asked":    {Name: "zoom_webinar_questions_asked", Type: "number", FieldType: "number", GroupName: "zoom_webinars"},
		"zoom_webinar_polls_answered":     {Name: "zoom_webinar_polls_answered", Type: "number", FieldType: "number", GroupName: "zoom_webinars"},
		"zoom_last_webinar_attended_date": {Name: "zoom_last_webinar_attended_date", Type: "date", FieldType: "date", GroupName: "zoom_webinars"},
	}
	for _, p := range hs.Properties("contacts") {
		w, ok := wantDefs[p.Name]
		if !ok {
			continue
		}
		if p.Type != w.Type || p.FieldType != w.FieldType || p.GroupName != w.GroupName || p.Label == "" {
			t.Errorf("property %s = %+v, want type %s/%s in group %s", p.Name, p, w.Type, w.FieldType, w.GroupName)
		}
		delete(wantDefs, p.Name)
	}
	for name := range wantDefs {
		t.Errorf("property %s was not created", name)
	}
	// newTestDB: row i asked i%2 questions, answered i%5 poll questions,
	// last attended 2024-06-(1+i%28) when i%3 != 0, else never.
	for _, tc := range []struct {
		email                string
		questions, polls, at string
	}{
		{"person000@example.com", "0", "0", ""},
		{"person004@example.com", "0", "4", "2024-06-05"},
		{"person005@example.com", "1", "0", "2024-06-06"},
	} {
		c, ok := hs.Contact(tc.email)
		if !ok {
			t.Fatalf("%s not in HubSpot", tc.email)
		}
		p := c.Properties
		if p["zoom_webinar_questions_asked"] != tc.questions || p["zoom_webinar_polls_answered"] != tc.polls ||
			p["zoom_last_webinar_attended_date"] != tc.at {
			t.Errorf("%s: questions %q polls %q date %q; want %q %q %q", tc.email, p["zoom_webinar_questions_asked"],
				p["zoom_webinar_polls_answered"], p["zoom_last_webinar_attended_date"], tc.questions, tc.polls, tc.at)
		}
	}

	hs.ResetRequests()
	cfg.RunID = "run-2"
	sum, err = Contacts(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created+sum.Updated != 0 || sum.Unchanged != 6 || len(sum.PropertiesCreated) != 0 {
		t.Fatalf("second load: %+v; want 6 unchanged, no property created", sum)
	}
	for _, r := range hs.Requests() {
		if r.Write {
			t.Errorf("second load wrote %s %s", r.Method, r.Path)
		}
	}
}

// concurrencyTransport counts the requests of one path in flight at once.
type concurrencyTransport struct {
	path     string
	mu       *sync.Mutex
	now, top *int
}

func (t concurrencyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != t.path {
		return http.DefaultTransport.RoundTrip(r)
	}
	t.mu.Lock()
	*t.now++
	*t.top = max(*t.top, *t.now)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		*t.now--
		t.mu.Unlock()
	}()
	return http.DefaultTransport.RoundTrip(r)
}

// TestContacts_pipelinedUnderBurst429s loads 2,000 contacts (20 batches)
// against a simulator that answers after 30 ms and refuses upserts with
// burst 429s now and then: several batches are in flight at once, every
// 429 is retried, and every contact ends acknowledged exactly once in
// load_state and load_log, with the hash of what HubSpot holds, whatever
// the order the answers came back in. A second run sends nothing.
func TestContacts_pipelinedUnderBurst429s(t *testing.T) {
	const n = 2000
	hs := hubspottest.NewServer(hubspottest.WithTier("professional"), hubspottest.WithLatency(30*time.Millisecond, 20*time.Millisecond),
		hubspottest.WithFault(hubspottest.Fault{Path: "/batch/upsert", After: 2, Every: 4, Times: 4, Kind: hubspottest.Fault429Burst}))
	defer hs.Close()
	var mu sync.Mutex
	var now, top int
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("professional"),
		hubspot.WithRetry(6, time.Millisecond, 20*time.Millisecond),
		hubspot.WithHTTPClient(&http.Client{Transport: concurrencyTransport{"/crm/v3/objects/contacts/batch/upsert", &mu, &now, &top}}))
	db := newBenchDB(t, n)
	sum, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "run-1"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != n || sum.Failed+sum.Unknown != 0 || sum.Batches != n/100 {
		t.Errorf("summary %+v, want %d created in %d batches", sum, n, n/100)
	}
	if top < 2 {
		t.Errorf("at most %d upsert in flight at once, want batches pipelined", top)
	}
	var logged, keys, states int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*), count(DISTINCT key) FROM load_log WHERE outcome = 'created'`).Scan(&logged, &keys); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM load_state s JOIN contacts c ON s.object_type = 'contact' AND s.key = c.email`).Scan(&states); err != nil {
		t.Fatal(err)
	}
	if logged != n || keys != n || states != n {
		t.Errorf("load_log %d rows of %d keys, load_state %d contacts; want %d each", logged, keys, states, n)
	}
	if got := len(hs.Contacts()); got != n {
		t.Errorf("HubSpot holds %d contacts, want %d", got, n)
	}
	again, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "run-2"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Unchanged != n || again.Batches != 0 {
		t.Errorf("second run %+v, want all %d unchanged and no batch", again, n)
	}
}
