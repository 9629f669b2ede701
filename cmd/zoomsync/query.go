package main

import (
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
)

func queryCommand() *cli.Command {
	return &cli.Command{
		Name:      "query",
		Usage:     "run a read-only SQL query over the lake",
		ArgsUsage: `"SQL"`,
		Description: `query opens zoomsync.duckdb read-only, so a segment query can never change
state, and writes the rows in the chosen format. The documented views (see
the README, "Segment queries"): contacts, registrations, attendance, webinars,
instances and audit. Also: raw_<stream> (every raw row of every run), the
de-duplicated staging views stg_*, and the tables runs, load_state and
load_log.

Formats: table (default), csv, json (one object per line, keys in column
order), parquet (one file) and arrow (an Arrow IPC stream, for pyarrow and
polars). Binary formats are not written to a terminal: use --out or a pipe.
With --out the file is written under a temporary name and renamed when
complete.

Examples:
  zoomsync query "SELECT email, zoom_total_webinars_attended FROM contacts
                  WHERE zoom_average_webinar_attendance_percent >= 75"
  zoomsync query --format parquet --out engaged.parquet "SELECT * FROM attendance"
  zoomsync query --format arrow "SELECT * FROM contacts" | python -c \
    'import pyarrow as pa,sys; print(pa.ipc.open_stream(sys.stdin.buffer).read_all())'`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table, csv, json (one JSON object per line), parquet or arrow (IPC stream)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write to this file (atomically) instead of standard output"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError{fmt.Errorf("query takes one argument, the SQL text (got %d)", c.NArg())}
			}
			format, err := output.ParseFormat(c.String("format"))
			if err != nil {
				return usageError{fmt.Errorf("--format: %w", err)}
			}
			out := c.String("out")
			if out == "" && format.Binary() && isTerminal(c.App.Writer) {
				return usageError{fmt.Errorf("--format %s writes binary data: not to a terminal; use --out FILE or a pipe", format)}
			}
			sess, err := pipelines.OpenSQLSession(c.Context, schema.Lake{Dir: c.String("data-dir")})
			if err != nil {
				return err
			}
			defer sess.Close()
			if out != "" {
				_, err = sess.QueryToFile(c.Context, c.Args().First(), format, out)
				return err
			}
			_, err = sess.Query(c.Context, c.Args().First(), format, c.App.Writer)
			return err
		},
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
