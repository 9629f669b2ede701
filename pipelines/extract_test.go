//go:build duckdb_arrow

package pipelines

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/zoomsync/zoomsync/extract"
	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

func zoomConfig(t *testing.T, srv *zoomtest.Server, dir string) *Config {
	t.Helper()
	return &Config{
		DataDir: dir,
		Zoom: ZoomConfig{APIURL: srv.APIURL(), OAuthURL: srv.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
	}
}

func rawRows[T any](t *testing.T, dir, stream string) []T {
	t.Helper()
	files, _ := filepath.Glob(schema.Lake{Dir: dir}.RawGlob(stream))
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

func TestExtract_everyStreamLands(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	dir := t.TempDir()
	res, err := Extract(t.Context(), zoomConfig(t, srv, dir), Hooks{}, ExtractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wantPanelists, wantAbsentees, wantRecordings, wantTranscripts int
	events := acct.EventWebinarIDs()
	for _, w := range acct.Webinars {
		if w.Expired || events[w.ID] {
			continue // Zoom Events webinars are skipped
		}
		wantPanelists += len(w.Panelists)
		for _, in := range w.Instances {
			if acct.Now.Sub(in.EndTime).Hours() > 365*24 {
				continue
			}
			if w.ApprovalType != 2 {
				wantAbsentees += len(zoomtest.Absentees(w, in))
			}
			attended := slices.ContainsFunc(in.Participants, func(p *zoomtest.Participant) bool { return p.Status == "in_meeting" })
			if in.Recording == nil || !in.Recording.DeletedTime.IsZero() || !attended {
				continue
			}
			wantRecordings++
			for _, f := range in.Recording.Files {
				if f.FileType == "TRANSCRIPT" && f.Status == "completed" {
					wantTranscripts++
				}
			}
		}
	}
	e := res.Extract
	if int(e.Panelists) != wantPanelists || int(e.Absentees) != wantAbsentees || int(e.Recordings) != wantRecordings {
		t.Errorf("panelists %d, absentees %d, recordings %d; want %d, %d, %d", e.Panelists, e.Absentees, e.Recordings, wantPanelists, wantAbsentees, wantRecordings)
	}
	// Every ready transcript was downloaded and parsed into cues.
	files := map[string]bool{}
	for _, c := range rawRows[schema.TranscriptCue](t, dir, schema.StreamTranscripts) {
		if c.FileType == "TRANSCRIPT" {
			files[c.InstanceUUID] = true
		}
		if c.Text == "" || c.EndMS < c.StartMS {
			t.Errorf("bad cue %+v", c)
		}
	}
	if len(files) != wantTranscripts {
		t.Errorf("transcripts of %d instances, want %d", len(files), wantTranscripts)
	}
	// The processing transcript is recorded as not ready, and audited.
	notReady := 0
	for _, f := range rawRows[schema.RecordingFile](t, dir, schema.StreamRecordingFiles) {
		if !f.Ready {
			notReady++
		}
	}
	reasons := map[string]int{}
	for _, i := range rawRows[schema.ExtractIssue](t, dir, schema.StreamExtractIssues) {
		reasons[i.Reason]++
	}
	if notReady != 1 || reasons[schema.ReasonRecordingProcessing] != 1 || reasons[schema.ReasonRecordingMissing] == 0 {
		t.Errorf("not-ready files %d, issues %v", notReady, reasons)
	}
	// Webinar detail carries settings, occurrences and registration forms.
	hasSettings, hasForm, hasOcc := false, false, len(rawRows[schema.WebinarOccurrence](t, dir, schema.StreamOccurrences)) > 0
	for _, w := range rawRows[schema.Webinar](t, dir, schema.StreamWebinars) {
		hasSettings = hasSettings || (w.Settings != "" && w.AutoRecording != "")
	}
	hasForm = len(rawRows[schema.RegistrationQuestion](t, dir, schema.StreamQuestions)) > 0
	if !hasSettings || !hasForm || !hasOcc {
		t.Errorf("settings %v, forms %v, occurrences %v", hasSettings, hasForm, hasOcc)
	}
}

// landed lists the webinar ids in the lake and whether each has recordings.
func landed(t *testing.T, dir string) (webinars []int64, recorded map[int64]bool) {
	for _, w := range rawRows[schema.Webinar](t, dir, schema.StreamWebinars) {
		webinars = append(webinars, w.ID)
	}
	slices.Sort(webinars)
	recorded = map[int64]bool{}
	for _, r := range rawRows[schema.Recording](t, dir, schema.StreamRecordings) {
		recorded[r.WebinarID] = true
	}
	return slices.Compact(webinars), recorded
}

func TestExtract_settingsMatrix(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	var hosts []*zoomtest.User
	for _, u := range acct.Users {
		if u.Type == 2 && u.ID != "" {
			hosts = append(hosts, u)
		}
	}
	byHost := map[string][]int64{}
	var recordedWebinar int64 // a webinar of host 0 that has a recording
	events := acct.EventWebinarIDs()
	for _, w := range acct.Webinars {
		if w.Expired || events[w.ID] {
			continue // Zoom Events webinars are skipped whatever the settings
		}
		byHost[w.HostID] = append(byHost[w.HostID], w.ID)
		for _, in := range w.Instances {
			if w.HostID == hosts[0].ID && in.Recording != nil && recordedWebinar == 0 {
				recordedWebinar = w.ID
			}
		}
	}
	for _, ids := range byHost {
		slices.Sort(ids)
	}
	all := slices.Sorted(slices.Values(slices.Concat(byHost[hosts[0].ID], byHost[hosts[1].ID], byHost[hosts[2].ID])))
	h0, h1 := hosts[0], hosts[1]
	off, on := false, true
	forced := byHost[h1.ID][0]

	for _, tc := range []struct {
		name          string
		settings      ZoomSettings
		wantWebinars  []int64
		wantRecording bool // recordedWebinar's recordings land
		wantSkipped   map[string]int
	}{
		{"all hosts", ZoomSettings{}, all, true, nil},
		{"no host", ZoomSettings{Hosts: HostSelection{Mode: "none"}}, nil, false, map[string]int{ReasonHostNotSelected: len(all)}},
		{"one host listed", ZoomSettings{Hosts: HostSelection{Mode: "list", List: []string{h0.Email}}}, byHost[h0.ID], true,
			map[string]int{ReasonHostNotSelected: len(all) - len(byHost[h0.ID])}},
		{"new webinars off, one forced on", ZoomSettings{Defaults: HostSettings{SyncNewWebinars: &off},
			Webinars: map[string]Toggle{itoa(forced): true}}, []int64{forced}, false, map[string]int{ReasonSyncSettingOff: len(all) - 1}},
		{"host 0 without recordings", ZoomSettings{HostSettings: map[string]HostSettings{h0.Email: {SyncRecordings: &off}}}, all, false, nil},
		{"recordings off by default, on for host 0", ZoomSettings{Defaults: HostSettings{SyncRecordings: &off},
			HostSettings: map[string]HostSettings{h0.ID: {SyncRecordings: &on}}}, all, true, nil},
		{"one webinar off", ZoomSettings{Webinars: map[string]Toggle{itoa(forced): false}}, without(all, forced), true,
			map[string]int{ReasonWebinarSwitchedOff: 1}},
		{"host domain excluded", ZoomSettings{ExcludedHostDomains: []string{emailDomain(h0.Email)}},
			withoutHostsOfDomain(all, byHost, hosts, emailDomain(h0.Email)), false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := zoomConfig(t, srv, dir)
			s := tc.settings
			cfg.Settings = &s
			res, err := Extract(t.Context(), cfg, Hooks{}, ExtractOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, recorded := landed(t, dir)
			if !slices.Equal(got, tc.wantWebinars) {
				t.Errorf("webinars landed %v, want %v", got, tc.wantWebinars)
			}
			if recorded[recordedWebinar] != tc.wantRecording {
				t.Errorf("recordings of %d landed: %v, want %v", recordedWebinar, recorded[recordedWebinar], tc.wantRecording)
			}
			for k, v := range tc.wantSkipped {
				if res.Extract.Skipped[k] != v {
					t.Errorf("skipped %s: %d, want %d (%v)", k, res.Extract.Skipped[k], v, res.Extract.Skipped)
				}
			}
		})
	}
}

func TestExtract_resumeAfterDailyLimitEqualsUninterruptedRun(t *testing.T) {
	acct := zoomtest.DemoAccount(2)
	clean := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer clean.Close()
	limited := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"),
		zoomtest.WithFault(zoomtest.Fault{Path: "/report/webinars", After: 25, Times: 100000, Kind: zoomtest.FaultDaily429}))
	defer limited.Close()

	want := t.TempDir()
	if _, err := Extract(t.Context(), zoomConfig(t, clean, want), Hooks{}, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	got := t.TempDir()
	res, err := Extract(t.Context(), zoomConfig(t, limited, got), Hooks{}, ExtractOptions{})
	if !errors.Is(err, extract.ErrStopped) || res.Status != StatusPartial {
		t.Fatalf("first run: status %s, err %v; want partial and ErrStopped", res.Status, err)
	}
	if res.Extract.Pending["Heavy"] == 0 || res.Extract.ResetAt.IsZero() {
		t.Fatalf("pending %v, reset %v", res.Extract.Pending, res.Extract.ResetAt)
	}
	// Other labels went on: every registrant listing landed in the first run.
	if n, w := len(rawRows[schema.Registrant](t, got, schema.StreamRegistrants)), len(rawRows[schema.Registrant](t, want, schema.StreamRegistrants)); n != w {
		t.Errorf("registrants after the stopped run: %d, want %d", n, w)
	}
	start := time.Now()
	res, err = Extract(t.Context(), zoomConfig(t, clean, got), Hooks{}, ExtractOptions{})
	t.Logf("resumed run took %v", time.Since(start))
	if err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	// The resumed run fetched only what was left: no report twice.
	if n, w := len(rawRows[schema.InstanceReport](t, got, schema.StreamInstanceReports)), len(rawRows[schema.InstanceReport](t, want, schema.StreamInstanceReports)); n != w {
		t.Errorf("reports after resume: %d rows, uninterrupted run %d", n, w)
	}
	wantDB, gotDB := transformed(t, want), transformed(t, got)
	for _, q := range []string{
		"SELECT count(*) FROM stg_participants", "SELECT count(*) FROM stg_registrants",
		"SELECT count(*) FROM stg_instance_reports", "SELECT count(*) FROM raw_absentees",
		// Distinct: the recording still processing is unsettled, so it is
		// fetched again by every run; with instances fetched side by side
		// the stopped run may have fetched it already.
		"SELECT count(DISTINCT instance_uuid) FROM raw_recordings", "SELECT count(*) FROM raw_transcripts",
		"SELECT count(*) FROM contacts", "SELECT sum(hash(email, zoom_total_webinars_attended, zoom_average_webinar_attendance_percent)) FROM contacts",
	} {
		if a, b := fmt.Sprint(scalar(t, wantDB, q)), fmt.Sprint(scalar(t, gotDB, q)); a != b {
			t.Errorf("%s: resumed %v, uninterrupted %v", q, b, a)
		}
	}
}

// transformed runs the transform over the lake in dir.
func transformed(t *testing.T, dir string) *transform.Engine {
	t.Helper()
	e, err := transform.Open(t.Context(), schema.Lake{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if _, err := e.Run(t.Context(), "check"); err != nil {
		t.Fatal(err)
	}
	return e
}

func scalar(t *testing.T, e *transform.Engine, q string) any {
	t.Helper()
	var v any
	if err := e.DB().QueryRowContext(t.Context(), q).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func without(ids []int64, x int64) []int64 {
	return slices.DeleteFunc(slices.Clone(ids), func(v int64) bool { return v == x })
}

func emailDomain(e string) string {
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] == '@' {
			return e[i+1:]
		}
	}
	return ""
}

func withoutHostsOfDomain(all []int64, byHost map[string][]int64, hosts []*zoomtest.User, domain string) []int64 {
	out := slices.Clone(all)
	for _, h := range hosts {
		if emailDomain(h.Email) == domain {
			for _, id := range byHost[h.ID] {
				out = without(out, id)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func TestExtract_backfillFindsWebinarsZoomNoLongerLists(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	var expired []*zoomtest.Webinar
	for _, w := range acct.Webinars {
		if w.Expired && len(w.Instances) > 0 && acct.Now.Sub(w.Instances[0].EndTime) < 150*24*time.Hour {
			expired = append(expired, w)
		}
	}
	if len(expired) == 0 {
		t.Fatal("the demo account has no recently expired webinar to discover")
	}
	dir := t.TempDir()
	from := acct.Now.AddDate(0, -8, 0) // older than Zoom's six months: the first windows are refused
	res, err := Extract(t.Context(), zoomConfig(t, srv, dir), Hooks{}, ExtractOptions{Backfill: &extract.Window{From: from, To: acct.Now}})
	if err != nil {
		t.Fatal(err)
	}
	reports := map[string]bool{}
	for _, r := range rawRows[schema.InstanceReport](t, dir, schema.StreamInstanceReports) {
		reports[r.UUID] = true
	}
	for _, w := range expired {
		for _, in := range w.Instances {
			if !reports[in.UUID] {
				t.Errorf("instance %s of expired webinar %d not backfilled", in.UUID, w.ID)
			}
		}
	}
	tooOld := 0
	for _, i := range rawRows[schema.ExtractIssue](t, dir, schema.StreamExtractIssues) {
		if i.Reason == schema.ReasonBackfillWindowTooOld {
			tooOld++
		}
	}
	if tooOld == 0 {
		t.Errorf("no audit row for the windows older than Zoom keeps (issues: %d)", res.Extract.Issues)
	}
	// A second backfill of the same range fetches no report again.
	srv.ResetStats()
	if _, err := Extract(t.Context(), zoomConfig(t, srv, dir), Hooks{}, ExtractOptions{Backfill: &extract.Window{From: from, To: acct.Now}}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Stats().ByRoute["GET /report/webinars/{webinarId}"]; n != 0 {
		t.Errorf("second backfill fetched %d reports again", n)
	}
}

func TestExtract_onlyOneWebinarWhateverTheSettings(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	var id int64
	for _, w := range acct.Webinars {
		if !w.Expired && len(w.Instances) > 1 {
			id = w.ID
			break
		}
	}
	dir := t.TempDir()
	cfg := zoomConfig(t, srv, dir)
	cfg.Settings = &ZoomSettings{Hosts: HostSelection{Mode: "none"}, Webinars: map[string]Toggle{itoa(id): false}}
	if _, err := Extract(t.Context(), cfg, Hooks{}, ExtractOptions{Only: []int64{id}}); err != nil {
		t.Fatal(err)
	}
	got, recorded := landed(t, dir)
	if !slices.Equal(got, []int64{id}) || !recorded[id] {
		t.Fatalf("landed %v (recorded %v), want only %d with its recordings", got, recorded, id)
	}
	if _, err := Extract(t.Context(), cfg, Hooks{}, ExtractOptions{Only: []int64{12345678901}}); !errors.Is(err, extract.ErrUnknownWebinar) {
		t.Fatalf("unknown webinar: err = %v, want ErrWebinarNotFound", err)
	}
}

func TestSync_queryWhileExtracting(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	srv := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	dir := t.TempDir()
	if _, err := Extract(t.Context(), zoomConfig(t, srv, dir), Hooks{}, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	// The next extraction is held inside its first Zoom call until the
	// test has queried the catalog: a read-only segment query must get it
	// while the extract stage calls Zoom.
	inZoom, queried := make(chan struct{}), make(chan struct{})
	var once sync.Once
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/users" {
			once.Do(func() {
				close(inZoom)
				select {
				case <-queried:
				case <-time.After(10 * time.Second):
				}
			})
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer front.Close()
	cfg := zoomConfig(t, srv, dir)
	cfg.Zoom.APIURL, cfg.Zoom.OAuthURL = front.URL+"/v2", front.URL+"/oauth/token"
	done := make(chan error, 1)
	go func() {
		_, err := Extract(t.Context(), cfg, Hooks{}, ExtractOptions{})
		done <- err
	}()
	<-inZoom
	e, err := transform.OpenReadOnly(t.Context(), schema.Lake{Dir: dir})
	if err != nil {
		close(queried)
		t.Fatalf("the catalog is not free while the extract stage calls Zoom: %v", err)
	}
	var n int
	err = e.DB().QueryRowContext(t.Context(), "SELECT count(*) FROM raw_webinars").Scan(&n)
	e.Close()
	close(queried)
	if err != nil || n == 0 {
		t.Errorf("query during the extraction: %d rows, %v", n, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
