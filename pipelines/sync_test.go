//go:build duckdb_arrow

package pipelines

import (
	"errors"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/schema"
)

// wantContact is one contact as computed from the generator's ground truth,
// by a route that shares nothing with the transform's SQL.
type wantContact struct {
	registrations, attended int
	avgPercent              float64 // NaN when none attended
	lastURL                 string
	first, last             string
}

var localPart = regexp.MustCompile(`^[a-z0-9._%+'-]+$`)
var label = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// validEmail mirrors DESIGN.md: a lower-cased, trimmed address whose domain
// ends in a real top-level domain.
func validEmail(e string) bool {
	at := strings.Split(e, "@")
	if len(at) != 2 || !localPart.MatchString(at[0]) {
		return false
	}
	labels := strings.Split(at[1], ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !label.MatchString(l) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	ps, icann := publicsuffix.PublicSuffix(tld)
	return icann && ps == tld
}

func groundTruth(a *zoomtest.Account) map[string]*wantContact {
	type reg struct {
		at          time.Time
		webinar     int64
		url         string
		first, last string
	}
	latest := map[string]reg{}
	registered := map[string]map[int64]bool{}
	percents := map[string][]float64{}
	events := a.EventWebinarIDs()
	for _, w := range a.Webinars {
		if w.Expired {
			continue // not listed by /users/{id}/webinars: not extracted by this sync
		}
		if events[w.ID] {
			continue // created in Zoom Events: skipped (zoom_events_webinar)
		}
		for _, r := range w.Registrants {
			e := strings.ToLower(strings.TrimSpace(r.Email))
			if !validEmail(e) || (r.Status != "approved" && r.Status != "pending") {
				continue
			}
			if registered[e] == nil {
				registered[e] = map[int64]bool{}
			}
			registered[e][w.ID] = true
			cur, ok := latest[e]
			if !ok || r.CreateTime.After(cur.at) || (r.CreateTime.Equal(cur.at) && w.ID > cur.webinar) {
				latest[e] = reg{r.CreateTime, w.ID, w.JoinURL, strings.TrimSpace(r.FirstName), strings.TrimSpace(r.LastName)}
			}
		}
		for _, in := range w.Instances {
			if a.Now.Sub(in.EndTime) > 365*24*time.Hour {
				continue // report older than a year: Zoom answers 12702
			}
			span := in.EndTime.Sub(in.StartTime)
			type iv struct{ s, e time.Time }
			byPerson := map[string][]iv{}
			for _, p := range in.Participants {
				e := strings.ToLower(strings.TrimSpace(p.Email))
				if p.Status != "in_meeting" || !validEmail(e) {
					continue
				}
				s, end := p.JoinTime, p.LeaveTime
				if s.Before(in.StartTime) {
					s = in.StartTime
				}
				if end.After(in.EndTime) {
					end = in.EndTime
				}
				if end.After(s) {
					byPerson[e] = append(byPerson[e], iv{s, end})
				}
			}
			for e, ivs := range byPerson {
				slices.SortFunc(ivs, func(x, y iv) int { return x.s.Compare(y.s) })
				var present time.Duration
				cur := ivs[0]
				for _, v := range ivs[1:] {
					if v.s.After(cur.e) {
						present += cur.e.Sub(cur.s)
						cur = v
					} else if v.e.After(cur.e) {
						cur.e = v.e
					}
				}
				present += cur.e.Sub(cur.s)
				percents[e] = append(percents[e], float64(present)/float64(span)*100)
			}
		}
	}
	out := map[string]*wantContact{}
	get := func(e string) *wantContact {
		if out[e] == nil {
			out[e] = &wantContact{avgPercent: math.NaN()}
		}
		return out[e]
	}
	for e, ws := range registered {
		c := get(e)
		c.registrations = len(ws)
		c.lastURL, c.first, c.last = latest[e].url, latest[e].first, latest[e].last
	}
	for e, ps := range percents {
		c := get(e)
		c.attended = len(ps)
		var sum float64
		for _, p := range ps {
			sum += p
		}
		c.avgPercent = math.Round(sum/float64(len(ps))*100) / 100
	}
	return out
}

func TestSync_endToEnd_propertiesMatchGroundTruth(t *testing.T) {
	acct := zoomtest.Generate(zoomtest.GenConfig{Seed: 42})
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	cfg := &Config{
		DataDir: t.TempDir(),
		Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
		// Issue 10's rules on: Zoom Events webinars are skipped (always),
		// sync_new_webinars applies by created_at (every webinar predates
		// the first run), the hosts' recordings are excluded (recordings
		// count for no property).
		Settings: &ZoomSettings{Defaults: HostSettings{SyncNewWebinars: boolp(true)},
			ExcludedRecordingDomains: []string{acct.Users[0].Email[strings.IndexByte(acct.Users[0].Email, '@')+1:]}},
	}
	res, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if res.Transform.AuditByReason[schema.ReasonRecordingDomainExcluded] == 0 || res.Transform.AuditByReason[schema.ReasonZoomEventsWebinar] == 0 {
		t.Errorf("audit by reason %v: the rules were not on", res.Transform.AuditByReason)
	}
	want := groundTruth(acct)
	got := hs.Contacts()
	if len(got) != len(want) {
		t.Errorf("HubSpot holds %d contacts, ground truth has %d", len(got), len(want))
	}
	if res.Load.Created != len(want) || res.Load.Failed != 0 {
		t.Errorf("load created %d and failed %d, want %d and 0", res.Load.Created, res.Load.Failed, len(want))
	}
	seen := map[string]bool{}
	for _, c := range got {
		seen[c.Email] = true
		w, ok := want[c.Email]
		if !ok {
			t.Errorf("contact %s is not in the ground truth", c.Email)
			continue
		}
		p := c.Properties
		if n, _ := strconv.Atoi(p["zoom_total_webinar_registrations"]); n != w.registrations {
			t.Errorf("%s registrations = %q, want %d", c.Email, p["zoom_total_webinar_registrations"], w.registrations)
		}
		if n, _ := strconv.Atoi(p["zoom_total_webinars_attended"]); n != w.attended {
			t.Errorf("%s attended = %q, want %d", c.Email, p["zoom_total_webinars_attended"], w.attended)
		}
		if p["zoom_last_registered_webinar_url"] != w.lastURL {
			t.Errorf("%s last URL = %q, want %q", c.Email, p["zoom_last_registered_webinar_url"], w.lastURL)
		}
		gotAvg, perr := strconv.ParseFloat(p["zoom_average_webinar_attendance_percent"], 64)
		switch {
		case math.IsNaN(w.avgPercent) && p["zoom_average_webinar_attendance_percent"] != "":
			t.Errorf("%s average = %q, want empty (never attended)", c.Email, p["zoom_average_webinar_attendance_percent"])
		case !math.IsNaN(w.avgPercent) && (perr != nil || math.Abs(gotAvg-w.avgPercent) > 1e-9):
			t.Errorf("%s average = %q, want %.2f", c.Email, p["zoom_average_webinar_attendance_percent"], w.avgPercent)
		}
		if w.first != "" && p["firstname"] != w.first {
			t.Errorf("%s firstname = %q, want %q", c.Email, p["firstname"], w.first)
		}
	}
	for e := range want {
		if !seen[e] {
			t.Errorf("ground truth contact %s is missing in HubSpot", e)
		}
	}

	// A second sync with nothing new in Zoom sends no contact again.
	hs.ResetRequests()
	res2, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if res2.Load.Created+res2.Load.Updated != 0 || res2.Load.Unchanged != len(want) {
		t.Errorf("second sync: %d created, %d updated, %d unchanged; want 0, 0, %d", res2.Load.Created, res2.Load.Updated, res2.Load.Unchanged, len(want))
	}
	for _, r := range hs.Requests() {
		if r.Write {
			t.Errorf("second sync sent a write: %s %s", r.Method, r.Path)
		}
	}
}

func TestSync_failsAtOnceWhenLocked(t *testing.T) {
	dir := t.TempDir()
	cfg := &Config{DataDir: dir, Zoom: ZoomConfig{AccountID: "a", ClientID: "b", ClientSecret: "c"}, HubSpot: HubSpotConfig{Token: "t"}}
	l, err := AcquireLock(lakeOf(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("sync while locked: err = %v, want ErrLocked", err)
	}
}
