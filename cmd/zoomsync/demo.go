package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
)

// demoMarker marks a data directory that zoomsync demo made, and so may
// empty at its next start.
const demoMarker = ".zoomsync-demo"

// demoSegments are the example segment queries the demo answers.
var demoSegments = []struct{ title, sql string }{
	{"Most engaged attendees: at least 2 sessions, 75 % present on average (top 10)", `
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
	{"Engagement beyond HubSpot's integration (Q&A, polls, surveys, registration sources)", `
SELECT (SELECT count(*) FROM questions WHERE email IS NOT NULL) AS questions_asked,
       (SELECT count(DISTINCT email) FROM questions WHERE email IS NOT NULL) AS askers,
       (SELECT count(*) FROM poll_answers WHERE email IS NOT NULL) AS poll_answers,
       (SELECT count(*) FROM survey_answers WHERE email IS NOT NULL) AS survey_answers,
       (SELECT source || ': ' || sum(registrations) FROM registration_sources
        GROUP BY source ORDER BY sum(registrations) DESC, source LIMIT 1) AS top_registration_source`},
}

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:        "demo",
		Usage:       "run a whole sync against the embedded Zoom and HubSpot simulators",
		Description: demoDescription,
		Flags:       demoFlags(),
		Action:      demoAction,
	}
}

const demoDescription = `demo starts the Zoom and HubSpot simulators in-process on loopback, generates
a deterministic Zoom account (hosts, single and recurring webinars, a few
thousand registrants, attendees with rejoins, waiting-room rows, guests without
email), runs the whole sync into its own data directory (./zoomsync-demo
unless --data-dir or ZOOMSYNC_DATA_DIR names one), and prints the summary, the
API calls made against the minimum the data needs, and two example segment
queries. It empties the directory first, but only when an earlier demo made it
and no real run (a sync against Zoom and HubSpot) was recorded in it since;
otherwise it refuses (exit 2).`

func demoFlags() []cli.Flag {
	return []cli.Flag{
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "generator seed of the Zoom account"},
		// For tests: the simulators and clients without rate limits.
		&cli.BoolFlag{Name: "unthrottled", Hidden: true},
	}
}

// demoSims are the simulators of a demo and the configuration that points
// a sync at them.
type demoSims struct {
	acct      *zoomtest.Account
	zoom      *zoomtest.Server
	hubspot   *hubspottest.Server
	ownDomain string // the company's own domain, an excluded contact domain
	cfg       *pipelines.Config
}

// startDemoSims starts the simulators over the account of seed. The CRM
// account's users are the company's Zoom hosts, and the company's own domain
// is an excluded contact domain: the rules keep employees out of the
// contacts, as a real setup would.
func startDemoSims(c *cli.Context, dir string) (*demoSims, error) {
	log, err := newLogger(c, os.Stderr)
	if err != nil {
		return nil, err
	}
	d := &demoSims{acct: zoomtest.DemoAccount(c.Int64("seed"))}
	zoomPlan, hubTier := "pro", "professional"
	if c.Bool("unthrottled") {
		zoomPlan, hubTier = "unlimited", "unlimited"
	}
	d.zoom = zoomtest.NewServer(d.acct, zoomtest.WithPlan(zoomPlan))
	d.hubspot = hubspottest.NewServer(hubspottest.WithTier(hubTier))
	for _, u := range d.acct.Users {
		if u.Type == 2 && u.ID != "" {
			d.hubspot.AddUser(u.Email, u.FirstName, u.LastName)
			if _, dom, ok := strings.Cut(u.Email, "@"); ok && d.ownDomain == "" {
				d.ownDomain = dom
			}
		}
	}
	d.cfg = &pipelines.Config{
		DataDir: dir,
		Zoom: pipelines.ZoomConfig{APIURL: d.zoom.APIURL(), OAuthURL: d.zoom.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: zoomPlan},
		HubSpot: pipelines.HubSpotConfig{APIURL: d.hubspot.URL, Token: "demo-token", Tier: hubTier},
		Logger:  log,
		CRM:     &pipelines.HubSpotSettings{ExcludedContactDomains: []string{d.ownDomain}},
	}
	return d, nil
}

func (d *demoSims) Close() {
	d.zoom.Close()
	d.hubspot.Close()
}

// demoAction runs two syncs against the simulators, the second with nothing
// new in Zoom, then the example segments.
func demoAction(c *cli.Context) error {
	dir := demoDir(c)
	if err := prepareDemoDir(c.Context, dir); err != nil {
		return err
	}
	d, err := startDemoSims(c, dir)
	if err != nil {
		return err
	}
	defer d.Close()
	w := c.App.Writer
	fmt.Fprintf(w, "zoomsync demo: Zoom simulator %s (seed %d), HubSpot simulator %s, lake %s\n", d.zoom.URL, c.Int64("seed"), d.hubspot.URL, dir)
	fmt.Fprintf(w, "The Zoom hosts are the CRM's users; contacts of %s (the company's own domain) are excluded.\n\n", d.ownDomain)
	if err := demoSync(c, d, true); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nHubSpot now holds %d contacts.\n", len(d.hubspot.Contacts()))

	// A second sync with nothing new in Zoom: only the listings and what
	// may still change (upcoming webinars) are fetched, and nothing is
	// sent to HubSpot.
	d.zoom.ResetStats()
	d.hubspot.ResetRequests()
	fmt.Fprintf(w, "\nSecond sync, nothing new in Zoom:\n")
	if err := demoSync(c, d, false); err != nil {
		return err
	}
	if err := printDemoSegments(c, dir); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nTry: bin/zoomsync --data-dir %s query \"SELECT * FROM contacts LIMIT 5\"\n", dir)
	return nil
}

// demoSync runs one sync and prints its summary and the API calls it made.
func demoSync(c *cli.Context, d *demoSims, first bool) error {
	w := c.App.Writer
	res, err := pipelines.Sync(c.Context, d.cfg, pipelines.SyncOptions{Demo: true})
	if res != nil {
		printRun(w, res)
	}
	if err != nil {
		return err
	}
	var acct *zoomtest.Account
	if first {
		acct = d.acct
	}
	printCalls(w, acct, d.zoom.Stats(), d.hubspot.Requests())
	return nil
}

// printDemoSegments prints the rows of each demo segment.
func printDemoSegments(c *cli.Context, dir string) error {
	w := c.App.Writer
	sess, err := pipelines.OpenSQLSession(c.Context, schema.Lake{Dir: dir})
	if err != nil {
		return err
	}
	defer sess.Close()
	for _, s := range demoSegments {
		fmt.Fprintf(w, "\n%s:\n", s.title)
		rows, err := sess.Rows(c.Context, s.sql)
		if err != nil {
			return fmt.Errorf("segment %q: %w", s.title, err)
		}
		_, err = output.WriteRows(w, rows, output.FormatTable)
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// defaultDemoDir is the demo's data directory unless --data-dir or
// ZOOMSYNC_DATA_DIR names one: never the lake of a real sync.
const defaultDemoDir = "./zoomsync-demo"

// demoDir is the demo's data directory.
func demoDir(c *cli.Context) string {
	if c.IsSet("data-dir") {
		return c.String("data-dir")
	}
	return defaultDemoDir
}

// prepareDemoDir empties dir when an earlier demo made it, and refuses to
// touch a directory that holds anything else, or a lake in which a real
// run (not the demo's) was recorded since.
func prepareDemoDir(ctx context.Context, dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("%s is not empty and was not made by zoomsync demo: pick another --data-dir", dir)
		}
		n, err := pipelines.RealRuns(ctx, schema.Lake{Dir: dir})
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if n > 0 {
			return usageError{fmt.Errorf("%s holds a lake with %d runs that are not the demo's (a real sync used it): the demo never resets it; pick another --data-dir (the demo's default is %s)", dir, n, defaultDemoDir)}
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

// printCalls prints the API calls of a sync: for the first, acct is the
// account, and the calls are shown against the minimum its data needs
// (zoomtest.MinCalls plus zoomtest.EngagementCalls, the simulator's model
// of the extraction).
func printCalls(w io.Writer, acct *zoomtest.Account, zs zoomtest.Stats, reqs []hubspottest.Request) {
	first := acct != nil
	if first {
		fmt.Fprintf(w, "\nZoom API calls: %d (the data needs at least %d); by label:", zs.Total, zoomtest.MinCalls(acct)+zoomtest.EngagementCalls(acct))
	} else {
		fmt.Fprintf(w, "Zoom API calls: %d; by label:", zs.Total)
	}
	labelled := 0
	for _, k := range sortedKeys(zs.ByLabel) {
		fmt.Fprintf(w, " %s %d", k, zs.ByLabel[k])
		labelled += zs.ByLabel[k]
	}
	fmt.Fprintf(w, ", token and file downloads %d; 429s: %d\n", zs.Total-labelled, zs.ByStatus[429])
	if !first { // the incremental run: say which calls it still made
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
