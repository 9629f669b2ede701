package extract

import (
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

// TestRun_engagementCallsSkipUnattendedInstances: an instance nobody
// attended (only waiting-room rows) costs no Q&A, poll or survey call, and
// zoomtest.EngagementCalls counts none for it: a first run makes exactly
// MinCalls + EngagementCalls calls, 3 fewer engagement calls than the same
// account with the instance attended.
func TestRun_engagementCallsSkipUnattendedInstances(t *testing.T) {
	t.Parallel()
	acct := zoomtest.DemoAccount(1)
	before := zoomtest.EngagementCalls(acct)
	var emptied *zoomtest.Instance
	for _, w := range acct.Webinars {
		if w.Expired || w.Type != 5 || len(w.Instances) != 1 || acct.Now.Sub(w.Instances[0].EndTime) > 300*24*time.Hour {
			continue
		}
		emptied = w.Instances[0]
		break
	}
	if emptied == nil {
		t.Fatal("no single held webinar in the demo account")
	}
	for _, p := range emptied.Participants {
		p.Status = "in_waiting_room"
	}
	emptied.QA, emptied.Polls, emptied.PollResponses, emptied.SurveyResponses = nil, nil, nil, nil
	emptied.Recording = nil
	engage := zoomtest.EngagementCalls(acct)
	if engage != before-3 {
		t.Errorf("EngagementCalls %d with an instance nobody attended, %d with it attended: want 3 fewer", engage, before)
	}
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	srv.ResetStats()
	if _, err := Run(t.Context(), Config{Client: newClient(srv), Lake: schema.Lake{Dir: t.TempDir()}, RunID: "r1",
		State: NewState(nil), Now: func() time.Time { return acct.Now }}); err != nil {
		t.Fatal(err)
	}
	stats := srv.Stats()
	if want := zoomtest.MinCalls(acct) + engage; stats.Total-stats.ByStatus[429] != want {
		t.Errorf("first run: %d calls (%d 429s), want MinCalls + EngagementCalls = %d; by route %v",
			stats.Total, stats.ByStatus[429], want, stats.ByRoute)
	}
}
