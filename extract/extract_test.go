package extract

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

func newClient(srv *zoomtest.Server) *zoom.Client {
	return zoom.NewClient(zoom.WithBaseURL(srv.APIURL()), zoom.WithOAuthURL(srv.OAuthURL()),
		zoom.WithCredentials("demo-account", "demo-client", "demo-secret"), zoom.WithPlan("unlimited"),
		zoom.WithRetry(2, time.Millisecond, 10*time.Millisecond))
}

func readRows[T any](t *testing.T, lake schema.Lake, stream string) []T {
	t.Helper()
	files, _ := filepath.Glob(lake.RawGlob(stream))
	var rows []T
	for _, f := range files {
		got, err := parquet.ReadFile[T](f)
		if err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		rows = append(rows, got...)
	}
	return rows
}

func TestRun_fetchesEveryListedWebinar(t *testing.T) {
	acct := zoomtest.DemoAccount(5)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	lake := schema.Lake{Dir: t.TempDir()}
	sum, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	var wantWebinars, wantRegs, wantParts int64
	events := acct.EventWebinarIDs()
	for _, w := range acct.Webinars {
		if w.Expired || events[w.ID] {
			continue // a Zoom Events webinar is skipped
		}
		wantWebinars++
		if w.ApprovalType != 2 {
			wantRegs += int64(len(w.Registrants))
		}
		for _, in := range w.Instances {
			if acct.Now.Sub(in.EndTime) <= 365*24*time.Hour {
				wantParts += int64(len(in.Participants))
			}
		}
	}
	if sum.Webinars != wantWebinars || sum.Registrants != wantRegs || sum.Participants != wantParts {
		t.Fatalf("fetched %d webinars, %d registrants, %d participant rows; want %d, %d, %d",
			sum.Webinars, sum.Registrants, sum.Participants, wantWebinars, wantRegs, wantParts)
	}
	if sum.Skipped[schema.ReasonZoomEventsWebinar] != len(events) {
		t.Errorf("skipped %v, want %d Zoom Events webinars", sum.Skipped, len(events))
	}
	if got := len(readRows[schema.Participant](t, lake, schema.StreamParticipants)); int64(got) != wantParts {
		t.Fatalf("participants on disk: %d, want %d", got, wantParts)
	}
	// registrant_id was asked for: every registered attendee row carries it.
	withID := 0
	for _, p := range readRows[schema.Participant](t, lake, schema.StreamParticipants) {
		if p.RegistrantID != "" {
			withID++
		}
	}
	if withID == 0 {
		t.Fatal("no participant row carries a registrant_id")
	}
}

func TestRun_dailyLimitStopsAndKeepsWholeFiles(t *testing.T) {
	srv := zoomtest.NewServer(zoomtest.DemoAccount(5), zoomtest.WithPlan("unlimited"),
		zoomtest.WithFault(zoomtest.Fault{Path: "/report/webinars", After: 12, Times: 1000, Kind: zoomtest.FaultDaily429}))
	defer srv.Close()
	lake := schema.Lake{Dir: t.TempDir()}
	sum, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1", Concurrency: 4})
	if !errors.Is(err, ErrStopped) || !errors.Is(err, zoom.ErrDailyLimit) {
		t.Fatalf("err = %v, want ErrStopped wrapping the daily limit", err)
	}
	if sum.Reports == 0 || sum.Registrants == 0 {
		t.Fatalf("nothing kept before the stop: %+v", sum)
	}
	// Every file on disk is a whole Parquet file; no temporary file is left.
	filepath.Walk(lake.Dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(path, ".tmp") {
			t.Errorf("temporary file left: %s", path)
		}
		return nil
	})
	if got := len(readRows[schema.InstanceReport](t, lake, schema.StreamInstanceReports)); int64(got) != sum.Reports {
		t.Fatalf("reports on disk %d, summary %d", got, sum.Reports)
	}
}

// panicky is a Selector with a bug on one webinar.
type panicky struct{ id int64 }

func (p panicky) Decide(_, _ string, id int64, _ time.Time) Decision {
	if id == p.id {
		panic("a bug met on this webinar")
	}
	return Decision{Sync: true, Recordings: true}
}

func TestRun_panicOnOneWebinarLosesNotTheOthers(t *testing.T) {
	acct := zoomtest.DemoAccount(5)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	var bad int64
	listed := 0
	events := acct.EventWebinarIDs()
	for _, w := range acct.Webinars {
		if !w.Expired && !events[w.ID] {
			listed++
			bad = w.ID
		}
	}
	lake := schema.Lake{Dir: t.TempDir()}
	sum, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1", Selector: panicky{bad}})
	if err != nil {
		t.Fatal(err)
	}
	if msg := sum.WebinarErrors[bad]; !strings.Contains(msg, "internal error") || len(sum.WebinarErrors) != 1 {
		t.Fatalf("webinar errors %v, want one internal error for %d", sum.WebinarErrors, bad)
	}
	if int(sum.Webinars) != listed-1 {
		t.Fatalf("%d webinars fetched, want the %d others", sum.Webinars, listed-1)
	}
}
