package hubspot

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/load/hubspottest"
)

const (
	testOAuth  = "oauth-public-app-secret"
	testDevKey = "dev-key-secret"
	testApp    = "4242"
)

// setupActivity starts a simulator that accepts the private-app token, a
// public app's OAuth token and a developer key.
func setupActivity(t *testing.T, opts ...Option) (*hubspottest.Server, *Client) {
	t.Helper()
	return setup(t, []hubspottest.Option{hubspottest.WithOAuthToken(testOAuth),
		hubspottest.WithDeveloperKey(testDevKey), hubspottest.WithApp(testApp), hubspottest.WithShuffleSeed(3)},
		append([]Option{WithDeveloperKey(testDevKey), WithApp(testApp)}, opts...)...)
}

var webinarStart = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

func webinarEvent(id, name string) *MarketingEvent {
	return &MarketingEvent{ExternalAccountID: "zoom-acct-1", ExternalEventID: id, EventName: name,
		EventOrganizer: "Acme", EventType: "WEBINAR", StartDateTime: webinarStart, EndDateTime: webinarStart.Add(time.Hour),
		EventURL: "https://zoom.us/w/" + id, EventCompleted: true}
}

func TestMarketingEventsService_Upsert_idempotent(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	for _, name := range []string{"Roadmap", "Roadmap (renamed)"} {
		res, _, err := c.MarketingEvents.Upsert(t.Context(), []*MarketingEvent{webinarEvent("w1", name), webinarEvent("w2", "Other")})
		if err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		if len(res) != 2 || res[0].ID == "" {
			t.Fatalf("results = %+v", res)
		}
	}
	events := srv.MarketingEvents()
	if len(events) != 2 || events[0].Name != "Roadmap (renamed)" || events[0].Writes != 2 {
		t.Fatalf("simulator events = %+v", events)
	}
	got, _, err := c.MarketingEvents.Get(t.Context(), "zoom-acct-1", "w1")
	if err != nil || got.EventName != "Roadmap (renamed)" || !got.StartDateTime.Equal(webinarStart) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, _, err := c.MarketingEvents.Get(t.Context(), "zoom-acct-1", "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get missing: %v, want ErrNotFound", err)
	}
	// Client-side checks: required fields, duplicates, batch size.
	bad := webinarEvent("w3", "")
	if _, _, err := c.MarketingEvents.Upsert(t.Context(), []*MarketingEvent{bad}); err == nil {
		t.Error("missing eventName accepted")
	}
	if _, _, err := c.MarketingEvents.Upsert(t.Context(), []*MarketingEvent{webinarEvent("w1", "a"), webinarEvent("w1", "b")}); err == nil {
		t.Error("duplicate external ids accepted")
	}
	many := make([]*MarketingEvent, 101)
	for i := range many {
		many[i] = webinarEvent(fmt.Sprint(i), "x")
	}
	if _, _, err := c.MarketingEvents.Upsert(t.Context(), many); err == nil {
		t.Error("101 events accepted")
	}
}

func TestMarketingEventsService_RecordAttendance_idempotentByContactID(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	ana := srv.SeedContact("ana@example.com", nil)
	bo := srv.SeedContact("bo@example.com", nil)
	if _, _, err := c.MarketingEvents.Upsert(t.Context(), []*MarketingEvent{webinarEvent("w1", "Roadmap")}); err != nil {
		t.Fatal(err)
	}
	in := []Attendance{
		{ContactID: "999999", At: webinarStart},
		{ContactID: ana, At: webinarStart, JoinedAt: webinarStart, LeftAt: webinarStart.Add(54 * time.Minute)},
		{ContactID: bo, At: webinarStart.Add(time.Minute), JoinedAt: webinarStart.Add(time.Minute)},
	}
	for range 2 {
		out, _, err := c.MarketingEvents.RecordAttendance(t.Context(), "zoom-acct-1", "w1", StateAttend, in)
		if err != nil {
			t.Fatalf("RecordAttendance: %v", err)
		}
		if out[0].Err == nil || out[0].Err.Category != "OBJECT_NOT_FOUND" || out[1].Err != nil || out[2].Err != nil {
			t.Fatalf("outcomes = %+v %+v %+v", out[0], out[1], out[2])
		}
	}
	if _, _, err := c.MarketingEvents.RecordAttendance(t.Context(), "zoom-acct-1", "w1", StateRegister,
		[]Attendance{{ContactID: ana, At: webinarStart.Add(-24 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Contacts()); n != 2 {
		t.Errorf("%d contacts: attendance created one", n)
	}
	parts := srv.Participations("w1")
	if len(parts) != 3 {
		t.Fatalf("participations = %+v, want ana attend+register, bo attend", parts)
	}
	for _, p := range parts {
		if p.State == "attend" && p.Writes != 2 {
			t.Errorf("participation %+v written %d times, want 2 (same row)", p, p.Writes)
		}
	}
	got, _, err := c.MarketingEvents.Get(t.Context(), "zoom-acct-1", "w1")
	if err != nil || got.Attendees != 2 || got.Registrants != 1 || got.NoShows != 0 {
		t.Errorf("counts = %+v, %v", got, err)
	}
	var rows []*Participation
	for p, err := range c.MarketingEvents.BreakdownIter(t.Context(), "zoom-acct-1", "w1", &BreakdownOptions{Limit: 2, State: "ATTENDED"}) {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, p)
	}
	if len(rows) != 2 || rows[0].ContactID != ana || rows[0].DurationSeconds != 54*60 || rows[0].ExternalEventID != "w1" {
		t.Errorf("breakdown = %+v", rows)
	}
	// Client-side checks.
	if _, _, err := c.MarketingEvents.RecordAttendance(t.Context(), "zoom-acct-1", "w1", "joined", in[1:2]); err == nil {
		t.Error("unknown state accepted")
	}
	if _, _, err := c.MarketingEvents.RecordAttendance(t.Context(), "zoom-acct-1", "w1", StateAttend, []Attendance{in[1], in[1]}); err == nil {
		t.Error("duplicate contact accepted")
	}
	if _, _, err := c.MarketingEvents.RecordAttendance(t.Context(), "zoom-acct-1", "w1", StateAttend,
		[]Attendance{{ContactID: "ana@example.com", At: webinarStart}}); err == nil {
		t.Error("an email as contact id accepted")
	}
}

func attendanceTemplate() *EventTemplate {
	return &EventTemplate{Name: "zoom_webinar_attendance", HeaderTemplate: "Attended {{webinarName}}",
		Tokens: []TemplateToken{{Name: "webinarName", Label: "Webinar", Type: "string"},
			{Name: "minutesPresent", Label: "Minutes", Type: "number"}}}
}

func TestTimelineService_templatesWithDeveloperKey(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	tpl, _, err := c.Timeline.CreateTemplate(t.Context(), attendanceTemplate())
	if err != nil || tpl.ID == "" || tpl.ObjectType != "contacts" {
		t.Fatalf("CreateTemplate = %+v, %v", tpl, err)
	}
	list, _, err := c.Timeline.ListTemplates(t.Context())
	if err != nil || len(list) != 1 || list[0].ID != tpl.ID || len(list[0].Tokens) != 2 {
		t.Fatalf("ListTemplates = %+v, %v", list, err)
	}
	// The developer key is sent as ?hapikey=, the bearer token is not.
	for _, r := range srv.Requests() {
		if r.Status >= 300 {
			t.Errorf("%s %s → %d", r.Method, r.Path, r.Status)
		}
	}
	_, noKey := setupActivity(t, WithDeveloperKey(""))
	if _, _, err := noKey.Timeline.ListTemplates(t.Context()); !errors.Is(err, ErrNoDeveloperKey) {
		t.Errorf("without a key: %v, want ErrNoDeveloperKey", err)
	}
	_, wrong := setupActivity(t, WithDeveloperKey("wrong-"+testDevKey))
	_, _, err = wrong.Timeline.ListTemplates(t.Context())
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("wrong key: %v, want ErrUnauthorized", err)
	}
}

func TestTimelineService_privateAppTokenRefused(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	tpl, _, err := c.Timeline.CreateTemplate(t.Context(), attendanceTemplate())
	if err != nil {
		t.Fatal(err)
	}
	if c.Timeline.CanSendEvents() {
		t.Error("CanSendEvents without an OAuth token")
	}
	ev := &TimelineEvent{EventTemplateID: tpl.ID, ID: "att-1", Email: "ana@example.com", Tokens: map[string]string{"minutesPresent": "5"}}
	_, _, err = c.Timeline.BatchCreate(t.Context(), []*TimelineEvent{ev})
	if !errors.Is(err, ErrPublicAppRequired) || !errors.Is(err, ErrForbidden) {
		t.Fatalf("BatchCreate with a private-app token: %v, want ErrPublicAppRequired", err)
	}
	if _, _, err := c.Timeline.Create(t.Context(), ev); !errors.Is(err, ErrPublicAppRequired) {
		t.Errorf("Create with a private-app token: %v, want ErrPublicAppRequired", err)
	}
	if len(srv.TimelineEvents()) != 0 || len(srv.Contacts()) != 0 {
		t.Error("a refused send wrote state")
	}
}

func TestTimelineService_BatchCreate_eventIDsDedupe(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t, WithOAuthToken(testOAuth))
	ana := srv.SeedContact("ana@example.com", nil)
	tpl, _, err := c.Timeline.CreateTemplate(t.Context(), attendanceTemplate())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Timeline.CanSendEvents() {
		t.Fatal("CanSendEvents = false with an OAuth token")
	}
	events := func(minutes string) []*TimelineEvent {
		return []*TimelineEvent{
			{EventTemplateID: tpl.ID, ID: "att-w1-ana", ObjectID: ana, Timestamp: webinarStart,
				Tokens: map[string]string{"webinarName": "Roadmap", "minutesPresent": minutes}},
			{EventTemplateID: tpl.ID, ID: "att-w1-ghost", ObjectID: "999999", Tokens: map[string]string{}},
			{EventTemplateID: tpl.ID, ID: "att-w1-bad", ObjectID: ana, Tokens: map[string]string{"minutesPresent": "lots"}},
		}
	}
	for _, minutes := range []string{"10", "54"} {
		out, _, err := c.Timeline.BatchCreate(t.Context(), events(minutes))
		if err != nil {
			t.Fatalf("BatchCreate: %v", err)
		}
		if out[0].Err != nil || out[0].ObjectID != ana || out[1].Err == nil || out[2].Err == nil {
			t.Fatalf("outcomes = %+v / %+v / %+v", out[0], out[1].Err, out[2].Err)
		}
	}
	got := srv.TimelineEvents()
	if len(got) != 1 || got[0].Tokens["minutesPresent"] != "54" || got[0].Writes != 2 || !got[0].Timestamp.Equal(webinarStart) {
		t.Fatalf("simulator events = %+v, want one event, last write", got)
	}
	if len(srv.Contacts()) != 1 {
		t.Error("sending by objectId created a contact")
	}
	back, _, err := c.Timeline.Get(t.Context(), tpl.ID, "att-w1-ana")
	if err != nil || back.Tokens["minutesPresent"] != "54" || back.ObjectID != ana {
		t.Errorf("Get = %+v, %v", back, err)
	}
	// Every input needs an id, unique per template.
	if _, _, err := c.Timeline.BatchCreate(t.Context(), []*TimelineEvent{{EventTemplateID: tpl.ID, ObjectID: ana}}); err == nil {
		t.Error("event without id accepted")
	}
	dup := events("1")[:1]
	if _, _, err := c.Timeline.BatchCreate(t.Context(), append(dup, dup[0])); err == nil {
		t.Error("duplicate event ids accepted")
	}
}

func TestClient_secretsRedacted(t *testing.T) {
	t.Parallel()
	c := NewClient(WithToken(testToken), WithOAuthToken(testOAuth), WithDeveloperKey(testDevKey))
	s := c.redact("a " + testToken + " b " + testOAuth + " c " + testDevKey)
	if s != "a [REDACTED] b [REDACTED] c [REDACTED]" {
		t.Errorf("redact = %q", s)
	}
}

func recording(trace string, ts string, contacts ...string) CallInput {
	props := map[string]string{"hs_call_title": "Webinar recording: Roadmap", "hs_call_body": "Transcript …",
		"hs_call_recording_url": "https://zoom.us/rec/" + trace + ".mp4", "hs_call_duration": "3600000",
		"hs_call_direction": "OUTBOUND", "hs_call_status": "COMPLETED"}
	if ts != "" {
		props["hs_timestamp"] = ts
	}
	return CallInput{ObjectWriteTraceID: trace, Properties: props, ContactIDs: contacts}
}

func TestCallsService_BatchCreate_partialFailure(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	ana := srv.SeedContact("ana@example.com", nil)
	bo := srv.SeedContact("bo@example.com", nil)
	in := []CallInput{
		recording("rec-1", "2026-05-01T10:00:00Z", ana, bo),
		recording("rec-2", "", ana),                          // hs_timestamp missing
		recording("", "1777629600000", "999999"),             // unknown contact
		recording("", "2026-05-01T10:00:00Z", ana),           // generated trace id
		{Properties: map[string]string{"hs_timestamp": "1"}}, // no association is fine
	}
	out, _, err := c.Calls.BatchCreate(t.Context(), in)
	if err != nil {
		t.Fatalf("BatchCreate: %v", err)
	}
	var ok []string
	for i, o := range out {
		switch i {
		case 1, 2:
			if o.Err == nil || o.CallID != "" {
				t.Errorf("outcome %d = %+v, want an error", i, o)
			}
		default:
			if o.Err != nil || o.CallID == "" {
				t.Errorf("outcome %d = %+v (%v), want created", i, o, o.Err)
			}
			ok = append(ok, o.CallID)
		}
	}
	if out[3].Input.ObjectWriteTraceID != "call-3" || in[3].ObjectWriteTraceID != "" {
		t.Errorf("trace id %q; caller's input changed: %q", out[3].Input.ObjectWriteTraceID, in[3].ObjectWriteTraceID)
	}
	calls := srv.Calls()
	if len(calls) != 3 {
		t.Fatalf("simulator calls = %+v", calls)
	}
	got, _, err := c.Calls.Get(t.Context(), out[0].CallID, []string{"hs_call_title", "hs_call_recording_url"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ana, bo}, got.ContactIDs); diff != "" || got.Properties["hs_call_title"] != "Webinar recording: Roadmap" {
		t.Errorf("Get = %+v; contacts (-want +got):\n%s", got, diff)
	}
	read, _, err := c.Calls.BatchRead(t.Context(), append(slices.Clone(ok), "1"), []string{"hs_call_title"})
	if err != nil || len(read.Found) != 3 || !slices.Equal(read.Missing, []string{"1"}) {
		t.Errorf("BatchRead = %+v, %v; want 3 found, 1 missing", read, err)
	}
	many := make([]CallInput, 101)
	if _, _, err := c.Calls.BatchCreate(t.Context(), many); err == nil {
		t.Error("101 calls accepted")
	}
}

func TestCallsService_BatchUpdate(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	ana := srv.SeedContact("ana@example.com", nil)
	created, _, err := c.Calls.BatchCreate(t.Context(), []CallInput{recording("rec-1", "2026-05-01T10:00:00Z", ana), recording("rec-2", "2026-05-01T10:00:00Z", ana)})
	if err != nil || created[0].Err != nil || created[1].Err != nil {
		t.Fatalf("BatchCreate = %+v, %v", created, err)
	}
	id1, id2 := created[0].CallID, created[1].CallID
	in := []CallUpdate{
		{ID: id1, ObjectWriteTraceID: "rec-1", Properties: map[string]string{"hs_call_body": "Transcript: hello"}},
		{ID: "1", Properties: map[string]string{"hs_call_body": "x"}},        // unknown call
		{ID: id2, Properties: map[string]string{"hs_call_duration": "long"}}, // invalid value
		{ID: id2 + "0", Properties: nil},                                     // unknown, no properties
	}
	out, _, err := c.Calls.BatchUpdate(t.Context(), in)
	if err != nil {
		t.Fatalf("BatchUpdate: %v", err)
	}
	if out[0].Err != nil || out[0].CallID != id1 || out[0].Input.ObjectWriteTraceID != "rec-1" {
		t.Errorf("outcome 0 = %+v (%v), want updated", out[0], out[0].Err)
	}
	for i, wantCat := range map[int]string{1: "OBJECT_NOT_FOUND", 2: "VALIDATION_ERROR", 3: "OBJECT_NOT_FOUND"} {
		if out[i].Err == nil || out[i].Err.Category != wantCat || out[i].CallID != "" {
			t.Errorf("outcome %d = %+v (%v), want %s", i, out[i], out[i].Err, wantCat)
		}
	}
	if out[1].Input.ObjectWriteTraceID != "update-1" || in[1].ObjectWriteTraceID != "" {
		t.Errorf("trace id %q; caller's input changed: %q", out[1].Input.ObjectWriteTraceID, in[1].ObjectWriteTraceID)
	}
	got, _, err := c.Calls.Get(t.Context(), id1, []string{"hs_call_body", "hs_call_title"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Properties["hs_call_body"] != "Transcript: hello" || got.Properties["hs_call_title"] != "Webinar recording: Roadmap" ||
		!slices.Equal(got.ContactIDs, []string{ana}) {
		t.Errorf("Get = %+v", got)
	}
	if n := len(srv.Calls()); n != 2 {
		t.Errorf("%d calls, want the 2 created", n)
	}
	for name, bad := range map[string][]CallUpdate{
		"duplicate id":    {{ID: id1}, {ID: id1}},
		"no id":           {{Properties: map[string]string{}}},
		"duplicate trace": {{ID: id1, ObjectWriteTraceID: "t"}, {ID: id2, ObjectWriteTraceID: "t"}},
		"too many":        make([]CallUpdate, 101),
	} {
		if _, _, err := c.Calls.BatchUpdate(t.Context(), bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCallsService_AssociateContacts(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	ana := srv.SeedContact("ana@example.com", nil)
	bo := srv.SeedContact("bo@example.com", nil)
	cy := srv.SeedContact("cy@example.com", nil)
	created, _, err := c.Calls.BatchCreate(t.Context(), []CallInput{recording("rec-1", "2026-05-01T10:00:00Z", ana)})
	if err != nil || created[0].Err != nil {
		t.Fatalf("BatchCreate = %+v, %v", created, err)
	}
	call := created[0].CallID
	pairs := []CallContact{
		{call, ana},      // already associated: fine
		{call, bo},       // new
		{call, "999999"}, // unknown contact
		{"1", cy},        // unknown call
		{call, cy},       // new
	}
	out, _, err := c.Calls.AssociateContacts(t.Context(), pairs)
	if err != nil {
		t.Fatalf("AssociateContacts: %v", err)
	}
	for i, o := range out {
		if wantErr := i == 2 || i == 3; (o.Err != nil) != wantErr || o.Input != pairs[i] {
			t.Errorf("outcome %d = %+v (%v), want error %v", i, o, o.Err, wantErr)
		}
	}
	got, _, err := c.Calls.Get(t.Context(), call, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ana, bo, cy}, got.ContactIDs); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	if _, _, err := c.Calls.AssociateContacts(t.Context(), []CallContact{{CallID: call}}); err == nil {
		t.Error("a pair without a contact was accepted")
	}
	if _, _, err := c.Calls.AssociateContacts(t.Context(), make([]CallContact, 101)); err == nil {
		t.Error("101 pairs accepted")
	}
}

func TestContactsService_Resolve(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	ana := srv.SeedContact("ana@example.com", nil)
	srv.SetAdditionalEmails(ana, "ana.old@example.com")
	gone := srv.SeedContact("gone@example.com", nil)
	srv.ArchiveContact(gone)
	emails := []string{"Ana@Example.com", "ana.old@example.com", "gone@example.com", "zoe@example.com", "ana@example.com"}
	// 150 extra unknown emails force a second chunk.
	for i := range 150 {
		emails = append(emails, fmt.Sprintf("nobody%03d@example.com", i))
	}
	got, _, err := c.Contacts.Resolve(t.Context(), emails)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	want := map[string]Resolution{
		"Ana@Example.com":     {State: ResolvedLive, ContactID: ana, PrimaryEmail: "ana@example.com"},
		"ana@example.com":     {State: ResolvedLive, ContactID: ana, PrimaryEmail: "ana@example.com"},
		"ana.old@example.com": {State: ResolvedLive, ContactID: ana, PrimaryEmail: "ana@example.com", Secondary: true},
		"gone@example.com":    {State: ResolvedArchived, ContactID: gone, PrimaryEmail: "gone@example.com"},
		"zoe@example.com":     {},
	}
	for k, w := range want {
		if diff := cmp.Diff(w, got[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	if len(got) != len(emails) {
		t.Errorf("%d resolutions for %d emails", len(got), len(emails))
	}
	// 154 unique emails: 2 live reads, then 2 archived reads for the 152 not found.
	var reads int
	for _, r := range srv.Requests() {
		if r.Path == "/crm/v3/objects/contacts/batch/read" {
			reads++
			if r.Inputs > MaxBatchInputs {
				t.Errorf("a read sent %d inputs", r.Inputs)
			}
		}
	}
	if reads != 4 {
		t.Errorf("%d batch reads, want 4", reads)
	}
}

func TestUsersService_ListIter_forExclusion(t *testing.T) {
	t.Parallel()
	srv, c := setupActivity(t)
	srv.AddUser("Staff@Acme.com", "Staff", "Member")
	var emails []string
	for u, err := range c.Users.ListIter(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		emails = append(emails, u.Email)
	}
	if !slices.Equal(emails, []string{"staff@acme.com"}) {
		t.Errorf("emails = %v", emails)
	}
}
