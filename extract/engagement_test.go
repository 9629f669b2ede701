package extract

import (
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

const (
	qaRoute      = "GET /report/webinars/{webinarId}/qa"
	pollsRoute   = "GET /report/webinars/{webinarId}/polls"
	surveyRoute  = "GET /report/webinars/{webinarId}/survey"
	sourcesRoute = "GET /webinars/{webinarId}/tracking_sources"
	reportRoute  = "GET /report/webinars/{webinarId}"
)

// engagementWant counts, per instance uuid (and per webinar id for the
// tracking sources), the rows the account's generator made for the
// instances and webinars a first run fetches: listed webinars, reports
// younger than a year.
type engagementWant struct {
	qa, polls, survey map[string]int
	sources           map[int64]int
}

func wantEngagement(acct *zoomtest.Account) engagementWant {
	w := engagementWant{qa: map[string]int{}, polls: map[string]int{}, survey: map[string]int{}, sources: map[int64]int{}}
	for _, web := range acct.Webinars {
		if web.Expired {
			continue
		}
		if web.ApprovalType != 2 && len(web.TrackingSources) > 0 {
			w.sources[web.ID] = len(web.TrackingSources)
		}
		for _, in := range web.Instances {
			if acct.Now.Sub(in.EndTime) > 365*24*time.Hour {
				continue
			}
			for _, a := range in.QA {
				w.qa[in.UUID] += len(a.Questions)
			}
			for _, p := range in.PollResponses {
				w.polls[in.UUID] += len(p.Answers)
			}
			for _, s := range in.SurveyResponses {
				w.survey[in.UUID] += len(s.Answers)
			}
		}
	}
	return w
}

func sum[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// engagementRows counts the lake's engagement rows per instance uuid (per
// webinar id for the tracking sources).
func engagementRows(t *testing.T, lake schema.Lake) engagementWant {
	t.Helper()
	got := engagementWant{qa: map[string]int{}, polls: map[string]int{}, survey: map[string]int{}, sources: map[int64]int{}}
	for _, r := range readRows[schema.WebinarQuestion](t, lake, schema.StreamWebinarQuestions) {
		got.qa[r.InstanceUUID]++
	}
	for _, r := range readRows[schema.PollAnswer](t, lake, schema.StreamPollAnswers) {
		got.polls[r.InstanceUUID]++
	}
	for _, r := range readRows[schema.SurveyAnswer](t, lake, schema.StreamSurveyAnswers) {
		got.survey[r.InstanceUUID]++
	}
	for _, r := range readRows[schema.TrackingSource](t, lake, schema.StreamTrackingSources) {
		got.sources[r.WebinarID]++
	}
	return got
}

// TestRun_engagementStreamsAtTheMinimum: a first run of the demo account
// (seed 1) writes every Q&A question, poll answer, survey answer and
// tracking source the generator made, per instance and webinar (172, 1,975,
// 602 and 10 rows), with exactly the calls of zoomtest.MinCalls plus
// zoomtest.EngagementCalls (412 + 136 = 548: the 412 include the 5 calls of
// the Zoom Events lookup; the 136 are a tracking sources
// call for each of the 13 listed webinars that take registrations and three
// report calls for each of the 41 held instances younger than a year, all of
// which somebody attended; 3 of them are the continuations of host drops,
// which have no engagement rows). A second run with nothing new adds, over the
// stages that had not settled, only their engagement stages: the three
// reports of each instance whose report is fetched again (same settle time,
// its end plus the look-back), and the tracking sources of each webinar
// whose registrants are listed again (same settle time: never, while a
// recurring or upcoming webinar is listed).
func TestRun_engagementStreamsAtTheMinimum(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(1)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	srv.ResetStats()
	sum1, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1", State: st, Now: func() time.Time { return acct.Now }})
	if err != nil {
		t.Fatal(err)
	}
	stats := srv.Stats()
	minimum, engage := zoomtest.MinCalls(acct), zoomtest.EngagementCalls(acct)
	if minimum != 412 || engage != 136 {
		t.Errorf("MinCalls %d, EngagementCalls %d; the figures above say 412 and 136", minimum, engage)
	}
	if stats.Total != minimum+engage || stats.ByStatus[429] != 0 {
		t.Errorf("first run: %d calls (%d 429s), want MinCalls %d + EngagementCalls %d = %d; by route %v",
			stats.Total, stats.ByStatus[429], minimum, engage, minimum+engage, stats.ByRoute)
	}
	want, got := wantEngagement(acct), engagementRows(t, lake)
	if n := [4]int{sum(want.qa), sum(want.polls), sum(want.survey), sum(want.sources)}; n != [4]int{172, 1975, 602, 10} {
		t.Errorf("the generator made %v rows (questions, poll answers, survey answers, sources), the figures above say 172, 1975, 602, 10", n)
	}
	for name, pair := range map[string][2]map[string]int{"questions": {want.qa, got.qa}, "poll answers": {want.polls, got.polls}, "survey answers": {want.survey, got.survey}} {
		if !maps.Equal(pair[0], pair[1]) {
			t.Errorf("%s per instance in the lake %v, the generator's %v", name, pair[1], pair[0])
		}
	}
	if !maps.Equal(got.sources, want.sources) {
		t.Errorf("tracking sources per webinar in the lake %v, the generator's %v", got.sources, want.sources)
	}
	if s := sum1; s.WebinarQuestions != 172 || s.PollAnswers != 1975 || s.SurveyAnswers != 602 || s.TrackingSources != 10 {
		t.Errorf("summary: %d questions, %d poll answers, %d survey answers, %d sources", s.WebinarQuestions, s.PollAnswers, s.SurveyAnswers, s.TrackingSources)
	}

	// The second run, nothing new.
	st2 := NewState(maps.Clone(st.Changes()))
	_, calls, err := simRun(t.Context(), t, srv, newClient(srv), schema.Lake{Dir: t.TempDir()}, st2, "r2", acct.Now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	regStages := 0
	for k := range st2.Changes() {
		if k.Name == StageRegistrants {
			regStages++
		}
	}
	for _, route := range []string{qaRoute, pollsRoute, surveyRoute} {
		if calls[route] != calls[reportRoute] {
			t.Errorf("second run: %d calls of %s, want one per report fetched again (%d)", calls[route], route, calls[reportRoute])
		}
	}
	if calls[sourcesRoute] != regStages {
		t.Errorf("second run: %d tracking sources calls, want one per registrant list fetched again (%d)", calls[sourcesRoute], regStages)
	}
	// On the demo account every report had settled at the first run: the
	// second makes 31 calls (token aside), 5 of them (new) the tracking
	// sources of the 5 webinars whose registrants never settle; the 26 it
	// made before them: users 1, webinar listings 3, past instances 5,
	// registrants 16 (the three statuses' pages), a recording still
	// processing 1.
	total := 0
	for _, n := range calls {
		total += n
	}
	if total != 31 || calls[sourcesRoute] != 5 || regStages != 5 {
		t.Errorf("second run: %d calls, %d tracking sources for %d registrant lists; want 31, 5 and 5: %v", total, calls[sourcesRoute], regStages, calls)
	}
}

// TestRun_engagementFetchedAgainUntilItSettles: a run an hour after an
// instance ended reads its Q&A; Zoom adds a question within the look-back;
// the next run, after the look-back, reads the Q&A (and the polls and
// survey) once more and gets it; a third run fetches none of them again.
func TestRun_engagementFetchedAgainUntilItSettles(t *testing.T) {
	t.Parallel()
	single := func(w *zoomtest.Webinar) bool {
		return !w.Expired && w.Type == 5 && len(w.Instances) == 1 && len(w.Instances[0].QA) > 0
	}
	acct := zoomtest.DemoAccount(1)
	i := firstWebinar(t, acct, single)
	w, in := acct.Webinars[i], acct.Webinars[i].Instances[0]
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	cfg := Config{Only: []int64{w.ID}}
	if _, _, err := simRun(t.Context(), t, srv, newClient(srv), lake, st, "r1", in.EndTime.Add(time.Hour), cfg); err != nil {
		t.Fatal(err)
	}
	acct2 := zoomtest.DemoAccount(1)
	in2 := acct2.Webinars[i].Instances[0]
	late := &zoomtest.QAAsker{Name: "Late Asker", Email: "late.asker@example.org",
		Questions: []zoomtest.QAQuestion{{Question: "Is there a follow-up session?"}}}
	in2.QA = append(in2.QA, late)
	srv2 := zoomtest.NewServer(acct2, zoomtest.WithPlan("unlimited"))
	defer srv2.Close()
	_, calls, err := simRun(t.Context(), t, srv2, newClient(srv2), lake, st, "r2", in.EndTime.Add(72*time.Hour), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{qaRoute, pollsRoute, surveyRoute, reportRoute} {
		if calls[route] != 1 {
			t.Errorf("run after the look-back: %d calls of %s, want 1", calls[route], route)
		}
	}
	found := false
	for _, q := range readRows[schema.WebinarQuestion](t, lake, schema.StreamWebinarQuestions) {
		found = found || q.RunID == "r2" && q.Email == late.Email
	}
	if !found {
		t.Error("the question Zoom added before the Q&A settled never reached the lake")
	}
	_, calls, err = simRun(t.Context(), t, srv2, newClient(srv2), lake, st, "r3", in.EndTime.Add(96*time.Hour), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{qaRoute, pollsRoute, surveyRoute} {
		if calls[route] != 0 {
			t.Errorf("run after the reports settled: %d calls of %s, want 0", calls[route], route)
		}
	}
}

// TestRun_lostEngagementStagesFetchedAgain marks a settled Q&A stage and a
// settled tracking sources stage lost: the next run fetches exactly those
// again (compared with a run from the same state without the loss), writes
// their rows, and fetches no settled poll or survey report again.
func TestRun_lostEngagementStagesFetchedAgain(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(1)
	now := acct.Now
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	c := newClient(srv)
	st := NewState(nil)
	if _, _, err := simRun(t.Context(), t, srv, c, schema.Lake{Dir: t.TempDir()}, st, "r1", now, Config{}); err != nil {
		t.Fatal(err)
	}
	saved := st.Changes()
	want := wantEngagement(acct)
	var qa, sources Stage
	for k, v := range saved {
		if st.Needs(k, now) || v.Status != StatusDone {
			continue
		}
		switch {
		case k.Name == StageQA && qa.ID == "" && want.qa[k.ID] > 0:
			qa = k
		case k.Name == StageTrackingSources && sources.ID == "":
			sources = k
		}
	}
	if qa.ID == "" || sources.ID == "" {
		t.Fatalf("no settled Q&A (%v) or tracking sources (%v) to lose", qa, sources)
	}

	_, control, err := simRun(t.Context(), t, srv, c, schema.Lake{Dir: t.TempDir()}, NewState(maps.Clone(saved)), "c", now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	lost := NewState(maps.Clone(saved))
	lost.MarkLost(qa)
	lost.MarkLost(sources)
	lake := schema.Lake{Dir: t.TempDir()}
	_, calls, err := simRun(t.Context(), t, srv, c, lake, lost, "r2", now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for route, d := range map[string]int{qaRoute: 1, sourcesRoute: 1, pollsRoute: 0, surveyRoute: 0, reportRoute: 0} {
		if got := calls[route] - control[route]; got != d {
			t.Errorf("%s: %d more calls than without the loss, want %d", route, got, d)
		}
	}
	got := engagementRows(t, lake)
	if got.qa[qa.ID] != want.qa[qa.ID] {
		t.Errorf("wrote %d questions of the lost Q&A, want %d", got.qa[qa.ID], want.qa[qa.ID])
	}
	if id := sources.ID; got.sources[mustID(t, id)] != want.sources[mustID(t, id)] {
		t.Errorf("wrote %d tracking sources of the lost stage, want %d", got.sources[mustID(t, id)], want.sources[mustID(t, id)])
	}
	for _, k := range []Stage{qa, sources} {
		if v, _ := lost.Get(k); v.Status != StatusDone || v.RunID != "r2" {
			t.Errorf("stage %v after the fetch = %+v, want done by r2", k, v)
		}
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
