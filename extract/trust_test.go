package extract

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/schema"
)

func TestStagesOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stream string
		want   []string
	}{
		{schema.StreamUsers, nil},
		{schema.StreamWebinars, []string{StageDetail}},
		{schema.StreamPanelists, []string{StageDetail}},
		{schema.StreamRegistrants, []string{StageRegistrants}},
		{schema.StreamWebinarInstances, []string{StageInstances}},
		{schema.StreamParticipants, []string{StageReport}},
		{schema.StreamInstanceReports, []string{StageReport}},
		{schema.StreamAbsentees, []string{StageAbsentees}},
		{schema.StreamTranscripts, []string{StageRecording}},
		{schema.StreamCRMUsers, nil},
	} {
		if got := StagesOf(tc.stream); !slices.Equal(got, tc.want) {
			t.Errorf("StagesOf(%q) = %v, want %v", tc.stream, got, tc.want)
		}
	}
	// Every raw Zoom stream but users backs some stage.
	for _, s := range schema.RawStreams {
		if strings.HasPrefix(s.Name, "crm_") || s.Name == schema.StreamUsers {
			continue
		}
		if len(StagesOf(s.Name)) == 0 {
			t.Errorf("StagesOf(%q) is empty", s.Name)
		}
	}
}

func TestState_lostIsNeededWhateverItsSettleTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	k := Stage{"instance", "u1", StageReport}
	st := NewState(map[Stage]StageState{k: {Status: StatusDone, FetchedAt: now.Add(-time.Hour),
		SettleAfter: now.Add(-2 * time.Hour), RunID: "r1", Detail: `{"attendees":3}`}})
	if st.Needs(k, now) {
		t.Fatal("a settled stage is needed")
	}
	st.MarkLost(k)
	if !st.Needs(k, now) || !st.Lost(k) {
		t.Errorf("a lost stage: Needs %v, Lost %v; want both true", st.Needs(k, now), st.Lost(k))
	}
	if v, _ := st.Get(k); v.Detail != `{"attendees":3}` || v.Status != StatusLost {
		t.Errorf("lost stage = %+v, want its facts kept", v)
	}
	if _, ok := st.Changes()[k]; !ok {
		t.Error("MarkLost is not among the changes to save")
	}
	st.MarkLost(Stage{"instance", "unknown", StageReport})
	if _, ok := st.Get(Stage{"instance", "unknown", StageReport}); ok {
		t.Error("MarkLost created a stage that had no state")
	}
}

// simRun runs one extraction on srv at now and returns the requests the
// simulator received during it, by route.
func simRun(ctx context.Context, t *testing.T, srv *zoomtest.Server, c *zoom.Client, lake schema.Lake, st *State, runID string, now time.Time, cfg Config) (*Summary, map[string]int, error) {
	t.Helper()
	srv.ResetStats()
	cfg.Client, cfg.Lake, cfg.RunID, cfg.State = c, lake, runID, st
	cfg.Now = func() time.Time { return now }
	sum, err := Run(ctx, cfg)
	calls := maps.Clone(srv.Stats().ByRoute)
	delete(calls, "POST /oauth/token")
	return sum, calls, err
}

func rowCounts(t *testing.T, lake schema.Lake) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, s := range schema.RawStreams {
		files, _ := filepath.Glob(lake.RawGlob(s.Name))
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil || st.Size() == 0 {
				t.Fatalf("%s: %v", f, err)
			}
		}
		switch s.Name {
		case schema.StreamParticipants:
			out[s.Name] = len(readRows[schema.Participant](t, lake, s.Name))
		case schema.StreamRegistrants:
			out[s.Name] = len(readRows[schema.Registrant](t, lake, s.Name))
		case schema.StreamWebinarInstances:
			out[s.Name] = len(readRows[schema.WebinarInstance](t, lake, s.Name))
		case schema.StreamInstanceReports:
			out[s.Name] = len(readRows[schema.InstanceReport](t, lake, s.Name))
		case schema.StreamWebinars:
			out[s.Name] = len(readRows[schema.Webinar](t, lake, s.Name))
		case schema.StreamAbsentees:
			out[s.Name] = len(readRows[schema.Absentee](t, lake, s.Name))
		case schema.StreamRecordings:
			out[s.Name] = len(readRows[schema.Recording](t, lake, s.Name))
		case schema.StreamTranscripts:
			out[s.Name] = len(readRows[schema.TranscriptCue](t, lake, s.Name))
		case schema.StreamUsers:
			out[s.Name] = len(readRows[schema.User](t, lake, s.Name))
		case schema.StreamExtractIssues:
			out[s.Name] = len(readRows[schema.ExtractIssue](t, lake, s.Name))
		}
	}
	return out
}

// checkFiles verifies the files a run reports against the lake.
func checkFiles(t *testing.T, lake schema.Lake, files []lakefile.File) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("the run reports no file")
	}
	for _, f := range files {
		n, sha, err := lakefile.Checksum(filepath.Join(lake.Dir, filepath.FromSlash(f.Path)))
		if err != nil || n != f.Bytes || sha != f.SHA256 || f.Rows <= 0 {
			t.Errorf("file %+v: on disk %d bytes sha256 %s (%v)", f, n, sha, err)
		}
	}
}

// TestRun_interruptedKeepsCompletedStages cancels a run halfway, then runs
// again from the state it left. The interrupted run commits the files and
// cursors of the stages it completed; the resumed run fetches only the rest
// (and what had not settled), so that together they cover every stage of an
// uninterrupted run, with the same rows.
func TestRun_interruptedKeepsCompletedStages(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(5)
	now := acct.Now
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	c := newClient(srv)
	const reportRoute = "GET /report/webinars/{webinarId}"

	// Baseline: one whole run.
	lakeA, stA := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	if _, _, err := simRun(t.Context(), t, srv, c, lakeA, stA, "f", now, Config{}); err != nil {
		t.Fatal(err)
	}
	whole := stA.Changes()

	// Interrupted after half the webinars, one at a time so that none is
	// under way when the interrupt comes.
	lakeB, stB := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sum1, calls1, err := simRun(ctx, t, srv, c, lakeB, stB, "b1", now, Config{Concurrency: 1, Progress: func(done, total int) {
		if done == total/2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
	}
	checkFiles(t, lakeB, sum1.Files)
	first := stB.Changes()
	if len(first) == 0 || len(first) >= len(whole) {
		t.Fatalf("the interrupted run kept %d cursors, want some of the %d of a whole run", len(first), len(whole))
	}
	// Every file of the interrupted run is committed: no temporary file left.
	if left, err := lakefile.RemoveTemp(lakeB); err != nil || len(left) != 0 {
		t.Errorf("temporary files left: %v, %v", left, err)
	}

	// The next run, from the state the interrupted one left, fetches the rest.
	resumed := NewState(maps.Clone(first))
	_, calls2, err := simRun(t.Context(), t, srv, c, lakeB, resumed, "b2", now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	second := resumed.Changes()
	wantReports := 0
	for k := range whole {
		_, in1 := first[k]
		_, in2 := second[k]
		if !in1 && !in2 {
			t.Errorf("stage %v of the whole run fetched by neither the interrupted nor the resumed run", k)
		}
		if in1 && in2 && !NewState(maps.Clone(first)).Needs(k, now) {
			t.Errorf("stage %v, settled by the interrupted run, fetched again", k)
		}
		if k.Name == StageReport && (!in1 || NewState(maps.Clone(first)).Needs(k, now)) {
			wantReports++
		}
	}
	if calls1[reportRoute] == 0 || calls2[reportRoute] != wantReports {
		t.Errorf("report calls: %d interrupted, %d resumed; want some, then %d (the rest and the unsettled)", calls1[reportRoute], calls2[reportRoute], wantReports)
	}

	// Rows: each run's snapshot of an instance's participants is the whole
	// run's; the stages the interrupted run completed have theirs in its
	// files.
	count := func(lake schema.Lake) map[[2]string]int {
		m := map[[2]string]int{}
		for _, p := range readRows[schema.Participant](t, lake, schema.StreamParticipants) {
			m[[2]string{p.RunID, p.InstanceUUID}]++
		}
		return m
	}
	a, b := count(lakeA), count(lakeB)
	for k, n := range b {
		if a[[2]string{"f", k[1]}] != n {
			t.Errorf("run %s wrote %d participants of %s, the whole run %d", k[0], n, k[1], a[[2]string{"f", k[1]}])
		}
	}
	for k, n := range a {
		if b[[2]string{"b1", k[1]}] == 0 && b[[2]string{"b2", k[1]}] == 0 {
			t.Errorf("the %d participants of %s are in neither run's files", n, k[1])
		}
		st := Stage{"instance", k[1], StageReport}
		if _, ok := first[st]; ok && b[[2]string{"b1", k[1]}] != n {
			t.Errorf("report %s completed by the interrupted run, but its files hold %d participants, want %d", k[1], b[[2]string{"b1", k[1]}], n)
		}
	}
}

// TestRun_lostStagesFetchedAgain marks settled stages lost: the next run
// fetches exactly those again (compared with a run from the same state
// without the loss) and writes their rows.
func TestRun_lostStagesFetchedAgain(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(5)
	now := acct.Now
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	c := newClient(srv)
	st := NewState(nil)
	if _, _, err := simRun(t.Context(), t, srv, c, schema.Lake{Dir: t.TempDir()}, st, "r1", now, Config{}); err != nil {
		t.Fatal(err)
	}
	saved := st.Changes()

	// A settled report with participants, and a settled registrant list.
	var report, regs Stage
	var wantParts, wantRegs int
	for k, v := range saved {
		if st.Needs(k, now) || v.Status != StatusDone {
			continue
		}
		switch {
		case k.Name == StageReport && report.ID == "":
			if _, in := acct.Instance(k.ID); in != nil && len(in.Participants) > 0 {
				report, wantParts = k, len(in.Participants)
			}
		case k.Name == StageRegistrants && regs.ID == "":
			for _, w := range acct.Webinars {
				if w.ID != 0 && k.ID == itoa(w.ID) && len(w.Registrants) > 0 {
					regs, wantRegs = k, len(w.Registrants)
				}
			}
		}
	}
	if report.ID == "" || regs.ID == "" {
		t.Fatalf("no settled report (%v) or registrant list (%v) to lose", report, regs)
	}

	_, control, err := simRun(t.Context(), t, srv, c, schema.Lake{Dir: t.TempDir()}, NewState(maps.Clone(saved)), "c", now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	lost := NewState(maps.Clone(saved))
	lost.MarkLost(report)
	lost.MarkLost(regs)
	lake := schema.Lake{Dir: t.TempDir()}
	_, calls, err := simRun(t.Context(), t, srv, c, lake, lost, "r2", now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if d := calls["GET /report/webinars/{webinarId}"] - control["GET /report/webinars/{webinarId}"]; d != 1 {
		t.Errorf("%d more report calls than without the loss, want 1", d)
	}
	if d := calls["GET /webinars/{webinarId}/registrants"] - control["GET /webinars/{webinarId}/registrants"]; d < 3 {
		t.Errorf("%d more registrant calls than without the loss, want at least 3 (one per status)", d)
	}
	var parts, regRows int
	for _, p := range readRows[schema.Participant](t, lake, schema.StreamParticipants) {
		if p.InstanceUUID == report.ID {
			parts++
		}
	}
	for _, r := range readRows[schema.Registrant](t, lake, schema.StreamRegistrants) {
		if itoa(r.WebinarID) == regs.ID {
			regRows++
		}
	}
	if parts != wantParts || regRows != wantRegs {
		t.Errorf("wrote %d participants of the lost report and %d registrants of the lost list, want %d and %d", parts, regRows, wantParts, wantRegs)
	}
	for _, k := range []Stage{report, regs} {
		if v, _ := lost.Get(k); v.Status != StatusDone || v.RunID != "r2" {
			t.Errorf("stage %v after the fetch = %+v, want done by r2", k, v)
		}
	}
}

// expiringPages fronts a simulator: pages are 2 rows, and the first request
// with a next_page_token of each listing matched by path answers Zoom's
// expired-token 400 (times per listing).
func expiringPages(t *testing.T, srv *zoomtest.Server, path string, times int) (*httptest.Server, *atomic.Int32) {
	var mu sync.Mutex
	seen := map[string]int{}
	var expired atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("page_size") {
			q.Set("page_size", "2")
			r.URL.RawQuery = q.Encode()
		}
		if q.Get("next_page_token") != "" && strings.Contains(r.URL.Path, path) {
			mu.Lock()
			seen[r.URL.Path]++
			n := seen[r.URL.Path]
			mu.Unlock()
			if n <= times {
				expired.Add(1)
				w.Header().Set("Content-Type", "application/json; charset=UTF-8")
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"code":300,"message":"The next page token is invalid or expired."}`))
				return
			}
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front, &expired
}

func frontClient(front *httptest.Server, srv *zoomtest.Server) *zoom.Client {
	// The token from the simulator itself, so that its download URLs are
	// the OAuth host's and get the token.
	return zoom.NewClient(zoom.WithBaseURL(front.URL+"/v2"), zoom.WithOAuthURL(srv.OAuthURL()),
		zoom.WithCredentials("demo-account", "demo-client", "demo-secret"), zoom.WithPlan("unlimited"),
		zoom.WithRetry(2, time.Millisecond, 10*time.Millisecond))
}

// TestRun_expiredPageTokenAndMalformedPageRestartNotFail: an expired
// next_page_token restarts its listing, a malformed page is retried; the
// run fails no webinar and writes the rows of a fault-free run, none twice.
func TestRun_expiredPageTokenAndMalformedPageRestartNotFail(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(5)
	now := acct.Now

	clean := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer clean.Close()
	cleanFront, _ := expiringPages(t, clean, "/nothing", 0)
	lakeA := schema.Lake{Dir: t.TempDir()}
	if _, _, err := simRun(t.Context(), t, clean, frontClient(cleanFront, clean), lakeA, NewState(nil), "a", now, Config{}); err != nil {
		t.Fatal(err)
	}

	faulty := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"),
		zoomtest.WithFault(zoomtest.Fault{Path: "/participants", After: 3, Times: 2, Kind: zoomtest.FaultMalformed}))
	defer faulty.Close()
	front, expired := expiringPages(t, faulty, "/participants", 2) // twice per listing: the bound
	lakeB := schema.Lake{Dir: t.TempDir()}
	sum, _, err := simRun(t.Context(), t, faulty, frontClient(front, faulty), lakeB, NewState(nil), "b", now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.WebinarErrors) != 0 {
		t.Errorf("webinars failed: %v", sum.WebinarErrors)
	}
	if expired.Load() == 0 {
		t.Fatal("no page token expired: the listings had one page each")
	}
	key := func(p schema.Participant) string {
		return p.InstanceUUID + "|" + itoa(int64(p.Seq)) + "|" + p.UserID + "|" + p.JoinTime.String()
	}
	var a, b []string
	for _, p := range readRows[schema.Participant](t, lakeA, schema.StreamParticipants) {
		a = append(a, key(p))
	}
	for _, p := range readRows[schema.Participant](t, lakeB, schema.StreamParticipants) {
		b = append(b, key(p))
	}
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("participants with faults: %d rows, fault-free: %d rows; they differ", len(b), len(a))
	}
	if got, want := rowCounts(t, lakeB), rowCounts(t, lakeA); !maps.Equal(got, want) {
		t.Errorf("rows with faults %v, fault-free %v", got, want)
	}

	// Three expiries in a row exceed the bound: that listing's webinar fails, named.
	worse := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer worse.Close()
	front3, _ := expiringPages(t, worse, "/participants", 3)
	sum, _, err = simRun(t.Context(), t, worse, frontClient(front3, worse), schema.Lake{Dir: t.TempDir()}, NewState(nil), "c", now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.WebinarErrors) == 0 {
		t.Error("a listing whose token expired three times did not fail its webinar")
	}
	for _, e := range sum.WebinarErrors {
		if !strings.Contains(e, "next page token") {
			t.Errorf("webinar error %q does not say the token expired", e)
		}
	}
}
