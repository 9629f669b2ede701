package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/internal/report"
	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "write one self-contained HTML page of charts over the lake (opens offline)",
		Description: `report reads zoomsync.duckdb read-only, as query does, and writes one HTML
page with the charts inlined (ECharts is inside the page: no network, no CDN):
the registration → attendance funnel over all webinars and per webinar,
attendees present per minute over each held instance, the distribution of
attendance percent, the rows left out by reason (the audit of the last
transform), and recordings and engagement (Q&A questions, poll and survey
answers) per webinar. The file is written under a temporary name and renamed
when complete.

Examples:
  zoomsync report --out report.html
  zoomsync report --webinar 812-3456-7890 --since 2026-01-01 --out launch.html`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Required: true, Usage: "the HTML file to write"},
			&cli.StringFlag{Name: "webinar", Usage: "only this webinar (spaces and dashes in the id are fine)"},
			&cli.StringFlag{Name: "since", Usage: "only instances held on or after this day, YYYY-MM-DD (UTC)"},
		},
		Action: reportAction,
	}
}

func reportAction(c *cli.Context) error {
	if c.NArg() != 0 {
		return usageError{fmt.Errorf("report takes no arguments (got %d)", c.NArg())}
	}
	var f pipelines.ReportFilter
	if v := c.String("webinar"); v != "" {
		ids, err := webinarIDs([]string{v})
		if err != nil {
			return err
		}
		f.Webinar = ids[0]
	}
	if c.String("since") != "" {
		t, err := parseDay(c, "since")
		if err != nil {
			return err
		}
		f.Since = t
	}
	sess, err := pipelines.OpenSQLSession(c.Context, schema.Lake{Dir: c.String("data-dir")})
	if err != nil {
		return err
	}
	defer sess.Close()
	d, err := pipelines.ReportData(c.Context, sess, f)
	if err != nil {
		return err
	}
	if len(d.Funnel) == 0 {
		return fmt.Errorf("report: no webinar of the lake matches (%s)", d.Scope)
	}
	out := c.String("out")
	if err := lakefile.WriteAtomic(out, func(w io.Writer) error { return report.Render(w, d) }); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "report: %s (%s: %d webinars, %d instances, %d charts)\n", out, d.Scope, len(d.Funnel), len(d.Presence), len(report.ChartIDs))
	return nil
}
