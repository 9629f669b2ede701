package zoomtest

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
)

// TestMinCalls_figures pins the minimum of the demo accounts; cmd/zoomsync's demo test
// checks that a real first sync of seed 3 makes exactly MinCalls calls, 429s aside. Of
// each, 5 are the Zoom Events lookup (ZoomEventsCalls: the upcoming, past and draft event
// listings, the sessions of the two events); the three Zoom Events webinars cost nothing
// more.
func TestMinCalls_figures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		seed int64
		want int
	}{{1, 412}, {2, 411}, {3, 412}} {
		if got := MinCalls(DemoAccount(tc.seed)); got != tc.want {
			t.Errorf("MinCalls(DemoAccount(%d)) = %d, want %d", tc.seed, got, tc.want)
		}
	}
}

// TestMinCalls_crawl fetches the account over HTTP the way MinCalls describes, learning
// everything from the answers (pages from next_page_token, the year cut-off from 12702,
// recordings and ready files from the recording), and compares the requests the server
// counted with MinCalls, for the demo account and a scaled one.
func TestMinCalls_crawl(t *testing.T) {
	t.Parallel()
	for name, acct := range map[string]*Account{"demo": demo(), "scale 2": Generate(GenConfig{Seed: 4, Scale: 2})} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			crawl(t, acct, false)
		})
	}
}

// TestEngagementCalls_crawl crawls as TestMinCalls_crawl does, the engagement routes
// included (tracking sources of the webinars that take registrants, the three reports of
// every instance whose report answered), and compares with MinCalls + EngagementCalls.
func TestEngagementCalls_crawl(t *testing.T) {
	t.Parallel()
	for name, acct := range map[string]*Account{"demo": demo(), "scale 2": Generate(GenConfig{Seed: 4, Scale: 2})} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			crawl(t, acct, true)
		})
	}
}

// TestEngagementCalls_figures pins what the engagement streams add to the minimum of the
// demo accounts.
func TestEngagementCalls_figures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		seed int64
		want int
	}{{1, 136}, {2, 136}, {3, 136}} {
		if got := EngagementCalls(DemoAccount(tc.seed)); got != tc.want {
			t.Errorf("EngagementCalls(DemoAccount(%d)) = %d, want %d", tc.seed, got, tc.want)
		}
	}
}

func crawl(t *testing.T, acct *Account, engage bool) {
	s := startServer(t, acct, WithPlan("unlimited"))
	c := &crawler{t: t, s: s, tok: token(t, s), engage: engage}
	var listed []webinarListItem
	for _, u := range walkAll[userJSON](c, "/users?page_size=300", "users") {
		if u.Type != 2 || u.Status != "active" {
			continue
		}
		listed = append(listed, walkAll[webinarListItem](c, "/users/"+u.ID+"/webinars?page_size=300", "webinars")...)
	}
	events := map[int64]bool{} // the webinars of Zoom Events: skipped
	if len(listed) > 0 {
		for _, st := range []string{"upcoming", "past", "draft"} {
			for _, e := range walkAll[eventJSON](c, "/zoom_events/events?role_type=host&page_size=300&event_status_type="+st, "events") {
				for _, ss := range decode[sessionsJSON](c.t, get(c.t, c.s, c.tok, "/zoom_events/events/"+e.EventID+"/sessions")).Sessions {
					events[ss.WebinarID] = ss.Type == 2
				}
			}
		}
	}
	for _, w := range listed {
		if !events[w.ID] {
			c.webinar(strconv.FormatInt(w.ID, 10))
		}
	}
	want := MinCalls(acct)
	if engage {
		want += EngagementCalls(acct)
	}
	if got := s.Stats().Total; got != want {
		t.Errorf("crawl made %d requests, the model says %d (by route %v)", got, want, s.Stats().ByRoute)
	}
}

type crawler struct {
	t      *testing.T
	s      *Server
	tok    string
	engage bool // also fetch the engagement routes (EngagementCalls)
}

// ok requests pathQuery and fails unless it answers 200.
func (c *crawler) ok(pathQuery string) {
	c.t.Helper()
	if res := get(c.t, c.s, c.tok, pathQuery); res.status != 200 {
		c.t.Fatalf("GET %s: %d %s", pathQuery, res.status, res.body)
	}
}

// walkAll returns every item of a listing, page by page.
func walkAll[T any](c *crawler, pathQuery, items string) []T {
	c.t.Helper()
	var all []T
	next := ""
	for {
		q := pathQuery
		if next != "" {
			q += "&next_page_token=" + url.QueryEscape(next)
		}
		page := decode[map[string]json.RawMessage](c.t, get(c.t, c.s, c.tok, q))
		var list []T
		if err := json.Unmarshal(page[items], &list); err != nil {
			c.t.Fatal(err)
		}
		all = append(all, list...)
		if err := json.Unmarshal(page["next_page_token"], &next); err != nil || next == "" {
			return all
		}
	}
}

func (c *crawler) webinar(id string) {
	w := decode[webinarJSON](c.t, get(c.t, c.s, c.tok, "/webinars/"+id))
	get(c.t, c.s, c.tok, "/webinars/"+id+"/panelists")
	inst := decode[instancesJSON](c.t, get(c.t, c.s, c.tok, "/past_webinars/"+id+"/instances"))
	registration := w.Settings.ApprovalType != 2
	if registration {
		get(c.t, c.s, c.tok, "/webinars/"+id+"/registrants/questions")
		for _, st := range []string{"approved", "pending", "denied"} {
			walkAll[registrantJSON](c, "/webinars/"+id+"/registrants?page_size=300&status="+st, "registrants")
		}
		if c.engage {
			c.ok("/webinars/" + id + "/tracking_sources")
		}
	}
	for _, in := range inst.Webinars {
		c.instance(doubleEscape(in.UUID), registration)
	}
}

func (c *crawler) instance(uuid string, registration bool) {
	if res := get(c.t, c.s, c.tok, "/report/webinars/"+uuid); res.status == 400 {
		wantErr(c.t, res, 400, 12702)
		return
	}
	rows := walkAll[participantJSON](c, "/report/webinars/"+uuid+"/participants?page_size=300", "participants")
	if registration {
		walkAll[registrantJSON](c, "/past_webinars/"+uuid+"/absentees?page_size=300", "registrants")
	}
	attended := false
	for _, p := range rows {
		attended = attended || p.Status == "in_meeting"
	}
	if !attended {
		return // nobody asked, polled, answered a survey or was recorded
	}
	if c.engage {
		for _, part := range []string{"/qa", "/polls", "/survey"} {
			c.ok("/report/webinars/" + uuid + part)
		}
	}
	res := get(c.t, c.s, c.tok, "/meetings/"+uuid+"/recordings")
	if res.status != 200 {
		wantErr(c.t, res, 404, 3301)
		return
	}
	for _, f := range decode[recordingJSON](c.t, res).RecordingFiles {
		if (f.FileType == "TRANSCRIPT" || f.FileType == "CC") && f.Status != "processing" {
			req := newGet(c.t, c.s, c.tok, "")
			req.URL, _ = url.Parse(f.DownloadURL)
			if r := do(c.t, req); r.status != 200 { // the download and its redirect: two requests
				c.t.Fatalf("download %s: %d", f.DownloadURL, r.status)
			}
		}
	}
}
