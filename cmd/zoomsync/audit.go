package main

import (
	"database/sql"
	"fmt"
	"io"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

func auditCommand() *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "list what the last transform left out and why, per webinar and category",
		Description: `audit reads the audit table of the lake (out/audit.parquet, written by the
last transform) read-only, and lists per webinar and category the rows the
sync rules left out, with the excluded emails and their reason:
guest_no_email, invalid_email, excluded_domain, crm_user, secondary_email,
contact_deleted, the webinars the settings switched off, recordings and
transcripts not synced, and the data Zoom could not give. The rows HubSpot
rejected at load time (contact_rejected, timeline_event_not_created,
marketing_event_rejected, participation_rejected, call_rejected) are audit
rows of their run too, with HubSpot's message as the detail. Categories are
the lines of the audit log of HubSpot's Zoom integration: sync setting
disabled, recording/transcript not synced, some attendees did not sync,
webinar data not synced, emails excluded, transcript not found, timeline
event not created, contact property not updated, connected Zoom account data
not found.

Formats: table (default, grouped), csv and json (one object per line), with
the columns run_id, webinar_id, topic, category, reason, email, detail and
rows (the number of raw rows behind the line).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "webinar", Usage: "only this webinar (spaces and dashes in the id are fine)"},
			&cli.StringFlag{Name: "run", Usage: "only the audit of this run id (the lake keeps the audit of the last transform)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table, csv or json (one JSON object per line)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError{fmt.Errorf("audit takes no arguments (got %d)", c.NArg())}
			}
			format, err := output.ParseFormat(c.String("format"))
			if err != nil || format.Binary() {
				return usageError{fmt.Errorf("--format %q: want table, csv or json", c.String("format"))}
			}
			var f pipelines.AuditFilter
			if v := c.String("webinar"); v != "" {
				id, err := pipelines.ParseWebinarID(v)
				if err != nil || id <= 0 {
					return usageError{fmt.Errorf("--webinar %q is not a webinar id", v)}
				}
				f.WebinarID = id
			}
			f.RunID = c.String("run")
			e, err := transform.OpenReadOnly(c.Context, schema.Lake{Dir: c.String("data-dir")})
			if err != nil {
				return err
			}
			defer e.Close()
			rows, err := pipelines.Audit(c.Context, e, f)
			if err != nil {
				return err
			}
			defer rows.Close()
			if format != output.FormatTable {
				_, err = output.WriteRows(c.App.Writer, rows, format)
				return err
			}
			return printAudit(c.App.Writer, rows)
		},
	}
}

// printAudit prints the grouped audit: a heading per webinar, a line per
// category with its count, then one line per reason, email and detail.
func printAudit(w io.Writer, rows *sql.Rows) error {
	type line struct {
		reason, email, detail string
		n                     int
	}
	var (
		curWebinar  = "-"
		curCategory string
		lines       []line
		total       int
		webinars    int
	)
	flush := func() {
		if curCategory == "" {
			return
		}
		sum := 0
		for _, l := range lines {
			sum += l.n
		}
		fmt.Fprintf(w, "  %s: %d\n", curCategory, sum)
		for _, l := range lines {
			email := l.email
			if email == "" {
				email = "-"
			}
			text := fmt.Sprintf("    %-20s %s", l.reason, email)
			if l.detail != "" {
				text += "  (" + l.detail + ")"
			}
			if l.n > 1 {
				text += fmt.Sprintf(" ×%d", l.n)
			}
			fmt.Fprintln(w, text)
		}
		lines, curCategory = nil, ""
	}
	for rows.Next() {
		var run, topic, category, reason, email, detail sql.NullString
		var webinar sql.NullInt64
		var n int
		if err := rows.Scan(&run, &webinar, &topic, &category, &reason, &email, &detail, &n); err != nil {
			return err
		}
		key := "account"
		if webinar.Valid && webinar.Int64 != 0 {
			key = strconv.FormatInt(webinar.Int64, 10)
		}
		if key != curWebinar {
			flush()
			curWebinar = key
			webinars++
			if key == "account" {
				fmt.Fprintln(w, "no webinar")
			} else if topic.String != "" {
				fmt.Fprintf(w, "webinar %s %q\n", key, topic.String)
			} else {
				fmt.Fprintf(w, "webinar %s\n", key)
			}
		}
		if category.String != curCategory {
			flush()
			curCategory = category.String
		}
		lines = append(lines, line{reason.String, email.String, detail.String, n})
		total += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	flush()
	_, err := fmt.Fprintf(w, "(%d audit rows, %d webinars)\n", total, webinars)
	return err
}
