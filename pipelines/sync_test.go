//go:build duckdb_arrow

package pipelines

import (
	"errors"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/schema"
)

// wantContact is one contact as computed from the generator's ground truth,
// by a route that shares nothing with the transform's SQL.
type wantContact struct {
	registrations, attended int
	avgPercent              float64 // NaN when none attended
	lastURL                 string
	first, last             string
	questions, polls        int
	lastDate                string // "" when none attended
}

var localPart = regexp.MustCompile(`^[a-z0-9._%+'-]+$`)
var label = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// validEmail mirrors DESIGN.md: a lower-cased, trimmed address whose domain
// ends in a real top-level domain.
func validEmail(e string) bool {
	at := strings.Split(e, "@")
	if len(at) != 2 || !localPart.MatchString(at[0]) {
		return false
	}
	labels := strings.Split(at[1], ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !label.MatchString(l) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	ps, icann := publicsuffix.PublicSuffix(tld)
	return icann && ps == tld
}

// person is the person of an email as Zoom gave it, "" for none or an
// invalid one.
func person(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if !validEmail(e) {
		return ""
	}
	return e
}

type interval struct{ s, e time.Time }

// unionLength is the length of the union of ivs.
func unionLength(ivs []interval) time.Duration {
	ivs = slices.Clone(ivs)
	slices.SortFunc(ivs, func(x, y interval) int { return x.s.Compare(y.s) })
	var total time.Duration
	var cur interval
	for i, v := range ivs {
		switch {
		case i == 0:
			cur = v
		case v.s.After(cur.e):
			total += cur.e.Sub(cur.s)
			cur = v
		case v.e.After(cur.e):
			cur.e = v.e
		}
	}
	if len(ivs) > 0 {
		total += cur.e.Sub(cur.s)
	}
	return total
}

// groundSessions groups a webinar's instances whose report Zoom serves
// (younger than a year: older ones answer 12702) into sessions, by the
// generator's own record of its host drops (Instance.Resumes), or, with
// perInstance, one session per instance.
func groundSessions(a *zoomtest.Account, w *zoomtest.Webinar, perInstance bool) [][]*zoomtest.Instance {
	var out [][]*zoomtest.Instance
	at := map[string]int{}
	for _, in := range w.Instances {
		if a.Now.Sub(in.EndTime) > 365*24*time.Hour {
			continue
		}
		if i, ok := at[in.Resumes]; ok && in.Resumes != "" && !perInstance {
			out[i] = append(out[i], in)
			at[in.UUID] = i
			continue
		}
		at[in.UUID] = len(out)
		out = append(out, []*zoomtest.Instance{in})
	}
	return out
}

// sessionAttendance adds the percent present of each person who attended
// session to percents, and keeps the latest session start of each.
func sessionAttendance(session []*zoomtest.Instance, percents map[string][]float64, latest map[string]time.Time) {
	var spans []interval
	byPerson := map[string][]interval{}
	for _, in := range session {
		spans = append(spans, interval{in.StartTime, in.EndTime})
		for _, p := range in.Participants {
			e := person(p.Email)
			if p.Status != "in_meeting" || e == "" {
				continue
			}
			s, end := p.JoinTime, p.LeaveTime
			if s.Before(in.StartTime) {
				s = in.StartTime
			}
			if end.After(in.EndTime) {
				end = in.EndTime
			}
			if end.After(s) {
				byPerson[e] = append(byPerson[e], interval{s, end})
			}
		}
	}
	span, start := unionLength(spans), session[0].StartTime
	for e, ivs := range byPerson {
		percents[e] = append(percents[e], float64(unionLength(ivs))/float64(span)*100)
		if start.After(latest[e]) {
			latest[e] = start
		}
	}
}

// engagementCounts adds the Q&A questions each person asked in an instance
// and the distinct poll questions they answered; anonymous askers and
// guests count for nobody.
func engagementCounts(in *zoomtest.Instance, questions, polls map[string]int) {
	for _, q := range in.QA {
		if e := person(q.Email); e != "" {
			questions[e] += len(q.Questions)
		}
	}
	answered := map[string]map[string]bool{}
	for _, r := range in.PollResponses {
		e := person(r.Email)
		if e == "" {
			continue
		}
		if answered[e] == nil {
			answered[e] = map[string]bool{}
		}
		for _, x := range r.Answers {
			answered[e][x.PollID+"\x00"+x.Question] = true
		}
	}
	for e, qs := range answered {
		polls[e] += len(qs)
	}
}

// groundTruth computes every contact of the account from the generator's
// data. Attendance counts and averages sessions: the instances a host drop
// split (as the generator recorded them) are one, unless perInstance.
func groundTruth(a *zoomtest.Account, perInstance bool) map[string]*wantContact {
	type reg struct {
		at          time.Time
		webinar     int64
		url         string
		first, last string
	}
	latest := map[string]reg{}
	registered := map[string]map[int64]bool{}
	percents := map[string][]float64{}
	lastStart := map[string]time.Time{}
	questions, polls := map[string]int{}, map[string]int{}
	events := a.EventWebinarIDs()
	for _, w := range a.Webinars {
		if w.Expired {
			continue // not listed by /users/{id}/webinars: not extracted by this sync
		}
		if events[w.ID] {
			continue // created in Zoom Events: skipped (zoom_events_webinar)
		}
		for _, r := range w.Registrants {
			e := person(r.Email)
			if e == "" || (r.Status != "approved" && r.Status != "pending") {
				continue
			}
			if registered[e] == nil {
				registered[e] = map[int64]bool{}
			}
			registered[e][w.ID] = true
			cur, ok := latest[e]
			if !ok || r.CreateTime.After(cur.at) || (r.CreateTime.Equal(cur.at) && w.ID > cur.webinar) {
				latest[e] = reg{r.CreateTime, w.ID, w.JoinURL, strings.TrimSpace(r.FirstName), strings.TrimSpace(r.LastName)}
			}
		}
		for _, session := range groundSessions(a, w, perInstance) {
			sessionAttendance(session, percents, lastStart)
			for _, in := range session {
				engagementCounts(in, questions, polls)
			}
		}
	}
	out := map[string]*wantContact{}
	get := func(e string) *wantContact {
		if out[e] == nil {
			out[e] = &wantContact{avgPercent: math.NaN()}
		}
		return out[e]
	}
	for e, ws := range registered {
		c := get(e)
		c.registrations = len(ws)
		c.lastURL, c.first, c.last = latest[e].url, latest[e].first, latest[e].last
	}
	for e, ps := range percents {
		c := get(e)
		c.attended = len(ps)
		var sum float64
		for _, p := range ps {
			sum += p
		}
		c.avgPercent = math.Round(sum/float64(len(ps))*100) / 100
		c.lastDate = lastStart[e].UTC().Format(time.DateOnly)
	}
	for e, c := range out { // the engagement of persons who are no contact reaches nobody
		c.questions, c.polls = questions[e], polls[e]
	}
	return out
}

// TestSync_endToEnd_propertiesMatchGroundTruth: every contact property
// HubSpot holds after a sync is what the generator's ground truth says,
// recomputed here without the SQL: registrations, sessions attended (the
// instances the generator split by a host drop count once), the average
// percent present over them, the last registered webinar's URL, the date of
// the latest session attended, the Q&A questions asked and poll questions
// answered. A second sync with nothing new writes nothing; a third with
// zoom.session_gap_minutes 0 updates exactly the contacts whose figures the
// stitching changed, to the per-instance figures.
func TestSync_endToEnd_propertiesMatchGroundTruth(t *testing.T) {
	acct := zoomtest.Generate(zoomtest.GenConfig{Seed: 42})
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	cfg := &Config{
		DataDir: t.TempDir(),
		Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
		// Issue 10's rules on: Zoom Events webinars are skipped (always),
		// sync_new_webinars applies by created_at (every webinar predates
		// the first run), the hosts' recordings are excluded (recordings
		// count for no property).
		Settings: &ZoomSettings{Defaults: HostSettings{SyncNewWebinars: boolp(true)},
			ExcludedRecordingDomains: []string{acct.Users[0].Email[strings.IndexByte(acct.Users[0].Email, '@')+1:]}},
	}
	res, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if res.Transform.AuditByReason[schema.ReasonRecordingDomainExcluded] == 0 || res.Transform.AuditByReason[schema.ReasonZoomEventsWebinar] == 0 {
		t.Errorf("audit by reason %v: the rules were not on", res.Transform.AuditByReason)
	}
	want, perInstance := groundTruth(acct, false), groundTruth(acct, true)
	if res.Load.Created != len(want) || res.Load.Failed != 0 {
		t.Errorf("load created %d and failed %d, want %d and 0", res.Load.Created, res.Load.Failed, len(want))
	}
	checkContacts(t, hs, want)
	stitched, asked, polled := 0, 0, 0
	for e, w := range want {
		o := perInstance[e]
		samePercent := w.avgPercent == o.avgPercent || math.IsNaN(w.avgPercent) && math.IsNaN(o.avgPercent)
		if w.attended != o.attended || !samePercent || w.lastDate != o.lastDate {
			stitched++
		}
		asked, polled = asked+min(w.questions, 1), polled+min(w.polls, 1)
	}
	if stitched == 0 || asked == 0 || polled == 0 {
		t.Fatalf("the account tests nothing: %d contacts attended a session split by a host drop, %d asked, %d answered polls", stitched, asked, polled)
	}

	// A second sync with nothing new in Zoom sends no contact again.
	hs.ResetRequests()
	res2, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if res2.Load.Created+res2.Load.Updated != 0 || res2.Load.Unchanged != len(want) {
		t.Errorf("second sync: %d created, %d updated, %d unchanged; want 0, 0, %d", res2.Load.Created, res2.Load.Updated, res2.Load.Unchanged, len(want))
	}
	for _, r := range hs.Requests() {
		if r.Write {
			t.Errorf("second sync sent a write: %s %s", r.Method, r.Path)
		}
	}

	// Stitching off: the per-instance figures, sent for the contacts they change.
	off := 0
	cfg.Settings.SessionGapMinutes = &off
	res3, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("sync with session_gap_minutes 0: %v", err)
	}
	if res3.Load.Created != 0 || res3.Load.Updated != stitched {
		t.Errorf("sync with session_gap_minutes 0: %d created, %d updated; want 0 and the %d contacts stitching changed", res3.Load.Created, res3.Load.Updated, stitched)
	}
	checkContacts(t, hs, perInstance)
}

// checkContacts compares the contacts HubSpot holds with want, property by
// property.
func checkContacts(t *testing.T, hs *hubspottest.Server, want map[string]*wantContact) {
	t.Helper()
	got := hs.Contacts()
	if len(got) != len(want) {
		t.Errorf("HubSpot holds %d contacts, ground truth has %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, c := range got {
		seen[c.Email] = true
		w, ok := want[c.Email]
		if !ok {
			t.Errorf("contact %s is not in the ground truth", c.Email)
			continue
		}
		p := c.Properties
		for name, n := range map[string]int{"zoom_total_webinar_registrations": w.registrations, "zoom_total_webinars_attended": w.attended,
			"zoom_webinar_questions_asked": w.questions, "zoom_webinar_polls_answered": w.polls} {
			if p[name] != strconv.Itoa(n) {
				t.Errorf("%s %s = %q, want %d", c.Email, name, p[name], n)
			}
		}
		if p["zoom_last_registered_webinar_url"] != w.lastURL {
			t.Errorf("%s last URL = %q, want %q", c.Email, p["zoom_last_registered_webinar_url"], w.lastURL)
		}
		if p["zoom_last_webinar_attended_date"] != w.lastDate {
			t.Errorf("%s last attended date = %q, want %q", c.Email, p["zoom_last_webinar_attended_date"], w.lastDate)
		}
		gotAvg, perr := strconv.ParseFloat(p["zoom_average_webinar_attendance_percent"], 64)
		switch {
		case math.IsNaN(w.avgPercent) && p["zoom_average_webinar_attendance_percent"] != "":
			t.Errorf("%s average = %q, want empty (never attended)", c.Email, p["zoom_average_webinar_attendance_percent"])
		case !math.IsNaN(w.avgPercent) && (perr != nil || math.Abs(gotAvg-w.avgPercent) > 1e-9):
			t.Errorf("%s average = %q, want %.2f", c.Email, p["zoom_average_webinar_attendance_percent"], w.avgPercent)
		}
		if w.first != "" && p["firstname"] != w.first {
			t.Errorf("%s firstname = %q, want %q", c.Email, p["firstname"], w.first)
		}
	}
	for e := range want {
		if !seen[e] {
			t.Errorf("ground truth contact %s is missing in HubSpot", e)
		}
	}
}

func TestSync_failsAtOnceWhenLocked(t *testing.T) {
	dir := t.TempDir()
	cfg := &Config{DataDir: dir, Zoom: ZoomConfig{AccountID: "a", ClientID: "b", ClientSecret: "c"}, HubSpot: HubSpotConfig{Token: "t"}}
	l, err := AcquireLock(lakeOf(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("sync while locked: err = %v, want ErrLocked", err)
	}
}
