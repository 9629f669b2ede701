package zoomtest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type recordingResp struct {
	UUID           string `json:"uuid"`
	ID             int64  `json:"id"`
	Type           int    `json:"type"`
	TotalSize      int64  `json:"total_size"`
	RecordingCount int    `json:"recording_count"`
	RecordingFiles []struct {
		ID            *string `json:"id"`
		MeetingID     string  `json:"meeting_id"`
		FileType      string  `json:"file_type"`
		FileExtension string  `json:"file_extension"`
		FileSize      *int64  `json:"file_size"`
		PlayURL       *string `json:"play_url"`
		DownloadURL   string  `json:"download_url"`
		Status        *string `json:"status"`
		RecordingType *string `json:"recording_type"`
	} `json:"recording_files"`
}

// recorded returns the instances of acct with a recording not in the trash, with their webinars.
func recorded(acct *Account) (ws []*Webinar, ins []*Instance) {
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			if in.Recording != nil && in.Recording.DeletedTime.IsZero() {
				ws, ins = append(ws, w), append(ins, in)
			}
		}
	}
	return
}

func TestGetRecording_everyTypeAndFixtures(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	types := map[string]bool{}
	var none, trashed, processing int
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			res := get(t, s, tok, "/meetings/"+doubleEscape(in.UUID)+"/recordings")
			if in.Recording == nil || !in.Recording.DeletedTime.IsZero() {
				wantErr(t, res, 404, 3301)
				if in.Recording == nil {
					none++
				} else {
					trashed++
				}
				continue
			}
			rec := decode[recordingResp](t, res)
			if rec.UUID != in.UUID || rec.ID != w.ID || rec.Type != w.Type || rec.RecordingCount != len(in.Recording.Files) {
				t.Errorf("%s: recording %+v", in.UUID, rec)
			}
			var total int64
			for _, f := range rec.RecordingFiles {
				types[f.FileType+"/"+f.FileExtension] = true
				if f.MeetingID != in.UUID || !strings.HasPrefix(f.DownloadURL, s.URL+"/rec/download/") {
					t.Errorf("%s %s: meeting_id %q download_url %q", in.UUID, f.FileType, f.MeetingID, f.DownloadURL)
				}
				bare := f.FileType == "CC" || f.FileType == "TIMELINE"
				if bare != (f.ID == nil && f.Status == nil && f.FileSize == nil && f.RecordingType == nil && f.PlayURL == nil) {
					t.Errorf("%s %s: id/status/file_size/recording_type/play_url presence wrong", in.UUID, f.FileType)
				}
				if f.FileSize != nil {
					total += *f.FileSize
				}
				if f.Status != nil && *f.Status == "processing" {
					processing++
					if f.FileType != "TRANSCRIPT" {
						t.Errorf("%s: %s processing", in.UUID, f.FileType)
					}
				}
			}
			if total != rec.TotalSize {
				t.Errorf("%s: total_size %d, files sum to %d", in.UUID, rec.TotalSize, total)
			}
		}
	}
	for _, want := range []string{"MP4/MP4", "M4A/M4A", "TRANSCRIPT/VTT", "CC/VTT", "TIMELINE/JSON", "CHAT/TXT", "CSV/CSV"} {
		if !types[want] {
			t.Errorf("no %s file in the account", want)
		}
	}
	if none == 0 || trashed == 0 || processing == 0 {
		t.Errorf("fixtures: %d without recording, %d trashed, %d processing; want each ≥ 1", none, trashed, processing)
	}

	// By webinar id: the latest ended instance.
	ws, _ := recorded(acct)
	rec := decode[recordingResp](t, get(t, s, tok, "/meetings/"+strconv.FormatInt(ws[0].ID, 10)+"/recordings"))
	if latest := ws[0].Instances[len(ws[0].Instances)-1]; rec.UUID != latest.UUID {
		t.Errorf("by id: uuid %s, want the latest instance %s", rec.UUID, latest.UUID)
	}
	wantErr(t, get(t, s, tok, "/meetings/99999999999/recordings"), 404, 3301)
	wantErr(t, get(t, s, tok, "/meetings/"+doubleEscape(acct.Meetings[0].UUID)+"/recordings"), 404, 3301)
}

var cueTiming = regexp.MustCompile(`^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$`)

func vttOffset(m []string) time.Duration {
	h, _ := strconv.Atoi(m[0])
	mi, _ := strconv.Atoi(m[1])
	sec, _ := strconv.Atoi(m[2])
	ms, _ := strconv.Atoi(m[3])
	return time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond
}

func TestGenerate_transcripts(t *testing.T) {
	t.Parallel()
	acct := demo()
	names := map[string]bool{}
	for _, u := range acct.Users {
		names[u.DisplayName] = true
	}
	n := 0
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			if in.Recording == nil {
				continue
			}
			for _, f := range in.Recording.Files {
				if f.FileType != "TRANSCRIPT" || f.Status != "completed" {
					continue
				}
				n++
				blocks := strings.Split(strings.TrimSuffix(f.Content, "\n"), "\n\n")
				if blocks[0] != "WEBVTT" {
					t.Fatalf("%s: header %q", in.UUID, blocks[0])
				}
				cues := blocks[1:]
				if len(cues) < 10 || len(cues) > 40 {
					t.Errorf("%s: %d cues", in.UUID, len(cues))
				}
				span := in.EndTime.Sub(in.StartTime)
				var prev time.Duration
				for i, c := range cues {
					lines := strings.Split(c, "\n")
					m := cueTiming.FindStringSubmatch(lines[1])
					if len(lines) != 3 || lines[0] != strconv.Itoa(i+1) || m == nil {
						t.Fatalf("%s: cue %d malformed: %q", in.UUID, i+1, c)
					}
					s, e := vttOffset(m[1:5]), vttOffset(m[5:9])
					if s < prev || e <= s || e > span {
						t.Errorf("%s: cue %d %v → %v (previous end %v, span %v)", in.UUID, i+1, s, e, prev, span)
					}
					prev = e
					speaker, _, ok := strings.Cut(lines[2], ": ")
					if !ok || !names[speaker] {
						t.Errorf("%s: cue %d speaker %q is not a host or panelist", in.UUID, i+1, speaker)
					}
				}
				if int64(len(f.Content)) != f.Size {
					t.Errorf("%s: file_size %d, content %d bytes", in.UUID, f.Size, len(f.Content))
				}
			}
		}
	}
	if n < 30 {
		t.Errorf("%d transcripts, want ≥ 30", n)
	}
}

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func download(t *testing.T, url, bearer string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res := result{status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode == http.StatusFound {
		return res
	}
	return do(t, req.Clone(t.Context()))
}

// fileOf returns the first file of type typ and status among recorded instances.
func fileOf(t *testing.T, acct *Account, typ, status string) (*Instance, *RecordingFile) {
	t.Helper()
	_, ins := recorded(acct)
	for _, in := range ins {
		for _, f := range in.Recording.Files {
			if f.FileType == typ && f.Status == status {
				return in, f
			}
		}
	}
	t.Fatalf("no %s file with status %q", typ, status)
	return nil, nil
}

func TestDownload(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	_, vtt := fileOf(t, acct, "TRANSCRIPT", "completed")
	url := s.URL + "/rec/download/" + vtt.DownloadKey

	t.Run("bearer", func(t *testing.T) {
		res := download(t, url, tok)
		if res.status != http.StatusFound || !strings.HasPrefix(res.header.Get("Location"), s.URL+"/rec/signed/") {
			t.Fatalf("status %d, Location %q", res.status, res.header.Get("Location"))
		}
		got := do(t, newReq(t, res.header.Get("Location"), "")) // the signed URL needs no token
		if got.status != 200 || string(got.body) != vtt.Content || got.header.Get("Content-Type") != "text/vtt" {
			t.Fatalf("signed: %d %q, %d bytes", got.status, got.header.Get("Content-Type"), len(got.body))
		}
	})
	t.Run("query token, redirect followed", func(t *testing.T) {
		got := do(t, newReq(t, url+"?access_token="+tok, ""))
		if got.status != 200 || string(got.body) != vtt.Content {
			t.Fatalf("%d, %d bytes", got.status, len(got.body))
		}
	})
	t.Run("download_access_token", func(t *testing.T) {
		in, _ := fileOf(t, acct, "TRANSCRIPT", "completed")
		var rec struct {
			Token string `json:"download_access_token"`
		}
		rec = decode[struct {
			Token string `json:"download_access_token"`
		}](t, get(t, s, tok, "/meetings/"+doubleEscape(in.UUID)+"/recordings?include_fields=download_access_token"))
		if got := do(t, newReq(t, url+"?access_token="+rec.Token, "")); got.status != 200 {
			t.Fatalf("%d", got.status)
		}
	})
	t.Run("placeholder media", func(t *testing.T) {
		_, mp4 := fileOf(t, acct, "MP4", "completed")
		got := do(t, newReq(t, s.URL+"/rec/download/"+mp4.DownloadKey, tok))
		if got.status != 200 || got.header.Get("Content-Type") != "video/mp4" || int64(len(got.body)) >= mp4.Size || len(got.body) == 0 {
			t.Fatalf("%d %q %d bytes (file_size %d)", got.status, got.header.Get("Content-Type"), len(got.body), mp4.Size)
		}
	})
	t.Run("errors", func(t *testing.T) {
		wantErr(t, download(t, url, ""), 401, 124)
		wantErr(t, download(t, url, "garbage"), 401, 124)
		_, proc := fileOf(t, acct, "TRANSCRIPT", "processing")
		wantErr(t, download(t, s.URL+"/rec/download/"+proc.DownloadKey, tok), 404, 3301)
		wantErr(t, download(t, s.URL+"/rec/download/nosuchfile", tok), 404, 3301)
		loc := download(t, url, tok).header.Get("Location")
		if got := do(t, newReq(t, strings.Replace(loc, "sig=", "sig=00", 1), "")); got.status != 403 {
			t.Errorf("tampered signature: %d", got.status)
		}
	})
	st := s.Stats()
	if st.ByRoute["GET /rec/download/{fileId}"] == 0 || st.ByRoute["GET /rec/signed/{fileId}"] == 0 || st.ByLabel[""] != 0 {
		t.Errorf("stats %v %v", st.ByRoute, st.ByLabel)
	}
}

func newReq(t *testing.T, url, bearer string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return req
}

func TestDownload_expired(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"), WithSignedURLTTL(-time.Second))
	tok := token(t, s)
	_, vtt := fileOf(t, acct, "TRANSCRIPT", "completed")
	url := s.URL + "/rec/download/" + vtt.DownloadKey
	res := download(t, url, tok)
	if res.status != http.StatusFound {
		t.Fatalf("status %d", res.status)
	}
	if got := do(t, newReq(t, res.header.Get("Location"), tok)); got.status != 403 || !strings.Contains(string(got.body), "expired") {
		t.Errorf("expired signed URL: %d %s", got.status, got.body)
	}
	s.ExpireTokens()
	res = download(t, url, tok)
	wantErr(t, res, 401, 124)
	if e := res.errBody(t); e.Message != "Access token is expired." {
		t.Errorf("message %q", e.Message)
	}
}

func TestListAbsentees(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	checked := 0
	for _, w := range acct.Webinars {
		if w.ApprovalType == 2 {
			continue
		}
		for _, in := range w.Instances {
			// Independent of Absentees: attendees by registrant id, else by email.
			attended := map[string]bool{}
			for _, p := range in.Participants {
				if p.Status != "in_meeting" {
					continue
				}
				for _, r := range w.Registrants {
					if r.ID == p.RegistrantID || p.Email != "" && strings.EqualFold(strings.TrimSpace(r.Email), p.Email) {
						attended[r.ID] = true
					}
				}
			}
			var want, got []string
			for _, r := range w.Registrants {
				if r.Status == "approved" && !attended[r.ID] {
					want = append(want, r.ID)
				}
			}
			next := ""
			for {
				q := "/past_webinars/" + doubleEscape(in.UUID) + "/absentees?page_size=60"
				if next != "" {
					q += "&next_page_token=" + next
				}
				page := decode[registrantsPage](t, get(t, s, tok, q))
				if page.TotalRecords != len(want) {
					t.Fatalf("%s: total_records %d, want %d", in.UUID, page.TotalRecords, len(want))
				}
				for _, r := range page.Registrants {
					got = append(got, r.ID)
				}
				if next = page.NextPageToken; next == "" {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: %d absentees, want %d", in.UUID, len(got), len(want))
			}
			checked++
		}
	}
	if checked < 30 {
		t.Errorf("checked %d instances", checked)
	}
	noreg := find(t, acct, "no registration", func(w *Webinar) bool { return w.ApprovalType == 2 && len(w.Instances) > 0 })
	wantErr(t, get(t, s, tok, fmt.Sprintf("/past_webinars/%d/absentees", noreg.ID)), 400, 3000)
	wantErr(t, get(t, s, tok, "/past_webinars/99999999999/absentees"), 404, 3001)
	upcoming := find(t, acct, "upcoming", func(w *Webinar) bool { return len(w.Instances) == 0 })
	wantErr(t, get(t, s, tok, fmt.Sprintf("/past_webinars/%d/absentees", upcoming.ID)), 404, 3001)
	rec9 := find(t, acct, "type 9", func(w *Webinar) bool { return w.Type == 9 })
	wantErr(t, get(t, s, tok, fmt.Sprintf("/past_webinars/%d/absentees?occurrence_id=123", rec9.ID)), 400, 300)
	// A valid occurrence selects the instance held for it.
	occ := rec9.Occurrences[2]
	byOcc := decode[registrantsPage](t, get(t, s, tok, fmt.Sprintf("/past_webinars/%d/absentees?page_size=300&occurrence_id=%s", rec9.ID, occ.ID)))
	if want := len(Absentees(rec9, rec9.Instances[2])); byOcc.TotalRecords != want {
		t.Errorf("occurrence %s: %d absentees, want %d", occ.ID, byOcc.TotalRecords, want)
	}
}

func TestListPanelists(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	type panelists struct {
		TotalRecords int `json:"total_records"`
		Panelists    []struct {
			ID, Name, Email string
			JoinURL         string `json:"join_url"`
		} `json:"panelists"`
	}
	total := 0
	for _, w := range acct.Webinars {
		if w.Expired {
			wantErr(t, get(t, s, tok, fmt.Sprintf("/webinars/%d/panelists", w.ID)), 404, 3001)
			continue
		}
		got := decode[panelists](t, get(t, s, tok, fmt.Sprintf("/webinars/%d/panelists", w.ID)))
		if got.TotalRecords != len(w.Panelists) || len(got.Panelists) != len(w.Panelists) {
			t.Fatalf("webinar %d: %d panelists, want %d", w.ID, got.TotalRecords, len(w.Panelists))
		}
		for i, p := range got.Panelists {
			if p.ID != w.Panelists[i].ID || p.Email != w.Panelists[i].Email || p.JoinURL == "" {
				t.Errorf("webinar %d panelist %d: %+v", w.ID, i, p)
			}
		}
		total += len(w.Panelists)
	}
	if total == 0 {
		t.Error("no panelists in the account")
	}
}

type meetingsReport struct {
	pageParams
	Meetings []reportMeetingJSON `json:"meetings"`
}

func TestListUserMeetingsReport(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	today := acct.Now.Truncate(24 * time.Hour)
	sixAgo := today.AddDate(0, -6, 0)

	// Walk every licensed host over the six-month window, one month at a time, two a page.
	seen := map[string]reportMeetingJSON{}
	for _, u := range acct.Users {
		if u.Type != 2 {
			continue
		}
		for from := sixAgo; from.Before(today); from = from.AddDate(0, 1, 0) {
			to := from.AddDate(0, 1, -1)
			next := ""
			for {
				q := fmt.Sprintf("/report/users/%s/meetings?type=past&page_size=2&from=%s&to=%s", u.Email, from.Format(time.DateOnly), to.Format(time.DateOnly))
				if next != "" {
					q += "&next_page_token=" + next
				}
				page := decode[meetingsReport](t, get(t, s, tok, q))
				for _, m := range page.Meetings {
					if _, dup := seen[m.UUID]; dup {
						t.Errorf("%s listed twice", m.UUID)
					}
					seen[m.UUID] = m
				}
				if next = page.NextPageToken; next == "" {
					break
				}
			}
		}
	}
	// Every ended instance in the window with ≥ 2 unique attendees, expired webinars
	// included; every plain meeting with ≥ 2 participants; nothing else.
	want := 0
	foundExpired := false
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			inWindow := !in.StartTime.Before(sixAgo) && in.EndTime.Before(acct.Now)
			m, ok := seen[in.UUID]
			switch {
			case inWindow && uniqueAttendees(in) >= 2:
				want++
				if !ok || m.ID != w.ID || m.Type != w.Type {
					t.Errorf("instance %s of %d: listed %v (%+v)", in.UUID, w.ID, ok, m)
				}
				foundExpired = foundExpired || w.Expired
			case ok:
				t.Errorf("instance %s (start %v) should not be listed", in.UUID, in.StartTime)
			}
		}
	}
	plain := 0
	for _, m := range acct.Meetings {
		got, ok := seen[m.UUID]
		if ok != (m.ParticipantsCount >= 2) || ok && got.Type != 2 {
			t.Errorf("meeting %s (%d participants): listed %v", m.UUID, m.ParticipantsCount, ok)
		}
		if ok {
			plain++
		}
	}
	if len(seen) != want+plain || plain == 0 || !foundExpired {
		t.Errorf("listed %d, want %d instances + %d meetings; expired webinar found: %v", len(seen), want, plain, foundExpired)
	}

	// pastJoined adds what the user joined as panelist.
	var pan *Webinar
	for _, w := range acct.Webinars {
		for _, p := range w.Panelists {
			if acct.User(p.ID) != nil && len(w.Instances) > 0 && w.Instances[len(w.Instances)-1].StartTime.After(sixAgo.AddDate(0, 0, 2)) {
				pan = w
			}
		}
	}
	if pan == nil {
		t.Fatal("no webinar with an account user as panelist in the window")
	}
	{
		in := pan.Instances[len(pan.Instances)-1]
		var panelist string
		for _, p := range in.Participants {
			if u := acct.User(p.ID); u != nil && u.ID != pan.HostID {
				panelist = u.ID
			}
		}
		if panelist == "" {
			t.Fatalf("no panelist joined %s", in.UUID)
		}
		{
			day := in.StartTime.Format(time.DateOnly)
			list := func(typ string) bool {
				page := decode[meetingsReport](t, get(t, s, tok, "/report/users/"+panelist+"/meetings?page_size=300&type="+typ+"&from="+day+"&to="+day))
				return slices.ContainsFunc(page.Meetings, func(m reportMeetingJSON) bool { return m.UUID == in.UUID })
			}
			if list("past") || !list("pastJoined") {
				t.Errorf("panelist %s of %s: past lists it %v, pastJoined %v", panelist, in.UUID, list("past"), list("pastJoined"))
			}
		}
	}

	host := acct.Users[0].ID
	for _, tc := range []struct {
		name, query string
		code        int
	}{
		{"no dates", "", 300},
		{"more than a month", "?from=2026-08-01&to=2026-09-02", 300},
		{"to before from", "?from=2026-09-01&to=2026-08-31", 300},
		{"older than six months", "?from=" + sixAgo.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + sixAgo.AddDate(0, 0, 20).Format(time.DateOnly), 300},
		{"older than a year", "?from=" + today.AddDate(-1, 0, -1).Format(time.DateOnly) + "&to=" + today.AddDate(-1, 0, 20).Format(time.DateOnly), 12702},
		{"bad type", "?from=2026-09-01&to=2026-09-30&type=upcoming", 300},
		{"bad date", "?from=2026-9-1&to=2026-09-30", 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, get(t, s, tok, "/report/users/"+host+"/meetings"+tc.query), 400, tc.code)
		})
	}
	// A month is a calendar month: Aug 1 → Sep 1 is allowed.
	decode[meetingsReport](t, get(t, s, tok, "/report/users/"+host+"/meetings?from=2026-08-01&to=2026-09-01"))
	wantErr(t, get(t, s, tok, "/report/users/nobody@example.com/meetings?from=2026-09-01&to=2026-09-30"), 404, 1001)
}
