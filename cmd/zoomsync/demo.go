package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// demoMarker marks a data directory that zoomsync demo made, and so may
// empty at its next start.
const demoMarker = ".zoomsync-demo"

// demoSegments are the example segment queries the demo answers.
var demoSegments = []struct{ title, sql string }{
	{"Most engaged attendees: at least 2 instances, 75 % present on average (top 10)", `
SELECT email, zoom_total_webinars_attended AS attended, zoom_average_webinar_attendance_percent AS avg_percent,
       zoom_total_webinar_registrations AS registrations
FROM contacts
WHERE zoom_total_webinars_attended >= 2 AND zoom_average_webinar_attendance_percent >= 75
ORDER BY attended DESC, avg_percent DESC, email
LIMIT 10`},
	{"Registered but never attended, by the webinar they last registered for", `
SELECT w.topic, count(*) AS no_shows
FROM contacts c
JOIN stg_webinars w
  ON w.join_url = c.zoom_last_registered_webinar_url
WHERE c.zoom_total_webinars_attended = 0
GROUP BY w.topic
ORDER BY no_shows DESC, w.topic`},
}

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run a whole sync against the embedded Zoom and HubSpot simulators",
		Description: `demo starts the Zoom and HubSpot simulators in-process on loopback, generates
a deterministic Zoom account (hosts, single and recurring webinars, a few
thousand registrants, attendees with rejoins, waiting-room rows, guests without
email), runs the whole sync into --data-dir, and prints the summary, the API
calls made against the minimum the data needs, and two example segment
queries. It empties --data-dir first, but only when an earlier demo made it.`,
		Flags: []cli.Flag{
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "generator seed of the Zoom account"},
			// For tests: the simulators and clients without rate limits.
			&cli.BoolFlag{Name: "unthrottled", Hidden: true},
		},
		Action: func(c *cli.Context) error {
			dir := c.String("data-dir")
			if err := prepareDemoDir(dir); err != nil {
				return err
			}
			acct := zoomtest.DemoAccount(c.Int64("seed"))
			zoomPlan, hubTier := "pro", "professional"
			if c.Bool("unthrottled") {
				zoomPlan, hubTier = "unlimited", "unlimited"
			}
			zs := zoomtest.NewServer(acct, zoomtest.WithPlan(zoomPlan))
			defer zs.Close()
			hs := hubspottest.NewServer(hubspottest.WithTier(hubTier))
			defer hs.Close()
			// The CRM account's users are the company's Zoom hosts, and the
			// company's own domain is an excluded contact domain: the rules
			// keep employees out of the contacts, as a real setup would.
			var ownDomain string
			for _, u := range acct.Users {
				if u.Type == 2 && u.ID != "" {
					hs.AddUser(u.Email, u.FirstName, u.LastName)
					if _, d, ok := strings.Cut(u.Email, "@"); ok && ownDomain == "" {
						ownDomain = d
					}
				}
			}

			log, err := newLogger(c, os.Stderr)
			if err != nil {
				return err
			}
			cfg := &pipelines.Config{
				DataDir: dir,
				Zoom: pipelines.ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
					AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: zoomPlan},
				HubSpot: pipelines.HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: hubTier},
				Logger:  log,
				CRM:     &pipelines.HubSpotSettings{ExcludedContactDomains: []string{ownDomain}},
			}
			w := c.App.Writer
			fmt.Fprintf(w, "zoomsync demo: Zoom simulator %s (seed %d), HubSpot simulator %s, lake %s\n", zs.URL, c.Int64("seed"), hs.URL, dir)
			fmt.Fprintf(w, "The Zoom hosts are the CRM's users; contacts of %s (the company's own domain) are excluded.\n\n", ownDomain)
			res, err := pipelines.Sync(c.Context, cfg, pipelines.SyncOptions{})
			if res != nil {
				printRun(w, res)
			}
			if err != nil {
				return err
			}
			printCalls(w, acct, zs.Stats(), hs.Requests())
			fmt.Fprintf(w, "\nHubSpot now holds %d contacts.\n", len(hs.Contacts()))

			// A second sync with nothing new in Zoom: only the listings and
			// what may still change (upcoming webinars) are fetched, and
			// nothing is sent to HubSpot.
			zs.ResetStats()
			hs.ResetRequests()
			fmt.Fprintf(w, "\nSecond sync, nothing new in Zoom:\n")
			res, err = pipelines.Sync(c.Context, cfg, pipelines.SyncOptions{})
			if res != nil {
				printRun(w, res)
			}
			if err != nil {
				return err
			}
			printCalls(w, nil, zs.Stats(), hs.Requests())

			e, err := transform.OpenReadOnly(c.Context, schema.Lake{Dir: dir})
			if err != nil {
				return err
			}
			defer e.Close()
			for _, s := range demoSegments {
				fmt.Fprintf(w, "\n%s:\n", s.title)
				rows, err := e.DB().QueryContext(c.Context, s.sql)
				if err != nil {
					return fmt.Errorf("segment %q: %w", s.title, err)
				}
				err = writeRows(w, rows, "table")
				rows.Close()
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(w, "\nTry: bin/zoomsync --data-dir %s query \"SELECT * FROM contacts LIMIT 5\"\n", dir)
			return nil
		},
	}
}

// prepareDemoDir empties dir when an earlier demo made it, and refuses to
// touch a directory that holds anything else.
func prepareDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("%s is not empty and was not made by zoomsync demo: pick another --data-dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by zoomsync demo; the next demo empties this directory\n"), 0o644)
}

// minimumZoomCalls is the fewest Zoom calls that fetch the account's data
// the way zoomsync does on a first run: one token, every page of every
// listing at page size 300; per listed webinar its detail, registration form
// (when it takes registrants), panelists and past instances; per held
// instance its report, participants and absentees, and, when anybody
// attended, its recording and the two requests (download, signed URL) of
// each ready transcript or caption file.
func minimumZoomCalls(a *zoomtest.Account) int {
	pages := func(n int) int { return max(1, (n+299)/300) }
	n := 1 // token
	active := 0
	for _, u := range a.Users {
		if u.Status == "active" {
			active++
		}
	}
	n += pages(active)
	for _, u := range a.Users {
		if u.Status != "active" || u.Type != 2 {
			continue
		}
		listed := 0
		for _, w := range a.Webinars {
			if w.HostID != u.ID || w.Expired {
				continue
			}
			listed++
			n += 3 // detail, panelists, past instances
			registration := w.ApprovalType != 2
			if registration {
				by := map[string]int{}
				for _, r := range w.Registrants {
					by[r.Status]++
				}
				n += 1 + pages(by["approved"]) + pages(by["pending"]) + pages(by["denied"]) // form, listings
			}
			for _, in := range w.Instances {
				n++ // report
				if a.Now.Sub(in.EndTime).Hours() > 365*24 {
					continue // 12702: nothing else
				}
				n += pages(len(in.Participants))
				if registration {
					n += pages(len(zoomtest.Absentees(w, in)))
				}
				attended := false
				for _, p := range in.Participants {
					attended = attended || p.Status == "in_meeting"
				}
				if !attended {
					continue
				}
				n++ // recording (404/3301 when none)
				if in.Recording != nil && in.Recording.DeletedTime.IsZero() {
					for _, f := range in.Recording.Files {
						if (f.FileType == "TRANSCRIPT" || f.FileType == "CC") && f.Status != "processing" {
							n += 2
						}
					}
				}
			}
		}
		n += pages(listed)
	}
	return n
}

func printCalls(w io.Writer, acct *zoomtest.Account, zs zoomtest.Stats, reqs []hubspottest.Request) {
	if acct != nil {
		fmt.Fprintf(w, "\nZoom API calls: %d (the data needs at least %d); by label:", zs.Total, minimumZoomCalls(acct))
	} else {
		fmt.Fprintf(w, "Zoom API calls: %d; by label:", zs.Total)
	}
	labelled := 0
	for _, k := range sortedKeys(zs.ByLabel) {
		fmt.Fprintf(w, " %s %d", k, zs.ByLabel[k])
		labelled += zs.ByLabel[k]
	}
	fmt.Fprintf(w, ", token and file downloads %d; 429s: %d\n", zs.Total-labelled, zs.ByStatus[429])
	if acct == nil { // the incremental run: say which calls it still made
		fmt.Fprintf(w, "  by route:")
		for _, k := range sortedKeys(zs.ByRoute) {
			fmt.Fprintf(w, " %s ×%d;", k, zs.ByRoute[k])
		}
		fmt.Fprintln(w)
	}
	writes, inputs := 0, 0
	for _, r := range reqs {
		if r.Write {
			writes++
			inputs += r.Inputs
		}
	}
	fmt.Fprintf(w, "HubSpot API calls: %d (%d writes carrying %d inputs)\n", len(reqs), writes, inputs)
}
