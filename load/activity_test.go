package load

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// newActivityDB opens a DuckDB file with the contacts and activity tables
// the transform writes: 150 contacts; webinar 1 with instance "u/1==" held,
// registered by all 150 and attended by the first 120 (more than one batch
// of 100 participations per state); a recording of it. excluded@example.com
// is in the activity tables but is no contact: it must get nothing.
func newActivityDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "a.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stmts := []string{
		`CREATE TABLE contacts AS SELECT printf('p%03d@example.com', i) AS email, 'First' AS firstname, NULL::VARCHAR AS lastname,
			50.0::DOUBLE AS zoom_average_webinar_attendance_percent, 'https://zoom.us/j/1' AS zoom_last_registered_webinar_url,
			1::BIGINT AS zoom_total_webinar_registrations, 1::BIGINT AS zoom_total_webinars_attended,
			0::BIGINT AS zoom_webinar_questions_asked, 0::BIGINT AS zoom_webinar_polls_answered,
			'2026-05-02' AS zoom_last_webinar_attended_date FROM range(150) r(i)`,
		`CREATE TABLE registration_events AS
			SELECT 'reg-' || left(sha256('1|' || email), 32) AS event_id, email, 1::BIGINT AS webinar_id, 'Roadmap' AS webinar_name,
			       TIMESTAMPTZ '2026-05-01 08:00:00+00' AS create_time
			FROM (SELECT email FROM contacts UNION ALL SELECT 'excluded@example.com')`,
		`CREATE TABLE attendance_events AS
			SELECT 'att-' || left(sha256('u/1==|' || email), 32) AS event_id, email, 1::BIGINT AS webinar_id, 'Roadmap' AS webinar_name,
			       'u/1==' AS instance_uuid, '2026-05-02' AS date, TIMESTAMPTZ '2026-05-02 10:00:00+00' AS start_time,
			       TIMESTAMPTZ '2026-05-02 10:05:00+00' AS join_time, TIMESTAMPTZ '2026-05-02 10:50:00+00' AS leave_time,
			       45.0::DOUBLE AS minutes_present, 75.0::DOUBLE AS percent_present
			FROM ((SELECT email FROM contacts ORDER BY email LIMIT 120) UNION ALL SELECT 'excluded@example.com')`,
		`CREATE TABLE recording_events AS
			SELECT 'rec-' || left(sha256('u/1=='), 32) AS event_id, 'u/1==' AS instance_uuid, 1::BIGINT AS webinar_id, 'Roadmap' AS topic,
			       TIMESTAMPTZ '2026-05-02 10:00:00+00' AS start_time, 60 AS duration_minutes,
			       'https://zoom.us/rec/play/abc' AS recording_url, 'Host: welcome' AS transcript,
			       (SELECT list(email ORDER BY email) FROM attendance_events) AS attendees`,
		`CREATE TABLE marketing_events AS
			SELECT 'zoom-' || left(sha256('u/1=='), 32) AS external_event_id, 'u/1==' AS instance_uuid, 1::BIGINT AS webinar_id,
			       'Roadmap' AS name, TIMESTAMPTZ '2026-05-02 10:00:00+00' AS start_time, TIMESTAMPTZ '2026-05-02 11:00:00+00' AS end_time,
			       'https://zoom.us/j/1' AS webinar_url,
			       (SELECT count(*) FROM registration_events) AS registrants,
			       (SELECT count(*) FROM attendance_events) AS attendees,
			       'u/1==' AS session_id`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db
}

func writes(hs *hubspottest.Server) map[string]int {
	out := map[string]int{}
	for _, r := range hs.Requests() {
		if r.Write {
			out[r.Method+" "+r.Path]++
		}
	}
	return out
}

// loadAll loads the contacts, then the activity; opts adjust the activity
// config.
func loadAll(t *testing.T, client *hubspot.Client, db *sql.DB, run string, timeline bool, dry bool, opts ...func(*ActivityConfig)) *ActivitySummary {
	t.Helper()
	if _, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: run, DryRun: dry}); err != nil {
		t.Fatal(err)
	}
	cfg := ActivityConfig{Client: client, DB: db, RunID: run, DryRun: dry, ExternalAccountID: "zoom-acct"}
	for _, o := range opts {
		o(&cfg)
	}
	if timeline {
		cfg.TimelineApp, cfg.TimelineReady = hubspottest.DefaultAppID, true
	}
	sum, err := Activity(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestActivity_privateTokenOnlyChangedNoExcluded(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newActivityDB(t)

	// A dry run first: counts, sends nothing, records nothing.
	dry := loadAll(t, client, db, "run-0", false, true)
	if dry.MarketingEvents.Created != 1 || dry.Attendance.Created != 270 || dry.Calls.Created != 1 {
		t.Errorf("dry run = %+v", dry)
	}
	if w := writes(hs); len(w) != 0 {
		t.Fatalf("dry run wrote: %v", w)
	}

	sum := loadAll(t, client, db, "run-1", false, false)
	want := ActivitySummary{
		MarketingEvents: Counts{Created: 1},
		Attendance:      Counts{Created: 270, Skipped: 2}, // 150 + 120; excluded@ twice
		TimelineEvents:  Counts{Skipped: 393},             // 151 + 121 + 121
		Calls:           Counts{Created: 1},
	}
	if sum.MarketingEvents != want.MarketingEvents || sum.Attendance != want.Attendance ||
		sum.TimelineEvents != want.TimelineEvents || sum.Calls != want.Calls {
		t.Errorf("summary = %+v, want counts %+v", sum, want)
	}
	if len(sum.Notices) != 1 || !strings.Contains(sum.Notices[0], "public app") {
		t.Errorf("notices = %q, want one about the public app", sum.Notices)
	}
	evs := hs.MarketingEvents()
	if len(evs) != 1 || evs[0].ExternalEventID != ActivityID("zoom-", "u/1==") || evs[0].Name != "Roadmap" {
		t.Fatalf("marketing events = %+v", evs)
	}
	parts := hs.Participations(evs[0].ExternalEventID)
	if len(parts) != 270 {
		t.Errorf("participations = %d, want 270", len(parts))
	}
	for _, p := range parts {
		if p.Email == "excluded@example.com" {
			t.Errorf("excluded person got a participation: %+v", p)
		}
	}
	calls := hs.Calls()
	if len(calls) != 1 || len(calls[0].ContactIDs) != 120 || calls[0].Properties["hs_call_recording_url"] != "https://zoom.us/rec/play/abc" ||
		!strings.Contains(calls[0].Properties["hs_call_body"], "Host: welcome") {
		t.Fatalf("calls = %+v", calls)
	}
	if n := len(hs.TimelineEvents()); n != 0 {
		t.Errorf("%d timeline events sent with a private-app token", n)
	}
	for _, r := range hs.Requests() {
		if strings.Contains(r.Path, "email-create") || strings.Contains(r.Path, "/timeline/") {
			t.Errorf("request %s %s", r.Method, r.Path)
		}
	}

	// Nothing new: no write at all, whatever the object type.
	hs.ResetRequests()
	again := loadAll(t, client, db, "run-2", false, false)
	if w := writes(hs); len(w) != 0 {
		t.Errorf("second run wrote: %v", w)
	}
	if again.MarketingEvents.Unchanged != 1 || again.Attendance.Unchanged != 270 || again.Calls.Unchanged != 1 {
		t.Errorf("second run = %+v", again)
	}

	// A changed event name is sent again (an update); so is a changed
	// transcript: the same call, updated, never a second call.
	for _, s := range []string{`UPDATE marketing_events SET name = 'Roadmap 2026'`, `UPDATE recording_events SET transcript = 'Host: welcome again'`} {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	hs.ResetRequests()
	third := loadAll(t, client, db, "run-3", false, false)
	if third.MarketingEvents.Updated != 1 || third.Calls.Updated != 1 || len(hs.Calls()) != 1 {
		t.Errorf("third run = %+v, calls %d", third, len(hs.Calls()))
	}
	if w := writes(hs); w["POST /marketing/v3/marketing-events/events/upsert"] != 1 || w["POST /crm/v3/objects/calls/batch/update"] != 1 || len(w) != 2 {
		t.Errorf("third run writes = %v", w)
	}
	if got := hs.Calls()[0]; got.ID != calls[0].ID || !strings.Contains(got.Properties["hs_call_body"], "Host: welcome again") {
		t.Errorf("call after the update = %+v", got)
	}
}

// TestActivity_callUpdatedWhenTranscriptArrives: a recording loaded before
// its transcript exists gets the transcript on a later run in the same call,
// and attendees added since are associated with it; nothing else is sent.
func TestActivity_callUpdatedWhenTranscriptArrives(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newActivityDB(t)
	exec := func(q string) {
		t.Helper()
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE recording_events SET transcript = ''`)
	loadAll(t, client, db, "run-1", false, false)
	first := hs.Calls()
	if len(first) != 1 || strings.Contains(first[0].Properties["hs_call_body"], "Transcript") || len(first[0].ContactIDs) != 120 {
		t.Fatalf("calls after run 1 = %+v", first)
	}

	// The transcript arrives, and two more people (contacts already) count
	// as attendees of the recording.
	exec(`UPDATE recording_events SET transcript = 'Host: welcome',
		attendees = list_concat(attendees, ['p148@example.com', 'p149@example.com'])`)
	hs.ResetRequests()
	sum := loadAll(t, client, db, "run-2", false, false)
	if sum.Calls != (Counts{Updated: 1}) {
		t.Errorf("run 2 calls = %+v, want one updated", sum.Calls)
	}
	if w := writes(hs); w["POST /crm/v3/objects/calls/batch/update"] != 1 || w["POST /crm/v4/associations/calls/contacts/batch/create"] != 1 ||
		w["POST /crm/v3/objects/calls/batch/create"] != 0 {
		t.Errorf("run 2 writes = %v", w)
	}
	var assocInputs int
	for _, r := range hs.Requests() {
		if strings.HasPrefix(r.Path, "/crm/v4/associations/") {
			assocInputs += r.Inputs
		}
	}
	if assocInputs != 2 {
		t.Errorf("associations sent = %d, want the 2 missing", assocInputs)
	}
	calls := hs.Calls()
	if len(calls) != 1 || calls[0].ID != first[0].ID || len(calls[0].ContactIDs) != 122 ||
		!strings.Contains(calls[0].Properties["hs_call_body"], "Transcript:\nHost: welcome") {
		t.Fatalf("calls after run 2 = %+v", calls)
	}
	var id string
	if err := db.QueryRowContext(t.Context(), `SELECT crm_id FROM load_log WHERE run_id = 'run-2' AND object_type = 'call' AND outcome = 'updated'`).Scan(&id); err != nil || id != first[0].ID {
		t.Errorf("load_log update of the call = %q, %v", id, err)
	}

	// Nothing changed: nothing written.
	hs.ResetRequests()
	again := loadAll(t, client, db, "run-3", false, false)
	if w := writes(hs); len(w) != 0 || again.Calls != (Counts{Unchanged: 1}) {
		t.Errorf("run 3 writes = %v, calls %+v", w, again.Calls)
	}
}

func TestActivity_timelineWithPublicApp(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"), hubspottest.WithOAuthToken("app-oauth-token"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithOAuthToken("app-oauth-token"), hubspot.WithDeveloperKey(hubspottest.DefaultDeveloperKey), hubspot.WithApp(hubspottest.DefaultAppID))
	db := newActivityDB(t)

	sum := loadAll(t, client, db, "run-1", true, false)
	if sum.TimelineEvents != (Counts{Created: 390, Skipped: 3}) || len(sum.Notices) != 0 || len(sum.TemplatesCreated) != 3 {
		t.Errorf("summary = %+v", sum)
	}
	if n := len(hs.EventTemplates()); n != 3 {
		t.Errorf("%d templates", n)
	}
	evs := hs.TimelineEvents()
	if len(evs) != 390 {
		t.Fatalf("%d timeline events, want 150 + 120 + 120", len(evs))
	}
	byID := map[string]hubspottest.TimelineEvent{}
	for _, e := range evs {
		byID[e.ID] = e
	}
	att := byID[ActivityID("att-", "u/1==|p000@example.com")]
	if att.Tokens["minutesPresent"] != "45.0" && att.Tokens["minutesPresent"] != "45" {
		t.Errorf("attendance event = %+v", att)
	}
	if att.Email != "" || att.ObjectID == "" {
		t.Errorf("attendance event not sent by object id: %+v", att)
	}

	hs.ResetRequests()
	again := loadAll(t, client, db, "run-2", true, false)
	if w := writes(hs); len(w) != 0 {
		t.Errorf("second run wrote: %v", w)
	}
	if again.TimelineEvents.Unchanged != 390 || len(hs.TimelineEvents()) != 390 || len(hs.EventTemplates()) != 3 {
		t.Errorf("second run = %+v; events %d templates %d", again.TimelineEvents, len(hs.TimelineEvents()), len(hs.EventTemplates()))
	}
	for _, r := range hs.Requests() {
		if strings.Contains(r.Path, "event-templates") {
			t.Errorf("template ids not taken from load_state: %s %s", r.Method, r.Path)
		}
	}
	for _, e := range hs.TimelineEvents() {
		if e.Writes != 1 {
			t.Errorf("event %s written %d times", e.ID, e.Writes)
			break
		}
	}
}

func TestCallProperties_capsBody(t *testing.T) {
	long := strings.Repeat("é", MaxCallBody+10)
	p := CallProperties("T", time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), 60, "http://insecure", long)
	if n := len([]rune(p["hs_call_body"])); n != MaxCallBody {
		t.Errorf("body has %d characters, want %d", n, MaxCallBody)
	}
	if !strings.Contains(p["hs_call_body"], "transcript cut at") {
		t.Error("no note that the transcript was cut")
	}
	if _, ok := p["hs_call_recording_url"]; ok {
		t.Error("a non-HTTPS recording URL was sent")
	}
	if p["hs_call_duration"] != "3600000" || p["hs_timestamp"] != "2026-05-01T10:00:00Z" {
		t.Errorf("properties = %v", p)
	}
}

// TestActivity_callCreateNotRetriedAfterStall: a calls batch create whose
// answer never came (the attempt timed out while HubSpot went on to create
// the calls) is not sent again in the same run: calls have no natural key,
// so each resend would make another call of the recording.
func TestActivity_callCreateNotRetriedAfterStall(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.FaultStall, Stall: 400 * time.Millisecond, Path: "/crm/v3/objects/calls/batch/create", Times: 1}))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}), hubspot.WithRetry(3, time.Millisecond, 10*time.Millisecond))
	db := newActivityDB(t)
	if _, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "run-1"}); err != nil {
		t.Fatal(err)
	}
	sum, err := Activity(t.Context(), ActivityConfig{Client: client, DB: db, RunID: "run-1", ExternalAccountID: "zoom-acct", CreateCalls: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := hs.WaitIdle(t.Context()); err != nil { // the stalled request lands
		t.Fatal(err)
	}
	if n := len(hs.Calls()); n != 1 {
		t.Errorf("HubSpot holds %d calls of one recording, want 1", n)
	}
	if sum.Calls.Unknown != 1 || sum.Calls.Failed != 0 {
		t.Errorf("calls = %+v, want the one whose answer was lost unknown", sum.Calls)
	}
	if got := sum.Unsettled(); len(got) != 1 || !strings.HasSuffix(got[0], ": unknown") || !strings.HasPrefix(got[0], ObjectCall+" rec-") {
		t.Errorf("Unsettled = %q, want the call named as unknown", got)
	}
}

// createCalls selects the batch create path of calls (CreateCalls).
func createCalls(c *ActivityConfig) { c.CreateCalls = true }

// hookTransport calls hook before sending each request; the hook may
// cancel a context or panic (a crash of the process).
type hookTransport struct {
	hook func(r *http.Request)
}

func (t hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.hook(r)
	return http.DefaultTransport.RoundTrip(r)
}

// crash is the panic value of a simulated crash.
type crash struct{}

// manyRecordings replaces the recordings by n, each with one attendee
// (p000…p149 cycling) and a topic of its own: more than one calls batch.
func manyRecordings(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), `CREATE OR REPLACE TABLE recording_events AS
		SELECT printf('rec-%04d', i) AS event_id, printf('u/%d==', i) AS instance_uuid, 1::BIGINT AS webinar_id,
		       printf('Roadmap %04d', i) AS topic, TIMESTAMPTZ '2026-05-02 10:00:00+00' AS start_time, 60 AS duration_minutes,
		       'https://zoom.us/rec/play/abc' AS recording_url, '' AS transcript,
		       [printf('p%03d@example.com', i % 150)] AS attendees
		FROM range(?) r(i)`, n); err != nil {
		t.Fatal(err)
	}
}

// TestActivity_callsRecordedPerBatch: the process dies while the second
// calls batch is being sent. The first batch's calls were created and
// their ids must already be in load_state, so the next run creates only
// the calls of the second batch: HubSpot holds one call per recording.
func TestActivity_callsRecordedPerBatch(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	creates := 0
	crashing := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithHTTPClient(&http.Client{Transport: hookTransport{func(r *http.Request) {
			if r.URL.Path == "/crm/v3/objects/calls/batch/create" {
				if creates++; creates == 2 {
					panic(crash{})
				}
			}
		}}}))
	db := newActivityDB(t)
	const recordings = 150
	manyRecordings(t, db, recordings)
	if _, err := Contacts(t.Context(), Config{Client: crashing, DB: db, RunID: "run-1"}); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if r := recover(); r != (crash{}) {
				panic(r)
			}
		}()
		_, err := Activity(t.Context(), ActivityConfig{Client: crashing, DB: db, RunID: "run-1", ExternalAccountID: "zoom-acct", CreateCalls: true})
		t.Fatalf("the run did not crash: %v", err)
	}()
	if n := len(hs.Calls()); n != hubspot.MaxBatchInputs {
		t.Fatalf("%d calls after the crash, want the first batch's %d", n, hubspot.MaxBatchInputs)
	}
	var calls, links int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FILTER (object_type = 'call'), count(*) FILTER (object_type = 'call_contact')
		FROM load_state`).Scan(&calls, &links); err != nil {
		t.Fatal(err)
	}
	if calls != hubspot.MaxBatchInputs || links != hubspot.MaxBatchInputs {
		t.Errorf("load_state after the crash: %d calls, %d call_contact rows, want %d of each", calls, links, hubspot.MaxBatchInputs)
	}

	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	sum := loadAll(t, client, db, "run-2", false, false, createCalls)
	if sum.Calls != (Counts{Created: recordings - hubspot.MaxBatchInputs, Unchanged: hubspot.MaxBatchInputs}) {
		t.Errorf("re-run calls = %+v", sum.Calls)
	}
	perTitle := map[string]int{}
	for _, c := range hs.Calls() {
		perTitle[c.Properties["hs_call_title"]]++
	}
	if len(perTitle) != recordings {
		t.Errorf("%d recordings have a call, want %d", len(perTitle), recordings)
	}
	for title, n := range perTitle {
		if n != 1 {
			t.Errorf("%q: %d calls, want 1", title, n)
		}
	}
}

// TestActivity_callsCancelledAfterFirstBatch: the context ends while the
// second calls batch is sent; the re-run creates only the calls missing.
func TestActivity_callsCancelledAfterFirstBatch(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	creates := 0
	cancelling := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithHTTPClient(&http.Client{Transport: hookTransport{func(r *http.Request) {
			if r.URL.Path == "/crm/v3/objects/calls/batch/create" {
				if creates++; creates == 2 {
					cancel()
				}
			}
		}}}))
	db := newActivityDB(t)
	const recordings = 150
	manyRecordings(t, db, recordings)
	if _, err := Contacts(ctx, Config{Client: cancelling, DB: db, RunID: "run-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Activity(ctx, ActivityConfig{Client: cancelling, DB: db, RunID: "run-1", ExternalAccountID: "zoom-acct", CreateCalls: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("run 1 error = %v, want context.Canceled", err)
	}
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	sum := loadAll(t, client, db, "run-2", false, false, createCalls)
	if n := len(hs.Calls()); n != recordings || sum.Calls.Created != recordings-hubspot.MaxBatchInputs {
		t.Errorf("HubSpot holds %d calls of %d recordings; re-run calls = %+v", n, recordings, sum.Calls)
	}
}

// TestActivity_templateCreateNotResent: an event template create whose
// answer is lost (a stalled attempt HubSpot carries out all the same, a
// reset, a 5xx) is not sent again; the template is found by name, in the
// same run or the next, and never created twice.
func TestActivity_templateCreateNotResent(t *testing.T) {
	for _, f := range []hubspottest.Fault{
		{Kind: hubspottest.FaultStall, Stall: 400 * time.Millisecond},
		{Kind: hubspottest.FaultReset},
		{Kind: hubspottest.Fault5xx, Status: http.StatusBadGateway},
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			f.Method, f.Path, f.Times = "POST", "/event-templates", 1
			hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"),
				hubspottest.WithOAuthToken("app-oauth-token"), hubspottest.WithFault(f))
			defer hs.Close()
			client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
				hubspot.WithOAuthToken("app-oauth-token"), hubspot.WithDeveloperKey(hubspottest.DefaultDeveloperKey), hubspot.WithApp(hubspottest.DefaultAppID),
				hubspot.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}), hubspot.WithRetry(3, time.Millisecond, 10*time.Millisecond))
			db := newActivityDB(t)
			if _, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "run-1"}); err != nil {
				t.Fatal(err)
			}
			_, err := Activity(t.Context(), ActivityConfig{Client: client, DB: db, RunID: "run-1", ExternalAccountID: "zoom-acct",
				TimelineApp: hubspottest.DefaultAppID, TimelineReady: true})
			t.Logf("run 1: %v", err)
			if err := hs.WaitIdle(t.Context()); err != nil { // a stalled request lands
				t.Fatal(err)
			}

			sum := loadAll(t, client, db, "run-2", true, false)
			perName := map[string]int{}
			for _, tm := range hs.EventTemplates() {
				perName[tm.Name]++
			}
			for _, tm := range TimelineTemplates() {
				if perName[tm.Name] != 1 {
					t.Errorf("template %s: %d in HubSpot, want 1", tm.Name, perName[tm.Name])
				}
			}
			if n := len(hs.TimelineEvents()); n != 390 || sum.TimelineEvents.Failed != 0 {
				t.Errorf("%d timeline events after the re-run, want 390; run 2 = %+v", n, sum.TimelineEvents)
			}
		})
	}
}

// lostAnswer carries out the first request matching path and drops its
// answer, as a connection lost on the way back would.
type lostAnswer struct {
	path string
	lost bool
}

func (t *lostAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && !t.lost && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, t.path) {
		t.lost = true
		resp.Body.Close()
		return nil, errors.New("connection reset by peer (answer lost)")
	}
	return resp, err
}

// TestActivity_templateFoundAfterLostAnswer: a template created whose answer
// was lost is found by name in the same run, and the run goes on.
func TestActivity_templateFoundAfterLostAnswer(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"), hubspottest.WithOAuthToken("app-oauth-token"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithOAuthToken("app-oauth-token"), hubspot.WithDeveloperKey(hubspottest.DefaultDeveloperKey), hubspot.WithApp(hubspottest.DefaultAppID),
		hubspot.WithHTTPClient(&http.Client{Transport: &lostAnswer{path: "/event-templates"}}), hubspot.WithRetry(3, time.Millisecond, 10*time.Millisecond))
	db := newActivityDB(t)
	sum := loadAll(t, client, db, "run-1", true, false)
	if len(hs.EventTemplates()) != 3 || len(sum.TemplatesCreated) != 3 || sum.TimelineEvents != (Counts{Created: 390, Skipped: 3}) {
		t.Errorf("templates %d, summary %+v", len(hs.EventTemplates()), sum)
	}
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM load_state WHERE object_type = 'timeline_template'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("load_state holds %d templates (%v), want 3", n, err)
	}
}

// TestActivity_cancelKeepsEarlierBatches: when the context ends during the
// second batch of participations (or of timeline events), the first
// batch's acknowledgements are recorded all the same.
func TestActivity_cancelKeepsEarlierBatches(t *testing.T) {
	for _, c := range []struct{ path, objectType string }{
		{"/marketing/v3/marketing-events/attendance/", ObjectParticipation},
		{"/crm/v3/timeline/events/batch/create", ObjectTimelineEvent},
	} {
		t.Run(c.objectType, func(t *testing.T) {
			hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"), hubspottest.WithOAuthToken("app-oauth-token"))
			defer hs.Close()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			sent := 0
			// One batch at a time: the first batch is answered before
			// the second is sent (pipelined, it could still be out when
			// the cancel comes, and end unknown).
			client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
				hubspot.WithOAuthToken("app-oauth-token"), hubspot.WithDeveloperKey(hubspottest.DefaultDeveloperKey), hubspot.WithApp(hubspottest.DefaultAppID),
				hubspot.WithMaxInFlight(1),
				hubspot.WithHTTPClient(&http.Client{Transport: hookTransport{func(r *http.Request) {
					if strings.HasPrefix(r.URL.Path, c.path) {
						if sent++; sent == 2 {
							cancel()
						}
					}
				}}}))
			db := newActivityDB(t)
			if _, err := Contacts(ctx, Config{Client: client, DB: db, RunID: "run-1"}); err != nil {
				t.Fatal(err)
			}
			_, err := Activity(ctx, ActivityConfig{Client: client, DB: db, RunID: "run-1", ExternalAccountID: "zoom-acct",
				TimelineApp: hubspottest.DefaultAppID, TimelineReady: true})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			var n int
			if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM load_state WHERE object_type = ?`, c.objectType).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != hubspot.MaxBatchInputs {
				t.Errorf("load_state holds %d %s rows, want the first batch's %d", n, c.objectType, hubspot.MaxBatchInputs)
			}
		})
	}
}
