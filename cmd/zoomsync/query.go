package main

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

func queryCommand() *cli.Command {
	return &cli.Command{
		Name:      "query",
		Usage:     "run a read-only SQL query over the lake",
		ArgsUsage: `"SQL"`,
		Description: `query opens zoomsync.duckdb read-only, so a segment query can never change
state, and prints the rows. The views: contacts and audit (load-ready
tables), raw_users, raw_webinars, raw_webinar_instances, raw_instance_reports,
raw_registrants, raw_participants (every raw row of every run), the
de-duplicated staging views stg_*, and the tables runs, load_state and
load_log.

Example:
  zoomsync query "SELECT email, zoom_total_webinars_attended FROM contacts
                  WHERE zoom_average_webinar_attendance_percent >= 75"`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table, csv or json (one JSON object per line)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError{fmt.Errorf("query takes one argument, the SQL text (got %d)", c.NArg())}
			}
			format := c.String("format")
			if format != "table" && format != "csv" && format != "json" {
				return usageError{fmt.Errorf("--format %q: want table, csv or json", format)}
			}
			e, err := transform.OpenReadOnly(c.Context, schema.Lake{Dir: c.String("data-dir")})
			if err != nil {
				return err
			}
			defer e.Close()
			rows, err := e.DB().QueryContext(c.Context, c.Args().First())
			if err != nil {
				return err
			}
			defer rows.Close()
			return writeRows(c.App.Writer, rows, format)
		},
	}
}

// writeRows prints a result set as a table, CSV or JSON lines.
func writeRows(w io.Writer, rows *sql.Rows, format string) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var tw *tabwriter.Writer
	var cw *csv.Writer
	enc := json.NewEncoder(w)
	switch format {
	case "table":
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	case "csv":
		cw = csv.NewWriter(w)
		cw.Write(cols)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		n++
		switch format {
		case "table":
			cells := make([]string, len(vals))
			for i, v := range vals {
				cells[i] = cell(v)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		case "csv":
			cells := make([]string, len(vals))
			for i, v := range vals {
				cells[i] = cell(v)
			}
			cw.Write(cells)
		case "json":
			obj := make(map[string]any, len(cols))
			for i, c := range cols {
				obj[c] = vals[i]
			}
			if err := enc.Encode(obj); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch format {
	case "table":
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "(%d rows)\n", n)
	case "csv":
		cw.Flush()
		return cw.Error()
	}
	return nil
}

func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case []byte:
		return string(v)
	case float64:
		return fmt.Sprint(v)
	}
	return fmt.Sprint(v)
}
