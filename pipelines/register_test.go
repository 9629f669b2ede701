//go:build duckdb_arrow

package pipelines

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

const postRoute = "POST /webinars/{webinarId}/registrants"

// regFixture is a simulator over a fresh demo account with its two upcoming
// webinars (open: manual approval, first/last/email suffice; strict: the
// form requires org and a custom question) and two added ones: auto
// (auto-approve, no registrants) and foreign (hosted by a user of another
// account).
type regFixture struct {
	acct                         *zoomtest.Account
	srv                          *zoomtest.Server
	cfg                          *Config
	open, strict, auto, foreign  *zoomtest.Webinar
	past, noreg, expired, denied *zoomtest.Webinar
}

func newRegFixture(t *testing.T, simOpts ...zoomtest.Option) *regFixture {
	t.Helper()
	f := &regFixture{acct: zoomtest.DemoAccount(3)}
	events := f.acct.EventWebinarIDs()
	for _, w := range f.acct.Webinars {
		switch {
		case events[w.ID]: // the Zoom Events webinars: the cases below are the plain ones
		case w.StartTime.After(f.acct.Now) && w.CustomQuestions != nil:
			f.strict = w
		case w.StartTime.After(f.acct.Now):
			f.open = w
		case w.Expired:
			f.expired = w
		case w.ApprovalType == 2:
			f.noreg = w
		case w.Type == 5 && !w.IsSimulive:
			f.past = w
		}
	}
	clone := func(id int64, approval int) *zoomtest.Webinar {
		w := *f.open
		w.ID, w.UUID, w.ApprovalType, w.Registrants = id, fmt.Sprintf("uuid-%d==", id), approval, nil
		w.Questions = []zoomtest.RegistrationQuestion{{FieldName: "last_name", Required: true}}
		f.acct.Webinars = append(f.acct.Webinars, &w)
		return &w
	}
	f.auto = clone(91234567890, 0)
	f.foreign = clone(91234567891, 0)
	f.foreign.HostID, f.foreign.HostEmail = "x9OtherAccountHost0000", "host@other-account.com"
	f.srv = zoomtest.NewServer(f.acct, append([]zoomtest.Option{zoomtest.WithPlan("unlimited")}, simOpts...)...)
	t.Cleanup(f.srv.Close)
	f.cfg = &Config{
		DataDir: t.TempDir(),
		Zoom: ZoomConfig{APIURL: f.srv.APIURL(), OAuthURL: f.srv.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		Concurrency: 4,
	}
	return f
}

func (f *regFixture) register(t *testing.T, webinar string, people ...Person) *RegisterResult {
	t.Helper()
	res, err := Register(t.Context(), f.cfg, RegisterOptions{Webinar: webinar, People: people})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *regFixture) posts() int { return f.srv.Stats().ByRoute[postRoute] }

func firstWith(t *testing.T, w *zoomtest.Webinar, status string) string {
	t.Helper()
	for _, r := range w.Registrants {
		if e, ok := registrantEmail(r.Email); ok && r.Status == status {
			return e
		}
	}
	t.Fatalf("webinar %d has no %s registrant with a valid email", w.ID, status)
	return ""
}

func TestRegister_perPerson(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	approved, pending, denied := firstWith(t, f.open, "approved"), firstWith(t, f.open, "pending"), firstWith(t, f.open, "denied")
	people := []Person{
		{Email: "New.Person@Example.com ", FirstName: "New", LastName: "Person"},
		{Email: "new.person@example.com", FirstName: "Dup", LastName: "Licate"},
		{Email: strings.ToUpper(f.open.HostEmail), FirstName: "Host", LastName: "Self"},
		{Email: "not-an-email", FirstName: "Bad", LastName: "Email"},
		{Email: "someone@example.con", FirstName: "Typo", LastName: "Domain"}, // valid shape: sent
		{Email: strings.ToUpper(approved), FirstName: "A", LastName: "A"},
		{Email: pending, FirstName: "P", LastName: "P"},
		{Email: denied, FirstName: "D", LastName: "D"},
		{Email: "nofirst@example.com", LastName: "L"},
		{Email: "nolast@example.com", FirstName: "F"},
	}
	id := fmt.Sprint(f.open.ID)
	res := f.register(t, id[:3]+" "+id[3:7]+"-"+id[7:], people...)
	want := []struct{ outcome, reason string }{
		{OutcomePending, ""},
		{OutcomeRefused, RefusalHost},
		{OutcomeRefused, RefusalInvalidEmail},
		{OutcomePending, ""},
		{OutcomeAlreadyRegistered, "approved"},
		{OutcomeAlreadyRegistered, "pending approval"},
		{OutcomeRefused, RefusalDenied},
		{OutcomeRefused, RefusalNoFirstName},
		{OutcomeRefused, RefusalNoLastName},
	}
	if len(res.People) != len(want) {
		t.Fatalf("%d outcomes, want %d (duplicates dropped): %+v", len(res.People), len(want), res.People)
	}
	for i, w := range want {
		if got := res.People[i]; got.Outcome != w.outcome || got.Reason != w.reason {
			t.Errorf("%s: %s (%s), want %s (%s)", got.Email, got.Outcome, got.Reason, w.outcome, w.reason)
		}
	}
	if res.Sent != 2 || f.posts() != 2 || res.AllOK() {
		t.Errorf("sent %d, sim saw %d POSTs, all ok %v; want 2, 2, false", res.Sent, f.posts(), res.AllOK())
	}
	if res.People[0].Email != "new.person@example.com" || res.People[0].RegistrantID == "" {
		t.Errorf("first: %+v", res.People[0])
	}
}

func TestRegister_wholeWebinarRefusals(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	people := []Person{{Email: "a@example.com", FirstName: "A", LastName: "A"}, {Email: "b@example.com", FirstName: "B", LastName: "B"}}
	tests := []struct {
		name, webinar string
		wantReason    string
		wantSent      int
	}{
		{"required fields", fmt.Sprint(f.strict.ID), `registration requires fields zoomsync does not send: org, custom question "Company size?"`, 0},
		{"over", fmt.Sprint(f.past.ID), RefusalOver, 1}, // Zoom's 3038 for the first, nobody else sent
		{"no registration", fmt.Sprint(f.noreg.ID), RefusalNoRegistration, 0},
		{"other account", fmt.Sprint(f.foreign.ID), RefusalOtherAccount, 0},
		{"unknown", "999-9999-9999", RefusalNotFound, 0},
		{"expired", fmt.Sprint(f.expired.ID), RefusalNotFound, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.posts()
			// One worker, so that "nobody after the 3038" is deterministic.
			cfg := *f.cfg
			cfg.Concurrency = 1
			res, err := Register(t.Context(), &cfg, RegisterOptions{Webinar: tc.webinar, People: people})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range res.People {
				if p.Outcome != OutcomeRefused || p.Reason != tc.wantReason {
					t.Errorf("%s: %s (%s), want refused (%s)", p.Email, p.Outcome, p.Reason, tc.wantReason)
				}
			}
			if got := f.posts() - before; got != tc.wantSent || res.Sent != tc.wantSent {
				t.Errorf("POSTs %d (counted %d), want %d", got, res.Sent, tc.wantSent)
			}
		})
	}
}

func TestRegister_dailyCapAndIdempotence(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t, zoomtest.WithRegistrantDailyCap(1))
	people := []Person{
		{Email: "ann@example.com", FirstName: "Ann", LastName: "One"},
		{Email: "bob@example.com", FirstName: "Bob", LastName: "Two"},
	}
	res := f.register(t, fmt.Sprint(f.auto.ID), people...)
	for _, p := range res.People {
		if p.Outcome != OutcomeRegistered {
			t.Errorf("%s: %s (%s)", p.Email, p.Outcome, p.Reason)
		}
	}
	if !res.AllOK() {
		t.Error("AllOK false")
	}
	// Again: nothing is sent, everyone is already registered.
	before := f.posts()
	res = f.register(t, fmt.Sprint(f.auto.ID), people...)
	for _, p := range res.People {
		if p.Outcome != OutcomeAlreadyRegistered {
			t.Errorf("second run, %s: %s (%s)", p.Email, p.Outcome, p.Reason)
		}
	}
	if n := f.posts() - before; n != 0 || res.Sent != 0 {
		t.Errorf("second run sent %d POSTs", n)
	}
	// Ann used her one request of the day: the open webinar refuses her,
	// Carl goes through.
	res = f.register(t, fmt.Sprint(f.open.ID), people[0], Person{Email: "carl@example.com", FirstName: "Carl", LastName: "Three"})
	if p := res.People[0]; p.Outcome != OutcomeRefused || p.Reason != RefusalDailyCap {
		t.Errorf("capped: %+v", p)
	}
	if p := res.People[1]; p.Outcome != OutcomePending {
		t.Errorf("after the cap: %+v", p)
	}
}

func TestParseWebinarID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		have    string
		want    int64
		wantErr bool
	}{
		{"86212345678", 86212345678, false},
		{" 862 1234 5678 ", 86212345678, false},
		{"862-1234-5678", 86212345678, false},
		{"862a", 0, true},
		{" - ", 0, true},
		{"99999999999999999999999", 0, true},
	} {
		got, err := ParseWebinarID(tc.have)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseWebinarID(%q) = %d, %v", tc.have, got, err)
		}
	}
}

func TestReadPeopleCSV(t *testing.T) {
	t.Parallel()
	got, err := ReadPeopleCSV(strings.NewReader("\ufeffEmail,first_name,last_name,company\na@example.com,Ann,One,X\n\nb@example.com, Bob ,Two,Y\n"))
	if err != nil || len(got) != 2 || got[1].FirstName != " Bob " && got[1].FirstName != "Bob " {
		t.Fatalf("%+v, %v", got, err)
	}
	_, err = ReadPeopleCSV(strings.NewReader("email,first_name,last_name\na@example.com,A,B\nb@example.com,B\n,C,D\n\"x,y\n"))
	for _, want := range []string{"line 3: 2 fields", "line 4: email is empty", "line 5"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err %v, want %q", err, want)
		}
	}
	if _, err := ReadPeopleCSV(strings.NewReader("name\nx\n")); err == nil || !strings.Contains(err.Error(), "no email column") {
		t.Errorf("no email column: %v", err)
	}
}

// TestRegister_segmentOf500 registers a segment of 500 people read with
// --sql over a Parquet file of the lake, and finds them all in Zoom.
func TestRegister_segmentOf500(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := t.Context()
	e, err := transform.Open(ctx, schema.Lake{Dir: f.cfg.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(f.cfg.DataDir, "segment.parquet")
	_, err = e.DB().ExecContext(ctx, `COPY (SELECT 'Person.' || i || '@Segment.example.com' AS email, 'First' || i AS first_name,
		'Last' || i AS last_name, i AS n FROM range(500) t(i)) TO '`+seg+`' (FORMAT parquet)`)
	e.Close()
	if err != nil {
		t.Fatal(err)
	}
	people, err := PeopleFromSQL(ctx, f.cfg, "SELECT email, first_name, last_name FROM read_parquet('"+seg+"') ORDER BY n")
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 500 {
		t.Fatalf("%d people", len(people))
	}
	f.srv.ResetStats()
	start := time.Now()
	res := f.register(t, fmt.Sprint(f.auto.ID), people...)
	took := time.Since(start)
	st := f.srv.Stats()
	for _, p := range res.People {
		if p.Outcome != OutcomeRegistered {
			t.Fatalf("%s: %s (%s)", p.Email, p.Outcome, p.Reason)
		}
	}
	t.Logf("500 people registered in %v; calls %v", took.Round(time.Millisecond), st.ByRoute)
	if st.ByRoute[postRoute] != 500 || st.ByStatus[429] != 0 {
		t.Errorf("POSTs %d, 429s %d", st.ByRoute[postRoute], st.ByStatus[429])
	}
	c := ZoomClient(f.cfg)
	listed := map[string]bool{}
	for r, err := range c.Webinars.ListRegistrantsIter(ctx, f.auto.ID, &zoom.RegistrantListOptions{Status: zoom.RegistrantApproved}) {
		if err != nil {
			t.Fatal(err)
		}
		listed[r.Email] = true
	}
	for i := range 500 {
		if e := fmt.Sprintf("person.%d@segment.example.com", i); !listed[e] {
			t.Fatalf("%s not listed by Zoom (%d listed)", e, len(listed))
		}
	}
}
