package zoom

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

// busiestWebinar is the unexpired webinar with the most registrants.
func busiestWebinar(t *testing.T, acct *zoomtest.Account) *zoomtest.Webinar {
	t.Helper()
	var best *zoomtest.Webinar
	for _, w := range acct.Webinars {
		if !w.Expired && (best == nil || len(w.Registrants) > len(best.Registrants)) {
			best = w
		}
	}
	if best == nil || len(best.Registrants) == 0 {
		t.Fatal("demo account has no webinar with registrants")
	}
	return best
}

func registrantIDs(w *zoomtest.Webinar, status string) []string {
	ids := []string{}
	for _, r := range w.Registrants {
		if r.Status == status {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestWebinarsService_ListIter_perHost(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	for _, u := range f.acct.Users {
		if u.Type != UserTypeLicensed || u.ID == "" {
			continue
		}
		want := []int64{}
		for _, w := range f.acct.Webinars {
			if w.HostID == u.ID && !w.Expired {
				want = append(want, w.ID)
			}
		}
		got := []int64{}
		for w, err := range f.client.Webinars.ListIter(t.Context(), u.ID, &WebinarListOptions{ListOptions: ListOptions{PageSize: 2}}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, w.ID)
		}
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("webinars of %s (-want +got):\n%s", u.Email, diff)
		}
	}
}

func TestWebinarsService_Get(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	want := busiestWebinar(t, f.acct)
	got, resp, err := f.client.Webinars.Get(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.UUID != want.UUID || got.HostID != want.HostID || got.Type != want.Type ||
		!got.StartTime.Equal(want.StartTime) || got.Settings == nil || got.Settings.ApprovalType != want.ApprovalType {
		t.Errorf("Get(%d) = %+v (settings %+v), want %+v", want.ID, got, got.Settings, want)
	}
	if resp.RateLimit.Category != CategoryLight {
		t.Errorf("RateLimit.Category = %q, want Light", resp.RateLimit.Category)
	}
}

func TestWebinarsService_Get_notFound(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	_, _, err := f.client.Webinars.Get(t.Context(), 12345678901)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	if apiErr.StatusCode != 404 || apiErr.Code != 3001 || apiErr.Method != "GET" || apiErr.Path != "/v2/webinars/12345678901" {
		t.Errorf("APIError = %+v, want 404/3001 GET /v2/webinars/12345678901", apiErr)
	}
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, ErrWebinarNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound/ErrWebinarNotFound) = false", err)
	}
}

func TestWebinarsService_ListPastInstances(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	var w *zoomtest.Webinar
	for _, x := range f.acct.Webinars {
		if w == nil || len(x.Instances) > len(w.Instances) {
			w = x
		}
	}
	want := []string{}
	for _, in := range w.Instances {
		if !in.EndTime.After(f.acct.Now) {
			want = append(want, in.UUID)
		}
	}
	got, _, err := f.client.Webinars.ListPastInstances(t.Context(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	gotUUIDs := []string{}
	for _, in := range got {
		gotUUIDs = append(gotUUIDs, in.UUID)
		if in.StartTime.IsZero() {
			t.Errorf("instance %s has no start_time", in.UUID)
		}
	}
	if diff := cmp.Diff(want, gotUUIDs); diff != "" {
		t.Errorf("instances of %d (-want +got):\n%s", w.ID, diff)
	}
}

func TestWebinarsService_ListRegistrantsIter_perStatus(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w := busiestWebinar(t, f.acct)
	for _, status := range []string{RegistrantApproved, RegistrantPending, RegistrantDenied} {
		t.Run(status, func(t *testing.T) {
			opts := &RegistrantListOptions{Status: status, ListOptions: ListOptions{PageSize: 25}}
			before := *opts
			got := []string{}
			for r, err := range f.client.Webinars.ListRegistrantsIter(t.Context(), w.ID, opts) {
				if err != nil {
					t.Fatal(err)
				}
				if r.Status != status {
					t.Errorf("registrant %s has status %q, want %q", r.ID, r.Status, status)
				}
				got = append(got, r.ID)
			}
			slices.Sort(got)
			if diff := cmp.Diff(registrantIDs(w, status), got); diff != "" {
				t.Errorf("registrant ids (-want +got):\n%s", diff)
			}
			if *opts != before {
				t.Errorf("options changed by the iterator: %+v, was %+v", *opts, before)
			}
		})
	}
}

func TestWebinarsService_ListRegistrantsIter_tokenExpiredMidListing(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w := busiestWebinar(t, f.acct)
	want := registrantIDs(w, RegistrantApproved)
	if len(want) < 3 {
		t.Fatalf("webinar %d has %d approved registrants, want several pages", w.ID, len(want))
	}
	got := []string{}
	for r, err := range f.client.Webinars.ListRegistrantsIter(t.Context(), w.ID, &RegistrantListOptions{ListOptions: ListOptions{PageSize: 2}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.ID)
		if len(got) == 1 {
			f.srv.ExpireTokens() // the next page meets 401/124 "Access token is expired."
		}
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("registrant ids (-want +got):\n%s", diff)
	}
	if n := f.tokenCalls(); n != 2 {
		t.Errorf("token requests = %d, want 2 (initial and one refresh)", n)
	}
	if n := f.srv.Stats().ByStatus[401]; n != 1 {
		t.Errorf("401 answers = %d, want 1", n)
	}
}

func TestWebinarsService_ListRegistrantsIter_malformedPageRetried(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w := busiestWebinar(t, f.acct)
	f.srv.AddFault(zoomtest.Fault{Path: "/registrants", After: 1, Kind: zoomtest.FaultMalformed})
	n := 0
	for _, err := range f.client.Webinars.ListRegistrantsIter(t.Context(), w.ID, &RegistrantListOptions{ListOptions: ListOptions{PageSize: 2}}) {
		if err != nil {
			t.Fatalf("after %d registrants: %v", n, err)
		}
		n++
	}
	if want := len(registrantIDs(w, "approved")); n != want {
		t.Errorf("yielded %d registrants, want every approved one (%d)", n, want)
	}
	if r := f.retries.Load(); r != 1 {
		t.Errorf("retries = %d, want 1 (the malformed page)", r)
	}
}

func TestWebinarsService_ListRegistrantsIter_malformedPageGivesUp(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w := busiestWebinar(t, f.acct)
	f.srv.AddFault(zoomtest.Fault{Path: "/registrants", After: 1, Times: 100, Kind: zoomtest.FaultMalformed})
	n := 0
	var err error
	for _, err = range f.client.Webinars.ListRegistrantsIter(t.Context(), w.ID, &RegistrantListOptions{ListOptions: ListOptions{PageSize: 2}}) {
		if err != nil {
			break
		}
		n++
	}
	wantPath := "/v2/webinars/" + strconv.FormatInt(w.ID, 10) + "/registrants"
	if !errors.Is(err, errDamagedBody) || !strings.Contains(err.Error(), "GET "+wantPath) {
		t.Fatalf("err = %v, want a damaged-body error naming %s", err, wantPath)
	}
	if strings.Contains(err.Error(), "next_page_token") {
		t.Errorf("error %q carries the query", err)
	}
	if n != 2 {
		t.Errorf("yielded %d registrants before the error, want the first page's 2", n)
	}
	if r := f.retries.Load(); r != 3 {
		t.Errorf("retries = %d, want the whole budget (3)", r)
	}
}

func TestWebinarsService_ListRegistrants_expiredPageToken(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithPageTokenTTL(1)}) // 1 ns: every token is stale
	w := busiestWebinar(t, f.acct)
	_, resp, err := f.client.Webinars.ListRegistrants(t.Context(), w.ID, &RegistrantListOptions{ListOptions: ListOptions{PageSize: 1}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.client.Webinars.ListRegistrants(t.Context(), w.ID, &RegistrantListOptions{ListOptions: ListOptions{PageSize: 1, NextPageToken: resp.NextPageToken}})
	if !errors.Is(err, ErrPageTokenInvalid) {
		t.Fatalf("err = %v, want ErrPageTokenInvalid", err)
	}
	if strings.Contains(err.Error(), resp.NextPageToken) {
		t.Errorf("error %q carries the page token", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
