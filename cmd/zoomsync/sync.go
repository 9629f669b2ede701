package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/pipelines"
)

// apiFlags are the settings of the commands that call the APIs (the
// settings table of settings.go).
func apiFlags() []cli.Flag { return settingFlags(scopeAPI) }

// rebindFlag is --rebind of the commands that load (pipelines.SyncOptions.Rebind).
func rebindFlag() cli.Flag {
	return &cli.BoolFlag{Name: "rebind", Usage: "bind the lake to the configured Zoom account and HubSpot portal when it is bound to others: the load state is reset and everything is sent again"}
}

func syncCommand() *cli.Command {
	return &cli.Command{
		Name:  "sync",
		Usage: "extract from Zoom, transform, and load into HubSpot, as one run",
		Description: `sync fetches the webinars of the account's licensed users, their registrants
(approved, pending, denied) and, for every held instance, the report and its
participants; writes them to the lake as new raw Parquet files; recomputes
the load-ready contacts with DuckDB; and upserts into HubSpot only the
contacts whose properties changed since HubSpot last acknowledged them.

The first run binds the lake to the Zoom account (ZOOM_ACCOUNT_ID) and the
HubSpot portal (the token's) it syncs; a later run against another account
or portal is refused before anything is fetched or sent (exit code 2, a
configuration error), unless --rebind: then the load state is reset, the old
portal's CRM snapshot is moved aside, and everything is sent again.

The run ends with a summary and is recorded in the runs table. Exit code 0
when everything synced, 1 when the run failed or was partial (for example
Zoom's daily limit stopped it: what was fetched is kept, run again to finish;
or rows were refused or sent without a readable answer: the summary names
them and the next run sends them again), 2 for a usage or configuration error.`,
		Flags: append(append(apiFlags(), dryRunFlags("extract and transform, then print what load would send; send nothing to HubSpot (every summary line says DRY RUN; the run is recorded with dry_run)")...),
			outputFlag(),
			&cli.StringSliceFlag{Name: "webinar", Usage: "sync this webinar now, whatever its settings say (repeat for more; spaces and dashes in the id are fine)"},
			&cli.BoolFlag{Name: "full-refresh", Usage: "fetch again what earlier runs fetched and Zoom no longer changes (settled): of the --webinar webinars, else of every webinar"},
			rebindFlag(),
		),
		Action: func(c *cli.Context) error {
			cfg, err := runConfig(c)
			if err != nil {
				return err
			}
			only, err := webinarIDs(c.StringSlice("webinar"))
			if err != nil {
				return err
			}
			diff, err := diffOption(c)
			if err != nil {
				return err
			}
			if err := pipelines.Preflight(c.Context, cfg); err != nil {
				return err // the doctor's messages, before any quota is spent
			}
			hooks, stop := progressHooks(c, cfg)
			res, err := pipelines.Sync(c.Context, cfg, pipelines.SyncOptions{DryRun: c.Bool("dry-run"), Rebind: c.Bool("rebind"),
				Hooks: hooks, Diff: diff.hook(), ExtractOptions: pipelines.ExtractOptions{Only: only, FullRefresh: c.Bool("full-refresh")}})
			stop()
			return finishRun(c, cfg, res, err, diff)
		},
	}
}

func extractCommand() *cli.Command {
	return &cli.Command{
		Name:  "extract",
		Usage: "run the extract stage alone: Zoom API → raw Parquet files",
		Flags: append(apiFlags(), outputFlag()),
		Action: func(c *cli.Context) error {
			cfg, err := runConfig(c)
			if err != nil {
				return err
			}
			hooks, stop := progressHooks(c, cfg)
			res, err := pipelines.Extract(c.Context, cfg, hooks, pipelines.ExtractOptions{})
			stop()
			return finishRun(c, cfg, res, err, nil)
		},
	}
}

// parseDay parses a date flag, YYYY-MM-DD, as that day's start in UTC; a
// bad value is a usage error that names the format people write.
func parseDay(c *cli.Context, flag string) (time.Time, error) {
	v := c.String(flag)
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--%s %q: want a date, YYYY-MM-DD (UTC)", flag, v)}
	}
	return t, nil
}

// webinarIDs parses --webinar values.
func webinarIDs(vals []string) ([]int64, error) {
	var out []int64
	for _, v := range vals {
		id, err := pipelines.ParseWebinarID(v)
		if err != nil || id <= 0 {
			return nil, usageError{fmt.Errorf("--webinar %q is not a webinar id", v)}
		}
		out = append(out, id)
	}
	return out, nil
}

func backfillCommand() *cli.Command {
	return &cli.Command{
		Name:  "backfill",
		Usage: "sync the webinars held in a date range, including those Zoom no longer lists",
		Description: `backfill walks each host's past-meetings report (GET /report/users/{id}/meetings)
in Zoom's one-month windows from --from to --to, finds every webinar instance
held then, including webinars that /users/{id}/webinars no longer lists
(expired), fetches their reports, participants, absentees and recordings,
then transforms and loads like sync. Zoom keeps these reports for about six
months; a window or report older than Zoom keeps is an audit row, not a
failure. Settings of zoomsync.yaml apply as in sync.`,
		Flags: append(append(apiFlags(), dryRunFlags("extract and transform, then print what load would send; send nothing to HubSpot (every summary line says DRY RUN)")...),
			outputFlag(),
			&cli.StringFlag{Name: "from", Required: true, Usage: "first day, YYYY-MM-DD (UTC)"},
			&cli.StringFlag{Name: "to", Usage: "last day, YYYY-MM-DD (UTC), included; default today"},
			rebindFlag(),
		),
		Action: func(c *cli.Context) error {
			cfg, err := runConfig(c)
			if err != nil {
				return err
			}
			from, err := parseDay(c, "from")
			if err != nil {
				return err
			}
			to := time.Now().UTC().Truncate(24 * time.Hour)
			if c.String("to") != "" {
				if to, err = parseDay(c, "to"); err != nil {
					return err
				}
			}
			diff, err := diffOption(c)
			if err != nil {
				return err
			}
			hooks, stop := progressHooks(c, cfg)
			res, err := pipelines.Backfill(c.Context, cfg, from, to.Add(24*time.Hour),
				pipelines.SyncOptions{DryRun: c.Bool("dry-run"), Rebind: c.Bool("rebind"), Hooks: hooks, Diff: diff.hook()})
			stop()
			return finishRun(c, cfg, res, err, diff)
		},
	}
}

func transformCommand() *cli.Command {
	return &cli.Command{
		Name:  "transform",
		Usage: "run the transform stage alone: raw Parquet → load-ready out/ tables, without calling any API",
		Flags: []cli.Flag{outputFlag()},
		Action: func(c *cli.Context) error {
			cfg, err := runConfig(c)
			if err != nil {
				return err
			}
			hooks, stop := progressHooks(c, cfg)
			res, err := pipelines.Transform(c.Context, cfg, hooks)
			stop()
			return finishRun(c, cfg, res, err, nil)
		},
	}
}

func loadCommand() *cli.Command {
	return &cli.Command{
		Name:  "load",
		Usage: "run the load stage alone: send the last transform's contacts to HubSpot (a retry without re-extracting)",
		Flags: append(append(apiFlags(), dryRunFlags("print what would be sent; send nothing (every summary line says DRY RUN)")...), outputFlag()),
		Action: func(c *cli.Context) error {
			cfg, err := runConfig(c)
			if err != nil {
				return err
			}
			diff, err := diffOption(c)
			if err != nil {
				return err
			}
			hooks, stop := progressHooks(c, cfg)
			res, err := pipelines.Load(c.Context, cfg, pipelines.SyncOptions{DryRun: c.Bool("dry-run"), Hooks: hooks, Diff: diff.hook()})
			stop()
			return finishRun(c, cfg, res, err, diff)
		},
	}
}

// finishRun prints the summary of a run that started (res not nil) and
// writes its diff (--diff); err is the run's.
func finishRun(c *cli.Context, cfg *pipelines.Config, res *pipelines.RunResult, err error, diff *diffOut) error {
	if res == nil {
		return logFinalError(c, cfg, err)
	}
	if asJSON, _ := outputJSON(c); asJSON {
		if jerr := writeRunJSON(c.App.Writer, res); jerr != nil {
			err = errors.Join(err, jerr)
		}
	} else {
		w := c.App.Writer
		if res.DryRun {
			w = &dryRunWriter{w: w}
		}
		printRun(w, res)
	}
	if res.DryRun {
		if derr := diff.write(c, cfg); derr != nil {
			err = errors.Join(err, fmt.Errorf("--diff: %w", derr))
		}
	}
	return logFinalError(c, cfg, err)
}

func printRun(w io.Writer, r *pipelines.RunResult) {
	fmt.Fprintf(w, "run %s (%s): %s in %s\n", r.RunID, r.Kind, r.Status, r.FinishedAt.Sub(r.StartedAt).Round(1e6))
	for _, b := range r.Rebound {
		fmt.Fprintf(w, "  rebound: %s %s -> %s; %d load state rows reset (everything is sent again)\n", b.System, b.From, b.To, b.StateReset)
	}
	if e := r.Extract; e != nil {
		fmt.Fprintf(w, "  extract: %d users (%d hosts), %d webinars, %d instances, %d reports, %d registrants, %d participant rows, %d issues\n",
			e.Users, e.Hosts, e.Webinars, e.Instances, e.Reports, e.Registrants, e.Participants, e.Issues)
		fmt.Fprintf(w, "           %d panelists, %d absentees, %d recordings with %d files, %d transcript cues\n",
			e.Panelists, e.Absentees, e.Recordings, e.RecordingFiles, e.TranscriptCues)
		for _, k := range sortedKeys(e.Skipped) {
			fmt.Fprintf(w, "    webinars not synced, %s: %d\n", k, e.Skipped[k])
		}
		if len(e.Pending) > 0 {
			fmt.Fprintf(w, "    left for the next run by Zoom's daily limit: %v (resets %s)\n", e.Pending, e.ResetAt.Format(time.RFC3339))
		}
		for id, msg := range e.WebinarErrors {
			fmt.Fprintf(w, "    webinar %d not fetched: %s\n", id, msg)
		}
	}
	if c := r.CRM; c != nil {
		fmt.Fprintf(w, "  crm snapshot: %d users, %d candidate emails (%d read, %d known, %d cached; %d rechecked before their upsert): %d live, %d secondary, %d archived, %d not found\n",
			c.Users, c.Candidates, c.Read, c.Known, c.Cached, c.Rechecked, c.Live, c.Secondary, c.Archived, c.NotFound)
	}
	if t := r.Transform; t != nil {
		fmt.Fprintf(w, "  transform: %d contacts\n", t.Contacts)
		for _, k := range sortedKeys(t.AuditByReason) {
			fmt.Fprintf(w, "    left out, %s: %d\n", k, t.AuditByReason[k])
		}
	}
	if l := r.Load; l != nil {
		fmt.Fprintf(w, "  load: %d created, %d updated, %d unchanged (not sent), %d failed, ", l.Created, l.Updated, l.Unchanged, l.Failed)
		if l.Unknown > 0 {
			fmt.Fprintf(w, "%d unknown (sent, no readable answer), ", l.Unknown)
		}
		fmt.Fprintf(w, "in %d batches\n", l.Batches)
		if len(l.PropertiesCreated) > 0 {
			fmt.Fprintf(w, "    properties created: %v\n", l.PropertiesCreated)
		}
		for _, k := range sortedKeys(l.Failures) {
			fmt.Fprintf(w, "    failed %s: %s\n", k, l.Failures[k])
		}
	}
	if a := r.Activity; a != nil {
		printActivity(w, r.Load, a)
	}
	if t := r.Transform; t != nil {
		for _, k := range sortedKeys(t.AuditByCategory) {
			fmt.Fprintf(w, "  audit, %s: %d (zoomsync audit lists them)\n", k, t.AuditByCategory[k])
		}
	}
	for _, n := range r.Notices {
		fmt.Fprintf(w, "  notice: %s\n", n)
	}
	switch {
	case r.Status == pipelines.StatusInterrupted:
		fmt.Fprintf(w, "  interrupted: what was fetched is kept with its cursors; run again to resume\n")
	case r.Err != nil:
		fmt.Fprintf(w, "  error: %v\n", r.Err)
	}
}

// printActivity prints one line per object type the load sends (in a dry
// run: what would be sent), then the notices and failures.
func printActivity(w io.Writer, contacts *load.Summary, a *load.ActivitySummary) {
	line := func(what string, c load.Counts) {
		fmt.Fprintf(w, "    %-17s %d created, %d updated, %d unchanged (not sent)", what+":", c.Created, c.Updated, c.Unchanged)
		if c.Skipped > 0 {
			fmt.Fprintf(w, ", %d skipped", c.Skipped)
		}
		if c.Failed > 0 {
			fmt.Fprintf(w, ", %d failed", c.Failed)
		}
		if c.Unknown > 0 {
			fmt.Fprintf(w, ", %d unknown", c.Unknown)
		}
		fmt.Fprintln(w)
	}
	if contacts != nil {
		line("contacts", load.Counts{Created: contacts.Created, Updated: contacts.Updated, Unchanged: contacts.Unchanged,
			Failed: contacts.Failed, Unknown: contacts.Unknown})
	}
	line("marketing events", a.MarketingEvents)
	line("attendance", a.Attendance)
	line("timeline events", a.TimelineEvents)
	line("calls", a.Calls)
	if len(a.TemplatesCreated) > 0 {
		fmt.Fprintf(w, "    timeline templates created: %v\n", a.TemplatesCreated)
	}
	for _, n := range a.Notices {
		fmt.Fprintf(w, "    notice: %s\n", n)
	}
	for _, k := range sortedKeys(a.Failures) {
		fmt.Fprintf(w, "    failed %s: %s\n", k, a.Failures[k])
	}
}
