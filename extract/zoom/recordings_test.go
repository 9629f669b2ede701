package zoom

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

// recordedFile returns the first instance holding a file of type typ with
// the given status (a recording not in the trash).
func recordedFile(t *testing.T, acct *zoomtest.Account, typ, status string) (*zoomtest.Instance, *zoomtest.RecordingFile) {
	t.Helper()
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			if in.Recording == nil || !in.Recording.DeletedTime.IsZero() {
				continue
			}
			for _, f := range in.Recording.Files {
				if f.FileType == typ && f.Status == status {
					return in, f
				}
			}
		}
	}
	t.Fatalf("no %s file with status %q in the demo account", typ, status)
	return nil, nil
}

func TestRecordingsService_Get_everyInstance(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	types := map[string]bool{}
	var missing, notReady int
	for _, w := range f.acct.Webinars {
		for _, in := range w.Instances {
			rec, _, err := f.client.Recordings.Get(t.Context(), in.UUID)
			if in.Recording == nil || !in.Recording.DeletedTime.IsZero() {
				var apiErr *APIError
				if !errors.Is(err, ErrNoRecording) || !errors.As(err, &apiErr) || apiErr.Code != 3301 {
					t.Fatalf("%s without recording: err = %v, want ErrNoRecording", in.UUID, err)
				}
				missing++
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", in.UUID, err)
			}
			if rec.UUID != in.UUID || rec.ID != w.ID || rec.Type != w.Type || len(rec.RecordingFiles) != len(in.Recording.Files) || rec.StartTime.IsZero() {
				t.Fatalf("%s: recording %+v", in.UUID, rec)
			}
			for i, rf := range rec.RecordingFiles {
				want := in.Recording.Files[i]
				types[rf.FileType+"/"+rf.FileExtension] = true
				if rf.ID != want.ID || rf.FileSize != want.Size || rf.Status != want.Status || rf.MeetingID != in.UUID ||
					!rf.RecordingStart.Equal(want.RecordingStart) || rf.DownloadURL == "" {
					t.Errorf("%s file %d: %+v, want %+v", in.UUID, i, rf, want)
				}
				if wantReady := want.Status == "completed" || want.Status == "" && want.DownloadKey != ""; rf.Ready() != wantReady {
					t.Errorf("%s %s status %q: Ready() = %v", in.UUID, rf.FileType, rf.Status, rf.Ready())
				}
				if !rf.Ready() {
					notReady++
				}
			}
		}
	}
	for _, want := range []string{"MP4/MP4", "M4A/M4A", "TRANSCRIPT/VTT", "CC/VTT", "TIMELINE/JSON", "CHAT/TXT", "CSV/CSV"} {
		if !types[want] {
			t.Errorf("no %s file seen", want)
		}
	}
	if missing == 0 || notReady == 0 {
		t.Errorf("%d instances without recording, %d files not ready; want ≥ 1 each", missing, notReady)
	}
}

func TestRecordingFile_Ready(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		have RecordingFile
		want bool
	}{
		{RecordingFile{FileType: "TRANSCRIPT", Status: "completed", DownloadURL: "https://zoom.us/rec/download/x"}, true},
		{RecordingFile{FileType: "TRANSCRIPT", Status: "processing", DownloadURL: "https://zoom.us/rec/download/x"}, false},
		{RecordingFile{FileType: "CC", DownloadURL: "https://zoom.us/rec/download/x"}, true},
		{RecordingFile{FileType: "TIMELINE"}, false},
		{RecordingFile{FileType: "MP4", DownloadURL: "https://zoom.us/rec/download/x"}, false},
		{RecordingFile{FileType: "MP4", Status: "completed"}, false},
	} {
		if got := tc.have.Ready(); got != tc.want {
			t.Errorf("%+v: Ready() = %v, want %v", tc.have, got, tc.want)
		}
	}
}

func TestRecording_UnmarshalJSON_stringType(t *testing.T) {
	t.Parallel()
	var r Recording
	err := r.UnmarshalJSON([]byte(`{"uuid":"a==","id":"123","type":"9","total_size":12.0,"start_time":"",
		"recording_files":[{"file_type":"CC","file_size":"","recording_start":"2026-01-01T10:00:00Z"},{"file_size":7220.0}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != 123 || r.Type != 9 || r.TotalSize != 12 || len(r.RecordingFiles) != 2 || r.RecordingFiles[1].FileSize != 7220 ||
		r.RecordingFiles[0].RecordingStart.IsZero() {
		t.Fatalf("%+v", r)
	}
}

// hopRecorder records, per request, the path and whether it carried a token.
type hopRecorder struct {
	mu   sync.Mutex
	hops []string
}

func (h *hopRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.URL.Path, "/rec/") {
		h.mu.Lock()
		h.hops = append(h.hops, strings.SplitN(req.URL.Path, "/", 4)[2]+" auth="+boolStr(req.Header.Get("Authorization") != ""))
		h.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func boolStr(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func TestRecordingsService_Download_transcript(t *testing.T) {
	t.Parallel()
	rec := &hopRecorder{}
	f := setup(t, nil, WithHTTPClient(&http.Client{Transport: rec, Timeout: 10 * time.Second}))
	in, want := recordedFile(t, f.acct, "TRANSCRIPT", "completed")
	got, _, err := f.client.Recordings.Get(t.Context(), in.UUID)
	if err != nil {
		t.Fatal(err)
	}
	var url string
	for _, rf := range got.RecordingFiles {
		if rf.FileType == FileTypeTranscript {
			url = rf.DownloadURL
		}
	}
	var buf bytes.Buffer
	n, _, err := f.client.Recordings.Download(t.Context(), url, &buf, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != want.Content || n != int64(len(want.Content)) || !strings.HasPrefix(buf.String(), "WEBVTT") {
		t.Fatalf("downloaded %d bytes %.60q, want the account's transcript (%d bytes)", n, buf.String(), len(want.Content))
	}
	// The token goes to the download_url only, not to the signed URL it redirects to.
	if strings.Join(rec.hops, ", ") != "download auth=yes, signed auth=no" {
		t.Errorf("hops: %v", rec.hops)
	}
	st := f.srv.Stats()
	if st.ByRoute["GET /rec/download/{fileId}"] != 1 || st.ByRoute["GET /rec/signed/{fileId}"] != 1 {
		t.Errorf("routes %v", st.ByRoute)
	}
}

func TestRecordingsService_Download_refreshesTokenOn401(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithFault(zoomtest.Fault{Path: "/rec/download", Kind: zoomtest.FaultExpireToken})})
	_, want := recordedFile(t, f.acct, "CHAT", "completed")
	var buf bytes.Buffer
	if _, _, err := f.client.Recordings.Download(t.Context(), f.srv.URL+"/rec/download/"+want.DownloadKey, &buf, 0); err != nil {
		t.Fatal(err)
	}
	if buf.String() != want.Content {
		t.Fatalf("got %q", buf.String())
	}
	if n := f.tokenCalls(); n != 2 {
		t.Errorf("%d token requests, want 2 (one refresh)", n)
	}
	if n := f.srv.Stats().ByRoute["GET /rec/download/{fileId}"]; n != 2 {
		t.Errorf("%d download requests, want 2", n)
	}
}

func TestRecordingsService_Download_errors(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	_, vtt := recordedFile(t, f.acct, "TRANSCRIPT", "completed")
	_, proc := recordedFile(t, f.acct, "TRANSCRIPT", "processing")
	url := f.srv.URL + "/rec/download/" + vtt.DownloadKey

	t.Run("too large", func(t *testing.T) {
		var buf bytes.Buffer
		_, _, err := f.client.Recordings.Download(t.Context(), url, &buf, 10)
		if !errors.Is(err, ErrDownloadTooLarge) || buf.Len() != 0 {
			t.Fatalf("err = %v, %d bytes written", err, buf.Len())
		}
	})
	t.Run("processing", func(t *testing.T) {
		_, _, err := f.client.Recordings.Download(t.Context(), f.srv.URL+"/rec/download/"+proc.DownloadKey, io.Discard, 0)
		if !errors.Is(err, ErrNoRecording) {
			t.Fatalf("err = %v, want ErrNoRecording", err)
		}
	})
	t.Run("plain http elsewhere", func(t *testing.T) {
		before := f.srv.Stats().Total
		_, _, err := f.client.Recordings.Download(t.Context(), "http://files.example.com/rec/download/x?access_token=secret", io.Discard, 0)
		if err == nil || strings.Contains(err.Error(), "secret") {
			t.Fatalf("err = %v", err)
		}
		if f.srv.Stats().Total != before {
			t.Error("requests were sent")
		}
	})
	t.Run("no token in errors", func(t *testing.T) {
		_, _, err := f.client.Recordings.Download(t.Context(), f.srv.URL+"/rec/download/nosuchfile?x=1", io.Discard, 0)
		if !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), "eyJ") || strings.Contains(err.Error(), "x=1") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRecordingsService_Download_signedURLExpired(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithSignedURLTTL(-time.Second)})
	_, vtt := recordedFile(t, f.acct, "TRANSCRIPT", "completed")
	_, _, err := f.client.Recordings.Download(t.Context(), f.srv.URL+"/rec/download/"+vtt.DownloadKey, io.Discard, 0)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		t.Fatalf("err = %v, want a 403 APIError", err)
	}
	if n := f.tokenCalls(); n != 1 {
		t.Errorf("%d token requests: a 403 of the storage host is no reason to refresh", n)
	}
}

func TestWebinarsService_ListAbsenteesIter(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	n := 0
	for _, w := range f.acct.Webinars {
		if w.ApprovalType == ApprovalNoRegistration {
			continue
		}
		for _, in := range w.Instances {
			attended := map[string]bool{}
			for _, p := range in.Participants {
				if p.Status != "in_meeting" {
					continue
				}
				attended[p.RegistrantID] = true
				if p.Email != "" {
					attended[strings.ToLower(p.Email)] = true
				}
			}
			var want, got []string
			for _, r := range w.Registrants {
				if r.Status == RegistrantApproved && !attended[r.ID] && !attended[strings.ToLower(strings.TrimSpace(r.Email))] {
					want = append(want, r.ID)
				}
			}
			for r, err := range f.client.Webinars.ListAbsenteesIter(t.Context(), in.UUID, &ListOptions{PageSize: 40}) {
				if err != nil {
					t.Fatalf("%s: %v", in.UUID, err)
				}
				got = append(got, r.ID)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("%s: %d absentees, want %d", in.UUID, len(got), len(want))
			}
			n++
		}
	}
	if n < 20 {
		t.Errorf("checked %d instances", n)
	}
	for _, w := range f.acct.Webinars {
		if w.ApprovalType == ApprovalNoRegistration && len(w.Instances) > 0 {
			for _, err := range f.client.Webinars.ListAbsenteesIter(t.Context(), w.Instances[0].UUID, nil) {
				if !errors.Is(err, ErrNoRegistration) {
					t.Errorf("no registration: err = %v", err)
				}
			}
		}
	}
	if got := f.srv.Stats().ByLabel["Heavy"]; got == 0 {
		t.Error("absentees not counted as Heavy")
	}
}

func TestWebinarsService_ListPanelists(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	for _, w := range f.acct.Webinars {
		got, _, err := f.client.Webinars.ListPanelists(t.Context(), w.ID)
		if w.Expired {
			if !errors.Is(err, ErrWebinarNotFound) {
				t.Errorf("expired %d: err = %v", w.ID, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(w.Panelists) {
			t.Fatalf("webinar %d: %d panelists, want %d", w.ID, len(got), len(w.Panelists))
		}
		for i, p := range got {
			if p.ID != w.Panelists[i].ID || p.Name != w.Panelists[i].Name || p.Email != w.Panelists[i].Email || p.JoinURL == "" {
				t.Errorf("webinar %d panelist %d: %+v", w.ID, i, p)
			}
		}
	}
	if f.srv.Stats().ByLabel["Medium"] == 0 {
		t.Error("panelists not counted as Medium")
	}
}

func TestReportsService_ListUserMeetingsIter_windowWalk(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	today := f.acct.Now.Truncate(24 * time.Hour)
	found := map[string]*ReportMeeting{}
	meetings := 0
	for _, u := range f.acct.Users {
		if u.Type != 2 || u.ID == "" {
			continue
		}
		// One-month windows back to Zoom's six-month limit, newest first.
		for to := today; to.After(today.AddDate(0, -6, 0)); to = to.AddDate(0, -1, 0) {
			from := to.AddDate(0, -1, 0)
			if from.Before(today.AddDate(0, -6, 0)) {
				from = today.AddDate(0, -6, 0)
			}
			opts := &UserMeetingsOptions{From: from, To: to.Add(-time.Second), ListOptions: ListOptions{PageSize: 3}}
			for m, err := range f.client.Reports.ListUserMeetingsIter(t.Context(), u.ID, opts) {
				if err != nil {
					t.Fatal(err)
				}
				if !m.IsWebinar() {
					meetings++
					continue
				}
				if m.HostID != u.ID || m.StartTime.IsZero() || m.ParticipantsCount < 2 {
					t.Errorf("%+v", m)
				}
				found[m.UUID] = m
			}
			if opts.NextPageToken != "" {
				t.Fatal("opts changed")
			}
		}
	}
	if meetings == 0 {
		t.Error("no plain meeting in the report: nothing for IsWebinar to filter")
	}
	expired := 0
	for _, w := range f.acct.Webinars {
		for _, in := range w.Instances {
			m, ok := found[in.UUID]
			if ok && (m.ID != w.ID || m.Type != w.Type) {
				t.Errorf("%s: %+v", in.UUID, m)
			}
			if w.Expired && ok {
				expired++
			}
			if ok && in.StartTime.Before(today.AddDate(0, -6, 0)) {
				t.Errorf("%s starts %v, outside the window", in.UUID, in.StartTime)
			}
		}
	}
	if expired == 0 {
		t.Error("the walk found no instance of an expired webinar")
	}
	if len(found) < 25 {
		t.Errorf("found %d webinar instances", len(found))
	}

	host := f.acct.Users[0].ID
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     error
	}{
		{"more than a month", today.AddDate(0, -3, 0), today.AddDate(0, -1, 0), ErrValidation},
		{"older than six months", today.AddDate(0, -7, 0), today.AddDate(0, -7, 20), ErrValidation},
		{"older than a year", today.AddDate(-1, 0, -5), today.AddDate(-1, 0, 20), ErrReportTooOld},
	} {
		for _, err := range f.client.Reports.ListUserMeetingsIter(t.Context(), host, &UserMeetingsOptions{From: tc.from, To: tc.to}) {
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
			}
		}
	}
}

func TestClient_issue3Labels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ path, want string }{
		{"webinars/1/panelists", "Medium"},
		{"past_webinars/abc/absentees", "Heavy"},
		{"meetings/abc/recordings", "Light"},
		{"report/users/u/meetings", "Heavy"},
	} {
		if got := categoryOf("GET", tc.path); string(got) != tc.want {
			t.Errorf("%s: %s, want %s", tc.path, got, tc.want)
		}
	}
}
