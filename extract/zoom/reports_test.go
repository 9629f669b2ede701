package zoom

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

// findInstance returns the first held, reportable instance (ended, less
// than a year old) matching ok.
func findInstance(t *testing.T, acct *zoomtest.Account, ok func(*zoomtest.Webinar, *zoomtest.Instance) bool) (*zoomtest.Webinar, *zoomtest.Instance) {
	t.Helper()
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			if !in.EndTime.After(acct.Now) && !in.StartTime.Before(acct.Now.AddDate(-1, 0, 0)) && ok(w, in) {
				return w, in
			}
		}
	}
	t.Fatal("no such instance in the demo account")
	return nil, nil
}

func mostParticipants(acct *zoomtest.Account) func(*zoomtest.Webinar, *zoomtest.Instance) bool {
	var best *zoomtest.Instance
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			if !in.EndTime.After(acct.Now) && !in.StartTime.Before(acct.Now.AddDate(-1, 0, 0)) &&
				(best == nil || len(in.Participants) > len(best.Participants)) {
				best = in
			}
		}
	}
	return func(_ *zoomtest.Webinar, in *zoomtest.Instance) bool { return in == best }
}

func TestReportsService_ListParticipantsIter_allPages(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	_, in := findInstance(t, f.acct, mostParticipants(f.acct))
	type row struct{ UserID, RegistrantID, Email, Status string }
	var want, got []row
	for _, p := range in.Participants {
		want = append(want, row{p.UserID, p.RegistrantID, p.Email, p.Status})
	}
	for p, err := range f.client.Reports.ListParticipantsIter(t.Context(), in.UUID, &ListOptions{PageSize: 50}) {
		if err != nil {
			t.Fatal(err)
		}
		if p.JoinTime.IsZero() || p.Duration < 0 {
			t.Errorf("participant %+v lacks join_time or has a negative duration", p)
		}
		got = append(got, row{p.UserID, p.RegistrantID, p.UserEmail, p.Status})
	}
	if len(want) <= 50 {
		t.Logf("instance %s has only %d participants: one page", in.UUID, len(want))
	}
	key := func(a, b row) int { return strings.Compare(a.UserID+a.Status, b.UserID+b.Status) }
	slices.SortFunc(want, key)
	slices.SortFunc(got, key)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("participants of %s (-want +got):\n%s", in.UUID, diff)
	}
	hasReg := slices.ContainsFunc(got, func(r row) bool { return r.RegistrantID != "" })
	if !hasReg {
		t.Error("no participant has a registrant_id: include_fields=registrant_id not sent?")
	}
}

func TestReportsService_GetWebinar_doubleEncodedUUID(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithStrictUUID(true)})
	for _, tc := range []struct {
		name string
		ok   func(string) bool
	}{
		{"leading slash", func(u string) bool { return strings.HasPrefix(u, "/") }},
		{"double slash", func(u string) bool { return strings.Contains(u, "//") }},
		{"plus or equals", func(u string) bool { return strings.ContainsAny(u, "+=") && !strings.Contains(u, "/") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var uuid string
			for _, w := range f.acct.Webinars {
				for _, in := range w.Instances {
					if uuid == "" && !in.EndTime.After(f.acct.Now) && tc.ok(in.UUID) {
						uuid = in.UUID
					}
				}
			}
			if uuid == "" {
				t.Skip("no such uuid in the demo account")
			}
			w, in := f.acct.Instance(uuid)
			if strings.HasPrefix(uuid, "/") || strings.Contains(uuid, "//") {
				// The strict simulator refuses the same uuid encoded once.
				req, err := f.client.NewRequest(t.Context(), "GET", "report/webinars/"+url.QueryEscape(uuid), nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.client.Do(req, nil); !errors.Is(err, ErrWebinarNotFound) {
					t.Fatalf("single-encoded %q: err = %v, want 404/3001", uuid, err)
				}
			}
			rep, _, err := f.client.Reports.GetWebinar(t.Context(), uuid)
			if in.StartTime.Before(f.acct.Now.AddDate(-1, 0, 0)) {
				// Reached the instance (not 404/3001), which is all the encoding test needs.
				t.Logf("instance %q is older than a year", uuid)
				if !errors.Is(err, ErrReportTooOld) {
					t.Fatalf("GetWebinar(%q) err = %v, want ErrReportTooOld", uuid, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetWebinar(%q): %v", uuid, err)
			}
			if rep.UUID != uuid || rep.ID != w.ID || !rep.StartTime.Equal(in.StartTime) || !rep.EndTime.Equal(in.EndTime) {
				t.Errorf("report = %+v, want uuid %q id %d %v..%v", rep, uuid, w.ID, in.StartTime, in.EndTime)
			}
			n := 0
			for _, err := range f.client.Reports.ListParticipantsIter(t.Context(), uuid, nil) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != len(in.Participants) {
				t.Errorf("participants of %q = %d, want %d", uuid, n, len(in.Participants))
			}
		})
	}
}

func TestReportsService_GetWebinar_numericIDIsLatestInstance(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w, _ := findInstance(t, f.acct, func(w *zoomtest.Webinar, _ *zoomtest.Instance) bool { return len(w.Instances) > 1 })
	var latest *zoomtest.Instance
	for _, in := range w.Instances {
		if !in.EndTime.After(f.acct.Now) {
			latest = in
		}
	}
	rep, _, err := f.client.Reports.GetWebinar(t.Context(), "")
	if err == nil {
		t.Errorf("GetWebinar(\"\") = %+v, want an error", rep)
	}
	rep, _, err = f.client.Reports.GetWebinar(t.Context(), strings.TrimSpace(itoa(w.ID)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.UUID != latest.UUID {
		t.Errorf("report uuid = %q, want the latest instance %q", rep.UUID, latest.UUID)
	}
}

func TestReportsService_GetWebinar_tooOld(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	var uuid string
	for _, w := range f.acct.Webinars {
		for _, in := range w.Instances {
			if in.StartTime.Before(f.acct.Now.AddDate(-1, 0, 0)) {
				uuid = in.UUID
			}
		}
	}
	if uuid == "" {
		t.Fatal("demo account has no instance older than a year")
	}
	_, _, err := f.client.Reports.GetWebinar(t.Context(), uuid)
	var apiErr *APIError
	if !errors.Is(err, ErrReportTooOld) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Code != 12702 {
		t.Fatalf("err = %v, want 400/12702 ErrReportTooOld", err)
	}
	if errors.Is(err, ErrNotFound) {
		t.Errorf("12702 matches ErrNotFound")
	}
}

func TestReportsService_ListParticipants_transientFaultsRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		fault       zoomtest.Fault
		wantRetries int32
	}{
		{"503 twice", zoomtest.Fault{Path: "/participants", Kind: zoomtest.Fault5xx, Times: 2}, 2},
		{"502", zoomtest.Fault{Path: "/participants", Kind: zoomtest.Fault5xx, Status: 502}, 1},
		{"QPS 429", zoomtest.Fault{Path: "/participants", Kind: zoomtest.FaultQPS429}, 1},
		// net/http may replay a GET on a reused connection itself, so the
		// reset need not reach our retry loop: -1 skips the count.
		{"connection reset", zoomtest.Fault{Path: "/participants", Kind: zoomtest.FaultReset}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, []zoomtest.Option{zoomtest.WithFault(tc.fault)})
			_, in := findInstance(t, f.acct, mostParticipants(f.acct))
			got, resp, err := f.client.Reports.ListParticipants(t.Context(), in.UUID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st := f.srv.Stats(); st.ByStatus[0]+st.ByStatus[429]+st.ByStatus[502]+st.ByStatus[503] == 0 {
				t.Errorf("the fault was not applied: %v", st.ByStatus)
			}
			if len(got) != min(len(in.Participants), DefaultPageSize) || resp.StatusCode != 200 {
				t.Errorf("got %d participants, status %d; want %d, 200", len(got), resp.StatusCode, min(len(in.Participants), DefaultPageSize))
			}
			if n := f.retries.Load(); tc.wantRetries >= 0 && n != tc.wantRetries {
				t.Errorf("retries = %d, want %d", n, tc.wantRetries)
			}
		})
	}
}

func TestReportsService_ListParticipants_5xxGivesUp(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithFault(zoomtest.Fault{Path: "/participants", Kind: zoomtest.Fault5xx, Times: 100})})
	_, in := findInstance(t, f.acct, mostParticipants(f.acct))
	_, _, err := f.client.Reports.ListParticipants(t.Context(), in.UUID, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("err = %v, want a 503 *APIError", err)
	}
	if n := f.apiCalls(); n != 4 {
		t.Errorf("API calls = %d, want 4 (1 + 3 retries)", n)
	}
}

func TestReportsService_dailyLimit(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithFault(zoomtest.Fault{Path: "/report/", Kind: zoomtest.FaultDaily429})})
	f.client.now = func() time.Time { return time.Now() }
	w, in := findInstance(t, f.acct, mostParticipants(f.acct))

	_, _, err := f.client.Reports.ListParticipants(t.Context(), in.UUID, nil)
	var rlErr *RateLimitError
	if !errors.Is(err, ErrDailyLimit) || !errors.As(err, &rlErr) {
		t.Fatalf("err = %v, want ErrDailyLimit", err)
	}
	if rlErr.Category != CategoryHeavy || rlErr.Type != RateLimitTypeDaily || rlErr.Remaining != 0 || !rlErr.Reset.After(time.Now()) {
		t.Errorf("RateLimitError = %+v, want Heavy Daily-limit, 0 left, reset ahead", rlErr)
	}
	if f.retries.Load() != 0 {
		t.Errorf("daily limit retried %d times", f.retries.Load())
	}
	calls := f.apiCalls()

	// Another Heavy call fails at once, without reaching the simulator.
	_, resp, err2 := f.client.Reports.GetWebinar(t.Context(), in.UUID)
	if !errors.Is(err2, ErrDailyLimit) || resp != nil {
		t.Fatalf("second call: resp %v, err %v; want nil, ErrDailyLimit", resp, err2)
	}
	if n := f.apiCalls(); n != calls {
		t.Errorf("second call reached the simulator (%d API calls, want %d)", n, calls)
	}

	// Other labels go on.
	if _, _, err := f.client.Webinars.ListPastInstances(t.Context(), w.ID); err != nil {
		t.Errorf("Light call after a Heavy daily limit: %v", err)
	}

	// After the reset, Heavy calls are sent again.
	f.client.now = func() time.Time { return rlErr.Reset.Add(time.Second) }
	if _, _, err := f.client.Reports.GetWebinar(t.Context(), in.UUID); err != nil {
		t.Errorf("Heavy call after the reset: %v", err)
	}
}
