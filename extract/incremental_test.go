package extract

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

// runAt runs one extraction of acct at now, on a server of its own, with
// the State st that earlier runs left.
func runAt(t *testing.T, acct *zoomtest.Account, lake schema.Lake, st *State, runID string, now time.Time, cfg Config) (*Summary, error) {
	t.Helper()
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	cfg.Client, cfg.Lake, cfg.RunID, cfg.State = newClient(srv), lake, runID, st
	cfg.Now = func() time.Time { return now }
	return Run(t.Context(), cfg)
}

// firstWebinar returns the index of the first webinar of acct that ok accepts.
func firstWebinar(t *testing.T, acct *zoomtest.Account, ok func(*zoomtest.Webinar) bool) int {
	t.Helper()
	i := slices.IndexFunc(acct.Webinars, ok)
	if i < 0 {
		t.Fatal("the demo account has no such webinar")
	}
	return i
}

func TestRun_reportFetchedBeforeItSettledIsFetchedOnceMore(t *testing.T) {
	single := func(w *zoomtest.Webinar) bool {
		return !w.Expired && w.Type == 5 && len(w.Instances) == 1 && w.ApprovalType != 2 && len(w.Instances[0].Participants) > 0
	}
	acct := zoomtest.DemoAccount(1)
	i := firstWebinar(t, acct, single)
	w, in := acct.Webinars[i], acct.Webinars[i].Instances[0]
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	// The first run reads the report an hour after the instance ended.
	if _, err := runAt(t, acct, lake, st, "r1", in.EndTime.Add(time.Hour), Config{Only: []int64{w.ID}}); err != nil {
		t.Fatal(err)
	}
	// Zoom adds a participant row later, within the look-back; the next
	// run comes after the look-back is over.
	acct2 := zoomtest.DemoAccount(1)
	in2 := acct2.Webinars[i].Instances[0]
	late := *in2.Participants[0]
	late.UserID, late.Email, late.Name, late.RegistrantID = "late-join", "late.comer@example.org", "Late Comer", ""
	in2.Participants = append(in2.Participants, &late)
	if _, err := runAt(t, acct2, lake, st, "r2", in.EndTime.Add(72*time.Hour), Config{Only: []int64{w.ID}}); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(readRows[schema.Participant](t, lake, schema.StreamParticipants), func(p schema.Participant) bool {
		return p.UserEmail == late.Email
	}) {
		t.Error("the participant Zoom added before the report settled never reached the lake")
	}
}

func TestRun_recurringType9WebinarNewInstanceIsListed(t *testing.T) {
	type9 := func(w *zoomtest.Webinar) bool { return !w.Expired && w.Type == 9 && len(w.Instances) > 1 }
	acct := zoomtest.DemoAccount(1)
	i := firstWebinar(t, acct, type9)
	w := acct.Webinars[i]
	last := w.Instances[len(w.Instances)-1]
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	// The first run comes after the last held instance has settled.
	now := last.EndTime.Add(5 * 24 * time.Hour)
	if _, err := runAt(t, acct, lake, st, "r1", now, Config{Only: []int64{w.ID}}); err != nil {
		t.Fatal(err)
	}
	// A week later the next occurrence is held.
	acct2 := zoomtest.DemoAccount(1)
	w2 := acct2.Webinars[i]
	start := now.Add(7 * 24 * time.Hour)
	next := &zoomtest.Instance{UUID: "TestNewInstance000000A==", StartTime: start, EndTime: start.Add(time.Hour)}
	w2.Instances = append(w2.Instances, next)
	acct2.Now = next.EndTime.Add(time.Hour)
	if _, err := runAt(t, acct2, lake, st, "r2", acct2.Now, Config{Only: []int64{w.ID}}); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(readRows[schema.WebinarInstance](t, lake, schema.StreamWebinarInstances), func(x schema.WebinarInstance) bool {
		return x.UUID == next.UUID
	}) {
		t.Error("the new instance of the type 9 webinar was not listed")
	}
}

func TestRun_webinarExpiredAfterItWasListedStillGetsItsReport(t *testing.T) {
	upcoming := func(w *zoomtest.Webinar) bool {
		return !w.Expired && w.Type == 5 && len(w.Instances) == 0 && w.ApprovalType != 2
	}
	acct := zoomtest.DemoAccount(1)
	i := firstWebinar(t, acct, upcoming)
	w := acct.Webinars[i]
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	// Listed and upcoming: its registrants never settle while listed.
	if _, err := runAt(t, acct, lake, st, "r1", acct.Now, Config{}); err != nil {
		t.Fatal(err)
	}
	// It is held, then Zoom stops listing it (expired) before the next run.
	acct2 := zoomtest.DemoAccount(1)
	w2 := acct2.Webinars[i]
	held := &zoomtest.Instance{UUID: "TestHeldInstance00000A==", StartTime: w2.StartTime, EndTime: w2.StartTime.Add(time.Hour)}
	w2.Instances, w2.UUID, w2.Expired = []*zoomtest.Instance{held}, held.UUID, true
	acct2.Now = held.EndTime.Add(3 * time.Hour)
	sum, err := runAt(t, acct2, lake, st, "r2", acct2.Now, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := sum.WebinarErrors[w.ID]; ok {
		t.Errorf("expired webinar failed: %s", e)
	}
	if !slices.ContainsFunc(readRows[schema.InstanceReport](t, lake, schema.StreamInstanceReports), func(r schema.InstanceReport) bool {
		return r.UUID == held.UUID
	}) {
		t.Error("the report of the expired webinar's instance was not fetched")
	}
}

// hostSelector syncs the webinars of one host and records the host each
// webinar was decided with.
// Decide is called from the extractor's concurrent webinar workers.
type hostSelector struct {
	host  string
	mu    sync.Mutex
	asked map[int64]string
}

func (s *hostSelector) Decide(hostID, _ string, webinarID int64, _ time.Time) Decision {
	s.mu.Lock()
	s.asked[webinarID] = hostID
	s.mu.Unlock()
	if hostID != s.host {
		return Decision{Reason: "host_not_selected"}
	}
	return Decision{Sync: true, Recordings: true}
}

func TestRun_dailyLimitOnADetailRefetchKeepsTheWebinarsFacts(t *testing.T) {
	single := func(w *zoomtest.Webinar) bool { return !w.Expired && w.Type == 5 && len(w.Instances) == 1 }
	acct := zoomtest.DemoAccount(1)
	i := firstWebinar(t, acct, single)
	w := acct.Webinars[i]
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	sel := &hostSelector{host: w.HostID, asked: map[int64]string{}}
	if _, err := runAt(t, acct, lake, st, "r1", acct.Now, Config{Selector: sel}); err != nil {
		t.Fatal(err)
	}
	// Its listing changes; the daily limit stops the detail refetch.
	acct2 := zoomtest.DemoAccount(1)
	acct2.Webinars[i].Topic += " (updated)"
	srv := zoomtest.NewServer(acct2, zoomtest.WithPlan("unlimited"),
		zoomtest.WithFault(zoomtest.Fault{Path: "/webinars/" + itoa(w.ID), Times: 1000, Kind: zoomtest.FaultDaily429}))
	defer srv.Close()
	now := func() time.Time { return acct.Now }
	if _, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r2", State: st, Now: now, Selector: sel}); err == nil {
		t.Fatal("the daily limit did not stop the run")
	}
	// Then Zoom stops listing it: the run knows its host from the State.
	acct3 := zoomtest.DemoAccount(1)
	acct3.Webinars[i].Expired = true
	clear(sel.asked)
	if _, err := runAt(t, acct3, lake, st, "r3", acct.Now, Config{Selector: sel}); err != nil {
		t.Fatal(err)
	}
	if got := sel.asked[w.ID]; got != w.HostID {
		t.Errorf("expired webinar decided with host %q, want %q", got, w.HostID)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestRun_webinarWhoseListingChangedHasItsRegistrantsFetchedAgain(t *testing.T) {
	single := func(w *zoomtest.Webinar) bool {
		return !w.Expired && w.Type == 5 && len(w.Instances) == 1 && w.ApprovalType == 0 && len(w.Registrants) > 0
	}
	acct := zoomtest.DemoAccount(1)
	i := firstWebinar(t, acct, single)
	w := acct.Webinars[i]
	lake, st := schema.Lake{Dir: t.TempDir()}, NewState(nil)
	// Held long ago: its registrants have settled.
	if _, err := runAt(t, acct, lake, st, "r1", acct.Now, Config{Only: []int64{w.ID}}); err != nil {
		t.Fatal(err)
	}
	// The host schedules it again, a week ahead, and someone registers.
	acct2 := zoomtest.DemoAccount(1)
	w2 := acct2.Webinars[i]
	w2.StartTime = acct.Now.Add(7 * 24 * time.Hour)
	reg := *w2.Registrants[0]
	reg.ID, reg.Email, reg.Status, reg.CreateTime = "new-registrant", "new.registrant@example.org", "approved", acct.Now
	w2.Registrants = append(w2.Registrants, &reg)
	if _, err := runAt(t, acct2, lake, st, "r2", acct.Now.Add(time.Hour), Config{Only: []int64{w.ID}}); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(readRows[schema.Registrant](t, lake, schema.StreamRegistrants), func(r schema.Registrant) bool {
		return r.Email == reg.Email
	}) {
		t.Error("the registrant of the rescheduled webinar was not fetched")
	}
}
